"""Regenerate the validation figures and plots (``python -m sim.validation``).

Writes ``docs/validation_figures.md`` (every measured figure with its 95% interval over
replicates: the calibration targets on the historical run, the mechanism checks and the
scenario comparisons, the calibrated values) and ``docs/img/validation_*.png`` (the
historical run against the recorded events). ``docs/VALIDATION.md`` explains them.
Every file is written atomically (:mod:`sim.atomic`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.atomic import atomic_write, atomic_write_text  # noqa: E402
from sim.params import param_specs  # noqa: E402
from sim.validation import checks  # noqa: E402
from sim.validation.targets import (  # noqa: E402
    HISTORICAL,
    ROOT,
    TARGETS,
    Frames,
    interval,
    load_scenario,
    measure,
    run_replicates,
)

DOCS = ROOT / "docs"
FIGURES_MD = DOCS / "validation_figures.md"
VALIDATION_MD = DOCS / "VALIDATION.md"
INLINE = re.compile(r"(<!-- v:(?P<key>[\w.:]+) -->)(?P<old>.*?)(<!-- /v -->)", re.S)
"""Inline figure in VALIDATION.md: ``<!-- v:KEY -->value<!-- /v -->``, refreshed here."""
IMG = DOCS / "img"


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def target_table(runs: Sequence[Frames]) -> str:
    """Markdown table: each target's record, the model's mean [95% interval], penalty."""
    fig = measure(runs)
    rows = [
        "| target | fact | record | model: mean [95% interval] | penalty |",
        "|---|---|---|---|---|",
    ]
    for t in TARGETS:
        m, lo, hi = interval(fig[t.name])
        rows.append(
            f"| `{t.name}` | {t.fact} | {t.record} | {_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}] "
            f"| {t.penalty(m):.2f} |"
        )
    return "\n".join(rows)


def effects_table(groups: dict[str, dict[str, checks.Effect]]) -> str:
    """Markdown table of paired effects: check, metric, control, treatment, difference."""
    rows = [
        "| check | metric | control (mean) | treatment (mean) | difference: mean [95% interval] "
        "| excludes 0 |",
        "|---|---|---|---|---|---|",
    ]
    for check, effects in groups.items():
        for name, e in effects.items():
            rows.append(
                f"| `{check}` | `{name}` | {_fmt(e.control)} | {_fmt(e.treatment)} "
                f"| {_fmt(e.mean)} [{_fmt(e.lo)}, {_fmt(e.hi)}] | {'yes' if e.excludes_zero else 'no'} |"
            )
    return "\n".join(rows)


def ddr_table(d: pd.DataFrame) -> str:
    """Markdown table of DDR registrations and integrations per group around 2024-01."""
    g = d.groupby(["group", "moment"])[["registered", "integrated"]].mean().round(0)
    rows = [
        "| group | moment | registered (mean) | integrated (mean) |",
        "|---|---|---|---|",
    ]
    order = ["before_termination", "before_relaunch", "end"]
    for (group, moment), r in sorted(g.iterrows(), key=lambda x: (x[0][0], order.index(x[0][1]))):
        rows.append(f"| {group} | {moment} | {r['registered']:,.0f} | {r['integrated']:,.0f} |")
    return "\n".join(rows)


def calibrated_table() -> str:
    """Markdown table of the searched parameters: before, chosen, range, reason (source)."""
    from sim.validation.calibrate import PREVIOUS, STAGES

    specs = {s.name: s for s in param_specs()}
    rows = [
        "| parameter | before | calibrated | search range | unit | reason (source field) |",
        "|---|---|---|---|---|---|",
    ]
    for stage, ranges in STAGES.items():
        for name, (lo, hi) in ranges.items():
            s = specs[name]
            rows.append(
                f"| `{name}` | {PREVIOUS[name]:g} | {s.default:g} | [{lo:g}, {hi:g}] ({stage}) "
                f"| {s.unit} | {s.source} |"
            )
    return "\n".join(rows)


# --------------------------------------------------------------------------- plots
def _stack(runs: Sequence[Frames]) -> pd.DataFrame:
    df = pd.concat([ts.assign(replicate=i) for i, (ts, _) in enumerate(runs)])
    df["when"] = pd.to_datetime(df["date"] + "-01")
    return df


def _band(ax, df: pd.DataFrame, column: str, label: str, color: str) -> None:
    g = df.groupby("when")[column]
    mean, lo, hi = g.mean(), g.quantile(0.05), g.quantile(0.95)
    ax.plot(mean.index, mean.to_numpy(), color=color, label=f"{label} (mean)")
    ax.fill_between(mean.index, lo.to_numpy(), hi.to_numpy(), color=color, alpha=0.2, lw=0)


def _events(ax, events: Sequence[tuple[str, str]]) -> None:
    top = ax.get_ylim()[1]
    for date, label in events:
        x = pd.Timestamp(date + "-01")
        ax.axvline(x, color="0.5", lw=0.7, ls=":")
        ax.text(
            x, top * 0.99, label + " ", fontsize=6.5, color="0.3", va="top", ha="right", rotation=90
        )


def _record(ax, first: str, last: str, value: float, label: str, color: str = "k") -> None:
    a, b = pd.Timestamp(first + "-01"), pd.Timestamp(last + "-28")
    ax.plot([a, b], [value, value], color=color, lw=2.5, solid_capstyle="butt")
    ax.annotate(label, (b, value), fontsize=7, xytext=(3, 2), textcoords="offset points")


def _finish(ax, title: str, ylabel: str, events) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.25)  # headroom for the event labels
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    _events(ax, events)
    ax.legend(fontsize=7, loc="upper left")


def plots(runs: Sequence[Frames], events: Sequence[tuple[str, str]]) -> list[Path]:
    """Write the five validation plots; return their paths."""
    df = _stack(runs)
    n = df["replicate"].nunique()
    note = f"{n} replicates: line = mean, band = 5-95% of replicates; bars = the record"
    made: list[Path] = []

    def save(fig, name: str) -> None:
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.text(0.01, 0.005, note, fontsize=6.5, color="0.35")
        path = IMG / f"validation_{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
        plt.close(fig)
        made.append(path)

    fig, ax = plt.subplots(figsize=(9, 4.2))
    _band(ax, df, "civilian_harm_by_armed_groups", "armed groups", "tab:red")
    _band(ax, df, "civilian_harm_by_forces", "state forces", "tab:blue")
    _band(ax, df, "civilian_harm", "all", "0.3")
    _record(ax, "2021-01", "2021-12", 584 / 12, "UN 2021: 49/month")
    _record(ax, "2022-01", "2022-12", 1277 / 12, "UN 2022: 106/month")
    _finish(ax, "Civilian harm by perpetrator (historical run)", "persons per month", events)
    save(fig, "civilian_harm")

    fig, ax = plt.subplots(figsize=(9, 4.2))
    _band(ax, df, "incidents_north", "north", "tab:orange")
    _band(ax, df, "incidents_centre", "centre (Mopti, Ségou)", "tab:purple")
    _band(ax, df, "incidents_south", "south and Bamako", "tab:green")
    _band(ax, df, "incidents", "all", "0.3")
    _record(ax, "2017-01", "2017-12", 474 / 12, "ACLED 2017: 40/month")
    _finish(ax, "Incidents by zone (historical run)", "events per month", events)
    save(fig, "incidents_zones")

    fig, ax = plt.subplots(figsize=(9, 4.2))
    colors = ("0.3", "tab:olive", "tab:blue", "tab:green", "tab:red")
    for col, c in zip(
        ("ddr_registered", "ddr_disarmed", "ddr_integrated", "ddr_reintegrated", "ddr_rearmed"),
        colors,
        strict=True,
    ):
        _band(ax, df, col, col.removeprefix("ddr_"), c)
    _record(ax, "2018-11", "2019-12", 1300, "accelerated DDR: >1,300 integrated")
    _finish(ax, "DDR pipeline, cumulative (historical run)", "persons", events)
    save(fig, "ddr")

    fig, ax = plt.subplots(figsize=(9, 4.2))
    _band(ax, df, "cso_capacity", "CSO capacity", "tab:green")
    _band(ax, df, "detection", "detection of misconduct", "tab:purple")
    _finish(ax, "CSO capacity and detection (historical run)", "index / probability", events)
    ax.set_ylim(0, 1)
    save(fig, "cso")

    fig, ax = plt.subplots(figsize=(9, 4.2))
    _band(ax, df, "corruption", "corruption", "tab:red")
    _band(ax, df, "oversight", "oversight", "tab:blue")
    _band(ax, df, "trust", "trust in the forces", "tab:green")
    a, b = pd.Timestamp("2015-06-01"), pd.Timestamp("2025-12-28")
    ax.fill_between([a, b], 0.65, 0.72, color="tab:red", alpha=0.08, lw=0)
    ax.text(a, 0.725, " 1 - CPI/100 (TI 28-35)", fontsize=7, va="bottom")
    ax.axhline(0.53, color="tab:red", lw=0.8, ls="--")
    ax.text(a, 0.535, " Afrobarometer 2020: 53% see most police as corrupt", fontsize=7)
    _finish(ax, "Corruption, oversight and trust (historical run)", "index", events)
    ax.set_ylim(0, 1)
    save(fig, "governance")
    return made


def inline_values(
    runs: Sequence[Frames], groups: dict[str, dict[str, checks.Effect]]
) -> dict[str, str]:
    """Figures quoted in VALIDATION.md, by key: ``t:<target>``, ``e:<check>.<metric>``, ``x:*``."""
    from sim.validation.targets import annual_means, crossing_year

    out: dict[str, str] = {}
    fig = measure(runs)
    for t in TARGETS:
        m, lo, hi = interval(fig[t.name])
        out[f"t:{t.name}"] = f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]"
    for check, effects in groups.items():
        for name, e in effects.items():
            out[f"e:{check}.{name}"] = f"{_fmt(e.mean)} [{_fmt(e.lo)}, {_fmt(e.hi)}]"
            out[f"e:{check}.{name}:control"] = _fmt(e.control)
            out[f"e:{check}.{name}:treatment"] = _fmt(e.treatment)
    years = np.array([crossing_year(ts) for ts, _ in runs])
    never = int(np.isinf(years).sum())
    crossed = years[np.isfinite(years)]
    span = f"{crossed.min():.0f} to {crossed.max():.0f}" if len(crossed) else "none"
    tail = f"; {never} of {len(years)} replicates never cross" if never else ""
    out["x:crossing_year"] = f"median {np.median(years):.0f} (replicates: {span}{tail})"
    df = pd.concat([ts for ts, _ in runs])
    for col in ("trust", "corruption", "oversight"):
        a = annual_means(df, col).loc[2016:2025]
        out[f"x:{col}_annual"] = f"{a.min():.2f} to {a.max():.2f}"
    for year in (2017, 2021, 2023, 2025):
        a = annual_means(df, "fighters_jihadist")
        out[f"x:fighters_jihadist_{year}"] = f"{a.loc[year]:,.0f}"
        out[f"x:incidents_{year}"] = f"{annual_means(df, 'incidents').loc[year]:.0f}"
        out[f"x:civilian_harm_{year}"] = f"{annual_means(df, 'civilian_harm').loc[year]:.0f}"
    return out


def render_inline(text: str, values: dict[str, str]) -> str:
    """Refresh every inline figure; unknown keys are left as they are (and reported)."""

    def sub(m: re.Match) -> str:
        key = m.group("key")
        if key not in values:
            print(f"warning: VALIDATION.md quotes unknown figure {key!r}", file=sys.stderr)
            return m.group(0)
        return m.group(1) + values[key] + m.group(4)

    text = INLINE.sub(sub, text)
    block = re.compile(r"(<!-- calibrated:start -->\n).*?(<!-- calibrated:end -->)", re.S)
    return block.sub(lambda m: m.group(1) + calibrated_table() + "\n" + m.group(2), text)


# --------------------------------------------------------------------------- main
def generate(replicates: int | None = None, log=print) -> list[Path]:
    """Run everything and write the figures file and the plots; return written paths."""
    t0 = time.time()
    sc = load_scenario(HISTORICAL)
    n = replicates or sc.replicates
    runs = run_replicates(sc, n)
    log(f"historical run: {n} replicates ({time.time() - t0:.0f} s)")
    mech = {name: fn() for name, fn in checks.MECHANISMS.items()}
    comp = {name: fn() for name, fn in checks.COMPARISONS.items()}
    ddr = checks.ddr_by_group()
    log(f"checks done ({time.time() - t0:.0f} s)")
    paths = plots(runs, sc.event_dates())
    rel = [p.relative_to(DOCS).as_posix() for p in paths]
    text = "\n".join(
        [
            "# Validation figures (generated)",
            "",
            "Generated by `python -m sim.validation` (`make validate`); do not edit by hand.",
            "Explained in [VALIDATION.md](VALIDATION.md). Intervals are 95% t-intervals of "
            "the mean over replicates.",
            "",
            f"## Calibration targets on the historical run ({n} replicates, seed {sc.seed})",
            "",
            target_table(runs),
            "",
            f"## Mechanism checks (paired replicates, n = {checks.salami.__defaults__[0]})",
            "",
            effects_table(mech),
            "",
            "## Scenario comparisons on the historical run (paired; each treatment in VALIDATION.md)",
            "",
            effects_table(comp),
            "",
            "## DDR per signatory group around the termination (historical run, 6 replicates)",
            "",
            ddr_table(ddr),
            "",
            "## Calibrated parameter values",
            "",
            calibrated_table(),
            "",
            "## Plots",
            "",
            *[f"![{r}]({r})" for r in rel],
            "",
        ]
    )
    atomic_write_text(FIGURES_MD, text)
    if VALIDATION_MD.exists():
        doc = render_inline(
            VALIDATION_MD.read_text(encoding="utf-8"), inline_values(runs, {**mech, **comp})
        )
        atomic_write_text(VALIDATION_MD, doc)
        from sim.validation import blind

        blind.write_docs(blind.generate())  # the blind test and what the posterior identifies
    log(f"wrote {FIGURES_MD.relative_to(ROOT)} and {len(paths)} plots ({time.time() - t0:.0f} s)")
    return [FIGURES_MD, *paths]


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m sim.validation``."""
    ap = argparse.ArgumentParser(prog="python -m sim.validation", description=__doc__)
    ap.add_argument("--replicates", type=int, default=None, help="replicates of the historical run")
    args = ap.parse_args(argv)
    if args.replicates is not None and args.replicates < 2:
        print("error: --replicates: must be an integer >= 2 (intervals need two)", file=sys.stderr)
        return 2
    generate(args.replicates)
    return 0
