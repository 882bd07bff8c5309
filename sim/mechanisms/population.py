"""Where every person is: the stocks of each region and the named flows between them.

Each region's people are in exactly one stock: civilians (the communities), fighters
(armed groups), force personnel, disarmed in cantonment, communal militia fighters
(:mod:`sim.mechanisms.militias`), displaced (:mod:`sim.mechanisms.displacement`), or
dead. Every change of a
stock is a named flow of :class:`sim.world.PeopleFlows`, written by the mechanism that
moves the people; this module opens the month (flows at zero) and gives the shared
moves (taking civilians out of communities, putting them back, removing personnel
from units) and the balance that property tests check every month:

    civilians' = civilians - recruited - enlisted - civilians_killed + fighters_left
                 + reintegrated - relapsed - militia_joined + militia_left
                 - fled + returned
    fighters'  = fighters + recruited + relapsed + ddr_back_to_arms + fighters_in
                 - fighters_killed - rivals_killed - fighters_left - cantoned - fighters_out
    forces'    = forces + enlisted + integrated_in + forces_in - soldiers_killed - forces_out
    in_ddr'    = in_ddr + cantoned - ddr_back_to_arms - reintegrated - integrated_out
    dead'      = dead + civilians_killed + soldiers_killed + fighters_killed + rivals_killed
    militia'   = militia + militia_joined - militia_left
    displaced' = displaced + fled - returned

Fighters and militia fighters in a region never exceed its military-age men
(``People.men_r``): every flow into them is limited by :func:`fighter_room`.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.world import Communities, Forces, PeopleFlows, World

STOCKS: tuple[str, ...] = (
    "civilians",
    "fighters",
    "forces",
    "in_ddr",
    "dead",
    "militia",
    "displaced",
)
"""The stocks of a region, in the order of :func:`stocks`."""

BALANCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "civilians": (
        ("fighters_left", "reintegrated", "militia_left", "returned"),
        ("recruited", "enlisted", "civilians_killed", "relapsed", "militia_joined", "fled"),
    ),
    "fighters": (
        ("recruited", "relapsed", "ddr_back_to_arms", "fighters_in"),
        ("fighters_killed", "rivals_killed", "fighters_left", "cantoned", "fighters_out"),
    ),
    "forces": (("enlisted", "integrated_in", "forces_in"), ("soldiers_killed", "forces_out")),
    "in_ddr": (("cantoned",), ("ddr_back_to_arms", "reintegrated", "integrated_out")),
    "dead": (("civilians_killed", "soldiers_killed", "fighters_killed", "rivals_killed"), ()),
    "militia": (("militia_joined",), ("militia_left",)),
    "displaced": (("fled",), ("returned",)),
}
"""Inflows and outflows (names of :class:`sim.world.PeopleFlows`) of each stock."""

MOVES: tuple[tuple[str, str], ...] = (
    ("fighters_in", "fighters_out"),
    ("forces_in", "forces_out"),
    ("integrated_in", "integrated_out"),
)
"""Flows that move people between regions: nationally, what arrives equals what leaves."""


def empty_flows(regions: int) -> PeopleFlows:
    """Flows of a month in which nobody moved."""
    return PeopleFlows(**{f.name: np.zeros(regions, dtype=np.int64) for f in fields(PeopleFlows)})


def step_population(world: World, params: object, rng: np.random.Generator) -> None:
    """Open the month: every flow of people starts at zero."""
    world.people_flows = empty_flows(world.geo.n)


def stocks(world: World) -> np.ndarray:
    """People per stock (rows :data:`STOCKS`) and region (columns), whole persons."""
    n = world.geo.n
    c = world.communities
    f = world.forces
    return np.rint(
        np.vstack(
            [
                np.bincount(c.region, weights=c.people, minlength=n),
                world.armed.fighters.sum(axis=0),
                np.bincount(f.region, weights=f.size, minlength=n),
                world.people.in_ddr_gr.sum(axis=0),
                world.people.dead_r,
                world.militias.fighters_r,
                world.people.displaced_r,
            ]
        )
    ).astype(np.int64)


def balance_residual(before: np.ndarray, after: np.ndarray, flows: PeopleFlows) -> np.ndarray:
    """Change of each stock minus its named inflows plus its outflows (zero when balanced)."""
    residual = after - before
    for row, name in enumerate(STOCKS):
        inflows, outflows = BALANCE[name]
        for flow in inflows:
            residual[row] -= getattr(flows, flow)
        for flow in outflows:
            residual[row] += getattr(flows, flow)
    return residual


def fighter_room(world: World) -> np.ndarray:
    """Military-age men of each region not yet under arms, in groups or militias (never negative)."""
    armed = world.armed.fighters.sum(axis=0) + world.militias.fighters_r
    return np.maximum(world.people.men_r - armed, 0).astype(np.int64)


def refresh_people(c: Communities, regions: int) -> None:
    """Recompute the civilians of each region from the communities."""
    c.people_r = np.bincount(c.region, weights=c.people, minlength=regions)


def region_bounds(c: Communities, regions: int) -> np.ndarray:
    """Region ``r``'s communities are rows ``bounds[r]:bounds[r + 1]`` (built sorted by region)."""
    return np.searchsorted(c.region, np.arange(regions + 1))


def take_civilians(c: Communities, wanted_r: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Take whole people out of each region's communities, in proportion to their people.

    Returns the people taken per region (``wanted_r`` capped by the civilians there).
    One compiled pass (:func:`sim.kernels.take_rows`) seeded from ``rng``.
    """
    from sim import kernels  # numba loads on the first move, not on import

    n = len(wanted_r)
    wanted = np.asarray(wanted_r, dtype=np.int64)
    if not (wanted > 0).any():
        return np.zeros(n, dtype=np.int64)
    taken = kernels.take_rows(c.people, region_bounds(c, n), wanted, kernels.draw_seed(rng))
    c.people_r = c.people_r - taken  # whole persons: exact, as a fresh bincount would be
    return taken


def take_from_communities(c: Communities, counts: np.ndarray, regions: int) -> np.ndarray:
    """Take ``counts`` people out of each community (capped by its people); per region."""
    counts = np.minimum(counts, np.rint(c.people)).astype(np.int64)
    c.people -= counts
    refresh_people(c, regions)
    return np.bincount(c.region, weights=counts, minlength=regions).astype(np.int64)


def add_civilians(c: Communities, counts_r: np.ndarray, rng: np.random.Generator) -> None:
    """Return whole people to each region's communities, in proportion to their people.

    One compiled pass (:func:`sim.kernels.add_rows`) seeded from ``rng``.
    """
    from sim import kernels

    n = len(counts_r)
    counts = np.asarray(counts_r, dtype=np.int64)
    if not (counts > 0).any():
        return
    kernels.add_rows(c.people, region_bounds(c, n), counts, kernels.draw_seed(rng))
    c.people_r = c.people_r + counts  # whole persons: exact


def remove_personnel(f: Forces, units: np.ndarray, k: int, rng: np.random.Generator) -> int:
    """Take ``k`` people out of ``units`` at random; integrated ex-combatants leave with them.

    Returns the people removed (``k`` capped by the units' personnel). One compiled pass
    (:func:`sim.kernels.take_units`) seeded from ``rng``.
    """
    from sim import kernels

    if k <= 0 or len(units) == 0:
        return 0
    units = np.asarray(units, dtype=np.int64)
    return int(kernels.take_units(f.size, f.integrated, units, int(k), kernels.draw_seed(rng)))


def unit_bounds(f: Forces, regions: int) -> np.ndarray:
    """Region ``r``'s force units are rows ``bounds[r]:bounds[r + 1]`` (built sorted by region)."""
    return np.searchsorted(f.region, np.arange(regions + 1))


def remove_personnel_by_region(
    f: Forces, wanted_r: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`remove_personnel` from every region's units at once (one compiled pass).

    Returns the people removed per region and the integrated ex-combatants among them.
    """
    from sim import kernels

    n = len(wanted_r)
    wanted = np.asarray(wanted_r, dtype=np.int64)
    if not (wanted > 0).any():
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    bounds = unit_bounds(f, n)
    return kernels.take_units_by_region(
        f.size, f.integrated, bounds, wanted, kernels.draw_seed(rng)
    )


def add_personnel(f: Forces, counts_r: np.ndarray, rng: np.random.Generator) -> None:
    """Place ``counts_r`` people in each region's units, each unit equally likely."""
    from sim import kernels

    counts = np.asarray(counts_r, dtype=np.int64)
    if (counts > 0).any():
        bounds = unit_bounds(f, len(counts))
        kernels.add_units(f.size, bounds, counts, kernels.draw_seed(rng))


__all__ = [
    "BALANCE",
    "MOVES",
    "STOCKS",
    "add_civilians",
    "add_personnel",
    "balance_residual",
    "empty_flows",
    "fighter_room",
    "region_bounds",
    "remove_personnel",
    "remove_personnel_by_region",
    "step_population",
    "stocks",
    "take_civilians",
    "take_from_communities",
    "unit_bounds",
]
