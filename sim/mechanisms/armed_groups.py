"""Armed groups: commitment to the agreement, resources, expansion, attrition, defections.

Signatory groups' commitment to the 2015 agreement recovers toward
``initial_commitment`` while the agreement stands; termination drops it to
``commitment_after_termination`` (the pro-government coalition keeps
``pro_government_commitment``) and moves ``defection_share`` of the CMA's fighters to
the jihadists. Jihadist fighters spread each month toward neighbouring regions that
offer more opportunity (grievance times lack of state control): the shift of violence
from the north to the centre after about 2017 (ECHO: about 70% of civilian deaths in Mopti and Ségou in 2020) emerges from
this rule, not from a script.

Resources (taxation of the population outside state control and trafficking rents) set
how many fighters a group can feed and arm (its capacity); recruits beyond it are turned
away (:mod:`sim.mechanisms.recruitment`), so mobilisation saturates instead of running
away:

    capacity_g = sum_r share_gr * hold_r * (taxation_capacity * pop_r / 1000 * reach_r
                                            + trafficking_capacity * trafficking_r * rents_r)
                 + sum_r share_gr * arms_diversion * troops_r / 1000 * corruption_r
    reach_r    = support_r + (1 - support_r) * (1 - control_r)
    hold_r     = F_r / (F_r + hold_half)          F_r: all groups' fighters in region r
                 (1 for the signatory coalitions, rooted in their clans)
    people_r   = pop_r / (pop_r + people_half)      (people to tax and recruit)
    rents_r    = pop_r / (pop_r + rents_half)       (routes pay where towns and markets are)

A handful of fighters cannot tax a whole region: the share of a region's resources the
groups hold grows with their fighters there (``hold_r``). Weapons and ammunition
diverted from corrupt units arm the groups of the region.

Groups draw on the communities that support them everywhere, and tax the others where
the state lacks control; so anger at the state (collateral harm, abuses) widens the base
that feeds fighters (Condra & Shapiro 2012).
    share_gr   = fighters_gr / sum_g fighters_gr

    opportunity_gr = grievance_r * (1 - control_r) * people_r * (1 + history_weight * home_gr)
                     / (1 + F_r / hold_half)        (crowded regions offer each fighter less)
    movers_gr      ~ Binomial(fighters_gr, spread_rate * max(0, max_nbr opportunity_g - opportunity_gr))
    destination    ~ Multinomial over neighbouring regions, proportional to their opportunity

Groups move only across shared borders, toward people to tax and recruit (a region of
40,000 people in the desert cannot feed thousands of fighters) and toward the regions
where they have a history (``home_gr``: the group's share of its 2015 fighters in
region r; Katiba Macina in Mopti and Ségou, ISGS in Ménaka and Gao).

A region takes no more arrivals than its military-age men not under arms
(:func:`sim.mechanisms.population.fighter_room`). Fighters who leave their group
(``attrition``) return to their region's communities. Rival groups clash where both are
present: the CMA and the Platform at ``signatory_clash_rate`` scaled by their lack of
commitment (they fought in Kidal region in 2016-2017), JNIM and ISGS at
``jihadist_clash_rate`` while their rivalry is on (from 2020, ACLED); the killed are the
flow ``rivals_killed``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.mechanisms.population import add_civilians, fighter_room
from sim.paramtools import ParamGroup, param
from sim.world import World


class ArmedGroupParams(ParamGroup):
    """Armed groups."""

    fighters_scale: float = param(
        1.0,
        0,
        10,
        "multiplier",
        "Scales the 2015 fighters (CMA 8,000, Platform 5,500, JNIM 2,350, ISGS 500).",
        "assumption; the DDR commission's 63,000 registered by 2019 (press briefing) include non-combatants",
        init_only=True,
    )
    initial_commitment: float = param(
        0.8, 0, 1, "index", "Commitment of signatory groups to the agreement while it stands."
    )
    commitment_recovery: float = param(
        0.05, 0, 1, "per month", "Pull of commitment toward its level under the current regime."
    )
    commitment_after_termination: float = param(
        0.1, 0, 1, "index", "Commitment of the CMA after the agreement's termination."
    )
    pro_government_commitment: float = param(
        0.9, 0, 1, "index", "Commitment of the pro-government coalition after termination."
    )
    defection_share: float = param(
        0.1, 0, 1, "share", "Share of the CMA's fighters who join jihadist groups at termination."
    )
    spread_rate: float = param(
        0.6199,
        0,
        1,
        "per month per unit opportunity gap",
        "Jihadist mobility toward regions offering more opportunity.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.97 of the prior's)",
    )
    taxation_capacity: float = param(
        2.397,
        0,
        50,
        "fighters per 1,000 people",
        "Fighters a group can sustain per 1,000 people it reaches: its supporters, and the "
        "others where the state lacks control.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.84 of the prior's)",
    )
    trafficking_capacity: float = param(
        1793.0,
        0,
        20000,
        "fighters per unit exposure",
        "Fighters a region's trafficking rents can sustain at full exposure.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.96 of the prior's)",
    )
    people_half: float = param(
        300000,
        1000,
        1e7,
        "persons",
        "Population at which a region offers half the largest opportunity to tax and recruit.",
        "assumption: armed groups live off people and trade (regions of tens of thousands "
        "cannot sustain thousands of fighters)",
    )
    rents_half: float = param(
        20000,
        1000,
        1e7,
        "persons",
        "Population at which a region's routes yield half their largest rents (towns and "
        "markets on the route; a desert region of 40,000 people yields less).",
        "assumption",
    )
    hold_half: float = param(
        1000.0,
        1,
        100000,
        "fighters",
        "Fighters in a region at which the groups hold half its taxable resources.",
        "assumption",
    )
    history_weight: float = param(
        4.0,
        0,
        20,
        "multiplier",
        "Extra pull of the regions where a group had its 2015 fighters.",
        "assumption",
    )
    arms_diversion: float = param(
        60.0,
        0,
        1000,
        "fighters per 1,000 troops",
        "Fighters armed by weapons diverted from fully corrupt units.",
        "assumption (arms from state stocks reaching armed groups in the Sahel: Conflict "
        "Armament Research reports)",
    )
    attrition: float = param(
        0.004,
        0,
        1,
        "per month",
        "Monthly share of fighters who leave their group for civilian life (desertion, age).",
    )
    signatory_clash_rate: float = param(
        2.0,
        0,
        50,
        "clashes per 1,000 fighters per month",
        "Clashes between the CMA and the Platform where both are present, at no commitment "
        "to the agreement (scaled by 1 - the product of their commitments).",
        "assumption; direction from ACLED and UN reporting on CMA-GATIA fighting in Kidal "
        "region, 2016-2017",
    )
    jihadist_clash_rate: float = param(
        2.0,
        0,
        50,
        "clashes per 1,000 fighters per month",
        "Clashes between JNIM and ISGS where both are present, while their rivalry is on "
        "(event jihadist_rivalry).",
        "assumption; direction from ACLED: JNIM and ISGS fighting each other in central "
        "Mali and the Liptako-Gourma from 2020",
    )
    killed_per_clash: float = param(
        3.0, 0, 100, "persons per clash", "Fighters killed per clash between rivals.", "assumption"
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    armed: ArmedGroupParams


def commitment_target(world: World, p: ArmedGroupParams) -> np.ndarray:
    """Commitment each group drifts toward under the current agreement status."""
    a = world.armed
    if world.institutions.agreement_active:
        return np.where(a.signatory, p.initial_commitment, 0.0)
    return np.where(
        a.pro_government,
        p.pro_government_commitment,
        np.where(a.signatory, p.commitment_after_termination, 0.0),
    )


def people_weight(world: World, half: float) -> np.ndarray:
    """How much a region's people offer a group, 0-1 per region (``half`` gives 0.5)."""
    pop = world.geo.population
    return pop / (pop + half)


def diverted_arms(world: World, p: ArmedGroupParams) -> np.ndarray:
    """Fighters armed by weapons diverted from corrupt units, per region."""
    f = world.forces
    n = world.geo.n
    return (
        p.arms_diversion
        * np.bincount(f.region, weights=f.size * f.corruption, minlength=n)
        / 1000.0
    )


def group_capacity(world: World, p: ArmedGroupParams) -> np.ndarray:
    """Fighters each group's resources can sustain (taxation, route rents, diverted arms)."""
    geo = world.geo
    flows = world.flows
    fighters = world.armed.fighters.astype(float)
    total = fighters.sum(axis=0)
    share = np.divide(fighters, total, out=np.zeros_like(fighters), where=total > 0)
    reach = flows.support_r + (1.0 - flows.support_r) * (1.0 - flows.control_r)
    base = (
        p.taxation_capacity * geo.population / 1000.0 * reach
        + p.trafficking_capacity * geo.trafficking * people_weight(world, p.rents_half)
    )
    # the signatory coalitions are rooted in their clans: they hold their home ground
    hold = np.where(world.armed.signatory[:, None], 1.0, (total / (total + p.hold_half))[None, :])
    return (share * hold) @ base + share @ diverted_arms(world, p)


def spread(world: World, p: ArmedGroupParams, rng: np.random.Generator) -> None:
    """Jihadist fighters move across borders toward people, weak control and their history."""
    geo = world.geo
    a = world.armed
    crowding = 1.0 + a.fighters.sum(axis=0) / p.hold_half
    base = (
        world.flows.grievance_r
        * (1.0 - world.flows.control_r)
        * people_weight(world, p.people_half)
        / crowding
    )
    home = geo.fighters / np.maximum(geo.fighters.sum(axis=1, keepdims=True), 1.0)
    for g in np.flatnonzero(~a.signatory):
        opportunity = base * (1.0 + p.history_weight * home[g])
        nbr_opp = geo.adjacency * opportunity[None, :]
        gap = np.maximum(nbr_opp.max(axis=1) - opportunity, 0.0)
        has_nbr = nbr_opp.sum(axis=1) > 0
        pvals = np.where(
            has_nbr[:, None], nbr_opp / np.where(has_nbr, nbr_opp.sum(axis=1), 1)[:, None], 0
        )
        pvals[~has_nbr] = np.eye(geo.n)[~has_nbr]
        movers = draws.binomial(rng, a.fighters[g], np.clip(p.spread_rate * gap, 0.0, 1.0))
        move_fighters(world, g, rng.multinomial(movers, pvals), rng)


def step_armed_groups(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Commitment drift, jihadist spread and attrition."""
    p = params.armed
    a = world.armed
    a.commitment += p.commitment_recovery * (commitment_target(world, p) - a.commitment)
    spread(world, p, rng)
    leaving = draws.binomial(rng, a.fighters, p.attrition)
    a.fighters -= leaving
    world.people_flows.fighters_left = leaving.sum(axis=0)
    add_civilians(world.communities, leaving.sum(axis=0), rng)
    rival_clashes(world, p, rng)


def move_fighters(world: World, g: int, routes: np.ndarray, rng: np.random.Generator) -> None:
    """Move group ``g``'s fighters along ``routes`` (from region, to region).

    A region takes no more arrivals than its military-age men not under arms
    (:func:`sim.mechanisms.population.fighter_room`); the others stay where they are.
    Flows ``fighters_out`` and ``fighters_in``.
    """
    routes = routes * (1 - np.eye(len(routes), dtype=routes.dtype))  # staying is no move
    room = fighter_room(world)
    for r in np.flatnonzero(routes.sum(axis=0) > room):
        routes[:, r] = rng.multivariate_hypergeometric(routes[:, r], int(room[r]))
    out, arrive = routes.sum(axis=1), routes.sum(axis=0)
    world.armed.fighters[g] += arrive - out
    world.people_flows.fighters_out += out
    world.people_flows.fighters_in += arrive


def rivalry(world: World, p: ArmedGroupParams) -> list[tuple[int, int, float]]:
    """Rival pairs (group, group, clashes per 1,000 fighters per month) this month."""
    a = world.armed
    sig = np.flatnonzero(a.signatory)
    jih = np.flatnonzero(~a.signatory)
    pairs = []
    if len(sig) == 2:
        trust = a.commitment[sig[0]] * a.commitment[sig[1]]
        pairs.append((int(sig[0]), int(sig[1]), p.signatory_clash_rate * (1.0 - trust)))
    if len(jih) == 2 and a.jihadist_rivalry:
        pairs.append((int(jih[0]), int(jih[1]), p.jihadist_clash_rate))
    return pairs


def rival_clashes(world: World, p: ArmedGroupParams, rng: np.random.Generator) -> None:
    """Clashes between rival groups where both are present; the killed are fighters of both.

    clashes_r ~ Poisson(rate * min(fighters_ir, fighters_jr) / 1000); killed ~
    Poisson(killed_per_clash * clashes_r), split in proportion to the two groups' fighters
    (flows ``clashes`` and ``rivals_killed``).
    """
    a = world.armed
    flows = world.people_flows
    for i, j, rate in rivalry(world, p):
        both = np.minimum(a.fighters[i], a.fighters[j])
        clashes = draws.poisson(rng, rate * both / 1000.0)
        killed = np.minimum(
            draws.poisson(rng, p.killed_per_clash * clashes), a.fighters[i] + a.fighters[j]
        )
        total = np.maximum(a.fighters[i] + a.fighters[j], 1)
        lost_i = np.minimum(draws.binomial(rng, killed, a.fighters[i] / total), a.fighters[i])
        lost_j = np.minimum(killed - lost_i, a.fighters[j])
        a.fighters[i] -= lost_i
        a.fighters[j] -= lost_j
        flows.clashes += clashes
        flows.rivals_killed += lost_i + lost_j
        world.people.dead_r += lost_i + lost_j


def terminate(world: World, p: ArmedGroupParams, rng: np.random.Generator) -> None:
    """Apply the immediate effects of the agreement's termination on armed groups."""
    a = world.armed
    cma = 0
    jnim = int(np.flatnonzero(~a.signatory)[0])
    defectors = draws.binomial(rng, a.fighters[cma], p.defection_share)
    a.fighters[cma] -= defectors
    a.fighters[jnim] += defectors
    a.commitment = np.where(
        a.pro_government,
        a.commitment,
        np.minimum(a.commitment, p.commitment_after_termination),
    )
