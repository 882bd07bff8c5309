"""Experiment files: which parameters to vary, how to sample them, what to record per run.

An experiment is TOML (see ``docs/sweeps.md``)::

    [experiment]   name, description, scenario (base scenario file, relative to this
                   file), design (grid | lhs | sobol | morris), samples, replicates,
                   seed, steps, keep_timeseries, morris_levels
    [factors]      "group.name" = [levels...]  (grid levels)
                   "group.name" = { min = .., max = .., levels = n }  (a range)
                   scenario = ["a.toml", "b.toml"]  (alternative scenario files, grid only)
    [parameters]   fixed parameter overrides applied to every run
    [outputs]      name = { indicator = "...", stat = "...", months = 12 }

Parsing (:mod:`sim.sweep.schema`) reads data only and checks everything a sweep needs
before anything is written: every mistake is a :class:`sim.scenario.ScenarioError` naming
the file, the key path and what is allowed, so ``ssr sweep`` and ``ssr check`` can stop
with exit code 2.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import Scenario, replicate_seeds
from sim.sweep.scenarios import SCENARIO_FACTOR

DESIGNS = ("grid", "lhs", "sobol", "morris")
STATS = ("mean_last", "final", "sum", "max", "mean")
#: Columns of design.parquet that are not factors (factor columns follow them).
DESIGN_COLUMNS = ("run_id", "point_id", "replicate", "seed")
#: Seconds one run took: written by the worker beside the outputs.
RUN_SECONDS = "run_seconds"
#: True in summary.parquet for runs without outputs.
FAILED = "failed"
#: Column names a sweep writes itself: an output may not take one of them.
RESERVED_COLUMNS = (*DESIGN_COLUMNS, RUN_SECONDS, FAILED, SCENARIO_FACTOR)
MAX_RUNS = 10_000_000

#: Recorded per run when the experiment has no [outputs] table: the contract indicators a
#: policy question usually turns on, over the last simulated year or at the end.
DEFAULT_OUTPUTS: dict[str, tuple[str, str, int | None]] = {
    "incidents_last_year": ("incidents", "mean_last", 12),
    "civilian_harm_last_year": ("civilian_harm", "mean_last", 12),
    "abuses_last_year": ("abuses_by_forces", "mean_last", 12),
    "trust_final": ("trust", "final", None),
    "corruption_final": ("corruption", "final", None),
    "reform_index_final": ("reform_index", "final", None),
    "state_control_final": ("state_control", "final", None),
    "ddr_reintegrated_final": ("ddr_reintegrated", "final", None),
    "fighters_jihadist_final": ("fighters_jihadist", "final", None),
}


@dataclass(frozen=True)
class Factor:
    """One varied input.

    Attributes:
        name: dotted parameter name, or ``"scenario"`` for alternative scenario files.
        levels: explicit values (grid levels); for the scenario factor, scenario names.
        lo: lower bound of a range (sampled designs, or a grid with ``levels = n``).
        hi: upper bound of a range.
        kind: the parameter's type (float, int, bool; str for the scenario factor).
    """

    name: str
    levels: tuple[Any, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    kind: type = float

    @property
    def is_range(self) -> bool:
        """True when the factor is a continuous range rather than a list of levels."""
        return self.levels is None


@dataclass(frozen=True)
class Output:
    """One summary number computed from each run's time series."""

    name: str
    indicator: str
    stat: str
    months: int | None = None

    def compute(self, ts: pd.DataFrame) -> float:
        """The statistic of this output over a run's indicator frame."""
        col = ts[self.indicator].to_numpy(dtype=float)
        window = col[-self.months :] if self.months else col
        if self.stat == "final":
            return float(col[-1])
        if self.stat in ("mean_last", "mean"):
            return float(window.mean())
        if self.stat == "sum":
            return float(window.sum())
        if self.stat == "max":
            return float(window.max())
        raise AssertionError(self.stat)


@dataclass
class Experiment:
    """A validated experiment, ready to be turned into a design and run."""

    name: str
    design: str
    factors: list[Factor]
    outputs: list[Output]
    scenarios: dict[str, Scenario]
    description: str = ""
    samples: int = 64
    replicates: int = 1
    seed: int = 0
    steps: int | None = None
    keep_timeseries: bool = False
    morris_levels: int = 4
    parameters: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    # --- the design -----------------------------------------------------------------

    @property
    def sampled_factors(self) -> list[Factor]:
        """Factors drawn by the sampler (all of them for lhs / sobol / morris)."""
        return [f for f in self.factors if f.is_range] if self.design != "grid" else []

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition of the sampled factors."""
        fs = self.sampled_factors
        return {
            "num_vars": len(fs),
            "names": [f.name for f in fs],
            "bounds": [[float(f.lo), float(f.hi)] for f in fs],  # type: ignore[arg-type]
        }

    def n_points(self) -> int:
        """Design points before replication."""
        k = len(self.factors)
        if self.design == "grid":  # Python integers: a huge grid never wraps around
            return math.prod(len(_grid_levels(f)) for f in self.factors)
        if self.design == "lhs":
            return self.samples
        if self.design == "sobol":
            return self.samples * (k + 2)
        return self.samples * (k + 1)

    def n_runs(self) -> int:
        """Total runs: design points times replicates."""
        return self.n_points() * self.replicates

    def sample_matrix(self) -> np.ndarray:
        """Raw (unrounded) sampled values, one row per design point, for sampled designs.

        Morris analysis needs these exact values (integer rounding would hide the step
        between trajectory points); the run values are these, rounded for integer factors.
        """
        problem = self.problem()
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0xD5161]))
        k = problem["num_vars"]
        if self.design == "lhs":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=k, rng=rng).random(self.samples)
            lo = np.array([b[0] for b in problem["bounds"]])
            hi = np.array([b[1] for b in problem["bounds"]])
            return lo + unit * (hi - lo)
        if self.design == "sobol":
            from SALib.sample import sobol

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "N should be a power of 2": documented
                return sobol.sample(problem, self.samples, calc_second_order=False, seed=rng)
        if self.design == "morris":
            from SALib.sample import morris

            return morris.sample(problem, self.samples, num_levels=self.morris_levels, seed=rng)
        raise ValueError(f"design {self.design!r} has no sample matrix")

    def design_frame(self) -> pd.DataFrame:
        """The full design: run_id, point_id, replicate, seed, then one column per factor.

        Run ``run_id = point_id * replicates + replicate``; every run has its own seed,
        spawned from one ``numpy.random.SeedSequence(seed)``, so results never depend on
        which worker ran what.
        """
        if self.design == "grid":
            combos = list(itertools.product(*[_grid_levels(f) for f in self.factors]))
            points = pd.DataFrame(combos, columns=[f.name for f in self.factors])
        else:
            raw = self.sample_matrix()
            points = pd.DataFrame(raw, columns=[f.name for f in self.factors])
        for f in self.factors:
            if f.kind is int:
                points[f.name] = np.rint(points[f.name].astype(float)).astype(np.int64)
            elif f.kind is bool:
                points[f.name] = points[f.name].astype(bool)
            elif f.kind is float:
                points[f.name] = points[f.name].astype(float)
        n_points, reps = len(points), self.replicates
        point_id = np.repeat(np.arange(n_points, dtype=np.int64), reps)
        frame = points.iloc[point_id].reset_index(drop=True)
        frame.insert(0, "run_id", np.arange(n_points * reps, dtype=np.int64))
        frame.insert(1, "point_id", point_id)
        frame.insert(2, "replicate", np.tile(np.arange(reps, dtype=np.int64), n_points))
        frame.insert(3, "seed", np.array(replicate_seeds(self.seed, n_points * reps), np.int64))
        return frame

    # --- provenance -----------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Everything that determines the results, as plain JSON data (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "design": self.design,
            "samples": self.samples,
            "replicates": self.replicates,
            "seed": self.seed,
            "steps": self.steps,
            "keep_timeseries": self.keep_timeseries,
            "morris_levels": self.morris_levels,
            "factors": [
                {
                    "name": f.name,
                    "levels": list(f.levels) if f.levels is not None else None,
                    "min": f.lo,
                    "max": f.hi,
                    "kind": f.kind.__name__,
                }
                for f in self.factors
            ],
            "outputs": [dataclasses.asdict(o) for o in self.outputs],
            "parameters": self.parameters,
            "scenarios": {
                label: {"path": str(sc.path) if sc.path else None, "hash": sc.config_hash()}
                for label, sc in self.scenarios.items()
            },
            "path": str(self.path) if self.path else None,
        }

    def config_hash(self, design: pd.DataFrame | None = None) -> str:
        """SHA-256 of the experiment and its design: what ``--resume`` must find unchanged.

        The name, description and file location are left out: renaming a file or fixing a
        comment does not invalidate half a sweep. The design itself is hashed too, so a
        sampler that changed between library versions is caught.
        """
        blob = {k: v for k, v in self.as_dict().items() if k not in ("name", "description")}
        blob.pop("path")
        blob["scenarios"] = {k: v["hash"] for k, v in blob["scenarios"].items()}
        design = self.design_frame() if design is None else design
        digest = hashlib.sha256(
            pd.util.hash_pandas_object(design, index=False).to_numpy().tobytes()
        ).hexdigest()
        blob["design_digest"] = digest
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()

    def overrides_for(self, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(scenario label, parameter overrides) of one design row."""
        label = str(row.get(SCENARIO_FACTOR, next(iter(self.scenarios))))
        ov = dict(self.parameters)
        for f in self.factors:
            if f.name != SCENARIO_FACTOR:
                value = row[f.name]
                ov[f.name] = value.item() if isinstance(value, np.generic) else value
        return label, ov


def _grid_levels(f: Factor) -> list[Any]:
    """Levels of a grid factor (ranges with ``levels = n`` were expanded when parsed)."""
    if f.levels is None:
        raise ValueError(f"factor {f.name!r} is a range, not grid levels")
    return list(f.levels)


def design_warnings(exp: Experiment) -> list[str]:
    """Legal but unwise choices, to print before a sweep (and by ``ssr check``)."""
    warnings_ = []
    n = exp.samples
    if exp.design == "sobol" and n & (n - 1):
        warnings_.append(
            f"experiment.samples = {n} is not a power of two; Sobol sequences (and the "
            f"indices' convergence) are balanced only for 2^k samples, e.g. "
            f"{1 << (n.bit_length() - 1)} or {1 << n.bit_length()}"
        )
    return warnings_


def default_outputs() -> list[Output]:
    """The outputs recorded when an experiment has no [outputs] table."""
    return [Output(n, i, s, m) for n, (i, s, m) in DEFAULT_OUTPUTS.items()]


__all__ = [
    "DEFAULT_OUTPUTS",
    "FAILED",
    "RESERVED_COLUMNS",
    "RUN_SECONDS",
    "SCENARIO_FACTOR",
    "DESIGNS",
    "DESIGN_COLUMNS",
    "Experiment",
    "Factor",
    "Output",
    "STATS",
    "design_warnings",
]
