"""Random faults against a small sweep: does anything end up silently wrong or orphaned?

Runs ``--faults N`` random faults, each on a fresh copy of a tiny sweep (a 3 x 2 grid
with 3 replicates: 18 runs of 24 months and 60 communities), through the real command
line (``tests/ssr_faults.py``, i.e. ``python -m sim`` with the test suite's hooks):

* ``sigkill`` / ``sigterm``: the coordinator of a 2-worker process-pool sweep is signalled
  at a random moment; ``sigkill_group`` kills coordinator and workers at once;
* ``worker_crash``: a random run kills its worker process once;
* ``bit_flip`` / ``truncate``: a random result part of a finished sweep is damaged;
* ``second_writer``: a ``--resume`` starts while the sweep runs.

After each fault the script looks for processes of the faulted command still alive 5 s
later (orphans), then recovers as a user would (``ssr sweep --resume``, then ``ssr
analyze``) and compares the summary with an uninterrupted serial run. A fault
*survived* when the result is bit-identical or the commands refused with exit code 2; it
is *silently wrong* when a command reported success on results that differ from the
reference.

Usage: ``python benchmarks/fault_injection.py --faults 20 --seed 1``
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SSR = [sys.executable, str(REPO / "tests" / "ssr_faults.py")]
sys.path.insert(0, str(REPO / "tests"))
from sweep_helpers import BASE  # noqa: E402

GRID = """
[experiment]
name = "fault_grid"
scenario = "base.toml"
design = "grid"
replicates = 3
seed = 5
[factors]
"ddr.incentive" = [0.2, 0.5, 0.8]
"corruption.baseline" = [0.3, 0.7]
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
trust = { indicator = "trust", stat = "final" }
"""
KINDS = ("sigkill", "sigterm", "sigkill_group", "worker_crash", "bit_flip", "truncate",
         "second_writer")  # fmt: skip


def session_processes(sid: int) -> list[int]:
    """Live processes of session ``sid`` (each faulted command runs as its own session)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def orphans_after(sid: int, seconds: float = 5.0) -> int:
    """Processes of the session still alive after ``seconds``; they are then killed."""
    deadline = time.monotonic() + seconds
    while (left := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(left)


def sweep_cmd(work: Path, *extra: str) -> list[str]:
    return [*SSR, "sweep", str(work / "exp.toml"), "--out", str(work / "out"), "--no-progress",
            *extra]  # fmt: skip


def start(cmd: list[str], **env: str) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **env}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def run(cmd: list[str], **env: str) -> int:
    return subprocess.run(cmd, cwd=REPO, env={**os.environ, **env}, capture_output=True).returncode


def wait_parts(proc: subprocess.Popen, out: Path, n: int, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while len(list((out / "runs").glob("part-*.parquet"))) < n and proc.poll() is None:
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


def signal_fault(work: Path, kind: str, rng: random.Random) -> tuple[int, list[int]]:
    """Signal a running process-pool sweep; return (orphans, exit codes)."""
    proc = start(sweep_cmd(work, "--workers", "2"), SSR_SWEEP_DELAY_S="0.05")
    wait_parts(proc, work / "out", rng.randint(0, 12))
    time.sleep(rng.uniform(0, 0.2))
    if kind == "sigkill_group":
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(signal.SIGKILL if kind == "sigkill" else signal.SIGTERM)
    code = proc.wait()
    return orphans_after(proc.pid), [code]


def damage_fault(work: Path, kind: str, rng: random.Random) -> tuple[int, list[int]]:
    """Damage one part of a finished sweep."""
    assert run(sweep_cmd(work, "--executor", "serial")) == 0
    part = rng.choice(sorted((work / "out" / "runs").glob("part-*.parquet")))
    data = bytearray(part.read_bytes())
    if kind == "bit_flip":
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    else:
        data = data[: rng.randrange(len(data))]
    part.write_bytes(bytes(data))
    return 0, []


def crash_fault(work: Path, rng: random.Random) -> tuple[int, list[int]]:
    env = {"SSR_SWEEP_CRASH_RUNS": str(rng.randrange(18)), "SSR_SWEEP_CRASH_DIR": str(work)}
    proc = start(sweep_cmd(work, "--workers", "2"), **env)
    code = proc.wait()
    return orphans_after(proc.pid), [code]


def writer_fault(work: Path, rng: random.Random) -> tuple[int, list[int]]:
    proc = start(sweep_cmd(work, "--workers", "2"), SSR_SWEEP_DELAY_S="0.05")
    wait_parts(proc, work / "out", rng.randint(0, 6))
    second = run(sweep_cmd(work, "--resume", "--executor", "serial"))
    code = proc.wait()
    return orphans_after(proc.pid), [code, second]


def inject(work: Path, kind: str, rng: random.Random) -> tuple[int, list[int]]:
    if kind in ("sigkill", "sigterm", "sigkill_group"):
        return signal_fault(work, kind, rng)
    if kind in ("bit_flip", "truncate"):
        return damage_fault(work, kind, rng)
    if kind == "worker_crash":
        return crash_fault(work, rng)
    return writer_fault(work, rng)


def finish(work: Path) -> tuple[bool, list[int]]:
    """Recover as a user would (``--resume``, then ``analyze``); return (silently wrong,
    exit codes). Wrong: a command reported success but the summary differs."""
    out = work / "out"
    codes = [run(sweep_cmd(work, "--resume", "--executor", "serial"))]
    if (out / "summary.parquet").exists():
        codes.append(run([*SSR, "analyze", str(out)]))
    return (not _equal(work)) and 0 in codes, codes


def _equal(work: Path) -> bool:
    try:
        got = pd.read_parquet(work / "out" / "summary.parquet")
        pd.testing.assert_frame_equal(got, pd.read_parquet(work.parent / "reference.parquet"))
        return True
    except (AssertionError, OSError, ValueError):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="ssr-faults-"))
    try:
        template = root / "template"
        template.mkdir()
        (template / "base.toml").write_text(BASE)
        (template / "exp.toml").write_text(textwrap.dedent(GRID))
        ref = root / "ref"
        shutil.copytree(template, ref)
        assert run(sweep_cmd(ref, "--executor", "serial")) == 0
        shutil.copy(ref / "out" / "summary.parquet", root / "reference.parquet")
        tally = {"tried": 0, "survived": 0, "silently wrong": 0, "orphans": 0}
        t0 = time.perf_counter()
        for i in range(args.faults):
            kind = rng.choice(KINDS)
            work = root / f"fault-{i:03d}"
            shutil.copytree(template, work)
            orphans, codes = inject(work, kind, rng)
            wrong, recovery = finish(work)
            tally["tried"] += 1
            tally["orphans"] += orphans
            tally["survived"] += not wrong
            tally["silently wrong"] += wrong
            print(f"{i:3d} {kind:14s} exit codes {codes} then {recovery} orphans {orphans} "
                  f"{'SILENTLY WRONG' if wrong else 'ok'}", flush=True)  # fmt: skip
            shutil.rmtree(work, ignore_errors=True)
        print(f"load average {os.getloadavg()[0]:.2f}; {time.perf_counter() - t0:.0f} s")
        print(" / ".join(tally) + ": " + " / ".join(str(v) for v in tally.values()))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
