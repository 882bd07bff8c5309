"""Civil society organisations: capacity, funding, inclusion, restriction, monitoring.

CSOs monitor the forces in their region (raising the detection of abuses and
corruption), inform communities (making abuses visible, see :mod:`trust`) and, when
included in the security consultative committees, strengthen oversight. Capacity grows
with funding and decays without it; a suspension removes the donor-funded CSOs and a
restriction cuts the autonomy of the rest (ISS: "Civil society needs a role in Mali's
security reforms"; the 2022-11 ban on activities of NGOs with French funding, press).
A military regime leaves CSOs less autonomy whatever the policy (``military_autonomy``).

    capacity += growth * funding * (1 - capacity) - decay * capacity
    monitoring_r = 1 - exp(-monitor_k * sum(capacity * autonomy * active) / csos_in_region)
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.donors import DonorParams
from sim.paramtools import ParamGroup, param
from sim.world import CSOs, World

POLICY_AUTONOMY: dict[str, float] = {
    "open": 1.0,
    "consultative": 0.9,
    "restricted": 0.5,
    "suspended": 0.35,
}
"""Autonomy of the CSOs still active under each CSO policy (assumption)."""


class CSOParams(ParamGroup):
    """Civil society organisations."""

    per_region: int = param(
        2, 0, 50, "organisations", "CSOs created in each region.", init_only=True
    )
    initial_capacity: float = param(
        0.4, 0, 1, "index", "Mean initial CSO capacity.", init_only=True
    )
    foreign_funded_share: float = param(
        0.5,
        0,
        1,
        "share",
        "Share of CSOs that depend on foreign (donor) funding.",
        "ISS: 'Civil society needs a role in Mali's security reforms' (donor dependence)",
        init_only=True,
    )
    domestic_funding: float = param(
        0.15, 0, 1, "index", "Funding every CSO has from domestic sources."
    )
    growth: float = param(0.05, 0, 1, "per month", "Capacity growth per unit of funding.")
    decay: float = param(0.02, 0, 1, "per month", "Capacity decay without funding.")
    suspended_decay: float = param(
        0.2, 0, 1, "per month", "Capacity decay of a CSO whose activities are suspended."
    )
    monitor_k: float = param(
        1.5, 0, 10, "index", "Saturation of regional monitoring by active CSO capacity."
    )
    military_autonomy: float = param(
        0.7,
        0,
        1,
        "multiplier",
        "Autonomy left to CSOs under a military regime, on top of the CSO policy.",
        "assumption; ISS 'Civil society needs a role in Mali's security reforms' (2024)",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    cso: CSOParams
    donors: DonorParams


def step_cso(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Update CSO funding and capacity, then regional monitoring."""
    p = params.cso
    s = world.csos
    grants = min(1.0, world.funds.cso / max(params.donors.cso_need, 1e-9))
    funding = p.domestic_funding + np.where(s.foreign, grants, 0.0) + world.policy.cso_r[s.region]
    funding = np.where(s.active, funding, 0.0)
    s.funding[:] = funding
    decay = np.where(s.active, p.decay, p.suspended_decay)
    s.capacity += p.growth * funding * (1.0 - s.capacity) - decay * s.capacity
    np.clip(s.capacity, 0.0, 1.0, out=s.capacity)
    military = p.military_autonomy if world.institutions.regime == "military" else 1.0
    s.autonomy[:] = POLICY_AUTONOMY[world.institutions.cso_policy] * military
    update_monitoring(s, p, world.geo.n)


def update_monitoring(s: CSOs, p: CSOParams, regions: int) -> None:
    """Regional monitoring ``s.monitoring_r`` from the active CSOs' capacity and autonomy."""
    if len(s.capacity) == 0:
        s.monitoring_r = np.zeros(regions)
        return
    effort = np.bincount(s.region, weights=s.capacity * s.autonomy * s.active, minlength=regions)
    count = np.maximum(np.bincount(s.region, minlength=regions), 1)
    s.monitoring_r = 1.0 - np.exp(-p.monitor_k * effort / count)
