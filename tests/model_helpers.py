"""Shared helpers for the behaviour tests: small, fast models over several replicates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim import SSRModel
from sim.events import Event, make_event

SMALL: dict[str, Any] = {"community.count": 300}
"""Overrides that keep a model small enough for a test to run many of them in seconds."""

SEEDS: tuple[int, ...] = (11, 12, 13, 14, 15, 16)
"""Replicate seeds used by the directional tests."""

EventSpec = tuple[int, str] | tuple[int, str, dict[str, Any]]
"""An event as ``(step, kind)`` or ``(step, kind, options)``."""


def events(*specs: EventSpec) -> list[Event]:
    """Build validated events from ``(step, kind[, options])`` tuples."""
    return [make_event(s[0], s[1], s[2] if len(s) > 2 else None) for s in specs]


def small_model(
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    evs: Iterable[Event] = (),
) -> SSRModel:
    """A small model (300 communities) with extra overrides and events."""
    return SSRModel(rng=seed, overrides={**SMALL, **(overrides or {})}, events=list(evs))


_RUNS: dict[str, pd.DataFrame] = {}


def run_small(
    seed: int,
    steps: int,
    overrides: Mapping[str, Any] | None = None,
    evs: Iterable[EventSpec] = (),
) -> pd.DataFrame:
    """Indicator frame of a small model run for ``steps`` months (memoised: read only).

    Several tests compare the same baseline runs; memoising keeps the suite fast while
    every run stays a deterministic function of its arguments.
    """
    specs = tuple(evs)
    key = repr((seed, steps, sorted((overrides or {}).items()), specs))
    if key not in _RUNS:
        model = small_model(seed, overrides, events(*specs))
        model.run(steps)
        _RUNS[key] = model.indicator_frame()
    return _RUNS[key]


def replicate(
    measure: Callable[[pd.DataFrame], float],
    steps: int,
    overrides: Mapping[str, Any] | None = None,
    evs: Iterable[EventSpec] = (),
    seeds: Iterable[int] = SEEDS,
) -> np.ndarray:
    """``measure`` of each replicate's indicator frame, one value per seed."""
    specs = tuple(evs)
    return np.array([measure(run_small(s, steps, overrides, specs)) for s in seeds], dtype=float)
