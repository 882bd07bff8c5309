"""Scored search for the calibrated defaults (``python -m sim.validation.calibrate``).

The procedure (documented in ``docs/VALIDATION.md``):

1. Stage "violence" searches ten parameters that set the scale, timing and
   perpetrators of violence (attack and operation rates, harm per attack, abuses, the
   partner's compliance penalty, jihadist mobility, recruitment, the weight of
   trafficking rents and the peacekeepers' protection) with a Latin hypercube
   of ``--points`` designs, then refines around the best design with a hypercube of
   ``--refine`` designs over a quarter of each range.
2. Stage "institutions" holds the stage-1 choice and searches the corruption drift and
   baseline and the DDR uptake and processing rates the same way.
3. Each design runs ``--replicates`` replicates of ``scenarios/historical_2015_2025.toml``
   (its events unchanged) with seeds derived from ``--seed`` (not the scenario's own seed,
   so the validation replicates stay out of sample) and is scored by
   :func:`sim.validation.targets.score` on the replicate means.
4. The best design is re-run on the scenario's own seeds and its figures are printed.

Parameters not searched keep their current defaults; searched parameters of the stage
not yet run sit at the middle of their range, so the search does not depend on the
defaults it produced. Run time: about six minutes on one core with the defaults
(150 + 50 designs per stage, the run that chose the current defaults).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.validation.targets import TARGETS, measure, run_replicates, scenario_with, score

STAGES: dict[str, dict[str, tuple[float, float]]] = {
    "violence": {
        "violence.jihadist_attack_rate": (2.0, 8.0),
        "violence.op_rate": (0.5, 3.0),
        "violence.harm_per_attack": (1.5, 6.0),
        "violence.abuse_rate": (0.5, 5.0),
        "armed.taxation_capacity": (0.5, 6.0),
        "armed.trafficking_capacity": (200.0, 3000.0),
        "violence.peacekeeper_protection": (0.3, 0.9),
        "militias.mobilisation_rate": (0.05, 1.0),
        "militias.reprisal_rate": (1.0, 12.0),
    },
    "institutions": {
        "corruption.baseline": (0.5, 0.7),
        "ddr.max_uptake": (0.03, 0.25),
        "ddr.processing_rate": (0.04, 0.25),
    },
}
"""Searched parameters and their ranges, by stage (ranges inside the schema's bounds)."""

PREVIOUS: dict[str, float] = {
    "violence.jihadist_attack_rate": 9.0,
    "violence.signatory_attack_rate": 7.0,
    "violence.op_rate": 4.0,
    "violence.harm_per_attack": 2.0,
    "violence.abuse_rate": 2.0,
    "forces.partner_penalty": 0.15,
    "armed.spread_rate": 0.15,
    "recruitment.recruit_rate": 2.5e-4,
    "armed.taxation_capacity": 1.5,
    "armed.trafficking_capacity": 800.0,
    "violence.trafficking_weight": 0.5,
    "violence.peacekeeper_protection": 0.5,
    "militias.mobilisation_rate": 0.25,
    "militias.reprisal_rate": 3.0,
    "corruption.drift": 0.03,
    "corruption.baseline": 0.55,
    "ddr.max_uptake": 0.04,
    "ddr.processing_rate": 0.06,
    "ddr.cantonment_capacity": 600.0,
}
"""Defaults before the calibration (hand-set assumptions), for the record in the docs."""


def evaluate(values: Mapping[str, float], replicates: int, seed: int) -> tuple[float, dict, dict]:
    """Score one design: (total penalty, penalty per target, mean figure per target)."""
    sc = scenario_with(values)
    figures = measure(run_replicates(sc, replicates, seed))
    total, parts = score(figures)
    return total, parts, figures.mean().to_dict()


def _design(
    ranges: Mapping[str, tuple[float, float]], points: int, seed: int, centre=None, shrink=1.0
):
    names = list(ranges)
    lo = np.array([ranges[k][0] for k in names])
    hi = np.array([ranges[k][1] for k in names])
    if centre is not None:
        c = np.array([centre[k] for k in names])
        half = (hi - lo) * shrink / 2
        lo, hi = np.maximum(lo, c - half), np.minimum(hi, c + half)
    sample = qmc.LatinHypercube(d=len(names), seed=seed).random(points)
    return [dict(zip(names, map(float, row), strict=True)) for row in qmc.scale(sample, lo, hi)]


def rank_designs(
    ranges: Mapping[str, tuple[float, float]], points: int, design_seed: int, seed: int = 7
) -> list[tuple[float, dict[str, float], dict]]:
    """Score a Latin hypercube of designs (others held at their defaults); best first.

    Used by the later calibration stages in ``calibration/``. Each entry is (total
    penalty, the design's values, mean figure per target); 3 replicates per design on
    seeds derived from ``seed``.
    """
    rows = []
    for values in _design(ranges, points, design_seed):
        total, _, means = evaluate(values, 3, seed)
        rows.append((total, values, means))
    return sorted(rows, key=lambda r: r[0])


def _round(values: Mapping[str, float]) -> dict[str, float]:
    """Round to three significant figures: the search cannot resolve more."""
    return {k: float(f"{v:.3g}") for k, v in values.items()}


def search(points: int, refine: int, replicates: int, seed: int, log=print) -> dict[str, float]:
    """Run both stages; return the chosen values (rounded to 3 significant figures)."""
    chosen: dict[str, float] = {
        k: (lo + hi) / 2 for ranges in STAGES.values() for k, (lo, hi) in ranges.items()
    }
    for i, (stage, ranges) in enumerate(STAGES.items()):
        rows = []
        designs = _design(ranges, points, seed + 10 * i)
        best: dict[str, float] | None = None
        for phase, n in (("explore", points), ("refine", refine)):
            if phase == "refine":
                designs = _design(ranges, n, seed + 10 * i + 1, centre=best, shrink=0.25)
            for d in designs:
                values = {**chosen, **d}
                total, _, _ = evaluate(values, replicates, seed)
                rows.append({"stage": stage, "phase": phase, "score": total, **d})
            table = pd.DataFrame(rows).sort_values("score")
            best = table.iloc[0][list(ranges)].to_dict()
        chosen.update(best)
        log(f"\n== stage {stage}: {len(rows)} designs, best 5 ==")
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            log(table.head(5).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return _round(chosen)


def report(values: Mapping[str, float], replicates: int, seed: int, log=print) -> float:
    """Print the figure and penalty of every target for a set of values; return the score."""
    total, parts, means = evaluate(values, replicates, seed)
    log(f"\n== {replicates} replicates, seed {seed}: score {total:.3f} ==")
    for t in TARGETS:
        log(f"{t.name:28s} {means[t.name]:10.3f}  penalty {parts[t.name]:7.3f}  ({t.record})")
    return total


def main(argv: list[str] | None = None) -> int:
    """Command line: search, then report the chosen values on the scenario's own seeds."""
    ap = argparse.ArgumentParser(prog="python -m sim.validation.calibrate", description=__doc__)
    ap.add_argument("--points", type=int, default=150, help="hypercube designs per stage")
    ap.add_argument("--refine", type=int, default=50, help="refinement designs per stage")
    ap.add_argument("--replicates", type=int, default=3, help="replicates per design")
    ap.add_argument("--seed", type=int, default=7, help="seed of the designs and replicates")
    ap.add_argument("--defaults-only", action="store_true", help="only report the current defaults")
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.defaults_only:
        report({}, 10, 2015)
        return 0
    before = report({}, args.replicates, args.seed)
    chosen = search(args.points, args.refine, args.replicates, args.seed)
    print("\n== chosen values ==")
    for k, v in chosen.items():
        print(f'"{k}" = {v}')
    after = report(chosen, args.replicates, args.seed)
    report(chosen, 10, 2015)
    print(f"\nscore on the search seeds: defaults {before:.3f} -> chosen {after:.3f}")
    print(f"run time {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
