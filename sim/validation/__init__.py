"""Validation of the model against the stylized facts and the 2015-2025 record.

* :mod:`sim.validation.targets` — the recorded figures and how each is measured;
* :mod:`sim.validation.calibrate` — the scored search that chose the calibrated defaults;
* ``python -m sim.validation`` — regenerates the measured figures and the plots of
  ``docs/VALIDATION.md`` (``make validate``).
"""
