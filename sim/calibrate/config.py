"""The calibration file (``calibration/historical.toml``): schema, checks, and the windows.

A calibration file names the scenario, the window fitted, the parameters inferred (each
with a uniform prior over its schema bounds, or a narrower range with a reason), the
ABC-SMC settings (population, generations, epsilon stop, seed) and two lists of summary
statistics built from rows of the sourced record (:mod:`sim.record`):

* ``[[statistic]]``: fitted. Every row they use must lie inside the calibration window,
  which must itself lie inside :data:`CALIBRATION_WINDOW` (2015-06 to 2020-12).
  With ``in_sample = true`` the window may run to the end of :data:`BLIND_WINDOW`: the
  fully calibrated (2015-2025) posterior, labelled in-sample everywhere and never
  installed as the defaults.
* ``[[blind]]``: never fitted, scored by :mod:`sim.validation.blind`. Their rows lie inside
  :data:`BLIND_WINDOW` (2021-01 to 2025-05); each names ``baseline`` rows from the
  calibration window, the record a naive forecast may use.

The shape of the file is declared once, in the pydantic models below; what they cannot
see (parameter names and bounds, record row ids and periods, indicator names) is checked
after them. Every mistake is an :class:`sim.errors.InputError` naming the file, the key
path and what is allowed (exit code 2 on the command line).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.calendar import month_index, parse_month
from sim.errors import InputError, unknown
from sim.geography import load_geography
from sim.indicators import INDICATORS, REGION_COLUMNS
from sim.params import spec
from sim.paramtools import ParamError
from sim.record import NATIONAL, ZONES, RecordRow, by_id, load_record
from sim.scenario import Scenario, load_scenario, read_toml

CALIBRATION_WINDOW: tuple[str, str] = ("2015-06", "2020-12")
"""The only months whose record a calibration may fit (the historical run starts 2015-06)."""
BLIND_WINDOW: tuple[str, str] = ("2021-01", "2025-05")
"""The months held out for the blind test (coups, partner, withdrawals, termination)."""

STOP_RULES = ("generations", "min_epsilon", "min_acceptance_rate", "members")
"""Keys of ``[calibration]`` that say when to stop (or how many members the blind test
runs), not what is sampled: changing them keeps the hash, so a run can be extended."""
UNHASHED = (*STOP_RULES, "scenario", "description")
"""Keys of ``[calibration]`` left out of the hash: the stop rules, the description, and
the scenario's path (its content is hashed: moving the files keeps the hash)."""

KINDS = ("monthly", "level", "at", "share", "ratio")
"""How a statistic turns record rows and model frames into one number (see Statistic)."""

_STRICT = ConfigDict(extra="forbid", strict=True)
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class Meta(BaseModel):
    """The ``[calibration]`` table."""

    model_config = _STRICT

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
    description: str = ""
    scenario: str = Field(min_length=1)
    window: list[str] = Field(default=list(CALIBRATION_WINDOW), min_length=2, max_length=2)
    population: int = Field(200, ge=4, le=100_000)
    generations: int = Field(8, ge=1, le=100)
    min_epsilon: float = Field(0.0, ge=0.0)
    min_acceptance_rate: float = Field(0.0, ge=0.0, lt=1.0)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    members: int = Field(200, ge=1, le=100_000)
    """Posterior members the blind test runs (one replicate each)."""
    proposal_scaling: float = Field(1.0, gt=0.0, le=10.0)
    """Widening of pyabc's multivariate-normal proposal (its ``scaling``; 1 = Silverman's
    bandwidth). In 14 dimensions the default proposal left an effective sample size of
    4 of 200 weights; 3 kept it near 100 in the first generations."""
    in_sample: bool = False
    """Fit the blind window too (the whole record): a labelled in-sample posterior that
    ``--install`` refuses and the blind test never passes off as blind."""


class PriorSpec(BaseModel):
    """One ``[prior."group.name"]`` table: uniform over [lo, hi] (default: schema bounds)."""

    model_config = _STRICT

    lo: float | None = None
    hi: float | None = None
    reason: str = ""


class StatisticSpec(BaseModel):
    """One ``[[statistic]]`` or ``[[blind]]`` table.

    * ``monthly``: record sum(rows) / months of their period; model: mean per month of
      the sum of ``columns`` over that period.
    * ``level``: record ``offset + scale * mean(rows)``; model: mean of ``columns``.
    * ``at``: record sum(rows); model: ``columns`` in the period's last month.
    * ``share``: record sum(rows) / sum(total) (or the rows' own share); model: share of
      ``area`` (a region or zone) in the national sum of ``columns`` (per-region table).
    * ``ratio``: record as ``share``; model: sum(columns) / sum(denominator), national.
    """

    model_config = _STRICT

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal[KINDS]  # type: ignore[valid-type]
    columns: list[str] = Field(min_length=1)
    rows: list[str] = Field(min_length=1)
    total: list[str] = []
    area: str = ""
    denominator: str = ""
    scale: float = 1.0
    offset: float = 0.0
    baseline: list[str] = []
    """Record rows (``"id"``, or ``"id/total_id"`` for a share) of the calibration window
    that the naive forecasts of a ``[[blind]]`` statistic may use."""


class CalibrationFile(BaseModel):
    """The whole file."""

    model_config = _STRICT

    calibration: Meta
    parameters: dict[str, Any] = {}
    prior: dict[str, PriorSpec] = Field(min_length=1)
    statistic: list[StatisticSpec] = Field(min_length=1)
    blind: list[StatisticSpec] = []


@dataclass(frozen=True)
class Prior:
    """A uniform prior of one parameter."""

    name: str
    lo: float
    hi: float
    reason: str

    @property
    def width(self) -> float:
        """Width of the 90% central interval of the uniform prior."""
        return 0.9 * (self.hi - self.lo)


@dataclass(frozen=True)
class Statistic:
    """A summary statistic, resolved against the record."""

    name: str
    kind: str
    columns: tuple[str, ...]
    first: str
    last: str
    observed: float
    area: str = ""
    denominator: str = ""
    baseline: tuple[tuple[str, str, float], ...] = ()
    """(first, last, value) of each baseline row, in this statistic's units."""

    @property
    def log(self) -> bool:
        """Counts are compared on a log scale; shares and levels as they are."""
        return self.kind in ("monthly", "at")


@dataclass(frozen=True)
class Calibration:
    """A validated calibration file, ready to run."""

    path: Path
    meta: Meta
    scenario: Scenario
    priors: tuple[Prior, ...]
    statistics: tuple[Statistic, ...]
    blind: tuple[Statistic, ...]
    config_hash: str
    record_version: str

    @property
    def window(self) -> tuple[str, str]:
        """First and last month fitted."""
        return (self.meta.window[0], self.meta.window[1])


def months_between(first: str, last: str) -> int:
    """Months from ``first`` to ``last`` inclusive ("YYYY-MM")."""
    return month_index(last) - month_index(first) + 1


def _schema_error(path: Path, err: ValidationError) -> InputError:
    e = err.errors()[0]
    key = ".".join(str(p) for p in e["loc"]) or "(file)"
    msg = e["msg"]
    if e["type"] == "extra_forbidden":
        msg = "unknown key (see calibration/historical.toml for the keys allowed)"
    elif e["type"] == "literal_error":
        msg = f"{msg} (got {e.get('input')!r})"
    return InputError(path, key, msg)


def _check_window(path: Path, window: list[str], in_sample: bool) -> None:
    lo, hi = CALIBRATION_WINDOW[0], (BLIND_WINDOW if in_sample else CALIBRATION_WINDOW)[1]
    for i, month in enumerate(window):
        try:
            parse_month(month)
        except ValueError:
            raise InputError(path, f"calibration.window.{i}", f"{month!r} is not YYYY-MM") from None
    if not lo <= window[0] <= window[1] <= hi:
        raise InputError(
            path,
            "calibration.window",
            f"{list(window)} must be ordered and lie inside {lo}..{hi}"
            + ("" if in_sample else f": the record from {BLIND_WINDOW[0]} on is held out for ")
            + ("" if in_sample else "the blind test (in_sample = true fits it, labelled so)"),
        )


def _priors(path: Path, specs: dict[str, PriorSpec], fixed: dict[str, Any]) -> tuple[Prior, ...]:
    out = []
    for name, p in specs.items():
        key = f'prior."{name}"'
        try:
            s = spec(name)
        except ParamError as err:
            raise InputError(path, key, str(err)) from None
        if s.kind is bool or s.lo is None or s.hi is None:
            raise InputError(path, key, "only a bounded numeric parameter can be inferred")
        if name in fixed:
            raise InputError(path, key, "is also fixed in [parameters]; infer or fix it, not both")
        lo = s.lo if p.lo is None else p.lo
        hi = s.hi if p.hi is None else p.hi
        if not s.lo <= lo < hi <= s.hi:
            raise InputError(
                path, key, f"[{lo}, {hi}] must be a range inside the schema's [{s.lo}, {s.hi}]"
            )
        if (lo, hi) != (s.lo, s.hi) and not p.reason.strip():
            raise InputError(
                path, f"{key}.reason", "a prior narrower than the bounds needs a reason"
            )
        out.append(
            Prior(name, float(lo), float(hi), p.reason or f"uniform over bounds ({s.source})")
        )
    return tuple(out)


def _rows(
    path: Path,
    key: str,
    ids: list[str],
    rows: dict[str, RecordRow],
    window: tuple[str, str],
    strict_start: bool,
) -> list[RecordRow]:
    """The rows named by ``ids``; each must end inside ``window`` (and start in it if strict).

    A calibration row may start before the window (a 2015 yearly figure; the run starts
    2015-06) but never end after it: nothing from the blind window reaches the fit.
    """
    out = []
    for j, rid in enumerate(ids):
        if rid not in rows:
            raise InputError(path, f"{key}[{j}]", unknown(rid, rows, "record row"))
        row = rows[rid]
        if row.use_for_targets == "no":
            raise InputError(
                path, f"{key}[{j}]", f"the record says not to use {rid!r}: {row.use_reason}"
            )
        early = row.period_start < window[0] and strict_start
        if early or not window[0] <= row.period_end <= window[1]:
            raise InputError(
                path,
                f"{key}[{j}]",
                f"row {rid!r} covers {row.period_start}..{row.period_end}, outside the "
                f"window {window[0]}..{window[1]} this list may use",
            )
        out.append(row)
    return out


def _observed(s: StatisticSpec, rows: list[RecordRow], total: list[RecordRow]) -> float:
    values = [r.value for r in rows]
    if s.kind == "monthly":
        first = min(r.period_start for r in rows)
        last = max(r.period_end for r in rows)
        return sum(values) / months_between(first, last)
    if s.kind == "level":
        return s.offset + s.scale * sum(values) / len(values)
    if s.kind == "at":
        return sum(values)
    return sum(values) / sum(r.value for r in total) if total else sum(values)


def _check_columns(path: Path, key: str, s: StatisticSpec, unit_rows: list[RecordRow]) -> None:
    allowed = REGION_COLUMNS if s.kind == "share" else tuple(INDICATORS)
    for j, c in enumerate(s.columns):
        if c not in allowed:
            raise InputError(path, f"{key}.columns[{j}]", unknown(c, allowed, "indicator"))
    if s.kind == "share":
        areas = (*load_geography().names, *ZONES)
        if s.area not in areas:
            raise InputError(path, f"{key}.area", unknown(s.area, areas, "area"))
    if s.kind == "ratio" and s.denominator not in INDICATORS:
        raise InputError(
            path, f"{key}.denominator", unknown(s.denominator, INDICATORS, "indicator")
        )
    if s.kind in ("share", "ratio") and not s.total:
        bad = [r.id for r in unit_rows if r.unit != "share"]
        if bad:
            raise InputError(path, f"{key}.total", f"rows {bad} are not shares: name their total")


def _statistic(
    path: Path,
    key: str,
    s: StatisticSpec,
    rows: dict[str, RecordRow],
    window: tuple[str, str],
    baseline_window: tuple[str, str] | None,
) -> Statistic:
    blind = baseline_window is not None
    own = _rows(path, f"{key}.rows", s.rows, rows, window, blind)
    total = _rows(path, f"{key}.total", s.total, rows, window, blind)
    _check_columns(path, key, s, own)
    if baseline_window is None and s.baseline:
        raise InputError(path, f"{key}.baseline", "only a [[blind]] statistic has baseline rows")
    base = []
    for j, item in enumerate(s.baseline):
        ids = item.split("/", 1)
        found = _rows(path, f"{key}.baseline[{j}]", ids, rows, baseline_window, False)
        if s.kind in ("share", "ratio") and len(found) == 1 and found[0].unit != "share":
            raise InputError(
                path, f"{key}.baseline[{j}]", f"{item!r} is not a share: write 'row/total_row'"
            )
        value = _observed(s, found[:1], found[1:])
        base.append((found[0].period_start, found[0].period_end, float(value)))
    both = own + total
    first = max(min(r.period_start for r in both), window[0])
    last = min(max(r.period_end for r in both), window[1])
    return Statistic(
        s.name,
        s.kind,
        tuple(s.columns),
        first,
        last,
        float(_observed(s, own, total)),
        s.area,
        s.denominator,
        tuple(base),
    )


def _hash(data: dict[str, Any], scenario: Scenario, priors: tuple[Prior, ...]) -> str:
    """SHA-256 of the file and its scenario, less the inferred parameters' defaults.

    Installing a posterior rewrites those defaults; the hash, and so the posterior's
    provenance, stays the same. The keys of :data:`UNHASHED` are left out too: raising
    ``generations`` and adding ``--resume`` extends a finished run.
    """
    inferred = {p.name for p in priors}
    meta = {k: v for k, v in data.get("calibration", {}).items() if k not in UNHASHED}
    blob = json.dumps(
        {"file": {**data, "calibration": meta}, "scenario": scenario.config_hash(exclude=inferred)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def record_version() -> str:
    """SHA-256 of the record tables (their bytes, in table order)."""
    from sim.record import RECORD_DIR, TABLES

    h = hashlib.sha256()
    for name in TABLES:
        h.update((RECORD_DIR / f"{name}.csv").read_bytes())
    return h.hexdigest()


def _scenario(path: Path, meta: Meta, fixed: dict[str, Any]) -> Scenario:
    import dataclasses

    src = (path.parent / meta.scenario).resolve()
    if not src.is_file():
        raise InputError(path, "calibration.scenario", f"no scenario file at {src}")
    sc = load_scenario(src)
    sc = dataclasses.replace(sc, parameters={**sc.parameters, **fixed})
    try:
        sc.params()
    except ParamError as err:
        raise InputError(path, "parameters", str(err)) from None
    return sc


def parse_calibration(data: dict[str, Any], path: str | Path) -> Calibration:
    """Validate a parsed calibration file.

    Raises:
        InputError: the file, the key path and what is allowed.
    """
    path = Path(path)
    try:
        cf = CalibrationFile.model_validate(data)
    except ValidationError as err:
        raise _schema_error(path, err) from None
    _check_window(path, cf.calibration.window, cf.calibration.in_sample)
    window = (cf.calibration.window[0], cf.calibration.window[1])
    sc = _scenario(path, cf.calibration, cf.parameters)
    if sc.start > window[0]:
        raise InputError(path, "calibration.window", f"the scenario starts in {sc.start}")
    priors = _priors(path, cf.prior, cf.parameters)
    rows = by_id(load_record())
    names = [s.name for s in [*cf.statistic, *cf.blind]]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(path, "statistic", f"statistic names must be unique (repeated: {dup})")
    stats = tuple(
        _statistic(path, f"statistic[{i}]", s, rows, window, None)
        for i, s in enumerate(cf.statistic)
    )
    blind = tuple(
        _statistic(path, f"blind[{i}]", s, rows, BLIND_WINDOW, CALIBRATION_WINDOW)
        for i, s in enumerate(cf.blind)
    )
    return Calibration(
        path, cf.calibration, sc, priors, stats, blind, _hash(data, sc, priors), record_version()
    )


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file (see :func:`parse_calibration`)."""
    return parse_calibration(read_toml(path), path)


__all__ = [
    "BLIND_WINDOW",
    "CALIBRATION_WINDOW",
    "KINDS",
    "NATIONAL",
    "Calibration",
    "Prior",
    "Statistic",
    "load_calibration",
    "months_between",
    "parse_calibration",
    "record_version",
]
