"""Grievance, stance and recruitment of communities (Epstein 2002, adapted).

    L_eff_i  = clip(L_i + state.legitimacy - shock_r)
    G_i      = clip(H_i * (1 - L_eff_i) + anger_weight * abuse_mem_i)     (Epstein; Condra & Shapiro)
    P_r      = 1 - exp(-arrest_k * contact * troops_r / (hostile fighters_r + 1))
    support  if G_i - R_i * P_r > threshold
    cooperate if not supporting and L_eff_i > cooperate_threshold (tips raise operations' success)
    recruits_i ~ Poisson(recruit_rate * people_i * (G_i - R_i * P_r - threshold)) for supporters

Recruits join the groups present in or next to the region, in proportion to presence
times appeal (signatories recruit little while committed to the agreement; trafficking
rents raise appeal). A group takes a recruit with probability max(0, 1 - fighters_g /
capacity_g): it cannot feed and arm more fighters than its resources sustain
(:func:`sim.mechanisms.armed_groups.group_capacity`). A region's recruits are capped by
its military-age men not under arms, and those taken leave their communities (flow
``recruited``), so nobody is created from nothing.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.armed_groups import ArmedGroupParams, group_capacity
from sim.mechanisms.population import fighter_room, region_bounds
from sim.mechanisms.state import StateParams
from sim.paramtools import ParamGroup, param
from sim.world import World


class RecruitmentParams(ParamGroup):
    """Grievance, stance and recruitment."""

    arrest_k: float = param(2.3, 0, 10, "index", "Epstein's arrest constant k.", "Epstein 2002")
    threshold: float = param(
        0.1,
        0,
        1,
        "index",
        "Net grievance above which a community supports armed groups.",
        "Epstein 2002",
    )
    contact: float = param(
        0.15, 0, 5, "share", "Share of troops in contact with the population (scales P)."
    )
    anger_weight: float = param(
        0.3,
        0,
        2,
        "index",
        "Grievance added by the memory of abuses and collateral harm.",
        "Condra & Shapiro 2012",
    )
    cooperate_threshold: float = param(
        0.55, 0, 1, "index", "Legitimacy above which a non-supporting community cooperates."
    )
    recruit_rate: float = param(
        0.001373,
        0,
        0.1,
        "recruits per person per month per unit net grievance",
        "Recruitment intensity among supporting communities.",
        "assumption: medoid of the ABC-SMC posterior on the record of 2015-06..2020-12 (calibration/historical.toml; docs/VALIDATION.md), but the record does not narrow it (posterior 90% width 1.01 of the prior's)",
    )
    spillover: float = param(
        0.1,
        0,
        1,
        "share",
        "Weight of a neighbouring region's fighters in a group's local presence.",
    )
    committed_appeal: float = param(
        0.2, 0, 1, "share", "Appeal of a fully committed signatory group to recruits."
    )
    trafficking_appeal: float = param(
        1.0, 0, 5, "multiplier", "Extra appeal of groups controlling trafficking routes."
    )
    military_age_share: float = param(
        0.22,
        0.05,
        0.5,
        "share",
        "Men aged 15-49 in the population: the most fighters a region can hold.",
        "UN World Population Prospects 2022: Mali's median age about 16, men 15-49 about "
        "22% of the population (approximate)",
        init_only=True,
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    recruitment: RecruitmentParams
    state: StateParams
    armed: ArmedGroupParams


def step_recruitment(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Compute grievance and stance of each community; draw and allocate recruits.

    The per-community rules run in one compiled pass
    (:func:`sim.kernels.recruitment_pass`) seeded from ``rng``.
    """
    from sim import kernels  # numba loads on the first month, not on import

    p = params.recruitment
    c = world.communities
    a = world.armed
    flows = world.flows

    host = np.where(a.signatory, 1.0 - a.commitment, 1.0)
    hostile = (host[:, None] * a.fighters).sum(axis=0)
    arrest_p = 1.0 - np.exp(-p.arrest_k * p.contact * flows.troops_r / (hostile + 1.0))
    rows = (c.region, c.people, c.trust, c.hardship, c.abuse_mem, c.risk, c.militia_side)
    coefs = np.array(
        [
            params.state.legitimacy,
            p.anger_weight,
            p.threshold,
            p.cooperate_threshold,
            p.recruit_rate,
        ]
    )
    coop, support, griev, draws, recruits_r = kernels.recruitment_pass(
        (*rows, c.grievance, c.stance),
        world.institutions.legit_shock.astype(float),
        arrest_p.astype(float),
        coefs,
        kernels.draw_seed(rng),
    )
    people = c.people_r
    flows.cooperation_r = coop / people
    flows.support_r = support / people
    flows.grievance_r = griev / people
    accepted_r = allocate_recruits(world, params, np.minimum(recruits_r, fighter_room(world)), rng)
    leave_communities(world, draws, accepted_r, rng)


def leave_communities(
    world: World, draws: np.ndarray, accepted_r: np.ndarray, rng: np.random.Generator
) -> None:
    """The recruits a group took leave their communities (flow ``recruited``).

    In each region, the accepted are drawn among the community volunteers (compiled:
    :func:`sim.kernels.take_volunteers`).
    """
    from sim import kernels

    c = world.communities
    n = world.geo.n
    accepted = np.asarray(accepted_r, dtype=np.int64)
    if not (accepted > 0).any():
        world.people_flows.recruited = np.zeros(n, dtype=np.int64)
        return
    bounds = region_bounds(c, n)
    left = kernels.take_volunteers(c.people, draws, bounds, accepted, kernels.draw_seed(rng))
    c.people_r = c.people_r - left  # whole persons: exact, as a fresh bincount would be
    world.people_flows.recruited = left


def allocate_recruits(
    world: World, params: Needs, recruits_r: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Share each region's recruits among the groups; groups turn away those beyond capacity.

    Returns the recruits taken per region.
    """
    p = params.recruitment
    geo = world.geo
    a = world.armed
    fighters = a.fighters.astype(float)
    presence = fighters + p.spillover * fighters @ geo.adjacency
    appeal = np.where(a.signatory, 1.0 - (1.0 - p.committed_appeal) * a.commitment, 1.0)
    pull = presence * appeal[:, None] * (1.0 + p.trafficking_appeal * geo.trafficking)[None, :]
    total = pull.sum(axis=0)
    has_group = total > 0
    recruits_r = np.where(has_group, recruits_r, 0)
    pvals = np.where(has_group[None, :], pull / np.where(has_group, total, 1.0)[None, :], 0.0)
    pvals[0, ~has_group] = 1.0  # placeholder row for regions without groups (0 recruits)
    draws = rng.multinomial(recruits_r, pvals.T)  # (regions, groups)
    capacity = group_capacity(world, params.armed)
    a.capacity = capacity
    room = np.clip(1.0 - a.fighters.sum(axis=1) / np.maximum(capacity, 1.0), 0.0, 1.0)
    accepted = rng.binomial(draws, room[None, :])
    a.fighters += accepted.T
    world.flows.volunteers = int(draws.sum())
    world.flows.recruits = int(accepted.sum())
    return accepted.sum(axis=1)
