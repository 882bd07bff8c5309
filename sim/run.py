"""``ssr run``: a scenario's replicates in parallel, written as one run folder.

The run folder holds ``timeseries.parquet``, ``regions.parquet``,
``summary.json``, ``scenario.toml`` (the resolved configuration), ``report.md`` and
``plots/*.png`` (the plots ``--plots`` chose; none, and no folder, with ``--plots none``);
with ``--compare`` also ``compare/``. It is built in a hidden sibling
folder and renamed into place only when everything is written, so an interrupted or
failed run never leaves a half-written folder (and an older run of the same name
survives until the new one is complete). While a run writes, it holds the output
folder's lock (:mod:`sim.outdir`): a second ``ssr run`` to the same ``--out`` is refused.

Each replicate gets its own seed from :meth:`Scenario.replicate_seeds`, so the results
are identical whether replicates run in one process or many.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.atomic import atomic_write_text
from sim.choices import DEFAULT_PLOTS, PLOT_CHOICES
from sim.errors import unknown
from sim.executors import cores, process_pool, resolve_workers, stop
from sim.outdir import check_writable, exclusive
from sim.policy.ensemble import ensemble_jobs, member_draws, write_ensemble
from sim.posterior import Posterior, load_posterior
from sim.resources import check_run_memory
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_toml, simulate

if TYPE_CHECKING:  # pandas loads only once something runs, so bad input fails fast
    import pandas as pd

RUN_FILES = ("timeseries.parquet", "regions.parquet", "summary.json", "scenario.toml", "report.md")
"""Files every run folder holds (besides ``plots/``)."""

Frames = tuple["pd.DataFrame", "pd.DataFrame"]


# ---------------------------------------------------------------------- replicates
def _replicate(scenario: Scenario, seed: int) -> Frames:
    """One replicate in a worker process (module-level so it pickles)."""
    return simulate(scenario, seed)


POOL_STARTUP_SECONDS = 3.0
"""Rough cost of starting worker processes (each imports Mesa, pandas, numpy)."""


def run_replicates(
    jobs: Sequence[tuple[Scenario, int]],
    *,
    workers: int | None = None,
    progress: bool = True,
    desc: str = "replicates",
) -> list[Frames]:
    """Run (scenario, seed) jobs and return their frames in job order.

    Each job carries its own seed, so the results are the same however the jobs are
    spread over processes.

    Args:
        jobs: one (scenario, seed) pair per replicate.
        workers: processes. None = automatic: the first replicate runs here and is
            timed; the rest go to a pool over every core only if they would take longer
            than starting the pool costs (small runs finish sooner in one process).
            1 = everything in this process; N > 1 = a pool of N processes.
        progress: show a progress bar on stderr.
        desc: label of the progress bar.
    """
    from tqdm import tqdm

    from sim import kernels

    n = len(jobs)
    results: list[Frames | None] = [None] * n
    bar = tqdm(total=n, desc=desc, unit="run", file=sys.stderr, disable=not progress)
    try:
        todo = list(range(n))
        if workers is None and todo:
            kernels.warm()  # numba's load (or first compile) is paid once, not timed per job
            started = time.perf_counter()
            results[0] = simulate(*jobs[0])
            bar.update()
            todo = todo[1:]
            per_job = time.perf_counter() - started
            n = cores()
            worth_it = per_job * len(todo) * (1 - 1 / n) > POOL_STARTUP_SECONDS
            workers = n if worth_it else 1
        workers = min(workers or 1, max(len(todo), 1))
        if workers <= 1:
            for i in todo:
                results[i] = simulate(*jobs[i])
                bar.update()
        else:
            _run_pool(jobs, todo, results, workers, bar)
    finally:
        bar.close()
    return [r for r in results if r is not None]


def _run_pool(
    jobs: Sequence[tuple[Scenario, int]],
    todo: list[int],
    results: list[Frames | None],
    workers: int,
    bar: Any,
) -> None:
    pool = process_pool(workers)  # the same pool as sweeps (sim.executors)
    try:
        futures = {pool.submit(_replicate, *jobs[i]): i for i in todo}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            bar.update()
    except BaseException:
        stop(pool)
        raise
    pool.shutdown(wait=True)


def stack(frames: Sequence[Frames]) -> Frames:
    """Stack replicate frames with a leading ``replicate`` column."""
    import pandas as pd

    ts_parts, rg_parts = [], []
    for r, (ts, rg) in enumerate(frames):
        ts_parts.append(ts.assign(replicate=r)[["replicate", *ts.columns]])
        rg_parts.append(rg.assign(replicate=r)[["replicate", *rg.columns]])
    return (
        pd.concat(ts_parts, ignore_index=True),
        pd.concat(rg_parts, ignore_index=True),
    )


# ---------------------------------------------------------------------- the folder
def default_out(scenario: Scenario) -> Path:
    """``results/runs/<scenario name>/`` under the working directory."""
    return Path("results") / "runs" / scenario.name


def check_out(out: Path) -> None:
    """Refuse an output path that cannot be written or holds something else.

    Refused: a path that cannot be written, a file, a non-empty folder that is not a run.

    An existing run folder is replaced (after the new run succeeds); any other non-empty
    folder is left alone rather than deleted.

    Raises:
        InputError: with key ``--out``.
    """
    check_writable(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "summary.json").is_file():
        raise ScenarioError(
            "<command line>",
            "--out",
            f"{out} is a non-empty folder that is not a run folder (no summary.json); "
            "choose a new or empty folder",
        )


def _write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def run_to_folder(
    scenario: Scenario,
    out: str | Path,
    *,
    compare: Scenario | None = None,
    workers: int | None = None,
    progress: bool = True,
    posterior: Posterior | None = None,
    plots: str = DEFAULT_PLOTS,
) -> Path:
    """Run every replicate and write the run folder atomically.

    Args:
        scenario: the scenario (command-line overrides already applied).
        out: the run folder to create or replace.
        compare: a second scenario to run and compare against.
        workers: processes (None = every core, 1 = in this process).
        progress: progress bar on stderr.
        posterior: draw each replicate's parameters from it (sim.policy.ensemble).
        plots: which plots to draw (:data:`sim.choices.PLOT_CHOICES`); the report
            shows exactly those.

    Returns:
        The run folder.

    Raises:
        InputError: ``out`` is unusable or in use, or ``plots`` is not a choice (nothing
            is run or written).
    """
    if plots not in PLOT_CHOICES:
        raise ScenarioError("<command line>", "--plots", unknown(plots, PLOT_CHOICES, "choice"))
    out = Path(out)
    check_out(out)
    with exclusive(out):
        check_out(out)  # again, now that no other writer can change it
        return _run_locked(scenario, out, compare, workers, progress, posterior, plots)


def _run_locked(
    scenario: Scenario,
    out: Path,
    compare: Scenario | None,
    workers: int | None,
    progress: bool,
    posterior: Posterior | None = None,
    plots: str = DEFAULT_PLOTS,
) -> Path:
    members = member_draws(scenario, posterior) if posterior is not None else []
    jobs = ensemble_jobs(scenario, posterior, members)  # paired members and seeds
    if compare is not None:
        jobs += ensemble_jobs(compare, posterior, members)
    desc = scenario.name + (f" + {compare.name}" if compare is not None else "")
    frames = run_replicates(jobs, workers=workers, progress=progress, desc=desc)
    ts, rg = stack(frames[: scenario.replicates])
    cts = crg = None
    if compare is not None:
        cts, crg = stack(frames[scenario.replicates :])

    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _write_folder(tmp, scenario, ts, rg, compare, cts, crg, plots)
        if posterior is not None:
            write_ensemble(tmp, members, posterior, ts, cts)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _write_folder(
    folder: Path,
    scenario: Scenario,
    ts: pd.DataFrame,
    rg: pd.DataFrame,
    compare: Scenario | None,
    cts: pd.DataFrame | None,
    crg: pd.DataFrame | None,
    plots: str = DEFAULT_PLOTS,
) -> None:
    from sim.report import write_report
    from sim.summary import build_summary

    ts.to_parquet(folder / "timeseries.parquet", index=False)
    rg.to_parquet(folder / "regions.parquet", index=False)
    summary = build_summary(scenario, ts, compare=compare, compare_ts=cts)
    _write_json(folder / "summary.json", summary)
    note = (
        f"Resolved configuration of the run '{scenario.name}' "
        f"({summary['created']}, config hash {summary['config_hash'][:12]}).\n"
        "Command-line overrides are applied and every event is dated.\n"
        "Run it again with:  ssr run scenario.toml"
    )
    atomic_write_text(folder / "scenario.toml", scenario_toml(scenario, note=note))
    if compare is not None and cts is not None and crg is not None:
        (folder / "compare").mkdir()
        cts.to_parquet(folder / "compare" / "timeseries.parquet", index=False)
        crg.to_parquet(folder / "compare" / "regions.parquet", index=False)
        atomic_write_text(
            folder / "compare" / "scenario.toml",
            scenario_toml(compare, note=f"Comparison scenario of the run '{scenario.name}'."),
        )
    drawn = _draw_plots(folder / "plots", scenario, ts, rg, compare, cts, crg, plots)
    write_report(folder / "report.md", summary, drawn, plots)


def _draw_plots(
    folder: Path,
    scenario: Scenario,
    ts: pd.DataFrame,
    rg: pd.DataFrame,
    compare: Scenario | None,
    cts: pd.DataFrame | None,
    crg: pd.DataFrame | None,
    plots: str,
) -> list[tuple[str, str]]:
    if plots == "none":  # matplotlib is not even imported
        return []
    from sim.plots import make_plots

    return make_plots(
        folder, scenario, ts, rg, compare=compare, compare_ts=cts, compare_rg=crg, which=plots
    )


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished folder to ``out``, replacing an older run only now."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------- deferred plots
def plot_folder(folder: str | Path, plots: str = DEFAULT_PLOTS) -> list[tuple[str, str]]:
    """Draw a run folder's plots afterwards (``ssr plots``) and rewrite its report.

    For a run made with ``--plots none`` or ``summary``: the plots are drawn from the
    folder's own data (``timeseries.parquet``, ``regions.parquet``, ``scenario.toml``,
    ``compare/``), so the results are not recomputed. The new ``plots/`` is drawn in a
    hidden folder and swapped in, then ``report.md`` is rewritten atomically.

    Returns:
        (file name, caption) of the plots drawn.

    Raises:
        InputError: not a run folder, a bad ``plots`` choice, or the folder is in use.
    """
    import pandas as pd

    folder = Path(folder)
    if plots not in PLOT_CHOICES:
        raise ScenarioError("<command line>", "--plots", unknown(plots, PLOT_CHOICES, "choice"))
    if not (folder / "summary.json").is_file() or not (folder / "scenario.toml").is_file():
        raise ScenarioError(folder, "", "is not a run folder (no summary.json and scenario.toml)")
    with exclusive(folder):
        scenario = load_scenario(folder / "scenario.toml")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        frames = [pd.read_parquet(folder / f) for f in ("timeseries.parquet", "regions.parquet")]
        other = folder / "compare"
        compare = load_scenario(other / "scenario.toml") if other.is_dir() else None
        cts = pd.read_parquet(other / "timeseries.parquet") if compare else None
        crg = pd.read_parquet(other / "regions.parquet") if compare else None
        tmp = folder / f".plots.tmp-{uuid.uuid4().hex[:8]}"
        try:
            drawn = _draw_plots(tmp, scenario, *frames, compare, cts, crg, plots)
            if drawn:
                _swap_into_place(tmp, folder / "plots")
            else:
                shutil.rmtree(folder / "plots", ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        from sim.report import render_report

        atomic_write_text(folder / "report.md", render_report(summary, drawn, plots))
    return drawn


# ---------------------------------------------------------------------- command line
def load_with_overrides(path: Path, args: argparse.Namespace) -> Scenario:
    """Load a scenario file and apply ``--replicates``, ``--seed`` and ``--steps``."""
    return load_scenario(path).with_overrides(
        replicates=getattr(args, "replicates", None),
        seed=getattr(args, "seed", None),
        steps=getattr(args, "steps", None),
    )


def plots_main(args: argparse.Namespace) -> int:
    """``ssr plots RUN_DIR``: returns 0 on success."""
    drawn = plot_folder(args.run_dir, args.plots)
    print(
        f"drew {len(drawn)} plot(s) in {args.run_dir / 'plots'}/; rewrote {args.run_dir / 'report.md'}"
    )
    return 0


def main(args: argparse.Namespace) -> int:
    """``ssr run``: returns 0 on success.

    Invalid input raises before anything is written (``sim.cli`` turns it into exit 2).
    """
    scenario = load_with_overrides(args.scenario, args)
    compare = load_with_overrides(args.compare, args) if args.compare else None
    out = args.out or default_out(scenario)
    check_out(out)
    force = bool(getattr(args, "force", False))
    workers = getattr(args, "workers", None)
    if workers is not None:
        workers = resolve_workers(workers, force=force)
    check_run_memory([scenario, compare], workers or cores(), force=force)
    progress = not getattr(args, "no_progress", False)
    posterior = None if getattr(args, "fixed_params", False) else load_posterior()
    plots = getattr(args, "plots", DEFAULT_PLOTS)
    path = run_to_folder(
        scenario,
        out,
        compare=compare,
        workers=workers,
        progress=progress,
        posterior=posterior,
        plots=plots,
    )
    print(f"wrote {path}/ (report: {path / 'report.md'})")
    return 0


__all__ = [
    "RUN_FILES",
    "check_out",
    "default_out",
    "main",
    "plot_folder",
    "run_replicates",
    "run_to_folder",
    "stack",
]
