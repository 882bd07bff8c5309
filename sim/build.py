"""The initial world: :func:`build_world` creates every declared field of :mod:`sim.world`.

Random draws happen in a fixed order (communities, force units, CSOs), so a seed gives
the same world every time.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.geography import GROUP_NAMES, PRO_GOVERNMENT, SIGNATORY, Geography
from sim.mechanisms.cso import update_monitoring
from sim.mechanisms.donors import ALLOCATION_KEYS, DONOR_SPECS
from sim.mechanisms.militias import empty_militias
from sim.mechanisms.population import empty_flows
from sim.mechanisms.violence import initial_control
from sim.params import Params
from sim.world import (
    ArmedGroups,
    Communities,
    CSOs,
    DDRLedger,
    Donors,
    Flows,
    Forces,
    Funds,
    Institutions,
    Mission,
    People,
    Policy,
    World,
)


def largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    """Integer counts proportional to weights, summing to total, each at least minimum."""
    n = len(weights)
    base = np.full(n, minimum)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(int)
    left = rest - counts.sum()
    counts[np.argsort(-(share - counts), kind="stable")[:left]] += 1
    return base + counts


def initial_troops(p: Params, geo: Geography) -> np.ndarray:
    """Force personnel of each region at the start, whole persons."""
    return np.rint(geo.forces * p.forces.size_scale).astype(np.int64)


def military_age_men(p: Params, geo: Geography) -> np.ndarray:
    """Men of military age in each region: the most fighters it can hold."""
    return np.rint(p.recruitment.military_age_share * geo.population).astype(np.int64)


def initial_fighters(p: Params, geo: Geography) -> np.ndarray:
    """Fighters per group and region at the start.

    Scaled down where they would exceed the region's military-age men.
    """
    fighters = geo.fighters * p.armed.fighters_scale
    total = fighters.sum(axis=0)
    men = military_age_men(p, geo)
    scale = np.where(total > men, men / np.maximum(total, 1.0), 1.0)
    return np.floor(np.rint(fighters) * scale[None, :]).astype(np.int64)


def initial_civilians(p: Params, geo: Geography) -> np.ndarray:
    """People of each region who are neither fighters nor force personnel at the start."""
    population = np.rint(geo.population).astype(np.int64)
    fighters = initial_fighters(p, geo).sum(axis=0)
    return np.maximum(population - fighters - initial_troops(p, geo), 0)


def split_evenly(total: int, parts: int) -> np.ndarray:
    """Whole persons split over ``parts`` as evenly as possible."""
    return largest_remainder(np.ones(parts), int(total), minimum=0)


def build_communities(p: Params, geo: Geography, rng: np.random.Generator) -> Communities:
    """Communities spread over regions in proportion to population, whole persons each."""
    counts = largest_remainder(geo.population, p.community.count)
    region = np.repeat(np.arange(geo.n), counts)
    n = len(region)
    civilians = initial_civilians(p, geo)
    people = np.concatenate([split_evenly(civilians[r], counts[r]) for r in range(geo.n)]).astype(
        float
    )
    hardship = np.clip(geo.hardship[region] + rng.normal(0, p.community.hardship_sd, n), 0, 1)
    base = np.clip(rng.normal(p.trust.initial_mean, p.trust.initial_sd, n), 0, 1)
    return Communities(
        region=region,
        people=people,
        hardship=hardship,
        risk=rng.random(n),
        base_trust=base,
        trust=base.copy(),
        grievance=hardship * (1 - base),
        abuse_mem=np.zeros(n),
        harm_mem=np.zeros(n),
        protect_mem=np.full(n, 0.5),
        stance=np.zeros(n, dtype=np.int8),
        people_r=np.bincount(region, weights=people, minlength=geo.n),
        militia_side=rng.random(n) < p.militias.side_share * geo.communal_tension[region],
    )


def build_forces(p: Params, geo: Geography, rng: np.random.Generator) -> Forces:
    """``forces.units_per_region`` units per region sharing the region's 2015 deployment."""
    k = p.forces.units_per_region
    region = np.repeat(np.arange(geo.n), k)
    m = len(region)
    size = np.concatenate([split_evenly(t, k) for t in initial_troops(p, geo)]).astype(float)
    corruption = np.clip(rng.normal(p.corruption.baseline, p.corruption.initial_sd, m), 0, 1)
    cap = np.full(m, p.forces.initial_capacity)
    return Forces(
        region=region,
        size=size.astype(float),
        capacity=cap,
        effective_capacity=cap.copy(),
        trained=np.full(m, p.forces.initial_trained),
        compliance=np.full(
            m, p.forces.compliance_base + p.forces.compliance_training * p.forces.initial_trained
        ),
        corruption=corruption,
        integrated=np.zeros(m),
        mean_corruption=float((corruption * size).sum() / size.sum()),
    )


def build_csos(p: Params, geo: Geography, rng: np.random.Generator) -> CSOs:
    """``cso.per_region`` CSOs per region; their monitoring is computed at once."""
    region = np.repeat(np.arange(geo.n), p.cso.per_region)
    k = len(region)
    capacity = np.clip(rng.normal(p.cso.initial_capacity, 0.1, k), 0, 1)
    foreign = rng.random(k) < p.cso.foreign_funded_share
    # foreign-funded CSOs take turns among the conditional donors (rows of DONOR_SPECS)
    conditional = [i for i, s in enumerate(DONOR_SPECS) if s["kind"] != "partner"]
    csos = CSOs(
        region=region,
        capacity=capacity,
        autonomy=np.ones(k),
        funding=np.zeros(k),
        foreign=foreign,
        funder=np.where(
            foreign, np.array(conditional)[(np.cumsum(foreign) - 1) % len(conditional)], -1
        ),
        active=np.ones(k, dtype=bool),
        included=np.zeros(k, dtype=bool),
        monitoring_r=np.zeros(geo.n),
    )
    update_monitoring(csos, p.cso, geo.n)
    return csos


def build_armed_groups(p: Params, geo: Geography) -> ArmedGroups:
    """The four groups at their 2015 strength, signatories committed to the agreement."""
    return ArmedGroups(
        names=GROUP_NAMES,
        signatory=SIGNATORY.copy(),
        pro_government=PRO_GOVERNMENT.copy(),
        fighters=initial_fighters(p, geo),
        commitment=np.where(SIGNATORY, p.armed.initial_commitment, 0.0),
        capacity=np.zeros(len(GROUP_NAMES)),
        jihadist_rivalry=False,
    )


def empty_ledger(groups: int) -> DDRLedger:
    """A DDR ledger with nobody in it (whole people, one entry per group)."""
    return DDRLedger(**{f.name: np.zeros(groups, dtype=np.int64) for f in fields(DDRLedger)})


def build_flows(p: Params, geo: Geography, c: Communities) -> Flows:
    """No flows yet; cooperation from the initial trust (operations read it in month 1)."""
    n = geo.n
    coop = c.people * (c.trust > p.recruitment.cooperate_threshold)
    regional = {f.name: np.zeros(n) for f in fields(Flows) if f.name.endswith("_r")}
    counts = {f.name: 0 for f in fields(Flows) if not f.name.endswith("_r")}
    flows = Flows(**regional, **counts)
    flows.cooperation_r = np.bincount(c.region, weights=coop, minlength=n) / c.people_r
    return flows


def build_institutions(p: Params, geo: Geography, c: Communities) -> Institutions:
    """Civilian regime, agreement in force, CSOs open, DDR as ``ddr.active_at_start``."""
    return Institutions(
        agreement_active=True,
        regime="civilian",
        cso_policy="open",
        ddr_active=bool(p.ddr.active_at_start),
        ddr_scope="all",
        partner_present=False,
        reform_stock=0.0,
        legit_shock=np.zeros(geo.n),
        oversight_strength=0.0,
        oversight=0.0,
        detection=np.zeros(geo.n),
        enforcement=0.0,
        trust=float((c.people * c.trust).sum() / c.people.sum()),
        political_will=p.state.political_will,
        coups=0,
        coup_hazard=0.0,
    )


def build_donors() -> Donors:
    """Donor rows from :data:`sim.mechanisms.donors.DONOR_SPECS`; the partner not yet active."""
    return Donors(
        names=tuple(s["name"] for s in DONOR_SPECS),
        kinds=tuple(s["kind"] for s in DONOR_SPECS),
        allocation=np.array([s["alloc"] for s in DONOR_SPECS], dtype=float),
        active=np.array([s["kind"] != "partner" for s in DONOR_SPECS]),
        cut=np.zeros(len(DONOR_SPECS)),
    )


def build_people(p: Params, geo: Geography) -> People:
    """Nobody dead or in DDR yet; military-age men a fixed share of each region's people."""
    groups = len(GROUP_NAMES)
    return People(
        men_r=military_age_men(p, geo),
        dead_r=np.zeros(geo.n, dtype=np.int64),
        displaced_r=np.zeros(geo.n, dtype=np.int64),
        in_ddr_gr=np.zeros((groups, geo.n), dtype=np.int64),
        reintegrated_gr=np.zeros((groups, geo.n), dtype=np.int64),
        budget=p.forces.personnel_budget,
    )


def build_world(params: Params, geo: Geography, rng: np.random.Generator) -> World:
    """The world at the start of a run."""
    communities = build_communities(params, geo, rng)
    forces = build_forces(params, geo, rng)
    armed = build_armed_groups(params, geo)
    csos = build_csos(params, geo, rng)
    world = World(
        geo=geo,
        communities=communities,
        forces=forces,
        csos=csos,
        armed=armed,
        ddr=empty_ledger(len(armed.names)),
        flows=build_flows(params, geo, communities),
        mission=Mission(
            mandated=True,
            withdraw_left=0,
            deployed_r=geo.peacekeepers * params.donors.peacekeepers_scale,
        ),
        institutions=build_institutions(params, geo, communities),
        donors=build_donors(),
        funds=Funds(**dict.fromkeys(ALLOCATION_KEYS, 0.0), gross=0.0, leaked=0.0),
        people=build_people(params, geo),
        people_flows=empty_flows(geo.n),
        militias=empty_militias(geo.n),
        policy=Policy(*(np.zeros(geo.n) for _ in fields(Policy))),
    )
    world.flows.control_r = initial_control(world)
    return world


__all__ = ["build_world", "largest_remainder"]
