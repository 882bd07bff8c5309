"""Community trust in the security forces (perceived legitimacy L).

Each community remembers the harm it saw the forces do and the protection it felt. Each
month, with exposures per 100,000 people of the region:

    visibility_r  = visibility_base + (1 - visibility_base) * cso_info_r
    harm_r        = abuses_r + collateral_weight * collateral_r / harm_per_abuse
                    + complicity_weight * state_tolerance * militia harm_r / harm_per_abuse
    local_r       = harm_r * visibility_r / (pop_r / 100k) / targeted_r
    national      = sum_r harm_r * visibility_r / (pop / 100k)          (news of the country)
    exposure_i    = 1 - exp(-local_r / abuse_saturation)
                    for communities not siding with militias (0 for those that do)
    abuse hit_i   ~ Bernoulli(exposure_i)
    abuse_mem_i   = (1 - memory_decay) * abuse_mem_i + memory_decay * hit_i       (anger)
    dose_i        = ((1 - news_reach) * local_r + news_reach * national) / harm_reference
    harm_mem_i    = (1 - memory_decay) * harm_mem_i + memory_decay * log(1 + dose_i)
    insecurity_r  = 1 - exp(-armed-group harm_r / (pop_r / 100k) / insecurity_saturation)
    protect_mem_i = (1 - memory_decay) * protect_mem_i + memory_decay * control_r * (1 - insecurity_r)
    z_i           = logit(base_i) + protection_gain * (protect_mem_i - 0.5)
                    - abuse_loss * harm_mem_i - extortion_loss * extortion_r
                    - impunity_loss * (1 - enforcement)
    target_i      = 1 / (1 + exp(-z_i))
    L_i          += adjustment_rate * (target_i - L_i)

The experiences shift the log-odds of trust, not trust itself, and the harm is felt as
the logarithm of its dose (each doubling of the harm costs the same log-odds,
``abuse_loss * log 2`` once remembered): a community's trust never pins at 0 or 1, so
more harm lowers it wherever it is. The earlier additive rule, with a saturating chance
of witnessing an abuse, drove the trust of the north to 0, after which more abuses
changed nothing, and left the south, where abuses are rare, untouched. The Bernoulli
abuse memory still drives anger (grievance, :mod:`recruitment`). News of the forces' abuses travels beyond the
region (``news_reach``): massacres such as Moura (2022-03) were national news.

Civilians harmed in the forces' operations (collateral harm) count like abuses of the
same toll: collateral harm raises anger and violence against the side that caused it
(Condra & Shapiro 2012; Bennett 2008), so it lowers trust and, through the abuse memory,
raises grievance and recruitment (:mod:`recruitment`). Reprisals by communal militias
the state tolerates count against the state too, in proportion to its tolerance. Where
militias arose, the harm falls on the communities that do not side with them
(``targeted_r``, their share of the region's people): the army's and the militias'
violence in the centre targeted Fulani communities (HRW 2018, 2020), feeding the
jihadists' recruitment there.
Protection is felt where the state holds the ground and armed groups do not harm
civilians. Victimisation by one side lowers support for that side (Lyall, Blair & Imai
2013, a survey experiment in Afghanistan); the sizes here are assumptions with bounds
to sweep (no survey gives Mali's elasticity of trust to abuses).

The legitimacy that enters grievance is L_i plus the national ``state.legitimacy``
minus any abrupt regional shock (coups, termination), so shocks act at once.
Initial level: Mali-Mètre surveys (Friedrich-Ebert-Stiftung): 69% trust in 2018;
Afrobarometer round 8 (2020): 82% trust the army at least somewhat.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.militias import MilitiaParams
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
    protection_gain: float = param(
        3.5,
        0,
        6,
        "log-odds",
        "Log-odds of trust gained from full protection (relative to half protection).",
        "assumption; sweep 1-5",
    )
    abuse_loss: float = param(
        1.0,
        0,
        8,
        "log-odds",
        "Log-odds of trust lost per unit of remembered log-dose of harm by the forces.",
        "assumption; direction from Lyall, Blair & Imai 2013 (survey experiment: harm by a "
        "side lowers support for it), Condra & Shapiro 2012; sweep 0.3-2",
    )
    extortion_loss: float = param(
        1.0,
        0,
        4,
        "log-odds",
        "Log-odds of trust lost at saturating extortion.",
        "assumption; sweep 0.3-2",
    )
    impunity_loss: float = param(
        0.2,
        0,
        2,
        "log-odds",
        "Log-odds of trust lost when misconduct goes unpunished.",
        "assumption; sweep 0-1",
    )
    news_reach: float = param(
        0.2,
        0,
        1,
        "share",
        "Weight of the country's harm rate (national news) in the harm a community "
        "witnesses, against its own region's (1 - news_reach).",
        "assumption; sweep 0-0.3 (Moura, 2022-03, was national news)",
    )
    harm_reference: float = param(
        0.01,
        0.001,
        100,
        "harm events known per 100,000 people per month",
        "Known harm by the forces at which its felt dose is 1 (log(1 + dose) = 0.69).",
        "assumption; sweep 0.002-0.05",
    )
    abuse_saturation: float = param(
        0.3,
        0.01,
        1000,
        "abuses per 100,000 people per month",
        "Visible abuse rate at which 63% of communities witness one in a month.",
        "assumption; sweep 0.05-1 (news of an abuse travels beyond its village)",
    )
    insecurity_saturation: float = param(
        2.0,
        0.01,
        1000,
        "persons per 100,000 people per month",
        "Armed-group harm to civilians at which 63% of the protection felt is lost.",
        "assumption",
    )
    complicity_weight: float = param(
        1.0,
        0,
        5,
        "abuse events per abuse-sized toll",
        "Weight of reprisals by militias the state tolerates in the harm blamed on the "
        "state (scaled by militias.state_tolerance).",
        "assumption; HRW 2020 (militias seen as acting with the state's consent)",
    )
    extortion_saturation: float = param(
        10.0,
        0.01,
        1000,
        "events per 100,000 people per month",
        "Extortion rate at which extortion weighs fully on trust.",
        "assumption; Afrobarometer 2020: 53% see most police as corrupt (extortion widely felt)",
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
    militias: MilitiaParams


def harm_blamed(world: World, params: Needs) -> np.ndarray:
    """Harm blamed on the forces per region, in abuse events (abuses, collateral, complicity)."""
    p = params.trust
    flows = world.flows
    per_abuse = max(params.violence.harm_per_abuse, 1e-9)
    tolerated = p.complicity_weight * params.militias.state_tolerance * world.militias.harm_r
    return flows.abuses_r + (p.collateral_weight * flows.collateral_r + tolerated) / per_abuse


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-3, 1.0 - 1e-3)
    return np.log(x / (1.0 - x))


def known_harm(world: World, params: Needs) -> tuple[np.ndarray, np.ndarray]:
    """Harm by the forces seen in each community's region, and known to it with the news.

    Both per 100,000 people a month, per community (0 for communities siding with militias).
    """
    p = params.trust
    c = world.communities
    reg = c.region
    pop_100k = world.geo.population / 1e5
    visibility = p.visibility_base + (1.0 - p.visibility_base) * world.csos.monitoring_r
    seen = harm_blamed(world, params) * visibility
    # in the centre the harm falls on the communities that do not side with the militias
    targeted = np.bincount(reg, weights=c.people * ~c.militia_side, minlength=len(pop_100k))
    targeted_share = np.maximum(targeted / c.people_r, 0.05)
    local = seen / pop_100k / targeted_share
    national = seen.sum() / pop_100k.sum()
    known = (1.0 - p.news_reach) * local + p.news_reach * national
    return np.where(c.militia_side, 0.0, local[reg]), np.where(c.militia_side, 0.0, known[reg])


def step_trust(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Update abuse and protection memories and move trust toward its target."""
    p = params.trust
    c = world.communities
    flows = world.flows
    enforcement = world.institutions.enforcement
    reg = c.region
    pop_100k = world.geo.population / 1e5
    local, known = known_harm(world, params)
    hit = rng.random(len(reg)) < 1.0 - np.exp(-local / p.abuse_saturation)
    insecurity = 1.0 - np.exp(-flows.civ_harm_armed_r / pop_100k / p.insecurity_saturation)
    d = p.memory_decay
    c.abuse_mem *= 1.0 - d
    c.abuse_mem += d * hit
    c.harm_mem *= 1.0 - d
    c.harm_mem += d * np.log1p(known / p.harm_reference)
    c.protect_mem *= 1.0 - d
    c.protect_mem += d * (flows.control_r * (1.0 - insecurity))[reg]
    extortion = np.minimum(1.0, flows.extortion_r / pop_100k / p.extortion_saturation)
    z = (
        _logit(c.base_trust)
        + p.protection_gain * (c.protect_mem - 0.5)
        - p.abuse_loss * c.harm_mem
        - p.extortion_loss * extortion[reg]
        - p.impunity_loss * (1.0 - enforcement)
    )
    c.trust += p.adjustment_rate * (1.0 / (1.0 + np.exp(-z)) - c.trust)
    np.clip(c.trust, 0.0, 1.0, out=c.trust)
