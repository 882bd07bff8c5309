"""The sweep runner: design first, results streamed to disk, crash-safe, resumable.

Layout of a sweep folder::

    manifest.json      experiment, config hash, package versions, git revision, seeding
    design.parquet     run_id, point_id, replicate, seed, one column per factor
    runs/part-*.parquet        outputs of a chunk of finished runs (run_id, outputs...)
    timeseries/part-*.parquet  full indicator series per run (keep_timeseries = true)
    failures.jsonl     one JSON line per failed run: run_id, parameters, seed, traceback
    status.json        counts of the last session (completed, failed, executor, time)
    summary.parquet    design joined with outputs, sorted by run_id (written at the end)

Why this shape: the design is written before any run, so the folder alone says what
the sweep is; a part is written with a temporary name and renamed (``os.replace``), so
it is complete or absent, never half-written; the coordinator holds only the design and
a bounded number of in-flight chunks, never the results. ``--resume`` reads the run ids
in ``runs/`` and runs the design minus those: missing and failed runs, nothing twice.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.scenario import ScenarioError
from sim.sweep.executors import BROKEN, create_executor
from sim.sweep.experiment import DESIGN_COLUMNS, SCENARIO_FACTOR, Experiment
from sim.sweep.worker import Chunk, ChunkResult, RunSpec, run_chunk

FORMAT = 1
#: Largest number of runs in one chunk (one result part).
MAX_CHUNK = 50
#: A run whose worker process died this many times (running alone) is recorded as failed.
MAX_CRASHES = 2
_VERSIONED = (
    "mali-ssr-sim",
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "SALib",
    "pyarrow",
    "pydantic",
    "dask",
    "distributed",
)


@dataclass
class SweepResult:
    """What a sweep session did."""

    out: Path
    n_runs: int
    completed: int
    failed: int
    ran: int
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every run of the design has its outputs."""
        return self.completed == self.n_runs


# ------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it is either complete or absent (temp file + os.replace)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_table(path: Path, table: pa.Table | pd.DataFrame) -> None:
    """Write a Parquet file atomically (hidden temp name, fsync, rename)."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    _fsync(tmp)
    os.replace(tmp, path)


def _part_name(run_ids: list[int]) -> str:
    # Named after the smallest run id it holds: every run id is in at most one part, so
    # names never collide, across sessions too.
    return f"part-{min(run_ids):09d}.parquet"


def completed_run_ids(out: Path) -> set[int]:
    """Run ids whose outputs are on disk (the union over ``runs/part-*.parquet``)."""
    done: set[int] = set()
    for f in sorted((out / "runs").glob("part-*.parquet")):
        ids = pq.read_table(f, columns=["run_id"]).column("run_id").to_pylist()
        done.update(ids)
    return done


def read_failures(out: Path) -> list[dict[str, Any]]:
    """Records of ``failures.jsonl`` (a torn last line after a crash is skipped)."""
    path = out / "failures.jsonl"
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def _append_failures(out: Path, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with open(out / "failures.jsonl", "a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({**r, "time": stamp}, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the results (absent ones are left out)."""
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def git_revision() -> dict[str, Any] | None:
    """The source tree's git commit and whether it had local changes (None outside git)."""
    src = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=src, capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=src,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return {"commit": rev.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


# ------------------------------------------------------------------------------------
# preparing the folder
# ------------------------------------------------------------------------------------


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ScenarioError(path, "", f"unreadable manifest ({err}); not a sweep folder?") from err


def prepare(exp: Experiment, out: Path, *, resume: bool) -> pd.DataFrame:
    """Create (or, with ``resume``, check) the sweep folder; return the design.

    Raises:
        ScenarioError: the folder holds something else, or (``resume``) a sweep of a
            different experiment. Nothing is written in that case.
    """
    design = exp.design_frame()
    chash = exp.config_hash(design)
    manifest = _read_manifest(out) if out.exists() else None
    if out.exists() and not out.is_dir():
        raise ScenarioError(out, "--out", "exists and is not a folder")
    if manifest is not None:
        if manifest.get("config_hash") != chash:
            other = manifest.get("experiment", {}).get("name", "?")
            raise ScenarioError(
                out / "manifest.json",
                "config_hash",
                f"this folder holds a different sweep (experiment {other!r}, or the experiment "
                "file, its scenario or the design changed since it started); "
                "choose another --out folder",
            )
        if not resume:
            raise ScenarioError(
                out,
                "--out",
                "already holds this sweep; add --resume to complete it, or choose another --out",
            )
        (out / "runs").mkdir(exist_ok=True)
        for stray in list(out.glob("runs/.*.tmp")) + list(out.glob("timeseries/.*.tmp")):
            stray.unlink(missing_ok=True)
        _drop_orphan_timeseries(out)
        return design
    if out.exists() and any(out.iterdir()):
        raise ScenarioError(
            out, "--out", "is not empty and holds no sweep; choose an empty or new folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "runs").mkdir(exist_ok=True)
    if exp.keep_timeseries:
        (out / "timeseries").mkdir(exist_ok=True)
    atomic_write_table(out / "design.parquet", design)
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "experiment": exp.as_dict(),
        "config_hash": chash,
        "n_points": exp.n_points(),
        "n_runs": len(design),
        "seeding": {
            "root_seed": exp.seed,
            "scheme": "run r gets numpy.random.SeedSequence(seed).spawn(n_runs)[r], "
            "first 64-bit word >> 1; the design sampler uses SeedSequence([seed, 0xD5161])",
        },
        "versions": package_versions(),
        "git": git_revision(),
        "platform": platform.platform(),
        "command": sys.argv,
    }
    # The manifest goes last: a folder with a manifest has its complete design.
    atomic_write_bytes(out / "manifest.json", json.dumps(manifest, indent=2, default=str).encode())
    return design


def _drop_orphan_timeseries(out: Path) -> None:
    # A timeseries part is written just before its runs part; a crash in between leaves
    # an orphan whose runs will run again, so it must go.
    ts = out / "timeseries"
    if not ts.is_dir():
        return
    runs = {p.name for p in (out / "runs").glob("part-*.parquet")}
    for p in ts.glob("part-*.parquet"):
        if p.name not in runs:
            p.unlink()


# ------------------------------------------------------------------------------------
# running
# ------------------------------------------------------------------------------------


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
) -> SweepResult:
    """Run an experiment into a sweep folder (see the module docstring for the layout).

    Args:
        exp: the validated experiment.
        out: the sweep folder.
        executor: "serial", "process" or "dask".
        workers: parallel workers (default: all cores; for Dask, LocalCluster workers).
        scheduler: address of an existing Dask scheduler.
        resume: continue a sweep in ``out``: run only its missing and failed runs.
        progress: show a progress bar on stderr (only when stderr is a terminal).
        chunk_size: runs per result part (default: sized to the sweep, at most 50).

    Returns:
        Counts of this session; ``summary.parquet`` is written in every case, with
        ``failed = true`` and empty outputs for runs that failed.

    Raises:
        ScenarioError: the folder is not usable (see :func:`prepare`).
    """
    out = Path(out)
    t0 = time.perf_counter()
    if scheduler and executor != "dask":
        raise ScenarioError("<command line>", "--scheduler", "only applies with --executor dask")
    design = prepare(exp, out, resume=resume)
    n_runs = len(design)
    done = completed_run_ids(out) if resume else set()
    pending = [int(r) for r in np.setdiff1d(np.arange(n_runs), np.fromiter(done, int, len(done)))]
    failed_now: set[int] = set()
    ran = 0
    if pending:
        pool = create_executor(executor, workers, scheduler)
        slots = int(getattr(pool, "slots", 1))
        size = chunk_size or max(1, min(MAX_CHUNK, math.ceil(len(pending) / (slots * 8))))
        bar = _Progress(n_runs, len(done), progress and sys.stderr.isatty())
        try:
            pool, ran = _drive(exp, design, pending, size, pool, slots, out, bar, failed_now)
        finally:
            bar.close()
            pool.shutdown(wait=False, cancel_futures=True)
    completed = write_summary(exp, out, design)
    result = SweepResult(
        out=out,
        n_runs=n_runs,
        completed=completed,
        failed=n_runs - completed,
        ran=ran,
        seconds=time.perf_counter() - t0,
    )
    status = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_runs": n_runs,
        "completed": completed,
        "failed": n_runs - completed,
        "ran_this_session": ran,
        "seconds_this_session": round(result.seconds, 3),
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
    }
    atomic_write_bytes(out / "status.json", json.dumps(status, indent=2).encode())
    return result


def _drive(
    exp: Experiment,
    design: pd.DataFrame,
    pending: list[int],
    size: int,
    pool: Executor,
    slots: int,
    out: Path,
    bar: _Progress,
    failed_now: set[int],
) -> tuple[Executor, int]:
    """Submit chunks with a bounded number in flight; write each result as it arrives.

    When a worker dies, the runs that were in flight become suspects: each is retried
    alone (nothing else in flight), so a further crash is certainly its own. A run that
    crashes its worker MAX_CRASHES times alone is recorded as failed; the others finish.
    """
    fresh = _chunks(exp, design, pending, size)
    retry: deque[Chunk] = deque()  # submitted to a pool that was already broken
    suspects: deque[Chunk] = deque()  # in flight when a worker died: retried alone
    in_flight: dict[Future, Chunk] = {}
    limit = max(2, 2 * slots)
    ran = 0
    exhausted = False

    def crashed(chunk: Chunk, err: BaseException) -> None:
        if not chunk.solo:
            suspects.extend(_chunk(exp, [spec], chunk.crashes) for spec in chunk.runs)
        elif chunk.crashes + 1 < MAX_CRASHES:
            suspects.append(_chunk(exp, chunk.runs, chunk.crashes + 1))
        else:
            _give_up(chunk, err, out, bar, failed_now)

    def settle(fut: Future) -> bool:
        """Record a finished future; True if it failed because the pool broke."""
        nonlocal ran
        chunk = in_flight.pop(fut)
        err = fut.exception()
        if err is None:
            ran += _record(out, fut.result(), bar, failed_now)
            return False
        crashed(chunk, err)
        return isinstance(err, BROKEN)

    while True:
        broken = False
        batch: list[Chunk] = []
        if suspects:
            if not in_flight:
                chunk = suspects.popleft()
                chunk.solo = True
                batch = [chunk]
        else:
            while not exhausted and len(in_flight) + len(batch) < limit:
                chunk = retry.popleft() if retry else next(fresh, None)
                if chunk is None:
                    exhausted = True
                else:
                    batch.append(chunk)
        for i, chunk in enumerate(batch):
            try:
                in_flight[pool.submit(run_chunk, chunk)] = chunk
            except BROKEN:  # the pool broke since the last wait: not these chunks' fault
                for c in batch[i:]:
                    (suspects if c.solo else retry).appendleft(c)
                    c.solo = False
                broken = True
                break
        if not broken:
            if not in_flight:
                if exhausted and not retry and not suspects:
                    break
                continue
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for fut in done:
                broken = settle(fut) or broken
        if broken:
            # Every future of a broken pool fails; collect them all (some may have
            # finished just before the break), then start a fresh pool.
            rest, _ = wait(list(in_flight))
            for fut in rest:
                settle(fut)
            pool.shutdown(wait=False, cancel_futures=True)
            pool = create_executor_like(pool)
    return pool, ran


def create_executor_like(pool: Executor) -> Executor:
    """A fresh executor of the same kind and size as a broken one."""
    from concurrent.futures import ProcessPoolExecutor

    from sim.sweep.executors import _process_pool

    if isinstance(pool, ProcessPoolExecutor):
        return _process_pool(int(getattr(pool, "slots", 1)))
    raise RuntimeError(f"cannot recreate executor {type(pool).__name__}")


def _give_up(
    chunk: Chunk, err: BaseException, out: Path, bar: _Progress, failed_now: set[int]
) -> None:
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
    _append_failures(out, records)
    failed_now.update(s.run_id for s in chunk.runs)
    bar.update(len(records), len(failed_now))


def _record(out: Path, res: ChunkResult, bar: _Progress, failed_now: set[int]) -> int:
    """Write one chunk's results (timeseries part first, runs part last) and failures."""
    if res.rows:
        name = _part_name([r["run_id"] for r in res.rows])
        if res.timeseries is not None:
            atomic_write_table(out / "timeseries" / name, res.timeseries)
        atomic_write_table(out / "runs" / name, pa.Table.from_pylist(res.rows))
    _append_failures(out, res.failures)
    failed_now.update(f["run_id"] for f in res.failures)
    bar.update(len(res.rows) + len(res.failures), len(failed_now))
    return len(res.rows) + len(res.failures)


# ------------------------------------------------------------------------------------
# summary
# ------------------------------------------------------------------------------------


def read_outputs(out: Path, columns: list[str]) -> pd.DataFrame:
    """All result parts of a sweep folder as one frame (run_id plus ``columns``)."""
    parts = sorted((out / "runs").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ["run_id", *columns]}).astype(
            {"run_id": "int64"}
        )
    frames = [pd.read_parquet(p, columns=["run_id", *columns]) for p in parts]
    return pd.concat(frames, ignore_index=True)


def write_summary(exp: Experiment, out: Path, design: pd.DataFrame) -> int:
    """Write ``summary.parquet`` = design joined with outputs; return the completed count."""
    names = [o.name for o in exp.outputs]
    outputs = read_outputs(out, names)
    if outputs["run_id"].duplicated().any():  # cannot happen by construction; be loud
        dup = outputs.loc[outputs["run_id"].duplicated(), "run_id"].tolist()[:5]
        raise RuntimeError(f"run ids found in more than one part: {dup}")
    summary = design.merge(outputs, on="run_id", how="left", validate="one_to_one")
    summary["failed"] = ~summary["run_id"].isin(outputs["run_id"])
    summary = summary.sort_values("run_id", kind="stable").reset_index(drop=True)
    if SCENARIO_FACTOR in summary:
        summary[SCENARIO_FACTOR] = summary[SCENARIO_FACTOR].astype(str)
    atomic_write_table(out / "summary.parquet", summary)
    return int((~summary["failed"]).sum())


def current_failures(out: Path) -> list[dict[str, Any]]:
    """The latest failure record of each run that has no outputs yet."""
    done = completed_run_ids(out)
    latest: dict[int, dict[str, Any]] = {}
    for rec in read_failures(out):
        if rec.get("run_id") not in done:
            latest[rec["run_id"]] = rec
    return [latest[k] for k in sorted(latest)]


__all__ = [
    "SweepResult",
    "atomic_write_bytes",
    "atomic_write_table",
    "completed_run_ids",
    "current_failures",
    "package_versions",
    "prepare",
    "read_failures",
    "run_sweep",
    "write_summary",
]
