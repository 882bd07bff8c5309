"""Cost per agent-step of the SSR model, against Mesa's Epstein civil violence example.

Prints, from one process and one run:

1. the cost per agent-step (seconds per step / number of agents) of the default model
   and of Mesa's own Epstein civil violence example at its default parameters, and
   their ratio;
2. the cost per agent-step at 1,000, 10,000 and 100,000 community agents, with the
   ratio 100k / 1k (how well the vectorised mechanisms scale);
3. the set-up time of a model with 100,000 communities.

Each model is warmed up, then timed over ``--steps`` steps, best of ``--repeats``
(the best run is the least disturbed by other processes on a shared machine).

Usage::

    .venv/bin/python benchmarks/bench_model.py            # or: make bench
    .venv/bin/python benchmarks/bench_model.py --steps 20 --repeats 2
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
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


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50, help="timed steps per repeat")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats (best kept)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    run = dict(steps=args.steps, repeats=args.repeats, warmup=args.warmup)

    print(
        f"Python {platform.python_version()}, Mesa {mesa.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores; {args.steps} steps, best of "
        f"{args.repeats}, {args.warmup} warm-up steps; {_load()} at start\n"
    )

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
    print(f"Model set-up with 100,000 communities ({len(big.agents):,} agents): {setup:.2f} s")
    print(f"\n{_load()} at the end (timings are only comparable at similar load)")


if __name__ == "__main__":
    main()
