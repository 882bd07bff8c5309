"""The sourced record of Mali's conflict, 2015-2025: its tables, loaded and validated.

The record lives in ``sim/data/record/*.csv`` (described in ``docs/DATA.md``). Every table
has the same columns: one published figure per row, the period and area it covers, what
it measures, and the source it was read in (title, publisher, date, URL or page). Rows
that feed a calibration target name it in ``target``; where sources disagree, both rows
are kept and ``use_for_targets`` / ``use_reason`` say which one the targets use and why.

:func:`load_table` and :func:`load_record` return typed, validated rows. A bad file raises
:class:`sim.errors.InputError` naming the file, the line (the header is line 1) and the
column, with what is allowed.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError, unknown
from sim.geography import load_geography

RECORD_DIR = Path(__file__).resolve().parent / "data" / "record"
TABLES: tuple[str, ...] = (
    "conflict_national",
    "conflict_regional",
    "perpetrators",
    "governance",
    "ddr",
)
"""The shipped tables, by file stem."""

FIRST_YEAR, LAST_YEAR = 2015, 2025
"""Years a figure may cover (the historical run starts 2015-06 and ends 2025-05)."""

NATIONAL = "Mali"
ZONES: tuple[str, ...] = ("north", "centre", "south")
PERPETRATORS: tuple[str, ...] = (
    "jihadist",
    "jihadist_jnim",
    "jihadist_isgs",
    "state_forces",
    "international_forces",
    "communal_militias",
    "signatories",
    "non_state_groups",
)
Qualifier = Literal["exact", "about", "almost", "at_least", "more_than"]

COLUMNS: tuple[str, ...] = (
    "id",
    "period_start",
    "period_end",
    "area",
    "perpetrator",
    "measure",
    "value",
    "unit",
    "qualifier",
    "dataset",
    "target",
    "use_for_targets",
    "use_reason",
    "source_title",
    "source_publisher",
    "source_date",
    "source_url_or_page",
    "notes",
)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_NAME = r"^[a-z0-9_]+$"


@cache
def known_areas() -> tuple[str, ...]:
    """Region names of ``sim/data/regions.json``, the zones, and the whole country."""
    return (*load_geography().names, *ZONES, NATIONAL)


@dataclass(frozen=True)
class Source:
    """Where a figure was read."""

    title: str
    publisher: str
    date: str
    url_or_page: str


class RecordRow(BaseModel):
    """One published figure with its source (one line of a record table)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=_NAME)
    period_start: str
    period_end: str
    area: str
    perpetrator: str = ""
    measure: str = Field(pattern=_NAME)
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1)
    qualifier: Qualifier
    dataset: str = Field(min_length=1)
    target: str = Field(default="", pattern=r"^([a-z0-9_]+( [a-z0-9_]+)*)?$")
    """Calibration targets (``sim/validation/targets.py``) this row informs, space-separated."""
    use_for_targets: Literal["", "yes", "no"] = ""
    use_reason: str = ""
    source_title: str = Field(min_length=1)
    source_publisher: str = Field(min_length=1)
    source_date: str
    source_url_or_page: str = Field(min_length=1)
    notes: str = ""

    @field_validator("period_start", "period_end")
    @classmethod
    def _month_in_range(cls, v: str) -> str:
        m = _MONTH.match(v)
        if not m:
            raise ValueError(f"must be a month YYYY-MM (got {v!r})")
        if not FIRST_YEAR <= int(m[1]) <= LAST_YEAR:
            raise ValueError(f"year must lie in {FIRST_YEAR}-{LAST_YEAR} (got {v!r})")
        return v

    @field_validator("source_date")
    @classmethod
    def _published_date(cls, v: str) -> str:
        m = _DATE.match(v)
        if not m:
            raise ValueError(f"must be YYYY, YYYY-MM or YYYY-MM-DD (got {v!r})")
        this_year = datetime.date.today().year
        if not FIRST_YEAR <= int(m[1]) <= this_year:
            raise ValueError(f"year must lie in {FIRST_YEAR}-{this_year} (got {v!r})")
        return v

    @field_validator("area")
    @classmethod
    def _known_area(cls, v: str) -> str:
        if v not in known_areas():
            raise ValueError(unknown(v, known_areas(), "area"))
        return v

    @field_validator("perpetrator")
    @classmethod
    def _known_perpetrator(cls, v: str) -> str:
        if v and v not in PERPETRATORS:
            raise ValueError(unknown(v, PERPETRATORS, "perpetrator"))
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RecordRow:
        if self.period_end < self.period_start:
            raise ValueError(
                f"period_end {self.period_end} is before period_start {self.period_start}"
            )
        if self.unit == "share" and self.value > 1:
            raise ValueError(f"a share lies in [0, 1] (got value {self.value:g})")
        if self.use_for_targets and not self.use_reason:
            raise ValueError("use_for_targets is set: say why in use_reason")
        return self

    @property
    def source(self) -> Source:
        """Title, publisher, date and address of where the figure was read."""
        return Source(
            self.source_title, self.source_publisher, self.source_date, self.source_url_or_page
        )

    @property
    def targets(self) -> tuple[str, ...]:
        """The calibration targets this row informs."""
        return tuple(self.target.split())

    @property
    def years(self) -> tuple[int, int]:
        """First and last calendar year the figure covers."""
        return int(self.period_start[:4]), int(self.period_end[:4])


@dataclass(frozen=True)
class TableRule:
    """What one table requires beyond the common row checks."""

    regional: bool | None = None
    """True: area must be a region or zone; False: must be the country; None: either."""
    by_perpetrator: bool = False
    """True: every row names a perpetrator; False: none does."""


RULES: Mapping[str, TableRule] = {
    "conflict_national": TableRule(regional=False),
    "conflict_regional": TableRule(regional=True),
    "perpetrators": TableRule(by_perpetrator=True),
    "governance": TableRule(regional=False),
    "ddr": TableRule(),
}


def _table_error(row: RecordRow, rule: TableRule) -> tuple[str, str] | None:
    """(column, message) if the row breaks its table's rule."""
    if rule.regional is True and row.area == NATIONAL:
        return "area", f"a regional table needs a region or zone, not {NATIONAL!r}"
    if rule.regional is False and row.area != NATIONAL:
        return "area", f"a national table needs area {NATIONAL!r} (got {row.area!r})"
    if rule.by_perpetrator and not row.perpetrator:
        return "perpetrator", f"this table needs a perpetrator (allowed: {', '.join(PERPETRATORS)})"
    if not rule.by_perpetrator and row.perpetrator:
        return "perpetrator", "only the perpetrators table names perpetrators; leave it empty"
    return None


def _where(line: int, column: str) -> str:
    return f"line {line}, column {column!r}"


def _parse_row(path: Path, line: int, raw: dict[str, str]) -> RecordRow:
    try:
        return RecordRow(**raw)
    except ValidationError as err:
        first = err.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else "id"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] in ("string_too_short", "missing"):
            message = "must not be empty: every row needs a value here" + (
                " (each figure names its source title, publisher, date and address)"
                if column.startswith("source_")
                else ""
            )
        raise InputError(
            path, _where(line, column), f"{message} (row id {raw.get('id')!r})"
        ) from None


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError(path, "", "no such record table")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            raise InputError(
                path,
                "line 1 (header)",
                f"columns must be {', '.join(COLUMNS)} in this order"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unknown: {', '.join(extra)}" if extra else ""),
            )
        rows = []
        for raw in reader:
            if None in raw or any(v is None for v in raw.values()):
                raise InputError(path, f"line {reader.line_num}", "wrong number of fields")
            rows.append((reader.line_num, raw))
        return rows


def load_table(table: str | Path, rule: TableRule | None = None) -> tuple[RecordRow, ...]:
    """The validated rows of one table (a shipped table's name, or a CSV path).

    Raises:
        InputError: the file, line and column of the first invalid value.
    """
    path = RECORD_DIR / f"{table}.csv" if isinstance(table, str) else Path(table)
    rule = rule or RULES.get(path.stem, TableRule())
    rows: list[RecordRow] = []
    seen: dict[str, int] = {}
    for line, raw in _read(path):
        row = _parse_row(path, line, raw)
        if row.id in seen:
            raise InputError(
                path, _where(line, "id"), f"duplicate id {row.id!r} (first on line {seen[row.id]})"
            )
        broken = _table_error(row, rule)
        if broken:
            raise InputError(path, _where(line, broken[0]), f"{broken[1]} (row id {row.id!r})")
        seen[row.id] = line
        rows.append(row)
    if not rows:
        raise InputError(path, "", "the table has no rows")
    return tuple(rows)


def load_record(directory: Path = RECORD_DIR) -> dict[str, tuple[RecordRow, ...]]:
    """Every shipped table, by name; ids are unique across the whole record."""
    record = {name: load_table(directory / f"{name}.csv", RULES[name]) for name in TABLES}
    owner: dict[str, str] = {}
    for name, rows in record.items():
        for row in rows:
            if row.id in owner:
                raise InputError(
                    directory / f"{name}.csv",
                    "column 'id'",
                    f"id {row.id!r} is also in {owner[row.id]}.csv",
                )
            owner[row.id] = name
    return record


def by_id(record: Mapping[str, tuple[RecordRow, ...]]) -> dict[str, RecordRow]:
    """All rows of the record, by id."""
    return {row.id: row for rows in record.values() for row in rows}


def target_rows(record: Mapping[str, tuple[RecordRow, ...]], target: str) -> list[RecordRow]:
    """Rows the record says a calibration target should use."""
    return [r for r in by_id(record).values() if target in r.targets and r.use_for_targets == "yes"]


__all__ = [
    "COLUMNS",
    "RECORD_DIR",
    "TABLES",
    "RecordRow",
    "Source",
    "TableRule",
    "by_id",
    "known_areas",
    "load_record",
    "load_table",
    "target_rows",
]
