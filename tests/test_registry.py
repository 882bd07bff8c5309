"""Given the indicator registry, then every table that shows indicators reads it."""

from __future__ import annotations

from sim.errors import did_you_mean, unknown
from sim.indicators import BY_NAME, INDICATORS, REGION_COLUMNS, REGISTRY, indicator
from sim.plots import TIME_PLOTS
from sim.ui.live import PANELS


def test_the_region_table_columns_are_the_registry_rows_reported_per_region() -> None:
    assert set(REGION_COLUMNS) == {row.name for row in REGISTRY if row.per_region}


def test_every_indicator_has_a_unit_a_meaning_and_a_label_and_names_are_unique() -> None:
    assert len(BY_NAME) == len(REGISTRY)
    for row in REGISTRY:
        assert row.unit and row.meaning and row.label, row
        assert row.good_when in ("", "high", "low"), row


def test_charts_show_only_registered_indicators() -> None:
    shown = {name for _, _, names in TIME_PLOTS for name in names}
    shown |= {name for _, names in PANELS for name in names}
    assert shown <= set(INDICATORS)


def test_given_an_unknown_name_then_the_label_is_readable_and_not_an_error() -> None:
    assert indicator("made_up_name").label == "made up name"


def test_given_a_near_miss_then_the_message_suggests_the_allowed_name() -> None:
    assert did_you_mean("incidens", INDICATORS) == "; did you mean 'incidents'?"
    assert did_you_mean("zzz", INDICATORS) == ""
    assert unknown("x", ["a", "b"], "thing") == "unknown thing 'x' (allowed: a, b)"
