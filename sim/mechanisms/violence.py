"""Violence: armed-group attacks, state operations, collateral harm and abuses.

Per region r and armed group g (all counts Poisson draws):

    hostility_g   = 1 for jihadist groups, 1 - commitment_g for signatories
    attacks_gr    ~ attack_rate_g * fighters_gr / 1000 * hostility_g * (1 + trafficking_weight * trafficking_r)
    civ. harm (armed groups)_r ~ harm_per_attack * civilian_share_g * attacks_gr * (1 - pk_r)
    pk_r          = peacekeeper_protection * PK_r / (PK_r + peacekeeper_half)
    operations_r  ~ op_rate * troops_r / 1000 * hostile_r / (hostile_r + op_half)
    removed_r     ~ kill_per_op * operations_r * success_r,
    success_r     = capacity_r * (1 - tips_weight + tips_weight * cooperation_r)
    collateral_r  ~ collateral_per_op * operations_r * (1 - compliance_r)
    abuses_r      ~ abuse_rate * troops_r / 1000 * (1 - compliance_r)
                    * (1 - deterrence * detection_r * enforcement) * (threat_floor + threat_r)

Losses (whole people, named flows of :class:`sim.world.PeopleFlows`): the removed are
fighters killed; attacks not aimed at civilians kill force personnel,
``soldiers_killed_r ~ Poisson(soldiers_per_attack * sum_g (1 - civilian_share_g) attacks_gr)``,
taken from the region's units; ``civilian_killed_share`` of the civilians harmed are
killed and leave their communities.

Peacekeepers reduce only the armed groups' harm to civilians, not abuses by the state
(Hultman, Kathman & Shannon 2013; Fjelde, Hultman & Nilsson 2019). Collateral harm and
abuses feed community anger and recruitment (Condra & Shapiro 2012; Bennett 2008) in
:mod:`trust` and :mod:`recruitment`.

Control is contested territory, a stock that moves toward a target each month
(:func:`control_target`): the state's share of armed strength, cut by the attacks its
troops suffer, by the civilians they harm, and by the share of the population that does not answer to the state
(does not cooperate with the forces; Kalyvas 2006: control is whom the population
answers to). More troops alone do not buy
control while attacks mount and the population turns away; the record reads "despite
Russian paramilitary support, Mali's army is struggling" (ISS, "Civil society needs a
role in Mali's security reforms", 2024).

    target_r  = S_r / (S_r + hostile_r + 1)
                * exp(-(attack_pressure * attacks_r + harm_pressure * forces' harm_r) / (troops_r/1000 + 1))
                * (1 - allegiance_weight * (1 - cooperation_r)),     S_r = troops_r * capacity_r
    control_r += control_adjustment * (target_r - control_r)
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.mechanisms.population import remove_personnel_by_region, take_civilians
from sim.paramtools import ParamGroup, param
from sim.world import World


class ViolenceParams(ParamGroup):
    """Attacks, operations, abuses and protection."""

    jihadist_attack_rate: float = param(
        3.584,
        0,
        100,
        "attacks per 1,000 fighters per month",
        "Attack rate of jihadist groups.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.87 of the prior's)",
    )
    signatory_attack_rate: float = param(
        2.205,
        0,
        100,
        "attacks per 1,000 fighters per month",
        "Attack rate of signatory groups at zero commitment to the agreement.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.96 of the prior's)",
    )
    jihadist_civilian_share: float = param(
        0.45,
        0,
        1,
        "share",
        "Share of jihadist attacks that target civilians.",
        "ACLED, civilian victims by perpetrator, 2022-01 to 2023-07: jihadists about 45%",
    )
    signatory_civilian_share: float = param(
        0.2, 0, 1, "share", "Share of signatory attacks that target civilians."
    )
    harm_per_attack: float = param(
        4.016,
        0,
        50,
        "persons per attack",
        "Civilians killed or injured per attack on civilians.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.98 of the prior's)",
    )
    trafficking_weight: float = param(
        0.05,
        0,
        5,
        "multiplier",
        "Extra attack intensity from trafficking rents in a region.",
        "assumption: value from the 2025 calibration, but halving or doubling it moves "
        "none of its targets (the north/centre balance of incidents) beyond the spread "
        "between replicates (tests/test_calibrated_params.py), so the record does not pin "
        "it",
    )
    peacekeeper_protection: float = param(
        0.6336,
        0,
        1,
        "share",
        "Largest cut of armed-group harm to civilians by peacekeepers.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.85 of the prior's)",
    )
    peacekeeper_half: float = param(
        1500, 1, 100000, "persons", "Peacekeepers in a region giving half the largest protection."
    )
    op_rate: float = param(
        1.519,
        0,
        100,
        "operations per 1,000 troops per month",
        "Operations where armed groups are present.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.94 of the prior's)",
    )
    op_half: float = param(
        300, 1, 100000, "fighters", "Hostile fighters at which operations run at half rate."
    )
    kill_per_op: float = param(
        2.5,
        0,
        50,
        "fighters per operation",
        "Fighters killed or captured by a fully successful operation.",
    )
    tips_weight: float = param(
        0.5,
        0,
        1,
        "share",
        "Share of operational success that depends on community tips (cooperation).",
        "assumption after Epstein 2002 (tips from a cooperating population)",
    )
    collateral_per_op: float = param(
        1.5,
        0,
        50,
        "persons per operation",
        "Civilians harmed per operation by a unit with zero compliance.",
        "Condra & Shapiro 2012; Bennett 2008",
    )
    abuse_rate: float = param(
        1.256,
        0,
        100,
        "abuses per 1,000 troops per month",
        "Abuses by a unit with zero compliance, no deterrence and full threat.",
        "calibrated: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md)",
    )
    harm_per_abuse: float = param(
        1.5, 0, 50, "persons per abuse", "Civilians harmed per abuse event."
    )
    abuse_deterrence: float = param(
        0.8, 0, 1, "share", "Largest cut of abuses when detection and enforcement are certain."
    )
    threat_floor: float = param(
        0.2, 0, 1, "index", "Abuse propensity where no armed group is present."
    )
    soldiers_per_attack: float = param(
        0.6,
        0,
        20,
        "persons per attack",
        "Force personnel killed per armed-group attack not aimed at civilians.",
        "assumption",
    )
    civilian_killed_share: float = param(
        0.6,
        0,
        1,
        "share",
        "Share of civilians harmed (killed or injured) who are killed.",
        "assumption",
    )
    control_adjustment: float = param(
        0.1,
        0,
        1,
        "per month",
        "Share of the gap to the contested-territory target closed each month "
        "(territory changes hands over months).",
        "assumption",
    )
    attack_pressure: float = param(
        0.05,
        0,
        5,
        "per attack per 1,000 troops",
        "Control lost to armed-group attacks relative to the troops holding the region: "
        "the target is multiplied by exp(-attack_pressure * attacks per 1,000 troops).",
        "assumption: direction from the record (control not rising 2015-2024 while the "
        "army struggles: ISS, 'Civil society needs a role in Mali's security reforms', "
        "2024); halving or doubling it moves control 2024 vs 2015 less than the spread "
        "between replicates, so the record does not pin its size",
    )
    harm_pressure: float = param(
        0.1,
        0,
        5,
        "per person harmed per 1,000 troops",
        "Control lost as the forces harm civilians (abuses and collateral harm drive the "
        "population away): the target is multiplied by exp(-harm_pressure * civilians "
        "harmed by the forces per 1,000 troops).",
        "assumption; direction from Lyall, Blair & Imai 2013 and Condra & Shapiro 2012",
    )
    allegiance_weight: float = param(
        0.2,
        0,
        1,
        "share",
        "Control lost where the population does not answer to the state (it does not "
        "cooperate with the forces; armed groups tax and recruit it): the target is "
        "multiplied by 1 - allegiance_weight * (1 - cooperation share).",
        "assumption after Kalyvas 2006 (control as whom the population answers to)",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    violence: ViolenceParams


def hostility(world: World) -> np.ndarray:
    """Hostility of each group toward the state (1 = at war)."""
    a = world.armed
    return np.where(a.signatory, 1.0 - a.commitment, 1.0)


def peacekeeper_cut(world: World, p: ViolenceParams) -> np.ndarray:
    """Share of non-state harm to civilians prevented by peacekeepers, per region."""
    pk = world.mission.deployed_r + world.policy.peacekeepers_r
    return p.peacekeeper_protection * pk / (pk + p.peacekeeper_half)


def control_target(
    world: World, p: ViolenceParams, strength: np.ndarray, hostile: np.ndarray
) -> np.ndarray:
    """Contested-territory control the state tends to in each region (0-1).

    The state's share of armed strength (troops times capacity against hostile
    fighters), cut by the attacks its troops suffer and the civilians they harm (per
    1,000 troops) and by the share
    of the population that does not answer to the state (does not cooperate with the
    forces: armed groups tax and recruit it, or it keeps its distance after abuses).
    """
    flows = world.flows
    presence = strength / (strength + hostile + 1.0)
    per_k = 1.0 / (flows.troops_r / 1000.0 + 1.0)
    pressure = np.exp(
        -(p.attack_pressure * flows.attacks_r + p.harm_pressure * flows.civ_harm_forces_r) * per_k
    )
    allegiance = 1.0 - p.allegiance_weight * (1.0 - flows.cooperation_r)
    return np.clip(presence * pressure * allegiance, 0.0, 1.0)


def initial_control(world: World) -> np.ndarray:
    """Control at the start: the state's share of armed strength (no attacks yet)."""
    f = world.forces
    n = world.geo.n
    strength = np.bincount(f.region, weights=f.size * f.effective_capacity, minlength=n)
    hostile = (hostility(world)[:, None] * world.armed.fighters).sum(axis=0)
    return strength / (strength + hostile + 1.0)


def update_control(world: World, p: ViolenceParams, target: np.ndarray) -> None:
    """Move control toward its target (territory changes hands over months)."""
    flows = world.flows
    flows.control_r = flows.control_r + p.control_adjustment * (target - flows.control_r)


def step_violence(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Draw this month's attacks, operations, collateral harm and abuses."""
    p = params.violence
    geo = world.geo
    f = world.forces
    a = world.armed
    inst = world.institutions
    n = geo.n
    fighters = a.fighters.astype(float)
    host = hostility(world)

    # armed-group attacks
    rate = np.where(a.signatory, p.signatory_attack_rate, p.jihadist_attack_rate) * host
    traffic = 1.0 + p.trafficking_weight * geo.trafficking
    attack_mean = rate[:, None] * fighters / 1000.0 * traffic[None, :]
    attacks = draws.poisson(rng, attack_mean)
    civ_share = np.where(a.signatory, p.signatory_civilian_share, p.jihadist_civilian_share)
    pk_cut = peacekeeper_cut(world, p)
    armed_harm_mean = p.harm_per_attack * (civ_share[:, None] * attacks).sum(axis=0) * (1 - pk_cut)
    civ_harm_armed = draws.poisson(rng, armed_harm_mean)

    # state operations
    troops = np.bincount(f.region, weights=f.size, minlength=n)
    tw = np.maximum(troops, 1e-9)
    capacity = np.bincount(f.region, weights=f.size * f.effective_capacity, minlength=n) / tw
    compliance = np.bincount(f.region, weights=f.size * f.compliance, minlength=n) / tw
    hostile = (host[:, None] * fighters).sum(axis=0)
    ops = draws.poisson(rng, p.op_rate * troops / 1000.0 * hostile / (hostile + p.op_half))
    success = capacity * (1.0 - p.tips_weight + p.tips_weight * world.flows.cooperation_r)
    removed_total = np.minimum(
        draws.poisson(rng, p.kill_per_op * ops * success), hostile.astype(int)
    )
    # removals split across hostile groups in proportion to hostile fighters
    share = host[:, None] * fighters / np.maximum(hostile, 1e-9)[None, :]
    removed = np.minimum(np.floor(share * removed_total[None, :]).astype(np.int64), a.fighters)
    a.fighters -= removed
    world.people_flows.fighters_killed = removed.sum(axis=0)
    soldiers_lost(world, p, ((1.0 - civ_share)[:, None] * attacks).sum(axis=0), rng)

    collateral = draws.poisson(rng, p.collateral_per_op * ops * (1.0 - compliance))
    threat = hostile / (hostile + troops + 1.0)
    deter = 1.0 - p.abuse_deterrence * inst.detection * inst.enforcement
    abuses = draws.poisson(
        rng, p.abuse_rate * troops / 1000.0 * (1.0 - compliance) * deter * (p.threat_floor + threat)
    )
    civ_harm_forces = collateral + draws.poisson(rng, p.harm_per_abuse * abuses)
    civilians_lost(world, p, civ_harm_armed + civ_harm_forces, rng)

    flows = world.flows
    flows.fighters_removed = int(removed.sum())
    flows.attacks_r = attacks.sum(axis=0)
    flows.operations_r = ops
    flows.abuses_r = abuses
    flows.collateral_r = collateral
    flows.civ_harm_armed_r = civ_harm_armed
    flows.civ_harm_forces_r = civ_harm_forces
    flows.incidents_r = flows.attacks_r + ops + abuses
    flows.troops_r = troops
    update_control(world, p, control_target(world, p, troops * capacity, hostile))


def soldiers_lost(
    world: World, p: ViolenceParams, military_attacks_r: np.ndarray, rng: np.random.Generator
) -> None:
    """Force personnel killed in attacks on them leave their units (flow ``soldiers_killed``)."""
    f = world.forces
    mean = p.soldiers_per_attack * military_attacks_r
    killed, _ = remove_personnel_by_region(f, draws.poisson(rng, mean), rng)
    world.people_flows.soldiers_killed = killed
    world.people.dead_r += killed + world.people_flows.fighters_killed


def civilians_lost(
    world: World, p: ViolenceParams, harmed_r: np.ndarray, rng: np.random.Generator
) -> None:
    """The killed among civilians harmed leave their communities (flow ``civilians_killed``)."""
    killed = draws.binomial(rng, harmed_r.astype(np.int64), p.civilian_killed_share)
    taken = take_civilians(world.communities, killed, rng)
    world.people_flows.civilians_killed = taken
    world.people.dead_r += taken
