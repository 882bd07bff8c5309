"""The workshop app in a real browser (Debian's Chromium), served by ``python -m sim ui``.

Every request to a host other than this computer is blocked and recorded: the page must
render and work with no internet. Screens: phone 390x844, tablet 820x1180, laptop
1280x720.
"""

from __future__ import annotations

import io
import re
import statistics

import pandas as pd
import pytest
from browser_helpers import CHROMIUM, LAUNCH_ARGS, STEP_AND_WAIT, Offline, serve_app
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (make browser installs it)",
    ),
]

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "tablet": {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1280, "height": 720}},
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS}


@pytest.fixture(scope="module")
def server():
    with serve_app() as s:
        yield s


@pytest.fixture
def offline():
    return Offline()


def _context(browser, offline: Offline, screen: str = "laptop"):
    context = browser.new_context(**SCREENS[screen])
    offline.attach(context)
    return context


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


def _step(page, months: int = 1) -> None:
    for _ in range(months):
        page.evaluate(STEP_AND_WAIT)


def _open_settings(page) -> None:
    toggle = page.get_by_role("button", name="Settings", exact=True)
    if toggle.is_visible():
        toggle.click()
    page.locator(".ssr-slider-label", has_text="DDR package attractiveness").wait_for()


def _download_csv(page) -> str:
    with page.expect_download() as info:
        page.get_by_text("Download data (CSV)").click()
    return info.value.path().read_text(encoding="utf-8")


def test_workshop_page_runs_the_model_offline(browser, server, offline):
    context = _context(browser, offline)
    page = _open(context, server.url)

    # given a fresh page: the baseline, not started, the agreement in force
    assert "0 of 120" in _status(page)
    expect(page.get_by_text("Agreement: in force")).to_be_visible()

    # when Step is pressed, the month advances and the charts draw it
    times = [page.evaluate(STEP_AND_WAIT) for _ in range(6)]
    page.get_by_text("2015-11 · month 6 of 120").wait_for()
    expect(page.locator("figure.ssr-chart svg").first).to_have_attribute(
        "aria-label", re.compile(r"Incidents per month: Incidents \d+")
    )
    print(f"\nStep -> month shown in the browser: median {statistics.median(times):.0f} ms")

    # when Play runs and Pause stops it, the month shown is the month the model is at
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => +(/month (\\d+) of/.exec(document.querySelector('.ssr-status').innerText) || [])[1] >= 9"
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play").wait_for()
    paused_at = _month(page)
    page.wait_for_timeout(800)
    assert _month(page) == paused_at
    assert f"month={paused_at}" in page.url

    # when a slider moves (found by its accessible name), Apply now turns it into an event
    slider = page.get_by_role("slider", name="DDR package attractiveness")
    slider.focus()
    slider.press("End")
    page.get_by_text("Sliders moved").wait_for()
    page.get_by_role("button", name="Apply now").click()
    log = page.locator(".ssr-log")
    expect(log).to_contain_text("DDR package attractiveness set to 1")
    _step(page)
    expect(log.locator("tr", has_text="set to 1")).to_contain_text("happened")

    # when another scenario is picked by its title, it restarts with its description
    page.locator(".v-select", has_text="Scenario").first.click()
    page.get_by_role("option", name="Agreement termination").click()
    page.get_by_text("ends in 2024-01").wait_for()
    expect(page.locator(".ssr-status")).to_contain_text("Not started")

    # when the agreement is terminated now, the log says so in words and it ends next month
    _step(page)
    page.get_by_role("button", name="Terminate the agreement", exact=True).click()
    expect(log).to_contain_text("next month")
    _step(page)
    expect(page.get_by_text("Agreement: ended")).to_be_visible()
    expect(log).to_contain_text("2015-07")

    # and nothing was requested from outside this computer
    assert offline.blocked == []
    assert [u for u in offline.failed if "/_solara/" in u] == []
    context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_fits_reads_and_reaches_every_control(browser, server, offline, screen):
    context = _context(browser, offline, screen)
    page = _open(context, server.url + "?scenario=baseline&month=30")
    _open_settings(page)
    page.wait_for_timeout(300)
    width = SCREENS[screen]["viewport"]["width"]

    # then nothing scrolls sideways and pinch-zoom is allowed
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    viewport = page.locator('meta[name="viewport"]').get_attribute("content")
    assert "user-scalable=no" not in viewport and "maximum-scale=1" not in viewport

    # every control has a name and lies inside the screen's width
    controls = page.evaluate(
        """() => [...document.querySelectorAll('button, [role=slider], input, .v-select')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
          const name = e.getAttribute('aria-label') || e.innerText || e.labels?.[0]?.innerText
            || e.closest('.v-input')?.querySelector('label')?.innerText || '';
          return {name: name.trim(), left: r.left, right: r.right}; })"""
    )
    assert len(controls) > 40
    assert [c for c in controls if not c["name"]] == []
    assert [c for c in controls if c["left"] < 0 or c["right"] > width + 1] == []

    # chart and map text is at least 12 px high on screen
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.ssr-chart-svg text, .ssr-map-svg text')]
        .filter(t => t.textContent.trim()).map(t => {
          const svg = t.ownerSVGElement, vb = svg.viewBox.baseVal;
          const scale = vb && vb.width ? svg.clientWidth / vb.width : 1;
          return parseFloat(getComputedStyle(t).fontSize) * scale; })"""
    )
    assert sizes and min(sizes) >= 12 - 0.01

    # the plain legend explains the line styles
    for words in ("solid: your run", "dashed: baseline scenario", "dotted: events"):
        expect(page.get_by_text(words)).to_be_visible()

    # the month stays on screen at the bottom of the page
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(200)
    box = page.locator(".ssr-status").bounding_box()
    assert box is not None and 0 <= box["y"] < SCREENS[screen]["viewport"]["height"]
    assert offline.blocked == []
    context.close()


def test_reload_restores_the_run_and_a_shared_link_reproduces_it(browser, server, offline):
    context = _context(browser, offline)
    page = _open(context, server.url)
    # given a run with a moved slider, an event and an applied slider
    _step(page, 3)
    page.get_by_role("button", name="Coup", exact=True).click()
    _step(page, 2)
    slider = page.get_by_role("slider", name="Jobs and income after DDR")
    slider.focus()
    slider.press("End")
    page.get_by_role("button", name="Apply now").click()
    _step(page, 2)
    page.wait_for_url(re.compile("month=7"))
    csv = _download_csv(page)
    link = page.url
    assert "month=7" in link and "e=4:coup" in link and "set:ddr.opportunity=1" in link

    # when the page is reloaded, the same run is back
    page.reload()
    page.get_by_text("month 7 of 120").wait_for(timeout=60_000)
    expect(page.locator(".ssr-log")).to_contain_text("Coup")
    assert _download_csv(page) == csv

    # when the link is opened in another browser, it gives the same numbers
    other = _context(browser, offline)
    shared = _open(other, link)
    shared.get_by_text("month 7 of 120").wait_for()
    assert _download_csv(shared) == csv

    # and the CSV names the moved slider and the events, with the comparison run
    assert "# your events: 2015-09 Coup; 2015-11 Jobs and income after DDR set to 1" in csv
    table = pd.read_csv(io.StringIO(csv), comment="#")
    assert set(table["run"]) == {"you", "comparison"}
    assert list(table.loc[table["run"] == "you", "ddr.opportunity"]) == [0.3] * 5 + [1.0] * 2
    assert offline.blocked == []
    context.close()
    other.close()


def test_facilitator_sees_participants_and_can_load_a_scenario_for_all(browser, server, offline):
    context = _context(browser, offline)
    # given a page without the token: nothing of the room shows
    refused = context.new_page()
    refused.goto(server.url + "facilitator")
    refused.get_by_text("needs the facilitator's link").wait_for(timeout=60_000)

    # given a participant who stepped and pressed an event
    participant = _open(_context(browser, offline, "phone"), server.url)
    _step(participant, 2)
    participant.get_by_role("button", name="Partner arrives", exact=True).click()
    _step(participant, 1)

    # then the facilitator's table shows their month and event
    facilitator = context.new_page()
    facilitator.goto(server.facilitator)
    table = facilitator.locator(".ssr-table")
    expect(table).to_contain_text("3 of 120", timeout=30_000)
    expect(table).to_contain_text("Partner arrives")

    # when the facilitator loads a scenario for everyone, the participant's page shows it
    facilitator.locator(".v-select", has_text="Scenario for everyone").click()
    facilitator.get_by_role("option", name="High corruption").click()
    facilitator.get_by_role("button", name="Load for everyone").click()
    participant.get_by_text("The facilitator loaded this scenario").wait_for(timeout=20_000)
    expect(participant.locator(".ssr-status")).to_contain_text("Not started")
    expect(table).to_contain_text("High corruption", timeout=30_000)
    assert offline.blocked == []
    context.close()


def test_junk_seed_and_a_click_flood_get_messages_not_a_frozen_page(browser, server, offline):
    context = _context(browser, offline, "tablet")
    page = _open(context, server.url)
    _open_settings(page)
    # when letters are typed as the seed, the field says what is allowed
    seed = page.get_by_label("Seed (a whole number: same seed, same run)")
    seed.fill("abc")
    seed.press("Enter")
    page.get_by_text("is not a whole number").wait_for()
    # when Coup is clicked 120 times in a burst, one coup waits and the page still steps
    page.evaluate(
        """() => { const b = [...document.querySelectorAll('button')]
          .find(x => x.textContent.trim() === 'Coup');
          for (let i = 0; i < 120; i++) b.click(); }"""
    )
    _step(page)
    log = page.locator(".ssr-log")
    expect(log.locator("tr", has_text="Coup")).to_have_count(1)
    _step(page)
    assert _month(page) == 2
    context.close()


def test_two_participants_have_independent_models(browser, server, offline):
    contexts = [_context(browser, offline), _context(browser, offline)]
    a, b = (_open(c, server.url) for c in contexts)
    # when participant A steps three months
    _step(a, 3)
    # then B's model has not moved
    assert _month(b) == 0
    # when B terminates the agreement, A is untouched
    b.get_by_role("button", name="Terminate the agreement", exact=True).click()
    _step(b)
    expect(b.get_by_text("Agreement: ended")).to_be_visible()
    assert _month(a) == 3
    expect(a.get_by_text("Agreement: in force")).to_be_visible()
    expect(a.locator(".ssr-log")).to_have_text("No event yet.")
    assert offline.blocked == []
    for c in contexts:
        c.close()


def test_a_page_whose_browser_vanished_is_culled_and_leaves_the_room(browser, offline):
    # given a server that drops pages three seconds after their browser is gone
    with serve_app({"SOLARA_KERNEL_CULL_TIMEOUT": "3s"}) as short:
        context = _context(browser, offline)
        facilitator = context.new_page()
        facilitator.goto(short.facilitator)
        gone = _context(browser, offline, "phone")
        _step(_open(gone, short.url), 2)
        heading = facilitator.locator("h2")
        expect(heading).to_contain_text("1 participant", timeout=30_000)
        # when the phone's browser vanishes, then the room forgets it after the timeout
        gone.close()
        expect(heading).to_contain_text("0 participant", timeout=30_000)
        context.close()


def test_an_error_in_one_participants_model_stays_on_their_page(browser, offline):
    # given a server whose models with a DDR incentive of 0.93 fail from their second month
    with serve_app({"SSR_UI_FAIL_INCENTIVE": "0.93"}, faults=True) as faulty:
        facilitator = _context(browser, offline).new_page()
        facilitator.goto(faulty.facilitator)
        broken = _open(_context(browser, offline), faulty.url + "?ddr.incentive=0.93")
        healthy = _open(_context(browser, offline, "phone"), faulty.url)
        # when the broken participant's model fails in its second month
        _step(broken)
        broken.get_by_role("button", name="Step").click()
        # then that page says so and stays usable
        expect(broken.get_by_text("Something went wrong in this run")).to_be_visible(timeout=20_000)
        assert _month(broken) == 1
        # and the other participant runs on untouched, with no message
        _step(healthy, 3)
        assert _month(healthy) == 3
        expect(healthy.get_by_text("Something went wrong")).to_have_count(0)
        # and the facilitator sees the error against the broken seat only
        table = facilitator.locator(".ssr-table")
        expect(table).to_contain_text("injected failure", timeout=30_000)
        expect(table.locator("tr", has_text="injected failure")).to_have_count(1)
        expect(table.locator("tr", has_text="3 of 120")).not_to_contain_text("injected")
        assert offline.blocked == []
