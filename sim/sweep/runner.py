"""The sweep runner: design first, results streamed to disk, crash-safe, resumable.

The folder layout is described in :mod:`sim.sweep.folder`. Why this shape: the design is
written before any run, so the folder alone says what the sweep is; a part is written
with a temporary name and renamed (``os.replace``), so it is complete or absent, never
half-written, and its checksum is recorded; the coordinator holds only the design and a
bounded number of in-flight chunks, never the results. ``--resume`` reads the run ids
in the trusted parts of ``runs/`` and runs the design minus those: missing, failed and
damaged runs, nothing twice.

Everything that can be refused is refused before anything is written: the experiment,
the executor options (a malformed or unreachable ``--scheduler``), the worker count,
the memory the sweep needs, the output folder (unwritable, in use by another sweep,
holding something else, or a resumed sweep whose model code changed).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.atomic import atomic_write_bytes, atomic_write_table
from sim.executors import BROKEN, check_executor, create_executor, recreate, resolve_workers, stop
from sim.outdir import check_writable, exclusive
from sim.resources import check_sweep_memory
from sim.sweep.experiment import DESIGN_COLUMNS, FAILED, SCENARIO_FACTOR, Experiment
from sim.sweep.folder import (
    append_failures,
    completed_run_ids,
    current_failures,
    read_failures,
    read_outputs,
    record_summary,
    write_part,
)
from sim.sweep.prepare import check_folder, prepare
from sim.sweep.worker import Chunk, ChunkResult, RunSpec, run_chunk

#: Largest number of runs in one chunk (one result part).
MAX_CHUNK = 50
#: A run whose worker process died this many times (running alone) is recorded as failed.
MAX_CRASHES = 2


class SweepAborted(RuntimeError):
    """The executor itself failed (e.g. the Dask scheduler died); results so far are kept."""


@dataclass
class SweepResult:
    """What a sweep session did."""

    out: Path
    n_runs: int
    completed: int
    failed: int
    ran: int
    seconds: float
    repaired: int = 0

    @property
    def ok(self) -> bool:
        """True when every run of the design has its outputs."""
        return self.completed == self.n_runs


def _chunks(
    exp: Experiment, design: pd.DataFrame, pending: list[int], size: int
) -> Iterator[Chunk]:
    """Chunks of pending runs, built lazily so the coordinator never holds them all."""
    factor_cols = [f.name for f in exp.factors]
    for start in range(0, len(pending), size):
        ids = pending[start : start + size]
        rows = design.iloc[ids]
        specs = []
        for rec in rows[list(DESIGN_COLUMNS) + factor_cols].to_dict("records"):
            label, ov = exp.overrides_for(rec)
            specs.append(
                RunSpec(
                    run_id=int(rec["run_id"]),
                    point_id=int(rec["point_id"]),
                    replicate=int(rec["replicate"]),
                    seed=int(rec["seed"]),
                    scenario=label,
                    overrides=ov,
                )
            )
        yield _chunk(exp, specs)


def _chunk(exp: Experiment, specs: list[RunSpec], crashes: int = 0) -> Chunk:
    return Chunk(
        runs=specs,
        scenarios=exp.scenarios,
        outputs=tuple(exp.outputs),
        keep_timeseries=exp.keep_timeseries,
        crashes=crashes,
    )


class _Progress:
    """A tqdm bar on stderr (rate and time left), or nothing."""

    def __init__(self, total: int, initial: int, enabled: bool) -> None:
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, initial=initial, unit="run", file=sys.stderr, dynamic_ncols=True
            )

    def update(self, n: int, failed: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            if failed:
                self.bar.set_postfix(failed=failed)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_sweep(
    exp: Experiment,
    out: str | Path,
    *,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    chunk_size: int | None = None,
    allow_code_change: bool = False,
    force: bool = False,
) -> SweepResult:
    """Run an experiment into a sweep folder (see :mod:`sim.sweep.folder` for the layout).

    Args:
        exp: the validated experiment.
        out: the sweep folder.
        executor: "serial", "process" or "dask".
        workers: parallel workers (default: all cores; for Dask, LocalCluster workers).
        scheduler: address of an existing Dask scheduler.
        resume: continue a sweep in ``out``: run only its missing, failed and damaged runs.
        progress: show a progress bar on stderr (only when stderr is a terminal).
        chunk_size: runs per result part (default: sized to the sweep, at most 50).
        allow_code_change: resume even though the model code changed (recorded).
        force: allow more workers than cores and more memory than is available.

    Returns:
        Counts of this session; ``summary.parquet`` is written in every case, with
        ``failed = true`` and empty outputs for runs that failed.

    Raises:
        InputError: bad options or an unusable folder; nothing is written then.
        SweepAborted: the executor failed part-way; the parts written are kept.
    """
    out = Path(out)
    t0 = time.perf_counter()
    check_executor(executor, scheduler)
    if executor == "process" or workers is not None:
        workers = resolve_workers(workers, force=force)
    check_writable(out)
    design = exp.design_frame()
    check_sweep_memory(
        len(design), design.shape[1], exp.scenarios.values(), workers or 1, force=force
    )
    manifest = check_folder(exp, out, design, resume=resume, allow_code_change=allow_code_change)
    with exclusive(out):
        manifest = check_folder(
            exp, out, design, resume=resume, allow_code_change=allow_code_change
        )  # again, now that no other writer can change the folder
        repaired = prepare(exp, out, design, manifest)
        ran = _run_pending(exp, out, design, executor, workers, scheduler, progress, chunk_size)
        completed = write_summary(exp, out, design)
        seconds = time.perf_counter() - t0
        n_runs = len(design)
        _write_status(out, n_runs, completed, ran, seconds, executor, workers, scheduler)
    return SweepResult(out, n_runs, completed, n_runs - completed, ran, seconds, len(repaired))


def _run_pending(
    exp: Experiment,
    out: Path,
    design: pd.DataFrame,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    chunk_size: int | None,
) -> int:
    """Run every run without trusted outputs; return how many ran (or failed) now."""
    done = completed_run_ids(out)
    n_runs = len(design)
    pending = [int(r) for r in np.setdiff1d(np.arange(n_runs), np.fromiter(done, int, len(done)))]
    if not pending:
        return 0
    pool = create_executor(executor, workers, scheduler)
    slots = int(getattr(pool, "slots", 1))
    size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(len(pending) / (slots * 8))))
    bar = _Progress(n_runs, len(done), progress and sys.stderr.isatty())
    driver = _Driver(exp, design, out, pool, slots, bar)
    try:
        driver.run(_chunks(exp, design, pending, size))
    except (CancelledError, OSError, TimeoutError) as err:
        if executor != "dask":
            raise
        where = scheduler or "the local Dask cluster"
        raise SweepAborted(
            f"the Dask scheduler ({where}) stopped responding ({type(err).__name__}); "
            f"{driver.ran} runs finished in this session are kept: run again with --resume"
        ) from None
    finally:
        bar.close()
        stop(driver.pool)
    return driver.ran


def _write_status(
    out: Path,
    n_runs: int,
    completed: int,
    ran: int,
    seconds: float,
    executor: str,
    workers: int | None,
    scheduler: str | None,
) -> None:
    status = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_runs": n_runs,
        "completed": completed,
        "failed": n_runs - completed,
        "ran_this_session": ran,
        "seconds_this_session": round(seconds, 3),
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
    }
    atomic_write_bytes(out / "status.json", json.dumps(status, indent=2).encode())


class _Driver:
    """Submits chunks with a bounded number in flight and writes each result as it arrives.

    When a worker dies, the runs that were in flight become suspects: each is retried
    alone (nothing else in flight), so a further crash is certainly its own. A run that
    crashes its worker MAX_CRASHES times alone is recorded as failed; the others finish.
    """

    def __init__(
        self,
        exp: Experiment,
        design: pd.DataFrame,
        out: Path,
        pool: Executor,
        slots: int,
        bar: _Progress,
    ) -> None:
        self.exp, self.out, self.pool, self.bar = exp, out, pool, bar
        self.retry: deque[Chunk] = deque()  # submitted to a pool that was already broken
        self.suspects: deque[Chunk] = deque()  # in flight when a worker died: run alone
        self.in_flight: dict[Future, Chunk] = {}
        self.limit = max(2, 2 * slots)
        self.ran = 0
        self.failed: set[int] = set()

    def run(self, fresh: Iterator[Chunk]) -> None:
        """Drive every chunk of ``fresh`` (and the retries) to a result or a failure."""
        exhausted = False
        while True:
            batch, exhausted = self._next_batch(fresh, exhausted)
            broken = self._submit(batch)
            if not broken:
                if not self.in_flight:
                    if exhausted and not self.retry and not self.suspects:
                        return
                    continue
                done, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
                for fut in done:
                    broken = self._settle(fut) or broken
            if broken:
                # Every future of a broken pool fails; collect them all (some may have
                # finished just before the break), then start a fresh pool.
                rest, _ = wait(list(self.in_flight))
                for fut in rest:
                    self._settle(fut)
                stop(self.pool)
                self.pool = recreate(self.pool)

    def _next_batch(self, fresh: Iterator[Chunk], exhausted: bool) -> tuple[list[Chunk], bool]:
        batch: list[Chunk] = []
        if self.suspects:
            if not self.in_flight:
                chunk = self.suspects.popleft()
                chunk.solo = True
                batch = [chunk]
            return batch, exhausted
        while not exhausted and len(self.in_flight) + len(batch) < self.limit:
            chunk = self.retry.popleft() if self.retry else next(fresh, None)
            if chunk is None:
                exhausted = True
            else:
                batch.append(chunk)
        return batch, exhausted

    def _submit(self, batch: list[Chunk]) -> bool:
        """Submit a batch; True if the pool turned out to be broken."""
        for i, chunk in enumerate(batch):
            try:
                self.in_flight[self.pool.submit(run_chunk, chunk)] = chunk
            except BROKEN:  # the pool broke since the last wait: not these chunks' fault
                for c in batch[i:]:
                    (self.suspects if c.solo else self.retry).appendleft(c)
                    c.solo = False
                return True
        return False

    def _settle(self, fut: Future) -> bool:
        """Record a finished future; True if it failed because the pool broke."""
        chunk = self.in_flight.pop(fut)
        err = fut.exception()  # raises CancelledError if the executor itself went away
        if err is None:
            self.ran += self._record(fut.result())
            return False
        self._crashed(chunk, err)  # a dead worker (BrokenProcessPool, Dask's KilledWorker)
        return isinstance(err, BROKEN)

    def _crashed(self, chunk: Chunk, err: BaseException) -> None:
        if not chunk.solo:
            self.suspects.extend(_chunk(self.exp, [spec], chunk.crashes) for spec in chunk.runs)
        elif chunk.crashes + 1 < MAX_CRASHES:
            self.suspects.append(_chunk(self.exp, chunk.runs, chunk.crashes + 1))
        else:
            self._give_up(chunk, err)

    def _give_up(self, chunk: Chunk, err: BaseException) -> None:
        """Record the runs of a chunk that kept killing its worker as failed."""
        records = [
            {
                "run_id": s.run_id,
                "point_id": s.point_id,
                "replicate": s.replicate,
                "seed": s.seed,
                "scenario": s.scenario,
                "parameters": s.overrides,
                "error": f"worker died {chunk.crashes + 1} times running it alone: "
                f"{type(err).__name__}: {err}",
                "traceback": "",
            }
            for s in chunk.runs
        ]
        append_failures(self.out, records)
        self.failed.update(s.run_id for s in chunk.runs)
        self.bar.update(len(records), len(self.failed))

    def _record(self, res: ChunkResult) -> int:
        """Write one chunk's results (timeseries part first, runs part last) and failures."""
        if res.rows:
            write_part(self.out, res.rows, res.timeseries)
        append_failures(self.out, res.failures)
        self.failed.update(f["run_id"] for f in res.failures)
        self.bar.update(len(res.rows) + len(res.failures), len(self.failed))
        return len(res.rows) + len(res.failures)


def write_summary(exp: Experiment, out: Path, design: pd.DataFrame) -> int:
    """Write ``summary.parquet`` = design joined with outputs; return the completed count."""
    names = [o.name for o in exp.outputs]
    outputs = read_outputs(out, names)
    if outputs["run_id"].duplicated().any():  # cannot happen by construction; be loud
        dup = outputs.loc[outputs["run_id"].duplicated(), "run_id"].tolist()[:5]
        raise RuntimeError(f"run ids found in more than one part: {dup}")
    summary = design.merge(outputs, on="run_id", how="left", validate="one_to_one")
    summary[FAILED] = ~summary["run_id"].isin(outputs["run_id"])
    summary = summary.sort_values("run_id", kind="stable").reset_index(drop=True)
    if SCENARIO_FACTOR in summary:
        summary[SCENARIO_FACTOR] = summary[SCENARIO_FACTOR].astype(str)
    record_summary(out, atomic_write_table(out / "summary.parquet", summary))
    return int((~summary[FAILED]).sum())


__all__ = [
    "SweepAborted",
    "SweepResult",
    "completed_run_ids",
    "current_failures",
    "read_failures",
    "run_sweep",
    "write_summary",
]
