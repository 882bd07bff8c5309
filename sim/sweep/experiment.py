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

Parsing reads data only and checks everything a sweep needs before anything is written:
every mistake is a :class:`sim.scenario.ScenarioError` naming the file, the key path and
what is allowed, so ``ssr sweep`` and ``ssr check`` can stop with exit code 2.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import unknown
from sim.indicators import INDICATORS
from sim.params import Params, spec, validate_value
from sim.paramtools import ParamError
from sim.scenario import Scenario, ScenarioError, load_scenario, read_toml, replicate_seeds

DESIGNS = ("grid", "lhs", "sobol", "morris")
STATS = ("mean_last", "final", "sum", "max", "mean")
SCENARIO_FACTOR = "scenario"
_TOP = ("experiment", "factors", "parameters", "outputs")
_META = (
    "name",
    "description",
    "scenario",
    "design",
    "samples",
    "replicates",
    "seed",
    "steps",
    "keep_timeseries",
    "morris_levels",
)
_RANGE_KEYS = ("min", "max", "levels")
_OUTPUT_KEYS = ("indicator", "stat", "months")
#: Columns of design.parquet that are not factors (factor columns follow them).
DESIGN_COLUMNS = ("run_id", "point_id", "replicate", "seed")
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
        if self.design == "grid":
            return int(np.prod([len(_grid_levels(f)) for f in self.factors]))
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


# ------------------------------------------------------------------------------------
# parsing
# ------------------------------------------------------------------------------------


def _unknown(key: str, allowed: Iterable[str], what: str) -> str:
    return unknown(key, allowed, what)


def _int(src: Any, key: str, value: Any, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ScenarioError(src, key, f"must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def _str(src: Any, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ScenarioError(src, key, f"must be a string, got {value!r}")
    return value


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file.

    Raises:
        ScenarioError: with file, key path and what is allowed.
    """
    return parse_experiment(read_toml(path), path)


def parse_experiment(data: dict[str, Any], src: str | Path) -> Experiment:
    """Validate a parsed TOML document as an experiment.

    Args:
        data: the parsed TOML.
        src: the file it came from; relative scenario paths are resolved against its
            folder (or the working directory for "<...>" pseudo-files).

    Raises:
        ScenarioError: the first problem found, with file, key path and what is allowed.
    """
    for key in data:
        if key not in _TOP:
            raise ScenarioError(src, key, _unknown(key, _TOP, "top-level table"))
    meta = data.get("experiment")
    if not isinstance(meta, dict):
        raise ScenarioError(src, "experiment", "missing [experiment] table (with at least name)")
    for key in meta:
        if key not in _META:
            raise ScenarioError(
                src, f"experiment.{key}", _unknown(key, _META, "key of [experiment]")
            )
    if "name" not in meta:
        raise ScenarioError(src, "experiment.name", "required key is missing")
    name = _str(src, "experiment.name", meta["name"])
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", name):
        raise ScenarioError(
            src,
            "experiment.name",
            "must be letters, digits, '_', '-' or '.', starting with a letter or digit (max 80)",
        )
    description = _str(src, "experiment.description", meta.get("description", ""))
    design = _str(src, "experiment.design", meta.get("design", "grid"))
    if design not in DESIGNS:
        raise ScenarioError(src, "experiment.design", _unknown(design, DESIGNS, "design"))
    samples = _int(src, "experiment.samples", meta.get("samples", 64), 1, 1_000_000)
    replicates = _int(src, "experiment.replicates", meta.get("replicates", 1), 1, 10_000)
    seed = _int(src, "experiment.seed", meta.get("seed", 0), 0, 2**63 - 1)
    steps = meta.get("steps")
    if steps is not None:
        steps = _int(src, "experiment.steps", steps, 1, 1200)
    keep = meta.get("keep_timeseries", False)
    if not isinstance(keep, bool):
        raise ScenarioError(
            src, "experiment.keep_timeseries", f"must be true or false, got {keep!r}"
        )
    morris_levels = _int(src, "experiment.morris_levels", meta.get("morris_levels", 4), 2, 100)
    if morris_levels % 2:
        raise ScenarioError(
            src, "experiment.morris_levels", f"must be even (SALib's Morris), got {morris_levels}"
        )

    base_dir = Path(src).resolve().parent if not str(src).startswith("<") else Path.cwd()

    # fixed parameter overrides
    params_raw = data.get("parameters", {})
    if not isinstance(params_raw, dict):
        raise ScenarioError(src, "parameters", 'must be a table of "group.name" = value')
    parameters: dict[str, Any] = {}
    check = Params()
    for pname, value in _flatten(params_raw).items():
        try:
            check.set(pname, value)
        except ParamError as err:
            raise ScenarioError(src, f'parameters."{pname}"', err.message) from err
        parameters[pname] = check.get(pname)

    # factors
    factors_raw = data.get("factors")
    if not isinstance(factors_raw, dict) or not factors_raw:
        raise ScenarioError(
            src,
            "factors",
            'missing or empty [factors] table: "group.name" = [levels] or { min = .., max = .. }',
        )
    factors: list[Factor] = []
    scenario_paths: list[tuple[str, Path]] = []
    for fname, value in _flatten_factors(factors_raw).items():
        key = f'factors."{fname}"'
        if fname == SCENARIO_FACTOR:
            scenario_paths = _scenario_levels(src, key, value, base_dir)
            continue
        if fname in parameters:
            raise ScenarioError(src, key, "is also fixed in [parameters]; give it in one place")
        factors.append(_parse_factor(src, key, fname, value, design))

    # scenarios
    scenarios: dict[str, Scenario] = {}
    if scenario_paths:
        if "scenario" in meta:
            raise ScenarioError(
                src,
                "experiment.scenario",
                "give either a base scenario here or a 'scenario' factor in [factors], not both",
            )
        if design != "grid":
            raise ScenarioError(
                src,
                f'factors."{SCENARIO_FACTOR}"',
                f"alternative scenario files are grid levels; design {design!r} needs ranges",
            )
        for i, (text, p) in enumerate(scenario_paths):
            sc = _load_base(src, f'factors."{SCENARIO_FACTOR}"[{i}]', text, p, steps)
            if sc.name in scenarios:
                raise ScenarioError(
                    src,
                    f'factors."{SCENARIO_FACTOR}"[{i}]',
                    f"two scenario files are named {sc.name!r}; names must differ",
                )
            scenarios[sc.name] = sc
        factors.append(Factor(SCENARIO_FACTOR, levels=tuple(scenarios), kind=str))
    else:
        if "scenario" not in meta:
            raise ScenarioError(
                src, "experiment.scenario", "required key is missing (a scenario file)"
            )
        text = _str(src, "experiment.scenario", meta["scenario"])
        sc = _load_base(src, "experiment.scenario", text, base_dir / text, steps)
        scenarios[sc.name] = sc
    if design != "grid" and len(factors) < 2 and design in ("sobol", "morris"):
        raise ScenarioError(src, "factors", f"design {design!r} needs at least 2 factors")

    # outputs
    outputs = _parse_outputs(
        src, data.get("outputs"), steps or min(s.steps for s in scenarios.values())
    )
    clash = {o.name for o in outputs} & (set(DESIGN_COLUMNS) | {f.name for f in factors})
    if clash:
        raise ScenarioError(
            src, f"outputs.{sorted(clash)[0]}", "clashes with a design column; choose another name"
        )

    exp = Experiment(
        name=name,
        description=description,
        design=design,
        samples=samples,
        replicates=replicates,
        seed=seed,
        steps=steps,
        keep_timeseries=keep,
        morris_levels=morris_levels,
        factors=factors,
        outputs=outputs,
        scenarios=scenarios,
        parameters=parameters,
        path=Path(src) if not str(src).startswith("<") else None,
    )
    if exp.n_runs() > MAX_RUNS:
        raise ScenarioError(
            src,
            "experiment.samples" if design != "grid" else "factors",
            f"the design has {exp.n_runs():,} runs; at most {MAX_RUNS:,} are allowed",
        )
    return exp


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _flatten_factors(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables, but keep {min, max} tables as a factor's value."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and not (set(v) & set(_RANGE_KEYS)) and v:
            out.update(_flatten_factors(v, name + "."))
        else:
            out[name] = v
    return out


def _parse_factor(src: Any, key: str, name: str, value: Any, design: str) -> Factor:
    try:
        s = spec(name)
    except ParamError as err:
        raise ScenarioError(src, key, err.message) from err
    kind = s.kind if s.kind in (int, float, bool) else float
    if isinstance(value, list):
        if design != "grid":
            raise ScenarioError(
                src,
                key,
                f"a list gives grid levels; design {design!r} needs a range {{ min = .., max = .. }}",
            )
        if not value:
            raise ScenarioError(src, key, "needs at least one level")
        levels = []
        for i, v in enumerate(value):
            try:
                levels.append(validate_value(name, v))
            except ParamError as err:
                raise ScenarioError(src, f"{key}[{i}]", err.message) from err
        if len(set(levels)) != len(levels):
            raise ScenarioError(src, key, f"levels repeat: {value!r}")
        return Factor(name, levels=tuple(levels), kind=kind)
    if isinstance(value, dict):
        for k in value:
            if k not in _RANGE_KEYS:
                raise ScenarioError(src, f"{key}.{k}", _unknown(k, _RANGE_KEYS, "key of a range"))
        if kind is bool:
            raise ScenarioError(src, key, "a true/false parameter takes levels: [true, false]")
        for k in ("min", "max"):
            if k not in value:
                raise ScenarioError(src, f"{key}.{k}", "required key is missing")
            v = value[k]
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ScenarioError(src, f"{key}.{k}", f"must be a number, got {v!r}")
            try:
                validate_value(name, int(v) if kind is int and float(v).is_integer() else v)
            except ParamError as err:
                raise ScenarioError(src, f"{key}.{k}", err.message) from err
        lo, hi = float(value["min"]), float(value["max"])
        if lo >= hi:
            raise ScenarioError(src, key, f"min must be below max, got min = {lo}, max = {hi}")
        if "levels" in value:
            if design != "grid":
                raise ScenarioError(
                    src, f"{key}.levels", f"levels apply to grid designs; design is {design!r}"
                )
            n = _int(src, f"{key}.levels", value["levels"], 2, 1000)
            pts = np.linspace(lo, hi, n)
            if kind is int:
                pts = np.unique(np.rint(pts).astype(int))
            return Factor(name, levels=tuple(p.item() for p in pts), kind=kind)
        if design == "grid":
            raise ScenarioError(
                src, key, "a range in a grid design needs levels = n (or give a list of levels)"
            )
        return Factor(name, lo=lo, hi=hi, kind=kind)
    raise ScenarioError(
        src, key, f"must be a list of levels or {{ min = .., max = .. }}, got {value!r}"
    )


def _scenario_levels(src: Any, key: str, value: Any, base_dir: Path) -> list[tuple[str, Path]]:
    if not isinstance(value, list) or len(value) < 1:
        raise ScenarioError(src, key, "must be a list of scenario files (relative to this file)")
    out = []
    for i, v in enumerate(value):
        text = _str(src, f"{key}[{i}]", v)
        out.append((text, base_dir / text))
    if len({p.resolve() for _, p in out}) != len(out):
        raise ScenarioError(src, key, "lists the same scenario file twice")
    return out


def _load_base(src: Any, key: str, text: str, path: Path, steps: int | None) -> Scenario:
    if not path.is_file():
        raise ScenarioError(src, key, f"scenario file {text!r} not found (looked at {path})")
    try:
        sc = load_scenario(path)
    except ScenarioError as err:
        raise ScenarioError(src, key, f"invalid scenario: {err}") from err
    if steps is not None:
        last = max((e.step for e in sc.events), default=0)
        if last > steps:
            raise ScenarioError(
                src,
                "experiment.steps",
                f"{steps} months end before the event at step {last} of {text!r}; "
                f"use steps >= {last} or a scenario without later events",
            )
        sc = sc.with_overrides(steps=steps)
    return sc


def _parse_outputs(src: Any, raw: Any, steps: int) -> list[Output]:
    if raw is None:
        return [Output(n, i, s, m) for n, (i, s, m) in DEFAULT_OUTPUTS.items()]
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(
            src, "outputs", 'must be a table: name = { indicator = "...", stat = "..." }'
        )
    outputs = []
    for name, spec_ in raw.items():
        key = f"outputs.{name}"
        if not isinstance(spec_, dict):
            raise ScenarioError(
                src, key, f'must be a table {{ indicator = "...", stat = "..." }}, got {spec_!r}'
            )
        for k in spec_:
            if k not in _OUTPUT_KEYS:
                raise ScenarioError(
                    src, f"{key}.{k}", _unknown(k, _OUTPUT_KEYS, "key of an output")
                )
        if "indicator" not in spec_:
            raise ScenarioError(src, f"{key}.indicator", "required key is missing")
        ind = _str(src, f"{key}.indicator", spec_["indicator"])
        if ind not in INDICATORS:
            raise ScenarioError(
                src, f"{key}.indicator", _unknown(ind, list(INDICATORS), "indicator")
            )
        stat = _str(src, f"{key}.stat", spec_.get("stat", "final"))
        if stat not in STATS:
            raise ScenarioError(src, f"{key}.stat", _unknown(stat, STATS, "stat"))
        months = spec_.get("months")
        if months is None and stat == "mean_last":
            months = 12
        if months is not None:
            if stat == "final":
                raise ScenarioError(src, f"{key}.months", "does not apply to stat = 'final'")
            months = _int(src, f"{key}.months", months, 1, steps)
        outputs.append(Output(name, ind, stat, months))
    return outputs


__all__ = [
    "DEFAULT_OUTPUTS",
    "DESIGNS",
    "DESIGN_COLUMNS",
    "Experiment",
    "Factor",
    "Output",
    "STATS",
    "load_experiment",
    "parse_experiment",
]
