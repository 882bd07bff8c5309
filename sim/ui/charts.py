"""The charts as a picture for the PNG download (matplotlib, drawn only when asked).

On the page the charts are drawn by the browser (:mod:`sim.ui.widgets`); this module
only makes the printable copy. Text is drawn literally (a label such as "$5m cut" is
not read as a formula).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.indicators import indicator
from sim.ui.widgets import COLOURS


def draw_charts(
    panels: Sequence[tuple[str, tuple[str, ...]]],
    x_range: tuple[float, float],
    run: tuple[np.ndarray, pd.DataFrame],
    comparison: tuple[np.ndarray, pd.DataFrame, str] | None,
    markers: Sequence[tuple[float, str]],
    title: str,
    dpi: int = 130,
) -> bytes:
    """The charts as PNG bytes.

    Args:
        panels: (title, indicator columns) per chart.
        x_range: first and last x (fractional years).
        run: (x, frame) of the participant's run.
        comparison: (x, frame, label) drawn dashed, or None.
        markers: (x, label) of applied events, drawn dotted.
        title: lines above the charts (scenario, seed, sliders, events).
        dpi: resolution.
    """
    with matplotlib.rc_context({"text.parse_math": False}):
        fig = Figure(figsize=(11.0, 10.5), dpi=dpi)
        FigureCanvasAgg(fig)
        axes = fig.subplots(4, 2, sharex=True).ravel()
        fig.subplots_adjust(left=0.07, right=0.985, top=0.86, bottom=0.04, hspace=0.4)
        fig.text(0.01, 0.995, title, fontsize=8, va="top", ha="left")
        for ax, (name, cols) in zip(axes, panels, strict=True):
            _panel(ax, name, cols, run, comparison, markers, x_range)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def panels_first(ax) -> str:
    """Title of the first chart of the figure (event labels are written there only)."""
    return ax.figure.axes[0].get_title(loc="left")


def _panel(ax, name, cols, run, comparison, markers, x_range) -> None:
    ax.set_title(name, fontsize=10, loc="left")
    ax.set_xlim(*x_range)
    ax.grid(alpha=0.25, linewidth=0.5)
    ax.tick_params(labelsize=8)
    x, frame = run
    for j, col in enumerate(cols):
        colour = COLOURS[j % len(COLOURS)]
        if comparison is not None:
            cx, cframe, _ = comparison
            ax.plot(cx, cframe[col], color=colour, alpha=0.45, lw=1.0, ls="--")
        if len(x):
            ax.plot(x, frame[col], color=colour, lw=1.5, label=indicator(col).legend)
    for i, (mx, label) in enumerate(markers):
        ax.axvline(mx, color="0.3", lw=0.8, ls=":")
        if name == panels_first(ax):
            ax.annotate(
                label,
                (mx, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -9 - 9 * (i % 4)),
                textcoords="offset points",
                fontsize=7,
                color="0.2",
            )
    if len(cols) > 1 and len(x):
        ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=2 if len(cols) > 3 else 1)
    if all(indicator(c).is_scale for c in cols):
        ax.set_ylim(0, 1)
    else:
        ax.set_ylim(bottom=0)
