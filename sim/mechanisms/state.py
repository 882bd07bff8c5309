"""The state's institutions: regime, political will, coups, legitimacy and the reform stock.

Political will for reform is state, not a constant: each month it drifts toward a target
set by the regime and by the security crisis (ISS, "Civil society needs a role in Mali's
security reforms", 2024: the transitional authorities put urgent spending on equipment
and operations before reform):

    target = political_will * (military_will_factor if the regime is military else 1)
             * (1 - crisis_weight * (1 - national control))
    will  += will_adjustment * (target - will)

The parameter ``state.political_will`` is the will of a civilian government in a quiet
country (scenarios move it with ``set`` events). A coup brings a military regime (which
also narrows oversight and CSO space, :mod:`oversight` and :mod:`cso`), cuts conditional
donors' budgets and shocks legitimacy. Coups also happen on their own, with a monthly
hazard rising with the state's troubles (lost control, lost trust, attacks on the
forces; Belkin & Schofer 2003 on structural coup risk; Mali's 2012 coup followed defeats
in the north):

    stress  = mean(1 - control, 1 - trust, attacks per 1,000 troops / (1 + that))
    hazard  = coup_base_hazard * exp(coup_stress_weight * stress)   (halved once military)

Coups and the agreement's termination apply abrupt legitimacy shocks that fade with
``state.shock_recovery`` (Epstein 2002: sudden shocks matter more than gradual decline).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.donors import DonorParams, conditionality
from sim.paramtools import ParamGroup, param
from sim.world import World


class StateParams(ParamGroup):
    """Model-level institutions."""

    political_will: float = param(
        0.35,
        0,
        1,
        "index",
        "Political will for reform: scales sanctions, oversight and DDR processing.",
        "Synthesis: Security Sector Reform Process in Mali (Bagayoko); ISS 'Civil society "
        "needs a role in Mali's security reforms' (reform stalled for lack of will)",
    )
    legitimacy: float = param(
        0.0,
        -1,
        1,
        "index",
        "National shift of perceived legitimacy added to every community's trust "
        "(Epstein's L); negative values are a legitimacy crisis.",
    )
    coup_legitimacy_shock: float = param(
        0.10, 0, 1, "index", "Abrupt legitimacy drop in the contested regions at a coup."
    )
    termination_legitimacy_shock: float = param(
        0.15,
        0,
        1,
        "index",
        "Abrupt legitimacy drop in the north when the agreement is terminated.",
    )
    shock_recovery: float = param(
        0.04, 0, 1, "per month", "Share of an abrupt legitimacy shock that fades each month."
    )
    military_will_factor: float = param(
        0.75,
        0,
        1,
        "multiplier",
        "Political will for reform under a military regime, relative to a civilian one.",
        "assumption; ISS 2024 (reform subordinated to the war effort after the 2020-21 coups)",
    )
    crisis_weight: float = param(
        0.3,
        0,
        1,
        "share",
        "Will for reform lost at zero state control (security spending crowds reform out).",
        "assumption; ISS 2024",
    )
    will_adjustment: float = param(
        0.05,
        0,
        1,
        "per month",
        "Share of the gap to the target political will closed each month.",
        "assumption (a year or two for a new government's priorities to settle)",
    )
    coup_base_hazard: float = param(
        0.002,
        0,
        0.1,
        "per month",
        "Monthly coup hazard of a state without trouble.",
        "assumption; Mali: coups in 1968, 1991, 2012, 2020 and 2021 (about one a decade, "
        "more in crisis); Powell & Thyne 2011 coup dataset",
    )
    coup_stress_weight: float = param(
        3.0,
        0,
        10,
        "multiplier",
        "Rise of the log coup hazard from no stress to full stress.",
        "assumption; direction from Belkin & Schofer 2003 (structural coup risk)",
    )
    reform_rate: float = param(
        0.02,
        0,
        1,
        "per month",
        "Growth of the reform stock at full will and funding.",
        "calibrated: Citizens' Alliance for SSR mid-term evaluation, 2024-03 (press): "
        "2 of 41 planned activities completed",
    )
    reform_decay: float = param(
        0.01, 0, 1, "per month", "Erosion of reform achievements without upkeep."
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    state: StateParams
    donors: DonorParams


def national_control(world: World) -> float:
    """Population-weighted state control (last month's)."""
    w = world.geo.population
    return float((w * world.flows.control_r).sum() / w.sum())


def will_target(world: World, p: StateParams) -> float:
    """Political will the regime and the security crisis pull toward."""
    regime = p.military_will_factor if world.institutions.regime == "military" else 1.0
    crisis = 1.0 - p.crisis_weight * (1.0 - national_control(world))
    return float(np.clip(p.political_will * regime * crisis, 0.0, 1.0))


def coup_hazard(world: World, p: StateParams) -> float:
    """Probability of an endogenous coup this month, from the state's troubles."""
    flows = world.flows
    per_k = float(flows.attacks_r.sum() / (flows.troops_r.sum() / 1000.0 + 1.0))
    stress = np.mean(
        [1.0 - national_control(world), 1.0 - world.institutions.trust, per_k / (1.0 + per_k)]
    )
    hazard = p.coup_base_hazard * np.exp(p.coup_stress_weight * stress)
    if world.institutions.regime == "military":
        hazard *= 0.5  # a junta guards against its own officers (assumption)
    return float(min(hazard, 1.0))


def coup(world: World, params: Needs) -> None:
    """A coup: military regime, conditional donors cut, legitimacy shock in contested regions."""
    inst = world.institutions
    inst.regime = "military"
    inst.coups += 1
    contested = ~world.geo.zone_mask("south")
    inst.legit_shock[contested] += params.state.coup_legitimacy_shock
    d = world.donors
    for i, kind in enumerate(d.kinds):
        c = conditionality(params.donors, kind)
        d.cut[i] = 1.0 - (1.0 - d.cut[i]) * (1.0 - c)


def step_institutions(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Coup hazard, political will, fading shocks, and the reform stock."""
    p = params.state
    inst = world.institutions
    inst.coup_hazard = coup_hazard(world, p)
    if p.coup_base_hazard > 0 and rng.random() < inst.coup_hazard:
        coup(world, params)
    inst.political_will += p.will_adjustment * (will_target(world, p) - inst.political_will)
    inst.legit_shock *= 1.0 - p.shock_recovery  # one entry per region
    funding = min(1.0, world.funds.reform / max(params.donors.reform_need, 1e-9))
    inst.reform_stock += (
        p.reform_rate * inst.political_will * (0.3 + 0.7 * funding) * (1.0 - inst.reform_stock)
        - p.reform_decay * inst.reform_stock
    )
