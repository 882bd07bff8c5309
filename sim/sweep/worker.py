"""What a worker does: run a chunk of sweep runs and return their outputs.

This module is what the executors ship to worker processes (local or on a Dask
cluster), so it stays small and importable on its own. Workers never write files: the
coordinator writes every result, which keeps the output folder consistent (no lost or
duplicated runs) even when workers die, and lets Dask workers run on machines that do
not share the output disk.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim.scenario import Scenario, simulate
from sim.sweep.experiment import RUN_SECONDS, Output


@dataclass(frozen=True)
class RunSpec:
    """One run: where it sits in the design, its seed and its inputs."""

    run_id: int
    point_id: int
    replicate: int
    seed: int
    scenario: str
    overrides: dict[str, Any]


@dataclass
class Chunk:
    """A few runs shipped to a worker together (fewer, larger result files)."""

    runs: list[RunSpec]
    scenarios: dict[str, Scenario]
    outputs: tuple[Output, ...]
    keep_timeseries: bool = False
    crashes: int = 0  # times a worker died running this chunk alone
    solo: bool = False  # submitted with nothing else in flight (after a crash)

    @property
    def run_ids(self) -> list[int]:
        """The run ids in this chunk."""
        return [r.run_id for r in self.runs]


@dataclass
class ChunkResult:
    """What comes back from a worker: one row per successful run, and the failures."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    timeseries: pd.DataFrame | None = None


def run_one(spec: RunSpec, scenario: Scenario, outputs: tuple[Output, ...]) -> tuple[dict, Any]:
    """Run one simulation; return (output row, indicator frame)."""
    sc = replace(scenario, parameters={**scenario.parameters, **spec.overrides})
    t0 = time.perf_counter()
    ts, _ = simulate(sc, spec.seed)
    row: dict[str, Any] = {"run_id": spec.run_id}
    for o in outputs:
        row[o.name] = o.compute(ts)
    row[RUN_SECONDS] = time.perf_counter() - t0
    return row, ts


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of a chunk; an exception in one run is recorded, the others go on."""
    result = ChunkResult()
    frames = []
    host = f"{socket.gethostname()}:{os.getpid()}"
    for spec in chunk.runs:
        try:
            row, ts = run_one(spec, chunk.scenarios[spec.scenario], chunk.outputs)
        except Exception as err:  # noqa: BLE001 - one bad run must not stop a sweep
            result.failures.append(
                {
                    "run_id": spec.run_id,
                    "point_id": spec.point_id,
                    "replicate": spec.replicate,
                    "seed": spec.seed,
                    "scenario": spec.scenario,
                    "parameters": spec.overrides,
                    "error": f"{type(err).__name__}: {err}",
                    "traceback": traceback.format_exc(),
                    "worker": host,
                }
            )
            continue
        result.rows.append(row)
        if chunk.keep_timeseries:
            ts = ts.copy()
            ts.insert(0, "run_id", spec.run_id)
            frames.append(ts)
    if frames:
        result.timeseries = pd.concat(frames, ignore_index=True)
    return result


__all__ = ["Chunk", "ChunkResult", "RunSpec", "run_chunk", "run_one"]
