"""Fast live pictures for the browser app: charts and map redrawn every month.

A full matplotlib redraw of eight charts takes about 0.3 s on a workshop laptop, too slow
for a responsive Step button. These classes keep one figure per session and draw the
static parts (axes, ticks, titles, baseline lines, event markers) once into a cached
background; each month only the data lines are drawn on top of it (Agg "blitting") and
the picture is encoded with a fast PNG setting. A full redraw happens only when an event
marker is added or a line leaves its axis range.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from sim.geography import load_geography
from sim.indicators import indicator

PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Incidents per month", ("incidents",)),
    ("Civilians harmed per month", ("civilian_harm",)),
    ("Trust in the forces (index)", ("trust",)),
    ("Corruption (index)", ("corruption",)),
    (
        "DDR, cumulative persons",
        ("ddr_registered", "ddr_disarmed", "ddr_reintegrated", "ddr_integrated", "ddr_rearmed"),
    ),
    ("Armed-group fighters", ("fighters_signatory", "fighters_jihadist")),
    ("Reform index", ("reform_index",)),
    ("Oversight and CSO monitoring", ("oversight", "detection", "cso_capacity")),
)
"""The live charts: (title, indicators drawn in that panel)."""

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as PNG bytes (fast compression: these pictures live for one frame)."""
    w, h = canvas.get_width_height()
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


class LiveCharts:
    """The eight time-series charts of one session.

    Args:
        x_range: (first, last) x value as fractional years.
        baseline: the baseline run (column ``x`` plus indicators) drawn dashed, or None.
        dpi: resolution (72 on screen; more for the PNG download).
    """

    def __init__(
        self, x_range: tuple[float, float], baseline: pd.DataFrame | None, *, dpi: int = 72
    ) -> None:
        self.fig = Figure(figsize=(10.5, 9.0), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        axes = self.fig.subplots(4, 2, sharex=True)
        self.fig.subplots_adjust(
            left=0.07, right=0.985, top=0.955, bottom=0.045, hspace=0.38, wspace=0.17
        )
        self.axes = list(axes.ravel())
        self.lines: list[tuple[object, str]] = []  # (Line2D, column)
        self.dots: list[object] = []  # the latest value of each line
        self.markers: tuple[tuple[float, str, bool], ...] = ()
        self._marker_artists: list[object] = []
        self._background = None
        self._ymax: list[float] = []
        for ax, (title, cols) in zip(self.axes, PANELS, strict=True):
            ax.set_title(title, fontsize=10, loc="left")
            ax.set_xlim(*x_range)
            ax.grid(alpha=0.25, linewidth=0.5)
            ax.tick_params(labelsize=8)
            top = 0.0
            for j, col in enumerate(cols):
                colour = COLOURS[j % len(COLOURS)]
                if baseline is not None and not baseline.empty:
                    ax.plot(baseline["x"], baseline[col], color=colour, alpha=0.4, lw=1.0, ls="--")
                    top = max(top, float(baseline[col].max()))
                (line,) = ax.plot([], [], color=colour, lw=1.5, label=indicator(col).legend)
                (dot,) = ax.plot([], [], "o", color=colour, ms=3.5)
                line.set_animated(True)
                dot.set_animated(True)
                self.lines.append((line, col))
                self.dots.append(dot)
            if len(cols) > 1:
                ax.legend(
                    fontsize=7, loc="upper left", frameon=False, ncol=2 if len(cols) > 3 else 1
                )
            ymax = 1.0 if all(indicator(c).is_scale for c in cols) else max(top * 1.15, 1.0)
            ax.set_ylim(0, ymax)
            self._ymax.append(ymax)
        if baseline is not None and not baseline.empty:
            self.fig.text(
                0.985,
                0.99,
                "dashed: baseline scenario, same seed · dotted: events (faint: planned)",
                ha="right",
                va="top",
                fontsize=7.5,
                color="0.35",
            )

    def _set_markers(self, markers: tuple[tuple[float, str, bool], ...]) -> None:
        for artist in self._marker_artists:
            artist.remove()  # type: ignore[attr-defined]
        self._marker_artists = []
        for ax in self.axes:
            for mx, _, done in markers:
                self._marker_artists.append(
                    ax.axvline(mx, color="0.3", lw=0.8, ls=":", alpha=1.0 if done else 0.4)
                )
        applied = [(mx, label) for mx, label, done in markers if done]
        for i, (mx, label) in enumerate(applied):  # planned events: faint line, no label
            for ax in self.axes[:2]:
                self._marker_artists.append(
                    ax.annotate(
                        label,
                        (mx, 1.0),
                        xycoords=("data", "axes fraction"),
                        xytext=(2, -9 - 9 * (i % 4)),
                        textcoords="offset points",
                        fontsize=7,
                        color="0.2",
                    )
                )
        self.markers = markers

    def render(
        self, x: np.ndarray, frame: pd.DataFrame, markers: Sequence[tuple[float, str, bool]]
    ) -> bytes:
        """Draw the run so far and return the PNG.

        Args:
            x: fractional years of the months simulated.
            frame: indicators of those months.
            markers: (x, label, applied) of events; planned ones are drawn faint.
        """
        markers = tuple(markers)
        full = self._background is None or markers != self.markers
        if markers != self.markers:
            self._set_markers(markers)
        per_axis: dict[int, float] = {}
        for (line, col), dot in zip(self.lines, self.dots, strict=True):
            y = frame[col].to_numpy(dtype=float) if len(x) else np.array([])
            line.set_data(x, y)  # type: ignore[attr-defined]
            dot.set_data(x[-1:], y[-1:])  # type: ignore[attr-defined]
            if len(y):
                i = self.axes.index(line.axes)  # type: ignore[attr-defined]
                per_axis[i] = max(per_axis.get(i, 0.0), float(np.nanmax(y)))
        for i, top in per_axis.items():
            if top > self._ymax[i]:
                self._ymax[i] = top * 1.25
                self.axes[i].set_ylim(0, self._ymax[i])
                full = True
        if full:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for (line, _), dot in zip(self.lines, self.dots, strict=True):
            line.axes.draw_artist(line)  # type: ignore[attr-defined]
            dot.axes.draw_artist(dot)  # type: ignore[attr-defined]
        return encode_png(self.canvas)


class LiveMap:
    """The schematic region map of one session for one region column.

    Args:
        title: plain-language name of the column.
        cmap: colour map.
        fmt: format of the value under each region name.
        dpi: resolution.
    """

    def __init__(self, title: str, cmap: str, fmt: str, *, dpi: int = 72) -> None:
        from sim.mapping import draw_region_map

        self.geo = load_geography()
        self.cmap = cmap
        self.fmt = fmt
        self.title = title
        self.fig = Figure(figsize=(5.0, 4.4), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.01, 0.01, 0.82, 0.9))
        cax = self.fig.add_axes((0.86, 0.12, 0.03, 0.7))
        n = self.geo.n
        self.image = draw_region_map(
            self.ax, np.zeros(n), cmap=cmap, vmin=0, vmax=1, show_names=True, fmt=fmt
        )
        self.names = [t for t in self.ax.texts if t.get_text().split("\n")[0] in self.geo.names]
        self.colorbar = self.fig.colorbar(self.image, cax=cax)
        cax.tick_params(labelsize=7)
        from sim.mapping import region_raster

        self.labels = region_raster()[0]

    def render(self, values: np.ndarray | None, vmax: float, when: str) -> bytes:
        """Colour the regions by ``values`` (None: not started) and return the PNG."""
        if values is None:
            grid = np.where(self.labels >= 0, 0.0, np.nan)
            self.image.set_cmap("Greys")
            self.image.set_clim(0, 1)
            for t, name in zip(self.names, self.geo.names, strict=True):
                t.set_text(name)
            self.ax.set_title(f"{self.title}: press Step or Play", fontsize=10)
        else:
            vals = np.asarray(values, dtype=float)
            grid = np.where(self.labels >= 0, vals[np.maximum(self.labels, 0)], np.nan)
            self.image.set_cmap(self.cmap)
            self.image.set_clim(0, vmax)
            for t, name, v in zip(self.names, self.geo.names, vals, strict=True):
                t.set_text(f"{name}\n{self.fmt.format(v)}")
            self.ax.set_title(f"{self.title}, {when}", fontsize=10)
        self.image.set_data(grid)
        self.canvas.draw()
        return encode_png(self.canvas)
