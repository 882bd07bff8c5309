"""Browser-drawn pictures: live charts, the region map and the page address.

The charts and the map are SVG drawn in the participant's browser by small Vue
components (``sim/ui/vue/*.vue``, served with the page: nothing comes from outside).
The server sends numbers only: the chart layout once, then each update only the months
the browser has not seen yet (a few hundred bytes a month), and ten region values for
the map. Text is drawn at 12 px or more whatever the screen size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import ipyvuetify
import numpy as np
import solara
import traitlets

from sim.geography import load_geography
from sim.indicators import indicator

COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""Line colours inside one chart, in series order."""

PALETTE_GOOD_HIGH = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
PALETTE_GOOD_LOW = ("#fcfdbf", "#fc8961", "#b73779", "#51127c", "#000004")
"""Map colours from 0 to the top of the scale (viridis when high is good, else magma)."""


class Bound(ipyvuetify.VuetifyTemplate):
    """A widget that hands itself to ``ready_hook`` when created (to be updated in place).

    See :mod:`sim.ui.binding`.
    """

    ready_hook = traitlets.Callable(None, allow_none=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.ready_hook is not None:
            self.ready_hook(self)


class TextWidget(Bound):
    """A piece of HTML (status line, chips, event log) that can be updated in place."""

    template_file = (__file__, "vue/text.vue")
    tag = traitlets.Unicode("span").tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    content = traitlets.Unicode("").tag(sync=True)


class LiveChartsWidget(Bound):
    """Time-series charts drawn in the browser from rows of numbers."""

    template_file = (__file__, "vue/livecharts.vue")
    panels = traitlets.List([]).tag(sync=True)
    start = traitlets.Int(0).tag(sync=True)
    horizon = traitlets.Int(1).tag(sync=True)
    patch = traitlets.Dict({}).tag(sync=True)
    ghost = traitlets.Dict({}).tag(sync=True)
    markers = traitlets.List([]).tag(sync=True)
    gap_hook = traitlets.Callable(None, allow_none=True)
    drawn_hook = traitlets.Callable(None, allow_none=True)

    def vue_drawn(self, data: dict[str, int]) -> None:
        """The browser has drawn this many months of run ``gen``."""
        if self.drawn_hook is not None:
            self.drawn_hook(int(data["gen"]), int(data["month"]))

    def vue_gap(self, _data: object = None) -> None:
        """The browser missed months (e.g. a dropped message): send them all again."""
        if self.gap_hook is not None:
            self.gap_hook()


class RegionMapWidget(Bound):
    """The schematic region map drawn in the browser (shapes once, values per month)."""

    template_file = (__file__, "vue/regionmap.vue")
    shape = traitlets.Dict({}).tag(sync=True)
    values = traitlets.List([]).tag(sync=True)
    vmax = traitlets.Float(1.0).tag(sync=True)
    share = traitlets.Bool(False).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    good = traitlets.Unicode("").tag(sync=True)
    palette = traitlets.List(list(PALETTE_GOOD_LOW)).tag(sync=True)


class AddressWidget(Bound):
    """Keeps the page address's query string equal to ``query`` (no reload, no history)."""

    template_file = (__file__, "vue/address.vue")
    query = traitlets.Unicode(None, allow_none=True).tag(sync=True)


def chart_panels(panels: tuple[tuple[str, tuple[str, ...]], ...]) -> list[dict[str, Any]]:
    """The chart layout for the browser: titles, units and legend names from the registry."""
    out = []
    for title, columns in panels:
        units = {indicator(c).unit_label for c in columns}
        out.append(
            {
                "title": title,
                "unit": " / ".join(sorted(units)),
                "scale": all(indicator(c).is_scale for c in columns),
                "series": [
                    {"name": indicator(c).legend, "colour": COLOURS[j % len(COLOURS)]}
                    for j, c in enumerate(columns)
                ],
            }
        )
    return out


def compact(rows: np.ndarray) -> list[list[float]]:
    """Rows of numbers rounded to 4 significant digits (fewer bytes on the wire)."""
    return [[float(f"{v:.4g}") for v in row] for row in np.asarray(rows, dtype=float)]


@dataclass
class PatchTracker:
    """What one browser already holds, so that each update sends only the new months."""

    gen: int = 0
    sent: int = 0

    def patch(self, rows: np.ndarray, gen: int) -> dict[str, Any]:
        """The rows the browser lacks (all of them after a restart: ``gen`` changed)."""
        if gen != self.gen or len(rows) < self.sent:
            self.gen, self.sent = gen, 0
        # the last two months go again: harmless, and a render that never reached the
        # browser cannot leave a hole (a larger gap makes the browser ask for everything)
        start = max(0, min(self.sent, len(rows) - 2))
        self.sent = len(rows)
        return {"gen": gen, "from": start, "rows": compact(rows[start:])}


@cache
def map_shape(resolution: float = 0.12) -> dict[str, Any]:
    """Region outlines as SVG paths (runs of raster cells) with label positions.

    Sent once per page; each month only the region values follow.
    """
    from sim.mapping import region_raster

    labels, _ = region_raster(resolution)
    rows, cols = labels.shape
    unit = 4.0  # SVG units per cell
    aspect = float(np.cos(np.deg2rad(17.0)))
    geo = load_geography()
    regions = []
    for i, name in enumerate(geo.names):
        parts = []
        ys, xs = np.nonzero(labels == i)
        for r in np.unique(ys):
            line = np.flatnonzero(labels[r] == i)
            breaks = np.flatnonzero(np.diff(line) > 1)
            starts = np.concatenate([[line[0]], line[breaks + 1]])
            ends = np.concatenate([line[breaks], [line[-1]]])
            y = (rows - 1 - r) * unit
            for a, b in zip(starts, ends, strict=True):
                x, w = a * unit * aspect, (b - a + 1) * unit * aspect
                parts.append(f"M{x:.1f} {y:.1f}h{w:.1f}v{unit:.0f}h{-w:.1f}z")
        cx = float(xs.mean()) * unit * aspect if len(xs) else 0.0
        cy = (rows - 1 - float(ys.mean())) * unit if len(ys) else 0.0
        regions.append({"name": name, "d": "".join(parts), "x": round(cx, 1), "y": round(cy, 1)})
    _spread_labels(regions)
    return {"width": round(cols * unit * aspect, 1), "height": rows * unit, "regions": regions}


def _spread_labels(regions: list[dict[str, Any]], gap: float = 30.0) -> None:
    """Move a label down when it sits on another (Bamako lies inside Koulikoro's box)."""
    for i, a in enumerate(regions):
        for b in regions[:i]:
            if abs(a["x"] - b["x"]) < 60 and abs(a["y"] - b["y"]) < gap:
                a["y"] = round(b["y"] + gap, 1)


def map_traits(message: dict[str, Any]) -> dict[str, Any]:
    """The map widget's settings for a column (its values are set by the binding)."""
    good_high = message["good_high"]
    return {
        "shape": map_shape(),
        "share": message["share"],
        "good": "yellow: better" if good_high else "darker: worse",
        "palette": list(PALETTE_GOOD_HIGH if good_high else PALETTE_GOOD_LOW),
    }


@solara.component
def LiveCharts(
    panels: list[dict[str, Any]],
    start: int,
    horizon: int,
    patch: dict[str, Any],
    ghost: dict[str, Any],
    markers: list[dict[str, Any]],
) -> None:
    """A chart element (each argument is sent only when it changes), e.g. for the projector."""
    LiveChartsWidget.element(
        panels=panels, start=start, horizon=horizon, patch=patch, ghost=ghost, markers=markers
    )
