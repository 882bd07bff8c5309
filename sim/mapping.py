"""A schematic map of Mali's regions for reports and the browser UI.

Region borders are not drawn from administrative data: each point of Mali's real
outline (Natural Earth 1:110m, public domain, ``sim/data/mali_outline.geojson``) is
given to the nearest regional capital (a Voronoi partition clipped to the outline).
Every map says "schematic" so nobody mistakes it for real borders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
from matplotlib.axes import Axes
from matplotlib.path import Path as MplPath

from sim.geography import load_geography

MAP_WEIGHTS: dict[str, float] = {"Bamako": 0.15, "Koulikoro": 1.2, "Kayes": 1.2}
"""Distance weights of the partition (a weighted Voronoi): Bamako is a small district."""

LABEL_OFFSETS: dict[str, tuple[float, float]] = {"Koulikoro": (-1.0, 1.2), "Bamako": (-1.4, -0.9)}
"""Label shifts (degrees) where two capitals are too close to read both names."""


@cache
def outline() -> np.ndarray:
    """Mali's outline as an (n, 2) array of (lon, lat)."""
    text = resources.files("sim").joinpath("data/mali_outline.geojson").read_text("utf-8")
    geom = json.loads(text)["features"][0]["geometry"]
    ring = geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
    return np.asarray(ring, dtype=float)


@cache
def region_raster(resolution: float = 0.04) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Label grid: index of the nearest capital inside Mali, -1 outside.

    Args:
        resolution: cell size in degrees.

    Returns:
        (labels with shape (rows, cols), extent (lon_min, lon_max, lat_min, lat_max)).
    """
    geo = load_geography()
    ring = outline()
    lon0, lat0 = ring.min(axis=0) - 0.2
    lon1, lat1 = ring.max(axis=0) + 0.2
    lons = np.arange(lon0, lon1, resolution)
    lats = np.arange(lat0, lat1, resolution)
    glon, glat = np.meshgrid(lons, lats)
    coslat = np.cos(np.deg2rad(17.0))
    dx = (glon[..., None] - geo.lon[None, None, :]) * coslat
    dy = glat[..., None] - geo.lat[None, None, :]
    weight = np.array([MAP_WEIGHTS.get(name, 1.0) for name in geo.names])
    labels = np.argmin(np.sqrt(dx * dx + dy * dy) / weight[None, None, :], axis=-1)
    inside = MplPath(ring).contains_points(np.column_stack([glon.ravel(), glat.ravel()]))
    labels = np.where(inside.reshape(labels.shape), labels, -1)
    labels.setflags(write=False)
    return labels, (float(lons[0]), float(lons[-1]), float(lats[0]), float(lats[-1]))


def draw_region_map(
    ax: Axes,
    values: Sequence[float],
    *,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    title: str = "",
    label: str = "",
    show_names: bool = True,
    fmt: str = "{:.2f}",
):
    """Colour each region by its value on a schematic map of Mali.

    Args:
        ax: matplotlib axes to draw into.
        values: one value per region, in ``load_geography().names`` order.
        cmap: matplotlib colour map name.
        vmin: lower end of the colour scale (default: the smallest value).
        vmax: upper end of the colour scale (default: the largest value).
        title: axes title.
        label: colour-bar label (the caller adds the colour bar from the return value).
        show_names: write region names and values at the capitals.
        fmt: format of the value under each name.

    Returns:
        The image artist (for ``fig.colorbar``).
    """
    geo = load_geography()
    vals = np.asarray(values, dtype=float)
    if vals.shape != (geo.n,):
        raise ValueError(f"expected {geo.n} values (one per region), got {vals.shape}")
    labels, extent = region_raster()
    grid = np.where(labels >= 0, vals[np.maximum(labels, 0)], np.nan)
    image = ax.imshow(
        grid,
        origin="lower",
        extent=extent,
        cmap=cmap,
        vmin=np.nanmin(vals) if vmin is None else vmin,
        vmax=np.nanmax(vals) if vmax is None else vmax,
        interpolation="nearest",
        aspect=1.0 / np.cos(np.deg2rad(17.0)),
    )
    lon = np.linspace(extent[0], extent[1], labels.shape[1])
    lat = np.linspace(extent[2], extent[3], labels.shape[0])
    ax.contour(lon, lat, labels, levels=np.arange(-0.5, geo.n), colors="white", linewidths=0.6)
    ring = outline()
    ax.plot(ring[:, 0], ring[:, 1], color="black", linewidth=1.0)
    if show_names:
        for i, name in enumerate(geo.names):
            dx, dy = LABEL_OFFSETS.get(name, (0.0, 0.0))
            ax.annotate(
                f"{name}\n{fmt.format(vals[i])}",
                (geo.lon[i] + dx, geo.lat[i] + dy),
                ha="center",
                va="center",
                fontsize=7,
                color="black",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.7, "lw": 0},
            )
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.01,
        0.01,
        "schematic regions (weighted nearest capital)",
        transform=ax.transAxes,
        fontsize=6,
        color="0.3",
    )
    if label:
        image.set_label(label)
    return image
