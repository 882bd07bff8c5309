"""Specification of ``ssr calibrate``: ABC-SMC on the calibration window only, resumable.

The tiny calibration (``tests/calibrate_files/tiny.toml``: 100 communities, 2015-06 to
2016-12, two parameters, 8 particles, 3 generations) runs end to end in seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate.config import BLIND_WINDOW, CALIBRATION_WINDOW, load_calibration
from sim.calibrate.smc import Simulator, generations
from sim.calibrate.summary import medoid, weighted_quantile, widths
from sim.cli import main
from sim.posterior import load_posterior
from sim.scenario import read_toml

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "calibrate_files" / "tiny.toml"
HISTORICAL = ROOT / "calibration" / "historical.toml"


def _ssr(*args: str) -> int:
    return main(["calibrate", *map(str, args)])


def _write(tmp_path: Path, data: dict, name: str = "bad.toml") -> Path:
    import tomli_w

    data = {**data}
    data["calibration"] = {**data["calibration"], "scenario": str(_scenario())}
    path = tmp_path / name
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def _scenario() -> Path:
    return ROOT / "scenarios" / "historical_2015_2025.toml"


def _posterior_equal(a: Path, b: Path) -> bool:
    pa, pb = load_posterior(a / "posterior.parquet"), load_posterior(b / "posterior.parquet")
    return pa.members == pb.members and np.array_equal(pa.weights, pb.weights)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calib") / "tiny"
    assert _ssr(TINY, "--workers", 1, "--out", out) == 0
    return out


# --- the shipped calibration file ---------------------------------------------------


def test_shipped_file_fits_only_the_calibration_window():
    # given the shipped calibration file
    cal = load_calibration(HISTORICAL)
    # then every fitted statistic ends inside 2015-06..2020-12 and every blind one
    # lies inside 2021-01..2025-05, with national series and regional shares in both
    assert cal.window == CALIBRATION_WINDOW
    assert all(s.last <= CALIBRATION_WINDOW[1] for s in cal.statistics)
    assert all(BLIND_WINDOW[0] <= s.first <= s.last <= BLIND_WINDOW[1] for s in cal.blind)
    kinds = {s.kind for s in cal.statistics}
    assert {"monthly", "share"} <= kinds
    assert len(cal.priors) >= 10


def test_the_simulator_never_runs_into_the_blind_window(monkeypatch):
    # given the shipped calibration's simulator, spying on the frames it measures
    import sim.calibrate.smc as smc

    cal = load_calibration(HISTORICAL)
    seen: list[str] = []
    real = smc.simulate

    def spy(sc, seed):
        ts, regions = real(sc, seed)
        seen.extend([ts["date"].max(), regions["date"].max()])
        return ts, regions

    monkeypatch.setattr(smc, "simulate", spy)
    monkeypatch.setitem(cal.scenario.parameters, "community.count", 100)
    sim = Simulator(cal.scenario, cal.statistics, 1, cal.window[1])
    # when it simulates one parameter set
    stats = sim({})
    # then no month after 2020-12 was simulated, and every statistic was measured
    assert max(seen) == CALIBRATION_WINDOW[1]
    assert set(stats) == {s.name for s in cal.statistics}
    assert all(e.step <= sim.scenario.steps for e in sim.scenario.events)


# --- bad input: exit 2, naming file, key and what is allowed ---------------------------


@pytest.mark.parametrize(
    ("edit", "key", "words"),
    [
        (lambda d: d["calibration"].update(window=["2015-06", "2021-06"]), "window", "2020-12"),
        (
            lambda d: d["statistic"][0].update(rows=["minusma_2021_civilians_killed"]),
            "statistic[0].rows[0]",
            "outside the window",
        ),
        (
            lambda d: d["prior"].update({"violence.op_rat": {}}),
            'prior."violence.op_rat"',
            "op_rate",
        ),
        (
            lambda d: d["prior"].update({"violence.op_rate": {"lo": 1.0, "hi": 2.0}}),
            "reason",
            "needs a reason",
        ),
        (
            lambda d: d["statistic"][0].update(rows=["ucdp_2018_battle_deaths_older"]),
            "statistic[0].rows[0]",
            "not to use",
        ),
        (lambda d: d["statistic"][0].update(columns=["incidentz"]), "columns[0]", "incidents"),
        (lambda d: d["calibration"].update(populaton=5), "populaton", "unknown key"),
        (lambda d: d["parameters"].update({"community.cont": 100}), "parameters", "count"),
        (
            lambda d: d["blind"][0].update(baseline=["minusma_2021q4_civilians_killed"]),
            "blind[0].baseline[0]",
            "outside the window",
        ),
    ],
)
def test_bad_calibration_file_exits_2_naming_the_key(tmp_path, capsys, edit, key, words):
    # given the tiny file with one mistake
    data = read_toml(TINY)
    edit(data)
    path = _write(tmp_path, data)
    # when it is run
    code = _ssr(path, "--out", tmp_path / "out")
    # then exit 2, the message names the file, the key and what is allowed, nothing written
    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err and key in err and words in err
    assert not (tmp_path / "out").exists()


def test_resume_needs_a_run_and_a_run_needs_resume(tmp_path, capsys, tiny_run):
    assert _ssr(TINY, "--resume", "--out", tmp_path / "none") == 2
    assert "no calibration to resume" in capsys.readouterr().err
    assert _ssr(TINY, "--out", tiny_run) == 2
    assert "--resume" in capsys.readouterr().err


# --- end to end ------------------------------------------------------------------------


def test_tiny_calibration_writes_posterior_and_report(tiny_run):
    # given the tiny calibration run once
    cal = load_calibration(TINY)
    post = load_posterior(tiny_run / "posterior.parquet")
    # then the posterior has one member per particle, inside the priors, with provenance
    assert len(post) == cal.meta.population
    for p in cal.priors:
        values = [m[p.name] for m in post.members]
        assert p.lo <= min(values) and max(values) <= p.hi
    assert post.meta["config_hash"] == cal.config_hash
    assert post.meta["record_version"] == cal.record_version
    assert post.meta["window"] == list(cal.window)
    assert len(generations(tiny_run)) == cal.meta.generations
    report = (tiny_run / "report.md").read_text()
    assert "width ratio" in report and "Not identified by the record" in report
    for p in cal.priors:
        assert f"`{p.name}`" in report


def test_same_file_and_seed_give_the_same_posterior_and_sigkill_resumes_to_it(tmp_path, tiny_run):
    # given a calibration started in its own process, killed with SIGKILL after its
    # first generation was stored
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "sim", "calibrate", str(TINY), "--workers", "1"]
    proc = subprocess.Popen([*cmd, "--out", str(out)], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(generations(out)) < 1 and proc.poll() is None:
            assert time.monotonic() < deadline, "no generation stored in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len(generations(out)) < load_calibration(TINY).meta.generations
    assert not (out / "posterior.parquet").exists()
    # when it is resumed
    assert _ssr(TINY, "--workers", 1, "--resume", "--out", out) == 0
    # then its posterior is the uninterrupted run's, member for member
    assert _posterior_equal(out, tiny_run)


def test_raising_the_generations_extends_a_finished_run_with_resume(tmp_path, tiny_run):
    import shutil

    # given a finished tiny run and the same file asking for one generation more
    out = tmp_path / "extended"
    shutil.copytree(tiny_run, out)
    data = read_toml(TINY)
    data["calibration"]["generations"] += 1
    path = _write(tmp_path, data, "longer.toml")
    assert load_calibration(path).config_hash == load_calibration(TINY).config_hash
    # when it is resumed
    assert _ssr(path, "--workers", 1, "--resume", "--out", out) == 0
    # then the stored generations are kept and one more is added
    before, after = generations(tiny_run), generations(out)
    assert len(after) == len(before) + 1 and after[: len(before)] == before
    assert load_posterior(out / "posterior.parquet").meta["generations"] == len(after)


# --- analysis on plain arrays ----------------------------------------------------------


def test_weighted_quantile_follows_the_weights():
    v = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_quantile(v, np.ones(4), 0.5) == 2.0
    assert weighted_quantile(v, np.array([0, 0, 0, 1.0]), 0.05) == 4.0


def test_widths_flag_a_parameter_the_record_does_not_narrow():
    # given a prior on [0, 1] for two parameters, one posterior spread over it, one narrow
    from sim.calibrate.config import Prior

    rng = np.random.default_rng(0)
    priors = [Prior("a.x", 0.0, 1.0, ""), Prior("a.y", 0.0, 1.0, "")]
    cols = {"a.x": rng.uniform(0, 1, 2000), "a.y": rng.normal(0.5, 0.02, 2000)}
    rows = {r["parameter"]: r for r in widths(priors, cols, np.ones(2000))}
    assert not rows["a.x"]["identified"] and rows["a.x"]["width_ratio"] > 0.9
    assert rows["a.y"]["identified"] and rows["a.y"]["width_ratio"] < 0.2


def test_medoid_is_the_central_member():
    from sim.calibrate.config import Prior

    priors = [Prior("a.x", 0.0, 10.0, "")]
    cols = {"a.x": np.array([0.0, 4.0, 5.0, 6.0, 10.0])}
    assert medoid(priors, cols, np.ones(5) / 5) == 2


def test_install_ships_posterior_and_sets_defaults_to_the_medoid(tmp_path, tiny_run):
    # given a copy of the parameter declarations and of the package data folder
    import shutil

    from sim.calibrate.run import install

    root = tmp_path / "tree"
    shutil.copytree(ROOT / "sim" / "mechanisms", root / "sim" / "mechanisms")
    (root / "sim" / "data").mkdir(parents=True)
    cal = load_calibration(TINY)
    # when the tiny run is installed there
    values = install(cal, tiny_run, root)
    # then the posterior is shipped and each default is the medoid's value, with a source
    assert load_posterior(root / "sim" / "data" / "posterior.parquet").members == (
        load_posterior(tiny_run / "posterior.parquet").members
    )
    text = (root / "sim" / "mechanisms" / "violence.py").read_text()
    for name, value in values.items():
        assert f"{name.split('.')[1]}: float = param({value!r}," in text.replace("\n", "")
    assert "medoid of the ABC-SMC posterior" in text


def test_the_subcommand_module_imports_nothing_heavy():
    code = (
        "import sys, sim.executors; before = set(sys.modules); import sim.calibrate.cli; "
        "new = set(sys.modules) - before; "
        "print(sorted(m for m in new if m.split('.')[0] in ('pyabc', 'numpy', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


def test_process_workers_finish_the_calibration_and_leave_no_process(tmp_path):
    # given the tiny calibration on two process workers (pyabc's ConcurrentFutureSampler
    # on the project's process pool)
    import multiprocessing

    out = tmp_path / "two"
    before = {p.pid for p in multiprocessing.active_children()}
    # when it runs
    assert _ssr(TINY, "--workers", 2, "--executor", "process", "--out", out) == 0
    # then it stops at its rule with a full posterior, and its workers are gone
    cal = load_calibration(TINY)
    assert len(generations(out)) == cal.meta.generations
    assert len(load_posterior(out / "posterior.parquet")) == cal.meta.population
    deadline = time.monotonic() + 10
    while {p.pid for p in multiprocessing.active_children()} - before:
        assert time.monotonic() < deadline, "a worker outlived the calibration"
        time.sleep(0.1)


def test_a_kill_before_the_history_exists_resumes_from_scratch(tmp_path, tiny_run):
    # given a run folder killed while pyabc was creating its database (an empty file)
    import shutil

    out = tmp_path / "early"
    out.mkdir()
    shutil.copy(tiny_run / "calibration.json", out / "calibration.json")
    (out / "history.db").write_bytes(b"")
    # when it is resumed
    assert _ssr(TINY, "--workers", 1, "--resume", "--out", out) == 0
    # then it starts afresh and reaches the uninterrupted run's posterior
    assert _posterior_equal(out, tiny_run)


def test_effective_size_counts_equal_weights_fully_and_one_dominant_member_once():
    from sim.calibrate.summary import effective_size

    assert effective_size(np.ones(200)) == pytest.approx(200.0)
    assert effective_size(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)
    assert 1.0 < effective_size(np.array([0.9, 0.05, 0.05])) < 1.3
