"""The experiment file's schema (pydantic) and its translation into an :class:`Experiment`.

The shape of the file (tables, keys, types, bounds, allowed words) is declared once, in
the pydantic models below; a factor is ``Levels | Range``. What the schema cannot see
(parameter names and bounds, indicator names, scenario files, months that fit the run)
is checked after it, against the parameter schema, the indicator registry and the
scenario files. Every mistake is a :class:`sim.scenario.ScenarioError` naming the file,
the key path and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    Tag,
    ValidationError,
    field_validator,
)

from sim.errors import field_bounds, unknown
from sim.indicators import INDICATORS
from sim.params import Params, spec, validate_value
from sim.paramtools import ParamError
from sim.scenario import NAME_RULE, ScenarioError, ScenarioMeta, read_toml
from sim.sweep.experiment import (
    DESIGNS,
    MAX_RUNS,
    RESERVED_COLUMNS,
    SCENARIO_FACTOR,
    STATS,
    Experiment,
    Factor,
    Output,
    default_outputs,
)
from sim.sweep.scenarios import load_base_scenarios

_STRICT = ConfigDict(extra="forbid", strict=True)


def _scenario_bounds(name: str) -> dict[str, Any]:
    lo, hi = field_bounds(ScenarioMeta, name)
    return {"ge": lo, "le": hi}


class ExperimentMeta(BaseModel):
    """The ``[experiment]`` table (bounds shared with scenarios come from their schema)."""

    model_config = _STRICT

    name: str = Field(pattern=ScenarioMeta.model_fields["name"].metadata[0].pattern)
    description: str = ""
    scenario: str | None = None
    design: Literal[DESIGNS] = "grid"  # type: ignore[valid-type]
    samples: int = Field(64, ge=1, le=1_000_000)
    replicates: int = Field(1, **_scenario_bounds("replicates"))
    seed: int = Field(0, **_scenario_bounds("seed"))
    steps: int | None = Field(None, **_scenario_bounds("steps"))
    keep_timeseries: bool = False
    morris_levels: int = Field(4, ge=2, le=100)

    @field_validator("morris_levels")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"must be even (SALib's Morris), got {v}")
        return v


class Range(BaseModel):
    """A factor's continuous range; ``levels = n`` makes it n grid levels."""

    model_config = _STRICT

    min: StrictInt | StrictFloat
    max: StrictInt | StrictFloat
    levels: int | None = Field(None, ge=2, le=1000)


Levels = Annotated[list[Any], Field(min_length=1)]


def _factor_shape(value: Any) -> str | None:
    if isinstance(value, list):
        return "levels"
    return "range" if isinstance(value, dict) else None


FactorSpec = Annotated[
    Annotated[Levels, Tag("levels")] | Annotated[Range, Tag("range")],
    Discriminator(
        _factor_shape,
        custom_error_type="factor_shape",
        custom_error_message="must be a list of levels or { min = .., max = .. }",
    ),
]


class OutputSpec(BaseModel):
    """One ``[outputs]`` entry."""

    model_config = _STRICT

    indicator: str
    stat: Literal[STATS] = "final"  # type: ignore[valid-type]
    months: int | None = None


class ExperimentFile(BaseModel):
    """The whole file."""

    model_config = _STRICT

    experiment: ExperimentMeta
    factors: Annotated[dict[str, FactorSpec], Field(min_length=1)]
    parameters: dict[str, Any] = {}
    outputs: Annotated[dict[str, OutputSpec], Field(min_length=1)] | None = None


_TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "": ("top-level table", ExperimentFile),
    "experiment": ("key of [experiment]", ExperimentMeta),
    "factors": ("key of a range", Range),
    "outputs": ("key of an output", OutputSpec),
}
"""For an unknown key: what the table holding it is called, and its schema."""
_SECTION_HINTS = {
    "experiment": "missing [experiment] table (with at least name)",
    "factors": 'missing or empty [factors] table: "group.name" = [levels] or { min = .., max = .. }',
    "outputs": 'must be a table: name = { indicator = "...", stat = "..." }',
    "parameters": 'must be a table of "group.name" = value',
}


# ------------------------------------------------------------------------------------
# pydantic errors as the project's messages
# ------------------------------------------------------------------------------------


def _key_path(loc: tuple[Any, ...]) -> str:
    """('factors', 'a.b', 'range', 'max') -> 'factors."a.b".max'; tags are dropped."""
    parts: list[str] = []
    for i, item in enumerate(loc):
        if item in ("levels", "range") and i == 2 and loc[0] == "factors":
            continue
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
        elif loc[0] in ("factors", "parameters") and i == 1:
            parts.append(f'"{item}"')
        else:
            parts.append(str(item))
    return ".".join(parts)


def _owner(loc: tuple[Any, ...]) -> tuple[str, type[BaseModel]]:
    """(what, schema) of the table that holds the last key of ``loc``."""
    return _TABLES[str(loc[0]) if len(loc) > 1 else ""]


def _message(err: dict[str, Any]) -> str:
    loc, kind, value = err["loc"], err["type"], err.get("input")
    field = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        what, model = _owner(loc)
        return unknown(field, model.model_fields, what)
    if kind == "missing":
        return _SECTION_HINTS.get(field, "") if len(loc) == 1 else "required key is missing"
    if kind == "literal_error":
        allowed = DESIGNS if field == "design" else STATS
        return unknown(str(value), allowed, field)
    if kind == "string_pattern_mismatch":
        return NAME_RULE
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind == "factor_shape" and loc[1] == SCENARIO_FACTOR:
        return "must be a list of scenario files (relative to this file)"
    if kind == "factor_shape":
        return f"must be a list of levels or {{ min = .., max = .. }}, got {value!r}"
    if len(loc) == 1 and kind.startswith(("dict", "model", "too_short")):
        return _SECTION_HINTS.get(field, err["msg"])
    if kind == "too_short":
        return "needs at least one level"
    return _typed(err, field, value)


def _typed(err: dict[str, Any], field: str, value: Any) -> str:
    kind = err["type"]
    if field in ("min", "max"):
        return f"must be a number, got {value!r}"
    if kind.startswith(("int", "greater", "less")):
        lo, hi = _bounds(err["loc"])
        where = f" in [{lo}, {hi}]" if lo is not None else ""
        return f"must be an integer{where}, got {value!r}"
    if kind.startswith("bool"):
        return f"must be true or false, got {value!r}"
    if kind.startswith("string"):
        return f"must be a string, got {value!r}"
    if kind.startswith("model") or kind.startswith("dict"):
        return f'must be a table {{ indicator = "...", stat = "..." }}, got {value!r}'
    return f"{err['msg']}, got {value!r}"


def _bounds(loc: tuple[Any, ...]) -> tuple[Any, Any]:
    field = str(loc[-1])
    if loc[0] == "experiment":
        return field_bounds(ExperimentMeta, field)
    if field == "levels":
        return field_bounds(Range, "levels")
    return (None, None)


def _first_error(src: Any, err: ValidationError) -> ScenarioError:
    detail = dict(err.errors(include_url=False)[0])
    loc = tuple(x for x in detail["loc"] if x not in ("int", "float", "str"))
    detail["loc"] = loc
    if detail["type"] == "union_tag_invalid":
        detail["type"] = "factor_shape"
    return ScenarioError(src, _key_path(loc) or "", _message(detail))


# ------------------------------------------------------------------------------------
# the file as an Experiment
# ------------------------------------------------------------------------------------


def load_experiment(path: str | Path) -> Experiment:
    """Load and validate an experiment file.

    Raises:
        ScenarioError: with file, key path and what is allowed.
    """
    return parse_experiment(read_toml(path), path)


def parse_experiment(data: dict[str, Any], src: str | Path) -> Experiment:
    """Validate a parsed TOML document as an experiment.

    Args:
        data: the parsed TOML.
        src: the file it came from; relative scenario paths are resolved against its
            folder (or the working directory for "<...>" pseudo-files).

    Raises:
        ScenarioError: the first problem found, with file, key path and what is allowed.
    """
    try:
        return _parse(data, src)
    except RecursionError:
        raise ScenarioError(src, "", "tables or arrays are nested too deeply") from None


def _parse(data: dict[str, Any], src: str | Path) -> Experiment:
    try:
        doc = ExperimentFile.model_validate(_flattened(data))
    except ValidationError as err:
        raise _first_error(src, err) from None
    meta = doc.experiment
    parameters = _parameters(src, doc.parameters)
    factors: list[Factor] = []
    scenario_files: Any = None
    for fname, value in doc.factors.items():
        key = f'factors."{fname}"'
        if fname == SCENARIO_FACTOR:
            scenario_files = value
        elif fname in parameters:
            raise ScenarioError(src, key, "is also fixed in [parameters]; give it in one place")
        else:
            factors.append(_factor(src, key, fname, value, meta.design))
    scenarios = load_base_scenarios(src, meta, scenario_files)
    if SCENARIO_FACTOR in doc.factors:
        factors.append(Factor(SCENARIO_FACTOR, levels=tuple(scenarios), kind=str))
    if meta.design in ("sobol", "morris") and len(factors) < 2:
        raise ScenarioError(src, "factors", f"design {meta.design!r} needs at least 2 factors")
    steps = meta.steps or min(s.steps for s in scenarios.values())
    outputs = _outputs(src, doc.outputs, steps)
    _no_clash(src, outputs, factors)
    exp = Experiment(
        factors=factors,
        outputs=outputs,
        scenarios=scenarios,
        parameters=parameters,
        path=Path(src) if not str(src).startswith("<") else None,
        **meta.model_dump(exclude={"scenario"}),
    )
    runs = exp.n_runs()
    if runs > MAX_RUNS:
        raise ScenarioError(
            src,
            "experiment.samples" if meta.design != "grid" else "factors",
            f"the design has {_count(runs)} runs; at most {MAX_RUNS:,} are allowed",
        )
    return exp


def _count(n: int) -> str:
    """A run count for people: 1,234,567 or, when huge, about 2.0e+66."""
    return f"{n:,}" if n < 10**12 else f"about {n:.1e}"


def _flattened(data: dict[str, Any]) -> dict[str, Any]:
    """Dotted names for nested [parameters] and [factors] tables (ranges stay tables)."""
    out = dict(data)
    if isinstance(data.get("parameters"), dict):
        out["parameters"] = _flatten(data["parameters"], frozenset())
    if isinstance(data.get("factors"), dict):
        out["factors"] = _flatten(data["factors"], frozenset(Range.model_fields))
    return out


def _flatten(table: dict[str, Any], stop: frozenset[str], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted names; a table holding a key of ``stop`` is a value."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and not (set(v) & stop) and (v or not stop):
            out.update(_flatten(v, stop, name + "."))
        else:
            out[name] = v
    return out


def _parameters(src: Any, raw: dict[str, Any]) -> dict[str, Any]:
    check = Params()
    parameters: dict[str, Any] = {}
    for pname, value in raw.items():
        try:
            check.set(pname, value)
        except ParamError as err:
            raise ScenarioError(src, f'parameters."{pname}"', err.message) from err
        parameters[pname] = check.get(pname)
    return parameters


def _kind(src: Any, key: str, name: str) -> type:
    try:
        s = spec(name)
    except ParamError as err:
        raise ScenarioError(src, key, err.message) from err
    return s.kind if s.kind in (int, float, bool) else float


def _factor(src: Any, key: str, name: str, value: list | Range, design: str) -> Factor:
    kind = _kind(src, key, name)
    if isinstance(value, list):
        if design != "grid":
            raise ScenarioError(
                src,
                key,
                f"a list gives grid levels; design {design!r} needs a range {{ min = .., max = .. }}",
            )
        levels = []
        for i, v in enumerate(value):
            try:
                levels.append(validate_value(name, v))
            except ParamError as err:
                raise ScenarioError(src, f"{key}[{i}]", err.message) from err
        if len(set(levels)) != len(levels):
            raise ScenarioError(src, key, f"levels repeat: {value!r}")
        return Factor(name, levels=tuple(levels), kind=kind)
    return _range(src, key, name, value, design, kind)


def _range(src: Any, key: str, name: str, r: Range, design: str, kind: type) -> Factor:
    if kind is bool:
        raise ScenarioError(src, key, "a true/false parameter takes levels: [true, false]")
    for k, v in (("min", r.min), ("max", r.max)):
        try:
            validate_value(name, int(v) if kind is int and float(v).is_integer() else v)
        except ParamError as err:
            raise ScenarioError(src, f"{key}.{k}", err.message) from err
    lo, hi = float(r.min), float(r.max)
    if lo >= hi:
        raise ScenarioError(src, key, f"min must be below max, got min = {lo}, max = {hi}")
    if r.levels is not None:
        if design != "grid":
            raise ScenarioError(
                src, f"{key}.levels", f"levels apply to grid designs; design is {design!r}"
            )
        pts = np.linspace(lo, hi, r.levels)
        if kind is int:
            pts = np.unique(np.rint(pts).astype(int))
        return Factor(name, levels=tuple(p.item() for p in pts), kind=kind)
    if design == "grid":
        raise ScenarioError(
            src, key, "a range in a grid design needs levels = n (or give a list of levels)"
        )
    return Factor(name, lo=lo, hi=hi, kind=kind)


def _outputs(src: Any, raw: dict[str, OutputSpec] | None, steps: int) -> list[Output]:
    if raw is None:
        return default_outputs()
    outputs = []
    for name, o in raw.items():
        key = f"outputs.{name}"
        if o.indicator not in INDICATORS:
            raise ScenarioError(
                src, f"{key}.indicator", unknown(o.indicator, list(INDICATORS), "indicator")
            )
        months = 12 if o.months is None and o.stat == "mean_last" else o.months
        if months is not None:
            if o.stat == "final":
                raise ScenarioError(src, f"{key}.months", "does not apply to stat = 'final'")
            if not 1 <= months <= steps:
                raise ScenarioError(
                    src, f"{key}.months", f"must be an integer in [1, {steps}], got {months!r}"
                )
        outputs.append(Output(name, o.indicator, o.stat, months))
    return outputs


def _no_clash(src: Any, outputs: list[Output], factors: list[Factor]) -> None:
    """Output names may not be a reserved column (design, run time, failed) or a factor."""
    taken = {c: "a column the sweep writes itself" for c in RESERVED_COLUMNS}
    taken.update({f.name: "a factor's design column" for f in factors})
    for o in outputs:
        if o.name in taken:
            raise ScenarioError(
                src,
                f"outputs.{o.name}",
                f"clashes with {taken[o.name]}; choose another name (reserved: "
                f"{', '.join(RESERVED_COLUMNS)} and the factor names)",
            )


__all__ = ["ExperimentFile", "ExperimentMeta", "Range", "load_experiment", "parse_experiment"]
