"""Numbers a policy team reads from a run: final-year means with 90% intervals.

Everything here works on the stacked time series of a run (one row per replicate and
step). Uncertainty is the spread over replicates: each replicate is reduced to one number
(e.g. its mean over the final twelve months), and the interval is the 5th to 95th
percentile of those numbers. Differences between scenarios are paired replicate by
replicate when both ran the same seeds (common random numbers remove most of the noise),
otherwise every replicate of one is set against every replicate of the other.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.calendar import date_of
from sim.indicators import INDICATORS
from sim.provenance import provenance, revision_text

if TYPE_CHECKING:
    from sim.scenario import Scenario

WINDOW = 12
"""Months in the "first year" and "final year" windows."""

ID_COLUMNS = ("replicate", "step", "date")


def indicator_columns(ts: pd.DataFrame) -> list[str]:
    """The indicator columns of a stacked time series, in order."""
    return [c for c in ts.columns if c not in ID_COLUMNS]


def window_means(ts: pd.DataFrame, *, final: bool, months: int = WINDOW) -> pd.DataFrame:
    """Mean of each indicator over the first or last ``months`` steps, per replicate.

    Returns:
        One row per replicate (index ``replicate``), one column per indicator.
    """
    steps = np.sort(ts["step"].unique())
    n = min(months, len(steps))
    chosen = steps[-n:] if final else steps[:n]
    sub = ts[ts["step"].isin(chosen)]
    return sub.groupby("replicate")[indicator_columns(ts)].mean().sort_index()


def interval(values: np.ndarray | pd.Series) -> dict[str, float | None]:
    """Mean, median and 90% interval (5th and 95th percentiles) of replicate values."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return {"mean": None, "median": None, "p5": None, "p95": None}
    return {
        "mean": _num(v.mean()),
        "median": _num(np.median(v)),
        "p5": _num(np.percentile(v, 5)),
        "p95": _num(np.percentile(v, 95)),
    }


def difference(a: np.ndarray, b: np.ndarray, *, paired: bool) -> dict[str, float | None]:
    """Median and 90% interval of ``a - b``.

    Args:
        a: one value per replicate of the first scenario.
        b: one value per replicate of the second.
        paired: replicate i of ``a`` and of ``b`` used the same seed; otherwise all
            pairs are compared (the two runs are independent samples).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b if paired else (a[:, None] - b[None, :]).ravel()
    out = interval(d)
    out.pop("mean")
    return out


def window_dates(ts: pd.DataFrame, *, final: bool, months: int = WINDOW) -> tuple[str, str]:
    """First and last month ("YYYY-MM") of the first- or final-year window."""
    dates = ts.drop_duplicates("step").sort_values("step")["date"].tolist()
    n = min(months, len(dates))
    chosen = dates[-n:] if final else dates[:n]
    return chosen[0], chosen[-1]


def indicator_summary(ts: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per indicator: first-year and final-year statistics and the change between them."""
    first = window_means(ts, final=False)
    last = window_means(ts, final=True)
    out: dict[str, dict[str, Any]] = {}
    for name in indicator_columns(ts):
        unit, meaning = INDICATORS.get(name, ("", ""))
        change = interval(last[name].to_numpy() - first[name].to_numpy())
        change.pop("mean")
        out[name] = {
            "unit": unit,
            "meaning": meaning,
            "final_year": interval(last[name]),
            "first_year": interval(first[name]),
            "change": change,
        }
    return out


def comparison_summary(
    ts: pd.DataFrame, other: pd.DataFrame, *, paired: bool
) -> dict[str, dict[str, Any]]:
    """Per indicator: final-year means of both scenarios and their difference (this - other)."""
    a = window_means(ts, final=True)
    b = window_means(other, final=True)
    out: dict[str, dict[str, Any]] = {}
    for name in indicator_columns(ts):
        if name not in b.columns:
            continue
        out[name] = {
            "this": interval(a[name])["mean"],
            "other": interval(b[name])["mean"],
            "difference": difference(a[name].to_numpy(), b[name].to_numpy(), paired=paired),
        }
    return out


def _scenario_info(sc: Scenario) -> dict[str, Any]:
    return {
        "name": sc.name,
        "description": sc.description,
        "file": str(sc.path) if sc.path else None,
        "start": sc.start,
        "end": date_of(sc.steps, sc.start),
        "steps": sc.steps,
        "replicates": sc.replicates,
        "seed": sc.seed,
        "parameters": dict(sc.parameters),
        "events": [
            {
                "date": date_of(e.step, sc.start),
                "step": e.step,
                "kind": e.kind,
                "options": e.options,
                "label": e.label,
            }
            for e in sc.events
        ],
    }


def build_summary(
    scenario: Scenario,
    ts: pd.DataFrame,
    *,
    compare: Scenario | None = None,
    compare_ts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The content of ``summary.json``."""
    prov = provenance()
    first = window_dates(ts, final=False)
    final = window_dates(ts, final=True)
    summary: dict[str, Any] = {
        "scenario": _scenario_info(scenario),
        "config_hash": scenario.config_hash(),
        "replicate_seeds": scenario.replicate_seeds(),
        **prov,
        "git_revision": revision_text(prov["git"]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "interval": "5th to 95th percentile over replicates",
        "first_year": {"from": first[0], "to": first[1]},
        "final_year": {"from": final[0], "to": final[1]},
        "indicators": indicator_summary(ts),
    }
    if compare is not None and compare_ts is not None:
        paired = compare.replicate_seeds() == scenario.replicate_seeds()
        summary["comparison"] = {
            "scenario": _scenario_info(compare),
            "config_hash": compare.config_hash(),
            "replicate_seeds": compare.replicate_seeds(),
            "paired": paired,
            "final_year": dict(
                zip(("from", "to"), window_dates(compare_ts, final=True), strict=True)
            ),
            "difference": "this scenario minus the comparison, final-year means",
            "indicators": comparison_summary(ts, compare_ts, paired=paired),
        }
    return summary


def _num(x: float) -> float | None:
    """A JSON-safe float (NaN and infinities become None)."""
    x = float(x)
    return x if math.isfinite(x) else None


__all__ = [
    "WINDOW",
    "comparison_summary",
    "difference",
    "indicator_columns",
    "indicator_summary",
    "interval",
    "window_dates",
    "window_means",
]
