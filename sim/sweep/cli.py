"""``ssr sweep`` and ``ssr analyze``: thin command-line wrappers over the runner and analysis.

Bad input (experiment file, command-line values, an output folder holding something
else) raises :class:`sim.scenario.ScenarioError`, which ``sim.cli`` turns into exit
code 2 with the message; in that case nothing has been written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.scenario import ScenarioError


def default_out(name: str) -> Path:
    """Where a sweep goes without ``--out``: ``results/sweeps/<experiment name>/``."""
    return Path("results") / "sweeps" / name


def sweep_main(args: argparse.Namespace) -> int:
    """Run ``ssr sweep``; exit 0 when every run completed, 1 when some failed."""
    from sim.sweep.experiment import load_experiment
    from sim.sweep.runner import current_failures, run_sweep

    exp = load_experiment(args.experiment)
    out = args.out or default_out(exp.name)
    scheduler = getattr(args, "scheduler", None)
    executor = getattr(args, "executor", "process") or "process"
    if scheduler and executor != "dask":
        raise ScenarioError("<command line>", "--scheduler", "only applies with --executor dask")
    print(
        f"sweep {exp.name}: {exp.design} design, {exp.n_points()} points x "
        f"{exp.replicates} replicates = {exp.n_runs()} runs -> {out}",
        file=sys.stderr,
    )
    result = run_sweep(
        exp,
        out,
        executor=executor,
        workers=getattr(args, "workers", None),
        scheduler=scheduler,
        resume=bool(getattr(args, "resume", False)),
        progress=not getattr(args, "no_progress", False),
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
