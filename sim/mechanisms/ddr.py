r"""Disarmament, demobilisation and reintegration (DDR) of signatory fighters.

The pipeline, per signatory group g (all flows are binomial draws of whole people, so
the pipeline never creates or loses a person):

    fighters --uptake--> registered --cantonment--> disarmed --processing--> integrated (army)
                                                                     \\--> reintegrated (civilian)
    registered --dropout--> leaves the process (still armed)   (counted as re-armed)
    disarmed --dropout--> fighters                             (counted as re-armed)
    reintegrated --relapse--> fighters                         (counted as re-armed)

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
2025-02) admits the pro-government coalition. Integrated fighters join the force units
of their group's main region.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.donors import DonorParams
from sim.mechanisms.forces import integrate_into_forces
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
    """Everyone on the fighters-and-DDR ledger (for conservation checks).

    Registered combatants are still fighters, so they are not counted twice.
    """
    ddr = world.ddr
    return int(
        world.armed.fighters.sum()
        + ddr.disarmed.sum()
        + ddr.reintegrated.sum()
        + ddr.cum_integrated.sum()
    )


def step_ddr(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Move signatory fighters through the DDR pipeline."""
    p = params.ddr
    ddr = world.ddr
    fighters = world.armed.fighters
    active = world.institutions.ddr_active
    trust = world.institutions.trust
    funding = min(1.0, world.funds.ddr / max(params.donors.ddr_need, 1e-9))

    # registered combatants are a subset of the group's fighters: losses in combat or to
    # attrition also thin the registered
    np.minimum(ddr.registered, fighters.sum(axis=1), out=ddr.registered)

    # entries: unregistered fighters -> registered (they keep their arms)
    uptake = (
        p.max_uptake
        * (0.3 + 0.7 * p.incentive)
        * (0.3 + 0.7 * p.security_guarantee)
        * trust
        * world.armed.commitment
        * ddr_open(world)
    )
    unregistered = fighters.sum(axis=1) - ddr.registered
    entries = rng.binomial(unregistered, np.clip(uptake, 0.0, 1.0))

    # dropouts from the waiting stocks, before moving on
    drop = p.dropout_rate * (1.0 - trust)
    drop_reg = rng.binomial(ddr.registered, drop)
    drop_dis = rng.binomial(ddr.disarmed, drop)
    ddr.registered -= drop_reg
    ddr.disarmed -= drop_dis

    # registered -> disarmed, limited by cantonment capacity
    waiting = ddr.registered.sum()
    cap = p.cantonment_capacity * funding if active else 0.0
    canton_p = min(1.0, cap / waiting) if waiting > 0 else 0.0
    disarmed = rng.binomial(ddr.registered, canton_p)
    ddr.registered -= disarmed
    ddr.registered += entries
    ddr.disarmed += disarmed
    for g in np.flatnonzero(disarmed):
        fighters[g] -= rng.multivariate_hypergeometric(fighters[g], int(disarmed[g]))

    # disarmed -> integrated or reintegrated
    will = world.institutions.political_will
    proc = p.processing_rate * (0.3 + 0.7 * will) * funding if active else 0.0
    exits = rng.binomial(ddr.disarmed, min(proc, 1.0))
    integrated = rng.binomial(exits, p.integration_share)
    reintegrated = exits - integrated
    ddr.disarmed -= exits
    ddr.reintegrated += reintegrated
    relapse = rearm(world, p, drop_dis, rng)

    ddr.cum_registered += entries
    ddr.cum_disarmed += disarmed
    ddr.cum_integrated += integrated
    ddr.cum_reintegrated += reintegrated
    ddr.cum_rearmed += drop_reg + drop_dis + relapse
    if integrated.sum() > 0:
        integrate_into_forces(world, integrated)


def rearm(world: World, p: DDRParams, drop_dis: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Relapse of reintegrated civilians; relapsed and disarmed drop-outs rejoin their group.

    The registered who drop out never laid down their arms, so only ``drop_dis`` and the
    relapsed return to the fighters (in their group's home regions). Returns the relapsed.
    """
    ddr = world.ddr
    terminated = 0.0 if world.institutions.agreement_active else 1.0
    relapse_p = p.rearm_rate * (1.0 + p.termination_multiplier * terminated) * (1.0 - p.opportunity)
    relapse = rng.binomial(ddr.reintegrated, min(relapse_p, 1.0))
    ddr.reintegrated -= relapse
    rearmed = drop_dis + relapse
    for g in np.flatnonzero(rearmed):
        home = world.geo.fighters[g]
        world.armed.fighters[g] += rng.multinomial(int(rearmed[g]), home / home.sum())
    return relapse
