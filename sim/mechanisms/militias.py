"""Communal militias of the centre: self-defence where the state does not protect, reprisals.

Dan Na Ambassagou (Dogon), Dozo hunters (Bambara) and Fulani self-defence groups arose
in Mopti and Ségou when jihadist attacks met no protection from the state; they attack
communities they see as siding with the other camp, and the reprisals feed the
jihadists' recruitment (Human Rights Watch, "We Used to Be Brothers", 2018-12, and "How
Much More Blood Must Be Spilled?", 2020-02; MINUSMA's quarterly notes: communal militias
20% of civilian victims in 2021-Q2). The state tolerated and at times supported some of
them (it ordered Dan Na Ambassagou dissolved after the Ogossagou massacre, 2019-03,
without disarming it: HRW 2020); how much it tolerates is ``militias.state_tolerance``.

Relations with the state change when it takes the war over: from 2022, with a
non-conditional partner (``partner`` = 1 while it fights alongside, event
``partner_arrives``), the army's operations in the centre replace self-defence
(``takeover_r``): fewer people mobilise, and militiamen are co-opted as the army's
guides and auxiliaries (``cooptation``): their attacks go on (incidents of the centre)
but against the armed groups, alongside the army, rather than as raids on villages. The record shows the shift: the
communal militias' cases fell from 157 in 2021-Q2 to 15 and 34 in 2022-Q1 and Q2, and to
4% of violations in 2022-Q4, while the state forces' share rose to 35% in 2022 (MINUSMA
quarterly notes, ``perpetrators.csv``). The mechanism and its sizes are assumptions,
the fall is the record's.

Per region r with communal tension T_r (``regions.json``):

    threat_r     = attacks_r / (attacks_r + threat_half)             armed-group attacks
    unprotected  = 1 - control_r
    takeover_r   = partner * operations_r / (operations_r + takeover_half)
    room_r       = max(0, 1 - fighters_r / (max_per_1000 * T_r * people_r / 1000))
    recruits_r   ~ Poisson(mobilisation_rate * people_r / 1000 * T_r * threat_r * unprotected
                           * (1 - takeover_r) * room_r)
    fighters_r  -= Binomial(fighters_r, demobilisation * (1 - threat_r))
    deterrence_r = sanction_deterrence * detection_r * enforcement * (1 - state_tolerance)
    attacks_r    ~ Poisson(reprisal_rate * fighters_r / 1000 * (reprisal_floor + support_r) * (1 - deterrence_r))
    harm_r       ~ Poisson(harm_per_attack * attacks_r * (1 - pk_r) * (1 - cooptation * takeover_r))
                                                                         (pk_r as in violence)

Militia fighters are kept in their own record; they are people of the region's
communities: recruits leave the communities (flow ``militia_joined``, never beyond the
region's military-age men not under arms), those going home return to them
(``militia_left``), and the civilians they kill leave them (``civilians_killed``, the
share ``violence.civilian_killed_share`` of those harmed).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.mechanisms.population import add_civilians, fighter_room, take_civilians
from sim.mechanisms.violence import ViolenceParams, peacekeeper_cut
from sim.paramtools import ParamGroup, param
from sim.world import Militias, World


class MilitiaParams(ParamGroup):
    """Communal militias."""

    side_share: float = param(
        0.6,
        0,
        1,
        "share",
        "Share of the communities of a region at full communal tension that side with the "
        "self-defence militias rather than the jihadists (Dogon, Bambara and others; the "
        "Fulani, courted by the jihadists, are a minority of the centre).",
        "assumption; International Crisis Group, 'Central Mali: An Uprising in the "
        "Making?' (2016-07)",
        init_only=True,
    )

    mobilisation_rate: float = param(
        0.1213,
        0,
        10,
        "recruits per 1,000 people per month",
        "Self-defence mobilisation at full communal tension, full threat and no state protection.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.93 of the prior's)",
    )
    max_per_1000: float = param(
        2.0,
        0,
        50,
        "fighters per 1,000 people",
        "Militia fighters a region's communities can field at full communal tension.",
        "assumption: Dan Na Ambassagou said to field several thousand fighters in Mopti "
        "(press, 2019), about 2,000,000 people",
    )
    threat_half: float = param(
        5.0, 0.1, 1000, "attacks per month", "Armed-group attacks giving half the full threat."
    )
    demobilisation: float = param(
        0.02,
        0,
        1,
        "per month",
        "Share of militia fighters going home each month when there is no threat.",
        "assumption",
    )
    reprisal_rate: float = param(
        4.779,
        0,
        100,
        "attacks per 1,000 militia fighters per month",
        "Militia attacks on other communities where every community is suspected.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 0.83 of the prior's)",
    )
    reprisal_floor: float = param(
        0.2,
        0,
        1,
        "share",
        "Reprisals where no community supports armed groups (cattle raids, land disputes).",
        "assumption",
    )
    harm_per_attack: float = param(
        2.5,
        0,
        100,
        "persons per attack",
        "Civilians killed or injured per militia attack (a few massacres, e.g. Ogossagou "
        "2019-03 with about 160 dead, and many small raids).",
        "assumption; HRW 2020",
    )
    state_tolerance: float = param(
        0.7,
        0,
        1,
        "share",
        "How far the state tolerates (or arms) the militias: 1 = no sanction at all.",
        "assumption; HRW 2018 and 2020 (the state tolerated Dan Na Ambassagou and ordered "
        "it dissolved in 2019-03 without disarming it)",
    )
    takeover_half: float = param(
        2.0,
        0.1,
        1000,
        "operations per month",
        "State operations in a region at which half of the self-defence it replaces is "
        "replaced (while a non-conditional partner fights alongside).",
        "assumption; sweep 1-10",
    )
    cooptation: float = param(
        0.8,
        0,
        1,
        "share",
        "Share of the militias' civilian harm that stops where the state, with its "
        "partner, has fully taken the war over (militiamen fight as its auxiliaries).",
        "assumption; sweep 0.4-1 (militia cases fell about fourfold within a year of "
        "the partner's arrival, MINUSMA 2021-Q2 to 2022-Q2)",
    )
    sanction_deterrence: float = param(
        0.8,
        0,
        1,
        "share",
        "Largest cut of reprisals when the state detects and punishes every one.",
        "assumption",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    militias: MilitiaParams
    violence: ViolenceParams


def empty_militias(regions: int) -> Militias:
    """No militia under arms yet."""
    return Militias(
        fighters_r=np.zeros(regions, dtype=np.int64),
        recruits=0,
        attacks_r=np.zeros(regions),
        harm_r=np.zeros(regions),
    )


def threat(world: World, p: MilitiaParams) -> np.ndarray:
    """Threat felt from armed-group attacks, 0-1 per region."""
    attacks = world.flows.attacks_r
    return attacks / (attacks + p.threat_half)


def takeover(world: World, p: MilitiaParams) -> np.ndarray:
    """Share of self-defence replaced by the state's war, 0-1 per region (0 without partner)."""
    if not world.institutions.partner_present:
        return np.zeros(world.geo.n)
    ops = world.flows.operations_r
    return ops / (ops + p.takeover_half)


def mobilise(world: World, p: MilitiaParams, rng: np.random.Generator) -> np.ndarray:
    """Self-defence recruits of the month per region (threat where the state does not protect).

    The recruits leave the region's communities, within its military-age men not under arms.
    """
    geo = world.geo
    m = world.militias
    tension = geo.communal_tension
    ceiling = p.max_per_1000 * tension * geo.population / 1000.0
    room = np.clip(1.0 - m.fighters_r / np.maximum(ceiling, 1.0), 0.0, 1.0)
    unprotected = 1.0 - world.flows.control_r
    mean = (
        p.mobilisation_rate
        * geo.population
        / 1000.0
        * tension
        * threat(world, p)
        * unprotected
        * (1.0 - takeover(world, p))
        * room
    )
    wanted = np.minimum(draws.poisson(rng, np.where(tension > 0, mean, 0.0)), fighter_room(world))
    return take_civilians(world.communities, wanted, rng)


def reprisals(
    world: World, params: Needs, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Militia attacks on other communities and the civilians they harm, per region."""
    p = params.militias
    inst = world.institutions
    deterrence = p.sanction_deterrence * inst.detection * inst.enforcement * (1 - p.state_tolerance)
    suspected = p.reprisal_floor + world.flows.support_r
    mean = p.reprisal_rate * world.militias.fighters_r / 1000.0 * suspected * (1.0 - deterrence)
    attacks = draws.poisson(rng, mean)
    pk_cut = peacekeeper_cut(world, params.violence)
    raids = 1.0 - p.cooptation * takeover(world, p)
    harm = draws.poisson(rng, p.harm_per_attack * attacks * (1.0 - pk_cut) * raids)
    return attacks.astype(float), harm.astype(float)


def step_militias(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Mobilise and demobilise militia fighters; draw their reprisals."""
    p = params.militias
    m = world.militias
    recruits = mobilise(world, p, rng)
    going_home = draws.binomial(rng, m.fighters_r, p.demobilisation * (1.0 - threat(world, p)))
    m.fighters_r += recruits - going_home
    add_civilians(world.communities, going_home, rng)
    world.people_flows.militia_joined = recruits
    world.people_flows.militia_left = going_home
    m.recruits = int(recruits.sum())
    m.attacks_r, m.harm_r = reprisals(world, params, rng)
    killed = draws.binomial(rng, m.harm_r.astype(np.int64), params.violence.civilian_killed_share)
    taken = take_civilians(world.communities, killed, rng)
    world.people_flows.civilians_killed += taken
    world.people.dead_r += taken
