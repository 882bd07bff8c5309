"""Security force units: size, deployment, capacity, training and human-rights compliance.

Units (army, gendarmerie, police; several per region) hire civilians up to what the
personnel budget affords (it grows by ``budget_growth`` a month; the dead are replaced
within it), adapt their deployment toward threatened regions (whole persons move, the
integrated ex-combatants with them), gain capacity from equipment and human-
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
from sim.mechanisms.population import (
    add_personnel,
    remove_personnel_by_region,
    take_civilians,
    unit_bounds,
)
from sim.paramtools import ParamGroup, param
from sim.world import Forces, World


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
    personnel_budget: float = param(
        15.0,
        0,
        500,
        "million USD per month",
        "Personnel budget of the forces at the start (pays the troops it can afford).",
        "assumption: order of magnitude of SIPRI's military expenditure for Mali "
        "(several hundred million USD a year in 2015), personnel about half",
        init_only=True,
    )
    budget_growth: float = param(
        0.0085,
        0,
        0.05,
        "per month",
        "Monthly growth of the personnel budget (troops follow what the budget affords).",
        "calibrated: troops from about 15,000 in 2015 to 35-40,000 in 2024, press reports (approximate)",
    )
    cost_per_soldier: float = param(
        1.0,
        0.05,
        20,
        "thousand USD per soldier per month",
        "Pay and upkeep of one member of the forces.",
        "assumption",
    )
    hiring_rate: float = param(
        0.03,
        0,
        0.5,
        "per month",
        "Largest monthly intake as a share of current personnel.",
        "assumption",
    )
    integration_ceiling: float = param(
        0.25,
        0,
        1,
        "share",
        "Largest share of a unit's personnel that integrated ex-combatants may fill.",
        "assumption (mixed units; Humphreys & Weinstein 2007 on unit cohesion)",
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
        "assumption: halving or doubling it moves no historical target beyond the spread "
        "between replicates, so the record does not pin it; sweep it",
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
    """Enlist, redeploy, train and equip the units; derive human-rights compliance."""
    p = params.forces
    enlist(world, p, rng)
    redeploy(world, p, rng)
    train_and_equip(world, params)
    update_compliance(world, p)


def enlist(world: World, p: ForceParams, rng: np.random.Generator) -> None:
    """Hire civilians up to what the personnel budget affords (at most ``hiring_rate``).

    Recruits come from every region in proportion to its civilians and join that
    region's units (redeployment moves them later): flow ``enlisted``.
    """
    f = world.forces
    c = world.communities
    world.people.budget *= 1.0 + p.budget_growth
    affordable = world.people.budget * 1000.0 / p.cost_per_soldier
    size = float(f.size.sum())
    hires = int(max(0.0, min(affordable - size, p.hiring_rate * size)))
    civilians = np.maximum(c.people_r, 0.0)
    if hires == 0 or civilians.sum() <= 0:
        return
    wanted = rng.multinomial(hires, civilians / civilians.sum())
    taken = take_civilians(c, wanted, rng)
    add_personnel(f, taken, rng)
    world.people_flows.enlisted = taken


def redeploy(world: World, p: ForceParams, rng: np.random.Generator) -> None:
    """Move personnel toward threatened, populous regions; integrated move with the people.

    Each region closes ``redeploy_rate`` of its gap to the threat-weighted target; whole
    persons leave regions above target (flow ``forces_out``) and the same number arrive
    in regions below it (``forces_in``), the integrated among them in proportion.
    """
    f = world.forces
    geo = world.geo
    n = geo.n
    region_size = np.bincount(f.region, weights=f.size, minlength=n)
    armed = world.armed.fighters.sum(axis=0)
    weight = np.sqrt(geo.population) * (1.0 + p.threat_weight * armed / (armed.sum() + 1.0))
    gap = p.redeploy_rate * (region_size.sum() * weight / weight.sum() - region_size)
    leave = np.floor(np.clip(-gap, 0.0, region_size)).astype(np.int64)
    moved = int(leave.sum())
    if moved == 0 or not (gap > 0).any():
        return
    _, out_integrated_r = remove_personnel_by_region(f, leave, rng)
    arrive = largest_remainder_counts(np.clip(gap, 0.0, None), moved)
    integrated_r = rng.multivariate_hypergeometric(arrive, int(out_integrated_r.sum()))
    add_personnel(f, arrive, rng)
    bounds = unit_bounds(f, n)
    for r in np.flatnonzero(integrated_r):
        place_integrated(f, np.arange(bounds[r], bounds[r + 1]), int(integrated_r[r]))
    world.people_flows.forces_out = leave
    world.people_flows.forces_in = arrive


def largest_remainder_counts(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole counts proportional to ``weights`` summing to ``total``."""
    share = weights / weights.sum() * total
    counts = np.floor(share).astype(np.int64)
    left = total - int(counts.sum())
    counts[np.argsort(-(share - counts), kind="stable")[:left]] += 1
    return counts


def place_integrated(f: Forces, units: np.ndarray, k: int) -> None:
    """Mark ``k`` arriving people of ``units`` as integrated, where the units have room."""
    for u in units[np.argsort(f.integrated[units] / np.maximum(f.size[units], 1.0))]:
        room = int(f.size[u] - f.integrated[u])
        take = min(room, k)
        f.integrated[u] += take
        k -= take
        if k == 0:
            return


def train_and_equip(world: World, params: Needs) -> None:
    """Training and equipment from donor money (per 1,000 troops), minus turnover and decay."""
    p = params.forces
    f = world.forces
    # training and equipment from donor money (per 1,000 troops)
    per_k = 1000.0 / max(f.size.sum(), 1.0)
    d = params.donors
    extra = d.training_effect * world.policy.training_r[f.region]  # policy levers
    f.trained += (d.training_effect * world.funds.training * per_k + extra) * (1.0 - f.trained)
    f.trained -= p.training_turnover * f.trained
    f.capacity += d.equipment_effect * world.funds.equipment * per_k * (1.0 - f.capacity)
    f.capacity -= p.capacity_decay * f.capacity
    np.clip(f.trained, 0.0, 1.0, out=f.trained)
    np.clip(f.capacity, 0.0, 1.0, out=f.capacity)


def update_compliance(world: World, p: ForceParams) -> None:
    """Compliance and effective capacity of each unit this month."""
    f = world.forces
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


def integration_room(f: Forces, ceiling: float) -> np.ndarray:
    """Integrated ex-combatants each unit can still take (``ceiling`` of its personnel)."""
    return np.maximum(np.floor(ceiling * f.size) - f.integrated, 0.0).astype(np.int64)


def integrate_into_forces(
    world: World, p: ForceParams, origin: int, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Place up to ``k`` ex-combatants from region ``origin`` in units with room.

    Units of the region come first, then those of neighbouring regions, then any; a
    unit takes no more than its room (:func:`integration_room`). Returns the people
    placed per region (flow ``integrated_in``); those without a place stay cantoned.
    """
    f = world.forces
    geo = world.geo
    placed = np.zeros(geo.n, dtype=np.int64)
    ring = geo.adjacency[origin] > 0
    # the units of the region, of its neighbours, of any region (in row order)
    for in_reach in (f.region == origin, ring[f.region], None):
        units = np.arange(len(f.region)) if in_reach is None else np.flatnonzero(in_reach)
        room = integration_room(f, p.integration_ceiling)[units]
        take = min(k, int(room.sum()))
        if take == 0:
            continue
        add = rng.multivariate_hypergeometric(room, take)
        f.size[units] += add
        f.integrated[units] += add
        placed += np.bincount(f.region[units], weights=add, minlength=geo.n).astype(np.int64)
        k -= take
        if k == 0:
            break
    return placed
