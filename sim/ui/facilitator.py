"""The facilitator's page (``/facilitator?token=...``): the whole room at a glance.

A table of every participant (scenario, seed, moved sliders, events, month, key
results), chosen runs overlaid on one chart for the projector, a scenario pushed to
everyone, everyone's run restarted, and the room's runs exported as one CSV file. The
token is printed by ``ssr ui`` at start-up; without it the page shows nothing of the room.
"""

from __future__ import annotations

import html
import time
from typing import Any

import numpy as np
import solara

from sim.indicators import indicator
from sim.ui.library import load_library, month_number, scenario_title
from sim.ui.room import ROOM, SUMMARY, Seat, token_ok
from sim.ui.style import CSS
from sim.ui.widgets import COLOURS, LiveCharts, compact

OVERLAY = ("incidents", "civilian_harm", "trust", "corruption", "reform_index", "fighters_jihadist")
"""Indicators offered for the projector chart."""

COLUMNS = (
    ("participant", "Who"),
    ("scenario", "Scenario"),
    ("seed", "Seed"),
    ("sliders", "Sliders moved"),
    ("events", "Their events"),
    ("month", "Month"),
    ("agreement", "Agreement"),
    *((k, indicator(k).label) for k in SUMMARY),
    ("idle_s", "Idle (s)"),
    ("error", "Error"),
)


def _token(search: str | None) -> str | None:
    from urllib.parse import parse_qs

    return (parse_qs(search or "").get("token") or [None])[0]


@solara.component
def FacilitatorPage() -> None:
    """The facilitator's page, or a refusal without the right token."""
    router = solara.use_router()
    solara.Title("SSR in Mali: facilitator")
    solara.Style(CSS)
    if not token_ok(_token(router.search)):
        with solara.Div(classes=["ssr-page"]):
            solara.Error(
                "This page needs the facilitator's link, printed by `ssr ui` when it starts "
                "(it ends with ?token=...)."
            )
        return
    FacilitatorRoom()


@solara.component
def FacilitatorRoom() -> None:
    """The room, refreshed every two seconds."""
    tick = solara.use_reactive(0)

    def poll(cancel) -> None:
        while not cancel.wait(2.0):
            tick.value += 1

    solara.use_thread(poll, [], intrusive_cancel=False)
    tick.value  # noqa: B018 - subscribe: the table refreshes every two seconds
    rows = ROOM.table()
    with solara.Div(classes=["ssr-page"]):
        _html(f"<h2>Facilitator: {len(rows)} participant(s) connected</h2>")
        RoomActions()
        ParticipantTable(rows)
        Projector(rows)


def _html(text: str, cls: str = "ssr-muted") -> None:
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=[cls])


@solara.component
def RoomActions() -> None:
    """Push a scenario to everyone, restart everyone, export the room."""
    library = solara.use_memo(lambda: _library(), [])
    chosen = solara.use_reactive(next(iter(library), ""))
    done = solara.use_reactive("")

    def push() -> None:
        n = ROOM.command_all("scenario", library[chosen.value])
        done.value = f"Loaded {chosen.value} for {n} participant(s)."

    def restart() -> None:
        n = ROOM.command_all("restart")
        done.value = f"Restarted the run of {n} participant(s)."

    with solara.Row(style="gap: 8px; flex-wrap: wrap; align-items: center"):
        with solara.Div(style="width: 300px; max-width: 100%"):
            solara.Select(label="Scenario for everyone", values=list(library), value=chosen)
        solara.Button("Load for everyone", on_click=push, color="primary")
        solara.Button("Restart everyone's run", on_click=restart, outlined=True)
        solara.FileDownload(
            lambda: ROOM.export().to_csv(index=False).encode("utf-8"),
            filename=f"room_{time.strftime('%Y%m%d_%H%M')}.csv",
            label="Download the room's runs (CSV)",
            mime_type="text/csv",
        )
    if done.value:
        solara.Info(done.value)


def _library() -> dict[str, str]:
    from sim.ui.library import default_library

    folder = str(default_library().resolve())
    return {scenario_title(sc): name for name, sc in load_library(folder)}


@solara.component
def ParticipantTable(rows: list[dict[str, Any]]) -> None:
    """One row per participant."""
    if not rows:
        _html("Nobody has opened the page yet.")
        return
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(k)))}</td>" for k, _ in COLUMNS) + "</tr>"
        for r in rows
    )
    with solara.Div(classes=["ssr-scroll"]):
        solara.HTML(tag="table", unsafe_innerHTML=f"<tr>{head}</tr>{body}", classes=["ssr-table"])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


@solara.component
def Projector(rows: list[dict[str, Any]]) -> None:
    """Chosen participants' runs of one indicator on one chart."""
    names = [r["participant"] for r in rows]
    chosen: solara.Reactive[list[str]] = solara.use_reactive([])
    column = solara.use_reactive("incidents")
    labels = {indicator(c).label: c for c in OVERLAY}
    _html("Projector: compare runs", "ssr-card-title")
    with solara.Row(style="gap: 8px; flex-wrap: wrap"):
        with solara.Div(style="min-width: 260px; max-width: 100%"):
            solara.SelectMultiple("Participants", values=chosen, all_values=names)
        with solara.Div(style="width: 300px; max-width: 100%"):
            solara.Select(
                label="Indicator",
                values=list(labels),
                value=indicator(column.value).label,
                on_value=lambda v: column.set(labels[v]),
            )
    seats = [s for s in ROOM.seats.values() if s.name in chosen.value]
    if not seats:
        _html("Choose participants to overlay their runs.")
        return
    panels, start, horizon, rows_ = overlay(seats, column.value)
    LiveCharts(panels, start, horizon, {"gen": time.monotonic(), "from": 0, "rows": rows_}, {}, [])


def overlay(seats: list[Seat], column: str) -> tuple[list[dict], int, int, list[list]]:
    """One chart with one line per participant (months aligned on the calendar)."""
    runs = []
    for seat in seats:
        s = seat.session
        with s.lock:
            runs.append((seat.name, month_number(s.scenario.start), s.horizon, s.rows((column,))))
    start = min(r[1] for r in runs)
    end = max(r[1] + r[2] for r in runs)
    table = np.full((end - start, len(runs)), np.nan)
    for j, (_, first, _, values) in enumerate(runs):
        table[first - start : first - start + len(values), j] = values[:, 0]
    filled = int(max((first - start + len(v) for _, first, _, v in runs), default=0))
    row = indicator(column)
    panel = {
        "title": row.label,
        "unit": row.unit_label,
        "scale": row.is_scale,
        "series": [
            {"name": name, "colour": COLOURS[j % len(COLOURS)]} for j, (name, *_) in enumerate(runs)
        ],
    }
    rows = [[None if np.isnan(v) else v for v in r] for r in compact(table[:filled])]
    return [panel], start, end - start, rows
