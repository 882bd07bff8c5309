"""``ssr discover FOLDER --outcome X --worse-than T``: scenario discovery with PRIM.

PRIM, the Patient Rule Induction Method (Friedman and Fisher, "Bump hunting in
high-dimensional data", Statistics and Computing 9, 1999), as implemented by
``ema_workbench.analysis.prim`` (Kwakkel, "The Exploratory Modeling Workbench",
Environmental Modelling & Software 96, 2017), peels the input space into a box where bad
runs concentrate. For a box B over inputs x and bad runs y:

    coverage = |bad runs in B| / |bad runs|       density = |bad runs in B| / |runs in B|

The peeling trajectory is the trade-off between the two; the box reported is the last one
whose density reaches the threshold (PRIM's default choice).

Inputs: a sweep folder (its factors) or a compare folder (the lever amounts of each
policy and the posterior's parameters). Writes ``discover/<outcome>/``: ``tradeoff.csv``,
``box.csv``, ``tradeoff.png`` and ``discover.md``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.atomic import atomic_write_bytes, atomic_write_text
from sim.errors import InputError, unknown

_NOT_INPUTS = ("run_id", "point_id", "replicate", "seed", "failed", "run_seconds", "scenario")


@dataclass
class Discovery:
    """PRIM's result: the trajectory, the chosen box and its restricted dimensions."""

    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step
    box: pd.DataFrame  # one row per restricted input: lower, upper
    coverage: float
    density: float
    n_bad: int
    n: int


def find_box(x: pd.DataFrame, bad: np.ndarray, threshold: float = 0.8) -> Discovery:
    """Run PRIM on inputs ``x`` (numeric columns) and the bad-run flags ``bad``."""
    bad = np.asarray(bad, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional evaluators
        from ema_workbench.analysis import prim

        box = prim.Prim(x.reset_index(drop=True), bad, threshold=threshold).find_box()
    cur = box._cur_box  # noqa: SLF001 - the box PRIM chose; no public accessor in 2.5.3
    lims, initial = box.box_lims[cur], box.box_lims[0]
    rows = [
        {"input": c, "lower": float(lims[c][0]), "upper": float(lims[c][1])}
        for c in x.columns
        if not np.isclose(lims[c][0], initial[c][0]) or not np.isclose(lims[c][1], initial[c][1])
    ]
    traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    return Discovery(
        traj.reset_index(drop=True),
        pd.DataFrame(rows, columns=["input", "lower", "upper"]),
        float(box.peeling_trajectory["coverage"].iloc[cur]),
        float(box.peeling_trajectory["density"].iloc[cur]),
        int(bad.sum()),
        len(bad),
    )


def folder_inputs(folder: Path, summary: pd.DataFrame) -> pd.DataFrame:
    """The numeric inputs of each run: factors, posterior parameters, lever amounts."""
    design = pd.read_parquet(folder / "design.parquet", columns=None)
    x = summary[[c for c in design.columns if c not in _NOT_INPUTS]].copy()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    compare = manifest.get("experiment", {}).get("compare")
    if compare:
        from sim.policy.levers import LEVERS

        amounts = {}
        for name, raw in compare["policies"].items():
            amounts[name] = {
                lv: float(v["amount"] if isinstance(v, dict) else v)
                for lv, v in raw.items()
                if lv in LEVERS
            }
        for lv in sorted({lv for a in amounts.values() for lv in a}):
            x[lv] = [amounts.get(p, {}).get(lv, 0.0) for p in summary["scenario"]]
    return x.select_dtypes(include=["number", "bool"]).astype(float)


def _plot(d: Discovery, path: Path, title: str) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    sc = ax.scatter(d.trajectory["coverage"], d.trajectory["density"], c=d.trajectory["res_dim"])
    fig.colorbar(sc, label="restricted inputs")
    ax.scatter([d.coverage], [d.density], s=120, facecolors="none", edgecolors="red")
    ax.set_xlabel("coverage (share of bad runs inside the box)")
    ax.set_ylabel("density (share of the box's runs that are bad)")
    ax.set_title(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def discover_folder(
    folder: Path, outcome: str, bad_when: tuple[str, float], threshold: float = 0.8
) -> list[Path]:
    """PRIM over a sweep or compare folder; return the files written."""
    folder = Path(folder)
    path = folder / "summary.parquet"
    if not path.is_file() or not (folder / "manifest.json").is_file():
        raise InputError(folder, "", "is not a finished sweep or compare folder (no summary)")
    if not 0 < threshold <= 1:
        raise InputError("<command line>", "--threshold", f"must be in (0, 1], got {threshold}")
    summary = pd.read_parquet(path)
    summary = summary[~summary["failed"]] if "failed" in summary else summary
    outputs = [c for c in summary.columns if c not in _NOT_INPUTS]
    if outcome not in summary.columns:
        raise InputError("<command line>", "--outcome", unknown(outcome, outputs, "output"))
    side, value = bad_when
    y = summary[outcome].to_numpy(dtype=float)
    bad = y > value if side == "above" else y < value
    if not bad.any() or bad.all():
        share = "no" if not bad.any() else "every"
        raise InputError(
            "<command line>",
            "--worse-than" if side == "above" else "--below",
            f"{share} run is bad at {value} ({outcome} ranges {y.min():.3g} to {y.max():.3g})",
        )
    x = folder_inputs(folder, summary)
    x = x.loc[:, x.nunique() > 1]  # inputs that vary
    if x.empty:
        raise InputError(folder, "", "no input varies across its runs: nothing to discover")
    d = find_box(x, bad, threshold)
    out = folder / "discover" / outcome
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "tradeoff.csv", d.trajectory.to_csv(index_label="step"))
    atomic_write_text(out / "box.csv", d.box.to_csv(index=False))
    word = "above" if side == "above" else "below"
    _plot(d, out / "tradeoff.png", f"{outcome} {word} {value:g}")
    atomic_write_text(out / "discover.md", _report(d, outcome, word, value, threshold))
    return [out / "discover.md", out / "box.csv", out / "tradeoff.csv", out / "tradeoff.png"]


def _report(d: Discovery, outcome: str, word: str, value: float, threshold: float) -> str:
    lines = [
        f"# When is {outcome} {word} {value:g}?",
        "",
        f"{d.n_bad} of {d.n} runs are bad. PRIM (ema_workbench, density threshold "
        f"{threshold:g}) chose a box with coverage {d.coverage:.2f} and density "
        f"{d.density:.2f}:",
        "",
        "| input | lower | upper |",
        "|---|---|---|",
        *[f"| {r.input} | {r.lower:.4g} | {r.upper:.4g} |" for r in d.box.itertuples()],
        "",
        "Trade-off curve (coverage against density at each peeling step): `tradeoff.csv`, "
        "`tradeoff.png`. Coverage: share of the bad runs inside the box; density: share of "
        "the runs inside the box that are bad.",
    ]
    return "\n".join(lines) + "\n"


__all__ = ["Discovery", "discover_folder", "find_box", "folder_inputs"]
