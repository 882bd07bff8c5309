"""The outputs of ``ssr compare``: ranking.csv, report.md and trade-off plots.

Written atomically into the compare folder after the sweep runner has finished; the
numbers come from :func:`sim.policy.compare.ranking` (plain arrays, no I/O there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.atomic import atomic_write_bytes, atomic_write_text
from sim.indicators import BY_NAME
from sim.policy.compare import STATUS_QUO, CompareExperiment


def _fmt(x: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


def _plot_tradeoffs(table: pd.DataFrame, folder: Path) -> list[Path]:
    """Harm vs cost; robustness (share beating the status quo) vs expected gain."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    specs = [
        (
            "harm_vs_cost.png",
            table["cost_usd_per_month"] / 1e6,
            table["civilian_harm_change"],
            "cost (million USD per month)",
            "change in civilian harm (persons per month)",
        ),
        (
            "robustness_vs_gain.png",
            -table["civilian_harm_change"],
            table["civilian_harm_p_beat"],
            "expected civilian harm averted (persons per month)",
            "share of members beating the status quo",
        ),
    ]
    for name, x, y, xlabel, ylabel in specs:
        fig, ax = plt.subplots(figsize=(7, 5))
        ax.scatter(x, y)
        for label, xi, yi in zip(table["policy"], x, y, strict=True):
            ax.annotate(label, (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.axhline(0 if "harm_vs" in name else 0.5, color="grey", lw=0.8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        fig.tight_layout()
        path = folder / name
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        atomic_write_bytes(path, buf.getvalue())
        written.append(path)
    return written


def report_text(exp: CompareExperiment, table: pd.DataFrame) -> str:
    """report.md: the question, the ensemble, the ranked table and how to read it."""
    lines = [
        f"# Policy comparison: {exp.name}",
        "",
        exp.description,
        "",
        f"Ensemble: {exp.ensemble}. Every policy runs in the same members (same seeds "
        f"and parameter sets: common random numbers); outcomes are means of the last "
        f"{exp.outputs[0].months} months. Policies ranked by mean regret on civilian harm "
        f"(how far a policy falls behind the best one in each member).",
        "",
        "| rank | policy | cost (M USD/month) | change in civilian harm | P(beats status quo) "
        "| regret mean | regret p90 | satisficing | USD per harm averted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.rank} | {r.policy} | {_fmt(r.cost_usd_per_month / 1e6)} "
            f"| {_fmt(r.civilian_harm_change)} | {_fmt(r.civilian_harm_p_beat)} "
            f"| {_fmt(r.harm_regret_mean)} | {_fmt(r.harm_regret_p90)} "
            f"| {_fmt(r.satisficing)} | {_fmt(r.usd_per_harm_averted, 0)} |"
        )
    lines += ["", "## Other outcomes (expected change; share of members better)", ""]
    outs = [o.name for o in exp.outputs if o.name != "civilian_harm"]
    lines.append("| policy | " + " | ".join(BY_NAME[o].label for o in outs) + " |")
    lines.append("|---|" + "---|" * len(outs))
    for _, r in table.iterrows():
        cells = [f"{_fmt(r[f'{o}_change'], 3)} ({_fmt(r[f'{o}_p_beat'])})" for o in outs]
        lines.append(f"| {r['policy']} | " + " | ".join(cells) + " |")
    thresholds = ", ".join(
        f"{k} {'>= ' + str(lo) if lo is not None else ''}{' ' if lo is not None and hi is not None else ''}"
        f"{'<= ' + str(hi) if hi is not None else ''}"
        for k, (lo, hi) in exp.thresholds.items()
    )
    lines += [
        "",
        "## How to read this",
        "",
        f"- *change*: mean over members of (policy - {STATUS_QUO}); {STATUS_QUO} is 0 by "
        "construction.",
        "- *P(beats status quo)*: share of members in which the policy is strictly better.",
        "- *regret*: civilian harm above the best policy of the same member (0 for the best).",
        f"- *satisficing*: share of members meeting every threshold ({thresholds or 'none'}).",
        "- *USD per harm averted*: policy cost per month over civilian harm averted per month.",
        "- A conclusion is robust when the P column is near 0 or 1; near 0.5 the ensemble "
        "cannot tell.",
        "",
        "Plots: `plots/harm_vs_cost.png`, `plots/robustness_vs_gain.png`. "
        "Table: `ranking.csv`. Per run: `summary.parquet`.",
    ]
    return "\n".join(lines) + "\n"


def write_outputs(exp: CompareExperiment, table: pd.DataFrame, out: Path) -> list[Path]:
    """ranking.csv, report.md and the plots, each written atomically."""
    atomic_write_text(out / "ranking.csv", table.to_csv(index=False))
    atomic_write_text(out / "report.md", report_text(exp, table))
    return [out / "ranking.csv", out / "report.md", *_plot_tradeoffs(table, out / "plots")]


__all__ = ["report_text", "write_outputs"]
