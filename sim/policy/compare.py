"""``ssr compare POLICIES.toml``: many policies against the status quo over an ensemble.

A policies file (see ``docs/policy.md``)::

    [compare]      name, description, scenario (base scenario, relative to this file),
                   members (ensemble members), replicates (seeds per member), seed,
                   steps, from ("YYYY-MM": when every policy starts unless it says),
                   outcomes (indicator names), months (final months averaged)
    [thresholds]   civilian_harm = { max = 60 }      (satisficing: every one must hold)
    [[policies]]   name, description, from, extra_cost, then levers as in [policy]

The run reuses the sweep runner (streaming parts, ``--resume``, serial / process / Dask):
it is a sweep whose design rows are (policy, member, replicate). Common random numbers:
every policy gets the same seed and the same parameter set in a given member; the
status quo ("status_quo", added first) compared with itself differs by exactly zero.
Members are posterior draws (:func:`sim.posterior.draw_members`, from the file's seed)
when a posterior is installed, otherwise the default parameters with their own seeds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError, unknown
from sim.indicators import BY_NAME, INDICATORS
from sim.policy.levers import PolicySpec, parse_policy
from sim.posterior import Posterior, draw_members, load_posterior
from sim.scenario import NAME_RULE, ScenarioError, load_scenario, read_toml, replicate_seeds
from sim.sweep.experiment import DESIGN_COLUMNS, Experiment, Factor, Output
from sim.sweep.scenarios import SCENARIO_FACTOR

STATUS_QUO = "status_quo"
DEFAULT_OUTCOMES = (
    "civilian_harm",
    "incidents",
    "abuses_by_forces",
    "trust",
    "corruption",
    "state_control",
    "reform_index",
)
_COMPARE_KEYS = {
    "name": str,
    "description": str,
    "scenario": str,
    "members": int,
    "replicates": int,
    "seed": int,
    "steps": int,
    "from": str,
    "outcomes": list,
    "months": int,
}
_LIMITS = {"members": (1, 10_000), "replicates": (1, 1_000), "seed": (0, 2**63 - 1)}
_LIMITS |= {"steps": (1, 1200), "months": (1, 1200)}


@dataclass
class CompareExperiment(Experiment):
    """An experiment whose design is (policy, member, replicate) with common random numbers."""

    policies: dict[str, PolicySpec] = field(default_factory=dict)
    members: int = 20
    thresholds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    posterior: Posterior | None = None
    member_rows: list[int] = field(default_factory=list)

    @property
    def ensemble(self) -> str:
        """Plain words for the ensemble: posterior draws, or the defaults with seeds."""
        if self.posterior is None:
            return (
                f"fixed parameters (the defaults; no posterior, or --fixed-params) with "
                f"{self.members} x "
                f"{self.replicates} seeds (randomness only, not parameter uncertainty)"
            )
        return (
            f"{self.members} parameter sets drawn from the posterior ({len(self.posterior)} "
            f"members) x {self.replicates} seeds"
        )

    def n_points(self) -> int:
        """Policies (the status quo included)."""
        return len(self.scenarios)

    def n_runs(self) -> int:
        """Policies x members x replicates."""
        return len(self.scenarios) * self.members * self.replicates

    def design_frame(self) -> pd.DataFrame:
        """run_id, point_id (policy), replicate (unit = member x seed), seed, scenario, params.

        Unit ``u`` has the same seed and parameter set under every policy.
        """
        units = self.members * self.replicates
        seeds = np.array(replicate_seeds(self.seed, units), dtype=np.int64)
        labels = list(self.scenarios)
        frame = pd.DataFrame(
            {
                "run_id": np.arange(len(labels) * units, dtype=np.int64),
                "point_id": np.repeat(np.arange(len(labels), dtype=np.int64), units),
                "replicate": np.tile(np.arange(units, dtype=np.int64), len(labels)),
                "seed": np.tile(seeds, len(labels)),
                SCENARIO_FACTOR: np.repeat(np.array(labels, dtype=object), units),
            }
        )
        if self.posterior is not None:
            rows = np.repeat(np.array(self.member_rows, dtype=np.int64), self.replicates)
            for name in self.posterior.names:
                column = np.array([m[name] for m in self.posterior.members], dtype=float)
                frame[name] = np.tile(column[rows], len(labels))
        return frame

    def as_dict(self) -> dict[str, Any]:
        """The experiment's provenance plus the policies, thresholds and ensemble."""
        blob = super().as_dict()
        blob["compare"] = {
            "members": self.members,
            "thresholds": {k: list(v) for k, v in self.thresholds.items()},
            "policies": {k: p.raw for k, p in self.policies.items()},
            "ensemble": self.ensemble,
            "posterior": dict(self.posterior.meta) if self.posterior else None,
        }
        return blob


def _check_type(src: Any, key: str, value: Any, kind: type) -> None:
    bad = isinstance(value, bool) or not isinstance(value, kind)
    if bad:
        raise ScenarioError(src, key, f"must be a {kind.__name__}, got {value!r}")
    if key.split(".")[-1] in _LIMITS:
        lo, hi = _LIMITS[key.split(".")[-1]]
        if not lo <= value <= hi:
            raise ScenarioError(src, key, f"must be a whole number in [{lo}, {hi}], got {value}")


def _meta(data: dict[str, Any], src: Any) -> dict[str, Any]:
    for k in data:
        if k not in ("compare", "thresholds", "policies"):
            allowed = ("compare", "thresholds", "policies")
            raise ScenarioError(src, k, unknown(k, allowed, "top-level table"))
    meta = data.get("compare")
    if not isinstance(meta, dict):
        raise ScenarioError(src, "compare", "missing [compare] table (name, scenario, members)")
    for k, v in meta.items():
        if k not in _COMPARE_KEYS:
            raise ScenarioError(src, f"compare.{k}", unknown(k, _COMPARE_KEYS, "key of [compare]"))
        _check_type(src, f"compare.{k}", v, _COMPARE_KEYS[k])
    for k in ("name", "scenario"):
        if k not in meta:
            raise ScenarioError(src, f"compare.{k}", "required key is missing")
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", meta["name"]):
        raise ScenarioError(src, "compare.name", NAME_RULE)
    return meta


def _outcomes(meta: dict[str, Any], src: Any) -> list[str]:
    names = list(meta.get("outcomes", DEFAULT_OUTCOMES))
    for i, n in enumerate(names):
        if n not in INDICATORS:
            raise ScenarioError(
                src, f"compare.outcomes[{i}]", unknown(str(n), INDICATORS, "indicator")
            )
    if "civilian_harm" not in names:
        names.insert(0, "civilian_harm")  # cost per harm averted needs it
    return names


def _thresholds(raw: Any, outcomes: list[str], src: Any) -> dict[str, tuple[Any, Any]]:
    if not isinstance(raw, dict):
        raise ScenarioError(src, "thresholds", "must be a table: indicator = { max = .. }")
    out: dict[str, tuple[Any, Any]] = {}
    for name, t in raw.items():
        key = f"thresholds.{name}"
        if name not in outcomes:
            raise ScenarioError(src, key, unknown(name, outcomes, "outcome of this comparison"))
        if not isinstance(t, dict) or not t or set(t) - {"min", "max"}:
            raise ScenarioError(src, key, "must be a table { min = x } and/or { max = y }")
        for k, v in t.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ScenarioError(src, f"{key}.{k}", f"must be a number, got {v!r}")
        out[name] = (t.get("min"), t.get("max"))
    return out


def _policies(raw: Any, default_from: str | None, src: Any) -> dict[str, PolicySpec]:
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(src, "policies", "must be an array of tables: [[policies]] name = ..")
    out: dict[str, PolicySpec] = {STATUS_QUO: PolicySpec()}
    for i, table in enumerate(raw):
        key = f"policies[{i}]"
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            raise ScenarioError(src, f"{key}.name", "each policy needs a name (a string)")
        name = table["name"]
        if name in out:
            raise ScenarioError(src, f"{key}.name", f"{name!r} is used twice (or reserved)")
        body = {k: v for k, v in table.items() if k not in ("name", "description")}
        if default_from is not None:
            body.setdefault("from", default_from)
        try:
            spec = parse_policy(body, src, key)
        except InputError as err:
            raise ScenarioError(src, err.key, err.message) from None
        raw_ = {**spec.raw, "description": table.get("description", "")}
        out[name] = dataclasses.replace(spec, raw=raw_)
    return out


def parse_compare(
    data: dict[str, Any], src: str | Path, posterior: Posterior | None = None
) -> CompareExperiment:
    """Validate a policies file (parsed TOML) into a :class:`CompareExperiment`.

    Raises:
        ScenarioError: naming the file and key (unknown lever, region, negative cost ...).
    """
    meta = _meta(data, src)
    outcomes = _outcomes(meta, src)
    thresholds = _thresholds(data.get("thresholds", {}), outcomes, src)
    policies = _policies(data.get("policies"), meta.get("from"), src)
    base_path = (Path(src).parent / meta["scenario"]).resolve()
    if not base_path.is_file():
        raise ScenarioError(src, "compare.scenario", f"no scenario file at {base_path}")
    base = load_scenario(base_path)
    if "steps" in meta:
        base = base.with_overrides(steps=meta["steps"])
    months = meta.get("months", 12)
    if months > base.steps:
        raise ScenarioError(src, "compare.months", f"must be at most the run's {base.steps} months")
    scenarios = {name: dataclasses.replace(base, policy=p) for name, p in policies.items()}
    members, seed = meta.get("members", 20), meta.get("seed", 0)
    rows: list[int] = []
    if posterior is not None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x9057]))
        rows = draw_members(posterior, members, rng)
    return CompareExperiment(
        name=meta["name"],
        design="grid",
        factors=[
            Factor(SCENARIO_FACTOR, levels=tuple(scenarios), kind=str),
            *[Factor(n) for n in (posterior.names if posterior else [])],
        ],
        outputs=[Output(n, n, "mean_last", months) for n in outcomes],
        scenarios=scenarios,
        description=meta.get("description", ""),
        replicates=meta.get("replicates", 1),
        seed=seed,
        steps=base.steps,
        path=Path(src),
        policies=policies,
        members=members,
        thresholds=thresholds,
        posterior=posterior,
        member_rows=rows,
    )


def load_compare(
    path: str | Path, posterior_path: Path | None = None, *, fixed: bool = False
) -> CompareExperiment:
    """Load a policies file with the installed posterior (or the one at ``posterior_path``).

    ``fixed``: the default parameters, even when a posterior is installed.
    """
    if posterior_path is not None and not Path(posterior_path).is_file():
        raise InputError("<command line>", "--posterior", f"no posterior file at {posterior_path}")
    data = read_toml(path)
    return parse_compare(data, path, None if fixed else load_posterior(posterior_path))


def outcome_arrays(exp: CompareExperiment, summary: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each outcome as ``y[policy, unit]`` (policies in file order, status quo first)."""
    done = summary[~summary["failed"]] if "failed" in summary else summary
    out = {}
    for o in exp.outputs:
        table = done.pivot(index="point_id", columns="replicate", values=o.name)
        table = table.dropna(axis=1)  # only units complete under every policy (paired)
        out[o.name] = table.sort_index().to_numpy(dtype=float)
    return out


def ranking(exp: CompareExperiment, arrays: dict[str, np.ndarray]) -> pd.DataFrame:
    """The ranked table: one row per policy, sorted by mean regret on civilian harm."""
    from sim.policy import analysis as an

    names = list(exp.scenarios)
    cost = np.array([exp.policies[n].cost_per_month() for n in names])
    harm = arrays["civilian_harm"]
    table = pd.DataFrame({"policy": names, "cost_usd_per_month": cost})
    for o, y in arrays.items():
        sign = an.sign_of(BY_NAME[o].good_when)
        table[f"{o}_change"] = an.expected_change(y)
        table[f"{o}_p_beat"] = an.prob_beat(y, sign)
    mean_r, p90_r = an.regret_summary(harm, -1.0)
    table["harm_regret_mean"], table["harm_regret_p90"] = mean_r, p90_r
    table["satisficing"] = an.satisficing(arrays, exp.thresholds)
    table["usd_per_harm_averted"] = an.cost_per_harm_averted(cost, harm)
    table["members"] = harm.shape[1]
    table = table.sort_values(["harm_regret_mean", "cost_usd_per_month"], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


__all__ = [
    "DEFAULT_OUTCOMES",
    "DESIGN_COLUMNS",
    "STATUS_QUO",
    "CompareExperiment",
    "load_compare",
    "outcome_arrays",
    "parse_compare",
    "ranking",
]
