"""Golden fingerprints: compact hashes of what every library scenario and experiment gives.

A refactor that must not change results (e.g. the declared world state) is checked
against fingerprints generated from the commit before it. Each frame is fingerprinted
column by column (name, dtype and the exact bytes of the values), so a failing test
names the columns that changed.

Regenerate (only when a change is *meant* to alter results, and say so in the changelog)::

    python tests/golden/fingerprints.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
STORE = Path(__file__).with_name("fingerprints.json")
SCENARIO_DIRS = ("scenarios", "experiments/scenarios")
EXPERIMENT_DIR = "experiments"
REPLICATES = 2
"""Replicates per scenario fingerprinted (the first ones of the scenario's own seeds)."""
RUNS_PER_EXPERIMENT = 3
"""Design runs per experiment: the first, the middle and the last run."""


def column_digest(values: pd.Series) -> str:
    """16 hex digits of SHA-256 over a column's dtype and exact values."""
    h = hashlib.sha256(str(values.dtype).encode())
    if getattr(values.dtype, "kind", "O") in "biufc":
        h.update(np.ascontiguousarray(values.to_numpy()).tobytes())
    else:  # text (object or string dtype): the values themselves, not pointers
        h.update("\x1f".join(map(str, values.tolist())).encode())
    return h.hexdigest()[:16]


def frame_digest(frame: pd.DataFrame) -> dict[str, str]:
    """Digest of every column, in column order."""
    return {str(name): column_digest(frame[name]) for name in frame.columns}


def scenario_fingerprints() -> dict[str, Any]:
    """Time series and regional frames of the first replicates of every library scenario."""
    from sim.scenario import load_scenario, simulate

    out: dict[str, Any] = {}
    for folder in SCENARIO_DIRS:
        for path in sorted((ROOT / folder).glob("*.toml")):
            scenario = load_scenario(path)
            for r, seed in enumerate(scenario.replicate_seeds()[:REPLICATES]):
                ts, regions = simulate(scenario, seed)
                key = f"{folder}/{path.name}#{r}"
                out[key] = {"timeseries": frame_digest(ts), "regions": frame_digest(regions)}
    return out


def experiment_fingerprints() -> dict[str, Any]:
    """Design and outputs of a few runs of every library experiment."""
    from dataclasses import replace

    from sim.policy.compare import load_compare
    from sim.scenario import simulate
    from sim.sweep.schema import load_experiment

    out: dict[str, Any] = {}
    for path in sorted((ROOT / EXPERIMENT_DIR).glob("*.toml")):
        is_compare = "[compare]" in path.read_text(encoding="utf-8")  # ssr compare's files
        exp = load_compare(path, fixed=True) if is_compare else load_experiment(path)
        design = exp.design_frame()
        n = len(design)
        picks = sorted({0, n // 2, n - 1})[:RUNS_PER_EXPERIMENT]
        runs = {}
        for run_id in picks:
            row = design.iloc[run_id].to_dict()
            label, overrides = exp.overrides_for(row)
            base = exp.scenarios[label]
            scenario = replace(base, parameters={**base.parameters, **overrides})
            ts, _ = simulate(scenario, int(row["seed"]))
            runs[str(run_id)] = {o.name: float(o.compute(ts)).hex() for o in exp.outputs}
        out[f"{EXPERIMENT_DIR}/{path.name}"] = {"design": frame_digest(design), "runs": runs}
    return out


def compute() -> dict[str, Any]:
    """Every fingerprint."""
    return {"scenarios": scenario_fingerprints(), "experiments": experiment_fingerprints()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the fingerprints")
    args = parser.parse_args(argv)
    data = compute()
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if args.write:
        STORE.write_text(text)
        print(f"wrote {STORE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
