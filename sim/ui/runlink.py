"""A run in the page address: scenario, seed, sliders and events, so reload restores it.

The query string reads like this (one ``e`` per event the participant applied)::

    ?scenario=baseline&seed=42&month=40&ddr.incentive=0.8
     &e=12:coup&e=30:donor_withdrawal:donor=EU;share=0.5&e=35:set:ddr.opportunity=0.6

Slider values are those the run was started with; ``set`` events are sliders applied
mid-run ("Apply now"). A shared link gives the same run: same inputs, same seed, same
numbers. Everything read from an address is checked by the same schemas as a scenario
file; what does not pass is left out and named in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sim.events import EventError, make_event
from sim.params import ParamError
from sim.ui.controls import event_options, slider
from sim.ui.state import Session


def run_query(session: Session) -> str:
    """The query string that restores the session's run (without the leading "?")."""
    with session.lock:
        pairs: list[tuple[str, str]] = [
            ("scenario", session.scenario_name.removesuffix(".toml")),
            ("seed", str(session.model_seed)),
        ]
        if session.step_count:
            pairs.append(("month", str(session.step_count)))
        pairs += [(name, _text(v)) for name, v in session.built_overrides().items()]
        pairs += [("e", _event_text(s, k, o)) for s, k, o in session.your_events()]
    return urlencode(pairs, safe=":;=,")


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):  # e.g. the donors whose CSOs are banned
        return ",".join(map(str, value))
    return str(value) if isinstance(value, int) else f"{float(value):.6g}"


def _event_text(step: int, kind: str, options: dict[str, Any]) -> str:
    if kind == "set":
        return f"{step}:set:{options['parameter']}={_text(options['value'])}"
    opts = ";".join(f"{k}={_text(v) if not isinstance(v, str) else v}" for k, v in options.items())
    return f"{step}:{kind}" + (f":{opts}" if opts else "")


@dataclass
class RunLink:
    """A run read from a page address, with the problems found (left out, not applied)."""

    scenario: str | None = None
    seed: int | None = None
    month: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_query(query: str | None, scenarios: dict[str, Any]) -> RunLink:
    """Read a page address's query string; every bad part lands in ``problems``."""
    link = RunLink()
    for key, value in parse_qsl(query or "", keep_blank_values=True):
        try:
            _read(link, key, value, scenarios)
        except (ValueError, KeyError) as err:
            link.problems.append(f"{key}={value[:40]}: {_reason(err)}")
    return link


def _reason(err: Exception) -> str:
    if isinstance(err, EventError | ParamError):
        return err.message
    return str(err).strip("'\"")


def _read(link: RunLink, key: str, value: str, scenarios: dict[str, Any]) -> None:
    from sim.ui.controls import parse_seed

    if key == "scenario":
        name = value if value.endswith(".toml") else f"{value}.toml"
        if name not in scenarios:
            raise KeyError(f"no such scenario; choose one of {', '.join(scenarios)}")
        link.scenario = name
    elif key == "seed":
        link.seed = parse_seed(value)
    elif key == "month":
        if not value.isdigit():
            raise ValueError("month must be a whole number")
        link.month = int(value)
    elif key == "e":
        link.events.append(_read_event(value))
    elif key == "token":
        return
    else:
        link.settings[key] = _slider_value(key, value)


def _slider_value(name: str, text: str) -> Any:
    sl = slider(name)  # ParamError for an unknown name
    value = float(text)
    if not sl.lo <= value <= sl.hi:
        raise ValueError(f"outside the slider's range {sl.lo:g} to {sl.hi:g}")
    return int(round(value)) if sl.is_int else value


def _read_event(text: str) -> tuple[int, str, dict[str, Any]]:
    step_text, _, rest = text.partition(":")
    kind, _, opts_text = rest.partition(":")
    if not step_text.isdigit() or int(step_text) < 1:
        raise ValueError("an event starts with its month number, e.g. 12:coup")
    step = int(step_text)
    if kind == "set":
        name, _, value = opts_text.partition("=")
        options: dict[str, Any] = {"parameter": name, "value": _slider_value(name, value)}
    else:
        known = {o.name: o for o in event_options(kind)} if kind in _kinds() else {}
        options = {}
        for part in filter(None, opts_text.split(";")):
            k, _, v = part.partition("=")
            opt = known.get(k)
            if _is_list_option(kind, k):
                options[k] = [item for item in v.split(",") if item]
            elif opt is not None and not opt.choices:
                options[k] = int(float(v)) if opt.is_int else float(v)
            else:
                options[k] = v
    event = make_event(step, kind, options)  # the schema decides
    return step, event.kind, event.options


def _is_list_option(kind: str, name: str) -> bool:
    """True when the event schema declares the option a list (written comma-separated)."""
    from typing import get_origin

    from sim.events import EVENT_KINDS

    if kind not in EVENT_KINDS:
        return False
    field_info = EVENT_KINDS[kind].options.model_fields.get(name)
    return field_info is not None and get_origin(field_info.annotation) is list


def _kinds() -> set[str]:
    from sim.events import EVENT_KINDS

    return set(EVENT_KINDS)


def restore(session: Session, link: RunLink) -> None:
    """Rebuild the session's run from a parsed address (scenario, seed, sliders, events)."""
    with session.lock:
        if link.scenario:
            session.select_scenario(link.scenario)
        for name, value in link.settings.items():
            if name in session.settings:
                session.set_param(name, value)
            else:
                link.problems.append(f"{name}: not a slider of this page")
        if link.seed is not None:
            session.set_seed(link.seed)
        session.reset()
        session.replay(link.events, min(link.month, session.horizon))
