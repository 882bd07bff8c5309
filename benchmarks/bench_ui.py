"""Latency of the workshop app: from pressing Step to the new month drawn, default scenario.

Prints two figures:
- server side: one model month plus the numbers sent to the browser (chart rows since
  the last update, map values), median and p90;
- in the browser (when /usr/bin/chromium exists): click on Step until the new month is
  drawn in the page, served by a real ``python -m sim ui`` (median, p90).

Usage: python benchmarks/bench_ui.py [--steps 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser_helpers import CHROMIUM, LAUNCH_ARGS, STEP_AND_WAIT, serve_app  # noqa: E402

from sim.ui import live  # noqa: E402
from sim.ui.state import Session  # noqa: E402
from sim.ui.widgets import PatchTracker  # noqa: E402


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"median {statistics.median(ms):.1f} ms, p90 {p90:.1f} ms, max {ms[-1]:.1f} ms (n={len(ms)})"


def server_side(steps: int) -> list[float]:
    s = Session()
    tracker = PatchTracker()
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        s.step()
        tracker.patch(s.rows(live.CHART_COLUMNS), s.gen)
        live.map_message(s, "incidents")
        live.marker_message(s)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def in_browser(steps: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with serve_app() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(server.url)
        page.get_by_role("button", name="Step").wait_for(timeout=60_000)
        page.evaluate(STEP_AND_WAIT)  # warm-up
        out = [page.evaluate(STEP_AND_WAIT) for _ in range(steps)]
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"server side, step + numbers for the page: {summary(server_side(args.steps))}")
    if CHROMIUM.exists():
        print(f"browser, Step click -> new month drawn: {summary(in_browser(args.steps))}")
    else:
        print("browser figure skipped: /usr/bin/chromium not found")


if __name__ == "__main__":
    main()
