"""A workshop room on one server: N participants stepping and playing.

For each N (default 1, 10, 20, 30) a fresh ``python -m sim ui`` is started and N
participants open it, each its own session. ``--client protocol`` (the default) makes
each participant a protocol-level client (``benchmarks/room_client.py``: the page's
websocket messages without a browser, so 30 participants cost the laptop little and the
figures are the server's); ``--client browser`` opens N real pages (separate browser
contexts) in one headless Chromium, which on a 2-core laptop takes the server's cores:

- **stepping**: every participant presses Step once a second for ``--seconds``; measured:
  server CPU per Step (server process CPU time / Steps), bytes per Step (websocket
  frames received by the pages / Steps), latency from click to the new month drawn
  (p50, p90) and server memory (RSS);
- **playing**: every participant presses Play at ``--speed`` months per second for
  ``--seconds``; measured: months advanced per participant against the speed asked
  (a month is never skipped: each is drawn), Pause lands at the month shown.
- **after all leave**: the pages close and the server's memory is read again
  ``--linger`` seconds later (default five minutes; the culling timeout,
  ``SOLARA_KERNEL_CULL_TIMEOUT``, is shortened to ``--cull`` seconds here instead of the
  default two minutes), and compared with its idle level (after one warm-up participant
  ran a year and left: a warmed server).

With ``--client browser`` the browsers run on the same machine as the server, so on a
2-core laptop they take CPU from it: the latencies are pessimistic. The load average is
printed with the figures.

Usage: python benchmarks/bench_room.py [--client protocol|browser] [--sizes 1 10 20 30]
    [--seconds 20] [--speed 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser_helpers import CHROMIUM, LAUNCH_ARGS, STEP_AND_WAIT, serve_app  # noqa: E402
from room_client import Participant  # noqa: E402

from sim.ui.app import DEFAULT_SPEED  # noqa: E402

MONTH = "() => +/month (\\d+) of/.exec(document.querySelector('.ssr-status').innerText)?.[1] || 0"


@dataclass
class Figures:
    """What one room size measured."""

    n: int
    steps: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    ws_bytes: int = 0
    rss_mb: float = 0.0
    rates: list[float] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    pause_gap: list[int] = field(default_factory=list)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0-1) of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def open_pages(browser, url: str, n: int, counter: list[int]):
    """N participants, each in its own browser context (own cookies, own session)."""
    pages = []
    for _ in range(n):
        context = await browser.new_context(viewport={"width": 1280, "height": 720})
        page = await context.new_page()
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda payload: counter.__setitem__(0, counter[0] + len(payload))
            ),
        )
        await page.goto(url)
        await page.get_by_role("button", name="Step").wait_for(timeout=120_000)
        pages.append(page)
    return pages


async def stepping(pages, seconds: float, figures: Figures) -> None:
    """Each page presses Step once a second (staggered), recording click-to-drawn times."""

    async def one(page, offset: float) -> None:
        await asyncio.sleep(offset)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.monotonic()
            figures.latencies.append(await page.evaluate(STEP_AND_WAIT))
            figures.steps += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))

    n = len(pages)
    await asyncio.gather(*(one(p, i / n) for i, p in enumerate(pages)))


PAUSE_NOW = """() => {
  const status = document.querySelector('.ssr-status').innerText;
  const seen = +/month (\\d+) of/.exec(status)[1];
  const pause = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Pause');
  if (!pause) return [seen, 'not playing: ' + status + ' ' + document.querySelector('.ssr-main').innerText.slice(0, 200)];
  pause.click();
  return [seen, ''];
}"""
"""Browser-side: press Pause and return the month on screen at that instant."""


async def playing(pages, seconds: float, figures: Figures) -> None:
    """Every page plays for ``seconds``; months per second achieved, and where Pause lands."""
    for p in pages:
        await p.get_by_role("button", name="Play").click()
    for p in pages:
        await p.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)

    async def months_now() -> list[tuple[float, int]]:
        return await asyncio.gather(*(_month_at(p) for p in pages))

    begin = await months_now()
    await asyncio.sleep(seconds)
    end = await months_now()
    figures.rates = [(m1 - m0) / (t1 - t0) for (t0, m0), (t1, m1) in zip(begin, end, strict=True)]
    paused = await asyncio.gather(*(p.evaluate(PAUSE_NOW) for p in pages))
    figures.stopped = [why for _, why in paused if why]
    await asyncio.sleep(2.0)
    final = await months_now()
    figures.pause_gap = [m - s for (_, m), (s, why) in zip(final, paused, strict=True) if not why]


async def _month_at(page) -> tuple[float, int]:
    month = int(await page.evaluate(MONTH))
    return time.monotonic(), month


async def room(
    n: int, seconds: float, speed: int, cull: int, linger: float
) -> tuple[Figures, float, float]:
    """Measure one room size; returns (figures, idle MB, MB after everyone left)."""
    from playwright.async_api import async_playwright

    env = {"SOLARA_KERNEL_CULL_TIMEOUT": f"{cull}s", "SSR_UI_MAX_SPEED": str(max(speed, 6))}
    figures = Figures(n)
    with serve_app(env) as server:
        proc = psutil.Process(server.process.pid)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            counter = [0]
            warm = await open_pages(browser, server.url, 1, counter)
            await warm[0].context.close()
            await asyncio.sleep(cull + 8)
            idle = proc.memory_info().rss / 2**20
            pages = await open_pages(browser, server.url, n, counter)
            for p in pages:
                await p.get_by_role("button", name="Step").click()
            await asyncio.sleep(2)
            counter[0] = 0
            cpu0 = sum(proc.cpu_times()[:2])
            await stepping(pages, seconds, figures)
            figures.cpu_s = sum(proc.cpu_times()[:2]) - cpu0
            figures.ws_bytes = counter[0]
            figures.rss_mb = proc.memory_info().rss / 2**20
            figures.load = os.getloadavg()
            await _set_speed(pages, speed)
            await playing(pages, seconds, figures)
            for p in pages:
                await p.context.close()
            await browser.close()
        await asyncio.sleep(linger)
        left = proc.memory_info().rss / 2**20
    return figures, idle, left


async def _set_speed(pages, speed: int) -> None:
    """Move every page's speed slider to ``speed`` months per second (keyboard)."""
    for p in pages:
        slider = p.get_by_role("slider", name="Play speed (months per second)")
        await slider.focus()
        await slider.press("Home")
        for _ in range(speed - 1):
            await slider.press("ArrowRight")


SPEED_SLIDER = "Play speed (months per second)"


async def protocol_room(
    n: int, seconds: float, speed: int, cull: int, linger: float
) -> tuple[Figures, float, float]:
    """:func:`room` with protocol-level participants instead of browser pages."""
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": f"{cull}s", "SSR_UI_MAX_SPEED": str(max(speed, 6))}
    figures = Figures(n)
    with serve_app(env) as server:
        proc = psutil.Process(server.process.pid)
        warm = Participant(server.url)  # a warmed server: one participant ran a year and left
        await warm.open()
        for _ in range(12):
            await warm.step()
        await warm.close()
        await asyncio.sleep(cull + 8)
        idle = proc.memory_info().rss / 2**20
        people = [Participant(server.url) for _ in range(n)]
        for person in people:
            await person.open()
            await person.step()
        await asyncio.sleep(2)
        received = sum(p.received_bytes for p in people)
        cpu0 = sum(proc.cpu_times()[:2])
        await asyncio.gather(
            *(_step_each_second(p, i / n, seconds, figures) for i, p in enumerate(people))
        )
        figures.cpu_s = sum(proc.cpu_times()[:2]) - cpu0
        figures.ws_bytes = sum(p.received_bytes for p in people) - received
        figures.rss_mb = proc.memory_info().rss / 2**20
        figures.load = os.getloadavg()
        await _protocol_play(people, seconds, speed, figures)
        for person in people:
            await person.close()
        await asyncio.sleep(linger)
        left = proc.memory_info().rss / 2**20
    return figures, idle, left


async def _step_each_second(
    person: Participant, offset: float, seconds: float, figures: Figures
) -> None:
    await asyncio.sleep(offset)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        figures.latencies.append(await person.step())
        figures.steps += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))


async def _protocol_play(
    people: list[Participant], seconds: float, speed: int, figures: Figures
) -> None:
    """Every participant plays at ``speed``; months per second, and where Pause lands."""
    for person in people:
        await person.set_slider(SPEED_SLIDER, speed)
    await asyncio.sleep(1)
    for person in people:
        await person.click("Play")
    begin = [(time.monotonic(), p.month) for p in people]
    await asyncio.sleep(seconds)
    end = [(time.monotonic(), p.month) for p in people]
    figures.rates = [(m1 - m0) / (t1 - t0) for (t0, m0), (t1, m1) in zip(begin, end, strict=True)]
    figures.stopped = [f"month {p.month}" for p in people if p.button("Pause") is None]
    seen = []
    for person in people:
        seen.append(person.month)
        if person.button("Pause") is not None:
            await person.click("Pause")
    await asyncio.sleep(2.0)
    figures.pause_gap = [p.month - s for p, s in zip(people, seen, strict=True)]


def report(f: Figures, idle: float, left: float, seconds: float, speed: int) -> str:
    """One line per room size."""
    per_step_ms = 1000 * f.cpu_s / max(f.steps, 1)
    return (
        f"N={f.n:>2}: {f.steps} Steps, server CPU {per_step_ms:.1f} ms/Step, "
        f"{f.ws_bytes / max(f.steps, 1) / 1024:.1f} KB/Step, latency p50 "
        f"{statistics.median(f.latencies):.0f} ms p90 {pct(f.latencies, 0.9):.0f} ms, "
        f"server memory {f.rss_mb:.0f} MB (idle {idle:.0f} MB, after all left {left:.0f} MB); "
        f"playing at {speed} months/s: achieved median {statistics.median(f.rates):.2f}, "
        f"min {min(f.rates):.2f} months/s; Pause landed at most {max(f.pause_gap)} month(s) "
        f"after the month on screen; {len(f.stopped)} page(s) had stopped playing "
        f"{f.stopped[:1]}; "
        f"load average {f.load[0]:.2f} {f.load[1]:.2f} {f.load[2]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 20, 30])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--speed", type=int, default=DEFAULT_SPEED, help="months per second (the page's default)"
    )
    parser.add_argument("--cull", type=int, default=20, help="cull timeout in seconds")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol")
    parser.add_argument(
        "--linger", type=float, default=300, help="seconds after all left to read memory"
    )
    args = parser.parse_args()
    if args.client == "browser" and not CHROMIUM.exists():
        sys.exit("needs Debian's Chromium at /usr/bin/chromium")
    print(
        f"cores: {os.cpu_count()}, {args.client} clients, load average at start: {os.getloadavg()}",
        flush=True,
    )
    measure = protocol_room if args.client == "protocol" else room
    for n in args.sizes:
        f, idle, left = asyncio.run(measure(n, args.seconds, args.speed, args.cull, args.linger))
        print(report(f, idle, left, args.seconds, args.speed), flush=True)


if __name__ == "__main__":
    main()
