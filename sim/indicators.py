"""Indicators collected every step, with their units and meanings.

The first nineteen names are the project's output contract (scripts rely on them); the rest are
additional detail. Shares and indices lie in [0, 1]; counts are people or events per
month, cumulative for the ``ddr_*`` flows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from mesa.datacollection import DataCollector

from sim.world import World


@dataclass(frozen=True)
class Indicator:
    """One indicator: the single home of its unit, meaning and plain-language labels.

    Attributes:
        name: column name in every output table.
        unit: unit ("index" and "share" lie in [0, 1]).
        meaning: one sentence, for reports, tooltips and the docs.
        label: plain-language name for chart titles and tables.
        short: name inside a chart that shows several indicators (its legend entry).
        good_when: "high", "low" or "" (neither): colours of maps and differences.
        per_region: also reported per region (``regions.parquet``).
        series: collected every month into the national time series.
    """

    name: str
    unit: str
    meaning: str
    label: str
    short: str = ""
    good_when: str = ""
    per_region: bool = False
    series: bool = True

    @property
    def is_scale(self) -> bool:
        """True for 0-1 quantities (indices, shares, probabilities, flags)."""
        return self.unit in SCALE_UNITS

    @property
    def unit_label(self) -> str:
        """The unit as an axis reads it ("index, 0-1")."""
        return {"index": "index, 0-1", "share": "share, 0-1"}.get(self.unit, self.unit)

    @property
    def legend(self) -> str:
        """The name inside a multi-indicator chart."""
        return self.short or self.label


SCALE_UNITS = frozenset({"index", "share", "probability", "flag"})

_I = Indicator
REGISTRY: tuple[Indicator, ...] = (
    # the contract (first nineteen, in this order)
    _I("incidents", "events per month", "Armed-group and militia attacks, state operations and abuses.",
       "Incidents", good_when="low", per_region=True),
    _I("civilian_harm", "persons per month", "Civilians killed or injured, all perpetrators.",
       "Civilian harm (all perpetrators)", good_when="low", per_region=True),
    _I("abuses_by_forces", "events per month", "Abuses of civilians by state forces.",
       "Abuses by state forces", good_when="low", per_region=True),
    _I("trust", "index", "Mean trust of the population in the security forces.",
       "Trust in the security forces", good_when="high", per_region=True),
    _I("corruption", "index", "Size-weighted mean corruption propensity of force units.",
       "Corruption in the forces", good_when="low"),
    _I("oversight", "index", "Effective oversight: strength scaled by political will.",
       "Effective oversight", short="oversight", good_when="high"),
    _I("reform_index", "index", "Composite of reform stock, oversight, training and integrity.",
       "Reform index", good_when="high"),
    _I("hr_trained_share", "share", "Share of personnel trained in human rights and IHL.",
       "Share trained in human rights", good_when="high"),
    _I("ddr_registered", "persons, cumulative", "Fighters who registered for DDR.",
       "DDR: registered", short="registered"),
    _I("ddr_disarmed", "persons, cumulative", "Registered fighters cantoned and disarmed.",
       "DDR: cantoned and disarmed", short="disarmed"),
    _I("ddr_reintegrated", "persons, cumulative", "Ex-combatants reintegrated into civilian life.",
       "DDR: reintegrated (civilian)", short="reintegrated", good_when="high"),
    _I("ddr_integrated", "persons, cumulative", "Ex-combatants integrated into the army.",
       "DDR: integrated into the army", short="integrated in army"),
    _I("ddr_rearmed", "persons, cumulative", "People who left the DDR pipeline back to arms.",
       "DDR: back to arms", short="rearmed", good_when="low"),
    _I("fighters_signatory", "persons", "Fighters of the signatory coalitions (CMA, Platform).",
       "Fighters, signatory groups", short="signatory groups", per_region=True),
    _I("fighters_jihadist", "persons", "Fighters of jihadist groups (JNIM, ISGS).",
       "Fighters, jihadist groups", short="jihadist groups", good_when="low", per_region=True),
    _I("state_control", "share", "Population-weighted state control of contested territory.",
       "State control", good_when="high", per_region=True),
    _I("cso_capacity", "index", "Mean capacity of active CSOs (suspended ones count as 0).",
       "CSO capacity", good_when="high"),
    _I("donor_funding", "million USD per month", "Gross donor and partner money this month.",
       "Donor funding"),
    _I("agreement_active", "flag", "1 while the 2015 agreement is in force.",
       "Agreement in force"),
    # detail
    _I("civilian_harm_by_forces", "persons per month", "Civilian harm by state forces.",
       "Civilian harm by state forces", short="by state forces", good_when="low"),
    _I("civilian_harm_by_armed_groups", "persons per month", "Civilian harm by armed groups.",
       "Civilian harm by armed groups", short="by armed groups", good_when="low"),
    _I("incidents_north", "events per month", "Incidents in the northern regions.",
       "Incidents in the north", short="north", good_when="low"),
    _I("incidents_centre", "events per month", "Incidents in Mopti and Ségou.",
       "Incidents in the centre", short="centre", good_when="low"),
    _I("incidents_south", "events per month", "Incidents in the south and Bamako.",
       "Incidents in the south", short="south", good_when="low"),
    _I("detection", "probability", "Population-weighted monthly detection of misconduct.",
       "Detection of misconduct", short="detection of misconduct", good_when="high",
       per_region=True),
    _I("political_will", "index", "Political will for reform.", "Political will",
       good_when="high"),
    _I("support_share", "share", "Population share supporting an armed group.",
       "Population supporting armed groups", good_when="low", per_region=True),
    _I("cooperation_share", "share", "Population share cooperating with the forces.",
       "Population cooperating with the forces", good_when="high"),
    _I("recruits", "persons per month", "New armed-group recruits (taken by a group).",
       "Armed-group recruits", good_when="low"),
    _I("volunteers", "persons per month",
       "Would-be recruits, before groups turn away those their resources cannot sustain.",
       "Would-be recruits", good_when="low"),
    _I("troops", "persons", "Security-force personnel.", "Security-force personnel",
       per_region=True),
    _I("peacekeepers", "persons", "Peacekeepers deployed.", "Peacekeepers", per_region=True),
    _I("ddr_in_pipeline", "persons", "People registered or cantoned, waiting.",
       "DDR: waiting in the pipeline", short="in pipeline"),
    _I("funds_leaked", "million USD per month", "Donor money lost to embezzlement.",
       "Donor money lost to embezzlement", good_when="low"),
    _I("ddr_dropouts", "persons, cumulative",
       "Registered fighters who left DDR before disarming (they never laid down arms).",
       "DDR: dropped out before disarming", short="dropped out", good_when="low"),
    _I("civilians_killed", "persons per month", "Civilians killed, all perpetrators.",
       "Civilians killed", good_when="low"),
    _I("soldiers_killed", "persons per month", "Security-force personnel killed in attacks.",
       "Security-force personnel killed", good_when="low"),
    _I("fighters_killed", "persons per month",
       "Fighters killed in state operations and in clashes between rival groups.",
       "Fighters killed"),
    _I("rival_clashes", "events per month",
       "Clashes between rival armed groups (CMA and Platform, JNIM and ISGS).",
       "Clashes between rival armed groups", short="rival clashes"),
    _I("civilian_harm_by_militias", "persons per month",
       "Civilian harm by communal militias (reprisals between communities).",
       "Civilian harm by communal militias", short="by communal militias", good_when="low"),
    _I("fighters_militia", "persons", "Fighters of the communal militias of the centre.",
       "Fighters, communal militias", short="communal militias", good_when="low",
       per_region=True),
    _I("displaced", "persons", "Displaced people (IDPs), by region of origin.",
       "Displaced people", good_when="low", per_region=True),
    _I("displacement_flight", "persons per month", "Civilians fleeing violence this month.",
       "People fleeing violence", short="fleeing", good_when="low"),
    _I("displacement_returns", "persons per month", "Displaced people going home this month.",
       "Displaced people going home", short="going home", good_when="high"),
    _I("coups", "count", "Coups so far, scripted and endogenous.", "Coups"),
    # per region only
    _I("cso_monitoring", "index", "CSO monitoring strength in the region.", "CSO monitoring",
       good_when="high", per_region=True, series=False),
)  # fmt: skip
"""Every indicator, national series first in column order; edit labels only here."""

BY_NAME: dict[str, Indicator] = {ind.name: ind for ind in REGISTRY}
"""Registry rows by name."""

INDICATORS: dict[str, tuple[str, str]] = {
    ind.name: (ind.unit, ind.meaning) for ind in REGISTRY if ind.series
}
"""National monthly indicators: name -> (unit, meaning), in column order."""

CONTRACT: tuple[str, ...] = tuple(list(INDICATORS)[:19])

REGION_COLUMNS: tuple[str, ...] = (
    "incidents",
    "civilian_harm",
    "abuses_by_forces",
    "trust",
    "state_control",
    "support_share",
    "fighters_signatory",
    "fighters_jihadist",
    "troops",
    "peacekeepers",
    "cso_monitoring",
    "detection",
    "fighters_militia",
    "displaced",
)
"""Columns of the per-region table, in order (each a registry row with ``per_region``)."""


def indicator(name: str) -> Indicator:
    """The registry row of an indicator (a plain fallback row for unknown names)."""
    return BY_NAME.get(name) or Indicator(name, "", "", name.replace("_", " "))


def label(name: str) -> str:
    """Plain-language name of an indicator."""
    return indicator(name).label


Values = dict[str, float | int]
"""One month's national indicators by name, in column order."""


def compute(world: World) -> tuple[Values, np.ndarray]:
    """Indicators of the month from the world: national values and the region rows.

    Args:
        world: the world after this month's mechanisms.

    Returns:
        The national values (keys: :data:`INDICATORS`, in order) and an array of shape
        (regions, len(:data:`REGION_COLUMNS`)).
    """
    c = world.communities
    flows = world.flows
    trust_r = np.bincount(c.region, weights=c.people * c.trust, minlength=world.geo.n) / c.people_r
    civ_r = flows.civ_harm_forces_r + flows.civ_harm_armed_r + world.militias.harm_r
    return national(world, trust_r, civ_r), regional(world, trust_r, civ_r)


def incidents_by_region(world: World) -> np.ndarray:
    """Attacks, operations and abuses (``flows.incidents_r``) plus militia attacks."""
    return world.flows.incidents_r + world.militias.attacks_r


def national(world: World, trust_r: np.ndarray, civ_r: np.ndarray) -> Values:
    """The national indicators (population-weighted where they are regional)."""
    geo = world.geo
    f = world.forces
    a = world.armed
    s = world.csos
    flows = world.flows
    inst = world.institutions
    ddr = world.ddr
    pf = world.people_flows
    w = geo.population / geo.population.sum()
    trained = float((f.trained * f.size).sum() / max(f.size.sum(), 1e-9))
    incidents_r = incidents_by_region(world)
    return {
        "incidents": int(incidents_r.sum()),
        "civilian_harm": int(civ_r.sum()),
        "abuses_by_forces": int(flows.abuses_r.sum()),
        "trust": float((w * trust_r).sum()),
        "corruption": f.mean_corruption,
        "oversight": inst.oversight,
        "reform_index": float(
            0.4 * inst.reform_stock
            + 0.2 * inst.oversight
            + 0.2 * trained
            + 0.2 * (1.0 - f.mean_corruption)
        ),
        "hr_trained_share": trained,
        "ddr_registered": int(ddr.cum_registered.sum()),
        "ddr_disarmed": int(ddr.cum_disarmed.sum()),
        "ddr_reintegrated": int(ddr.cum_reintegrated.sum()),
        "ddr_integrated": int(ddr.cum_integrated.sum()),
        "ddr_rearmed": int(ddr.cum_rearmed.sum()),
        "fighters_signatory": int(a.fighters[a.signatory].sum()),
        "fighters_jihadist": int(a.fighters[~a.signatory].sum()),
        "state_control": float((w * flows.control_r).sum()),
        "cso_capacity": float((s.capacity * s.active).mean()) if len(s.capacity) else 0.0,
        "donor_funding": world.funds.gross,
        "agreement_active": int(inst.agreement_active),
        "civilian_harm_by_forces": int(flows.civ_harm_forces_r.sum()),
        "civilian_harm_by_armed_groups": int(flows.civ_harm_armed_r.sum()),
        **{
            f"incidents_{zone}": int(incidents_r[geo.zone_mask(zone)].sum())
            for zone in ("north", "centre", "south")
        },
        "detection": float((w * inst.detection).sum()),
        "political_will": inst.political_will,
        "support_share": float((w * flows.support_r).sum()),
        "cooperation_share": float((w * flows.cooperation_r).sum()),
        "recruits": flows.recruits,
        "volunteers": flows.volunteers,
        "troops": float(f.size.sum()),
        "peacekeepers": float(world.mission.deployed_r.sum()),
        "ddr_in_pipeline": int(ddr.registered.sum() + ddr.disarmed.sum()),
        "funds_leaked": world.funds.leaked,
        "ddr_dropouts": int(ddr.cum_dropped.sum()),
        "civilians_killed": int(pf.civilians_killed.sum()),
        "soldiers_killed": int(pf.soldiers_killed.sum()),
        "fighters_killed": int(pf.fighters_killed.sum() + pf.rivals_killed.sum()),
        "rival_clashes": int(pf.clashes.sum()),
        "civilian_harm_by_militias": int(world.militias.harm_r.sum()),
        "fighters_militia": int(world.militias.fighters_r.sum()),
        "displaced": int(world.people.displaced_r.sum()),
        "displacement_flight": int(pf.fled.sum()),
        "displacement_returns": int(pf.returned.sum()),
        "coups": inst.coups,
    }


def regional(world: World, trust_r: np.ndarray, civ_r: np.ndarray) -> np.ndarray:
    """The per-region indicators, one row per region, columns :data:`REGION_COLUMNS`."""
    flows = world.flows
    a = world.armed
    return np.column_stack(
        [
            incidents_by_region(world),
            civ_r,
            flows.abuses_r,
            trust_r,
            flows.control_r,
            flows.support_r,
            a.fighters[a.signatory].sum(axis=0),
            a.fighters[~a.signatory].sum(axis=0),
            flows.troops_r,
            world.mission.deployed_r,
            world.csos.monitoring_r,
            world.institutions.detection,
            world.militias.fighters_r,
            world.people.displaced_r,
        ]
    ).astype(float)


def reporters() -> dict[str, Callable[[Any], float | int]]:
    """DataCollector model reporters: each reads ``model.values`` (this month's indicators)."""
    return {name: (lambda model, name=name: model.values[name]) for name in INDICATORS}


class IndicatorCollector(DataCollector):
    """Mesa's ``DataCollector`` with the indicators as model reporters, collected cheaply.

    ``model_vars``, ``get_model_vars_dataframe()`` and the rest of Mesa's API work as
    usual; :meth:`collect` appends this month's ``model.values`` directly. They are
    Python or numpy scalars (immutable), so Mesa's deep copy of every value and its
    per-reporter dispatch are skipped.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=reporters())

    def collect(self, model: Any) -> None:
        """Append this month's indicators (``model.values``)."""
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        values = model.values
        for name, column in self.model_vars.items():
            column.append(values[name])
