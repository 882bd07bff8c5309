"""Summary statistics of one simulated run, and the run itself cut at the window's end.

:func:`truncated` cuts the scenario at the last month of a window (events after it are
dropped), so a calibration never simulates, let alone sees, a month of the blind window.
:func:`measure` computes each :class:`~sim.calibrate.config.Statistic` on a run's frames,
in the statistic's own units (the record's figure is ``Statistic.observed``);
:func:`to_distance_space` puts counts on a log scale before the distance compares them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calendar import date_of, month_index
from sim.calibrate.config import Statistic
from sim.geography import load_geography
from sim.record import ZONES
from sim.scenario import Scenario


def truncated(scenario: Scenario, last: str) -> Scenario:
    """The scenario run only to ``last`` (inclusive); later events are dropped."""
    steps = month_index(last) - month_index(scenario.start) + 1
    if steps < 1:
        raise ValueError(f"{last} is before the scenario's start {scenario.start}")
    events = [e for e in scenario.events if e.step <= steps]
    return dataclasses.replace(scenario, steps=steps, events=events)


def _between(frame: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return frame[(frame["date"] >= first) & (frame["date"] <= last)]


def _areas(area: str) -> set[str]:
    geo = load_geography()
    if area in ZONES:
        return {n for n, z in zip(geo.names, geo.zones, strict=True) if z == area}
    return {area}


def measure_one(s: Statistic, ts: pd.DataFrame, regions: pd.DataFrame) -> float:
    """The model's figure of one statistic on one run (same units as ``s.observed``)."""
    cols = list(s.columns)
    if s.kind == "share":
        r = _between(regions, s.first, s.last)
        total = float(r[cols].to_numpy().sum())
        part = float(r.loc[r["region"].isin(_areas(s.area)), cols].to_numpy().sum())
        return part / total if total > 0 else 0.0
    w = _between(ts, s.first, s.last)
    if len(w) == 0:
        raise ValueError(f"statistic {s.name}: the run has no month in {s.first}..{s.last}")
    values = w[cols].to_numpy().sum(axis=1)
    if s.kind in ("monthly", "level"):
        return float(values.mean())
    if s.kind == "at":
        return float(values[-1])
    den = float(w[s.denominator].sum())
    return float(values.sum()) / den if den > 0 else 0.0


def measure(
    stats: Sequence[Statistic], ts: pd.DataFrame, regions: pd.DataFrame
) -> dict[str, float]:
    """Every statistic's figure on one run, by name."""
    return {s.name: measure_one(s, ts, regions) for s in stats}


def to_distance_space(stats: Sequence[Statistic], values: Mapping[str, float]) -> dict[str, float]:
    """Counts as log(1 + x), shares and levels unchanged: what the distance compares."""
    return {s.name: float(np.log1p(values[s.name]) if s.log else values[s.name]) for s in stats}


def run_seed(seed: int, values: Mapping[str, float]) -> int:
    """The model seed of one simulation: a hash of the calibration seed and the parameters.

    Each simulation is a deterministic function of its parameter values, whichever worker
    runs it and in whatever order.
    """
    text = repr((int(seed), sorted((k, float(v).hex()) for k, v in values.items())))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def last_month(ts: pd.DataFrame, start: str) -> str:
    """The last month a run's frame covers (for the blind-window guard)."""
    return str(ts["date"].iloc[-1]) if len(ts) else date_of(0, start)


__all__ = ["measure", "measure_one", "run_seed", "to_distance_space", "truncated"]
