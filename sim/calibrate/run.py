"""``ssr calibrate``: a run folder, the sampler on the project's executors, the outputs.

The run folder holds ``calibration.json`` (the file's hash, to refuse resuming another
calibration), ``history.db`` (pyabc's history: resuming continues from it), and, once
the stop rule is met, ``posterior.parquet`` (:func:`sim.posterior.write_posterior`),
``posterior_summary.csv`` (prior vs posterior per parameter) and ``report.md``.
:func:`install` copies a finished posterior into the package and sets the calibrated
parameters' defaults to its medoid.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.atomic import atomic_write_text
from sim.calibrate.config import Calibration
from sim.calibrate.smc import DB_NAME, generations, posterior_table, run_smc
from sim.calibrate.summary import UNIDENTIFIED_RATIO, effective_size, medoid, widths
from sim.errors import InputError
from sim.posterior import POSTERIOR_PATH, Posterior, from_columns, load_posterior, write_posterior

MANIFEST = "calibration.json"
SUMMARY = "posterior_summary.csv"
CLI = "<command line>"


def prepare(cal: Calibration, out: Path, resume: bool) -> None:
    """Create the run folder, or check that ``--resume`` continues this calibration."""
    manifest = out / MANIFEST
    if resume:
        if not manifest.is_file():
            raise InputError(CLI, "--resume", f"{out} holds no calibration to resume")
        old = json.loads(manifest.read_text(encoding="utf-8"))
        if old.get("config_hash") != cal.config_hash:
            raise InputError(
                CLI,
                "--resume",
                f"{out} holds another calibration (the file or its scenario changed); "
                "use a new --out",
            )
        return
    if manifest.exists() or (out / DB_NAME).exists():
        raise InputError(CLI, "--out", f"{out} already holds a calibration; add --resume")
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "file": str(cal.path),
        "name": cal.meta.name,
        "config_hash": cal.config_hash,
        "record_version": cal.record_version,
        "window": list(cal.window),
    }
    atomic_write_text(manifest, json.dumps(data, indent=2) + "\n")


def sampler_for(kind: str, workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """(pyabc sampler, executor to stop afterwards or None).

    One local worker: pyabc's single-core sampler in this process (reproducible).
    Otherwise ``ConcurrentFutureSampler`` on :func:`sim.executors.create_executor`.
    """
    from sim.calibrate.smc import _quiet_pyabc

    pyabc = _quiet_pyabc()
    if workers == 1 and scheduler is None and kind != "dask":
        return pyabc.sampler.SingleCoreSampler(), None
    from sim.executors import create_executor

    pool = create_executor(kind, workers, scheduler)
    slots = int(getattr(pool, "slots", workers))
    return pyabc.sampler.ConcurrentFutureSampler(pool, client_max_jobs=slots), pool


def posterior_of(cal: Calibration, out: Path) -> Posterior:
    """The last generation as a :class:`~sim.posterior.Posterior` with its provenance."""
    columns, weights = posterior_table(out)
    gens = generations(out)
    meta = {
        "calibration": cal.meta.name,
        "config_hash": cal.config_hash,
        "record_version": cal.record_version,
        "window": list(cal.window),
        "in_sample": cal.meta.in_sample,
        "generations": len(gens),
        "epsilon": gens[-1]["epsilon"],
        "simulations": int(sum(g["samples"] for g in gens)),
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    return from_columns(columns, weights, meta)


def report_text(cal: Calibration, post: Posterior, table: list[dict], gens: list[dict]) -> str:
    """The run's report.md: generations, then prior vs posterior per parameter."""
    lines = [
        f"# Calibration `{cal.meta.name}` ({cal.path.name})",
        "",
        *(
            [
                "**In-sample**: this calibration fits the blind window too; it is not a blind test.",
                "",
            ]
            if cal.meta.in_sample
            else []
        ),
        f"ABC-SMC on the record of {cal.window[0]} to {cal.window[1]}; "
        f"{len(cal.statistics)} summary statistics, {len(cal.priors)} parameters, "
        f"population {cal.meta.population}, seed {cal.meta.seed}.",
        f"Config hash `{cal.config_hash[:12]}`, record version `{cal.record_version[:12]}`.",
        "",
        "Each generation's epsilon is measured with that generation's adaptive weights: "
        "epsilons of different generations are not comparable.",
        "",
        "| generation | epsilon | simulations | acceptance |",
        "|---:|---:|---:|---:|",
    ]
    for g in gens:
        rate = g["particles"] / max(g["samples"], 1)
        lines.append(f"| {g['t'] + 1} | {g['epsilon']:.4g} | {g['samples']} | {rate:.1%} |")
    lines += [
        "",
        f"Effective sample size of the last generation's weights: "
        f"{effective_size(post.weights):.1f} of {len(post)} members.",
        "",
        f"Posterior vs prior: 90% interval widths. A ratio above {UNIDENTIFIED_RATIO} means "
        "the record does not identify the parameter.",
        "",
        "| parameter | prior | posterior median | posterior 90% | width ratio | identified |",
        "|---|---|---:|---|---:|---|",
    ]
    for r in table:
        lines.append(
            f"| `{r['parameter']}` | [{r['prior_lo']:.4g}, {r['prior_hi']:.4g}] "
            f"| {r['median']:.4g} | [{r['q05']:.4g}, {r['q95']:.4g}] "
            f"| {r['width_ratio']:.2f} | {'yes' if r['identified'] else 'no'} |"
        )
    missing = [r["parameter"] for r in table if not r["identified"]]
    lines += ["", f"Not identified by the record: {', '.join(missing) or 'none'}.", ""]
    return "\n".join(lines)


def write_outputs(cal: Calibration, out: Path) -> Posterior:
    """Posterior, summary table and report of a finished run folder."""
    import pandas as pd

    post = posterior_of(cal, out)
    cols = {n: __import__("numpy").array([m[n] for m in post.members]) for n in post.names}
    table = widths(cal.priors, cols, post.weights)
    write_posterior(post, out / "posterior.parquet")
    atomic_write_text(out / SUMMARY, pd.DataFrame(table).to_csv(index=False))
    atomic_write_text(out / "report.md", report_text(cal, post, table, generations(out)))
    return post


def calibrate(
    cal: Calibration,
    out: Path,
    *,
    executor: str = "process",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    log: Callable[[str], None] = print,
) -> Posterior:
    """Run or resume a calibration into ``out``; return its posterior."""
    prepare(cal, out, resume)
    t0 = time.perf_counter()
    sampler, pool = sampler_for(executor, workers, scheduler)
    try:
        gens = run_smc(cal, out, sampler, log)
    finally:
        if pool is not None:
            from sim.executors import stop

            stop(pool)
    post = write_outputs(cal, out)
    log(
        f"{len(gens)} generations, {int(sum(g['samples'] for g in gens))} simulations in "
        f"{time.perf_counter() - t0:.0f} s (this session); report: {out / 'report.md'}"
    )
    return post


def install(cal: Calibration, out: Path, root: Path | None = None) -> dict[str, float]:
    """Ship ``out``'s posterior and set the calibrated defaults to its medoid.

    Writes the package's ``posterior.parquet`` and rewrites each calibrated parameter's
    default and source in its ``param(...)`` declaration (``root`` defaults to the source
    tree; tests pass a copy). Returns the values written.
    """
    import numpy as np

    from sim.calibrate.install import write_defaults

    if cal.meta.in_sample:
        raise InputError(
            cal.path,
            "calibration.in_sample",
            "an in-sample calibration has seen the blind window: it is never installed",
        )
    post = load_posterior(out / "posterior.parquet")
    if post is None:
        raise InputError(CLI, "--install", f"{out} has no finished posterior to install")
    if post.meta.get("config_hash") != cal.config_hash:
        raise InputError(CLI, "--install", f"{out}'s posterior is from another calibration file")
    cols = {n: np.array([m[n] for m in post.members]) for n in post.names}
    best = post.members[medoid(cal.priors, cols, post.weights)]
    values = {n: float(f"{best[n]:.4g}") for n in post.names}
    target = POSTERIOR_PATH if root is None else root / "sim" / "data" / "posterior.parquet"
    write_posterior(post, target)
    write_defaults(values, sources(cal, widths(cal.priors, cols, post.weights)), root)
    return values


def sources(cal: Calibration, table: list[dict]) -> dict[str, str]:
    """Each installed default's source: calibrated if the record narrows it, else not."""
    where = (
        f"medoid of the ABC-SMC posterior on the record of {cal.window[0]}..{cal.window[1]} "
        f"(calibration/{cal.path.name}; docs/VALIDATION.md)"
    )
    return {
        r["parameter"]: f"calibrated: {where}"
        if r["identified"]
        else f"assumption: {where}, but the record does not narrow it "
        f"(posterior 90% width {r['width_ratio']:.2f} of the prior's)"
        for r in table
    }


__all__ = [
    "calibrate",
    "install",
    "posterior_of",
    "prepare",
    "report_text",
    "sources",
    "write_outputs",
]
