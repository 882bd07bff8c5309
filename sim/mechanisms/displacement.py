"""Displaced people: civilians who flee violence and return when it is safe.

People flee their communities when armed groups, militias or the forces harm civilians
around them, and go back when the violence has stopped and the state holds the ground.
The displaced (internally displaced people, counted by region of origin) are a stock of
the people ledger (:mod:`sim.mechanisms.population`): they are no longer civilians of
their communities (nobody recruits them there), and every person who leaves or returns
is a named flow, ``fled`` (civilians -> displaced) or ``returned`` (displaced ->
civilians). Per region r, each month, with the month's civilian harm of all
perpetrators per 100,000 people:

    danger_r    = 1 - exp(-harm_r / (pop_r / 100k) / danger_scale)
    fled_r      ~ Binomial(civilians_r, flight_rate * danger_r)
    safe_r      = control_r * (1 - danger_r)
    returned_r  ~ Binomial(displaced_r, return_rate * safe_r)

so a region at steady danger d and control c holds displaced/civilians =
flight_rate * d / (return_rate * c * (1 - d)). The flight is drawn from this month's
harm, so it follows the violence (UNHCR and the Commission on Population Movements
count most of Mali's displaced in the centre and the north); people also return to
regions the state has retaken. Refugees abroad are not modelled (the record holds no
figure for them). The record's only figure for the stock is about 330,000 internally
displaced people in mid-2024, 7% fewer than six months earlier ("Hay 330.000
desplazados internos en Mali, un 7 % menos que hace seis meses, según la ONU", ABC Color
(EFE), 2024-06-26); the rates here are assumptions with bounds to sweep
(docs/VALIDATION.md compares the historical run with that figure).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim import draws
from sim.mechanisms.population import add_civilians, take_civilians
from sim.paramtools import ParamGroup, param
from sim.world import World


class DisplacementParams(ParamGroup):
    """Civilians fleeing violence and returning."""

    flight_rate: float = param(
        0.01,
        0,
        0.5,
        "share of civilians per month",
        "Share of a region's civilians who flee in a month of full danger.",
        "assumption; sweep 0.002-0.03",
    )
    danger_scale: float = param(
        20.0,
        0.01,
        10000,
        "persons harmed per 100,000 people per month",
        "Civilian harm (all perpetrators) at which 63% of the full danger is felt.",
        "assumption; sweep 5-50",
    )
    return_rate: float = param(
        0.03,
        0,
        1,
        "share of the displaced per month",
        "Share of a region's displaced who go home in a month of full safety.",
        "assumption; sweep 0.01-0.1 (displacement in the Sahel lasts years)",
    )


class Needs(Protocol):
    """The parameter groups this mechanism reads (:class:`sim.params.Params` has them)."""

    displacement: DisplacementParams


def danger(world: World, p: DisplacementParams) -> np.ndarray:
    """Danger felt from this month's civilian harm, all perpetrators, 0-1 per region."""
    flows = world.flows
    harm = flows.civ_harm_armed_r + flows.civ_harm_forces_r + world.militias.harm_r
    per_100k = harm / (world.geo.population / 1e5)
    return 1.0 - np.exp(-per_100k / p.danger_scale)


def step_displacement(world: World, params: Needs, rng: np.random.Generator) -> None:
    """Civilians flee the month's violence; the displaced return where it is safe."""
    p = params.displacement
    c = world.communities
    people = world.people
    d = danger(world, p)
    civilians = np.rint(c.people_r).astype(np.int64)
    fleeing = draws.binomial(rng, np.maximum(civilians, 0), np.clip(p.flight_rate * d, 0.0, 1.0))
    safe = world.flows.control_r * (1.0 - d)
    returning = draws.binomial(rng, people.displaced_r, np.clip(p.return_rate * safe, 0.0, 1.0))
    fled = take_civilians(c, fleeing, rng)
    add_civilians(c, returning, rng)
    people.displaced_r += fled - returning
    world.people_flows.fled = fled
    world.people_flows.returned = returning.astype(np.int64)
