"""Cost per agent-step of the SSR model, against Mesa's Epstein civil violence example.

Prints, from one process and one run:

1. the cost per agent-step (seconds per step / number of agents) of the default model
   and of Mesa's own Epstein civil violence example at its default parameters, and
   their ratio;
2. the cost per agent-step at 1,000, 10,000 and 100,000 community agents, with the
   ratio 100k / 1k (how well the vectorised mechanisms scale);
3. the set-up time of a model with 100,000 communities;
4. the CPU time of one default 120-month run (``time.process_time``, best of
   ``--runs``), runs per second per core and the projected hours for 100,000 runs on 2
   cores; with ``--ref COMMIT`` the same measurement of that commit (its ``sim`` package
   exported with ``git archive`` to a temporary folder and imported in a child process
   of this same interpreter), so before and after come from one script run;
5. at 1,000,000 communities (a fresh child process each): set-up time, resident memory
   after the imports and at its peak, and the step time against ten times the step time
   at 100,000 communities;
6. the compile cost of the numba kernels (:mod:`sim.kernels`) in a fresh process with
   an empty cache, and their load time from the on-disk cache.

Each model is warmed up, then timed over ``--steps`` steps, best of ``--repeats``
(the best run is the least disturbed by other processes on a shared machine).

Usage::

    .venv/bin/python benchmarks/bench_model.py            # or: make bench
    .venv/bin/python benchmarks/bench_model.py --steps 20 --repeats 2
    .venv/bin/python benchmarks/bench_model.py --ref 8aac149 --skip-scaling
    .venv/bin/python benchmarks/bench_model.py --ref 3a235b7 --skip-scaling \\
        --scenario scenarios/baseline.toml   # also a replicate of the baseline
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import mesa
from mesa import Model

from sim import SSRModel


@dataclass
class Timing:
    """Best time of a batch of steps for one model."""

    label: str
    agents: int
    seconds_per_step: float

    @property
    def per_agent_step(self) -> float:
        """Seconds per agent-step."""
        return self.seconds_per_step / self.agents


def time_model(
    label: str, build: Callable[[], Model], steps: int, repeats: int, warmup: int
) -> Timing:
    """Warm a model up, then time ``steps`` steps ``repeats`` times; keep the best."""
    model = build()
    for _ in range(warmup):
        model.step()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, time.perf_counter() - t0)
    return Timing(label, len(model.agents), best / steps)


def _load() -> str:
    """The machine's load averages over 1, 5 and 15 minutes."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def epstein(seed: int) -> Model:
    """Mesa's Epstein civil violence example at its default parameters.

    The example's scenario class carries the seed; passing it explicitly keeps the run
    reproducible (a class-level default would be replaced by None).
    """
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    return EpsteinCivilViolence(scenario=EpsteinScenario(rng=seed))


def _row(t: Timing) -> str:
    return (
        f"| {t.label:<34} | {t.agents:>8,} | {t.seconds_per_step * 1e3:>10.2f} "
        f"| {t.per_agent_step * 1e6:>15.3f} |"
    )


def _table(rows: list[Timing]) -> str:
    head = (
        f"| {'model':<34} | {'agents':>8} | {'ms / step':>10} | {'µs / agent-step':>15} |\n"
        f"|{'-' * 36}|{'-' * 9}:|{'-' * 11}:|{'-' * 16}:|"
    )
    return "\n".join([head, *(_row(t) for t in rows)])


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RUN_CPU = """
import json, sys, time
from sim import SSRModel
try:
    from sim import kernels
    kernels.warm()
except ImportError:
    pass
SSRModel(rng=0).run(12)
best = float("inf")
for seed in range({runs}):
    t0 = time.process_time()
    SSRModel(rng=seed + 1).run(120)
    best = min(best, time.process_time() - t0)
print(json.dumps(best))
"""

RUN_SCENARIO = """
import json, time
from sim.scenario import load_scenario, simulate
scenario = load_scenario({path!r})
seeds = scenario.replicate_seeds()
simulate(scenario, seeds[0])
best = float("inf")
for seed in seeds[:{runs}]:
    t0 = time.process_time()
    simulate(scenario, seed)
    best = min(best, time.process_time() - t0)
print(json.dumps(best))
"""

BIG = """
import json, time
def status(key):
    # resident memory now (VmRSS) or at its peak so far (VmHWM), MB
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
from sim import SSRModel
try:
    from sim import kernels
    kernels.warm()
except ImportError:
    pass
SSRModel(rng=0, overrides={{"community.count": 1000}}).run(2)
imports = status("VmRSS")
t0 = time.perf_counter()
model = SSRModel(rng=1, overrides={{"community.count": {n}}})
setup = time.perf_counter() - t0
model.run(2)
best = float("inf")
for _ in range({steps}):
    t0 = time.perf_counter()
    model.step()
    best = min(best, time.perf_counter() - t0)
print(json.dumps(dict(setup=setup, imports_mb=imports, peak_mb=status("VmHWM"), step=best)))
"""

COMPILE = """
import json, time
t0 = time.perf_counter()
from sim import kernels
t1 = time.perf_counter()
kernels.warm()
print(json.dumps(dict(import_s=t1 - t0, warm_s=time.perf_counter() - t1)))
"""


def child(code: str, path: str = ROOT, env: dict[str, str] | None = None) -> object:
    """Run ``code`` in a fresh interpreter importing ``sim`` from ``path``; its JSON answer."""
    environ = {**os.environ, "PYTHONPATH": path, **(env or {})}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=path,  # "-c" puts the working folder first on sys.path
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def exported(ref: str | None) -> Iterator[str]:
    """A folder holding the ``sim`` package of commit ``ref`` (this tree if None)."""
    if ref is None:
        yield ROOT
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", ROOT, "archive", ref, "sim"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield tmp


def run_cpu(runs: int, ref: str | None, scenario: str | None = None) -> float:
    """Best CPU seconds of a default 120-month run (or a replicate of ``scenario``)."""
    code = RUN_CPU.format(runs=runs)
    if scenario:
        code = RUN_SCENARIO.format(runs=runs, path=os.path.abspath(scenario))
    with exported(ref) as path:
        return float(child(code, path))


def per_run_section(runs: int, ref: str | None, scenario: str | None = None) -> None:
    """Section 4: CPU per default run, runs per second per core, 100,000-run projection.

    With ``scenario``: one replicate of that scenario file instead (its own seeds,
    events and parameters, as ``ssr run`` simulates it).
    """
    rows = [("this tree", run_cpu(runs, None, scenario))]
    if ref:
        rows.insert(0, (f"ref {ref}", run_cpu(runs, ref, scenario)))
    what = f"replicate of {scenario}" if scenario else "default 120-month run"
    print(f"4. One {what} (CPU seconds, best of {runs})\n")
    print("| code | CPU s / run | runs / s / core | hours for 100,000 runs on 2 cores |")
    print("|------|------------:|----------------:|----------------------------------:|")
    for label, cpu in rows:
        print(f"| {label} | {cpu:.4f} | {1 / cpu:.1f} | {100_000 * cpu / 2 / 3600:.2f} |")
    if ref:
        print(f"\nSpeed-up: {rows[0][1] / rows[1][1]:.2f}x")
    print("(the projection assumes both cores fully busy with runs: parallel efficiency 1)\n")


def big_section(steps: int, ref: str | None) -> None:
    """Section 5: 1,000,000 communities against 100,000 (and at ``ref`` if given)."""
    print("5. One million communities (fresh process each)\n")
    print("| code | communities | set-up s | RSS after imports MB | peak RSS MB | step ms |")
    print("|------|------------:|---------:|---------------------:|------------:|--------:|")
    for label, where in (
        ((f"ref {ref}", ref), ("this tree", None)) if ref else (("this tree", None),)
    ):
        with exported(where) as path:
            small = child(BIG.format(n=100_000, steps=steps), path)
            big = child(BIG.format(n=1_000_000, steps=steps), path)
        for n, r in ((100_000, small), (1_000_000, big)):
            print(
                f"| {label} | {n:,} | {r['setup']:.3f} | {r['imports_mb']:.0f} "
                f"| {r['peak_mb']:.0f} | {r['step'] * 1e3:.1f} |"
            )
        ratio = big["step"] / (10 * small["step"])
        grown = big["peak_mb"] - big["imports_mb"]  # an upper bound: the peak may predate it
        print(
            f"| {label}: step(1M) / (10 x step(100k)) = {ratio:.3f} (target <= 1.1); "
            f"1M model beyond the imports: {grown:.0f} MB | | | | | |"
        )
    print()


def compile_section() -> None:
    """Section 6: numba's compile cost with an empty cache, and the cached load."""
    with tempfile.TemporaryDirectory() as tmp:
        cold = child(COMPILE, env={"NUMBA_CACHE_DIR": tmp})
        warm = child(COMPILE, env={"NUMBA_CACHE_DIR": tmp})
    print("6. Compiled kernels (numba), per process\n")
    print(f"empty cache: import {cold['import_s']:.2f} s, compile {cold['warm_s']:.2f} s")
    print(f"cached:      import {warm['import_s']:.2f} s, load {warm['warm_s']:.2f} s\n")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50, help="timed steps per repeat")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats (best kept)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=8, help="default 120-month runs (best kept)")
    ap.add_argument("--ref", help="also time this git commit's sim (e.g. 8aac149)")
    ap.add_argument("--skip-scaling", action="store_true", help="skip sections 1-3")
    ap.add_argument("--big-steps", type=int, default=3, help="timed steps at 100k and 1M")
    ap.add_argument("--scenario", help="section 4 also times a replicate of this scenario")
    args = ap.parse_args(argv)
    run = dict(steps=args.steps, repeats=args.repeats, warmup=args.warmup)

    print(
        f"Python {platform.python_version()}, Mesa {mesa.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores; {args.steps} steps, best of "
        f"{args.repeats}, {args.warmup} warm-up steps; {_load()} at start\n"
    )

    if not args.skip_scaling:
        scaling_sections(args, run)
    per_run_section(args.runs, args.ref)
    if args.scenario:
        per_run_section(args.runs, args.ref, args.scenario)
    big_section(args.big_steps, args.ref)
    compile_section()
    print(f"{_load()} at the end (timings are only comparable at similar load)")


def scaling_sections(args: argparse.Namespace, run: dict[str, int]) -> None:
    """Sections 1-3: cost per agent-step against Epstein, scaling, set-up at 100k."""
    ssr = time_model("SSR model, defaults", lambda: SSRModel(rng=args.seed), **run)
    epi = time_model("Mesa Epstein civil violence", lambda: epstein(args.seed), **run)
    print("1. Default model against Mesa's Epstein example\n")
    print(_table([ssr, epi]))
    ratio = ssr.per_agent_step / epi.per_agent_step
    print(f"\nSSR / Epstein cost per agent-step: {ratio:.3f} (target <= 0.2)\n")

    scaled = []
    for n in (1_000, 10_000, 100_000):
        scaled.append(
            time_model(
                f"SSR model, {n:,} communities",
                lambda n=n: SSRModel(rng=args.seed, overrides={"community.count": n}),
                **run,
            )
        )
    print("2. Scaling with the number of community agents\n")
    print(_table(scaled))
    scale = scaled[-1].per_agent_step / scaled[0].per_agent_step
    print(f"\n100k / 1k cost per agent-step: {scale:.3f} (target <= 1.5)\n")

    t0 = time.perf_counter()
    big = SSRModel(rng=args.seed, overrides={"community.count": 100_000})
    setup = time.perf_counter() - t0
    print("3. Set-up\n")
    print(f"Model set-up with 100,000 communities ({len(big.agents):,} agents): {setup:.2f} s\n")


if __name__ == "__main__":
    main()
