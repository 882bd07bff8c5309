"""The ``ssr calibrate`` subcommand: its options and handler.

Imported by :mod:`sim.cli` when the parser is built, so this module imports nothing
heavy at its top (no pyabc, numpy or pandas): the handler imports them when it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.choices import EXECUTORS

HELP = "infer the parameters from the record (ABC-SMC); posterior in a run folder"


def add_parser(sub: argparse._SubParsersAction, positive_int) -> argparse.ArgumentParser:
    """Register ``calibrate`` on the ``ssr`` subparsers."""
    p = sub.add_parser("calibrate", help=HELP, description=HELP)
    p.add_argument("calibration", type=Path, help="calibration TOML file")
    p.add_argument("--workers", type=positive_int, help="simulations at once (default: 1)")
    p.add_argument("--executor", choices=EXECUTORS, default="process")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler")
    p.add_argument("--out", type=Path, help="run folder (default results/calibration/<name>/)")
    p.add_argument("--resume", action="store_true", help="continue a killed or stopped run")
    p.add_argument(
        "--install",
        action="store_true",
        help="ship the posterior (sim/data/posterior.parquet) and set defaults to its medoid",
    )
    p.add_argument("--force", action="store_true", help="allow more workers than cores")
    return p


def calibrate_main(args: argparse.Namespace) -> int:
    """Validate everything, run (or resume) the calibration, optionally install it."""
    from sim.calibrate.config import load_calibration
    from sim.calibrate.run import calibrate, install
    from sim.executors import check_executor, resolve_workers
    from sim.outdir import check_writable, exclusive

    check_executor(args.executor, args.scheduler)
    workers = resolve_workers(args.workers or 1, force=args.force)
    cal = load_calibration(args.calibration)
    if args.install and cal.meta.in_sample:
        from sim.errors import InputError

        raise InputError(
            args.calibration,
            "calibration.in_sample",
            "an in-sample calibration has seen the blind window: --install refuses it",
        )
    out = args.out or Path("results") / "calibration" / cal.meta.name
    check_writable(out)
    print(
        f"calibrating {cal.meta.name}: {len(cal.priors)} parameters, "
        f"{len(cal.statistics)} statistics, window {cal.window[0]}..{cal.window[1]}, "
        f"population {cal.meta.population}, up to {cal.meta.generations} generations -> {out}"
    )
    with exclusive(out):
        calibrate(
            cal,
            out,
            executor=args.executor,
            workers=workers,
            scheduler=args.scheduler,
            resume=args.resume,
        )
        if args.install:
            values = install(cal, out)
            print(f"installed the posterior and {len(values)} defaults (run `ruff format sim`)")
    return 0


__all__ = ["add_parser", "calibrate_main"]
