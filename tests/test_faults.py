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


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_given_ssr_run_with_two_workers_when_signalled_then_no_process_or_output_left(
    tmp_path, sig
):
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
        # when the coordinator alone receives the signal
        os.kill(proc.pid, sig)
        code = proc.wait(timeout=30)
        # then its workers are gone, and no output (not even a temporary folder) is left
        assert wait_gone(proc.pid) == []
    finally:
        kill_session(proc.pid)
        proc.stderr.close()
    if sig == signal.SIGTERM:  # handled like Ctrl-C: exit 143, the lock file removed
        assert code == 143
        assert list(tmp_path.iterdir()) == []
    else:  # only the (released) lock file can remain: the OS freed the lock itself
        assert code == -signal.SIGKILL
        assert [p.name for p in tmp_path.iterdir()] in ([], [".out.lock"])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # a Dask scheduler and worker start (about 10 s)
def test_given_a_dask_sweep_when_the_scheduler_dies_then_one_clear_line_and_resume_works(
    tmp_path, reference
):
    # given a Dask scheduler and one slowed worker (the fault hooks preloaded)
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = str(Path(sys.executable).with_name("dask"))
    port = address.rsplit(":", 1)[1]
    scheduler = start([dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
    hooks = {"PYTHONPATH": str(REPO / "tests"), "SSR_SWEEP_DELAY_S": "0.2"}
    worker = start(
        [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"]
        + ["--preload", "fault_hooks"],
        **hooks,
    )
    path = experiment(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--no-progress"]
    sweep = None
    try:
        deadline = time.monotonic() + 60
        while not _reachable(address):  # the scheduler accepts connections
            assert scheduler.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        sweep = start([*cmd, "--executor", "dask", "--scheduler", address])
        wait_for_parts(sweep, out, 1)
        # when the scheduler dies mid-sweep
        os.kill(scheduler.pid, signal.SIGKILL)
        code = sweep.wait(timeout=120)
        err = sweep.stderr.read()
    finally:
        for proc in (sweep, worker, scheduler):
            if proc is not None:
                kill_session(proc.pid)
                proc.stderr.close()
    # then one clear line, no traceback, exit 1, and the parts written are kept
    assert code == 1, err
    assert "Traceback" not in err and "CancelledError\n" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Dask scheduler" in errors[0] and "--resume" in errors[0]
    done = subprocess.run([*cmd, "--resume", "--executor", "serial"], cwd=REPO, capture_output=True)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference)


def _reachable(address: str) -> bool:
    import socket

    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def test_given_a_process_stuck_after_sigterm_then_it_still_exits_with_its_code():
    # given a process whose exit would wait forever (as on a stuck pool thread)
    stuck = "from sim.lifeline import exit_soon; import threading; exit_soon(143, 0.2); "
    stuck += "threading.Event().wait()"
    # when the grace after SIGTERM runs out, then it ends with the SIGTERM exit code
    done = subprocess.run([sys.executable, "-c", stuck], cwd=REPO, timeout=30)
    assert done.returncode == 143
