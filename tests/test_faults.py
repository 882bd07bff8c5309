"""Faults on the real command line: no orphaned processes, SIGTERM handled like Ctrl-C.

Each command runs as its own session (``start_new_session``), so every process it starts
(forkserver, workers, resource tracker) can be found afterwards by its session id.
Sweeps are tiny (24-month runs, 60 communities) and slowed by the test hook
``SSR_SWEEP_DELAY_S`` so that a signal lands while runs are in flight.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import BASE

from sim.sweep.runner import completed_run_ids

REPO = Path(__file__).resolve().parents[1]
SSR_FAULTS = str(REPO / "tests" / "ssr_faults.py")
SMALL = REPO / "tests" / "run_scenarios" / "small.toml"

GRID = """
[experiment]
name = "tiny_grid"
scenario = "base.toml"
design = "grid"
replicates = 3
seed = 5
[factors]
"ddr.incentive" = [0.2, 0.5, 0.8]
"corruption.baseline" = [0.3, 0.7]
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
"""
# 3 x 2 points x 3 replicates = 18 runs


def session_processes(sid: int) -> list[int]:
    """Pids of live (not zombie) processes in session ``sid``."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def wait_gone(sid: int, seconds: float = 5.0) -> list[int]:
    """Wait until session ``sid`` has no live process; return those left after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_session(sid: int) -> None:
    for pid in session_processes(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start(cmd: list[str], **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def experiment(folder: Path) -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / "exp.toml"
    path.write_text(textwrap.dedent(GRID))
    return path


def wait_for_parts(proc: subprocess.Popen, out: Path, n: int) -> None:
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("part-*.parquet"))) < n:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("ref")
    cmd = [sys.executable, "-m", "sim", "sweep", str(experiment(folder))]
    cmd += ["--out", str(folder / "out"), "--executor", "serial", "--no-progress"]
    assert subprocess.run(cmd, cwd=REPO, capture_output=True).returncode == 0
    return pd.read_parquet(folder / "out" / "summary.parquet")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_given_a_process_pool_sweep_when_its_coordinator_is_signalled_then_no_process_survives(
    tmp_path, reference, sig
):
    # given a sweep on a 2-worker process pool, with result parts already written
    path = experiment(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, SSR_FAULTS, "sweep", str(path), "--out", str(out), "--no-progress"]
    proc = start([*cmd, "--workers", "2"], SSR_SWEEP_DELAY_S="0.1")
    try:
        wait_for_parts(proc, out, 2)
        # when only the coordinator receives the signal (not its process group)
        os.kill(proc.pid, sig)
        code = proc.wait(timeout=30)
        # then forkserver, workers and resource tracker are gone within seconds
        assert wait_gone(proc.pid) == []
    finally:
        kill_session(proc.pid)
        proc.stderr.close()
    if sig == signal.SIGTERM:  # handled like Ctrl-C: exit 143, no temporary file left
        assert code == 143
        assert not [p for p in out.rglob(".*") if p.name != ".lock"]
    else:
        assert code == -signal.SIGKILL
    # and --resume completes the sweep to the uninterrupted result
    assert 0 < len(completed_run_ids(out)) < 18
    done = subprocess.run([*cmd, "--resume"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference)


def test_given_ssr_run_with_two_workers_when_sigterm_then_exit_143_nothing_left(tmp_path):
    # given `ssr run` on a 2-process pool, with replicates long enough to be in flight
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "run", str(SMALL), "--out", str(out), "--workers", "2"]
    proc = start([*cmd, "--replicates", "6", "--steps", "60", "--no-progress"])
    try:
        deadline = time.monotonic() + 60
        while len(session_processes(proc.pid)) < 4:  # coordinator, forkserver, 2 workers
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        # when it receives SIGTERM
        os.kill(proc.pid, signal.SIGTERM)
        code = proc.wait(timeout=30)
        # then it exits 143, its workers are gone, and nothing is written
        assert code == 143, proc.stderr.read()
        assert wait_gone(proc.pid) == []
    finally:
        kill_session(proc.pid)
        proc.stderr.close()
    assert list(tmp_path.iterdir()) == []
