"""The page's controls as data: sliders, event buttons and their options.

Bounds, units and defaults come from the schemas (:func:`sim.params.spec` for
parameters, the event option models in :mod:`sim.events`); the words from
:mod:`sim.ui.wording`. Nothing here is typed twice.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.events import EVENT_KINDS
from sim.indicators import REGION_COLUMNS, indicator
from sim.params import spec
from sim.scenario import ScenarioMeta
from sim.ui.wording import CHOICE_WORDS, EVENT_WORDS, OPTION_WORDS, SLIDER_WORDS

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
"""Slider groups shown in the settings panel, by theme (dotted parameter names)."""

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

EVENT_BUTTONS: dict[str, str] = {kind: words[0] for kind, words in EVENT_WORDS.items()}
"""Events a participant can apply from the next month, with their button labels."""

MAP_COLUMNS: dict[str, str] = {name: indicator(name).label for name in REGION_COLUMNS}
"""Region indicators offered on the map, with plain-language names (from the registry)."""


@dataclass(frozen=True)
class Slider:
    """One parameter slider: bounds (inside the schema's), plain label and help."""

    name: str
    label: str
    lo: float
    hi: float
    step: float
    is_int: bool
    default: float
    unit: str
    help: str


def slider(name: str) -> Slider:
    """The slider for a dotted parameter name: words from the table, numbers from the schema."""
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
    label, words = SLIDER_WORDS.get(name, (name.split(".", 1)[1].replace("_", " "), s.meaning))
    unit = {"index": "scale 0 to 1", "share": "share, 0 to 1"}.get(s.unit, s.unit)
    help_text = f"{words} Unit: {unit}. From {num(lo)} to {num(hi)}; usually {num(s.default)}."
    return Slider(name, label, lo, hi, step, is_int, float(s.default), unit, help_text)


def num(x: float) -> str:
    """A number as a person writes it (0.4, 289, 1,200)."""
    x = float(x)
    if x.is_integer() and abs(x) >= 1000:
        return f"{int(x):,}"
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
        label = OPTION_WORDS.get(name, name.replace("_", " ").capitalize())
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
    return CHOICE_WORDS.get(value, value)


def event_label(kind: str, options: Mapping[str, Any]) -> str:
    """The log and chart label of an applied event, naming options that differ from defaults.

    E.g. "Donors withdraw (EU, 50% cut)" or "Peacekeepers withdraw (over 12 months)".
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
        elif opt.name == "share":
            parts.append(f"{round(100 * float(value))}% cut")
        else:
            parts.append(f"{opt.label.lower()} {num(float(value))}")
    return f"{base} ({', '.join(parts)})" if parts else base


def set_label(name: str, value: Any) -> str:
    """Label of a slider applied mid-run, in words: "Jobs and income after DDR set to 0.8"."""
    sl = slider(name)
    shown = str(value) if isinstance(value, int) else num(float(value))
    return f"{sl.label} set to {shown}"


def event_help(kind: str) -> str:
    """Plain-language explanation of an event kind (tap "What is this?" on the page)."""
    return EVENT_WORDS[kind][1] if kind in EVENT_WORDS else EVENT_KINDS[kind].meaning


def indicator_help(name: str) -> str:
    """Unit and meaning of an indicator, for tooltips."""
    row = indicator(name)
    return f"{row.meaning} ({row.unit})"


def seed_bounds() -> tuple[int, int]:
    """The allowed seeds, read from the scenario schema (``[scenario] seed``)."""
    meta = ScenarioMeta.model_fields["seed"].metadata
    lo = next(int(m.ge) for m in meta if getattr(m, "ge", None) is not None)
    hi = next(int(m.le) for m in meta if getattr(m, "le", None) is not None)
    return lo, hi


def parse_seed(text: Any) -> int:
    """A seed typed by a participant, or ValueError with a message saying what is allowed."""
    lo, hi = seed_bounds()
    raw = str(text).strip().replace(",", "").replace(" ", "")
    if isinstance(text, bool) or not raw.isdigit():
        raise ValueError(f"Seed: {str(text)[:30]!r} is not a whole number; use {lo} to {hi:,}.")
    value = int(raw)
    if not lo <= value <= hi:
        raise ValueError(f"Seed: {value:,} is too large; use {lo} to {hi:,}.")
    return value
