"""``ssr run``: a scenario's replicates in parallel, written as one run folder.

The run folder (DESIGN.md section 4) holds ``timeseries.parquet``, ``regions.parquet``,
``summary.json``, ``scenario.toml`` (the resolved configuration), ``report.md`` and
``plots/*.png``; with ``--compare`` also ``compare/``. It is built in a hidden sibling
folder and renamed into place only when everything is written, so an interrupted or
failed run never leaves a half-written folder (and an older run of the same name
survives until the new one is complete).

Each replicate gets its own seed from :meth:`Scenario.replicate_seeds`, so the results
are identical whether replicates run in one process or many.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.calendar import date_of
from sim.scenario import Scenario, ScenarioError, load_scenario, simulate

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

    n = len(jobs)
    results: list[Frames | None] = [None] * n
    bar = tqdm(total=n, desc=desc, unit="run", file=sys.stderr, disable=not progress)
    try:
        todo = list(range(n))
        if workers is None and todo:
            started = time.perf_counter()
            results[0] = simulate(*jobs[0])
            bar.update()
            todo = todo[1:]
            per_job = time.perf_counter() - started
            cores = os.cpu_count() or 1
            worth_it = per_job * len(todo) * (1 - 1 / cores) > POOL_STARTUP_SECONDS
            workers = cores if worth_it else 1
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
    # "spawn": a fresh interpreter per worker, the same on every platform and safe when
    # the parent has threads (fork is not).
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        futures = {pool.submit(_replicate, *jobs[i]): i for i in todo}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            bar.update()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
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


# ---------------------------------------------------------------------- resolved TOML
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are valid TOML basic-string escapes; DEL must be escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def resolved_toml(scenario: Scenario, *, note: str = "") -> str:
    """The scenario as TOML, with overrides applied and every event dated.

    ``load_scenario`` reads it back to the same configuration (same config hash).
    """
    lines = [f"# {line}" for line in note.splitlines()]
    lines += ["", "[scenario]"]
    for key in ("name", "description", "start", "steps", "replicates", "seed"):
        lines.append(f"{key} = {_toml_value(getattr(scenario, key))}")
    lines += ["", "[parameters]"]
    for name, value in scenario.parameters.items():
        lines.append(f"{_toml_value(name)} = {_toml_value(value)}")
    for ev in scenario.events:
        lines += ["", "[[events]]", f"at = {_toml_value(date_of(ev.step, scenario.start))}"]
        lines.append(f"kind = {_toml_value(ev.kind)}")
        for key, value in ev.options.items():
            lines.append(f"{key} = {_toml_value(value)}")
        if ev.label:
            lines.append(f"label = {_toml_value(ev.label)}")
    return "\n".join(lines).lstrip("\n") + "\n"


# ---------------------------------------------------------------------- provenance
def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the results."""
    out = {"python": platform.python_version()}
    for dist in ("mali-ssr-sim", "mesa", "numpy", "pandas", "pyarrow", "matplotlib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def git_revision() -> str | None:
    """The source tree's git commit (with "-dirty" for local changes), or None without git."""
    root = Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if rev.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = status.returncode == 0 and bool(status.stdout.strip())
    return rev.stdout.strip() + ("-dirty" if dirty else "")


def _scenario_info(sc: Scenario) -> dict[str, Any]:
    return {
        "name": sc.name,
        "description": sc.description,
        "file": str(sc.path) if sc.path else None,
        "start": sc.start,
        "end": date_of(sc.steps, sc.start),
        "steps": sc.steps,
        "replicates": sc.replicates,
        "seed": sc.seed,
        "parameters": dict(sc.parameters),
        "events": [
            {
                "date": date_of(e.step, sc.start),
                "step": e.step,
                "kind": e.kind,
                "options": e.options,
                "label": e.label,
            }
            for e in sc.events
        ],
    }


def build_summary(
    scenario: Scenario,
    ts: pd.DataFrame,
    *,
    compare: Scenario | None = None,
    compare_ts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The content of ``summary.json``."""
    from sim.summary import comparison_summary, indicator_summary, window_dates

    first = window_dates(ts, final=False)
    final = window_dates(ts, final=True)
    summary: dict[str, Any] = {
        "scenario": _scenario_info(scenario),
        "config_hash": scenario.config_hash(),
        "replicate_seeds": scenario.replicate_seeds(),
        "versions": package_versions(),
        "git_revision": git_revision(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "interval": "5th to 95th percentile over replicates",
        "first_year": {"from": first[0], "to": first[1]},
        "final_year": {"from": final[0], "to": final[1]},
        "indicators": indicator_summary(ts),
    }
    if compare is not None and compare_ts is not None:
        paired = compare.replicate_seeds() == scenario.replicate_seeds()
        summary["comparison"] = {
            "scenario": _scenario_info(compare),
            "config_hash": compare.config_hash(),
            "replicate_seeds": compare.replicate_seeds(),
            "paired": paired,
            "final_year": dict(
                zip(("from", "to"), window_dates(compare_ts, final=True), strict=True)
            ),
            "difference": "this scenario minus the comparison, final-year means",
            "indicators": comparison_summary(ts, compare_ts, paired=paired),
        }
    return summary


# ---------------------------------------------------------------------- the folder
def default_out(scenario: Scenario) -> Path:
    """``results/runs/<scenario name>/`` under the working directory."""
    return Path("results") / "runs" / scenario.name


def check_out(out: Path) -> None:
    """Refuse an output path that is a file or a folder that is not a run folder.

    An existing run folder is replaced (after the new run succeeds); any other non-empty
    folder is left alone rather than deleted.

    Raises:
        ScenarioError: with key ``--out``.
    """
    if out.exists() and not out.is_dir():
        raise ScenarioError("<command line>", "--out", f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "summary.json").is_file():
        raise ScenarioError(
            "<command line>",
            "--out",
            f"{out} is a non-empty folder that is not a run folder (no summary.json); "
            "choose a new or empty folder",
        )


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_to_folder(
    scenario: Scenario,
    out: str | Path,
    *,
    compare: Scenario | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> Path:
    """Run every replicate and write the run folder atomically.

    Args:
        scenario: the scenario (command-line overrides already applied).
        out: the run folder to create or replace.
        compare: a second scenario to run and compare against.
        workers: processes (None = every core, 1 = in this process).
        progress: progress bar on stderr.

    Returns:
        The run folder.

    Raises:
        ScenarioError: ``out`` is unusable (nothing is run or written).
    """
    out = Path(out)
    check_out(out)
    jobs = [(scenario, s) for s in scenario.replicate_seeds()]
    if compare is not None:
        jobs += [(compare, s) for s in compare.replicate_seeds()]
    desc = scenario.name + (f" + {compare.name}" if compare is not None else "")
    frames = run_replicates(jobs, workers=workers, progress=progress, desc=desc)
    ts, rg = stack(frames[: scenario.replicates])
    cts = crg = None
    if compare is not None:
        cts, crg = stack(frames[scenario.replicates :])

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _write_folder(tmp, scenario, ts, rg, compare, cts, crg)
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
) -> None:
    from sim.plots import make_plots
    from sim.report import write_report

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
    (folder / "scenario.toml").write_text(resolved_toml(scenario, note=note), encoding="utf-8")
    if compare is not None and cts is not None and crg is not None:
        (folder / "compare").mkdir()
        cts.to_parquet(folder / "compare" / "timeseries.parquet", index=False)
        crg.to_parquet(folder / "compare" / "regions.parquet", index=False)
        (folder / "compare" / "scenario.toml").write_text(
            resolved_toml(compare, note=f"Comparison scenario of the run '{scenario.name}'."),
            encoding="utf-8",
        )
    plots = make_plots(
        folder / "plots", scenario, ts, rg, compare=compare, compare_ts=cts, compare_rg=crg
    )
    write_report(folder / "report.md", summary, plots)


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


# ---------------------------------------------------------------------- command line
def load_with_overrides(path: Path, args: argparse.Namespace) -> Scenario:
    """Load a scenario file and apply ``--replicates``, ``--seed`` and ``--steps``."""
    return load_scenario(path).with_overrides(
        replicates=getattr(args, "replicates", None),
        seed=getattr(args, "seed", None),
        steps=getattr(args, "steps", None),
    )


def main(args: argparse.Namespace) -> int:
    """``ssr run``: returns 0 on success, 2 for invalid input (nothing written)."""
    try:
        scenario = load_with_overrides(args.scenario, args)
        compare = load_with_overrides(args.compare, args) if args.compare else None
        out = args.out or default_out(scenario)
        check_out(out)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    progress = not getattr(args, "no_progress", False)
    path = run_to_folder(
        scenario, out, compare=compare, workers=getattr(args, "workers", None), progress=progress
    )
    print(f"wrote {path}/ (report: {path / 'report.md'})")
    return 0


__all__ = [
    "RUN_FILES",
    "build_summary",
    "check_out",
    "default_out",
    "git_revision",
    "main",
    "package_versions",
    "resolved_toml",
    "run_replicates",
    "run_to_folder",
    "stack",
]
