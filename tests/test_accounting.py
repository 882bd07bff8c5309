"""Every person accounted for: invariants over random parameters and events.

Each month, in every region, each stock of people (civilians, fighters, force
personnel, the cantoned, the dead) changes by exactly its named inflows minus its
named outflows (:data:`sim.mechanisms.population.BALANCE`); people moving between
regions arrive as many as leave; fighters and militia fighters never exceed a region's
military-age men;
integrated ex-combatants never exceed their unit; only people who disarmed can go
back to arms; the displaced (people who fled violence) are never negative; and no flow
is negative.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_helpers import events
from test_properties import event_list, overrides

from sim import SSRModel
from sim.mechanisms.population import MOVES, balance_residual, stocks
from sim.world import PeopleFlows


def check_month(model: SSRModel, before: np.ndarray) -> None:
    """The accounting invariants after one month (``before``: the stocks a month earlier)."""
    w = model.world
    flows = w.people_flows
    for f in fields(PeopleFlows):
        assert getattr(flows, f.name).min() >= 0, f"negative flow {f.name}"
    residual = balance_residual(before, stocks(w), flows)
    assert not residual.any(), residual
    for arrive, leave in MOVES:
        assert getattr(flows, arrive).sum() == getattr(flows, leave).sum(), (arrive, leave)
    assert (w.armed.fighters.sum(axis=0) + w.militias.fighters_r <= w.people.men_r).all()
    assert (w.forces.integrated <= w.forces.size).all()
    assert (w.forces.integrated >= 0).all()
    assert (w.ddr.cum_rearmed <= w.ddr.cum_disarmed).all()
    assert (w.people.in_ddr_gr >= 0).all() and (w.people.reintegrated_gr >= 0).all()
    assert (w.communities.people >= 0).all()
    c = w.communities  # whole persons, and the regions' civilians kept exactly in step
    assert np.array_equal(c.people, np.rint(c.people))
    assert np.array_equal(c.people_r, np.bincount(c.region, weights=c.people, minlength=w.geo.n))
    assert (w.people.displaced_r >= 0).all()


def run_checked(model: SSRModel, months: int) -> None:
    """Step ``months`` months, checking every stock's change against its named flows."""
    for _ in range(months):
        before = stocks(model.world)
        model.step()
        check_month(model, before)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ov=overrides(), steps=st.integers(6, 18), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_given_any_parameters_and_events_when_running_then_every_person_is_accounted_for(
    ov: dict[str, Any], steps: int, seed: int, data: st.DataObject
):
    # given random valid parameters and a few events (DDR open from the start, so that
    # the pipeline's flows are exercised)
    evs = data.draw(event_list(steps))
    model = SSRModel(rng=seed, overrides={**ov, "ddr.active_at_start": True}, events=evs)
    # when the model runs month by month, then every stock changes by its named flows
    # and the invariants hold
    run_checked(model, steps)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    recruit=st.floats(0.01, 0.1),
    uptake=st.floats(0.2, 1.0),
    dropout=st.floats(0.0, 1.0),
)
def test_given_extreme_recruitment_and_ddr_when_running_then_the_accounts_still_balance(
    seed: int, recruit: float, uptake: float, dropout: float
):
    # given recruitment and DDR pushed to their bounds, and the agreement ending mid-run
    ov = {
        "community.count": 150,
        "recruitment.recruit_rate": recruit,
        "ddr.active_at_start": True,
        "ddr.max_uptake": uptake,
        "ddr.dropout_rate": dropout,
        "ddr.cantonment_capacity": 5000.0,
        "ddr.rearm_rate": 0.5,
    }
    model = SSRModel(rng=seed, overrides=ov, events=events((8, "terminate_agreement")))
    run_checked(model, 16)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    flight=st.floats(0.0, 0.5),
    back=st.floats(0.0, 1.0),
    scale=st.floats(0.01, 50.0),
)
def test_given_extreme_flight_and_return_when_running_then_the_displaced_balance(
    seed: int, flight: float, back: float, scale: float
):
    # given civilians fleeing and returning at rates up to their bounds
    ov = {
        "community.count": 150,
        "displacement.flight_rate": flight,
        "displacement.return_rate": back,
        "displacement.danger_scale": scale,
    }
    model = SSRModel(rng=seed, overrides=ov)
    # when the model runs month by month, then the flows "fled" and "returned" account for
    # every change of the displaced and of the civilians, region by region
    run_checked(model, 14)
