"""The workshop page (Solara): one participant's run, its controls, charts and map.

Served by ``ssr ui`` (:mod:`sim.ui.server`). Every browser tab renders its own
``Page`` and the :class:`~sim.ui.state.Session` (and so the model) lives inside it:
thirty participants on one server each have their own model. The charts and the map
are drawn by the browser from numbers (:mod:`sim.ui.widgets`); the run lives in the
page address (:mod:`sim.ui.runlink`), so reload restores it and a link shares it.
``/facilitator`` is the facilitator's page (:mod:`sim.ui.facilitator`).

A new month does not re-render the page: :class:`~sim.ui.binding.Binding` sets the few
changing values (top line, chart rows, map values, log, address) in place. Renders happen
when more changes (settings, events pressed, restart), each part only when what it shows
changed. Play steps one month at a time at the participant's speed (capped by
``SSR_UI_MAX_SPEED``) and waits for the browser to draw the month before the last, so a
busy server or a slow phone gets fewer months per second, never a jump.
"""

from __future__ import annotations

import logging
import os
import time

import solara

from sim.ui import exports, live
from sim.ui.binding import Binding
from sim.ui.facilitator import FacilitatorPage
from sim.ui.panels import EventBar, SettingsPanel
from sim.ui.room import ROOM
from sim.ui.runlink import parse_query, restore
from sim.ui.state import Session
from sim.ui.style import CSS
from sim.ui.view import View
from sim.ui.widgets import (
    AddressWidget,
    LiveChartsWidget,
    RegionMapWidget,
    TextWidget,
    chart_panels,
    map_traits,
)

log = logging.getLogger(__name__)

MAX_SPEED = int(os.environ.get("SSR_UI_MAX_SPEED", "6"))
"""Fastest play rate in months per second, per participant (caps the server's work)."""

DEFAULT_SPEED = 2
"""Play speed a page starts with, in months per second."""

AHEAD = 1
"""Months Play may run ahead of the month drawn in the participant's browser."""


def _open(query: str | None) -> tuple[Session, list[str]]:
    session = Session()
    link = parse_query(query, session.scenarios)
    if link.scenario or link.settings or link.events or link.seed is not None or link.month:
        restore(session, link)
    return session, link.problems


def _play(view: View, cancel) -> None:
    """Step one month at a time at the chosen rate: never skips a month, never runs ahead.

    When the server or the browser is busy the months come slower; each one is still
    shown, so Pause and events apply within a month of the one the participant sees.
    """
    next_at = time.monotonic()
    while view.playing.value and not cancel.is_set():
        # at most AHEAD months beyond what the browser shows (a slow phone or a busy
        # server gets fewer months per second, never a jump); a hidden tab may not
        # report, so it waits at most two seconds
        s = view.session
        view.binding.wait_drawn(s.gen, s.step_count - AHEAD, timeout=2.0)
        if not view.playing.value or cancel.is_set():
            break
        if not view.advance():  # the end, or an error (shown on this page)
            view.playing.value = False
            break
        next_at = max(next_at + 1.0 / min(max(view.speed.value, 1), MAX_SPEED), time.monotonic())
        cancel.wait(max(0.0, next_at - time.monotonic()))
    view.changed()


def _listen(view: View, cancel) -> None:
    """Carry out the facilitator's commands for this page (checked twice a second)."""
    while not cancel.wait(0.5):
        for command, argument in view.seat.take_commands():
            view.playing.value = False
            if command == "scenario":
                view.guard(lambda a=argument: view.session.select_scenario(a), settings=True)
                view.notice.value = "The facilitator loaded this scenario for everyone."
            elif command == "restart":
                view.guard(view.session.reset, settings=True)
                view.notice.value = "The facilitator restarted everyone's run."


@solara.component
def StatusBar(view: View) -> None:
    """The line that stays on top: month, agreement, key numbers and the run buttons."""
    view.run.value  # noqa: B018 - subscribe: redraw when the model changes
    ready = view.binding.ready
    with solara.Div(classes=["ssr-top"]):
        with solara.Row(classes=["ssr-top-row"], style="gap: 8px; align-items: center"):
            # its text is set by the binding only (see Binding.push), never by a render
            TextWidget.element(css_class="ssr-top-line", ready_hook=ready("top"))
        RunButtons(view)
    solara.use_effect(view.show)


@solara.component
def RunButtons(view: View) -> None:
    """Step, Play / Pause and Restart run."""
    s = view.session

    def step() -> None:
        view.playing.value = False
        view.advance()

    def restart() -> None:
        view.playing.value = False
        view.guard(s.reset, settings=True)

    # the play loop lives here: Play / Pause re-render these buttons only, not the page
    solara.use_thread(
        lambda cancel: _play(view, cancel), [view.playing.value], intrusive_cancel=False
    )
    with solara.Row(classes=["ssr-top-row"], style="gap: 6px; align-items: center"):
        solara.Button("Step", on_click=step, disabled=s.finished, color="primary")
        if view.playing.value:
            solara.Button("Pause", on_click=lambda: view.playing.set(False), color="primary")
        else:
            solara.Button(
                "Play",
                on_click=lambda: view.playing.set(True),
                disabled=s.finished,
                color="primary",
            )
        solara.Button("Restart run", on_click=restart, outlined=True)
        PanelToggles(view)


@solara.component
def PanelToggles(view: View) -> None:
    """Open or close the settings panel (one button for narrow screens, one for wide ones)."""
    narrow, wide = view.narrow_open, view.wide_closed
    solara.Button(
        "Hide settings" if narrow.value else "Settings",
        on_click=lambda: narrow.set(not narrow.value),
        classes=["ssr-only-narrow"],
        outlined=True,
        attributes={"aria-expanded": str(narrow.value).lower()},
    )
    solara.Button(
        "Show settings" if wide.value else "Hide settings",
        on_click=lambda: wide.set(not wide.value),
        classes=["ssr-only-wide"],
        text=True,
        attributes={"aria-expanded": str(not wide.value).lower()},
    )


@solara.component
def RunArea(view: View) -> None:
    """Charts, map, event log and downloads (a new month updates them in place)."""
    view.run.value  # noqa: B018 - subscribe
    s = view.session
    panels = solara.use_memo(lambda: chart_panels(live.PANELS), [])
    resend = solara.use_reactive(0)
    resend.value  # noqa: B018 - subscribe: the browser asked for every month again
    ghost = solara.use_memo(
        lambda: live.ghost_message(live.comparison(s, view.compare.value)),
        [view.compare.value, s.gen, s.seed],
    )

    def gap_hook() -> None:
        view.binding.resend()
        resend.value += 1

    ready = view.binding.ready
    LiveChartsWidget.element(
        panels=panels,
        start=live.month_number(s.scenario.start),
        horizon=s.horizon,
        ghost=ghost,
        gap_hook=gap_hook,
        drawn_hook=view.binding.mark_drawn,
        ready_hook=ready("charts"),
    )
    with solara.Div(classes=["ssr-below"]):
        with solara.Div(classes=["ssr-map-col"]):
            solara.Select(
                label="Colour the map by",
                values=list(live.MAP_CHOICES.values()),
                value=live.MAP_CHOICES[view.map_column.value],
                on_value=lambda v: view.map_column.set(
                    next(k for k, label in live.MAP_CHOICES.items() if label == v)
                ),
            )
            RegionMapWidget.element(
                **map_traits(live.map_message(s, view.map_column.value)), ready_hook=ready("map")
            )  # values, scale and title: set by the binding
        with solara.Div(classes=["ssr-log-col"]):
            solara.HTML(tag="div", unsafe_innerHTML="What happened", classes=["ssr-card-title"])
            TextWidget.element(tag="table", css_class="ssr-log", ready_hook=ready("log"))
            Downloads(view)
    solara.use_effect(view.show)


@solara.component
def Downloads(view: View) -> None:
    """CSV and PNG downloads of the run and its comparison."""
    s = view.session
    with solara.Row(style="margin-top: 10px; gap: 6px; flex-wrap: wrap"):
        solara.FileDownload(
            lambda: exports.csv_bytes(s, view.compare.value),
            filename=exports.csv_filename(s),
            label="Download data (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: exports.charts_png(s, view.compare.value),
            filename=exports.csv_filename(s).removesuffix(".csv") + ".png",
            label="Download charts (PNG)",
            mime_type="image/png",
        )


@solara.component
def RunAddress(view: View) -> None:
    """Keeps the page address equal to the run (scenario, seed, sliders, events, month)."""
    view.run.value  # noqa: B018 - subscribe
    view.controls.value  # noqa: B018
    AddressWidget.element(ready_hook=view.binding.ready("address"))  # query: set by the binding
    solara.use_effect(view.show)


@solara.component
def Messages(view: View) -> None:
    """Refusals and notices for this participant."""
    if view.message.value:
        solara.Error(view.message.value)
    if view.notice.value:
        solara.Info(view.notice.value)


@solara.component
def Page() -> None:
    """One participant's page, with a model of their own."""
    router = solara.use_router()
    opened = solara.use_memo(lambda: _open(router.search), [])
    session, problems = opened
    seat = solara.use_memo(lambda: ROOM.join(session), [])
    solara.use_effect(lambda: lambda: ROOM.leave(seat), [])
    view = View(
        session,
        seat,
        solara.use_reactive(0),
        solara.use_reactive(0),
        solara.use_reactive(False),
        solara.use_reactive(DEFAULT_SPEED),
        solara.use_reactive("baseline"),
        solara.use_reactive("incidents"),
        solara.use_reactive(""),
        solara.use_reactive(
            "Part of the page address could not be used and was left out: " + "; ".join(problems)
            if problems
            else ""
        ),
        solara.use_reactive(False),
        solara.use_reactive(False),
        solara.use_memo(Binding, []),
    )
    solara.use_thread(lambda cancel: _listen(view, cancel), [], intrusive_cancel=False)

    solara.Title("SSR in Mali: workshop model")
    solara.Style(CSS)
    RunAddress(view)
    with solara.Div(classes=["ssr-page"]):
        StatusBar(view)
        with solara.Div(classes=["ssr-body"]):
            panel = ["ssr-panel"]
            panel += ["open"] if view.narrow_open.value else []
            panel += ["closed"] if view.wide_closed.value else []
            with solara.Div(classes=panel):
                SettingsPanel(view, MAX_SPEED)
            with solara.Div(classes=["ssr-main"]):
                Messages(view)
                EventBar(view)
                RunArea(view)


@solara.component
def Plain(children: list | None = None) -> None:
    """No app bar or drawer: the pages lay themselves out for every screen."""
    solara.Column(children=children or [], style="padding: 0; max-width: 100%")


routes = [
    solara.Route(path="/", component=Page, layout=Plain),
    solara.Route(path="facilitator", component=FacilitatorPage, layout=Plain),
]
