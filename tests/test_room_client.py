"""The room benchmark's protocol-level participant drives a real `ssr ui` as a page does."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser_helpers import serve_app  # noqa: E402
from room_client import Participant  # noqa: E402


async def _two_participants(url: str) -> tuple[list[int], list[int], int]:
    first, second = Participant(url), Participant(url)
    await first.open()
    await second.open()
    for _ in range(3):
        await first.step()
    await second.step()
    # playing paces itself on the months this client reports drawn, as on a page
    await second.set_slider("Play speed (months per second)", 6)
    await second.click("Play")
    await second.until(lambda: second.month >= 4, timeout=30)
    await second.click("Pause")
    paused = second.month
    await asyncio.sleep(1.0)
    months = [first.month, first.drawn], [second.month, second.drawn]
    await first.close()
    await second.close()
    return *months, paused


def test_given_two_protocol_participants_then_each_steps_and_plays_its_own_run():
    with serve_app() as served:
        first, second, paused = asyncio.run(_two_participants(served.url))
    # then each one's month is its own, and the charts' months follow (drawn reported)
    assert first[0] == 3 and first[1] >= 2
    assert second[0] >= 4 and second[0] - paused <= 1


def test_the_workshop_guide_states_the_pages_default_play_speed():
    from sim.ui.app import DEFAULT_SPEED

    guide = (ROOT / "docs" / "workshop.md").read_text(encoding="utf-8")
    assert f"plays at {DEFAULT_SPEED} months per second" in " ".join(guide.split())
