"""Sweeps end to end: streaming results, failures, crashes, resume, executors, analysis.

Runs are tiny (24 months, 60 communities: a few tens of milliseconds each) so that the
whole file stays fast on two cores; what is checked is the bookkeeping, not the model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import fault_hooks  # noqa: F401 - the SSR_SWEEP_* hooks, for in-process sweeps
import pandas as pd
import pytest
from sweep_helpers import BASE

from sim.cli import main
from sim.sweep.folder import damaged_parts
from sim.sweep.runner import completed_run_ids, read_failures, run_sweep
from sim.sweep.schema import load_experiment

REPO = Path(__file__).resolve().parents[1]
SSR_FAULTS = str(REPO / "tests" / "ssr_faults.py")  # `python -m sim` with the fault hooks

SOBOL = """
[experiment]
name = "tiny_sobol"
scenario = "base.toml"
design = "sobol"
samples = 8
replicates = 2
seed = 11
[factors]
"oversight.strength" = { min = 0.05, max = 0.95 }
"ddr.incentive" = { min = 0.1, max = 0.9 }
"community.count" = { min = 40, max = 80 }
[outputs]
oversight_final = { indicator = "oversight", stat = "final" }
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
"""
# 8 * (3 + 2) = 40 points x 2 replicates = 80 runs

GRID = """
[experiment]
name = "tiny_grid"
scenario = "base.toml"
design = "grid"
replicates = 2
seed = 5
keep_timeseries = true
[factors]
"ddr.incentive" = [0.2, 0.8]
"corruption.baseline" = [0.3, 0.5, 0.7]
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
trust = { indicator = "trust", stat = "final" }
"""
# 2 x 3 points x 2 replicates = 12 runs


def experiment(folder: Path, text: str = SOBOL) -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / "exp.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """An uninterrupted serial sweep of the Sobol experiment: the ground truth."""
    folder = tmp_path_factory.mktemp("reference")
    exp = load_experiment(experiment(folder))
    result = run_sweep(exp, folder / "out", executor="serial", progress=False)
    assert result.ok and result.completed == 80
    return folder / "out", pd.read_parquet(folder / "out" / "summary.parquet")


def cli_env(**hooks: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSR_SWEEP_")}
    env.update(hooks)
    return env


def test_sobol_sweep_end_to_end(reference):
    out, summary = reference
    # then the folder holds the design, provenance, result parts and the summary
    design = pd.read_parquet(out / "design.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(design) == 80 and design["run_id"].tolist() == list(range(80))
    assert manifest["n_runs"] == 80 and len(manifest["config_hash"]) == 64
    assert {"mesa", "numpy", "pandas", "SALib"} <= set(manifest["versions"])
    assert manifest["seeding"]["root_seed"] == 11
    parts = sorted((out / "runs").glob("part-*.parquet"))
    assert len(parts) > 1
    assert completed_run_ids(out) == set(range(80))
    # the summary is the design joined with the outputs, sorted by run id
    assert summary["run_id"].tolist() == list(range(80))
    pd.testing.assert_frame_equal(summary[design.columns], design)
    assert summary[["oversight_final", "harm"]].notna().all().all()
    assert not summary["failed"].any()
    # when it is analysed
    assert main(["analyze", str(out)]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["output", "factor", "method", "index", "value", "conf"]
    for output in ("oversight_final", "harm"):
        for factor in ("oversight.strength", "ddr.incentive", "community.count"):
            for index in ("S1", "ST"):
                row = table[
                    (table.output == output) & (table.factor == factor) & (table["index"] == index)
                ]
                assert len(row) == 1 and row["conf"].notna().all()
        assert (out / "plots" / f"sensitivity_{output}.png").stat().st_size > 1000
    # and oversight strength dominates the oversight indicator (total index)
    st = table[(table.output == "oversight_final") & (table["index"] == "ST")].set_index("factor")
    assert st.loc["oversight.strength", "value"] > st.loc["ddr.incentive", "value"]
    assert st.loc["oversight.strength", "value"] > st.loc["community.count", "value"]


def test_same_results_with_serial_process_and_dask(tmp_path, reference):
    # given the reference (serial) sweep
    _, expected = reference
    exp = load_experiment(experiment(tmp_path))
    # when the same experiment runs on a process pool and on a 2-worker Dask LocalCluster
    for kind in ("process", "dask"):
        out = tmp_path / kind
        result = run_sweep(exp, out, executor=kind, workers=2, progress=False)
        # then the summaries are identical
        assert result.ok
        pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), expected)


def test_sigkill_then_resume_equals_uninterrupted(tmp_path, reference):
    # given a sweep run as its own process group (coordinator and workers)
    path = experiment(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, SSR_FAULTS, "sweep", str(path), "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        env=cli_env(SSR_SWEEP_DELAY_S="0.03"),
        cwd=REPO,
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    # when it is killed with SIGKILL once some result parts exist
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("part-*.parquet"))) < 2:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    # (a part renamed into place just before the kill, without its checksum line yet,
    # is not trusted: its runs count as missing)
    untrusted = {r for p in damaged_parts(out) for r in pd.read_parquet(out / "runs" / p).run_id}
    partial = completed_run_ids(out) - untrusted
    assert 0 < len(partial) < 80
    assert not (out / "summary.parquet").exists()
    # then without --resume the folder is refused, and --resume completes it
    assert subprocess.run(cmd, env=cli_env(), cwd=REPO, capture_output=True).returncode == 2
    done = subprocess.run([*cmd, "--resume"], env=cli_env(), cwd=REPO, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert f"{80 - len(partial)} ran in this session" in done.stderr.decode()
    # with no run lost or duplicated, and the same summary as an uninterrupted sweep
    ids = pd.concat(pd.read_parquet(p) for p in (out / "runs").glob("part-*.parquet"))["run_id"]
    assert sorted(ids) == list(range(80))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference[1])


def test_failing_runs_are_recorded_and_resume_completes_them(
    tmp_path, reference, monkeypatch, capsys
):
    # given runs 3 and 7 that raise (test hook), on the in-process executor
    path = experiment(tmp_path)
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--executor", "serial", "--no-progress"]
    monkeypatch.setenv("SSR_SWEEP_FAIL_RUNS", "3,7")
    # when the sweep runs
    code = main(args)
    # then it reports the failures (exit 1), records them, and every other run completed
    assert code == 1
    assert "2 runs failed" in capsys.readouterr().err
    failures = read_failures(out)
    assert sorted(f["run_id"] for f in failures) == [3, 7]
    design = pd.read_parquet(out / "design.parquet").set_index("run_id")
    for f in failures:
        assert f["seed"] == design.loc[f["run_id"], "seed"]
        assert f["parameters"]["ddr.incentive"] == design.loc[f["run_id"], "ddr.incentive"]
        assert "RuntimeError: injected failure" in f["traceback"]
    assert completed_run_ids(out) == set(range(80)) - {3, 7}
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary.loc[summary["failed"], "run_id"].tolist() == [3, 7]
    assert summary.loc[summary["failed"], "harm"].isna().all()
    # when the cause is fixed and the sweep resumed, exactly the two failed runs run
    monkeypatch.delenv("SSR_SWEEP_FAIL_RUNS")
    assert main([*args, "--resume"]) == 0
    assert "2 ran in this session" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference[1])


def test_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path, reference):
    # given a run whose worker process dies abruptly on its first attempt (test hook)
    path = experiment(tmp_path)
    out = tmp_path / "out"
    env = cli_env(SSR_SWEEP_CRASH_RUNS="5,41", SSR_SWEEP_CRASH_DIR=str(tmp_path))
    cmd = [sys.executable, SSR_FAULTS, "sweep", str(path), "--out", str(out), "--no-progress"]
    # when the sweep runs on the process pool
    done = subprocess.run([*cmd, "--workers", "2"], env=env, cwd=REPO, capture_output=True)
    # then the broken pool was replaced and every run completed exactly once
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "crashed-5").exists() and (tmp_path / "crashed-41").exists()
    ids = pd.concat(pd.read_parquet(p) for p in (out / "runs").glob("part-*.parquet"))["run_id"]
    assert sorted(ids) == list(range(80))
    assert read_failures(out) == []
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference[1])


def test_a_run_that_always_kills_its_worker_is_recorded_as_failed(tmp_path):
    # given a run that kills its worker on every attempt, in a small grid sweep
    path = experiment(tmp_path, GRID)
    out = tmp_path / "out"
    cmd = [sys.executable, SSR_FAULTS, "sweep", str(path), "--out", str(out), "--no-progress"]
    done = subprocess.run(
        [*cmd, "--workers", "2"],
        env=cli_env(SSR_SWEEP_CRASH_RUNS="4"),
        cwd=REPO,
        capture_output=True,
    )
    # then the sweep ends (exit 1) with that run failed and the eleven others complete
    assert done.returncode == 1, done.stderr.decode()
    assert [f["run_id"] for f in read_failures(out)] == [4]
    assert "worker died" in read_failures(out)[0]["error"]
    assert completed_run_ids(out) == set(range(12)) - {4}


def test_existing_folders_are_protected(tmp_path, capsys):
    # given a finished sweep
    path = experiment(tmp_path, GRID)
    out = tmp_path / "out"
    assert (
        main(["sweep", str(path), "--out", str(out), "--executor", "serial", "--no-progress"]) == 0
    )
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    # when the experiment changes and it is resumed into the same folder
    path.write_text(textwrap.dedent(GRID).replace("seed = 5", "seed = 6"))
    code = main(["sweep", str(path), "--out", str(out), "--resume", "--no-progress"])
    # then it is refused with exit 2, naming the manifest, and nothing changes
    assert code == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "config_hash" in err and "different sweep" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    # and a folder holding something else is never used
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["sweep", str(path), "--out", str(other), "--no-progress"]) == 2
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_grid_sweep_keeps_timeseries_and_draws_heatmaps(tmp_path):
    # given a grid experiment with keep_timeseries = true
    path = experiment(tmp_path, GRID)
    out = tmp_path / "out"
    # when it is swept and analysed
    assert (
        main(["sweep", str(path), "--out", str(out), "--executor", "serial", "--no-progress"]) == 0
    )
    assert main(["analyze", str(out)]) == 0
    # then every run's monthly series is kept, matching its summary value
    ts = pd.concat(pd.read_parquet(p) for p in (out / "timeseries").glob("part-*.parquet"))
    assert sorted(ts["run_id"].unique()) == list(range(12))
    assert ts.groupby("run_id")["step"].count().eq(24).all()
    summary = pd.read_parquet(out / "summary.parquet").set_index("run_id")
    last = ts.sort_values("step").groupby("run_id")["trust"].last()
    pd.testing.assert_series_equal(last, summary["trust"], check_names=False)
    # and the grid analysis has heat maps, eta^2 per factor and replicate spread
    for output in ("harm", "trust"):
        assert (out / "plots" / f"heatmap_{output}.png").stat().st_size > 1000
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["index"]) == {"eta2"} and len(table) == 2 * 2
    assert table["value"].between(0, 1).all()
    sd = pd.read_csv(out / "replicate_sd.csv")
    assert len(sd) == 6 and {"harm_sd", "trust_sd"} <= set(sd.columns)
    assert (out / "plots" / "replicate_sd.png").exists()


@pytest.mark.parametrize(
    ("design", "indices"), [("morris", {"mu_star", "mu", "sigma"}), ("lhs", {"SRC", "rho", "R2"})]
)
def test_morris_and_lhs_analyses(tmp_path, design, indices):
    text = SOBOL.replace('design = "sobol"', f'design = "{design}"').replace(
        "samples = 8", "samples = 6" if design == "morris" else "samples = 20"
    )
    path = experiment(tmp_path, text.replace("replicates = 2", "replicates = 1"))
    out = tmp_path / "out"
    assert (
        main(["sweep", str(path), "--out", str(out), "--executor", "serial", "--no-progress"]) == 0
    )
    assert main(["analyze", str(out)]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["index"]) == indices
    assert table["value"].notna().all()


def test_analyze_refuses_an_unfinished_sweep(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


def test_default_output_folder_and_scheduler_needs_dask(tmp_path, monkeypatch, capsys):
    # given an experiment and no --out, run from some working directory
    path = experiment(tmp_path, GRID)
    monkeypatch.chdir(tmp_path)
    # when --scheduler is given without the dask executor: exit 2, nothing written
    assert main(["sweep", str(path), "--scheduler", "tcp://127.0.0.1:1", "--no-progress"]) == 2
    assert "--scheduler" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()
    # when it runs: the sweep lands in results/sweeps/<experiment name>/
    assert main(["sweep", str(path), "--executor", "serial", "--no-progress"]) == 0
    assert (tmp_path / "results" / "sweeps" / "tiny_grid" / "summary.parquet").is_file()
