"""The sourced record (sim/data/record): every table loads, every row is sourced, bad
rows are refused with the file, line and column, and the record agrees with the
calibration targets that quote it, or the disagreement is listed in docs/DATA.md."""

from __future__ import annotations

import csv
import fnmatch
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pytest

from sim.errors import InputError
from sim.geography import load_geography
from sim.record import COLUMNS, RECORD_DIR, TABLES, RecordRow, load_record, load_table, target_rows
from sim.validation.targets import TARGETS, Target, log_ratio

ROOT = Path(__file__).resolve().parents[1]
DATA_DOC = ROOT / "docs" / "DATA.md"
RECORD = load_record()


def test_given_the_shipped_record_when_loaded_then_every_table_has_rows():
    assert set(RECORD) == set(TABLES)
    assert all(len(rows) >= 10 for rows in RECORD.values())
    assert {p.stem for p in RECORD_DIR.glob("*.csv")} == set(TABLES)


def test_given_any_row_then_it_names_its_source_title_publisher_date_and_address():
    unsourced = [
        r.id
        for rows in RECORD.values()
        for r in rows
        if not all((r.source.title, r.source.publisher, r.source.date, r.source.url_or_page))
    ]
    assert not unsourced


def test_given_the_regional_table_then_north_and_centre_are_both_covered_in_several_years():
    geo = load_geography()
    zone = dict(zip(geo.names, geo.zones, strict=True)) | {
        z: z for z in ("north", "centre", "south")
    }
    years_by_zone: dict[str, set[int]] = {}
    for r in RECORD["conflict_regional"]:
        years_by_zone.setdefault(zone[r.area], set()).update(range(r.years[0], r.years[1] + 1))
    both = years_by_zone["north"] & years_by_zone["centre"]
    assert len(both) >= 4, f"years with figures for both the north and the centre: {sorted(both)}"


def test_given_rows_that_disagree_then_each_says_whether_and_why_targets_use_it():
    unexplained = [
        r.id
        for rows in RECORD.values()
        for r in rows
        if r.use_for_targets and len(r.use_reason.split()) < 3
    ]
    assert not unexplained


def test_given_a_row_naming_a_target_then_the_target_exists():
    names = {t.name for t in TARGETS}
    wrong = {
        (r.id, t) for rows in RECORD.values() for r in rows for t in r.targets if t not in names
    }
    assert not wrong


# --- bad rows ----------------------------------------------------------------------------


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _valid_row() -> dict[str, str]:
    with (RECORD_DIR / "conflict_regional.csv").open(encoding="utf-8", newline="") as f:
        return next(csv.DictReader(f))


BAD_VALUES = [
    ("source_title", "", "must not be empty"),
    ("source_publisher", "", "must not be empty"),
    ("source_url_or_page", "", "must not be empty"),
    ("source_date", "", "YYYY"),
    ("source_date", "March 2020", "YYYY"),
    ("value", "-3", "greater than or equal to 0"),
    ("value", "many", "number"),
    ("area", "Timbuktu", "did you mean 'Tombouctou'"),
    ("period_start", "2013-01", "2015-2025"),
    ("period_end", "2020-13", "YYYY-MM"),
    ("qualifier", "roughly", "'exact'"),
    ("perpetrator", "army", "unknown perpetrator 'army'"),
    ("perpetrator", "state_forces", "only the perpetrators table"),
]


@pytest.mark.parametrize(("column", "bad", "hint"), BAD_VALUES)
def test_given_a_bad_value_when_loading_then_the_error_names_file_line_and_column(
    tmp_path: Path, column: str, bad: str, hint: str
):
    row = _valid_row() | {column: bad}
    path = _write(tmp_path / "conflict_regional.csv", [_valid_row() | {"id": "good_row"}, row])
    with pytest.raises(InputError) as err:
        load_table(path)
    assert err.value.file == str(path)
    assert err.value.key == f"line 3, column {column!r}"
    assert hint in err.value.message


def test_given_a_row_without_a_source_when_loading_then_it_is_refused_with_a_clear_message(
    tmp_path: Path,
):
    row = _valid_row() | {"source_title": "", "source_publisher": "", "source_date": ""}
    path = _write(tmp_path / "conflict_regional.csv", [row])
    with pytest.raises(
        InputError,
        match=r"conflict_regional\.csv: line 2, column 'source_title': must not be empty",
    ):
        load_table(path)


def test_given_a_share_above_one_then_it_is_refused(tmp_path: Path):
    row = _valid_row() | {"unit": "share", "value": "1.4"}
    path = _write(tmp_path / "conflict_regional.csv", [row])
    with pytest.raises(InputError, match=r"a share lies in \[0, 1\]"):
        load_table(path)


def test_given_a_missing_column_then_the_header_is_refused(tmp_path: Path):
    columns = tuple(c for c in COLUMNS if c != "source_publisher")
    path = _write(tmp_path / "ddr.csv", [_valid_row()], columns)
    with pytest.raises(InputError, match="missing: source_publisher") as err:
        load_table(path)
    assert err.value.key == "line 1 (header)"


def test_given_a_duplicate_id_then_the_second_line_is_named(tmp_path: Path):
    path = _write(tmp_path / "conflict_regional.csv", [_valid_row(), _valid_row()])
    with pytest.raises(InputError, match="duplicate id") as err:
        load_table(path)
    assert err.value.key == "line 3, column 'id'"


def test_given_the_national_table_when_a_row_names_a_region_then_it_is_refused(tmp_path: Path):
    path = _write(tmp_path / "conflict_national.csv", [_valid_row()])
    with pytest.raises(InputError, match="national table needs area 'Mali'"):
        load_table(path)


# --- the record against the calibration targets ------------------------------------------

Rows = Mapping[str, RecordRow]


def _zone_total(rows: Rows, zone: str) -> float:
    geo = load_geography()
    in_zone = {n for n, z in zip(geo.names, geo.zones, strict=True) if z == zone}
    return sum(r.value for r in rows.values() if r.area in in_zone)


def _one_minus_cpi(rows: Rows) -> list[float]:
    """1 - CPI/100 for the years 2016-2025 the record has a score for (as the targets)."""
    return [
        1 - r.value / 100 for r in rows.values() if r.measure == "cpi_score" and r.years[0] >= 2016
    ]


RECORD_FIGURES: dict[str, Callable[[Rows], float]] = {
    "incidents_2017": lambda r: r["acled_2017_events"].value / 12,
    "civilian_harm_2021": lambda r: r["minusma_2021_civilians_killed"].value / 12,
    "civilian_harm_2022_23": lambda r: r["minusma_2022_civilians_killed"].value / 12,
    "harm_rise_2022_23_vs_2021": lambda r: log_ratio(
        r["minusma_2022_civilians_killed"].value / 12, r["minusma_2021_civilians_killed"].value / 12
    ),
    "forces_harm_share_2022_23": lambda r: r["minusma_2022_share_state_forces"].value,
    "centre_harm_share_2020": lambda r: (
        r["echo_2020_jan_may_centre_civilian_fatalities"].value
        / r["echo_2020_jan_may_civilian_fatalities"].value
    ),
    "centre_vs_north_2018_23": lambda r: log_ratio(
        _zone_total(r, "centre") / 3, _zone_total(r, "north") / 3
    ),
    "north_vs_centre_2015_16": lambda r: log_ratio(
        _zone_total(r, "centre"), _zone_total(r, "north")
    ),
    "corruption_level": lambda r: float(np.mean(_one_minus_cpi(r))),
    "corruption_range": lambda r: max(_one_minus_cpi(r)) - min(_one_minus_cpi(r)),
    "ddr_integrated_2023": lambda r: r["cnddr_2022_integrated"].value,
    "ddr_disarmed_2019": lambda r: r["cnddr_2018_laid_down_arms"].value,
    "ddr_integrated_share_2023": lambda r: (
        r["cnddr_2022_integrated"].value / r["cnddr_2018_registered"].value
    ),
}
"""The record's figure for each target it informs, on the target's own scale. Each reads
only the rows marked for that target (``target`` and ``use_for_targets = yes``)."""


def agrees(target: Target, figure: float) -> bool:
    """The record satisfies a one-sided or band target, or sits within a quarter of a point
    target's tolerance (its penalty, unweighted, at most 1/16)."""
    penalty = target.penalty(figure) / target.weight
    return penalty <= (1 / 16 if target.kind in ("log", "abs") else 0.0)


def record_figure(name: str) -> float:
    rows = {r.id: r for r in target_rows(RECORD, name)}
    return RECORD_FIGURES[name](rows)


def listed_disagreements() -> set[str]:
    """Target names listed under docs/DATA.md's disagreements heading."""
    text = DATA_DOC.read_text(encoding="utf-8")
    section = text.split("## Disagreements with the calibration targets", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([a-z0-9_]+)`", section, flags=re.M))


def test_given_every_target_the_record_informs_then_its_figure_is_computed_from_marked_rows():
    informed = {
        t for rows in RECORD.values() for r in rows if r.use_for_targets == "yes" for t in r.targets
    }
    assert informed == set(RECORD_FIGURES)
    for name in RECORD_FIGURES:
        assert np.isfinite(record_figure(name)), name


def test_given_a_target_quoting_the_record_then_they_agree_or_docs_data_lists_the_disagreement():
    targets = {t.name: t for t in TARGETS}
    disagree = {n for n in RECORD_FIGURES if not agrees(targets[n], record_figure(n))}
    assert disagree == listed_disagreements(), (
        "docs/DATA.md must list exactly the targets the record disagrees with: "
        + ", ".join(
            f"{n} (record {record_figure(n):.3g}, target {targets[n].value:.3g})"
            for n in sorted(disagree)
        )
    )


def test_given_the_agreement_rule_then_point_targets_tolerate_rounding_and_hinges_none():
    point = next(t for t in TARGETS if t.name == "incidents_2017")
    hinge = next(t for t in TARGETS if t.name == "ddr_integrated_share_2023")
    assert agrees(point, 474 / 12 * 1.05) and not agrees(point, 474 / 12 * 1.3)
    assert agrees(hinge, 0.3) and not agrees(hinge, 0.31)


def documented_target_rows() -> dict[str, set[str]]:
    """docs/DATA.md's table of the rows each target uses (id patterns with `*`)."""
    text = DATA_DOC.read_text(encoding="utf-8")
    section = text.split("## Rows the calibration targets use", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 4 or not cells[1].strip().startswith("`"):
            continue
        patterns = re.findall(r"`([a-z0-9_*]+)`", cells[2])
        for target in re.findall(r"`([a-z0-9_]+)`", cells[1]):
            documented[target] = set(patterns)
    return documented


def test_given_docs_data_when_it_lists_the_rows_each_target_uses_then_the_record_agrees():
    documented = documented_target_rows()
    assert set(documented) == set(RECORD_FIGURES)
    for target, patterns in documented.items():
        used = {r.id for r in target_rows(RECORD, target)}
        matched = {i for i in used if any(fnmatch.fnmatchcase(i, p) for p in patterns)}
        assert matched == used, f"{target}: rows used but not documented: {sorted(used - matched)}"
        assert all(fnmatch.filter(used, p) for p in patterns), (
            f"{target}: a documented pattern matches no row"
        )
