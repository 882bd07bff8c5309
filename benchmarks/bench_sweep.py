"""Sweep runner benchmark: throughput, parallel efficiency, coordinator memory, overhead.

    python benchmarks/bench_sweep.py            # all figures (a few minutes on 2 cores)
    python benchmarks/bench_sweep.py --quick    # smaller sizes, for a smoke test

Figures printed:
1. runs per second with 1 and 2 process workers on 240 short runs (12 months, 200
   communities), and the parallel efficiency (rate with 2 / (2 x rate with 1));
2. the coordinator's peak memory on sweeps of 1,000 and 10,000 very short runs
   (3 months, 11 communities): peak RSS of the coordinator process (workers are other
   processes) and the tracemalloc peak of Python allocations; flat memory means the
   10,000-run figure is close to the 1,000-run one;
3. runner overhead per run, all-in: worker-time per run (wall x workers / runs, so
   design, manifest, pool start-up, result files and summary included) minus the run's
   own simulation time (measured inside the worker), serial and with 2 process workers.

Throughput is given in the steady state and including start-up (forkserver, worker
imports: a fixed cost of a few seconds per sweep).

Each measurement runs in a fresh interpreter so that imports and caches of one do not
colour another. Recorded figures are in docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BASE = """
[scenario]
name = "bench"
steps = {steps}
seed = 1
[parameters]
"community.count" = {count}
"""

EXPERIMENT = """
[experiment]
name = "bench"
scenario = "base.toml"
design = "lhs"
samples = {runs}
replicates = 1
seed = 3
[factors]
"ddr.incentive" = {{ min = 0.1, max = 0.9 }}
"corruption.baseline" = {{ min = 0.2, max = 0.8 }}
[outputs]
harm = {{ indicator = "civilian_harm", stat = "mean" }}
trust = {{ indicator = "trust", stat = "final" }}
"""

CHILD = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
import pandas as pd
from sim.sweep.schema import load_experiment
from sim.sweep.runner import run_sweep
folder, executor, workers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
import scipy.stats  # one-off import cost (the LHS sampler), not part of per-run figures
exp = load_experiment(folder / "exp.toml")
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter()
res = run_sweep(exp, folder / "out", executor=executor, workers=workers, progress=False)
wall = time.perf_counter() - t0
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parts = list((folder / "out" / "runs").glob("part-*.parquet"))
own = pd.concat(pd.read_parquet(p) for p in parts)
# steady state: runs finished between the first and the last part (no pool start-up)
times = sorted((p.stat().st_mtime, len(pd.read_parquet(p, columns=["run_id"]))) for p in parts)
steady = sum(n for _, n in times[1:]) / max(times[-1][0] - times[0][0], 1e-9)
print(json.dumps({
    "steady_rate": steady,
    "runs": res.n_runs, "completed": res.completed, "wall": wall,
    "run_seconds_sum": float(own["run_seconds"].sum()),
    "tracemalloc_peak_mb": peak / 2**20,
    "rss_before_mb": rss0 / 1024, "rss_peak_mb": rss1 / 1024,
}))
"""


def measure(runs: int, steps: int, count: int, executor: str, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "base.toml").write_text(BASE.format(steps=steps, count=count))
        (folder / "exp.toml").write_text(textwrap.dedent(EXPERIMENT.format(runs=runs)))
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), executor, str(workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke test)")
    ap.add_argument("--months", type=int, default=12, help="months per run in part 1")
    ap.add_argument("--count", type=int, default=200, help="communities per run in part 1")
    ap.add_argument("--only-rate", action="store_true", help="part 1 only")
    args = ap.parse_args()
    n_rate, sizes = (60, (200, 1000)) if args.quick else (240, (1_000, 10_000))

    print(f"load average at the start (2 cores): {os.getloadavg()}")
    print(
        f"1. throughput: {n_rate} runs of {args.months} months, {args.count} communities"
        " (process executor)"
    )
    rates = {}
    for w in (1, 2):
        m = measure(n_rate, args.months, args.count, "process", w)
        rates[w] = m["steady_rate"]
        print(
            f"   {w} worker(s): {rates[w]:6.1f} runs/s steady "
            f"({m['runs'] / m['wall']:.1f} runs/s including pool start-up, {m['wall']:.1f} s wall)"
        )
    print(f"   parallel efficiency with 2 workers: {rates[2] / (2 * rates[1]):.0%}")
    if args.only_rate:
        print(f"load average at the end (2 cores): {os.getloadavg()}")
        return

    print("2. coordinator memory: runs of 3 months, 11 communities (process, 2 workers)")
    for n in sizes:
        m = measure(n, 3, 11, "process", 2)
        print(
            f"   {n:>6,} runs: peak RSS {m['rss_peak_mb']:6.1f} MB "
            f"(after imports {m['rss_before_mb']:.1f} MB), "
            f"tracemalloc peak {m['tracemalloc_peak_mb']:5.1f} MB, {m['runs'] / m['wall']:.0f} runs/s"
        )

    print("3. runner overhead per run (runs of 12 months, 200 communities), all-in:")
    print("   worker-time per run (wall x workers / runs, start-up included) minus simulation")
    for executor, w in (("serial", 1), ("process", 2)):
        m = measure(n_rate, 12, 200, executor, w)
        per_run = m["wall"] * w / m["runs"]
        own = m["run_seconds_sum"] / m["runs"]
        overhead = per_run - own
        print(
            f"   {executor:7s} ({w} worker{'s' if w > 1 else ''}): {per_run * 1e3:6.1f} worker-ms/run,"
            f" simulation {own * 1e3:6.1f} ms/run, overhead {overhead * 1e3:5.1f} ms/run"
            f" ({overhead / own:.0%})"
        )
    print(f"load average during the benchmark (2 cores): {os.getloadavg()}")


if __name__ == "__main__":
    main()
