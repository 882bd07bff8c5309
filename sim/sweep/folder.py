"""A sweep folder on disk: its layout, its manifest, and the integrity of its result parts.

Layout::

    manifest.json      experiment, config hash, seeding, provenance (package versions,
                       git revision, code fingerprint), code changes accepted
    design.parquet     run_id, point_id, replicate, seed, one column per factor
    runs/part-*.parquet        outputs of a chunk of finished runs (run_id, outputs...)
    timeseries/part-*.parquet  full indicator series per run (keep_timeseries = true)
    checksums.jsonl    one line per part: its name and the SHA-256 of its files
    failures.jsonl     one JSON line per failed run: run_id, parameters, seed, traceback
    status.json        counts of the last session (completed, failed, executor, time)
    summary.parquet    design joined with outputs, sorted by run_id (written at the end)

A part is written under a temporary name and renamed (complete or absent); its checksum
line is appended after the rename. A part whose bytes no longer match its checksum, or
that has none (a crash between the rename and the line), is not trusted: ``--resume``
deletes it and runs its runs again, ``ssr analyze`` refuses the folder until then.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.atomic import atomic_write_table, file_sha256, is_temporary
from sim.scenario import ScenarioError

FORMAT = 2
CHECKSUMS = "checksums.jsonl"


def part_name(run_ids: list[int]) -> str:
    """The name of a part: after the smallest run id it holds.

    Every run id is in at most one part, so names never collide, across sessions too.
    """
    return f"part-{min(run_ids):09d}.parquet"


def _append_lines(path: Path, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """Records of a JSON-lines file (a torn last line after a crash is skipped)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


# ------------------------------------------------------------------------------------
# result parts and their checksums
# ------------------------------------------------------------------------------------


def write_part(out: Path, rows: list[dict[str, Any]], timeseries: pd.DataFrame | None) -> None:
    """Write one chunk's parts (timeseries first, runs last), then their checksum line."""
    name = part_name([r["run_id"] for r in rows])
    entry: dict[str, Any] = {"part": name, "timeseries": None}
    if timeseries is not None:
        entry["timeseries"] = atomic_write_table(out / "timeseries" / name, timeseries)
    entry["runs"] = atomic_write_table(out / "runs" / name, pa.Table.from_pylist(rows))
    _append_lines(out / CHECKSUMS, [entry])


def checksums(out: Path) -> dict[str, dict[str, Any]]:
    """The last checksum line of each part."""
    return {r["part"]: r for r in _read_lines(out / CHECKSUMS) if "part" in r}


def record_summary(out: Path, digest: str) -> None:
    """Append the checksum of a freshly written ``summary.parquet``."""
    _append_lines(out / CHECKSUMS, [{"summary": digest}])


def _summary_damaged(out: Path) -> bool:
    sums = [r["summary"] for r in _read_lines(out / CHECKSUMS) if "summary" in r]
    path = out / "summary.parquet"
    if not path.exists() or (not sums and _format(out) < FORMAT):
        return False
    return not sums or file_sha256(path) != sums[-1]


def damaged_parts(out: Path) -> list[str]:
    """Parts in ``runs/`` whose files do not match their checksum line (or have none)."""
    if not (out / CHECKSUMS).exists() and _format(out) < FORMAT:
        return []  # a folder written before checksums existed
    sums = checksums(out)
    bad = []
    for path in sorted((out / "runs").glob("part-*.parquet")):
        entry = sums.get(path.name)
        ts = out / "timeseries" / path.name
        if entry is None or file_sha256(path) != entry.get("runs"):
            bad.append(path.name)
        elif entry.get("timeseries") and (
            not ts.exists() or file_sha256(ts) != entry["timeseries"]
        ):
            bad.append(path.name)
    return bad


def drop_untrusted(out: Path) -> list[str]:
    """Delete damaged parts, orphan timeseries parts and temporary files.

    Returns:
        The damaged part names (their runs will run again).
    """
    for folder in (out / "runs", out / "timeseries"):
        for stray in folder.glob(".*") if folder.is_dir() else []:
            if is_temporary(stray):
                stray.unlink(missing_ok=True)
    bad = damaged_parts(out)
    for name in bad:
        (out / "runs" / name).unlink(missing_ok=True)
        (out / "timeseries" / name).unlink(missing_ok=True)
    ts = out / "timeseries"
    if ts.is_dir():  # a timeseries part whose runs part never arrived
        runs = {p.name for p in (out / "runs").glob("part-*.parquet")}
        for p in ts.glob("part-*.parquet"):
            if p.name not in runs:
                p.unlink()
    return bad


def completed_run_ids(out: Path) -> set[int]:
    """Run ids whose outputs are on disk (the union over ``runs/part-*.parquet``)."""
    done: set[int] = set()
    for f in sorted((out / "runs").glob("part-*.parquet")):
        done.update(pq.read_table(f, columns=["run_id"]).column("run_id").to_pylist())
    return done


def read_outputs(out: Path, columns: list[str]) -> pd.DataFrame:
    """All result parts of a sweep folder as one frame (run_id plus ``columns``)."""
    parts = sorted((out / "runs").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ["run_id", *columns]}).astype(
            {"run_id": "int64"}
        )
    frames = [pd.read_parquet(p, columns=["run_id", *columns]) for p in parts]
    return pd.concat(frames, ignore_index=True)


def verify(out: Path) -> None:
    """Refuse a folder with damaged parts (for readers such as ``ssr analyze``).

    Raises:
        ScenarioError: naming the damaged parts and the way to repair them.
    """
    bad = damaged_parts(out)
    if bad:
        raise ScenarioError(
            out / CHECKSUMS,
            bad[0],
            f"{len(bad)} result part(s) do not match their checksum ({', '.join(bad[:3])}); "
            "run the sweep again with --resume to re-run their runs",
        )
    if _summary_damaged(out):
        raise ScenarioError(
            out / CHECKSUMS,
            "summary.parquet",
            "does not match its checksum; run the sweep again with --resume to rebuild it",
        )


# ------------------------------------------------------------------------------------
# failures and the manifest
# ------------------------------------------------------------------------------------


def read_failures(out: Path) -> list[dict[str, Any]]:
    """Records of ``failures.jsonl`` (a torn last line after a crash is skipped)."""
    return _read_lines(out / "failures.jsonl")


def append_failures(out: Path, records: list[dict[str, Any]]) -> None:
    """Append failure records, stamped with the time."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    _append_lines(out / "failures.jsonl", [{**r, "time": stamp} for r in records])


def current_failures(out: Path) -> list[dict[str, Any]]:
    """The latest failure record of each run that has no outputs yet."""
    done = completed_run_ids(out)
    latest: dict[int, dict[str, Any]] = {}
    for rec in read_failures(out):
        if rec.get("run_id") not in done:
            latest[rec["run_id"]] = rec
    return [latest[k] for k in sorted(latest)]


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The folder's manifest, None if it has none.

    Raises:
        ScenarioError: the manifest cannot be read.
    """
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ScenarioError(path, "", f"unreadable manifest ({err}); not a sweep folder?") from err


def _format(out: Path) -> int:
    try:
        return int((read_manifest(out) or {}).get("format", FORMAT))
    except ScenarioError:
        return FORMAT


__all__ = [
    "CHECKSUMS",
    "FORMAT",
    "append_failures",
    "checksums",
    "completed_run_ids",
    "current_failures",
    "damaged_parts",
    "drop_untrusted",
    "part_name",
    "read_failures",
    "read_manifest",
    "read_outputs",
    "record_summary",
    "verify",
    "write_part",
]
