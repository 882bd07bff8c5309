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


def top_line(session: Session) -> str:
    """The line on top as HTML: month, agreement, and the latest month's key numbers."""
    active = bool(session.agreement_active())
    parts = [
        f'<span class="ssr-status">{html.escape(session.status())}</span>',
        f'<span class="ssr-chip{"" if active else " bad"}">{AGREEMENT_WORDS[active]}</span>',
    ]
    latest = session.latest()
    if latest:
        parts.append(
            f'<span class="ssr-chip ssr-hide-narrow">Incidents {int(latest["incidents"])} · '
            f"civilians harmed {int(latest['civilian_harm'])} · trust {latest['trust']:.2f}</span>"
        )
    return " ".join(parts)


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
        self.drawn = threading.Condition()
        self.on_screen: tuple[int, int] = (0, 0)  # (run generation, months drawn)

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

    def mark_drawn(self, gen: int, month: int) -> None:
        """The browser reports the months it has drawn (``drawn_hook`` of the charts)."""
        with self.drawn:
            self.on_screen = (gen, month)
            self.drawn.notify_all()

    def wait_drawn(self, gen: int, month: int, timeout: float) -> bool:
        """Wait until the browser shows ``month`` of run ``gen`` (False after ``timeout``)."""
        with self.drawn:
            return self.drawn.wait_for(lambda: self.on_screen >= (gen, month), timeout)

    def resend(self) -> None:
        """The browser missed months: the next patch carries them all."""
        with self.lock:
            self.tracker.sent = 0

    def push(self, session: Session, map_column: str, playing: bool = False) -> None:
        """Show the session's latest month: top line, charts, map, log (and address).

        While playing, the page address waits for Pause (one message less per month).
        """
        with self.lock, session.lock:
            m = live.map_message(session, map_column)
            # the top line first, the charts (which report back when drawn) after it
            self._set("top", content=top_line(session))
            if not playing:
                self._set("address", query=run_query(session))
            self._set("charts", patch=self.patch(session), markers=live.marker_message(session))
            self._set("map", values=m["values"], vmax=m["vmax"], title=m["title"])
            self._set("log", content=log_html(session))

    def _set(self, name: str, **values: Any) -> None:
        widget = self.widgets.get(name)
        if widget is None:
            return
        with widget.hold_sync():
            for key, value in values.items():
                setattr(widget, key, value)
