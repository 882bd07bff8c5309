"""What a posterior says: weighted quantiles, posterior vs prior widths, the medoid.

Analysis on plain arrays (no I/O). A parameter is *not identified* by the record when its
posterior 90% interval is wider than :data:`UNIDENTIFIED_RATIO` of its prior's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.calibrate.config import Prior

UNIDENTIFIED_RATIO = 0.8
"""Posterior width / prior width above which the record does not identify a parameter."""


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights: (sum w)^2 / sum w^2.

    200 equal weights give 200; one member holding all the weight gives 1. An ensemble
    drawn by weight holds about this many distinct parameter sets' worth of information.
    """
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / np.sum(w**2))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (inverse of the weighted empirical CDF)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cdf, q, side="left")), len(v) - 1)])


def widths(
    priors: Sequence[Prior], columns: Mapping[str, np.ndarray], weights: np.ndarray
) -> list[dict[str, object]]:
    """Per parameter: prior range, posterior median and 90% interval, width ratio."""
    rows = []
    for p in priors:
        v = columns[p.name]
        q05, q50, q95 = (weighted_quantile(v, weights, q) for q in (0.05, 0.5, 0.95))
        ratio = (q95 - q05) / p.width
        rows.append(
            {
                "parameter": p.name,
                "prior_lo": p.lo,
                "prior_hi": p.hi,
                "median": q50,
                "q05": q05,
                "q95": q95,
                "width_ratio": ratio,
                "identified": bool(ratio <= UNIDENTIFIED_RATIO),
            }
        )
    return rows


def medoid(priors: Sequence[Prior], columns: Mapping[str, np.ndarray], weights: np.ndarray) -> int:
    """Index of the member with the least weighted distance to all others.

    Distances are Euclidean in parameter space scaled by each prior's range, so no
    parameter counts more for its unit.
    """
    x = np.column_stack([(columns[p.name] - p.lo) / (p.hi - p.lo) for p in priors])
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    return int(np.argmin(d @ np.asarray(weights, float)))


__all__ = ["UNIDENTIFIED_RATIO", "effective_size", "medoid", "weighted_quantile", "widths"]
