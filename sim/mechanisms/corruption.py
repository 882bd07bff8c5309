"""Corruption in the security forces: contagion with tipping, checked by sanctions.

Each unit has a corruption propensity c in [0, 1] (integrity = 1 - c). Each month:

    c += drift * (baseline - c)                          institutional culture
       + contagion * (regional mean c - c)               peers
       + tipping_push * [share of corrupt units in region > tipping_point]
       + trafficking_pull * trafficking_r * (1 - c)      rents of trafficking routes
    a unit is detected with probability detection_r * c; a detected unit is sanctioned
    with probability enforcement; a sanction cuts c by sanction_effect, and the regional
    sanction rate deters the others (deterrence).

Extortion events per unit ~ Poisson(extortion_rate * size/1000 * c); funds leak in
proportion to the size-weighted mean c (:mod:`donors`). Corruption also reaches the
forces' conduct and strength this month: it lowers human-rights compliance (so abuses
rise, :mod:`violence`) and operational capacity (ghost soldiers, sold fuel and rations),
and it arms the groups (weapons and ammunition diverted from corrupt units,
:func:`sim.mechanisms.armed_groups.group_capacity`):

    compliance         -= compliance_penalty * c
    effective_capacity *= 1 - capacity_drain * c

Institutional change is slow: the pull toward the baseline has a half-life of
ln 2 / drift months (about four years by default). Corruption ABMs with contagion
and tipping (e.g. Hammond 2000) motivate the form; the baseline follows the Corruption
Perceptions Index of 28-35/100 and 53% of Malians seeing most police as corrupt
(Transparency International via press; Afrobarometer 2020).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.paramtools import ParamGroup, param
from sim.world import World


class CorruptionParams(ParamGroup):
    """Corruption propensity, contagion and sanctions."""

    baseline: float = param(
        0.6433,
        0,
        1,
        "index",
        "Institutional baseline of corruption propensity (initial mean and long-run anchor).",
        "calibrated: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md)",
    )
    initial_sd: float = param(
        0.1, 0, 0.5, "index", "Spread of initial propensities across units.", init_only=True
    )
    drift: float = param(
        0.0162,
        0,
        1,
        "per month",
        "Pull toward the institutional baseline (half-life ln 2 / drift: about four years).",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.85 of the prior's)",
    )
    contagion: float = param(0.05, 0, 1, "per month", "Pull toward the regional mean of peers.")
    tipping_point: float = param(
        0.6,
        0,
        1,
        "share",
        "Share of corrupt units (c > 0.5) in a region above which corruption tips.",
    )
    tipping_push: float = param(0.001, 0, 0.2, "per month", "Extra rise of c once a region tips.")
    trafficking_pull: float = param(
        0.002, 0, 0.2, "per month", "Rise of c from trafficking rents, scaled by exposure."
    )
    sanction_effect: float = param(0.1, 0, 1, "share", "Cut of a sanctioned unit's propensity.")
    deterrence: float = param(
        0.2, 0, 5, "share", "Cut of the other units' propensity per unit regional sanction rate."
    )
    compliance_penalty: float = param(
        0.2,
        0,
        1,
        "probability",
        "Human-rights compliance lost by a fully corrupt unit.",
        "assumption (corrupt units abuse and extort more; Afrobarometer 2020: 53% see most "
        "police as corrupt)",
    )
    capacity_drain: float = param(
        0.3,
        0,
        1,
        "share",
        "Operational capacity lost by a fully corrupt unit (ghost soldiers, sold supplies).",
        "assumption",
    )
    extortion_rate: float = param(
        6.0,
        0,
        100,
        "events per 1,000 troops per month",
        "Extortion events of a fully corrupt unit.",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    corruption: CorruptionParams


def step_corruption(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Contagion, tipping, trafficking pull, detection and sanctions; extortion events."""
    p = params.corruption
    f = world.forces
    inst = world.institutions
    n = world.geo.n
    c = f.corruption
    reg = f.region
    count = np.maximum(np.bincount(reg, minlength=n), 1)
    weight = np.maximum(np.bincount(reg, weights=f.size, minlength=n), 1e-9)
    regional_mean = np.bincount(reg, weights=c * f.size, minlength=n) / weight
    corrupt_share = np.bincount(reg, weights=(c > 0.5).astype(float), minlength=n) / count
    tipped = (corrupt_share > p.tipping_point).astype(float)

    c += p.drift * (p.baseline - c) + p.contagion * (regional_mean[reg] - c)
    c += p.tipping_push * tipped[reg]
    c += p.trafficking_pull * world.geo.trafficking[reg] * (1.0 - c)

    detected = rng.random(len(c)) < inst.detection[reg] * c
    sanctioned = detected & (rng.random(len(c)) < inst.enforcement)
    sanction_rate = np.bincount(reg, weights=sanctioned.astype(float), minlength=n) / count
    c *= np.where(sanctioned, 1.0 - p.sanction_effect, 1.0)
    c -= np.minimum(p.deterrence * sanction_rate[reg], 1.0) * p.sanction_effect * c
    np.clip(c, 0.0, 1.0, out=c)

    f.compliance[:] = np.clip(f.compliance - p.compliance_penalty * c, 0.0, 1.0)
    f.effective_capacity *= 1.0 - p.capacity_drain * c

    world.flows.misconduct_detected = int(detected.sum())
    world.flows.misconduct_sanctioned = int(sanctioned.sum())
    extortion = draws.poisson(rng, p.extortion_rate * f.size / 1000.0 * c)
    world.flows.extortion_r = np.bincount(reg, weights=extortion, minlength=n)
    f.mean_corruption = float((c * f.size).sum() / max(f.size.sum(), 1e-9))
