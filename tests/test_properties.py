"""Properties that hold for any valid parameter values and any events.

Hypothesis draws a handful of parameters from their declared bounds (and a few events);
whatever it draws, the model's outputs must stay finite, shares must stay shares,
counts non-negative and the cumulative DDR counters non-decreasing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import SSRModel
from sim.events import EVENT_KINDS, Event, make_event
from sim.indicators import INDICATORS
from sim.params import INIT_ONLY, ParamSpec, param_specs

SHARES = (
    "trust",
    "corruption",
    "oversight",
    "reform_index",
    "hr_trained_share",
    "state_control",
    "cso_capacity",
    "detection",
    "support_share",
    "cooperation_share",
    "political_will",
    "agreement_active",
)
CUMULATIVE = ("ddr_registered", "ddr_disarmed", "ddr_reintegrated", "ddr_integrated", "ddr_rearmed")
REGION_SHARES = ("trust", "state_control", "support_share", "cso_monitoring", "detection")

SIZE_CAPS = {"community.count": 400, "forces.units_per_region": 6, "cso.per_region": 6}
"""Upper limits for the parameters that set how many agents exist (keeps examples fast)."""

DRAWABLE: list[ParamSpec] = list(param_specs())


def _value(s: ParamSpec) -> st.SearchStrategy[Any]:
    """Values inside a parameter's declared bounds."""
    if s.kind is bool:
        return st.booleans()
    if s.kind is int:
        return st.integers(int(s.lo), int(min(s.hi, SIZE_CAPS.get(s.name, s.hi))))
    return st.floats(s.lo, s.hi, allow_nan=False, allow_infinity=False)


@st.composite
def overrides(draw: st.DrawFn) -> dict[str, Any]:
    """A handful of parameters at random valid values, on a small model."""
    chosen = draw(
        st.lists(st.sampled_from(DRAWABLE), min_size=1, max_size=6, unique_by=lambda s: s.name)
    )
    out: dict[str, Any] = {"community.count": 150}
    for s in chosen:
        out[s.name] = draw(_value(s))
    return out


SETTABLE = [s for s in DRAWABLE if s.name not in INIT_ONLY]
"""Parameters a ``set`` event may change while the model runs."""


@st.composite
def event_list(draw: st.DrawFn, steps: int) -> list[Event]:
    """Zero to three events at random months, ``set`` events with random valid values."""
    kinds = sorted(EVENT_KINDS)
    out = []
    for _ in range(draw(st.integers(0, 3))):
        step, kind = draw(st.integers(1, steps)), draw(st.sampled_from(kinds))
        options = None
        if kind == "set":
            s = draw(st.sampled_from(SETTABLE))
            options = {"parameter": s.name, "value": draw(_value(s))}
        out.append(make_event(step, kind, options))
    return out


def _check_indicators(model: SSRModel) -> None:
    df = model.indicator_frame()
    values = df[list(INDICATORS)].astype(float)
    assert np.isfinite(values.to_numpy()).all(), values.columns[~np.isfinite(values).all()].tolist()
    assert (values >= 0).all().all(), values.columns[(values < 0).any()].tolist()
    shares = values[list(SHARES)]
    assert (shares <= 1.0).all().all(), shares.columns[(shares > 1.0).any()].tolist()
    for col in CUMULATIVE:
        assert (df[col].diff().dropna() >= 0).all(), col
    assert (df["ddr_registered"] >= df["ddr_disarmed"]).all()
    assert (df["ddr_disarmed"] >= df["ddr_reintegrated"] + df["ddr_integrated"]).all()

    regions = model.region_frame()
    numbers = regions.drop(columns=["step", "date", "region"]).astype(float)
    assert np.isfinite(numbers.to_numpy()).all()
    assert (numbers >= 0).all().all()
    assert (numbers[list(REGION_SHARES)] <= 1.0).all().all()


def _check_state(model: SSRModel) -> None:
    """Agent-level state stays in range too."""
    c, f, s = model.world.communities, model.world.forces, model.world.csos
    for arr in (c.trust, c.grievance, c.abuse_mem, c.protect_mem, c.hardship):
        assert np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= 1
    for arr in (f.compliance, f.corruption, f.trained, f.capacity, f.effective_capacity):
        assert np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= 1
    assert (f.size >= 0).all()
    if len(s.capacity):
        assert s.capacity.min() >= 0 and s.capacity.max() <= 1
    assert model.world.armed.fighters.min() >= 0
    for stock in (
        model.world.ddr.registered,
        model.world.ddr.disarmed,
        model.world.ddr.reintegrated,
    ):
        assert stock.min() >= 0
    assert (model.world.armed.commitment >= 0).all() and (model.world.armed.commitment <= 1).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ov=overrides(), steps=st.integers(12, 24), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_given_any_valid_parameters_and_events_when_running_then_outputs_stay_in_range(
    ov: dict[str, Any], steps: int, seed: int, data: st.DataObject
):
    # given random valid parameters and a few events
    evs = data.draw(event_list(steps))
    model = SSRModel(rng=seed, overrides=ov, events=evs)
    # when the model runs
    model.run(steps)
    # then indicators and agent state are finite and in range
    _check_indicators(model)
    _check_state(model)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ov=overrides())
def test_given_any_valid_parameters_when_running_twice_then_results_are_identical(
    seed: int, ov: dict[str, Any]
):
    a = SSRModel(rng=seed, overrides=ov)
    b = SSRModel(rng=seed, overrides=ov)
    a.run(12)
    b.run(12)
    assert a.indicator_frame().equals(b.indicator_frame())
