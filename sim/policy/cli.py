"""``ssr compare`` and ``ssr discover``: parsers and handlers.

Imported when ``ssr``'s parser is built, so it imports nothing heavy at module level
(no numpy, pandas or ema_workbench): the handlers import what they need.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any, positive_int: Any, executors: tuple[str, ...]) -> None:
    """Add the ``compare`` and ``discover`` subcommands to ``ssr``'s subparsers."""
    cmp = sub.add_parser("compare", help="rank many policies against the status quo")
    cmp.add_argument("policies", type=Path, help="policies TOML file")
    cmp.add_argument("--out", type=Path, help="output folder (default results/compare/<name>/)")
    cmp.add_argument("--workers", type=positive_int)
    cmp.add_argument("--executor", choices=executors, default="process")
    cmp.add_argument("--scheduler", help="address of an existing Dask scheduler")
    cmp.add_argument("--resume", action="store_true", help="run only missing and failed runs")
    cmp.add_argument("--posterior", type=Path, help="a posterior file (default: the installed one)")
    cmp.add_argument(
        "--fixed-params", action="store_true", help="the default parameters, no posterior"
    )
    cmp.add_argument("--force", action="store_true", help="allow more workers than cores")
    cmp.add_argument("--no-progress", action="store_true")
    dis = sub.add_parser("discover", help="PRIM: when is an outcome bad? (sweep or compare)")
    dis.add_argument("folder", type=Path, help="a sweep or compare folder")
    dis.add_argument("--outcome", required=True, help="output column, e.g. civilian_harm")
    group = dis.add_mutually_exclusive_group(required=True)
    group.add_argument("--worse-than", type=float, help="bad when the outcome is above this")
    group.add_argument("--below", type=float, help="bad when the outcome is below this")
    dis.add_argument("--threshold", type=float, default=0.8, help="PRIM's density threshold")


def default_out(name: str) -> Path:
    """Where a comparison goes without ``--out``: ``results/compare/<name>/``."""
    return Path("results") / "compare" / name


def compare_main(args: argparse.Namespace) -> int:
    """Run ``ssr compare``: the sweep, then ranking.csv, report.md and plots."""
    import pandas as pd

    from sim.executors import check_executor
    from sim.policy.compare import load_compare, outcome_arrays, ranking
    from sim.policy.report import write_outputs
    from sim.sweep.runner import SweepAborted, run_sweep

    check_executor(args.executor, args.scheduler)
    exp = load_compare(args.policies, args.posterior, fixed=args.fixed_params)
    out = args.out or default_out(exp.name)
    print(
        f"compare {exp.name}: {len(exp.scenarios)} policies x {exp.members} members x "
        f"{exp.replicates} replicates = {exp.n_runs()} runs -> {out}\n  ensemble: {exp.ensemble}",
        file=sys.stderr,
    )
    try:
        result = run_sweep(
            exp,
            out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            progress=not args.no_progress,
            force=args.force,
        )
    except SweepAborted as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not result.ok:
        print(f"{result.failed} runs failed: run again with --resume", file=sys.stderr)
        return 1
    table = ranking(exp, outcome_arrays(exp, pd.read_parquet(out / "summary.parquet")))
    for path in write_outputs(exp, table, out):
        print(path)
    return 0


def discover_main(args: argparse.Namespace) -> int:
    """Run ``ssr discover``: PRIM boxes, table and plot in the folder's discover/."""
    from sim.policy.discover import discover_folder

    bad = ("above", args.worse_than) if args.worse_than is not None else ("below", args.below)
    for path in discover_folder(args.folder, args.outcome, bad, args.threshold):
        print(path)
    return 0


__all__ = ["add_parsers", "compare_main", "default_out", "discover_main"]
