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
and DDR is launched; after termination only a ``pro_government`` relaunch (FACTS.md:
2025-02) admits the pro-government coalition. Integrated fighters join the force units
of their group's main region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.geography import PRO_GOVERNMENT, SIGNATORY
from sim.paramtools import ParamGroup, param

if TYPE_CHECKING:
    from sim.model import SSRModel


class DDRParams(ParamGroup):
    """The DDR pipeline."""

    active_at_start: bool = param(
        False,
        None,
        None,
        "flag",
        "DDR is open at the start (otherwise a launch_ddr event opens it).",
        "FACTS.md: DDR launched 2018-11, about three years late",
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
        "FACTS.md: 26,000 integrations agreed (2022-08)",
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


def ddr_open(model: SSRModel) -> np.ndarray:
    """Which groups may enter DDR this month."""
    if not model.ddr_active:
        return np.zeros(len(SIGNATORY), dtype=bool)
    if model.ddr_scope == "pro_government":
        return SIGNATORY & PRO_GOVERNMENT
    return SIGNATORY & model.agreement_active


def pipeline_people(model: SSRModel) -> int:
    """Everyone on the fighters-and-DDR ledger (for conservation checks).

    Registered combatants are still fighters, so they are not counted twice.
    """
    return int(
        model.fighters.sum()
        + model.ddr_disarmed_stock.sum()
        + model.ddr_reintegrated_stock.sum()
        + model.cum_integrated.sum()
    )


def step_ddr(model: SSRModel) -> None:
    """Move signatory fighters through the DDR pipeline."""
    p = model.p.ddr
    rng = model.rng
    trust = model.trust
    will = model.p.state.political_will
    funding = min(1.0, model.funds["ddr"] / max(model.p.donors.ddr_need, 1e-9))
    open_ = ddr_open(model)

    # registered combatants are a subset of the group's fighters: losses in combat or to
    # attrition also thin the registered
    np.minimum(
        model.ddr_registered_stock, model.fighters.sum(axis=1), out=model.ddr_registered_stock
    )

    # entries: unregistered fighters -> registered (they keep their arms)
    uptake = (
        p.max_uptake
        * (0.3 + 0.7 * p.incentive)
        * (0.3 + 0.7 * p.security_guarantee)
        * trust
        * model.commitment
        * open_
    )
    unregistered = model.fighters.sum(axis=1) - model.ddr_registered_stock
    entries = rng.binomial(unregistered, np.clip(uptake, 0.0, 1.0))

    # dropouts from the waiting stocks, before moving on
    drop = p.dropout_rate * (1.0 - trust)
    drop_reg = rng.binomial(model.ddr_registered_stock, drop)
    drop_dis = rng.binomial(model.ddr_disarmed_stock, drop)
    model.ddr_registered_stock -= drop_reg
    model.ddr_disarmed_stock -= drop_dis

    # registered -> disarmed, limited by cantonment capacity
    waiting = model.ddr_registered_stock.sum()
    cap = p.cantonment_capacity * funding if model.ddr_active else 0.0
    canton_p = min(1.0, cap / waiting) if waiting > 0 else 0.0
    disarmed = rng.binomial(model.ddr_registered_stock, canton_p)
    model.ddr_registered_stock -= disarmed
    model.ddr_registered_stock += entries
    model.ddr_disarmed_stock += disarmed
    for g in np.flatnonzero(disarmed):
        model.fighters[g] -= rng.multivariate_hypergeometric(model.fighters[g], int(disarmed[g]))

    # disarmed -> integrated or reintegrated
    proc = p.processing_rate * (0.3 + 0.7 * will) * funding if model.ddr_active else 0.0
    exits = rng.binomial(model.ddr_disarmed_stock, min(proc, 1.0))
    integrated = rng.binomial(exits, p.integration_share)
    reintegrated = exits - integrated
    model.ddr_disarmed_stock -= exits
    model.ddr_reintegrated_stock += reintegrated

    # relapse of reintegrated civilians
    terminated = 0.0 if model.agreement_active else 1.0
    relapse_p = p.rearm_rate * (1.0 + p.termination_multiplier * terminated) * (1.0 - p.opportunity)
    relapse = rng.binomial(model.ddr_reintegrated_stock, min(relapse_p, 1.0))
    model.ddr_reintegrated_stock -= relapse

    returned = drop_reg + drop_dis + relapse
    rearmed = drop_dis + relapse  # the registered who drop out never laid down their arms
    for g in np.flatnonzero(rearmed):
        home = model.geo.fighters[g]
        model.fighters[g] += rng.multinomial(int(rearmed[g]), home / home.sum())

    model.cum_registered += entries
    model.cum_disarmed += disarmed
    model.cum_integrated += integrated
    model.cum_reintegrated += reintegrated
    model.cum_rearmed += returned
    if integrated.sum() > 0:
        model.integrate_into_forces(integrated)
