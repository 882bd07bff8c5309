"""The room as the facilitator sees it (sim.ui.room, sim.ui.facilitator), without a browser."""

from __future__ import annotations

import pytest

from sim.ui import room as rm
from sim.ui.facilitator import overlay
from sim.ui.state import Session


@pytest.fixture
def room() -> rm.Room:
    return rm.Room()


def test_given_two_participants_then_the_table_shows_each_ones_month_sliders_and_events(room):
    a, b = Session(), Session()
    seat_a, seat_b = room.join(a), room.join(b)
    a.set_param("ddr.incentive", 0.9)
    a.reset()
    a.step(3)
    a.inject("coup")
    a.step()
    rows = {r["participant"]: r for r in room.table()}
    assert set(rows) == {seat_a.name, seat_b.name}
    assert rows[seat_a.name]["month"] == "4 of 120"
    assert "DDR package attractiveness 0.9" in rows[seat_a.name]["sliders"]
    assert "Coup" in rows[seat_a.name]["events"]
    assert rows[seat_b.name]["month"] == "0 of 120" and rows[seat_b.name]["events"] == ""


def test_given_a_command_for_everyone_then_each_page_gets_it_once(room):
    seats = [room.join(Session()) for _ in range(3)]
    assert room.command_all("scenario", "high_corruption.toml") == 3
    assert all(s.take_commands() == [("scenario", "high_corruption.toml")] for s in seats)
    assert all(s.take_commands() == [] for s in seats)


def test_given_a_page_that_left_then_the_room_forgets_it(room):
    seat = room.join(Session())
    room.leave(seat)
    assert room.table() == [] and room.command_all("restart") == 0


def test_given_the_room_export_then_every_participants_run_is_in_one_table(room):
    a, b = Session(), Session()
    room.join(a)
    room.join(b)
    a.step(3)
    b.step(2)
    table = room.export()
    assert table.groupby("participant").size().to_dict() == {"P1": 3, "P2": 2}
    assert set(table["run"]) == {"you"}


def test_given_chosen_participants_then_the_projector_chart_has_one_line_each(room):
    a, b = Session(), Session()
    seats = [room.join(a), room.join(b)]
    a.step(4)
    b.step(2)
    panels, start, horizon, rows = overlay(seats, "incidents")
    assert [s["name"] for s in panels[0]["series"]] == ["P1", "P2"]
    assert horizon == 120 and len(rows) == 4
    assert rows[3][1] is None and rows[3][0] == a.frame()["incidents"].iloc[3]


def test_given_the_facilitator_token_then_only_it_opens_the_page(monkeypatch):
    monkeypatch.setenv(rm.TOKEN_ENV, "s3cret-token")
    assert rm.token_ok("s3cret-token")
    assert not rm.token_ok("s3cret-tokem") and not rm.token_ok("") and not rm.token_ok(None)
    monkeypatch.delenv(rm.TOKEN_ENV)
    made = rm.facilitator_token()
    assert len(made) >= 12 and rm.facilitator_token() == made
