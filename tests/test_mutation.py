"""Facts that can fail: switching a mechanism off makes its check fail.

For each mechanism check of ``sim/validation/checks.py`` that ``docs/VALIDATION.md``
counts as validation, the check is run twice on a cheap configuration (300 communities,
20 paired replicates): as it is, where it must pass, and with its mechanism switched off
by a documented parameter value (:data:`MUTATIONS`), where it must fail. The conditions
are those of ``tests/test_validation.py``. Checks that hold by construction are listed in
:data:`BY_CONSTRUCTION` and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sim.validation import checks

CHEAP = {"community.count": 300}
N = 20


def peacekeepers_hold(eff) -> bool:
    """Fact 4: without peacekeepers, armed groups harm more civilians."""
    return eff["civilian_harm_by_armed_groups"].lo > 0


def collateral_holds(eff) -> bool:
    """Fact 3: more collateral harm raises support for armed groups and volunteers."""
    return eff["support_share"].lo > 0 and eff["volunteers"].lo > 0


def withdrawal_holds(eff) -> bool:
    """Fact 4 on the record: MINUSMA's withdrawal raises armed groups' harm in 2024-25."""
    return eff["civilian_harm_by_armed_groups_2024_25"].lo > 0


def termination_holds(eff) -> bool:
    """Facts 6 and 9: the termination re-arms the signatories and raises the north's violence."""
    return eff["fighters_signatory_2025_12"].lo > 0 and eff["incidents_north_2024_25"].lo > 0


def cso_restriction_holds(eff) -> bool:
    """Fact 8: suspending CSOs lowers detection."""
    return eff["detection"].hi < 0


MUTATIONS: dict[str, tuple[Callable, Callable, dict[str, float]]] = {
    "peacekeepers": (
        checks.peacekeepers,
        peacekeepers_hold,
        {"violence.peacekeeper_protection": 0.0},
    ),
    "collateral": (
        checks.collateral,
        collateral_holds,
        # every path from collateral harm to recruitment: the anger it leaves, the trust
        # it costs, and the control the forces lose (anger and trust alone leave a
        # smaller effect that still passes)
        {
            "recruitment.anger_weight": 0.0,
            "trust.collateral_weight": 0.0,
            "violence.harm_pressure": 0.0,
        },
    ),
    "peacekeeper_withdrawal": (
        checks.peacekeeper_withdrawal,
        withdrawal_holds,
        {"violence.peacekeeper_protection": 0.0},
    ),
    "termination": (
        checks.termination,
        termination_holds,
        # the event's own effects: the CMA's commitment collapse, defections to JNIM,
        # the legitimacy shock in the north (DDR still closes to the signatories)
        {
            "armed.commitment_after_termination": 1.0,
            "armed.defection_share": 0.0,
            "state.termination_legitimacy_shock": 0.0,
        },
    ),
    "cso_restriction": (
        checks.cso_restriction,
        cso_restriction_holds,
        {"oversight.detection_cso": 0.0},
    ),
}
"""Check -> (the check, its condition, the parameter values that switch its mechanism off)."""

BY_CONSTRUCTION: dict[str, str] = {
    "peacekeepers (forces' abuses unchanged)": "peacekeepers' protection acts only on "
    "armed groups' harm (sim/mechanisms/violence.py)",
    "oversight_without_will": "oversight strength is multiplied by political will",
    "cso_restriction": "CSO monitoring is a term of the detection hazard (the mutation "
    "test below shows the term matters, not that the record supports it)",
    "settlement_and_trust": "DDR entry is gated by the agreement and the guarantees",
    "termination (DDR returns)": "the termination closes DDR to the signatories, so "
    "reintegrated ex-combatants' returns rise whatever the commitment",
}
"""Checks (or parts) that hold by construction: documented, not counted as validation."""


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_switching_the_mechanism_off_makes_its_check_fail(name):
    check, holds, off = MUTATIONS[name]
    # given the check on the cheap configuration: it passes
    with checks.mutated(CHEAP):
        assert holds(check(n=N)), f"{name} should hold with its mechanism on"
    # when the mechanism is switched off by its documented parameter value
    with checks.mutated({**CHEAP, **off}):
        eff = check(n=N)
    # then the same condition fails
    assert not holds(eff), f"{name} still passes with {off}: it cannot fail"
