"""A run in the page address: reload restores it, a link reproduces it, junk is named."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sim.ui import controls as ct
from sim.ui import exports
from sim.ui.runlink import parse_query, restore, run_query
from sim.ui.state import Session


def _played() -> Session:
    s = Session()
    s.set_param("ddr.incentive", 0.8)
    s.reset()
    s.step(5)
    s.inject("coup")
    s.step(3)
    s.set_event_option("donor_withdrawal", "donor", "EU")
    s.set_event_option("donor_withdrawal", "share", 0.5)
    s.inject("donor_withdrawal")
    s.set_param("ddr.opportunity", 0.6)
    s.apply_now()
    s.step(4)
    return s


def test_given_a_played_run_when_its_address_is_opened_then_the_same_run_comes_back():
    original = _played()
    query = run_query(original)
    assert query.startswith("scenario=baseline&seed=42&month=12&ddr.incentive=0.8")
    copy = Session()
    link = parse_query(query, copy.scenarios)
    assert link.problems == []
    restore(copy, link)
    pd.testing.assert_frame_equal(copy.frame(), original.frame())
    assert [e.label for e in copy.event_log()] == [e.label for e in original.event_log()]
    assert run_query(copy) == query
    assert copy.settings == original.settings


def test_given_a_restored_run_then_its_csv_is_byte_for_byte_the_original():
    original = _played()
    copy = Session()
    restore(copy, parse_query(run_query(original), copy.scenarios))
    assert exports.csv_bytes(copy) == exports.csv_bytes(original)


def test_given_junk_in_the_address_then_each_bad_part_is_named_and_left_out():
    s = Session()
    query = "seed=abc&ddr.incentive=7&e=3:cou&scenario=nope&foo.bar=1&e=x:coup&month=soon"
    link = parse_query(query, s.scenarios)
    assert len(link.problems) == 7
    text = " ".join(link.problems)
    for words in ("not a whole number", "range 0 to 1", "did you mean 'coup'", "no such scenario"):
        assert words in text
    restore(s, link)  # what is left is a fresh baseline
    assert s.step_count == 0 and s.event_log() == []


def test_given_the_csv_then_it_names_every_moved_slider_and_event_and_holds_the_comparison():
    s = _played()
    text = exports.csv_bytes(s, "baseline").decode()
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert any("ddr.incentive = 0.8" in line for line in head)
    assert any("Coup" in line and "Donors withdraw (EU, 50% cut)" in line for line in head)
    assert any(line.startswith("# page address: ?scenario=baseline") for line in head)
    table = pd.read_csv(io.StringIO(text), comment="#")
    mine = table[table["run"] == "you"]
    assert list(mine["ddr.incentive"].unique()) == [0.8]
    assert list(mine["ddr.opportunity"]) == [0.3] * 8 + [0.6] * 4  # applied from month 9
    assert (table["run"] == "comparison").sum() == s.horizon


@pytest.mark.parametrize("typed", ["abc", "-1", "1.5", "", "99999999999999999999999"])
def test_given_junk_typed_as_seed_then_a_message_says_what_is_allowed(typed):
    lo, hi = ct.seed_bounds()
    with pytest.raises(ValueError, match=f"use {lo} to {hi:,}"):
        ct.parse_seed(typed)
    assert ct.parse_seed(" 1,234 ") == 1234


def test_given_an_event_with_a_list_option_when_linked_then_the_list_comes_back():
    original = Session()
    original.step(2)
    original.inject("suspend_csos", {"donors": ["France", "EU"]})
    original.step(2)
    query = run_query(original)
    assert "suspend_csos:donors=France,EU" in query
    link = parse_query(query, original.scenarios)
    assert link.problems == []
    assert (3, "suspend_csos", {"donors": ["France", "EU"]}) in link.events
