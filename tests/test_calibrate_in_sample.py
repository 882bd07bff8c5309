"""Specification of the in-sample calibration (the whole record) and of the calibration hash.

The blind test is honest only if nothing fitted to the blind window passes for a
prediction: an in-sample calibration must say so, and is never installed as the defaults.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.calibrate.config import BLIND_WINDOW, CALIBRATION_WINDOW, load_calibration
from sim.cli import main
from sim.scenario import read_toml
from sim.validation import blind

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "calibrate_files" / "tiny.toml"
HISTORICAL = ROOT / "calibration" / "historical.toml"
FULL_RECORD = ROOT / "calibration" / "full_record.toml"


def _in_sample_tiny(tmp_path: Path, in_sample: bool = True) -> Path:
    import tomli_w

    data = read_toml(TINY)
    data["calibration"] = {
        **data["calibration"],
        "scenario": str(ROOT / "scenarios" / "historical_2015_2025.toml"),
        "window": ["2015-06", "2021-12"],
        "in_sample": in_sample,
    }
    data["statistic"].append(
        {
            "name": "civilians_killed_2021",
            "kind": "monthly",
            "columns": ["civilian_harm"],
            "rows": ["minusma_2021_civilians_killed"],
        }
    )
    data.pop("blind", None)
    path = tmp_path / "in_sample.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def test_an_in_sample_file_may_fit_the_blind_window_and_says_so(tmp_path):
    # given the tiny file extended into 2021 with a 2021 target, marked in_sample
    cal = load_calibration(_in_sample_tiny(tmp_path))
    # then it loads, fits the 2021 row, and is marked in-sample
    assert cal.meta.in_sample and cal.window[1] == "2021-12"
    assert cal.statistics[-1].first == "2021-01"


def test_without_in_sample_the_blind_window_is_refused(tmp_path, capsys):
    path = _in_sample_tiny(tmp_path, in_sample=False)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "calibration.window" in err and "in_sample" in err
    assert not (tmp_path / "out").exists()


def test_install_refuses_an_in_sample_calibration_before_running_it(tmp_path, capsys):
    # given an in-sample file; when asked to install it
    path = _in_sample_tiny(tmp_path)
    code = main(["calibrate", str(path), "--install", "--out", str(tmp_path / "out")])
    # then exit 2, naming the key, and nothing ran or was written
    assert code == 2
    assert "calibration.in_sample" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_hash_ignores_the_inferred_defaults_but_not_the_fixed_ones():
    # given the historical calibration and its scenario
    cal = load_calibration(HISTORICAL)
    sc = cal.scenario
    inferred = {p.name for p in cal.priors}
    prior = cal.priors[0]
    moved = dataclasses.replace(sc, parameters={**sc.parameters, prior.name: prior.lo})
    fixed = dataclasses.replace(sc, parameters={**sc.parameters, "ddr.incentive": 0.123})
    # then moving an inferred parameter (as --install does) keeps the hash ...
    assert moved.config_hash(exclude=inferred) == sc.config_hash(exclude=inferred)
    assert moved.config_hash() != sc.config_hash()
    # ... while moving a fixed one changes it
    assert fixed.config_hash(exclude=inferred) != sc.config_hash(exclude=inferred)


def test_the_full_record_file_mirrors_the_historical_one():
    # given the two shipped files
    hist, full = load_calibration(HISTORICAL), load_calibration(FULL_RECORD)
    # then the in-sample one has the same priors, fits every statistic of the other
    # (fitted and blind), and covers the whole record
    assert [(p.name, p.lo, p.hi) for p in full.priors] == [
        (p.name, p.lo, p.hi) for p in hist.priors
    ]
    names = [s.name for s in (*hist.statistics, *hist.blind)]
    assert [s.name for s in full.statistics] == names
    assert full.meta.in_sample and not hist.meta.in_sample
    assert full.window == (CALIBRATION_WINDOW[0], BLIND_WINDOW[1])
    assert full.scenario.config_hash() == hist.scenario.config_hash()


@pytest.mark.slow
def test_the_documented_in_sample_table_is_recomputed_from_its_posterior():
    documented = blind.documented(block=blind.IN_SAMPLE)
    assert documented, "docs/VALIDATION.md has no in-sample block: run `make validate`"
    fresh = blind.in_sample()
    assert fresh == documented, "run `make validate`"
    if blind.IN_SAMPLE_POSTERIOR.is_file():
        assert fresh.startswith("Ensemble: **In-sample**")
