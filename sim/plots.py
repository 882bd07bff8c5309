"""Plots of a run folder: headline indicators over time and maps of the regions.

Each time plot shows the median over replicates and a shaded 90% band (5th to 95th
percentile), dated on the x axis, with the scenario's events as labelled vertical lines.
A comparison scenario is drawn in another colour with dashed lines. Uses matplotlib's
Agg back end, so it works without a display.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sim.choices import DEFAULT_PLOTS, SUMMARY_PLOTS  # noqa: E402
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


# Fixed margins and gaps, in inches: a figure is laid out once, without tight_layout's
# extra drawing pass (which measured about as long as writing the PNG).
LEFT_IN, RIGHT_IN, TOP_IN = 0.8, 0.25, 0.75
"""Left margin (tick labels and unit), right margin, and top (figure and panel titles)."""
WSPACE_IN, HSPACE_IN, XTICKS_IN = 0.85, 0.7, 0.3
"""Gap between panel columns, between panel rows, and below the last row's year labels."""


def year_ticks(dates: pd.DatetimeIndex, most: int = 7) -> pd.DatetimeIndex:
    """1 January of every 1st, 2nd, 5th, 10th... year inside the run: at most ``most`` ticks.

    Computed once per figure (the same dates on every panel) instead of by a date locator
    on every redraw.
    """
    first, last = dates.min(), dates.max()
    years = range(first.year + (first.month > 1), last.year + 1)
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        ticks = [y for y in years if y % step == 0]
        if len(ticks) <= most:
            break
    return pd.DatetimeIndex([pd.Timestamp(year=y, month=1, day=1) for y in ticks])


def _layout(fig: Figure, rows: int, cols: int, bottom_in: float) -> None:
    """Place the panels with fixed margins (inches) and a ``bottom_in`` foot."""
    width, height = fig.get_size_inches()
    panel_w = (width - LEFT_IN - RIGHT_IN - (cols - 1) * WSPACE_IN) / cols
    panel_h = (height - TOP_IN - bottom_in - (rows - 1) * HSPACE_IN) / rows
    fig.subplots_adjust(
        left=LEFT_IN / width,
        right=1 - RIGHT_IN / width,
        top=1 - TOP_IN / height,
        bottom=bottom_in / height,
        wspace=WSPACE_IN / panel_w,
        hspace=HSPACE_IN / panel_h,
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
    ticks = year_ticks(_dates(ts)[1])
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
        ax.set_xticks(ticks, [str(t.year) for t in ticks])
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
    legend_in = 0.01 * height + 0.14 * len(lines) + 0.05
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, legend_in / height),
    )
    _layout(fig, rows, cols, legend_in + 0.3 + XTICKS_IN)
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
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02)
    return fig


DPI = 110
PNG_OPTIONS = {"compress_level": 1}
"""Fast zlib level: about 10% larger files, less time writing each PNG."""


@dataclass(frozen=True)
class PlotData:
    """Everything a plot is drawn from."""

    scenario: Scenario
    ts: pd.DataFrame
    rg: pd.DataFrame
    compare: Scenario | None = None
    compare_ts: pd.DataFrame | None = None
    compare_rg: pd.DataFrame | None = None


def _window(ts: pd.DataFrame) -> str:
    last = ts["step"].max()
    start, end = (ts.loc[ts["step"] == s, "date"].iloc[0] for s in (max(1, last - 11), last))
    return f"{start} to {end}"


MAPS: tuple[tuple[str, str, str, str, str, str, float, float | None], ...] = (
    (
        "map_civilian_harm",
        "civilian_harm",
        "Civilian harm per month, {window}",
        "Reds",
        "{:.0f}",
        "persons per month (mean over replicates)",
        0.0,
        None,
    ),
    (
        "map_trust",
        "trust",
        "Trust in the security forces, {window}",
        "RdYlGn",
        "{:.2f}",
        "trust index, 0-1 (mean over replicates)",
        0.0,
        1.0,
    ),
)
"""(file stem, region column, title, colour map, value format, bar label, vmin, vmax)."""


def plan_plots(data: PlotData, which: str = DEFAULT_PLOTS) -> list[tuple[str, str]]:
    """(file stem, caption) of every plot ``--plots which`` draws, in report order."""
    window = _window(data.ts)
    plan = [(stem, title) for stem, title, _ in TIME_PLOTS]
    plan += [
        (stem, f"Map: {title.format(window=window)} (schematic regions)")
        for stem, _, title, *_ in MAPS
    ]
    if data.compare is not None and data.compare_rg is not None:
        harm = MAPS[0][2].format(window=window)
        caption = f"{harm}: {data.scenario.name} minus {data.compare.name}"
        plan.append(("map_civilian_harm_difference", f"Map: {caption} (schematic regions)"))
    if which == "none":
        return []
    if which == "summary":
        return [(stem, caption) for stem, caption in plan if stem in SUMMARY_PLOTS]
    return plan


def _difference_map(data: PlotData) -> Figure:
    from sim.mapping import draw_region_map

    assert data.compare is not None and data.compare_rg is not None
    diff = final_year_by_region(data.rg, "civilian_harm") - final_year_by_region(
        data.compare_rg, "civilian_harm"
    )
    span = float(np.nanmax(np.abs(diff))) or 1.0
    harm = MAPS[0][2].format(window=_window(data.ts))  # the civilian-harm map's title
    title = f"{harm}\n{data.scenario.name} minus {data.compare.name}"
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    image = draw_region_map(
        ax, diff, cmap="RdBu_r", vmin=-span, vmax=span, title=title, fmt="{:+.1f}"
    )
    bar = fig.colorbar(image, ax=ax, shrink=0.75)
    bar.set_label("difference, persons per month (red: more harm here)", fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.02)
    return fig


def figure(stem: str, data: PlotData) -> Figure:
    """The figure of one plot (by file stem)."""
    for time_stem, title, columns in TIME_PLOTS:
        if stem == time_stem:
            return time_figure(
                title,
                columns,
                data.scenario,
                data.ts,
                compare=data.compare,
                compare_ts=data.compare_ts,
            )
    for map_stem, column, title, cmap, fmt, bar_label, vmin, vmax in MAPS:
        if stem == map_stem:
            text = f"{title.format(window=_window(data.ts))}\n{data.scenario.name}"
            return map_figure(data.rg, column, text, cmap, fmt, bar_label, vmin, vmax)
    if stem == "map_civilian_harm_difference":
        return _difference_map(data)
    raise ValueError(f"unknown plot {stem!r}")


def draw(folder: Path, stems: Sequence[str], data: PlotData) -> None:
    """Write the PNG of each stem into ``folder`` (in this process)."""
    # Labels, names and descriptions are the user's text: drawn as written, never parsed
    # as mathtext (an event label "$5 to $10" would otherwise stop the run at plotting).
    with matplotlib.rc_context({"text.parse_math": False}):
        for stem in stems:
            fig = figure(stem, data)
            fig.savefig(folder / f"{stem}.png", dpi=DPI, pil_kwargs=PNG_OPTIONS)
            plt.close(fig)


def make_plots(
    folder: Path,
    scenario: Scenario,
    ts: pd.DataFrame,
    rg: pd.DataFrame,
    *,
    compare: Scenario | None = None,
    compare_ts: pd.DataFrame | None = None,
    compare_rg: pd.DataFrame | None = None,
    which: str = DEFAULT_PLOTS,
) -> list[tuple[str, str]]:
    """Write the plots of ``--plots which`` into ``folder``, in this process.

    Drawing in a pool of processes measured slower on 2 cores: each worker pays for
    importing matplotlib and loading fonts (docs/PERFORMANCE.md).

    Args:
        folder: the ``plots/`` folder (created only when something is drawn).
        scenario: the scenario run; ``ts`` and ``rg`` its time series and region frames.
        ts: time series (one row per replicate and month).
        rg: region frame (one row per replicate, month and region).
        compare: the comparison scenario, with ``compare_ts`` and ``compare_rg``.
        compare_ts: its time series.
        compare_rg: its region frame.
        which: a ``--plots`` choice (:data:`sim.choices.PLOT_CHOICES`).

    Returns:
        (file name, caption) pairs in report order: exactly the files written.
    """
    data = PlotData(scenario, ts, rg, compare, compare_ts, compare_rg)
    plan = plan_plots(data, which)
    if plan:
        folder.mkdir(parents=True, exist_ok=True)
        draw(folder, [stem for stem, _ in plan], data)
    return [(f"{stem}.png", caption) for stem, caption in plan]


__all__ = [
    "TIME_PLOTS",
    "PlotData",
    "bands",
    "draw",
    "figure",
    "label",
    "make_plots",
    "map_figure",
    "plan_plots",
    "time_figure",
]
