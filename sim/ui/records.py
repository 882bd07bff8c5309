"""Small records of a participant's session: log lines, "Apply now" results, past runs.

They live apart from :mod:`sim.ui.state` (which re-exports them) to keep it short.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.events import Event


class ModelFailure(RuntimeError):
    """The model raised while simulating a month; the run was put back at ``month``."""

    def __init__(self, month: int, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.month = month


@dataclass(frozen=True)
class LogEntry:
    """One line of the event log."""

    step: int
    date: str
    kind: str
    label: str
    source: str  # "scenario" or "you"
    applied: bool


@dataclass(frozen=True)
class ApplyResult:
    """What "Apply now" did: the set events injected and the sliders that need a restart."""

    events: tuple[Event, ...] = ()
    needs_reset: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class PastRun:
    """A finished or abandoned run kept as the comparison ("your previous run")."""

    label: str
    start: str
    frame: pd.DataFrame
