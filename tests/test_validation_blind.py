"""Specification of the blind test (2021-01..2025-05) and of the table in the docs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate.config import BLIND_WINDOW, Statistic, load_calibration
from sim.validation import blind


def _stat(observed: float, baseline=(), kind: str = "monthly") -> Statistic:
    return Statistic(
        "x", kind, ("civilian_harm",), "2022-01", "2022-12", observed, "", "", baseline
    )


def test_flat_forecast_holds_the_latest_baseline_figure():
    base = (("2019-10", "2019-12", 60.0), ("2020-01", "2020-07", 80.0))
    assert blind.naive_flat(base) == 80.0
    assert np.isnan(blind.naive_flat(()))


def test_trend_forecast_extends_the_baseline_line():
    # given two baseline figures a year apart rising by 12 a year (1 a month)
    base = (("2019-01", "2019-01", 10.0), ("2020-01", "2020-01", 22.0))
    # then the figure two years after the last is 24 higher; one figure gives the flat
    assert blind.naive_trend(base, "2022-01", "2022-01") == pytest.approx(46.0)
    assert blind.naive_trend(base[:1], "2022-01", "2022-01") == 10.0


def test_skill_is_one_when_exact_zero_when_as_bad_as_naive_negative_when_worse():
    assert blind.skill(50.0, 80.0, 50.0, log=True) == 1.0
    assert blind.skill(80.0, 80.0, 50.0, log=True) == pytest.approx(0.0)
    assert blind.skill(200.0, 80.0, 50.0, log=True) < 0
    assert np.isnan(blind.skill(60.0, float("nan"), 50.0, log=True))


def test_score_reports_band_membership_from_the_ensemble():
    stat = _stat(50.0, (("2020-01", "2020-07", 80.0),))
    inside = blind.score(stat, np.linspace(40, 60, 101))
    outside = blind.score(stat, np.linspace(70, 90, 101))
    assert inside["in_band"] and not outside["in_band"]
    assert inside["median"] == pytest.approx(50.0)
    assert inside["skill_flat"] > 0.9 and outside["skill_flat"] < 0.5
    t = blind.totals([inside, outside])
    assert t["in_band"] == 1 and t["targets"] == 2


def test_every_blind_statistic_lies_in_the_blind_window_and_its_baseline_before_it():
    cal = load_calibration(blind.CALIBRATION_FILE)
    assert len(cal.blind) >= 10
    for s in cal.blind:
        assert BLIND_WINDOW[0] <= s.first <= s.last <= BLIND_WINDOW[1]
        assert all(last < BLIND_WINDOW[0] for _, last, _ in s.baseline)
    assert {s.kind for s in cal.blind} >= {"monthly", "share"}


@pytest.mark.slow
def test_the_documented_blind_table_is_recomputed_from_the_same_ensemble():
    # given the table in docs/VALIDATION.md (written by `make validate`)
    documented = blind.documented()
    assert documented, "docs/VALIDATION.md has no blind table: run `make validate`"
    # when it is recomputed from the same ensemble (members and seeds from the file)
    fresh = blind.generate()
    # then every figure agrees (the text is generated, so it is identical)
    assert fresh == documented, "run `make validate` (python -m sim.validation.blind --write)"


def test_the_documented_identification_table_matches_the_shipped_posterior():
    assert blind.documented(block=blind.IDENTIFIED) == blind.identification()
