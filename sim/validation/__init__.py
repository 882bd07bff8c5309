"""Validation of the model against the stylized facts and the 2015-2025 record.

* :mod:`sim.validation.targets` — the recorded figures, how each is measured on the
  historical scenario, and the penalties of the calibration score;
* :mod:`sim.validation.calibrate` — the scored Latin-hypercube search that chose the
  calibrated defaults (``python -m sim.validation.calibrate``);
* :mod:`sim.validation.checks` — mechanism checks from the literature and scenario
  comparisons, as paired replicates with 95% intervals;
* :mod:`sim.validation.report` — ``python -m sim.validation`` (``make validate``):
  regenerates ``docs/validation_figures.md``, the figures quoted in
  ``docs/VALIDATION.md`` and the plots ``docs/img/validation_*.png``.
"""
