"""Mali's regions as a network: nodes are regions, edges shared borders.

The data live in ``sim/data/regions.json`` with their sources. Region attributes are
held as numpy arrays (one entry per region) because every mechanism aggregates over
regions each month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # networkx loads when the map is built, not when a scenario is checked
    import networkx as nx

GROUP_NAMES: tuple[str, ...] = ("CMA", "Platform", "JNIM", "ISGS")
"""Armed groups: two signatory coalitions of the 2015 agreement, two jihadist groups."""

SIGNATORY: np.ndarray = np.array([True, True, False, False])
PRO_GOVERNMENT: np.ndarray = np.array([False, True, False, False])


@dataclass(frozen=True)
class Geography:
    """Static description of the regions (read-only arrays, one entry per region)."""

    names: tuple[str, ...]
    zones: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    hardship: np.ndarray
    remoteness: np.ndarray
    trafficking: np.ndarray
    communal_tension: np.ndarray
    forces: np.ndarray
    peacekeepers: np.ndarray
    fighters: np.ndarray  # shape (groups, regions)
    adjacency: np.ndarray  # (regions, regions) 0/1 float, no self loops
    graph: nx.Graph

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.names)

    def index(self, name: str) -> int:
        """Index of a region by name."""
        return self.names.index(name)

    def zone_mask(self, zone: str) -> np.ndarray:
        """Boolean mask of the regions in a zone ("north", "centre" or "south")."""
        return np.array([z == zone for z in self.zones])


@cache
def load_geography() -> Geography:
    """Load the regions file shipped with the package (cached; arrays are read-only)."""
    from importlib import resources  # with tempfile and shutil: not needed by `ssr check`

    text = resources.files("sim").joinpath("data/regions.json").read_text(encoding="utf-8")
    data = json.loads(text)
    regions = data["regions"]
    names = tuple(r["name"] for r in regions)

    def arr(key: str) -> np.ndarray:
        a = np.array([float(r[key]) for r in regions])
        a.setflags(write=False)
        return a

    fighters = np.array([[r["fighters"][g] for r in regions] for g in GROUP_NAMES], dtype=float)
    fighters.setflags(write=False)
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(names)
    graph.add_edges_from(tuple(e) for e in data["borders"])
    adjacency = nx.to_numpy_array(graph, nodelist=list(names))
    adjacency.setflags(write=False)
    return Geography(
        names=names,
        zones=tuple(r["zone"] for r in regions),
        lat=arr("lat"),
        lon=arr("lon"),
        population=arr("population"),
        hardship=arr("hardship"),
        remoteness=arr("remoteness"),
        trafficking=arr("trafficking"),
        communal_tension=arr("communal_tension"),
        forces=arr("forces"),
        peacekeepers=arr("peacekeepers"),
        fighters=fighters,
        adjacency=adjacency,
        graph=graph,
    )
