"""Calibration as inference: ``ssr calibrate`` (ABC-SMC with pyabc) on the sourced record.

* :mod:`sim.calibrate.config`: the calibration file, the calibration and blind windows.
* :mod:`sim.calibrate.stats`: summary statistics of a run cut at the window's end.
* :mod:`sim.calibrate.smc`: pyabc, one generation at a time, resumable.
* :mod:`sim.calibrate.summary`: posterior vs prior widths, the medoid (plain arrays).
* :mod:`sim.calibrate.run`: the run folder, executors, outputs, ``--install``.
* :mod:`sim.calibrate.install`: writing calibrated defaults into the declarations.
* :mod:`sim.calibrate.cli`: the subcommand (imports nothing heavy).
"""
