"""Robustness of policies over an ensemble: plain arrays in, plain arrays out (no files).

Notation: ``y[p, m]`` is an outcome of policy ``p`` in ensemble member ``m`` (one
parameter set and one seed, the same for every policy: common random numbers); policy 0
is the status quo. ``sign = +1`` when a high value is good, ``-1`` when a low one is.

    change[p]     = mean_m (y[p, m] - y[0, m])
    p_beat[p]     = share of m with sign * (y[p, m] - y[0, m]) > 0
    regret[p, m]  = max_q sign * y[q, m] - sign * y[p, m]        (>= 0; 0 for the best)
    satisficing   = share of m where every threshold holds (y <= max, y >= min)
    cost per harm averted = cost[p] / mean_m (harm[0, m] - harm[p, m])  (when it is > 0)

Regret follows Savage's minimax-regret criterion as used in robust decision making
(Lempert, Popper and Bankes, "Shaping the Next One Hundred Years", RAND, 2003).
"""

from __future__ import annotations

import numpy as np


def sign_of(good_when: str) -> float:
    """+1 when high values are good, -1 when low ones are (indicator registry's good_when)."""
    return 1.0 if good_when == "high" else -1.0


def differences(y: np.ndarray, base: int = 0) -> np.ndarray:
    """``y[p, m] - y[base, m]``: the change against the status quo in every member."""
    y = np.asarray(y, dtype=float)
    return y - y[base]


def expected_change(y: np.ndarray, base: int = 0) -> np.ndarray:
    """Mean change against the status quo, per policy."""
    return differences(y, base).mean(axis=1)


def prob_beat(y: np.ndarray, sign: float, base: int = 0) -> np.ndarray:
    """Share of members in which a policy is strictly better than the status quo."""
    return (sign * differences(y, base) > 0).mean(axis=1)


def regret(y: np.ndarray, sign: float) -> np.ndarray:
    """Regret of each policy in each member against that member's best policy (>= 0)."""
    good = sign * np.asarray(y, dtype=float)
    return good.max(axis=0, keepdims=True) - good


def regret_summary(y: np.ndarray, sign: float, q: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """(mean regret, ``q``-quantile of regret) per policy."""
    r = regret(y, sign)
    return r.mean(axis=1), np.quantile(r, q, axis=1)


def satisficing(
    outcomes: dict[str, np.ndarray], thresholds: dict[str, tuple[float | None, float | None]]
) -> np.ndarray:
    """Share of members in which a policy meets every (min, max) threshold."""
    if not thresholds:
        first = np.asarray(next(iter(outcomes.values())))
        return np.ones(first.shape[0])
    ok = None
    for name, (lo, hi) in thresholds.items():
        y = np.asarray(outcomes[name], dtype=float)
        meets = np.ones_like(y, dtype=bool)
        if lo is not None:
            meets &= y >= lo
        if hi is not None:
            meets &= y <= hi
        ok = meets if ok is None else ok & meets
    assert ok is not None
    return ok.mean(axis=1)


def cost_per_harm_averted(cost: np.ndarray, harm: np.ndarray, base: int = 0) -> np.ndarray:
    """USD per month per person-month of civilian harm averted (NaN when none is averted)."""
    averted = -expected_change(harm, base)
    cost = np.asarray(cost, dtype=float) - float(np.asarray(cost, dtype=float)[base])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(averted > 0, cost / np.where(averted > 0, averted, 1.0), np.nan)


def sign_agreement(diff: np.ndarray) -> tuple[int, int]:
    """(members whose difference has the sign of the mean difference, members)."""
    diff = np.asarray(diff, dtype=float).ravel()
    s = np.sign(diff.mean())
    return int((np.sign(diff) == s).sum()), len(diff)


def variance_shares(values: np.ndarray) -> tuple[float, float]:
    """(parameter share, randomness share) of the variance of ``values[member, replicate]``.

    Law of total variance: Var(y) = Var_m(E[y | m]) + E_m(Var[y | m]); the first term is
    what the ensemble's parameter sets explain, the second what the seeds add.
    """
    v = np.asarray(values, dtype=float)
    between = float(v.mean(axis=1).var())
    within = float(v.var(axis=1).mean())
    total = between + within
    if total <= 0:
        return 0.0, 0.0
    return between / total, within / total


__all__ = [
    "cost_per_harm_averted",
    "differences",
    "expected_change",
    "prob_beat",
    "regret",
    "regret_summary",
    "satisficing",
    "sign_agreement",
    "sign_of",
    "variance_shares",
]
