"""The workshop app's logic as plain Python, testable without a browser.

One :class:`Session` is one participant's browser tab: its own scenario choice, slider
settings, seed and model. The Solara page (:mod:`sim.ui.app`) only draws a session and
forwards clicks to it, so everything that matters here (what Reset rebuilds, what an
injected event does, what the CSV holds) is tested in ``tests/test_ui_state.py``.

Nothing in this module is shared between sessions except read-only caches: the parsed
scenario library and the baseline runs used for the "ghost" comparison lines.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calendar import date_of, month_index
from sim.events import EVENT_KINDS, Event, EventError, make_event
from sim.indicators import REGION_COLUMNS, indicator
from sim.model import SSRModel
from sim.params import INIT_ONLY, ParamError, spec
from sim.scenario import Scenario, load_scenario
from sim.ui.charts import PANELS, LiveCharts, LiveMap

# ---------------------------------------------------------------------- controls

THEMES: dict[str, tuple[str, ...]] = {
    "DDR": (
        "ddr.incentive",
        "ddr.security_guarantee",
        "ddr.cantonment_capacity",
        "ddr.opportunity",
    ),
    "Corruption": ("corruption.baseline", "corruption.contagion", "donors.leakage_max"),
    "Oversight": ("oversight.strength", "state.political_will", "oversight.enforcement_max"),
    "Civil society": (
        "cso.initial_capacity",
        "cso.foreign_funded_share",
        "oversight.detection_cso",
    ),
    "Donors": (
        "donors.multilateral_budget",
        "donors.bilateral_budget",
        "donors.bilateral_conditionality",
    ),
    "Trust and violence": (
        "trust.initial_mean",
        "trust.abuse_loss",
        "violence.abuse_rate",
        "forces.compliance_training",
    ),
}
"""Slider groups shown in the sidebar, by theme (dotted parameter names)."""

SLIDER_RANGE: dict[str, tuple[float, float]] = {
    "ddr.cantonment_capacity": (0, 3000),
    "donors.multilateral_budget": (0, 30),
    "donors.bilateral_budget": (0, 30),
    "violence.abuse_rate": (0, 10),
}
"""Narrower slider ranges where the schema's bounds are too wide to drag usefully.

They are always intersected with the schema bounds, so a slider can never reach a value
the model would reject.
"""

EVENT_BUTTONS: dict[str, str] = {
    "terminate_agreement": "Terminate the agreement",
    "coup": "Coup",
    "suspend_csos": "Suspend CSOs",
    "peacekeepers_withdraw": "Peacekeepers withdraw",
    "donor_withdrawal": "Donors withdraw",
    "partner_arrives": "Partner arrives",
    "launch_ddr": "Launch DDR",
    "pause_ddr": "Pause DDR",
}
"""Events a participant can inject at the current month, with their button labels."""

OPTION_LABELS: dict[str, str] = {
    "donor": "Donor",
    "share": "Share cut",
    "months": "Over months",
    "scope": "Scope",
}
"""Short labels of the event options shown next to their buttons."""

CHOICE_LABELS: dict[str, str] = {
    "all_conditional": "all conditional",
    "all": "all signatories",
    "pro_government": "pro-government only",
}
"""Plain-language names of option choices (other choices show as they are)."""

MAP_COLUMNS: dict[str, str] = {name: indicator(name).label for name in REGION_COLUMNS}
"""Region indicators offered on the map, with plain-language names (from the registry)."""

_SHARE_COLUMNS = {name for name in REGION_COLUMNS if indicator(name).is_scale}
_GOOD_COLUMNS = {name for name in REGION_COLUMNS if indicator(name).good_when == "high"}
SCREEN_DPI = 72
BASELINE_FILE = "baseline.toml"


@dataclass(frozen=True)
class Slider:
    """One parameter slider: its bounds (inside the schema's) and plain-language help."""

    name: str
    label: str
    lo: float
    hi: float
    step: float
    is_int: bool
    default: float
    help: str


def slider(name: str) -> Slider:
    """The slider for a dotted parameter name, with bounds taken from the schema."""
    s = spec(name)
    lo, hi = float(s.lo), float(s.hi)
    if name in SLIDER_RANGE:
        lo = max(lo, float(SLIDER_RANGE[name][0]))
        hi = min(hi, float(SLIDER_RANGE[name][1]))
    is_int = s.kind is int
    if is_int:
        step = float(max(1, round((hi - lo) / 100)))
    else:
        raw = (hi - lo) / 100
        step = float(10 ** np.floor(np.log10(raw))) if raw > 0 else 0.01
    label = name.split(".", 1)[1].replace("_", " ").capitalize()
    help_text = f"{s.meaning} Unit: {s.unit}; default {s.default}; slider {_num(lo)} to {_num(hi)}."
    return Slider(name, label, lo, hi, step, is_int, float(s.default), help_text)


def _num(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class EventOption:
    """One option of an event kind as a control: a choice list or a numeric range.

    Taken from the event's options schema (:mod:`sim.events`), so the page can never offer
    a value that ``make_event`` would refuse.
    """

    kind: str
    name: str
    label: str
    default: Any
    choices: tuple[str, ...] = ()
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    is_int: bool = False


def event_options(kind: str) -> tuple[EventOption, ...]:
    """The options of an event kind (empty when it has none), with schema bounds."""
    out = []
    for name, f in EVENT_KINDS[kind].options.model_fields.items():
        label = OPTION_LABELS.get(name, name.replace("_", " ").capitalize())
        if typing.get_origin(f.annotation) is typing.Literal:
            choices = tuple(str(c) for c in typing.get_args(f.annotation))
            out.append(EventOption(kind, name, label, f.default, choices=choices))
            continue
        if f.annotation not in (int, float):
            continue  # e.g. the free-form options of "set": not offered as a control
        lo = next((float(m.ge) for m in f.metadata if hasattr(m, "ge")), 0.0)
        hi = next((float(m.le) for m in f.metadata if hasattr(m, "le")), 1.0)
        is_int = f.annotation is int
        step = 1.0 if is_int else 0.05
        out.append(
            EventOption(kind, name, label, f.default, lo=lo, hi=hi, step=step, is_int=is_int)
        )
    return tuple(out)


def choice_label(value: str) -> str:
    """How a choice of an event option is shown."""
    return CHOICE_LABELS.get(value, value)


def event_label(kind: str, options: Mapping[str, Any]) -> str:
    """The log and chart label of an injected event, naming options that differ from defaults.

    E.g. "Donors withdraw (EU, share 0.5)" or "Peacekeepers withdraw (over 12 months)".
    """
    base = EVENT_BUTTONS.get(kind, kind)
    parts = []
    for opt in event_options(kind) if kind in EVENT_KINDS else ():
        value = options.get(opt.name, opt.default)
        if value == opt.default:
            continue
        if opt.choices:
            parts.append(choice_label(str(value)))
        elif opt.name == "months":
            parts.append(f"over {int(value)} months")
        else:
            parts.append(f"{opt.name} {_num(float(value))}")
    return f"{base} ({', '.join(parts)})" if parts else base


def set_label(name: str, value: Any) -> str:
    """Label of a slider applied mid-run, e.g. "set ddr.incentive = 0.8"."""
    shown = str(value) if isinstance(value, int) else _num(float(value))
    return f"set {name} = {shown}"


# ---------------------------------------------------------------------- library


def scenario_choices(library: Path | None = None) -> dict[str, Scenario]:
    """The valid scenarios of the library, by file name (invalid files are left out)."""
    from sim.cli import scenario_library

    folder = Path(library) if library is not None else scenario_library()
    return dict(_load_library(str(folder.resolve())))


@lru_cache(maxsize=4)
def _load_library(folder: str) -> tuple[tuple[str, Scenario], ...]:
    from sim.scenario import ScenarioError

    out = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            out.append((path.name, load_scenario(path)))
        except ScenarioError:
            continue
    return tuple(out)


@lru_cache(maxsize=32)
def _baseline_run(folder: str, seed: int, count: int, steps: int, start: str) -> pd.DataFrame:
    """The library's baseline scenario run once per (seed, size, horizon), then reused."""
    sc = dict(_load_library(folder)).get(BASELINE_FILE)
    if sc is None:
        return pd.DataFrame()
    params = sc.params().with_overrides({"community.count": count})
    model = SSRModel(params, rng=seed, events=list(sc.events), start=sc.start)
    model.run(steps)
    df = model.indicator_frame()
    # align on calendar months, so a ghost can be drawn under a run with another start
    df["x"] = [_year(d) for d in df["date"]]
    return df


def _year(month: str) -> float:
    """A "YYYY-MM" as a fractional year (x axis of the charts)."""
    i = month_index(month)
    return i / 12.0


# ---------------------------------------------------------------------- session


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
    """What "Apply now" did: the set events injected and the sliders that need Reset."""

    events: tuple[Event, ...] = ()
    needs_reset: tuple[str, ...] = ()
    message: str = ""


class Session:
    """One participant's state: scenario, settings, seed and their own model.

    Args:
        scenario: file name in the scenario library (default: the baseline).
        library: folder of the scenario library (default: ``sim.cli.scenario_library()``).
        seed: random seed (default: the scenario's).
    """

    def __init__(
        self, scenario: str = BASELINE_FILE, *, library: Path | None = None, seed: int | None = None
    ) -> None:
        from sim.cli import scenario_library

        self.library = str((Path(library) if library else scenario_library()).resolve())
        self.scenarios = dict(_load_library(self.library))
        if not self.scenarios:
            raise FileNotFoundError(f"no valid scenario in {self.library}")
        self.lock = threading.RLock()
        self._maps: dict[str, LiveMap] = {}  # kept across resets: they hold no model state
        self.scenario_name = ""
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

    def select_scenario(self, name: str) -> None:
        """Pick a library scenario: its parameters and seed fill the controls; then Reset.

        Raises:
            KeyError: not a file of the library.
        """
        if name not in self.scenarios:
            raise KeyError(f"unknown scenario {name!r}; choose one of {', '.join(self.scenarios)}")
        with self.lock:
            self.scenario_name = name
            params = self.scenario.params()
            self.settings = {n: params.get(n) for theme in THEMES.values() for n in theme}
            self.seed = self.scenario.seed
            self.reset()

    def set_param(self, name: str, value: float) -> Any:
        """Store a slider value (used at Apply now or the next Reset); returns it.

        Raises:
            ParamError: not a slider parameter, or outside the slider's bounds.
        """
        if name not in self.settings:
            raise ParamError(name, f"not a slider parameter; sliders: {', '.join(self.settings)}")
        sl = slider(name)
        if not sl.lo <= float(value) <= sl.hi:
            raise ParamError(name, f"must be in [{_num(sl.lo)}, {_num(sl.hi)}], got {value!r}")
        stored = int(round(value)) if sl.is_int else float(value)
        with self.lock:
            self.settings[name] = stored
        return stored

    def set_seed(self, seed: int) -> None:
        """Store the seed for the next Reset.

        Raises:
            ValueError: not a whole number in [0, 2^63).
        """
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise ValueError(f"seed must be a whole number, got {seed!r}")
        if not 0 <= int(seed) < 2**63:
            raise ValueError(f"seed must be in [0, 2^63), got {seed}")
        with self.lock:
            self.seed = int(seed)

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
        """Sliders moved since the last Reset or Apply now, with their new values.

        Only moved sliders count: an event (e.g. a coup lowering political will) may have
        changed a parameter in the model, and Apply now must not silently undo it.
        """
        return {n: v for n, v in self.settings.items() if v != self._synced.get(n)}

    def needs_reset(self) -> list[str]:
        """Moved sliders that the model reads only when it is built (Apply now skips them)."""
        return [n for n in self.moved() if n in INIT_ONLY]

    def can_apply(self) -> bool:
        """True when Apply now has something to apply to the running model."""
        return not self.finished and any(n not in INIT_ONLY for n in self.moved())

    def apply_now(self) -> ApplyResult:
        """Apply moved sliders to the running model as ``set`` events from the next month.

        Sliders of parameters read only at initialisation (``sim.params.INIT_ONLY``) are
        not applied: the result names them, they wait for Reset. Every value is checked
        by the events schema before any is injected, so a refusal leaves the run as it was.

        Raises:
            ValueError: the run is finished (``EventError``, a ``ValueError``, when the
                schema refuses a value).
        """
        with self.lock:
            if self.finished:
                raise ValueError("the run is finished: press Reset to start again")
            moved = self.moved()
            later = tuple(n for n in moved if n in INIT_ONLY)
            now = {n: v for n, v in moved.items() if n not in INIT_ONLY}
            step = self.step_count + 1
            for name, value in now.items():
                try:
                    make_event(step, "set", {"parameter": name, "value": value})
                except EventError as err:  # name the slider, not the option key
                    raise EventError(name, err.message) from err
            changes = []
            for name, value in now.items():
                self._synced[name] = value
                if self.model.p.get(name) != value:  # else nothing to change
                    changes.append((name, value))
            # the model applies the newest injected event first: inject in reverse so the
            # log lists them in slider order
            events = [
                self._inject("set", {"parameter": n, "value": v}, set_label(n, v))
                for n, v in reversed(changes)
            ][::-1]
            parts = []
            if events:
                parts.append(
                    "Applied from "
                    + date_of(step, self.model.start)
                    + ": "
                    + "; ".join(e.label for e in events)
                    + "."
                )
            elif now:
                parts.append("The model already uses these values.")
            if later:
                parts.append(
                    f"{', '.join(later)}: read only when the model is built; "
                    "press Reset to use " + ("them." if len(later) > 1 else "it.")
                )
            if not moved:
                parts.append("No slider moved since the last Reset or Apply now.")
            return ApplyResult(tuple(events), later, " ".join(parts))

    def overrides(self) -> dict[str, Any]:
        """The settings that differ from the scenario's own values."""
        params = self.scenario.params()
        return {n: v for n, v in self.settings.items() if params.get(n) != v}

    # ------------------------------------------------------------- model
    def reset(self) -> None:
        """Rebuild the model from the scenario, the slider values and the seed."""
        with self.lock:
            sc = self.scenario
            params = sc.params().with_overrides(self.settings)
            self.model = SSRModel(params, rng=self.seed, events=list(sc.events), start=sc.start)
            self._injected: list[Event] = []
            self._frame_cache: tuple[int, pd.DataFrame] | None = None
            self._charts: tuple[bool, LiveCharts] | None = None
            self._synced = dict(self.settings)
            self._built_seed = self.seed

    @property
    def step_count(self) -> int:
        """Months simulated so far."""
        return int(self.model.steps)

    @property
    def finished(self) -> bool:
        """True once the scenario's horizon is reached."""
        return self.step_count >= self.horizon

    def step(self, months: int = 1) -> bool:
        """Advance up to ``months`` months; False (and nothing done) at the horizon."""
        with self.lock:
            if self.finished:
                return False
            for _ in range(min(months, self.horizon - self.step_count)):
                self.model.step()
            return True

    def inject(self, kind: str, options: Mapping[str, Any] | None = None) -> Event:
        """Apply an event at the next month simulated ("now" from the participant's view).

        Args:
            kind: event kind.
            options: its options; by default those chosen next to its button
                (:meth:`set_event_option`), which start at the schema's defaults.

        Raises:
            EventError: unknown kind or bad options.
            ValueError: the run is finished.
        """
        with self.lock:
            if self.finished:
                raise ValueError("the run is finished: press Reset to start again")
            if options is None:
                options = self.event_settings.get(kind, {})
            return self._inject(kind, dict(options), event_label(kind, options))

    def _inject(self, kind: str, options: dict[str, Any], label: str) -> Event:
        self.model.inject(kind, options)
        event = self.model.events[0]
        event.label = label
        self._injected.append(event)
        return event

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

    def latest(self) -> dict[str, float]:
        """The last row of indicators (empty before the first month)."""
        df = self.frame()
        return {} if df.empty else df.iloc[-1].to_dict()

    def event_log(self) -> list[LogEntry]:
        """Applied events, then injected ones still waiting for the next month."""
        with self.lock:
            out = []
            for e in self.model.event_log:
                source = "you" if any(e is i for i in self._injected) else "scenario"
                d = date_of(e.step, self.model.start)
                out.append(LogEntry(e.step, d, e.kind, e.label or e.kind, source, True))
            for e in self.model.events:
                if any(e is i for i in self._injected):
                    d = date_of(e.step, self.model.start)
                    out.append(LogEntry(e.step, d, e.kind, e.label, "you", False))
            return out

    def markers(self) -> list[tuple[str, str]]:
        """(date, label) of every event applied so far, for the charts."""
        return [(e.date, e.label) for e in self.event_log() if e.applied]

    def upcoming(self) -> list[tuple[str, str]]:
        """(date, label) of the scenario's events still to come inside the horizon."""
        with self.lock:
            return [
                (date_of(e.step, self.model.start), e.label or e.kind)
                for e in self.model.events
                if e.step <= self.horizon and not any(e is i for i in self._injected)
            ]

    def baseline(self) -> pd.DataFrame:
        """The baseline scenario with the same seed, size and horizon (cached)."""
        p = self.model.p
        return _baseline_run(
            self.library,
            self.seed,
            int(p.community.count),
            self.horizon,
            self.scenario.start,
        )

    def region_values(self, column: str) -> np.ndarray | None:
        """One value per region of a region column for the last month (None before)."""
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
        with self.lock:
            if not self.model.region_rows:
                return 1.0
            i = REGION_COLUMNS.index(column)
            return float(max(r[:, i].max() for r in self.model.region_rows))

    def csv_bytes(self) -> bytes:
        """The run's indicators per month as CSV, with an ``events`` column."""
        df = self.frame().copy()
        by_step: dict[int, list[str]] = {}
        for e in self.event_log():
            if e.applied:
                by_step.setdefault(e.step, []).append(e.label)
        df["events"] = ["; ".join(by_step.get(int(s), [])) for s in df["step"]]
        return df.to_csv(index=False).encode("utf-8")

    def csv_filename(self) -> str:
        """File name of the CSV download, naming scenario, seed and month."""
        stem = self.scenario_name.removesuffix(".toml")
        return f"{stem}_seed{self.seed}_{self.date}.csv"

    # ------------------------------------------------------------- pictures
    def charts_png(self, *, ghost: bool = True, dpi: int = SCREEN_DPI) -> bytes:
        """The time-series charts (dates on the x axis, event markers) as a PNG.

        Args:
            ghost: draw the baseline scenario (same seed) dashed underneath.
            dpi: 72 for the screen (the session's cached live figure), more for downloads.
        """
        with self.lock:
            start = _year(self.scenario.start)
            x_range = (start, start + self.horizon / 12.0)
            base = self.baseline() if ghost else None
            if dpi != SCREEN_DPI:
                charts = LiveCharts(x_range, base, dpi=dpi)
            else:
                if self._charts is None or self._charts[0] != ghost:
                    self._charts = (ghost, LiveCharts(x_range, base, dpi=dpi))
                charts = self._charts[1]
            df = self.frame()
            x = np.array([_year(d) for d in df["date"]])
            markers = [(_year(d), label, True) for d, label in self.markers()]
            markers += [(_year(d), f"{label} (planned)", False) for d, label in self.upcoming()]
            return charts.render(x, df, markers)

    def map_png(self, column: str) -> bytes:
        """The schematic region map coloured by a region column, as a PNG."""
        values = self.region_values(column)
        with self.lock:
            if column not in self._maps:
                share = column in _SHARE_COLUMNS
                cmap = "viridis" if column in _GOOD_COLUMNS else "magma_r"
                fmt = "{:.2f}" if share else "{:,.0f}"
                self._maps[column] = LiveMap(MAP_COLUMNS.get(column, column), cmap, fmt)
            vmax = 1.0 if column in _SHARE_COLUMNS else max(self.region_max(column), 1.0)
            return self._maps[column].render(values, vmax, self.date)


def indicator_help(name: str) -> str:
    """Unit and meaning of an indicator, for tooltips."""
    row = indicator(name)
    return f"{row.meaning} ({row.unit})"


def event_help(kind: str) -> str:
    """Plain-language meaning of an event kind, for tooltips."""
    return EVENT_KINDS[kind].meaning


__all__ = [
    "EVENT_BUTTONS",
    "MAP_COLUMNS",
    "PANELS",
    "THEMES",
    "ApplyResult",
    "EventOption",
    "LogEntry",
    "Session",
    "Slider",
    "choice_label",
    "event_help",
    "event_label",
    "event_options",
    "indicator_help",
    "scenario_choices",
    "set_label",
    "slider",
]
