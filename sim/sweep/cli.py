"""``ssr sweep`` and ``ssr analyze``: thin command-line wrappers over the runner and analysis.

Bad input (experiment file, command-line values, an output folder holding something
else or in use) raises :class:`sim.errors.InputError`, which ``sim.cli`` turns into exit
code 2 with the message; in that case nothing has been written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def default_out(name: str) -> Path:
    """Where a sweep goes without ``--out``: ``results/sweeps/<experiment name>/``."""
    return Path("results") / "sweeps" / name


def sweep_main(args: argparse.Namespace) -> int:
    """Run ``ssr sweep``; exit 0 when every run completed, 1 when some failed."""
    from sim.executors import check_executor
    from sim.sweep.experiment import design_warnings
    from sim.sweep.runner import SweepAborted, current_failures, run_sweep
    from sim.sweep.schema import load_experiment

    scheduler = getattr(args, "scheduler", None)
    executor = getattr(args, "executor", "process") or "process"
    check_executor(executor, scheduler)
    exp = load_experiment(args.experiment)
    out = args.out or default_out(exp.name)
    for text in design_warnings(exp):
        print(f"warning: {args.experiment}: {text}", file=sys.stderr)
    print(
        f"sweep {exp.name}: {exp.design} design, {exp.n_points()} points x "
        f"{exp.replicates} replicates = {exp.n_runs()} runs -> {out}",
        file=sys.stderr,
    )
    try:
        result = run_sweep(
            exp,
            out,
            executor=executor,
            workers=getattr(args, "workers", None),
            scheduler=scheduler,
            resume=bool(getattr(args, "resume", False)),
            progress=not getattr(args, "no_progress", False),
            allow_code_change=bool(getattr(args, "allow_code_change", False)),
            force=bool(getattr(args, "force", False)),
        )
    except SweepAborted as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if result.repaired:
        print(
            f"{result.repaired} damaged result part(s) did not match their checksum: "
            "their runs ran again",
            file=sys.stderr,
        )
    print(
        f"{result.completed}/{result.n_runs} runs complete ({result.ran} ran in this session, "
        f"{result.seconds:.1f} s); summary: {out / 'summary.parquet'}",
        file=sys.stderr,
    )
    if result.ok:
        return 0
    fails = current_failures(out)
    for rec in fails[:5]:
        print(f"  run {rec['run_id']} failed: {rec.get('error', '?')}", file=sys.stderr)
    print(
        f"{result.failed} runs failed (details in {out / 'failures.jsonl'}); "
        f"after fixing the cause, run again with --resume",
        file=sys.stderr,
    )
    return 1


def analyze_main(args: argparse.Namespace) -> int:
    """Run ``ssr analyze SWEEP_DIR``: sensitivity.csv and plots in the sweep folder."""
    from sim.sweep.analysis import analyze_sweep

    written = analyze_sweep(Path(args.sweep_dir))
    for p in written:
        print(p)
    return 0


__all__ = ["analyze_main", "default_out", "sweep_main"]
