"""`ssr run`: the run folder a policy team receives (timeseries, regions, summary, report)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.plots
from sim.cli import main as ssr
from sim.geography import load_geography
from sim.indicators import CONTRACT, INDICATORS, REGION_COLUMNS
from sim.run import RUN_FILES, run_to_folder
from sim.scenario import ScenarioError, load_scenario

HERE = Path(__file__).parent / "run_scenarios"
SMALL = HERE / "small.toml"
OTHER = HERE / "small_other.toml"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def no_plots(monkeypatch):
    """Skip drawing where a test is about the data and the folder, not the pictures."""
    monkeypatch.setattr(sim.plots, "make_plots", lambda *args, **kwargs: [])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """One run of the small scenario compared with its partner, with a seed override."""
    out = tmp_path_factory.mktemp("runs") / "small"
    code = ssr(
        ["run", str(SMALL), "--compare", str(OTHER), "--seed", "11", "--out", str(out)]
        + ["--workers", "1", "--no-progress"]
    )
    assert code == 0
    return out


def test_given_a_scenario_when_run_then_the_folder_holds_every_contract_file(run_dir):
    for name in RUN_FILES:
        assert (run_dir / name).is_file(), name
    plots = sorted((run_dir / "plots").glob("*.png"))
    names = {p.stem for p in plots}
    assert {
        "incidents",
        "civilian_harm",
        "ddr",
        "fighters",
        "map_civilian_harm",
        "map_trust",
    } <= names
    for p in plots:
        data = p.read_bytes()
        assert data.startswith(PNG) and len(data) > 5_000, p.name
    assert (run_dir / "compare" / "timeseries.parquet").is_file()
    # nothing temporary is left next to the folder
    assert [p.name for p in run_dir.parent.iterdir()] == ["small"]


def test_timeseries_has_one_row_per_replicate_and_step_with_every_indicator(run_dir):
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert list(ts.columns[:3]) == ["replicate", "step", "date"]
    assert set(INDICATORS) <= set(ts.columns)
    assert len(ts) == 3 * 24
    assert sorted(ts["replicate"].unique()) == [0, 1, 2]
    first = ts[ts["replicate"] == 0]
    assert first["step"].tolist() == list(range(1, 25))
    assert first["date"].iloc[0] == "2018-06" and first["date"].iloc[-1] == "2020-05"


def test_regions_has_one_row_per_replicate_step_and_region(run_dir):
    rg = pd.read_parquet(run_dir / "regions.parquet")
    assert list(rg.columns[:4]) == ["replicate", "step", "date", "region"]
    assert set(REGION_COLUMNS) <= set(rg.columns)
    assert len(rg) == 3 * 24 * load_geography().n
    assert set(rg["region"]) == set(load_geography().names)


def test_summary_has_provenance_and_final_year_intervals_that_match_the_data(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    sc = load_scenario(SMALL).with_overrides(seed=11)
    assert summary["scenario"]["name"] == "small_test"
    assert summary["scenario"]["description"] == sc.description
    assert summary["scenario"]["seed"] == 11
    assert summary["config_hash"] == sc.config_hash()
    assert summary["replicate_seeds"] == sc.replicate_seeds()
    assert {"python", "mesa", "numpy", "pandas", "pyarrow"} <= set(summary["versions"])
    assert "git_revision" in summary and summary["created"]
    assert summary["final_year"] == {"from": "2019-06", "to": "2020-05"}

    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    last = ts[ts["step"] > 12].groupby("replicate").mean(numeric_only=True)
    for name in CONTRACT:
        fy = summary["indicators"][name]["final_year"]
        assert fy["mean"] == pytest.approx(last[name].mean()), name
        assert fy["p5"] == pytest.approx(np.percentile(last[name], 5)), name
        assert fy["p5"] <= fy["mean"] <= fy["p95"] or fy["p5"] == pytest.approx(fy["p95"])


def test_compare_adds_the_paired_difference_to_the_summary(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    comp = summary["comparison"]
    assert comp["scenario"]["name"] == "small_other"
    assert comp["paired"] is True  # same seed override, same replicate count
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    other = pd.read_parquet(run_dir / "compare" / "timeseries.parquet")
    a = ts[ts["step"] > 12].groupby("replicate")["ddr_registered"].mean()
    b = other[other["step"] > 12].groupby("replicate")["ddr_registered"].mean()
    diff = comp["indicators"]["ddr_registered"]["difference"]
    assert diff["median"] == pytest.approx(np.median(a - b))
    # DDR opens in this scenario only: more people registered, in every replicate
    assert diff["p5"] > 0


def test_report_says_what_was_run_and_embeds_existing_plots(run_dir):
    report = (run_dir / "report.md").read_text()
    assert "# Scenario run: small_test" in report
    assert "Small test run" in report
    assert "2018-06 to 2020-05" in report
    assert "`ddr.incentive`" in report and "0.7" in report  # parameter change in words
    assert "DDR launched" in report and "2018-11" in report
    assert "## Compared with small_other" in report
    assert "90% interval" in report
    links = [line.split("](")[1].rstrip(")") for line in report.splitlines() if "![" in line]
    assert len(links) >= 10
    for link in links:
        assert (run_dir / link).is_file(), link
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["config_hash"] in report


def test_resolved_scenario_round_trips_with_overrides_applied(run_dir):
    resolved = load_scenario(run_dir / "scenario.toml")
    original = load_scenario(SMALL).with_overrides(seed=11)
    assert resolved.config_hash() == original.config_hash()
    assert resolved.seed == 11
    assert resolved.description == original.description  # quotes and accents survive
    assert [(e.step, e.kind, e.options, e.label) for e in resolved.events] == [
        (e.step, e.kind, e.options, e.label) for e in original.events
    ]
    text = (run_dir / "scenario.toml").read_text()
    assert 'at = "2019-05"' in text  # the event given as step = 12 is written with its date


def test_same_seed_gives_identical_results_in_one_or_two_processes(tmp_path, no_plots):
    sc = load_scenario(SMALL).with_overrides(replicates=3, steps=16)
    one = run_to_folder(sc, tmp_path / "one", workers=1, progress=False)
    two = run_to_folder(sc, tmp_path / "two", workers=2, progress=False)
    for name in ("timeseries.parquet", "regions.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(one / name), pd.read_parquet(two / name))


def test_given_an_older_run_when_the_new_run_fails_then_the_old_one_survives_untouched(
    tmp_path, monkeypatch
):
    sc = load_scenario(SMALL).with_overrides(replicates=1, steps=16)
    monkeypatch.setattr(sim.plots, "make_plots", lambda *args, **kwargs: [])
    out = run_to_folder(sc, tmp_path / "run", workers=1, progress=False)
    before = (out / "summary.json").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sim.plots, "make_plots", broken)
    with pytest.raises(RuntimeError):
        run_to_folder(sc.with_overrides(seed=99), out, workers=1, progress=False)
    assert (out / "summary.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary leftovers


def test_given_an_older_run_when_the_new_run_succeeds_then_it_is_replaced(tmp_path, no_plots):
    sc = load_scenario(SMALL).with_overrides(replicates=1, steps=16)
    out = run_to_folder(sc, tmp_path / "run", workers=1, progress=False)
    (out / "notes.txt").write_text("stale")
    run_to_folder(sc.with_overrides(seed=5), out, workers=1, progress=False)
    assert not (out / "notes.txt").exists()
    assert json.loads((out / "summary.json").read_text())["scenario"]["seed"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_given_a_folder_that_is_not_a_run_when_used_as_out_then_it_is_refused_and_kept(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    sc = load_scenario(SMALL).with_overrides(replicates=1, steps=16)
    with pytest.raises(ScenarioError) as err:
        run_to_folder(sc, folder, workers=1, progress=False)
    assert err.value.key == "--out"
    assert (folder / "thesis.docx").read_text() == "precious"


def test_default_out_is_results_runs_scenario_name(tmp_path, monkeypatch, no_plots):
    monkeypatch.chdir(tmp_path)
    code = ssr(["run", str(SMALL), "--replicates", "1", "--steps", "16", "--workers", "1"])
    assert code == 0
    assert (tmp_path / "results" / "runs" / "small_test" / "summary.json").is_file()


def test_differences_are_paired_only_when_the_replicates_share_seeds():
    from sim.summary import difference

    a = np.array([10.0, 20.0, 30.0])
    b = np.array([9.0, 19.0, 29.0])
    paired = difference(a, b, paired=True)
    assert paired["median"] == paired["p5"] == paired["p95"] == pytest.approx(1.0)
    unpaired = difference(a, b, paired=False)  # every replicate against every other
    assert unpaired["median"] == pytest.approx(1.0)
    assert unpaired["p5"] < -10 and unpaired["p95"] > 10
