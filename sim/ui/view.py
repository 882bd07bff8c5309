"""The page's shared state (:class:`View`), read by the small components of the page.

It lives apart from :mod:`sim.ui.app` so the page's parts (:mod:`sim.ui.panels`) can
name it without importing the page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import solara

from sim.ui.binding import Binding
from sim.ui.room import Seat
from sim.ui.state import ModelFailure, Session

log = logging.getLogger("sim.ui.app")


@dataclass
class View:
    """The page's shared state: reactive values read by the parts that show them."""

    session: Session
    seat: Seat
    run: solara.Reactive[int]  # bumped when the model changes
    controls: solara.Reactive[int]  # bumped when settings change
    playing: solara.Reactive[bool]
    speed: solara.Reactive[int]
    compare: solara.Reactive[str]
    map_column: solara.Reactive[str]
    message: solara.Reactive[str]
    notice: solara.Reactive[str]
    narrow_open: solara.Reactive[bool]  # settings panel on narrow screens (closed at first)
    wide_closed: solara.Reactive[bool]  # settings panel on wide screens (open at first)
    binding: Binding  # the widgets a new month updates in place

    def changed(self, settings: bool = False) -> None:
        """Redraw the run (and the controls when ``settings``)."""
        self.run.value += 1
        if settings:
            self.controls.value += 1

    def show(self) -> None:
        """Set the month's values in the bound widgets (after a render, or each month)."""
        self.binding.push(self.session, self.map_column.value, self.playing.value)

    def advance(self) -> bool:
        """One month, shown by updating the changing widgets in place (no page render).

        A full render happens only when more than the month changes: events waiting
        for this month (buttons and log change), the end of the run, or an error.
        """
        s = self.session
        full = bool(s.queued())
        more = self.guard(s.step, redraw=False)
        if more and not s.finished and not full and not self.message.value:
            self.show()
        else:
            self.changed()
        return bool(more)

    def guard(
        self, action: Callable[[], object], settings: bool = False, redraw: bool = True
    ) -> object:
        """Run a participant's action and return its result (None when it failed).

        A refusal or an error is shown to this participant only, never to another page.
        """
        self.seat.last_active = time.monotonic()
        result = None
        try:
            result = action()
            self.message.value = ""
        except ValueError as err:  # refusals (EventError, ParamError are ValueErrors)
            self.message.value = str(err)
        except Exception as err:  # noqa: BLE001 - one participant's error stays on their page
            log.exception("participant %s: %s", self.seat.name, err)
            self.seat.error = f"{type(err).__name__}: {err}"[:200]
            self.playing.value = False
            self.message.value = failure_message(err)
        if redraw:
            self.changed(settings)
        return result


def failure_message(err: Exception) -> str:
    """What a participant reads when their model (or their page) raised."""
    where = ""
    if isinstance(err, ModelFailure):
        where = f" The run is back at month {err.month}, as it was before."
    return (
        "Something went wrong in this run (the facilitator can see it)."
        f"{where} Press Restart run or change a setting; your settings are kept."
    )


__all__ = ["View", "failure_message"]
