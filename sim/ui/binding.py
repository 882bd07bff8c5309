"""A new month on the page without re-rendering it: the few changing widgets, set in place.

Re-rendering the whole page for every month costs the server about 30 ms per participant
(Solara/reacton walk the full element tree). A month changes only a handful of values
(the status line, chart rows, map values, the event log, the address), so the page
registers those widgets here once they exist and :meth:`Binding.push` sets their values
directly: each month costs the model step plus a few small messages. Everything else
(a new scenario, moved sliders, events pressed) still goes through a normal render,
which computes the same values with the same functions.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

from sim.ui import live
from sim.ui.runlink import run_query
from sim.ui.state import Session
from sim.ui.widgets import PatchTracker
from sim.ui.wording import AGREEMENT_WORDS


def agreement_chip(session: Session) -> tuple[str, str]:
    """(text, CSS classes) of the agreement chip."""
    active = bool(session.agreement_active())
    return AGREEMENT_WORDS[active], "ssr-chip" if active else "ssr-chip bad"


def numbers_text(session: Session) -> str:
    """The latest month's key numbers, in words ("" before the first month)."""
    latest = session.latest()
    if not latest:
        return ""
    return (
        f"Incidents {int(latest['incidents'])} · civilians harmed "
        f"{int(latest['civilian_harm'])} · trust {latest['trust']:.2f}"
    )


def log_html(session: Session) -> str:
    """The event log as an HTML table body."""
    rows = "".join(
        f"<tr><td>{e.date}</td><td>{html.escape(e.label)}</td>"
        f"<td>{'you' if e.source == 'you' else 'the scenario'}</td>"
        f"<td>{'happened' if e.applied else 'next month'}</td></tr>"
        for e in session.event_log()
    )
    if not rows:
        return '<tr><td class="ssr-muted">No event yet.</td></tr>'
    return f"<tr><th>Month</th><th>Event</th><th>By</th><th></th></tr>{rows}"


class Binding:
    """The widgets of one page that change every month, updated in place.

    The traits set here (texts, chart rows and markers, map values, the address) are set
    only here, never passed by a render: a render passing an old value after a push
    would make the page jump back a month.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.widgets: dict[str, Any] = {}
        self._callbacks: dict[str, Callable[[Any], None]] = {}
        self.tracker = PatchTracker()

    def ready(self, name: str) -> Callable[[Any], None]:
        """The ``ready_hook`` callback of a widget: remembers it under ``name``.

        The same callable every time for a name, so re-renders do not see a new value.
        """
        if name not in self._callbacks:

            def remember(widget: Any) -> None:
                with self.lock:
                    self.widgets[name] = widget
                    if name == "charts":  # a new chart in the browser holds no month yet
                        self.tracker.sent = 0

            self._callbacks[name] = remember
        return self._callbacks[name]

    def patch(self, session: Session) -> dict[str, Any]:
        """Chart rows the browser lacks (shared by renders and pushes)."""
        with self.lock:
            return self.tracker.patch(session.rows(live.CHART_COLUMNS), session.gen)

    def resend(self) -> None:
        """The browser missed months: the next patch carries them all."""
        with self.lock:
            self.tracker.sent = 0

    def push(self, session: Session, map_column: str) -> None:
        """Show the session's latest month: status, charts, map, log and address."""
        with self.lock, session.lock:
            text, classes = agreement_chip(session)
            m = live.map_message(session, map_column)
            # the status line last: when it shows the month, everything else is there
            self._set("address", query=run_query(session))
            self._set("chip", content=text, css_class=classes)
            self._set("numbers", content=numbers_text(session))
            self._set("charts", patch=self.patch(session), markers=live.marker_message(session))
            self._set("map", values=m["values"], vmax=m["vmax"], title=m["title"])
            self._set("log", content=log_html(session))
            self._set("status", content=session.status())

    def _set(self, name: str, **values: Any) -> None:
        widget = self.widgets.get(name)
        if widget is None:
            return
        with widget.hold_sync():
            for key, value in values.items():
                setattr(widget, key, value)
