"""Community trust in the security forces (perceived legitimacy L).

Each community remembers abuses it saw and the protection it felt. Each month:

    visibility_r  = visibility_base + (1 - visibility_base) * cso_info_r
    harm_r        = abuses_r + collateral_weight * collateral_r / harm_per_abuse
    abuse hit_i   ~ Bernoulli(min(1, harm_r * visibility_r / (pop_r / 100k) / abuse_saturation))
    abuse_mem_i   = (1 - memory_decay) * abuse_mem_i + memory_decay * hit_i
    protect_mem_i = (1 - memory_decay) * protect_mem_i + memory_decay * control_r
    target_i      = base_i + protection_gain * (protect_mem_i - 0.5) - abuse_loss * abuse_mem_i
                    - extortion_loss * extortion_r - impunity_loss * (1 - enforcement)
    L_i          += adjustment_rate * (target_i - L_i)

Civilians harmed in the forces' operations (collateral harm) count like abuses of the
same toll: collateral harm raises anger and violence against the side that caused it
(Condra & Shapiro 2012; Bennett 2008), so it lowers trust and, through the abuse memory,
raises grievance and recruitment (:mod:`recruitment`).

The legitimacy that enters grievance is L_i plus the national ``state.legitimacy``
minus any abrupt regional shock (coups, termination), so shocks act at once.
Protection raises trust, abuses, extortion and impunity lower it (Mali-Mètre surveys,
Friedrich-Ebert-Stiftung, for the initial level: 69% trust in 2018).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.violence import ViolenceParams
from sim.paramtools import ParamGroup, param
from sim.world import World


class TrustParams(ParamGroup):
    """Trust in the security forces."""

    initial_mean: float = param(
        0.65,
        0,
        1,
        "index",
        "Mean initial trust of communities in the forces.",
        "Mali-Mètre (Friedrich-Ebert-Stiftung) 2018: 69% trust the armed forces",
        init_only=True,
    )
    initial_sd: float = param(
        0.15, 0, 0.5, "index", "Spread of initial trust across communities.", init_only=True
    )
    adjustment_rate: float = param(
        0.08,
        0,
        1,
        "per month",
        "Share of the gap to the experience-based target closed each month.",
    )
    memory_decay: float = param(
        0.15, 0, 1, "per month", "Weight of this month's experience in the memories."
    )
    protection_gain: float = param(0.25, 0, 2, "index", "Trust gained from full protection.")
    abuse_loss: float = param(
        0.8,
        0,
        2,
        "index",
        "Trust lost by a community that keeps witnessing abuses.",
        "Condra & Shapiro 2012; Bennett 2008",
    )
    extortion_loss: float = param(0.3, 0, 2, "index", "Trust lost at saturating extortion.")
    impunity_loss: float = param(0.1, 0, 2, "index", "Trust lost when misconduct goes unpunished.")
    abuse_saturation: float = param(
        3.0,
        0.01,
        1000,
        "abuses per 100,000 people per month",
        "Visible abuse rate at which every community witnesses one.",
    )
    extortion_saturation: float = param(
        20.0,
        0.01,
        1000,
        "events per 100,000 people per month",
        "Extortion rate at which extortion weighs fully on trust.",
    )
    collateral_weight: float = param(
        1.0,
        0,
        5,
        "abuse events per abuse-sized collateral toll",
        "Weight of civilians harmed in operations in the harm communities witness, "
        "relative to abuses of the same toll (0 = collateral harm leaves no memory).",
        "Condra & Shapiro 2012; Bennett 2008 (collateral harm feeds anger)",
    )
    visibility_base: float = param(
        0.4, 0, 1, "share", "Share of abuses that become known without CSO information."
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    trust: TrustParams
    violence: ViolenceParams


def step_trust(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Update abuse and protection memories and move trust toward its target."""
    p = params.trust
    c = world.communities
    flows = world.flows
    enforcement = world.institutions.enforcement
    reg = c.region
    pop_100k = world.geo.population / 1e5
    visibility = p.visibility_base + (1.0 - p.visibility_base) * world.csos.monitoring_r
    harm = flows.abuses_r + p.collateral_weight * flows.collateral_r / max(
        params.violence.harm_per_abuse, 1e-9
    )
    abuse_p = np.minimum(1.0, harm * visibility / pop_100k / p.abuse_saturation)
    hit = rng.random(len(reg)) < abuse_p[reg]
    d = p.memory_decay
    c.abuse_mem *= 1.0 - d
    c.abuse_mem += d * hit
    c.protect_mem *= 1.0 - d
    c.protect_mem += d * flows.control_r[reg]
    extortion = np.minimum(1.0, flows.extortion_r / pop_100k / p.extortion_saturation)
    target = (
        c.base_trust
        + p.protection_gain * (c.protect_mem - 0.5)
        - p.abuse_loss * c.abuse_mem
        - p.extortion_loss * extortion[reg]
        - p.impunity_loss * (1.0 - enforcement)
    )
    c.trust += p.adjustment_rate * (target - c.trust)
    np.clip(c.trust, 0.0, 1.0, out=c.trust)
