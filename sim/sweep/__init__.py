"""Parameter sweeps at scale: experiment files, a crash-safe runner and sensitivity analysis.

``ssr sweep EXPERIMENT.toml`` writes the design first, then streams one Parquet part per
small chunk of runs to disk as runs finish, so a sweep of any size keeps the coordinator's
memory flat and survives a crash (``--resume`` runs exactly what is missing).
``ssr analyze SWEEP_DIR`` turns the finished sweep into sensitivity indices and plots.
See ``docs/sweeps.md``.
"""

from sim.sweep.experiment import Experiment, Factor, Output
from sim.sweep.schema import load_experiment, parse_experiment

__all__ = ["Experiment", "Factor", "Output", "load_experiment", "parse_experiment"]
