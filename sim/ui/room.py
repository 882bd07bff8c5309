"""The room: every participant's session as the facilitator sees it.

Each participant's page joins the room when it opens and leaves when its browser is
gone (closed, or culled after ``SOLARA_KERNEL_CULL_TIMEOUT`` without a connection), so
the room never keeps a model alive. The facilitator's page (``/facilitator``, protected
by a token printed at start-up) reads the room and sends commands; a participant's page
carries them out itself (it polls its seat), so one page's trouble stays its own.
"""

from __future__ import annotations

import ctypes
import gc
import hmac
import itertools
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.ui.state import Session

TOKEN_ENV = "SSR_FACILITATOR_TOKEN"
SUMMARY = ("incidents", "civilian_harm", "trust", "reform_index")
"""Key results shown per participant (indicator names)."""


def facilitator_token() -> str:
    """The token of the facilitator page (made once per server, kept in the environment)."""
    token = os.environ.get(TOKEN_ENV)
    if not token:
        token = secrets.token_urlsafe(9)
        os.environ[TOKEN_ENV] = token
    return token


def token_ok(given: str | None) -> bool:
    """True when ``given`` is the facilitator token (compared in constant time)."""
    return bool(given) and hmac.compare_digest(str(given), facilitator_token())


@dataclass
class Seat:
    """One participant's place in the room."""

    number: int
    session: Session
    joined: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    commands: list[tuple[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def name(self) -> str:
        """How the facilitator's table names this participant."""
        return f"P{self.number}"

    def take_commands(self) -> list[tuple[str, Any]]:
        """The facilitator's commands not yet carried out (and forget them)."""
        with ROOM.lock:
            out, self.commands = self.commands, []
        return out


class Room:
    """The participants' seats, shared by every page of this server."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seats: dict[int, Seat] = {}
        self._numbers = itertools.count(1)
        self._trim: threading.Timer | None = None

    def join(self, session: Session) -> Seat:
        """A new participant (their page just opened)."""
        with self.lock:
            seat = Seat(next(self._numbers), session)
            self.seats[seat.number] = seat
            return seat

    def leave(self, seat: Seat) -> None:
        """A participant's page is gone: forget the seat and give memory back soon."""
        with self.lock:
            self.seats.pop(seat.number, None)
            if self._trim is not None:
                self._trim.cancel()
            self._trim = threading.Timer(2.0, release_memory)
            self._trim.daemon = True
            self._trim.start()

    def command_all(self, command: str, argument: Any = None) -> int:
        """Queue a command ("scenario" with a file name, or "restart") for every page."""
        with self.lock:
            for seat in self.seats.values():
                seat.commands.append((command, argument))
            return len(self.seats)

    def table(self) -> list[dict[str, Any]]:
        """One row per participant: scenario, seed, moved sliders, events, month, results."""
        with self.lock:
            seats = list(self.seats.values())
        return [seat_row(s) for s in seats]

    def export(self, numbers: list[int] | None = None) -> pd.DataFrame:
        """Every participant's run (or the chosen ones) in one table, with a participant column."""
        from sim.ui.exports import run_table

        with self.lock:
            seats = [s for n, s in sorted(self.seats.items()) if numbers is None or n in numbers]
        frames = []
        for seat in seats:
            with seat.session.lock:
                df = run_table(seat.session, "none")
            df.insert(0, "participant", seat.name)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def seat_row(seat: Seat) -> dict[str, Any]:
    """What the facilitator's table shows for one participant."""
    from sim.ui.controls import slider

    s = seat.session
    with s.lock:
        latest = s.latest()
        moved = {**s.built_overrides()}
        events = [f"{e.date} {e.label}" for e in s.event_log() if e.source == "you"]
        row = {
            "participant": seat.name,
            "scenario": s.scenario_title,
            "seed": s.model_seed,
            "sliders": ", ".join(f"{slider(n).label} {v:g}" for n, v in moved.items()),
            "events": "; ".join(events),
            "month": f"{s.step_count} of {s.horizon}",
            "agreement": "in force" if s.agreement_active() else "ended",
            "idle_s": round(time.monotonic() - seat.last_active),
            "error": seat.error,
        }
    row.update({k: latest.get(k) for k in SUMMARY})
    return row


def release_memory() -> None:
    """Collect freed models and hand the memory back to the operating system (glibc)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the memory is reused by the next sessions instead


ROOM = Room()
"""The room of this server process."""
