"""Wall time of `ssr run` on the baseline: replicates, the folder, and each --plots choice.

Usage: python benchmarks/bench_run.py [--replicates 10] [--steps 120] [--count 2000]
                                      [--skip-replicates]
Prints figures with the load average; asserts nothing (speed depends on the machine and
its load). The folder part (data files, summary, plots, report) is timed in this process
on replicates run once, in wall and CPU seconds, for each ``--plots`` choice; matplotlib's
import is timed separately (the first choice that draws pays it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.choices import PLOT_CHOICES
from sim.run import _write_folder, run_replicates, run_to_folder, stack
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, *args, **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_replicates(sc, jobs) -> None:
    cores = os.cpu_count() or 1
    for workers in sorted({1, cores}):  # explicit counts; ssr run picks automatically
        wall, _ = timed(run_replicates, jobs, workers=workers, progress=False)
        print(f"  replicates only, {workers} process(es): {wall:6.2f} s")
    wall, _ = timed(run_replicates, jobs, workers=None, progress=False)
    print(f"  replicates only, automatic choice:   {wall:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        wall, _ = timed(run_to_folder, sc, Path(tmp) / "run", progress=False)
        print(f"  whole run folder (data, summary, plots, report): {wall:6.2f} s")


def bench_folder(sc, jobs) -> None:
    """The folder part alone, per --plots choice, on replicates run once."""
    ts, rg = stack(run_replicates(jobs, workers=1, progress=False))
    print(f"  folder part (replicates run once; load {load()}):")
    wall, cpu = timed(__import__, "sim.plots")
    print(f"    import matplotlib and sim.plots:     {wall:5.2f} s wall {cpu:5.2f} s CPU")
    for which in ("none", *[c for c in PLOT_CHOICES if c != "none"]):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            wall, cpu = timed(_write_folder, folder, sc, ts, rg, None, None, None, which)
            print(f"    --plots {which:8s} folder written in {wall:5.2f} s wall {cpu:5.2f} s CPU")


def ssr(*args: str) -> float:
    """Wall seconds of one ``ssr`` command in a fresh interpreter."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def bench_command(sc_path: Path) -> None:
    """``ssr run`` as a user types it, per --plots choice; then ``ssr plots`` afterwards."""
    for which in PLOT_CHOICES:
        with tempfile.TemporaryDirectory() as tmp:
            run = ["run", str(sc_path), "--out", f"{tmp}/run", "--no-progress", "--plots", which]
            print(f"  ssr run {sc_path.name} --plots {which:8s} {ssr(*run):6.2f} s wall")
            if which == "none":
                print(
                    f"  then ssr plots RUN_FOLDER (every plot): {ssr('plots', f'{tmp}/run'):6.2f} s wall"
                )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--count", type=int, default=None, help="community agents (default 2000)")
    ap.add_argument("--skip-replicates", action="store_true", help="only the folder and ssr run")
    args = ap.parse_args()
    path = ROOT / "scenarios" / "baseline.toml"
    sc = load_scenario(path).with_overrides(replicates=args.replicates, steps=args.steps)
    if args.count:
        sc = dataclasses.replace(sc, parameters={**sc.parameters, "community.count": args.count})
    jobs = [(sc, s) for s in sc.replicate_seeds()]
    count = sc.params().get("community.count")
    print(f"baseline: {sc.replicates} x {sc.steps} months, {count} agents, {os.cpu_count()} cores")
    print(f"load average before: {load()}")
    if not args.skip_replicates:
        bench_replicates(sc, jobs)
    bench_folder(sc, jobs)
    bench_command(path)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
