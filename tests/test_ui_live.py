"""What the page sends each month: only new numbers, small messages (sim.ui.live, widgets)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.geography import load_geography
from sim.indicators import REGION_COLUMNS, indicator
from sim.ui import live
from sim.ui.binding import Binding, log_html
from sim.ui.state import Session
from sim.ui.widgets import PatchTracker, chart_panels, map_shape


@pytest.fixture
def session() -> Session:
    return Session()


def test_given_months_already_sent_when_a_month_runs_then_only_it_and_one_before_are_sent():
    tracker = PatchTracker()
    rows = np.arange(30.0).reshape(10, 3)
    first = tracker.patch(rows[:8], gen=1)
    assert (first["from"], len(first["rows"])) == (0, 8)
    second = tracker.patch(rows[:9], gen=1)
    assert second["from"] == 7 and second["rows"] == rows[7:9].tolist()


def test_given_a_restart_when_the_next_patch_is_made_then_the_browser_gets_every_month_again():
    tracker = PatchTracker()
    tracker.patch(np.ones((5, 2)), gen=1)
    after = tracker.patch(np.ones((1, 2)), gen=2)
    assert (after["gen"], after["from"], len(after["rows"])) == (2, 0, 1)


def test_given_a_running_session_then_a_month_goes_over_the_wire_in_well_under_a_kilobyte(session):
    tracker = PatchTracker()
    session.step(3)
    tracker.patch(session.rows(live.CHART_COLUMNS), session.gen)
    session.step()
    patch = tracker.patch(session.rows(live.CHART_COLUMNS), session.gen)
    values = live.map_message(session, "incidents")
    assert len(json.dumps(patch)) + len(json.dumps(values)) < 1024


def test_given_the_chart_rows_then_they_are_the_indicator_values_per_month(session):
    session.step(4)
    rows = session.rows(live.CHART_COLUMNS)
    frame = session.frame()
    for j, column in enumerate(live.CHART_COLUMNS):
        np.testing.assert_allclose(rows[:, j], frame[column])


def test_given_the_chart_layout_then_titles_units_and_legends_come_from_the_registry():
    panels = chart_panels(live.PANELS)
    assert len(panels) == len(live.PANELS)
    for panel, (_, columns) in zip(panels, live.PANELS, strict=True):
        assert [s["name"] for s in panel["series"]] == [indicator(c).legend for c in columns]
        assert panel["scale"] == all(indicator(c).is_scale for c in columns)


def test_given_the_map_then_every_region_has_a_shape_and_a_value_each_month(session):
    shape = map_shape()
    assert [r["name"] for r in shape["regions"]] == list(load_geography().names)
    assert all(r["d"].startswith("M") for r in shape["regions"])
    assert live.map_message(session, "trust")["values"] == []
    session.step(2)
    for column in REGION_COLUMNS:
        message = live.map_message(session, column)
        assert len(message["values"]) == load_geography().n
        assert message["vmax"] >= max(message["values"])


def test_given_each_comparison_then_the_dashed_run_is_the_one_asked_for(session):
    assert live.comparison(session, "none") is None
    assert live.comparison(session, "previous") is None  # no earlier run yet
    base = live.comparison(session, "baseline")
    assert base is not None and len(base.frame) == session.horizon
    session.step(5)
    session.reset()
    previous = live.comparison(session, "previous")
    assert previous is not None and len(previous.frame) == 5
    assert "previous run" in live.ghost_message(previous)["label"]


class FakeWidget:
    """Records what the binding sets (as an ipywidget would send it)."""

    def __init__(self) -> None:
        self.sent: dict[str, object] = {}

    def hold_sync(self):
        import contextlib

        return contextlib.nullcontext()

    def __setattr__(self, key, value):
        if key == "sent":
            object.__setattr__(self, key, value)
        else:
            self.sent[key] = value


def test_given_bound_widgets_when_a_month_is_pushed_then_each_shows_that_month(session):
    binding = Binding()
    names = ("top", "charts", "map", "log", "address")
    widgets = {name: FakeWidget() for name in names}
    for name, widget in widgets.items():
        binding.ready(name)(widget)
    session.step(2)
    binding.push(session, "incidents")
    assert session.status() in widgets["top"].sent["content"]
    assert "Agreement: in force" in widgets["top"].sent["content"]
    assert widgets["address"].sent["query"].endswith("month=2")
    session.step()
    binding.push(session, "incidents", playing=True)  # the address waits for Pause
    assert widgets["address"].sent["query"].endswith("month=2")
    assert len(widgets["charts"].sent["patch"]["rows"]) == 2
    assert widgets["log"].sent["content"] == log_html(session)
    assert binding.ready("top") is binding.ready("top")  # no new prop per render
