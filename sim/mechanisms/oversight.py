"""Oversight: detection of misconduct and its enforcement.

Detection in a region is a hazard summing a base rate, the national oversight bodies
(national SSR council, inspectorates, parliament, justice) and the CSOs monitoring that
region. Enforcement (sanctions) needs political will: oversight bodies can find
misconduct, but without will little is punished (the Citizens' Alliance for SSR
mid-term evaluation, 2024-03: 2 of 41 planned activities completed; the seed
documents on the stalled reform).

    strength  = clip(oversight.strength + cso_inclusion_weight * included_cso + reform_weight * reform)
                * (military_oversight if the regime is military else 1)
    effective = strength * (will_floor + (1 - will_floor) * political_will)

Political will is the state's (``institutions.political_will``, :mod:`state`). A military
regime suspends parliament's oversight (Mali's National Assembly replaced by an
appointed transitional council after 2020) and so weakens the oversight bodies.
    detection_r = 1 - exp(-(detection_base + detection_oversight * effective
                            + detection_cso * monitoring_r))
    enforcement = enforcement_max * effective
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.state import StateParams
from sim.paramtools import ParamGroup, param
from sim.world import World


class OversightParams(ParamGroup):
    """Oversight bodies, detection and enforcement."""

    strength: float = param(
        0.35,
        0,
        1,
        "index",
        "Institutional capacity of oversight bodies (SSR council, inspectorates, parliament, justice).",
        "Synthesis: Security Sector Reform Process in Mali (Bagayoko): institutions created, weak",
    )
    will_floor: float = param(
        0.15, 0, 1, "share", "Share of oversight that works with no political will at all."
    )
    cso_inclusion_weight: float = param(
        0.25,
        0,
        1,
        "index",
        "Oversight strength added by CSOs included in the security consultative committees.",
        "ISS: 'Civil society needs a role in Mali's security reforms'",
    )
    reform_weight: float = param(
        0.3, 0, 1, "index", "Oversight strength added by the accumulated reform stock."
    )
    detection_base: float = param(
        0.05, 0, 5, "hazard per month", "Detection of misconduct with no oversight and no CSOs."
    )
    detection_oversight: float = param(
        0.8, 0, 5, "hazard per month", "Detection added by fully effective oversight bodies."
    )
    detection_cso: float = param(
        1.2, 0, 5, "hazard per month", "Detection added by full CSO monitoring in a region."
    )
    military_oversight: float = param(
        0.6,
        0,
        1,
        "multiplier",
        "Oversight strength left under a military regime (no elected parliament).",
        "assumption; Bagayoko's synthesis (parliamentary oversight weak even before 2020)",
    )
    enforcement_max: float = param(
        0.8,
        0,
        1,
        "probability",
        "Probability that detected misconduct is sanctioned at full oversight.",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    oversight: OversightParams
    state: StateParams


def step_oversight(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Set oversight strength and effectiveness, detection (per region) and enforcement."""
    p = params.oversight
    cso = world.csos
    inst = world.institutions
    included = cso.active & cso.included
    included_cso = float(cso.capacity[included].sum() / max(len(cso.capacity), 1))
    strength = np.clip(
        p.strength + p.cso_inclusion_weight * included_cso + p.reform_weight * inst.reform_stock,
        0.0,
        1.0,
    )
    if inst.regime == "military":
        strength *= p.military_oversight
    will = inst.political_will
    inst.oversight_strength = float(strength)
    inst.oversight = float(strength * (p.will_floor + (1.0 - p.will_floor) * will))
    inst.detection = 1.0 - np.exp(
        -(
            p.detection_base
            + p.detection_oversight * inst.oversight
            + p.detection_cso * cso.monitoring_r
            + world.policy.oversight_r
        )
    )
    inst.enforcement = p.enforcement_max * inst.oversight
