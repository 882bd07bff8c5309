r"""Disarmament, demobilisation and reintegration (DDR) of signatory fighters.

The pipeline, per signatory group g (all flows are binomial draws of whole people, so
the pipeline never creates or loses a person):

    fighters --uptake--> registered --cantonment--> disarmed --processing--> integrated (army)
                                                                     \\--> reintegrated (civilian)
    registered --dropout--> leaves the process (still armed)   (counted as dropped out)
    disarmed --dropout--> fighters                             (counted as back to arms)
    reintegrated --relapse--> fighters                         (counted as back to arms)

Registration does not disarm anyone: registered combatants stay with their movement,
armed and counted among its fighters, until the cantonment sites take them (in Mali,
registration far outran cantonment: 63,000 registered by 2019, 8 of 24 sites working).

    uptake_g   = max_uptake * (0.3 + 0.7 incentive) * (0.3 + 0.7 security_guarantee)
                 * trust * commitment_g                  while DDR is open to g
    cantonment = min(1, cantonment_capacity * funding / registered); the cantoned leave
                 their group's fighters region by region (multivariate hypergeometric)
    processing = processing_rate * (0.3 + 0.7 will) * funding
    dropout    = dropout_rate * (1 - trust)
    relapse    = rearm_rate * (1 + termination_multiplier * terminated) * (1 - opportunity)

Uptake rises with incentives, security guarantees, trust in the process and capacity
(Humphreys & Weinstein 2007). DDR is open to all signatories while the agreement stands
and DDR is launched; after termination only a ``pro_government`` relaunch (press,
2025-02) admits the pro-government coalition; the registered of a group shut out of a
running DDR (the CMA after termination) leave the process and none is cantoned.
Integrated fighters join force units with room (:func:`sim.mechanisms.forces.integrate_into_forces`):
in their region first, then its neighbours; the cantoned keep their region of origin
(``People.in_ddr_gr``), so the region-by-region balance of people holds.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.mechanisms.donors import DonorParams
from sim.mechanisms.forces import ForceParams, integrate_into_forces
from sim.mechanisms.population import add_civilians, fighter_room, take_civilians
from sim.mechanisms.state import StateParams
from sim.paramtools import ParamGroup, param
from sim.world import World


class DDRParams(ParamGroup):
    """The DDR pipeline."""

    active_at_start: bool = param(
        False,
        None,
        None,
        "flag",
        "DDR is open at the start (otherwise a launch_ddr event opens it).",
        "FRS (Fondation pour la recherche stratégique) 2018: DDR launched 2018-11, about three years late",
        init_only=True,
    )
    incentive: float = param(
        0.4, 0, 1, "index", "Attractiveness of the DDR package (cash, jobs, ranks)."
    )
    security_guarantee: float = param(
        0.4,
        0,
        1,
        "index",
        "Credibility of security guarantees for those who disarm.",
        "Humphreys & Weinstein 2007",
    )
    max_uptake: float = param(
        0.228,
        0,
        1,
        "per month",
        "Monthly share of fighters registering at ideal conditions.",
        "calibrated: over 1,300 integrated by accelerated DDR (2018-19), a small share of registered integrated before 2024 (docs/VALIDATION.md)",
    )
    cantonment_capacity: float = param(
        289.0,
        0,
        100000,
        "persons per month",
        "People the cantonment sites can take per month at full funding.",
        "calibrated: accelerated DDR of about 1,500 in 2018-19 with 8 of 24 cantonment sites operational; over 1,300 integrated (docs/VALIDATION.md)",
    )
    processing_rate: float = param(
        0.158,
        0,
        1,
        "per month",
        "Share of the disarmed who leave the camps each month at full will.",
        "calibrated: over 1,300 integrated by accelerated DDR (2018-19), a small share of registered integrated before 2024 (docs/VALIDATION.md)",
    )
    integration_share: float = param(
        0.45,
        0,
        1,
        "share",
        "Share of those processed who join the army (the rest reintegrate).",
        "Government of Mali communiqué, 2022-08: 26,000 integrations agreed",
    )
    dropout_rate: float = param(
        0.03, 0, 1, "per month", "Monthly return to arms of those waiting, at zero trust."
    )
    rearm_rate: float = param(
        0.003, 0, 1, "per month", "Monthly relapse of reintegrated ex-combatants."
    )
    termination_multiplier: float = param(
        4.0, 0, 50, "multiplier", "Extra relapse after the agreement's termination."
    )
    opportunity: float = param(
        0.3, 0, 1, "index", "Economic opportunity for reintegrated ex-combatants."
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    ddr: DDRParams
    state: StateParams
    donors: DonorParams
    forces: ForceParams


def ddr_open(world: World) -> np.ndarray:
    """Which groups may enter DDR this month."""
    inst = world.institutions
    a = world.armed
    if not inst.ddr_active:
        return np.zeros(len(a.signatory), dtype=bool)
    if inst.ddr_scope == "pro_government":
        return a.signatory & a.pro_government
    return a.signatory & inst.agreement_active


def pipeline_people(world: World) -> int:
    """Everyone on the fighters-and-DDR ledger, per group (for conservation checks).

    Registered combatants are still fighters, so they are not counted twice; the
    integrated are counted once placed in a unit.
    """
    ddr = world.ddr
    return int(
        world.armed.fighters.sum()
        + ddr.disarmed.sum()
        + ddr.reintegrated.sum()
        + ddr.cum_integrated.sum()
    )


def step_ddr(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Move signatory fighters through the DDR pipeline, region by region."""
    p = params.ddr
    ddr = world.ddr
    fighters = world.armed.fighters
    trust = world.institutions.trust
    funding = min(1.0, world.funds.ddr / max(params.donors.ddr_need, 1e-9))
    open_ = ddr_open(world)

    # registered combatants are a subset of the group's fighters: losses in combat or to
    # attrition also thin the registered
    np.minimum(ddr.registered, fighters.sum(axis=1), out=ddr.registered)
    uptake = (
        p.max_uptake
        * (0.3 + 0.7 * p.incentive)
        * (0.3 + 0.7 * p.security_guarantee)
        * trust
        * world.armed.commitment
        * open_
    )
    entries = draws.binomial(rng, fighters.sum(axis=1) - ddr.registered, np.clip(uptake, 0.0, 1.0))

    # drop-outs before disarmament: the registered leave the process (still armed); a
    # group shut out of a running DDR (the CMA after termination) leaves it whole
    drop = p.dropout_rate * (1.0 - trust)
    excluded = world.institutions.ddr_active & ~open_
    dropped = np.where(excluded, ddr.registered, draws.binomial(rng, ddr.registered, drop))
    ddr.registered -= dropped
    back = leave_cantonment(world, drop, rng)

    disarmed = canton(world, p.cantonment_capacity * funding, open_, rng)
    ddr.registered += entries
    will = world.institutions.political_will
    proc = p.processing_rate * (0.3 + 0.7 * will) * funding if world.institutions.ddr_active else 0
    integrated, reintegrated = process(world, params, min(proc, 1.0), rng)
    relapse = rearm(world, p, rng)

    ddr.cum_registered += entries
    ddr.cum_disarmed += disarmed
    ddr.cum_integrated += integrated
    ddr.cum_reintegrated += reintegrated
    ddr.cum_dropped += dropped
    ddr.cum_rearmed += back + relapse
    ddr.disarmed = world.people.in_ddr_gr.sum(axis=1)
    ddr.reintegrated = world.people.reintegrated_gr.sum(axis=1)


def to_fighters(world: World, g: int, counts_r: np.ndarray) -> np.ndarray:
    """Add people to group ``g``'s fighters where the region has room; returns those added."""
    added = np.minimum(counts_r, fighter_room(world))
    world.armed.fighters[g] += added
    return added


def leave_cantonment(world: World, drop: float, rng: np.random.Generator) -> np.ndarray:
    """Cantoned drop-outs go back to their group in their region (flow ``ddr_back_to_arms``).

    Returns the people back to arms per group (all of them had disarmed).
    """
    stock = world.people.in_ddr_gr
    back = np.zeros(len(stock), dtype=np.int64)
    for g in np.flatnonzero(stock.sum(axis=1)):
        added = to_fighters(world, g, draws.binomial(rng, stock[g], drop))
        stock[g] -= added
        world.people_flows.ddr_back_to_arms += added
        back[g] = added.sum()
    return back


def canton(
    world: World, capacity: float, open_: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Registered fighters of groups DDR is open to are cantoned and disarmed.

    The sites take at most ``capacity`` a month; the cantoned leave their group's
    fighters region by region (multivariate hypergeometric) for the camps (flow
    ``cantoned``). Returns the disarmed per group.
    """
    ddr = world.ddr
    waiting = ddr.registered[open_].sum()
    canton_p = min(1.0, capacity / waiting) if waiting > 0 and capacity > 0 else 0.0
    disarmed = np.where(open_, draws.binomial(rng, ddr.registered, canton_p), 0)
    ddr.registered -= disarmed
    for g in np.flatnonzero(disarmed):
        taken = rng.multivariate_hypergeometric(world.armed.fighters[g], int(disarmed[g]))
        world.armed.fighters[g] -= taken
        world.people.in_ddr_gr[g] += taken
        world.people_flows.cantoned += taken
    return disarmed


def process(
    world: World, params: Needs, proc: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The cantoned leave the camps: to the army where units have room, or to civilian life.

    Those chosen for the army who find no unit with room stay cantoned. Returns the
    integrated and the reintegrated per group.
    """
    stock = world.people.in_ddr_gr
    flows = world.people_flows
    exits = draws.binomial(rng, stock, proc)
    to_army = draws.binomial(rng, exits, params.ddr.integration_share)
    reint = exits - to_army
    stock -= reint
    world.people.reintegrated_gr += reint
    flows.reintegrated += reint.sum(axis=0)
    add_civilians(world.communities, reint.sum(axis=0), rng)
    integrated = np.zeros(len(stock), dtype=np.int64)
    for g, r in zip(*np.nonzero(to_army), strict=True):
        placed = integrate_into_forces(world, params.forces, int(r), int(to_army[g, r]), rng)
        stock[g, r] -= placed.sum()
        flows.integrated_out[r] += placed.sum()
        flows.integrated_in += placed
        integrated[g] += placed.sum()
    return integrated, reint.sum(axis=1)


def rearm(world: World, p: DDRParams, rng: np.random.Generator) -> np.ndarray:
    """Reintegrated civilians relapse into their group in their region (flow ``relapsed``).

    Returns the relapsed per group.
    """
    terminated = 0.0 if world.institutions.agreement_active else 1.0
    relapse_p = p.rearm_rate * (1.0 + p.termination_multiplier * terminated) * (1.0 - p.opportunity)
    stock = world.people.reintegrated_gr
    relapse = np.zeros(len(stock), dtype=np.int64)
    for g in np.flatnonzero(stock.sum(axis=1)):
        wanted = np.minimum(draws.binomial(rng, stock[g], min(relapse_p, 1.0)), fighter_room(world))
        taken = take_civilians(world.communities, wanted, rng)
        world.armed.fighters[g] += taken
        stock[g] -= taken
        world.people_flows.relapsed += taken
        relapse[g] = taken.sum()
    return relapse
