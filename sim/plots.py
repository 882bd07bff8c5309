"""Plots of a run folder: headline indicators over time and maps of the regions.

Each time plot shows the median over replicates and a shaded 90% band (5th to 95th
percentile), dated on the x axis, with the scenario's events as labelled vertical lines.
A comparison scenario is drawn in another colour with dashed lines. Uses matplotlib's
Agg back end, so it works without a display.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sim.geography import load_geography  # noqa: E402
from sim.indicators import indicator, label  # noqa: E402
from sim.scenario import Scenario  # noqa: E402

THIS_COLOUR = "#1f5fa8"
OTHER_COLOUR = "#d9541e"
EVENT_COLOUR = "0.3"
MIN_SCALE_SPAN = 0.2
"""Smallest y range of a 0-1 panel, so small wiggles do not look like big swings."""

TIME_PLOTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("incidents", "Violent incidents", ("incidents",)),
    (
        "civilian_harm",
        "Civilian harm by perpetrator",
        ("civilian_harm_by_forces", "civilian_harm_by_armed_groups"),
    ),
    ("trust_corruption", "Trust and corruption", ("trust", "corruption")),
    (
        "ddr",
        "DDR stages (cumulative numbers of people)",
        ("ddr_registered", "ddr_disarmed", "ddr_reintegrated", "ddr_integrated", "ddr_rearmed"),
    ),
    (
        "fighters",
        "Armed-group strength: signatory vs jihadist",
        ("fighters_signatory", "fighters_jihadist"),
    ),
    ("reform_oversight", "Reform progress and oversight", ("reform_index", "oversight")),
    ("state_control", "State control", ("state_control",)),
    ("cso_capacity", "Civil society capacity", ("cso_capacity",)),
    ("donor_funding", "Donor and partner funding", ("donor_funding",)),
)
"""(file stem, figure title, indicators): one PNG per entry, one panel per indicator."""


def unit(name: str) -> str:
    """Unit of an indicator as an axis reads it ("index, 0-1")."""
    return indicator(name).unit_label


def _dates(ts: pd.DataFrame) -> tuple[np.ndarray, pd.DatetimeIndex]:
    steps = np.sort(ts["step"].unique())
    by_step = ts.drop_duplicates("step").set_index("step")["date"]
    return steps, pd.to_datetime(by_step.loc[steps].to_numpy(), format="%Y-%m")


def bands(ts: pd.DataFrame, column: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Dates and the (5th, 50th, 95th) percentiles over replicates at each step."""
    steps, dates = _dates(ts)
    wide = ts.pivot(index="replicate", columns="step", values=column)[steps].to_numpy(float)
    return dates, np.percentile(wide, [5, 50, 95], axis=0)


def _draw_series(ax: Axes, ts: pd.DataFrame, column: str, colour: str, dashed: bool, name: str):
    dates, (lo, mid, hi) = bands(ts, column)
    ax.fill_between(dates, lo, hi, color=colour, alpha=0.18 if not dashed else 0.12, linewidth=0)
    (line,) = ax.plot(
        dates, mid, color=colour, linestyle="--" if dashed else "-", linewidth=1.8, label=name
    )
    return line


EventMark = tuple[pd.Timestamp, str, str]
"""(month, text drawn at the line, colour)."""


def event_marks(
    scenario: Scenario, compare: Scenario | None = None
) -> tuple[list[EventMark], list[str]]:
    """Event lines to draw, and a key of numbered events when labels would collide.

    Up to three events at least 18 months apart carry their label at the line; otherwise
    each line carries a number and the key below the figure gives the labels. Events of
    the comparison scenario that this scenario lacks are drawn in the comparison colour.
    """
    mine = scenario.event_dates()
    items = [(d, t, EVENT_COLOUR) for d, t in mine]
    if compare is not None:
        items += [(d, t, OTHER_COLOUR) for d, t in compare.event_dates() if (d, t) not in mine]
    items.sort(key=lambda e: e[0])
    stamps = [pd.Timestamp(d + "-01") for d, _, _ in items]
    gaps = [(b - a).days / 30.4 for a, b in zip(stamps, stamps[1:], strict=False)]
    sparse = len(items) <= 3 and all(g >= 18 for g in gaps)
    if sparse:
        return [(x, t, c) for x, (_, t, c) in zip(stamps, items, strict=True)], []
    marks = [(x, str(i + 1), c) for i, (x, (_, _, c)) in enumerate(zip(stamps, items, strict=True))]
    key = [f"{i + 1} = {t} ({d})" for i, (d, t, _) in enumerate(items)]
    return marks, key


def _mark_events(ax: Axes, marks: list[EventMark]) -> None:
    ymin, ymax = ax.get_ylim()
    for x, text, colour in marks:
        ax.axvline(x, color=colour, linestyle=":", linewidth=0.9, alpha=0.8)
        short = len(text) <= 2
        ax.text(
            x,
            ymax,
            text if short else " " + text,
            rotation=0 if short else 90,
            va="bottom" if short else "top",
            ha="center" if short else "right",
            fontsize=7,
            color=colour,
            bbox=None
            if short
            else {"boxstyle": "square,pad=0.1", "fc": "white", "alpha": 0.6, "lw": 0},
        )
    ax.set_ylim(ymin, ymax)


def _grid(n: int) -> tuple[int, int]:
    if n <= 2:
        return 1, n
    if n <= 4:
        return 2, 2
    return 2, 3


def _scale_axis(ax: Axes, column: str) -> None:
    """0-1 scales show at least a 0.2 range (no exaggerated zoom); counts start at 0."""
    lo, hi = ax.get_ylim()
    if unit(column).endswith("0-1"):
        lo, hi = max(lo, 0.0), min(hi, 1.0)
        if hi - lo < MIN_SCALE_SPAN:
            mid = min(max((lo + hi) / 2, MIN_SCALE_SPAN / 2), 1 - MIN_SCALE_SPAN / 2)
            lo, hi = mid - MIN_SCALE_SPAN / 2, mid + MIN_SCALE_SPAN / 2
        ax.set_ylim(lo, hi)
    else:
        ax.set_ylim(0.0, hi * 1.08 if hi > 0 else 1.0)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1000 else f"{v:g}")
        )


def time_figure(
    title: str,
    columns: tuple[str, ...],
    scenario: Scenario,
    ts: pd.DataFrame,
    *,
    compare: Scenario | None = None,
    compare_ts: pd.DataFrame | None = None,
) -> Figure:
    """One figure: a panel per indicator, median and 90% band, events marked."""
    rows, cols = _grid(len(columns))
    marks, key = event_marks(scenario, compare)
    key_lines = textwrap.wrap("Events: " + "; ".join(key), 150 if cols > 2 else 110) if key else []
    foot = 0.35 + 0.14 * len(key_lines)
    height = 3.4 * rows + 0.4 + foot
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, height), squeeze=False)
    flat = axes.ravel()
    handles = []
    for ax, column in zip(flat, columns, strict=False):
        h = _draw_series(ax, ts, column, THIS_COLOUR, False, scenario.name)
        handles = [h]
        if compare is not None and compare_ts is not None and column in compare_ts:
            handles.append(
                _draw_series(
                    ax, compare_ts, column, OTHER_COLOUR, True, f"{compare.name} (comparison)"
                )
            )
        ax.set_title(label(column), fontsize=10, pad=10 if key else 6)
        ax.set_ylabel(unit(column), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        _scale_axis(ax, column)
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        _mark_events(ax, marks)
    for ax in flat[len(columns) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    n = scenario.replicates
    note = f"Line: median of {n} replicates; shaded: 90% band (5th-95th percentile)."
    lines = [*key_lines, note]
    fig.text(
        0.5,
        0.01,
        "\n".join(lines),
        ha="center",
        va="bottom",
        fontsize=7,
        color="0.25",
        linespacing=1.4,
    )
    legend_y = (0.01 * height + 0.14 * len(lines) + 0.05) / height
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, legend_y),
    )
    fig.tight_layout(rect=(0, legend_y + 0.3 / height, 1, 1))
    return fig


def final_year_by_region(rg: pd.DataFrame, column: str, months: int = 12) -> np.ndarray:
    """Mean over the last ``months`` steps and all replicates, per region (geography order)."""
    steps = np.sort(rg["step"].unique())[-months:]
    sub = rg[rg["step"].isin(steps)]
    means = sub.groupby("region")[column].mean()
    return means.reindex(load_geography().names).to_numpy(float)


def map_figure(
    rg: pd.DataFrame,
    column: str,
    title: str,
    cmap: str,
    fmt: str,
    bar_label: str,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """A schematic map of the regions coloured by the final-year mean of ``column``."""
    from sim.mapping import draw_region_map

    values = final_year_by_region(rg, column)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    image = draw_region_map(ax, values, cmap=cmap, vmin=vmin, vmax=vmax, title=title, fmt=fmt)
    bar = fig.colorbar(image, ax=ax, shrink=0.75)
    bar.set_label(bar_label, fontsize=9)
    fig.tight_layout()
    return fig


def make_plots(
    folder: Path,
    scenario: Scenario,
    ts: pd.DataFrame,
    rg: pd.DataFrame,
    *,
    compare: Scenario | None = None,
    compare_ts: pd.DataFrame | None = None,
    compare_rg: pd.DataFrame | None = None,
) -> list[tuple[str, str]]:
    """Write every plot into ``folder``; return (file name, caption) pairs in report order."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, str]] = []
    for stem, title, columns in TIME_PLOTS:
        fig = time_figure(title, columns, scenario, ts, compare=compare, compare_ts=compare_ts)
        fig.savefig(folder / f"{stem}.png", dpi=110)
        plt.close(fig)
        written.append((f"{stem}.png", title))
    start, end = (
        ts.loc[ts["step"] == s, "date"].iloc[0]
        for s in (max(1, ts["step"].max() - 11), ts["step"].max())
    )
    window = f"{start} to {end}"
    maps = (
        (
            "map_civilian_harm",
            "civilian_harm",
            f"Civilian harm per month, {window}",
            "Reds",
            "{:.0f}",
            "persons per month (mean over replicates)",
            0.0,
            None,
        ),
        (
            "map_trust",
            "trust",
            f"Trust in the security forces, {window}",
            "RdYlGn",
            "{:.2f}",
            "trust index, 0-1 (mean over replicates)",
            0.0,
            1.0,
        ),
    )
    for stem, column, title, cmap, fmt, bar_label, vmin, vmax in maps:
        fig = map_figure(rg, column, f"{title}\n{scenario.name}", cmap, fmt, bar_label, vmin, vmax)
        fig.savefig(folder / f"{stem}.png", dpi=110)
        plt.close(fig)
        written.append((f"{stem}.png", f"Map: {title} (schematic regions)"))
    if compare is not None and compare_rg is not None:
        from sim.mapping import draw_region_map

        diff = final_year_by_region(rg, "civilian_harm") - final_year_by_region(
            compare_rg, "civilian_harm"
        )
        span = float(np.nanmax(np.abs(diff))) or 1.0
        title = f"Civilian harm per month, {window}\n{scenario.name} minus {compare.name}"
        fig, ax = plt.subplots(figsize=(7.5, 6.5))
        image = draw_region_map(
            ax, diff, cmap="RdBu_r", vmin=-span, vmax=span, title=title, fmt="{:+.1f}"
        )
        bar = fig.colorbar(image, ax=ax, shrink=0.75)
        bar.set_label("difference, persons per month (red: more harm here)", fontsize=9)
        fig.tight_layout()
        fig.savefig(folder / "map_civilian_harm_difference.png", dpi=110)
        plt.close(fig)
        caption = title.replace("\n", ": ")
        written.append(("map_civilian_harm_difference.png", f"Map: {caption} (schematic regions)"))
    return written


__all__ = ["TIME_PLOTS", "bands", "label", "make_plots", "map_figure", "time_figure"]
