"""Donors and partners: budgets, allocation, conditionality, leakage, peacekeepers.

Three kinds: multilateral (UN, EU), bilateral (France) and a
non-conditional security partner that arrives with an event. The mission's part of the
UN's money (``mission_share``) stops when the peacekeeping mandate ends. Money is split between
training, equipment, DDR, CSO grants and reform programmes; a share leaks where
corruption is high. Peacekeepers cut armed-group violence against civilians in their
regions but not abuses by state forces (Hultman, Kathman & Shannon 2013; Fjelde, Hultman
& Nilsson 2019): see :mod:`sim.mechanisms.violence`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.paramtools import ParamGroup, param
from sim.world import World

ALLOCATION_KEYS: tuple[str, ...] = ("training", "equipment", "ddr", "cso", "reform")

DONOR_SPECS: tuple[dict, ...] = (
    # name, kind and allocation shares (training, equipment, ddr, cso, reform): assumptions
    # after the programmes described in the seed documents (EUTM training, MINUSMA DDR
    # support, EU/UN civil-society grants; bilateral equipment and operations support).
    # the UN row carries the peacekeeping mission's programmes (MINUSMA: DDR, cantonment
    # sites, community violence reduction), part of which stops with the mandate
    {
        "name": "UN",
        "kind": "multilateral",
        "alloc": (0.10, 0.05, 0.45, 0.20, 0.20),
        "mission": True,
    },
    {"name": "EU", "kind": "multilateral", "alloc": (0.45, 0.10, 0.10, 0.20, 0.15)},
    {"name": "France", "kind": "bilateral", "alloc": (0.30, 0.50, 0.05, 0.10, 0.05)},
    {"name": "Partner", "kind": "partner", "alloc": (0.00, 1.00, 0.00, 0.00, 0.00)},
)


class DonorParams(ParamGroup):
    """Budgets, conditionality and the effects of the money."""

    multilateral_budget: float = param(
        6.0,
        0,
        100,
        "million USD per month",
        "Monthly SSR-related budget of each multilateral donor.",
    )
    bilateral_budget: float = param(
        5.0, 0, 100, "million USD per month", "Monthly SSR-related budget of the bilateral donor."
    )
    partner_budget: float = param(
        4.0,
        0,
        100,
        "million USD per month",
        "Monthly equipment and combat support of the non-conditional partner once it arrives.",
    )
    multilateral_conditionality: float = param(
        0.5, 0, 1, "share", "Share of a multilateral budget cut after a coup."
    )
    bilateral_conditionality: float = param(
        0.6, 0, 1, "share", "Share of the bilateral budget cut after a coup."
    )
    leakage_max: float = param(
        0.5,
        0,
        1,
        "share",
        "Share of funds lost to embezzlement when every unit is fully corrupt "
        "(leakage = leakage_max x corruption).",
    )
    training_effect: float = param(
        0.08,
        0,
        1,
        "per (million USD per 1,000 troops)",
        "Monthly gain of the trained share per million USD of training per 1,000 troops.",
        "calibrated: EUTM trained a large part of the army by about 2020 (assumption on pace)",
    )
    equipment_effect: float = param(
        0.04,
        0,
        1,
        "per (million USD per 1,000 troops)",
        "Monthly gain of capacity per million USD of equipment per 1,000 troops.",
    )
    mission_share: float = param(
        0.75,
        0,
        1,
        "share",
        "Share of the UN's money that is the peacekeeping mission's and stops when its "
        "mandate ends.",
        "assumption: MINUSMA's assessed budget funded the cantonment sites and DDR and "
        "community-violence-reduction programmes (UN reporting)",
    )
    ddr_need: float = param(
        3.0,
        0.01,
        100,
        "million USD per month",
        "DDR funding at which cantonment and processing run at full capacity.",
    )
    cso_need: float = param(
        2.0, 0.01, 100, "million USD per month", "CSO grants at which CSO funding saturates."
    )
    reform_need: float = param(
        2.0,
        0.01,
        100,
        "million USD per month",
        "Reform-programme funding at which the reform stock grows at full pace.",
    )
    peacekeepers_scale: float = param(
        1.0,
        0,
        3,
        "multiplier",
        "Scales the initial peacekeeper deployment (11,600 in 2015 across six regions).",
        "UN: MINUSMA uniformed personnel 9,259 (2014-05), about 13,950 (about 2018), approximate",
        init_only=True,
    )
    peacekeepers_growth: float = param(
        0.004,
        0,
        0.05,
        "per month",
        "Monthly growth of peacekeeper numbers while the mission is mandated "
        "(about 11,600 in 2015 to about 13,950 by 2018).",
        "UN: MINUSMA uniformed personnel 9,259 (2014-05), about 13,950 (about 2018), approximate",
    )
    peacekeepers_cap: float = param(
        14000,
        0,
        50000,
        "persons",
        "Ceiling of the peacekeeper deployment.",
        "UN: MINUSMA about 13,950 uniformed personnel around 2018 (approximate)",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    donors: DonorParams


def conditionality(p: DonorParams, kind: str) -> float:
    """Share of a donor's budget cut after a coup, by kind."""
    return {
        "multilateral": p.multilateral_conditionality,
        "bilateral": p.bilateral_conditionality,
        "partner": 0.0,
    }[kind]


def base_budget(p: DonorParams, kind: str) -> float:
    """Monthly budget of a donor kind before cuts."""
    return {
        "multilateral": p.multilateral_budget,
        "bilateral": p.bilateral_budget,
        "partner": p.partner_budget,
    }[kind]


def contribution(world: World, p: DonorParams, i: int) -> float:
    """Gross money of donor row ``i`` this month, million USD."""
    d = world.donors
    if not d.active[i]:
        return 0.0
    money = base_budget(p, d.kinds[i]) * (1.0 - d.cut[i])
    if DONOR_SPECS[i].get("mission") and not world.mission.mandated:
        money *= 1.0 - p.mission_share
    return money


def step_donors(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Collect this month's money from the active donors, take leakage, move peacekeepers.

    Sets ``world.funds`` (effective money by purpose, gross and leaked).
    """
    p = params.donors
    gross = np.zeros(len(ALLOCATION_KEYS))
    for i in range(len(world.donors.names)):
        gross += contribution(world, p, i) * world.donors.allocation[i]
    total = float(gross.sum())
    leakage = p.leakage_max * world.forces.mean_corruption
    funds = world.funds
    funds.gross = total
    funds.leaked = total * leakage
    effective = gross * (1.0 - leakage)
    for key, value in zip(ALLOCATION_KEYS, effective.tolist(), strict=True):
        setattr(funds, key, value)
    move_peacekeepers(world, p)


def move_peacekeepers(world: World, p: DonorParams) -> None:
    """Grow toward the cap while mandated, shrink along a withdrawal plan."""
    m = world.mission
    pk = m.deployed_r
    if m.withdraw_left > 0:
        m.deployed_r = pk * (1.0 - 1.0 / m.withdraw_left)
        m.withdraw_left -= 1
        if m.withdraw_left == 0:
            m.deployed_r = np.zeros_like(pk)
    elif m.mandated and pk.sum() > 0:
        grown = pk * (1.0 + p.peacekeepers_growth)
        if grown.sum() > p.peacekeepers_cap:
            grown *= p.peacekeepers_cap / grown.sum()
        m.deployed_r = grown
