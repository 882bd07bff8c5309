"""Security force units: size, deployment, capacity, training and human-rights compliance.

Units (army, gendarmerie, police; several per region) grow with recruitment, adapt
their deployment toward threatened regions, gain capacity from equipment and human-
rights training from donor money, and lose both to turnover. Compliance with human
rights is derived each month:

    compliance = compliance_base + compliance_training * trained
                 - integration_penalty * integrated_share - partner_penalty * partner

Service in abusive units is the strongest barrier to reintegration (Humphreys &
Weinstein 2007), and integrating ex-combatants without vetting lowers compliance; the
non-conditional partner's arrival is associated with more abuses (UN human-rights
reporting on 2022, including Moura).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.donors import DonorParams
from sim.paramtools import ParamGroup, param
from sim.world import World


class ForceParams(ParamGroup):
    """Security forces."""

    units_per_region: int = param(
        3, 1, 50, "units", "Force units created in each region.", init_only=True
    )
    size_scale: float = param(
        1.0,
        0.1,
        5,
        "multiplier",
        "Scales the 2015 deployment (about 14,500 troops; see sim/data/regions.json).",
        "press reports: about 18,000 armed forces in 2017 (approximate)",
        init_only=True,
    )
    growth_rate: float = param(
        0.008,
        0,
        0.05,
        "per month",
        "Monthly growth of force numbers (about 15,000 in 2015 to 35-40,000 in 2024).",
        "press reports: about 18,000 in 2017, 35-40,000 in 2024 (approximate)",
    )
    initial_capacity: float = param(
        0.35, 0, 1, "index", "Initial operational capacity.", init_only=True
    )
    capacity_decay: float = param(0.01, 0, 1, "per month", "Loss of capacity without upkeep.")
    initial_trained: float = param(
        0.05,
        0,
        1,
        "share",
        "Initial share of personnel trained in human rights and IHL.",
        init_only=True,
    )
    training_turnover: float = param(
        0.008, 0, 1, "per month", "Share of trained personnel replaced by untrained recruits."
    )
    compliance_base: float = param(
        0.35, 0, 1, "probability", "Human-rights compliance of untrained personnel."
    )
    compliance_training: float = param(
        0.45, 0, 1, "probability", "Compliance added by full human-rights training."
    )
    integration_penalty: float = param(
        0.3,
        0,
        1,
        "probability",
        "Compliance lost per unit share of integrated ex-combatants.",
        "Humphreys & Weinstein 2007 (abusive-unit service)",
    )
    partner_penalty: float = param(
        0.485,
        0,
        1,
        "probability",
        "Compliance lost while the non-conditional partner fights alongside the forces.",
        "calibrated: civilian harm rising from 2021 to 2022-23 and state forces about 43% of victims (docs/VALIDATION.md)",
    )
    partner_capacity_boost: float = param(
        0.05,
        0,
        1,
        "index",
        "Capacity added while the partner provides combat support.",
        "assumption; ISS 'Civil society needs a role in Mali's security reforms' (2024): "
        "despite Russian paramilitary support, Mali's army is struggling",
    )
    redeploy_rate: float = param(
        0.05,
        0,
        1,
        "per month",
        "Share of the gap to the threat-weighted deployment closed each month.",
    )
    threat_weight: float = param(
        3.0, 0, 20, "multiplier", "Weight of armed presence in the target deployment."
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    forces: ForceParams
    donors: DonorParams


def step_forces(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Grow, redeploy, train and equip the units; derive human-rights compliance."""
    p = params.forces
    f = world.forces
    geo = world.geo
    n = geo.n

    # growth and adaptive redeployment (total size is preserved by redeployment)
    f.size *= 1.0 + p.growth_rate
    total = f.size.sum()
    armed = world.armed.fighters.sum(axis=0)
    weight = np.sqrt(geo.population) * (1.0 + p.threat_weight * armed / (armed.sum() + 1.0))
    target_region = total * weight / weight.sum()
    region_size = np.bincount(f.region, weights=f.size, minlength=n)
    factor = 1.0 + p.redeploy_rate * (target_region / np.maximum(region_size, 1e-9) - 1.0)
    f.size *= factor[f.region]

    # training and equipment from donor money (per 1,000 troops)
    per_k = 1000.0 / max(f.size.sum(), 1.0)
    d = params.donors
    f.trained += d.training_effect * world.funds.training * per_k * (1.0 - f.trained)
    f.trained -= p.training_turnover * f.trained
    f.capacity += d.equipment_effect * world.funds.equipment * per_k * (1.0 - f.capacity)
    f.capacity -= p.capacity_decay * f.capacity
    np.clip(f.trained, 0.0, 1.0, out=f.trained)
    np.clip(f.capacity, 0.0, 1.0, out=f.capacity)

    integrated_share = f.integrated / np.maximum(f.size, 1.0)
    partner = 1.0 if world.institutions.partner_present else 0.0
    f.compliance[:] = np.clip(
        p.compliance_base
        + p.compliance_training * f.trained
        - p.integration_penalty * integrated_share
        - p.partner_penalty * partner,
        0.0,
        1.0,
    )
    f.effective_capacity[:] = np.clip(f.capacity + p.partner_capacity_boost * partner, 0.0, 1.0)


def integrate_into_forces(world: World, integrated: np.ndarray) -> None:
    """Add integrated ex-combatants (per group) to the units of each group's main region."""
    f = world.forces
    for g in np.flatnonzero(integrated):
        home = int(np.argmax(world.geo.fighters[g]))
        units = np.flatnonzero(f.region == home)
        add = integrated[g] / len(units)
        f.size[units] += add
        f.integrated[units] += add
