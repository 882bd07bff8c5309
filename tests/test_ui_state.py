"""The workshop app's logic, without a browser (sim.ui.state)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from sim.calendar import step_of
from sim.events import EventError
from sim.indicators import CONTRACT
from sim.params import INIT_ONLY, ParamError, spec
from sim.scenario import load_scenario, scenario_library
from sim.ui import controls as ct
from sim.ui import exports, live
from sim.ui import state as st

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def session() -> st.Session:
    return st.Session()


def test_new_session_starts_the_baseline_at_step_zero_with_its_seed(session):
    baseline = load_scenario(scenario_library() / "baseline.toml")
    assert session.scenario_name == "baseline.toml"
    assert session.step_count == 0
    assert session.seed == baseline.seed
    assert session.horizon == baseline.steps
    assert session.frame().empty
    assert session.agreement_active() == 1
    assert "0 of 120" in session.status()


def test_scenario_picker_offers_exactly_the_valid_library_files_with_descriptions(session):
    files = sorted(p.name for p in scenario_library().glob("*.toml"))
    assert sorted(session.scenarios) == files
    for name, sc in session.scenarios.items():
        assert sc.description, name


def test_step_advances_one_month_and_collects_every_indicator(session):
    assert session.step()
    df = session.frame()
    assert list(df["step"]) == [1]
    assert df["date"].iloc[0] == session.scenario.start
    assert set(CONTRACT) <= set(df.columns)
    assert session.status().startswith(session.scenario.start)


def test_step_stops_at_the_scenario_horizon(session):
    session.step(session.horizon + 5)
    assert session.step_count == session.horizon
    assert session.finished
    assert session.step() is False
    assert session.step_count == session.horizon


def test_slider_change_is_stored_then_reset_builds_the_model_with_it(session):
    # given a slider moved to a new value
    session.step(3)
    session.set_param("ddr.incentive", 0.9)
    # then it waits for Reset and the running model is untouched
    assert session.pending
    assert session.model.p.get("ddr.incentive") == spec("ddr.incentive").default
    # when Reset is pressed
    session.reset()
    # then a fresh model uses the slider value
    assert session.step_count == 0
    assert not session.pending
    assert session.model.p.get("ddr.incentive") == 0.9
    assert session.built_overrides() == {"ddr.incentive": 0.9}


def test_slider_values_outside_the_schema_bounds_are_refused(session):
    for name in [n for names in ct.THEMES.values() for n in names]:
        sl = ct.slider(name)
        s = spec(name)
        assert s.lo <= sl.lo < sl.hi <= s.hi, name
        assert f"From {ct.num(sl.lo)} to {ct.num(sl.hi)}" in sl.help, name
        assert f"usually {ct.num(s.default)}" in sl.help, name
        with pytest.raises(ParamError):
            session.set_param(name, sl.hi + 1)
        with pytest.raises(ParamError):
            session.set_param(name, sl.lo - 1)
    with pytest.raises(ParamError):
        session.set_param("no.such_param", 1.0)


def test_every_slider_has_a_usable_step_and_starts_at_the_scenario_value(session):
    params = session.scenario.params()
    for name, value in session.settings.items():
        sl = ct.slider(name)
        assert 10 <= (sl.hi - sl.lo) / sl.step <= 1000, name
        assert sl.lo <= value <= sl.hi, name
        assert value == params.get(name)


def test_reset_with_the_same_seed_reproduces_the_run(session):
    session.step(12)
    first = session.frame().copy()
    session.reset()
    session.step(12)
    pd.testing.assert_frame_equal(first, session.frame())


def test_seed_change_gives_another_run_after_reset(session):
    session.step(12)
    first = session.frame().copy()
    session.set_seed(session.seed + 1)
    session.reset()
    session.step(12)
    assert not first["incidents"].equals(session.frame()["incidents"])
    with pytest.raises(ValueError):
        session.set_seed(-1)


def test_picking_a_scenario_loads_its_parameters_and_restarts(session):
    session.step(5)
    session.select_scenario("high_corruption.toml")
    sc = load_scenario(scenario_library() / "high_corruption.toml")
    assert session.step_count == 0
    assert session.settings["corruption.baseline"] == sc.params().get("corruption.baseline")
    assert session.model.p.get("corruption.baseline") == sc.params().get("corruption.baseline")
    with pytest.raises(KeyError):
        session.select_scenario("not_in_library.toml")


def test_injected_termination_is_logged_applied_next_month_and_marked(session):
    # given a run in its second year
    session.step(14)
    # when the participant terminates the agreement
    session.inject("terminate_agreement")
    log = session.event_log()
    assert log[-1].kind == "terminate_agreement"
    assert log[-1].source == "you" and not log[-1].applied
    assert log[-1].step == 15
    # then it applies with the next month
    session.step()
    log = session.event_log()
    assert (log[-1].kind, log[-1].applied, log[-1].date) == ("terminate_agreement", True, "2016-08")
    assert session.agreement_active() == 0
    assert session.latest()["agreement_active"] == 0
    assert ("2016-08", "Terminate the agreement") in session.markers()


def test_scenario_events_show_in_the_log_with_their_labels(session):
    session.step(session.horizon)
    assert ("2018-11", "DDR launched") in session.markers()
    assert all(e.source == "scenario" for e in session.event_log())


def test_every_event_button_can_be_injected_with_its_default_options():
    for kind in ct.EVENT_BUTTONS:
        s = st.Session()
        s.step(2)
        s.inject(kind)
        s.step()
        assert (3, kind) in [(e.step, e.kind) for e in st.applied_events(s.model)]
        assert ct.event_help(kind)


def test_unknown_event_is_refused_and_nothing_is_logged(session):
    with pytest.raises(EventError):
        session.inject("alien_invasion")
    assert session.event_log() == []


def test_two_sessions_are_independent(session):
    other = st.Session()
    session.step(6)
    session.inject("coup")
    session.set_param("ddr.incentive", 0.1)
    session.reset()
    session.step(2)
    assert other.step_count == 0
    assert other.event_log() == []
    assert other.model is not session.model
    assert other.model.p.get("ddr.incentive") == spec("ddr.incentive").default
    other.step()
    assert session.step_count == 2 and other.step_count == 1


def test_csv_export_holds_the_run_so_far_with_events(session):
    session.step(3)
    session.inject("suspend_csos")
    session.step(2)
    df = pd.read_csv(io.BytesIO(exports.csv_bytes(session, "none")), comment="#")
    assert list(df["step"]) == [1, 2, 3, 4, 5]
    assert list(df.columns[:5]) == ["run", "scenario", "seed", "step", "date"]
    assert set(CONTRACT) <= set(df.columns)
    assert df.loc[df["step"] == 4, "events"].item() == "Suspend civil society"
    assert df["events"].isna().sum() == 4
    np.testing.assert_allclose(df["trust"], session.frame()["trust"])
    assert exports.csv_filename(session) == f"baseline_seed{session.seed}.csv"


def test_baseline_ghost_is_the_baseline_scenario_with_the_same_seed(session):
    session.select_scenario("agreement_termination.toml")
    ghost = live.comparison(session, "baseline").frame
    assert len(ghost) == session.horizon
    assert ghost["agreement_active"].min() == 1  # no termination in the baseline
    assert live.comparison(session, "baseline").frame is ghost  # cached, not run again


def test_png_download_is_a_picture_of_the_run_and_its_comparison(session):
    session.step(3)
    for compare in live.COMPARISONS:
        assert exports.charts_png(session, compare, dpi=60).startswith(PNG)


def test_region_values_are_the_last_month_of_the_region_frame(session):
    assert session.region_values("incidents") is None
    session.step(4)
    rf = session.model.region_frame()
    last = rf[rf["step"] == 4]
    np.testing.assert_allclose(session.region_values("trust"), last["trust"].to_numpy())
    with pytest.raises(KeyError):
        session.region_values("bananas")


def test_planned_scenario_events_are_listed_until_they_happen(session):
    session.select_scenario("agreement_termination.toml")
    termination = step_of("2024-01", session.scenario.start)
    assert (termination, "Agreement terminated") in session.upcoming()
    session.step(session.horizon)
    assert session.upcoming() == []
    assert ("2024-01", "Agreement terminated") in session.markers()
    session.reset()
    session.inject("coup")
    assert all("Coup" not in label for _, label in session.upcoming())  # yours show in the log


# ---------------------------------------------------------------- Apply now (mid-run)


def test_apply_now_turns_moved_sliders_into_set_events_at_the_current_month(session):
    # given a run in its sixth month with two sliders moved
    session.step(5)
    before = {n: session.model.p.get(n) for n in ("ddr.incentive", "oversight.strength")}
    session.set_param("ddr.incentive", 0.8)
    session.set_param("oversight.strength", 0.9)
    assert session.pending and session.can_apply()
    # when Apply now is pressed
    result = session.apply_now()
    # then one set event per slider waits for the next month, in slider order, logged
    assert [(e.step, e.kind, e.options) for e in result.events] == [
        (6, "set", {"parameter": "ddr.incentive", "value": 0.8}),
        (6, "set", {"parameter": "oversight.strength", "value": 0.9}),
    ]
    assert result.needs_reset == ()
    assert "DDR package attractiveness set to 0.8" in result.message
    waiting = [(e.label, e.source, e.applied) for e in session.event_log()]
    assert ("DDR package attractiveness set to 0.8", "you", False) in waiting
    assert not session.pending
    assert {n: session.model.p.get(n) for n in before} == before  # not yet applied
    # when the next month runs, the model uses the new values and the charts mark them
    session.step()
    assert session.model.p.get("ddr.incentive") == 0.8
    assert session.model.p.get("oversight.strength") == 0.9
    assert [e.label for e in session.event_log() if e.applied] == [
        "DDR package attractiveness set to 0.8",
        "Strength of oversight bodies set to 0.9",
    ]
    assert ("2015-11", "Strength of oversight bodies set to 0.9") in session.markers()
    assert session.step_count == 6  # the run went on, it did not restart
    # and pressing again with nothing moved changes nothing
    again = session.apply_now()
    assert again.events == () and "No slider moved" in again.message


def test_apply_now_changes_the_course_of_the_run_not_its_past(session):
    # given two copies of the same run, twelve months in
    other = st.Session()
    session.step(12)
    other.step(12)
    # when one applies a much higher abuse rate mid-run
    session.set_param("violence.abuse_rate", 10.0)
    session.apply_now()
    session.step(12)
    other.step(12)
    mine, theirs = session.frame(), other.frame()
    # then the first year is identical and the second differs
    pd.testing.assert_frame_equal(mine.iloc[:12], theirs.iloc[:12])
    assert mine["abuses_by_forces"].iloc[12:].sum() > theirs["abuses_by_forces"].iloc[12:].sum()


def test_init_only_sliders_are_refused_mid_run_with_a_message_and_wait_for_reset(session):
    # given a started run and a slider the model reads only when it is built
    name = "trust.initial_mean"
    assert name in INIT_ONLY
    session.step(3)
    built_with = session.model.p.get(name)
    session.set_param(name, 0.7)
    assert session.needs_reset() == [name]
    assert not session.can_apply()
    # when Apply now is pressed
    result = session.apply_now()
    # then nothing is injected, the message says Reset is needed, and it stays pending
    assert result.events == ()
    assert result.needs_reset == (name,)
    assert ct.slider(name).label in result.message and "Restart run" in result.message
    assert session.event_log() == []
    session.step()
    assert session.model.p.get(name) == built_with
    assert session.pending
    # when Reset is pressed, the new model is built with it
    session.reset()
    assert session.model.p.get(name) == 0.7
    assert not session.pending


def test_apply_now_does_not_undo_what_events_changed(session):
    # given an event that lowered political will in the model (the slider still shows the old)
    session.step(2)
    session.inject("set", {"parameter": "state.political_will", "value": 0.05})
    session.step()
    will_after_coup = session.model.p.get("state.political_will")
    assert will_after_coup != session.settings["state.political_will"]
    # when another slider is applied
    session.set_param("ddr.incentive", 0.7)
    result = session.apply_now()
    session.step()
    # then only that slider is set; the event's effect stays
    assert [e.options["parameter"] for e in result.events] == ["ddr.incentive"]
    assert session.model.p.get("state.political_will") == will_after_coup


def test_a_value_the_schema_refuses_is_reported_and_nothing_is_applied(session):
    # given a slider value that the events schema refuses (set around the slider's bounds)
    session.step(2)
    session.set_param("ddr.incentive", 0.8)
    session.settings["oversight.strength"] = 7.5
    # when Apply now is pressed, the error names the parameter and nothing is injected
    with pytest.raises(EventError) as err:
        session.apply_now()
    assert err.value.key == "oversight.strength"
    assert str(err.value).startswith("oversight.strength: ") and "[0, 1]" in str(err.value)
    assert session.event_log() == []
    assert session.moved()  # still waiting


def test_apply_now_is_refused_once_the_run_is_finished(session):
    session.step(session.horizon)
    session.set_param("ddr.incentive", 0.8)
    assert not session.can_apply()
    with pytest.raises(ValueError, match="Restart run"):
        session.apply_now()


# ---------------------------------------------------------------- event options


def test_event_options_come_from_the_event_schemas():
    opts = {o.name: o for o in ct.event_options("donor_withdrawal")}
    assert set(opts["donor"].choices) == {"UN", "EU", "France", "all_conditional"}
    assert (opts["share"].lo, opts["share"].hi, opts["share"].default) == (0.0, 1.0, 1.0)
    months = ct.event_options("peacekeepers_withdraw")[0]
    assert (months.lo, months.hi, months.default, months.is_int) == (1, 60, 6, True)
    assert ct.event_options("launch_ddr")[0].choices == ("all", "pro_government")
    assert ct.event_options("coup") == ()


def test_peacekeepers_leave_over_the_chosen_months():
    # given two runs where peacekeepers are ordered out in month 3, over 3 and 6 months
    quick, slow = st.Session(), st.Session()
    for s in (quick, slow):
        s.step(2)
    quick.set_event_option("peacekeepers_withdraw", "months", 3)
    event = quick.inject("peacekeepers_withdraw")
    slow.inject("peacekeepers_withdraw")  # default: 6 months
    assert event.options == {"months": 3}
    assert event.label == "Peacekeepers withdraw (over 3 months)"
    for s in (quick, slow):
        s.step(6)
    # then the quick withdrawal is complete after its 3 months, the slow one is not
    pk_quick = quick.frame().set_index("step")["peacekeepers"]
    pk_slow = slow.frame().set_index("step")["peacekeepers"]
    assert pk_quick[4] > 0 and pk_quick[5] == 0
    assert pk_slow[5] > 0 and pk_slow[8] == 0


def test_donor_withdrawal_of_one_donor_cuts_only_that_donor(session):
    # given the EU chosen with half its budget cut
    session.step(2)
    session.set_event_option("donor_withdrawal", "donor", "EU")
    session.set_event_option("donor_withdrawal", "share", 0.5)
    before = {d.name: d.cut for d in session.model.donors}
    # when Donors withdraw is pressed and the month runs
    session.inject("donor_withdrawal")
    session.step()
    # then only the EU's budget is cut, by half, and the log says so
    after = {d.name: d.cut for d in session.model.donors}
    assert after["EU"] == pytest.approx(1 - (1 - before["EU"]) * 0.5)
    assert {n: c for n, c in after.items() if n != "EU"} == {
        n: c for n, c in before.items() if n != "EU"
    }
    assert session.event_log()[-1].label == "Donors withdraw (EU, 50% cut)"


def test_launch_ddr_scope_reaches_the_model(session):
    session.step(2)
    session.set_event_option("launch_ddr", "scope", "pro_government")
    session.inject("launch_ddr")
    session.step()
    assert session.model.ddr_active and session.model.ddr_scope == "pro_government"
    session.inject("pause_ddr")
    session.step()
    assert not session.model.ddr_active


def test_event_options_outside_the_schema_are_refused(session):
    with pytest.raises(EventError):
        session.set_event_option("donor_withdrawal", "share", 1.5)
    with pytest.raises(EventError):
        session.set_event_option("donor_withdrawal", "donor", "Mars")
    with pytest.raises(EventError):
        session.set_event_option("coup", "months", 3)
    assert session.event_settings["donor_withdrawal"] == {"donor": "all_conditional", "share": 1.0}


def test_given_labels_with_dollar_signs_then_the_png_draws_them_literally(session):
    from sim.ui.charts import draw_charts

    session.step(3)
    df = session.frame()
    x = np.arange(len(df)) / 12 + 2015.5
    png = draw_charts(
        live.PANELS, (2015.5, 2025.5), (x, df), None, [(2015.6, "cut $x^{$ now")], "$\\frac{$ title"
    )
    assert png.startswith(PNG)


def test_a_month_the_model_fails_to_simulate_leaves_the_run_at_its_last_good_month(
    session, monkeypatch
):
    # given a run four months in, with an event queued for month five
    session.step(4)
    session.inject("coup")
    clean = session.frame().copy()
    # and a model that raises half-way through its fifth month
    world = session.model.world

    def half_done_month(*_args, **_kwargs):
        world.communities.grievance[:] = -1.0  # a half-updated state the page must not see
        raise FloatingPointError("a mechanism broke")

    monkeypatch.setattr(session.model, "step", half_done_month)
    # when the participant steps
    with pytest.raises(st.ModelFailure) as failure:
        session.step()
    # then the run is back at month four, exactly as it was, with the event still queued
    assert failure.value.month == 4
    assert session.step_count == 4
    pd.testing.assert_frame_equal(session.frame(), clean)
    assert (session.model.world.communities.grievance >= 0).all()
    assert [e.kind for e in session.queued()] == ["coup"]
    # and the rebuilt model steps on (the failure was in the replaced model only)
    assert session.step() is True and session.step_count == 5
