"""One participant's run as plain Python, testable without a browser.

One :class:`Session` is one participant's browser tab: its own scenario choice, slider
settings, seed and model. The Solara page (:mod:`sim.ui.app`) only draws a session and
forwards clicks to it, so everything that matters here (what "Restart run" rebuilds,
what an applied event does, what the download holds) is tested in
``tests/test_ui_state.py``. Nothing here is shared between sessions except the read-only
library and baseline caches of :mod:`sim.ui.library`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calendar import date_of
from sim.events import Event, EventError, make_event
from sim.model import SSRModel
from sim.params import INIT_ONLY, ParamError
from sim.scenario import Scenario
from sim.ui.controls import (
    EVENT_BUTTONS,
    THEMES,
    event_label,
    event_options,
    num,
    parse_seed,
    set_label,
    slider,
)
from sim.ui.library import BASELINE_FILE, default_library, load_library
from sim.ui.records import ApplyResult, LogEntry, ModelFailure, PastRun

MAX_QUEUED = 8
"""Events a participant may queue for one month (extra clicks get a message, not a stall)."""


def applied_events(model: SSRModel) -> list[Event]:
    """Every event the model has applied, in order, with its label (the one reader of the log)."""
    return list(model.event_log)


class Session:
    """One participant's state: scenario, settings, seed and their own model.

    Args:
        scenario: file name in the scenario library (default: the baseline).
        library: folder of the scenario library (default: ``sim.scenario.scenario_library()``).
        seed: random seed (default: the scenario's).
    """

    def __init__(
        self, scenario: str = BASELINE_FILE, *, library: Path | None = None, seed: int | None = None
    ) -> None:
        self.library = str((Path(library) if library else default_library()).resolve())
        self.scenarios = dict(load_library(self.library))
        if not self.scenarios:
            raise FileNotFoundError(f"no valid scenario in {self.library}")
        self.lock = threading.RLock()
        self.gen = 0  # counts restarts: the browser drops its rows when it changes
        self.previous: PastRun | None = None
        self._recovering = False  # rebuilding the run after the model raised
        self.scenario_name = ""
        self._defaults: tuple[str, dict[str, Any]] = ("", {})
        self.settings: dict[str, Any] = {}
        self.event_settings: dict[str, dict[str, Any]] = {
            kind: {o.name: o.default for o in event_options(kind)} for kind in EVENT_BUTTONS
        }
        self.seed = 0
        self.select_scenario(scenario if scenario in self.scenarios else next(iter(self.scenarios)))
        if seed is not None:
            self.set_seed(seed)
            self.reset()

    # ------------------------------------------------------------- settings
    @property
    def scenario(self) -> Scenario:
        """The chosen scenario."""
        return self.scenarios[self.scenario_name]

    @property
    def horizon(self) -> int:
        """Months the scenario runs (Play stops there)."""
        return self.scenario.steps

    def scenario_settings(self) -> dict[str, Any]:
        """The slider values the chosen scenario sets (what "Restore defaults" goes back to)."""
        name = self.scenario_name
        if self._defaults[0] != name:  # building the parameters is slow: once per scenario
            params = self.scenario.params()
            self._defaults = (name, {n: params.get(n) for t in THEMES.values() for n in t})
        return dict(self._defaults[1])

    def select_scenario(self, name: str) -> None:
        """Pick a library scenario: its parameters and seed fill the controls; restart.

        Raises:
            KeyError: not a file of the library.
        """
        if name not in self.scenarios:
            raise KeyError(f"unknown scenario {name!r}; choose one of {', '.join(self.scenarios)}")
        with self.lock:
            self.scenario_name = name
            self.settings = self.scenario_settings()
            self.seed = self.scenario.seed
            self.reset()

    def restore_defaults(self) -> None:
        """Sliders and seed back to the scenario's values, and restart."""
        with self.lock:
            self.settings = self.scenario_settings()
            self.seed = self.scenario.seed
            self.reset()

    def set_param(self, name: str, value: float) -> Any:
        """Store a slider value (used at Apply now or the next restart); returns it.

        Raises:
            ParamError: not a slider parameter, or outside the slider's bounds.
        """
        if name not in self.settings:
            raise ParamError(name, f"not a slider parameter; sliders: {', '.join(self.settings)}")
        sl = slider(name)
        if not sl.lo <= float(value) <= sl.hi:
            raise ParamError(name, f"must be in [{num(sl.lo)}, {num(sl.hi)}], got {value!r}")
        stored = int(round(value)) if sl.is_int else float(value)
        with self.lock:
            self.settings[name] = stored
        return stored

    def set_seed(self, seed: Any) -> None:
        """Store the seed for the next restart (a number, or text typed in the seed field).

        Raises:
            ValueError: not a whole number inside the scenario schema's seed bounds.
        """
        value = parse_seed(seed)
        with self.lock:
            self.seed = value

    def set_event_option(self, kind: str, name: str, value: Any) -> Any:
        """Store an option of an event button (used when it is pressed); returns it.

        Raises:
            EventError: unknown event, unknown option or a value the schema refuses.
        """
        if kind not in self.event_settings:
            raise EventError("kind", f"no button for {kind!r}; buttons: {', '.join(EVENT_BUTTONS)}")
        opts = {o.name: o for o in event_options(kind)}
        if name not in opts:
            allowed = ", ".join(opts) or "none"
            raise EventError(name, f"unknown option of {kind!r} (options: {allowed})")
        if opts[name].is_int:
            value = int(round(value))
        elif not opts[name].choices:
            value = float(value)
        candidate = {**self.event_settings[kind], name: value}
        make_event(1, kind, candidate)  # the schema decides what is valid
        with self.lock:
            self.event_settings[kind] = candidate
        return value

    @property
    def pending(self) -> bool:
        """True when sliders or seed differ from what the current model runs with."""
        return bool(self.moved()) or self.seed != self._built_seed

    @property
    def model_seed(self) -> int:
        """The seed the running model was built with."""
        return self._built_seed

    def moved(self) -> dict[str, Any]:
        """Sliders moved since the last restart or Apply now, with their new values.

        Only moved sliders count: an event (e.g. a coup lowering political will) may have
        changed a parameter in the model, and Apply now must not silently undo it.
        """
        return {n: v for n, v in self.settings.items() if v != self._synced.get(n)}

    def built_overrides(self) -> dict[str, Any]:
        """Slider values the running model was built with that differ from the scenario's."""
        own = self.scenario_settings()
        return {n: v for n, v in self._built_settings.items() if own.get(n) != v}

    def needs_reset(self) -> list[str]:
        """Moved sliders that the model reads only when it is built (Apply now skips them)."""
        return [n for n in self.moved() if n in INIT_ONLY]

    def can_apply(self) -> bool:
        """True when Apply now has something to apply to the running model."""
        return not self.finished and any(n not in INIT_ONLY for n in self.moved())

    def apply_now(self) -> ApplyResult:
        """Apply moved sliders to the running model as ``set`` events from the next month.

        Sliders read only when the model is built (``sim.params.INIT_ONLY``) are not
        applied: the result names them. Every value is checked by the events schema before
        any is injected, so a refusal leaves the run as it was.

        Raises:
            ValueError: the run is finished (``EventError``, a ``ValueError``, when the
                schema refuses a value).
        """
        with self.lock:
            if self.finished:
                raise ValueError("the run is finished: press Restart run to start again")
            moved = self.moved()
            later = tuple(n for n in moved if n in INIT_ONLY)
            now = {n: v for n, v in moved.items() if n not in INIT_ONLY}
            step = self.step_count + 1
            for name, value in now.items():
                try:
                    make_event(step, "set", {"parameter": name, "value": value})
                except EventError as err:  # name the slider, not the option key
                    raise EventError(name, err.message) from err
            events = self._apply_settings(now)
            return ApplyResult(tuple(events), later, _apply_message(self, events, now, later))

    def _apply_settings(self, values: Mapping[str, Any]) -> list[Event]:
        changes = []
        for name, value in values.items():
            self._synced[name] = value
            if self.model.p.get(name) != value:  # else nothing to change
                changes.append((name, value))
        # the model applies the newest injected event first: inject in reverse so the log
        # lists them in slider order
        return [
            self._inject("set", {"parameter": n, "value": v}, set_label(n, v))
            for n, v in reversed(changes)
        ][::-1]

    # ------------------------------------------------------------- model
    def reset(self) -> None:
        """Restart the run from the scenario, the slider values and the seed.

        A run that got anywhere becomes "your previous run" for comparison.
        """
        with self.lock:
            if getattr(self, "model", None) is not None and self.step_count > 0:
                label = f"your previous run ({self.scenario_title}, seed {self._built_seed})"
                self.previous = PastRun(label, self.model.start, self.frame())
            sc = self.scenario
            params = sc.params().with_overrides(self.settings)
            self.model = SSRModel(params, rng=self.seed, events=list(sc.events), start=sc.start)
            self._injected: list[Event] = []
            self._frame_cache: tuple[int, pd.DataFrame] | None = None
            self._synced = dict(self.settings)
            self._built_settings = dict(self.settings)
            self._built_seed = self.seed
            self.gen += 1

    @property
    def scenario_title(self) -> str:
        """The chosen scenario's title."""
        from sim.ui.library import scenario_title

        return scenario_title(self.scenario)

    @property
    def step_count(self) -> int:
        """Months simulated so far."""
        return int(self.model.steps)

    @property
    def finished(self) -> bool:
        """True once the scenario's horizon is reached."""
        return self.step_count >= self.horizon

    def step(self, months: int = 1) -> bool:
        """Advance up to ``months`` months; False (and nothing done) at the horizon.

        Raises:
            ModelFailure: the model raised; the run is back at its last good month.
        """
        with self.lock:
            if self.finished:
                return False
            for _ in range(min(months, self.horizon - self.step_count)):
                good = self.step_count
                try:
                    self.model.step()
                except Exception as err:
                    if self._recovering:
                        raise
                    self._recover(good)
                    raise ModelFailure(good, err) from err
            return True

    def _recover(self, month: int) -> None:
        """Rebuild the run as it was at ``month`` (same inputs and seed, so the same state).

        A model that raised mid-month is half-updated; the page must never read it.
        """
        events = self.your_events()
        kept = (dict(self.settings), self.seed, self.previous)
        self._recovering = True
        self.settings, self.seed = dict(self._built_settings), self._built_seed
        self.model = None  # type: ignore[assignment] - not "your previous run"
        try:
            self.reset()
            self.replay(events, month)
        except Exception:  # noqa: BLE001 - the failure repeats: start the run afresh
            self.model = None  # type: ignore[assignment]
            self.reset()
        finally:
            self._recovering = False
        self.settings, self.seed, self.previous = kept

    def queued(self) -> list[Event]:
        """Events the participant asked for that wait for the next month."""
        with self.lock:
            return [e for e in self.model.events if any(e is i for i in self._injected)]

    def inject(self, kind: str, options: Mapping[str, Any] | None = None) -> Event:
        """Apply an event at the next month simulated ("now" from the participant's view).

        Args:
            kind: event kind.
            options: its options; by default those chosen next to its button
                (:meth:`set_event_option`), which start at the schema's defaults.

        Raises:
            EventError: unknown kind or bad options.
            ValueError: the run is finished, the same event is already waiting for the next
                month, or too many are (repeated clicks get this message, not a stall).
        """
        with self.lock:
            if self.finished:
                raise ValueError("the run is finished: press Restart run to start again")
            waiting = self.queued()
            name = EVENT_BUTTONS.get(kind, kind)
            if any(e.kind == kind for e in waiting):
                raise ValueError(f"{name} is already set for next month: press Step or Play.")
            if len(waiting) >= MAX_QUEUED:
                raise ValueError(f"{len(waiting)} events already wait for next month: press Step.")
            if options is None:
                options = self.event_settings.get(kind, {})
            return self._inject(kind, dict(options), event_label(kind, options))

    def _inject(self, kind: str, options: dict[str, Any], label: str) -> Event:
        self.model.inject(kind, options)
        event = self.model.events[0]
        event.label = label
        self._injected.append(event)
        return event

    def replay(self, events: list[tuple[int, str, dict[str, Any]]], month: int) -> None:
        """Run to ``month`` applying the participant's ``events`` (step, kind, options) on the way.

        Used to restore a run from the page address; ``set`` events also move the sliders.
        """
        with self.lock:
            for step, kind, options in sorted(events, key=lambda e: e[0]):
                self.step(max(0, step - 1 - self.step_count))
                if self.finished or self.step_count != step - 1:
                    break
                if kind == "set":
                    name, value = options["parameter"], options["value"]
                    self.settings[name] = value
                    self._apply_settings({name: value})
                else:
                    self._inject(kind, dict(options), event_label(kind, options))
            self.step(max(0, month - self.step_count))

    def your_events(self) -> list[tuple[int, str, dict[str, Any]]]:
        """(step, kind, options) of every event the participant applied or queued."""
        with self.lock:
            return [(e.step, e.kind, dict(e.options)) for e in self._injected]

    # ------------------------------------------------------------- outputs
    @property
    def date(self) -> str:
        """The month last simulated, or the one before the start."""
        return self.model.date

    def status(self) -> str:
        """One line for the page, e.g. "2016-05 · month 12 of 120"."""
        if self.step_count == 0:
            return f"Not started · first month {self.scenario.start} · 0 of {self.horizon}"
        return f"{self.date} · month {self.step_count} of {self.horizon}"

    def agreement_active(self) -> int:
        """1 while the 2015 agreement is in force, 0 once terminated (as last collected)."""
        return int(self.model.agreement_active)

    def frame(self) -> pd.DataFrame:
        """Indicators per month so far (step, date, indicators), cached per step."""
        with self.lock:
            n = self.step_count
            if self._frame_cache is None or self._frame_cache[0] != n:
                self._frame_cache = (n, self.model.indicator_frame())
            return self._frame_cache[1]

    def rows(self, columns: tuple[str, ...]) -> np.ndarray:
        """Indicator values per month so far, one column per name (cheap: no data frame)."""
        with self.lock:
            collected = self.model.datacollector.model_vars  # indicator name -> values
            data = [collected[c] for c in columns]
            return np.array(data, dtype=float).T.reshape(-1, len(columns))

    def latest(self) -> dict[str, float]:
        """The last row of indicators (empty before the first month)."""
        with self.lock:
            if self.step_count == 0:
                return {}
            collected = self.model.datacollector.model_vars  # indicator name -> values
            return {name: float(values[-1]) for name, values in collected.items()}

    def event_log(self) -> list[LogEntry]:
        """Applied events, then the participant's events still waiting for the next month."""
        with self.lock:
            out = []
            for e in applied_events(self.model):
                source = "you" if any(e is i for i in self._injected) else "scenario"
                d = date_of(e.step, self.model.start)
                out.append(LogEntry(e.step, d, e.kind, e.label or e.kind, source, True))
            for e in self.queued():
                d = date_of(e.step, self.model.start)
                out.append(LogEntry(e.step, d, e.kind, e.label, "you", False))
            return out

    def markers(self) -> list[tuple[str, str]]:
        """(date, label) of every event applied so far, for the charts."""
        return [(e.date, e.label) for e in self.event_log() if e.applied]

    def upcoming(self) -> list[tuple[int, str]]:
        """(step, label) of the scenario's events still to come inside the horizon."""
        with self.lock:
            return [
                (e.step, e.label or e.kind)
                for e in self.model.events
                if e.step <= self.horizon and not any(e is i for i in self._injected)
            ]

    def region_values(self, column: str) -> np.ndarray | None:
        """One value per region of a region column for the last month (None before)."""
        from sim.indicators import REGION_COLUMNS

        if column not in REGION_COLUMNS:
            raise KeyError(
                f"unknown region column {column!r}; allowed: {', '.join(REGION_COLUMNS)}"
            )
        with self.lock:
            if not self.model.region_rows:
                return None
            return self.model.region_rows[-1][:, REGION_COLUMNS.index(column)].copy()

    def region_max(self, column: str) -> float:
        """Largest value of a region column so far (keeps the map's colour scale steady)."""
        from sim.indicators import REGION_COLUMNS

        with self.lock:
            if not self.model.region_rows:
                return 1.0
            i = REGION_COLUMNS.index(column)
            return float(max(r[:, i].max() for r in self.model.region_rows))


def _apply_message(
    session: Session, events: list[Event], now: Mapping[str, Any], later: tuple[str, ...]
) -> str:
    parts = []
    if events:
        when = date_of(session.step_count + 1, session.model.start)
        parts.append(f"Applied from {when}: " + "; ".join(e.label for e in events) + ".")
    elif now:
        parts.append("The model already uses these values.")
    if later:
        names = ", ".join(slider(n).label for n in later)
        parts.append(
            f"{names}: describes the starting situation; press Restart run to use "
            + ("them." if len(later) > 1 else "it.")
        )
    if not (events or now or later):
        parts.append("No slider moved since the last restart or Apply now.")
    return " ".join(parts)
