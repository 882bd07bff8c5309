"""Events: each changes the world at its step in the direction its meaning states."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import SEEDS, SMALL, events, replicate, small_model

from sim import Params, SSRModel
from sim.events import EVENT_KINDS, Event, EventError, make_event
from sim.mechanisms.donors import contribution
from sim.params import INIT_ONLY, spec

STEPS = 36
AT = 12
"""Events fire at month 12 of a 36-month run; effects are measured from month 12 on."""


def logged(model: SSRModel) -> list[tuple[int, str]]:
    """(step, kind) of every event the model applied, in order."""
    return [(e.step, e.kind) for e in model.event_log]


def _after(col: str):
    """Mean of an indicator from the event's month on."""
    return lambda df: float(df.loc[df["step"] >= AT, col].mean())


QUIET = {"state.coup_base_hazard": 0.0}
"""No endogenous coup (which also cuts conditional donors) in either arm of a contrast."""


def _contrast(col: str, kind: str, options: dict | None = None, overrides=None):
    """(without, with) the event, one value per replicate seed (no endogenous coups)."""
    overrides = {**QUIET, **(overrides or {})}
    spec = [(AT, kind, options)] if options else [(AT, kind)]
    return (
        replicate(_after(col), STEPS, overrides),
        replicate(_after(col), STEPS, overrides, spec),
    )


# --------------------------------------------------------------------- timing
def test_given_scheduled_events_when_running_then_each_fires_at_its_step_and_is_logged():
    model = small_model(
        1,
        evs=events((5, "coup"), (3, "launch_ddr"), (9, "suspend_csos"), (9, "include_csos")),
    )
    model.run(4)
    assert logged(model) == [(3, "launch_ddr")]
    assert model.world.institutions.regime == "civilian"
    model.run(8)
    assert logged(model) == [
        (3, "launch_ddr"),
        (5, "coup"),
        (9, "suspend_csos"),
        (9, "include_csos"),
    ]
    assert model.world.institutions.regime == "military"
    assert model.ddr_active


def test_given_labelled_events_with_options_when_applied_then_the_log_keeps_them_whole():
    # given a labelled event with options and an unlabelled one
    launch = make_event(2, "launch_ddr", {"scope": "pro_government"})
    launch.label = "DDR for the Platform"
    model = small_model(1, evs=[launch, make_event(3, "pause_ddr")])
    # when the model runs past them
    model.run(3)
    # then the log holds the applied events with month, kind, options and label
    first, second = model.event_log
    assert isinstance(first, Event) and first is launch
    assert (first.step, first.kind, first.label) == (2, "launch_ddr", "DDR for the Platform")
    assert first.options == {"scope": "pro_government"}
    assert (second.step, second.kind, second.options, second.label) == (3, "pause_ddr", {}, "")


def test_given_an_event_scheduled_before_the_first_month_when_applied_then_logged_at_month_one():
    model = small_model(1, evs=[make_event(0, "coup")])
    model.run(1)
    assert logged(model) == [(1, "coup")]


def test_given_a_set_event_when_its_step_comes_then_the_parameter_changes_from_that_step():
    model = small_model(
        2, evs=events((5, "set", {"parameter": "state.political_will", "value": 0.9}))
    )
    model.run(8)
    will = model.indicator_frame()["political_will"].to_numpy()
    # the state's will drifts toward the new anchor from that step on, not before
    assert (will[:4] < 0.5).all()
    assert (np.diff(will[4:]) > 0).all()
    assert model.p.get("state.political_will") == 0.9


def test_given_a_set_event_when_it_fires_then_only_this_models_parameters_change():
    params = Params()
    model = SSRModel(
        params,
        rng=3,
        overrides=SMALL,
        events=events((1, "set", {"parameter": "violence.abuse_rate", "value": 7.5})),
    )
    model.run(1)
    assert model.p.violence.abuse_rate == 7.5
    assert params.violence.abuse_rate != 7.5


# --------------------------------------------------------------------- civil society
def test_given_csos_suspended_when_running_then_detection_and_cso_capacity_fall():
    det_open, det_suspended = _contrast("detection", "suspend_csos")
    cap_open, cap_suspended = _contrast("cso_capacity", "suspend_csos")
    assert det_suspended.max() < det_open.min()
    assert cap_suspended.max() < cap_open.min()


def test_given_csos_suspended_when_the_event_fires_then_only_foreign_funded_ones_stop():
    model = small_model(4, {"cso.per_region": 6}, events((2, "suspend_csos")))
    model.run(2)
    s = model.world.csos
    assert s.foreign.any() and (~s.foreign).any()
    assert not s.active[s.foreign].any()
    assert s.active[~s.foreign].all()
    assert model.world.institutions.cso_policy == "suspended"


def test_given_csos_included_when_running_then_oversight_rises():
    excluded, included = _contrast("oversight", "include_csos")
    assert included.min() > excluded.max()


def test_given_csos_restricted_when_running_then_detection_falls():
    open_, restricted = _contrast("detection", "restrict_csos")
    assert restricted.mean() < open_.mean()


# --------------------------------------------------------------------- peacekeepers
def test_given_peacekeepers_withdraw_when_running_then_armed_group_harm_rises():
    # given the same seeds with and without the mission leaving over 6 months at month 12
    stay, leave = _contrast("civilian_harm_by_armed_groups", "peacekeepers_withdraw")
    # then armed groups harm more civilians
    assert leave.mean() > 1.1 * stay.mean()


def test_given_peacekeepers_withdraw_when_running_then_abuses_by_forces_do_not_fall():
    stay, leave = _contrast("abuses_by_forces", "peacekeepers_withdraw")
    # peacekeepers do not restrain the state: no fall beyond sampling noise
    noise = 3 * np.sqrt(stay.var(ddof=1) / len(stay) + leave.var(ddof=1) / len(leave))
    assert leave.mean() >= stay.mean() - noise


def test_given_peacekeepers_withdraw_over_months_when_done_then_none_remain():
    model = small_model(5, evs=events((3, "peacekeepers_withdraw", {"months": 4})))
    model.run(12)
    pk = model.indicator_frame()["peacekeepers"].to_numpy()
    # steps 3-6 are the four months of withdrawal: a steady fall to zero by step 6
    assert pk[1] > 0
    assert np.all(np.diff(pk[1:6]) < 0)
    assert (pk[5:] == 0).all()


# --------------------------------------------------------------------- donors and regimes
def test_given_a_coup_when_it_happens_then_conditional_funding_and_political_will_fall():
    model = small_model(6, evs=events((AT, "coup")))
    model.run(STEPS)
    df = model.indicator_frame().set_index("step")
    assert df.loc[AT, "donor_funding"] < df.loc[AT - 1, "donor_funding"]
    assert df.loc[AT, "political_will"] < df.loc[AT - 1, "political_will"]
    assert (df.loc[AT:, "donor_funding"] < df.loc[AT - 1, "donor_funding"]).all()
    civilian, coup = _contrast("donor_funding", "coup")
    assert coup.max() < civilian.min()
    will_civilian, will_coup = _contrast("political_will", "coup")
    assert will_coup.max() < will_civilian.min()


def test_given_a_partner_arrives_when_running_then_funding_and_abuses_rise():
    alone, partner = _contrast("donor_funding", "partner_arrives")
    assert partner.min() > alone.max()
    abuses_alone, abuses_partner = _contrast("abuses_by_forces", "partner_arrives")
    assert abuses_partner.mean() > abuses_alone.mean()


def test_given_a_partner_after_a_coup_when_running_then_its_money_is_not_cut():
    model = small_model(7, evs=events((2, "coup"), (3, "partner_arrives")))
    model.run(4)
    partner = next(d for d in model.donors if d.kind == "partner")
    assert partner.active
    assert partner.cut == 0.0
    assert contribution(model.world, model.p.donors, partner.index) == model.p.donors.partner_budget


@pytest.mark.parametrize(
    "options",
    [{}, {"donor": "EU", "share": 0.5}, {"donor": "France", "share": 1.0}],
)
def test_given_a_donor_withdrawal_when_running_then_funding_falls(options: dict):
    before, after = _contrast("donor_funding", "donor_withdrawal", options or None)
    assert after.max() < before.min()


def test_given_a_full_withdrawal_of_conditional_donors_then_no_conditional_money_flows():
    model = small_model(8, evs=events((2, "donor_withdrawal")))
    model.run(3)
    assert model.indicator_frame()["donor_funding"].tolist()[1:] == [0.0, 0.0]


def test_given_ddr_paused_when_running_then_registrations_stop():
    model = small_model(9, {"ddr.max_uptake": 0.1}, events((1, "launch_ddr"), (10, "pause_ddr")))
    model.run(24)
    reg = model.indicator_frame().set_index("step")["ddr_registered"]
    assert reg.loc[9] > 0
    assert (reg.loc[9:] == reg.loc[9]).all()


# --------------------------------------------------------------------- validation
def test_given_an_unknown_event_kind_when_making_it_then_a_suggestion_is_given():
    with pytest.raises(EventError) as err:
        make_event(3, "cuop")
    assert err.value.key == "kind"
    assert "did you mean 'coup'" in err.value.message
    for kind in EVENT_KINDS:
        assert kind in err.value.message


def test_given_bad_event_options_when_making_them_then_the_option_is_named():
    with pytest.raises(EventError) as err:
        make_event(3, "peacekeepers_withdraw", {"months": 0})
    assert err.value.key == "months"
    with pytest.raises(EventError) as err:
        make_event(3, "launch_ddr", {"scope": "everyone"})
    assert err.value.key == "scope"
    with pytest.raises(EventError) as err:
        make_event(3, "coup", {"severity": 2})
    assert err.value.key == "severity"


def test_given_a_set_event_with_a_bad_value_when_making_it_then_the_option_and_bounds_are_named():
    with pytest.raises(EventError) as err:
        make_event(3, "set", {"parameter": "ddr.incentive", "value": 3.0})
    assert err.value.key == "parameter"
    assert "[0, 1]" in err.value.message
    with pytest.raises(EventError) as err:
        make_event(3, "set", {"parameter": "ddr.incentiv", "value": 0.5})
    assert err.value.key == "parameter"
    assert "did you mean 'ddr.incentive'" in err.value.message


def test_given_a_set_event_on_a_set_up_parameter_when_making_it_then_it_is_refused():
    for name in sorted(INIT_ONLY):
        value = spec(name).default
        with pytest.raises(EventError) as err:
            make_event(3, "set", {"parameter": name, "value": value})
        assert err.value.key == "parameter"
        assert name in err.value.message


def test_every_event_kind_can_be_applied_to_a_running_model():
    for kind in EVENT_KINDS:
        options = {"parameter": "ddr.incentive", "value": 0.5} if kind == "set" else None
        model = small_model(SEEDS[0], evs=[make_event(2, kind, options)])
        model.run(3)
        assert logged(model) == [(2, kind)]
