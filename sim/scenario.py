"""Scenario files: schema, loading with precise errors, and running one replicate.

A scenario is TOML with three parts (see ``docs/scenarios.md``)::

    [scenario]      name, description, start ("YYYY-MM"), steps, replicates, seed
    [parameters]    dotted overrides of the parameter schema ("ddr.incentive" = 0.6)
    [[events]]      at = "YYYY-MM" (or step = N), kind = "...", plus the kind's options

Loading parses data only (``tomllib``); nothing in a file is executed. Every error names
the file, the key path and what is allowed, as a :class:`ScenarioError`.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

# hashlib, numpy and tomli_w load in the functions that use them: `ssr check` needs none.
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.calendar import date_of, month_index, parse_month, step_of
from sim.errors import InputError, field_bounds, unknown
from sim.events import Event, EventError, make_event
from sim.params import Params
from sim.paramtools import ParamError
from sim.policy.levers import PolicySpec, parse_policy, run_with_policy

if TYPE_CHECKING:  # the model (and Mesa) load only when something runs: checks stay fast
    import pandas as pd

    from sim.model import SSRModel


class ScenarioError(InputError):
    """Invalid scenario or experiment input (file, key path, what is allowed)."""


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Calendar years a run may cover: plots and reports date every month with pandas
timestamps, which reach only 1677 to 2262."""


NAME_RULE = "must be letters, digits, '_', '-' or '.', starting with a letter or digit (max 80)"
"""What a scenario or experiment name may be (the pattern of ``ScenarioMeta.name``)."""


class ScenarioMeta(BaseModel):
    """The ``[scenario]`` table."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
    description: str = ""
    start: str = "2015-06"
    steps: int = Field(120, ge=1, le=1200)
    replicates: int = Field(10, ge=1, le=10000)
    seed: int = Field(0, ge=0, le=2**63 - 1)

    @field_validator("start")
    @classmethod
    def _month(cls, v: str) -> str:
        year, _ = parse_month(v)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"the year must be in [{FIRST_YEAR}, {LAST_YEAR}], got {v!r}")
        return v


def check_end(src: str | Path, key: str, start: str, steps: int) -> None:
    """Refuse a run that would end after the last year plots can date.

    Raises:
        ScenarioError: naming ``key``.
    """
    end = date_of(steps, start)
    if parse_month(end)[0] > LAST_YEAR:
        raise ScenarioError(
            src, key, f"{steps} months from {start} end in {end}, after {LAST_YEAR}-12"
        )


@dataclass
class Scenario:
    """A validated scenario, ready to run."""

    name: str
    description: str = ""
    start: str = "2015-06"
    steps: int = 120
    replicates: int = 10
    seed: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    path: Path | None = None
    policy: PolicySpec | None = None  # the [policy] table (sim.policy.levers)

    def params(self) -> Params:
        """The full parameter set (defaults with this scenario's overrides)."""
        return Params().with_overrides(self.parameters)

    def config_hash(self, exclude: Collection[str] = ()) -> str:
        """SHA-256 of everything that determines the results (not the replicate count).

        ``exclude``: parameters left out (a calibration's inferred ones, whose defaults
        its results do not depend on).
        """
        flat = self.params().flat()
        blob = {
            "start": self.start,
            "steps": self.steps,
            "seed": self.seed,
            "parameters": {k: v for k, v in flat.items() if k not in exclude},
            "events": [(e.step, e.kind, e.options) for e in self.events],
        }
        if self.policy is not None:
            blob["policy"] = self.policy.raw
        import hashlib

        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()

    def event_dates(self) -> list[tuple[str, str]]:
        """(date, label) of each event inside the run, for plots and reports."""
        return [
            (date_of(e.step, self.start), e.label or e.kind)
            for e in self.events
            if 1 <= e.step <= self.steps
        ]

    def replicate_seeds(self) -> list[int]:
        """One independent seed per replicate, derived from the scenario seed."""
        return replicate_seeds(self.seed, self.replicates)

    def with_overrides(
        self,
        *,
        replicates: int | None = None,
        seed: int | None = None,
        steps: int | None = None,
    ) -> Scenario:
        """A copy with command-line overrides, validated like the file's own values."""
        src = self.path or "<command line>"
        data = {
            "name": self.name,
            "description": self.description,
            "start": self.start,
            "steps": self.steps if steps is None else steps,
            "replicates": self.replicates if replicates is None else replicates,
            "seed": self.seed if seed is None else seed,
        }
        try:
            meta = ScenarioMeta.model_validate(data)
        except ValidationError as err:
            e = err.errors()[0]
            raise ScenarioError(src, f"--{e['loc'][0]}", _pydantic_msg(e)) from err
        new = Scenario(**{**self.__dict__, **meta.model_dump()})
        check_end(src, "--steps", new.start, new.steps)
        last = max((e.step for e in new.events), default=0)
        if last > new.steps:
            raise ScenarioError(
                src, "--steps", f"an event falls at step {last}; steps must be at least {last}"
            )
        return new


def replicate_seeds(seed: int, n: int) -> list[int]:
    """Seeds for ``n`` replicates from one ``numpy.random.SeedSequence``."""
    import numpy as np

    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def _pydantic_msg(e: dict[str, Any]) -> str:
    msg = e["msg"]
    if e["type"] == "extra_forbidden":
        return "unknown key"
    if e["type"] == "string_pattern_mismatch":
        return NAME_RULE
    return f"{msg}, got {e.get('input')!r}"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


_WHOLE_NUMBERS = ("steps", "replicates", "seed")
"""Integer keys of [scenario]: messages say their bounds (read from the schema)."""


def _toml_repr(value: Any) -> str:
    """A value as it is written in TOML (true, "text", 1.5), for error messages."""
    import tomli_w

    try:
        return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()
    except TypeError:
        return repr(value)


def scenario_toml(scenario: Scenario, *, note: str = "") -> str:
    """The scenario as TOML, with overrides applied and every event dated.

    ``load_scenario`` reads it back to the same configuration (same config hash).
    ``note`` becomes comment lines at the top.
    """
    doc: dict[str, Any] = {
        "scenario": {
            key: getattr(scenario, key)
            for key in ("name", "description", "start", "steps", "replicates", "seed")
        },
        "parameters": dict(scenario.parameters),
    }
    events = []
    for ev in scenario.events:
        entry = {"at": date_of(ev.step, scenario.start), "kind": ev.kind, **ev.options}
        if ev.label:
            entry["label"] = ev.label
        events.append(entry)
    if events:
        doc["events"] = events
    if scenario.policy is not None:
        doc["policy"] = scenario.policy.raw
    import tomli_w

    comments = "".join(f"# {line}\n" for line in note.splitlines())
    return comments + ("\n" if comments else "") + tomli_w.dumps(doc)


_TOP = ("scenario", "parameters", "events", "policy")
_EVENT_KEYS = ("at", "step", "kind", "label")


def parse_scenario(data: dict[str, Any], src: str | Path) -> Scenario:
    """Validate a parsed TOML document as a scenario."""
    try:
        return _parse_scenario(data, src)
    except RecursionError:
        raise ScenarioError(src, "", "tables or arrays are nested too deeply") from None


def _parse_scenario(data: dict[str, Any], src: str | Path) -> Scenario:
    for key in data:
        if key not in _TOP:
            raise ScenarioError(src, key, _unknown(key, _TOP, "top-level table"))
    if "scenario" not in data:
        raise ScenarioError(src, "scenario", "missing [scenario] table (with at least name)")
    if not isinstance(data["scenario"], dict):
        raise ScenarioError(src, "scenario", 'must be a table: [scenario] with name = "..."')
    raw = data["scenario"]
    try:
        meta = ScenarioMeta.model_validate(raw)
    except ValidationError as err:
        e = err.errors()[0]
        loc = str(e["loc"][0]) if e["loc"] else ""
        if e["type"] == "extra_forbidden":
            msg = _unknown(loc, tuple(ScenarioMeta.model_fields), "key of [scenario]")
        elif e["type"] == "missing":
            msg = "required key is missing"
        elif e["type"] == "value_error":
            msg = str(e["ctx"]["error"]) if "ctx" in e else e["msg"]
        elif loc in _WHOLE_NUMBERS:
            lo, hi = field_bounds(ScenarioMeta, loc)
            msg = f"must be a whole number in [{lo}, {hi}], got {_toml_repr(e.get('input'))}"
        else:
            msg = _pydantic_msg(e)
        raise ScenarioError(src, f"scenario.{loc}", msg) from err

    check_end(src, "scenario.steps", meta.start, meta.steps)
    params_raw = data.get("parameters", {})
    if not isinstance(params_raw, dict):
        raise ScenarioError(src, "parameters", 'must be a table of "group.name" = value')
    parameters = _flatten(params_raw)
    check = Params()
    for name, value in parameters.items():
        try:
            check.set(name, value)
        except ParamError as err:
            raise ScenarioError(src, f'parameters."{name}"', err.message) from err

    events_raw = data.get("events", [])
    if not isinstance(events_raw, list):
        raise ScenarioError(src, "events", "must be an array of tables: [[events]]")
    events = [_parse_event(i, ev, meta, src) for i, ev in enumerate(events_raw)]
    policy = None if "policy" not in data else _parse_policy(data["policy"], src)
    return Scenario(
        name=meta.name,
        description=meta.description,
        start=meta.start,
        steps=meta.steps,
        replicates=meta.replicates,
        seed=meta.seed,
        parameters=parameters,
        events=sorted(events),
        path=Path(src) if not str(src).startswith("<") else None,
        policy=policy,
    )


def _parse_policy(table: Any, src: str | Path) -> PolicySpec:
    try:
        return parse_policy(table, src)
    except InputError as err:
        raise ScenarioError(src, err.key, err.message) from None


def _parse_event(i: int, ev: Any, meta: ScenarioMeta, src: str | Path) -> Event:
    where = f"events[{i}]"
    if not isinstance(ev, dict):
        raise ScenarioError(src, where, "each event must be a table with at/step and kind")
    if "kind" not in ev:
        raise ScenarioError(src, f"{where}.kind", "required key is missing")
    if not isinstance(ev["kind"], str):
        raise ScenarioError(src, f"{where}.kind", f"must be a string, got {ev['kind']!r}")
    has_at, has_step = "at" in ev, "step" in ev
    if has_at == has_step:
        raise ScenarioError(src, f"{where}.at", 'give exactly one of at = "YYYY-MM" or step = N')
    end = date_of(meta.steps, meta.start)
    if has_at:
        try:
            step = step_of(ev["at"], meta.start)
        except ValueError as err:
            raise ScenarioError(src, f"{where}.at", str(err)) from err
        if not 1 <= step <= meta.steps:
            raise ScenarioError(
                src, f"{where}.at", f"{ev['at']} is outside the run ({meta.start} to {end})"
            )
    else:
        step = ev["step"]
        if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= meta.steps:
            raise ScenarioError(
                src, f"{where}.step", f"must be an integer in [1, {meta.steps}], got {step!r}"
            )
    label = ev.get("label", "")
    if not isinstance(label, str):
        raise ScenarioError(src, f"{where}.label", f"must be a string, got {label!r}")
    options = {k: v for k, v in ev.items() if k not in _EVENT_KEYS}
    try:
        event = make_event(step, ev["kind"], options)
    except EventError as err:
        raise ScenarioError(src, f"{where}.{err.key}", err.message) from err
    event.label = label
    return event


def _unknown(key: str, allowed: Iterable[str], what: str) -> str:
    return unknown(key, allowed, what)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ScenarioError`.

    Only regular files are read (a device or a pipe could block for ever); a UTF-8
    byte-order mark, which some editors add, is accepted.
    """
    from sim.resources import check_regular_file

    p = Path(path)
    try:
        check_regular_file(p)
    except InputError as err:
        raise ScenarioError(p, "", err.message) from None
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(p, "", "is not UTF-8 text") from err
    except OSError as err:
        raise ScenarioError(p, "", f"cannot be read ({err.strerror})") from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(p, "", f"malformed TOML: {err}") from err
    except RecursionError:
        raise ScenarioError(p, "", "tables or arrays are nested too deeply") from None


def scenario_library() -> Path:
    """The folder of shipped scenarios: ``$SSR_SCENARIOS``, ./scenarios, or the source tree's."""
    env = os.environ.get("SSR_SCENARIOS")
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[1] / "scenarios"


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Raises:
        ScenarioError: with file, key path and what is allowed.
    """
    return parse_scenario(read_toml(path), path)


def build_model(scenario: Scenario, seed: int) -> SSRModel:
    """A model set up for one replicate of the scenario."""
    from sim.model import SSRModel

    return SSRModel(scenario.params(), rng=seed, events=list(scenario.events), start=scenario.start)


def simulate(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run one replicate; return (indicators per step, indicators per step and region)."""
    model = build_model(scenario, seed)
    run_with_policy(model, scenario.policy, scenario.start, scenario.steps)
    return model.indicator_frame(), model.region_frame()


def run_scenario(
    scenario: Scenario | str | Path, *, replicates: int | None = None, seed: int | None = None
) -> pd.DataFrame:
    """Run every replicate in this process and return the stacked time series.

    For the full run folder (parallel replicates, report, plots) use ``ssr run`` or
    :func:`sim.run.run_to_folder`.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    sc = sc.with_overrides(replicates=replicates, seed=seed)
    import pandas as pd

    frames = []
    for r, s in enumerate(sc.replicate_seeds()):
        ts, _ = simulate(sc, s)
        ts.insert(0, "replicate", r)
        frames.append(ts)
    return pd.concat(frames, ignore_index=True)


__all__ = [
    "scenario_library",
    "Scenario",
    "ScenarioError",
    "build_model",
    "load_scenario",
    "month_index",
    "parse_scenario",
    "read_toml",
    "replicate_seeds",
    "run_scenario",
    "scenario_toml",
    "simulate",
]
