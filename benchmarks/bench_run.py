"""Wall time of `ssr run` on the baseline: replicates (1 and N processes) and the folder.

Usage: python benchmarks/bench_run.py [--replicates 10] [--steps 120] [--count 2000]
Prints figures; asserts nothing (speed depends on the machine and its load).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from sim.run import run_replicates, run_to_folder
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--count", type=int, default=None, help="community agents (default 2000)")
    args = ap.parse_args()
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        replicates=args.replicates, steps=args.steps
    )
    if args.count:
        sc = dataclasses.replace(sc, parameters={**sc.parameters, "community.count": args.count})
    jobs = [(sc, s) for s in sc.replicate_seeds()]
    cores = os.cpu_count() or 1
    count = sc.params().get("community.count")
    print(f"baseline: {sc.replicates} x {sc.steps} months, {count} agents, {cores} cores")
    for workers in sorted({1, cores}):  # explicit counts; ssr run picks automatically
        t = time.perf_counter()
        run_replicates(jobs, workers=workers, progress=False)
        print(f"  replicates only, {workers} process(es): {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    run_replicates(jobs, workers=None, progress=False)
    print(f"  replicates only, automatic choice:   {time.perf_counter() - t:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        run_to_folder(sc, Path(tmp) / "run", progress=False)
        print(
            f"  whole run folder (data, summary, plots, report): {time.perf_counter() - t:6.2f} s"
        )


if __name__ == "__main__":
    main()
