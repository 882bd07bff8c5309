"""The state's institutions: political will, legitimacy and the reform stock.

Political will and national legitimacy are parameters so that scenarios can change them
with ``set`` events; coups and the agreement's termination apply abrupt legitimacy
shocks that fade with ``state.shock_recovery`` (Epstein 2002: sudden shocks matter more
than gradual decline).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.mechanisms.donors import DonorParams
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
    coup_will_change: float = param(
        -0.10, -1, 1, "index", "Change of political will for the reform agenda at a coup."
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


def step_institutions(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Fade abrupt shocks and grow or erode the reform stock."""
    p = params.state
    inst = world.institutions
    inst.legit_shock *= 1.0 - p.shock_recovery  # one entry per region
    funding = min(1.0, world.funds.reform / max(params.donors.reform_need, 1e-9))
    inst.reform_stock += (
        p.reform_rate * p.political_will * (0.3 + 0.7 * funding) * (1.0 - inst.reform_stock)
        - p.reform_decay * inst.reform_stock
    )
