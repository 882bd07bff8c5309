"""Latency of the workshop app: from pressing Step to updated charts, default scenario.

Prints two figures:
- server side: one model month plus redrawing the charts and the map (median, p90);
- in the browser (when /usr/bin/chromium exists): click on Step until the new charts
  picture is decoded in the page, served by a real ``python -m sim ui`` (median, p90).

Usage: python benchmarks/bench_ui.py [--steps 40]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.ui.headless import CHROMIUM, STEP_AND_WAIT  # noqa: E402
from sim.ui.headless import LAUNCH_ARGS as ARGS  # noqa: E402
from sim.ui.state import Session  # noqa: E402


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms (n={len(ms)})"


def server_side(steps: int) -> list[float]:
    s = Session()
    s.charts_png()
    s.map_png("incidents")
    out = []
    for _ in range(steps):
        t0 = time.perf_counter()
        s.step()
        s.charts_png()
        s.map_png("incidents")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def in_browser(steps: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "ui", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(url)
            page.get_by_role("button", name="Step").wait_for(timeout=60_000)
            page.evaluate(STEP_AND_WAIT)  # warm-up
            out = [page.evaluate(STEP_AND_WAIT) for _ in range(steps)]
            browser.close()
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    print(f"server side, step + charts + map: {summary(server_side(args.steps))}")
    if CHROMIUM.exists():
        print(f"browser, Step click -> new charts shown: {summary(in_browser(args.steps))}")
    else:
        print("browser figure skipped: /usr/bin/chromium not found")


if __name__ == "__main__":
    main()
