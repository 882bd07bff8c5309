"""The workshop app in a real browser (Debian's Chromium), served by ``python -m sim ui``.

Every request to a host other than this computer is blocked and recorded: the page must
render and work with no internet.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from sim.ui.headless import CHROMIUM, LAUNCH_ARGS, STEP_AND_WAIT

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = LAUNCH_ARGS
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (make browser installs it)",
    ),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = _free_port()
    env = {**os.environ, "SSR_SCENARIOS": str(ROOT / "scenarios")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "ui", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"ssr ui exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("ssr ui did not answer within 90 s")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


class Offline:
    """Blocks and records every request that leaves this computer."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []

    def attach(self, context) -> None:
        def route(r):
            host = urlparse(r.request.url).hostname or ""
            if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        context.on("requestfailed", lambda req: self.failed.append(req.url))


def _open(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=60_000)
    return page


def _status(page) -> str:
    return page.locator(".ssr-status").inner_text()


def _month(page) -> int:
    m = re.search(r"(\d+) of \d+", _status(page))
    assert m, _status(page)
    return int(m.group(1))


def _charts_src(page) -> str:
    return page.locator("img.ssr-charts").get_attribute("src") or ""


def test_workshop_page_runs_the_model_offline(browser, app_url):
    offline = Offline()
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    offline.attach(context)
    page = _open(context, app_url)

    # given a fresh page: the baseline, not started
    assert "0 of 120" in _status(page)
    assert "Agreement active: 1" in page.locator(".ssr-chip").first.inner_text()

    # when Step is pressed, the month and the charts advance (timed for the latency figure)
    first_charts = _charts_src(page)
    times = [page.evaluate(STEP_AND_WAIT) for _ in range(6)]
    page.get_by_text("2015-11 · month 6 of 120").wait_for()
    assert _charts_src(page) != first_charts
    print(f"\nStep -> updated charts in the browser: median {statistics.median(times):.0f} ms")

    # when Play runs for a while and Pause stops it, the months advance
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => /month (\\d+) of/.exec(document.querySelector('.ssr-status').innerText)[1] >= 10"
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play").wait_for()
    paused_at = _month(page)
    assert paused_at >= 10
    page.wait_for_timeout(700)
    assert _month(page) == paused_at

    # when a slider moves, its value shows and Apply now or Reset is offered
    label = page.locator(".ssr-slider-label", has_text="Incentive")
    assert "0.4" in label.inner_text()
    slider = label.locator("xpath=following-sibling::*[1]").get_by_role("slider")
    slider.focus()
    slider.press("End")  # the slider's top: the schema's upper bound
    page.get_by_text("Sliders moved").wait_for()
    expect(label).to_have_text("Incentive: 1")

    # when Apply now is pressed, the running model gets a set event from the next month
    page.get_by_role("button", name="Apply now").click()
    log = page.locator(".ssr-log")
    expect(log).to_contain_text("set ddr.incentive = 1")
    expect(page.get_by_text("Sliders moved")).to_have_count(0)
    page.get_by_role("button", name="Step").click()
    page.get_by_text(f"month {paused_at + 1} of 120").wait_for()
    expect(log.locator("tr", has_text="set ddr.incentive = 1")).to_contain_text("applied")

    # when Reset is pressed, the model restarts with the setting
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Not started").wait_for()

    # when another scenario is picked, its description shows
    page.locator(".v-select", has_text="Scenario").first.click()
    page.get_by_role("option", name="agreement_termination.toml").click()
    page.get_by_text("ends in 2024-01").wait_for()
    expect(page.locator(".ssr-status")).to_contain_text("Not started")

    # when the agreement is terminated now, the log shows it and the next month applies it
    page.get_by_role("button", name="Step").click()
    page.get_by_text("month 1 of 120").wait_for()
    page.get_by_role("button", name="Terminate the agreement").click()
    expect(log).to_contain_text("Terminate the agreement")
    expect(log).to_contain_text("next month")
    page.get_by_role("button", name="Step").click()
    page.get_by_text("Agreement active: 0").wait_for()
    expect(log).to_contain_text("2015-07")
    expect(log).to_contain_text("applied")

    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)

    # and nothing was requested from outside this computer
    assert offline.blocked == []
    assert [u for u in offline.failed if "/_solara/" in u] == []
    context.close()


def test_two_participants_have_independent_models(browser, app_url):
    offline = Offline()
    contexts = [browser.new_context(), browser.new_context()]
    for c in contexts:
        offline.attach(c)
    a, b = (_open(c, app_url) for c in contexts)

    # when participant A steps three months
    for month in (1, 2, 3):
        a.get_by_role("button", name="Step").click()
        a.get_by_text(f"month {month} of 120").wait_for()
    # then B's model has not moved
    assert _month(b) == 0

    # when B steps once and terminates the agreement, A is untouched
    b.get_by_role("button", name="Terminate the agreement").click()
    b.get_by_role("button", name="Step").click()
    b.get_by_text("Agreement active: 0").wait_for()
    assert _month(b) == 1
    assert _month(a) == 3
    assert "Agreement active: 1" in a.locator(".ssr-chip").first.inner_text()
    assert a.locator(".ssr-log").count() == 0
    assert offline.blocked == []
    for c in contexts:
        c.close()
