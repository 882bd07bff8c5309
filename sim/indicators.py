"""Indicators collected every step, with their units and meanings.

The first nineteen names are the project's contract (DESIGN.md section 4); the rest are
additional detail. Shares and indices lie in [0, 1]; counts are people or events per
month, cumulative for the ``ddr_*`` flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.geography import SIGNATORY

if TYPE_CHECKING:
    from sim.model import SSRModel

INDICATORS: dict[str, tuple[str, str]] = {
    "incidents": ("events per month", "Armed-group attacks, state operations and abuses."),
    "civilian_harm": ("persons per month", "Civilians killed or injured, all perpetrators."),
    "abuses_by_forces": ("events per month", "Abuses of civilians by state forces."),
    "trust": ("index", "Mean trust of the population in the security forces."),
    "corruption": ("index", "Size-weighted mean corruption propensity of force units."),
    "oversight": ("index", "Effective oversight: strength scaled by political will."),
    "reform_index": ("index", "Composite of reform stock, oversight, training and integrity."),
    "hr_trained_share": ("share", "Share of personnel trained in human rights and IHL."),
    "ddr_registered": ("persons, cumulative", "Fighters who registered for DDR."),
    "ddr_disarmed": ("persons, cumulative", "Registered fighters cantoned and disarmed."),
    "ddr_reintegrated": ("persons, cumulative", "Ex-combatants reintegrated into civilian life."),
    "ddr_integrated": ("persons, cumulative", "Ex-combatants integrated into the army."),
    "ddr_rearmed": ("persons, cumulative", "People who left the DDR pipeline back to arms."),
    "fighters_signatory": ("persons", "Fighters of the signatory coalitions (CMA, Platform)."),
    "fighters_jihadist": ("persons", "Fighters of jihadist groups (JNIM, ISGS)."),
    "state_control": ("share", "Population-weighted state share of armed strength."),
    "cso_capacity": ("index", "Mean capacity of active CSOs (suspended ones count as 0)."),
    "donor_funding": ("million USD per month", "Gross donor and partner money this month."),
    "agreement_active": ("flag", "1 while the 2015 agreement is in force."),
    # detail
    "civilian_harm_by_forces": ("persons per month", "Civilian harm by state forces."),
    "civilian_harm_by_armed_groups": ("persons per month", "Civilian harm by armed groups."),
    "incidents_north": ("events per month", "Incidents in the northern regions."),
    "incidents_centre": ("events per month", "Incidents in Mopti and Ségou."),
    "incidents_south": ("events per month", "Incidents in the south and Bamako."),
    "detection": ("probability", "Population-weighted monthly detection of misconduct."),
    "political_will": ("index", "Political will for reform."),
    "support_share": ("share", "Population share supporting an armed group."),
    "cooperation_share": ("share", "Population share cooperating with the forces."),
    "recruits": ("persons per month", "New armed-group recruits (taken by a group)."),
    "volunteers": (
        "persons per month",
        "Would-be recruits, before groups turn away those their resources cannot sustain.",
    ),
    "troops": ("persons", "Security-force personnel."),
    "peacekeepers": ("persons", "Peacekeepers deployed."),
    "ddr_in_pipeline": ("persons", "People registered or cantoned, waiting."),
    "funds_leaked": ("million USD per month", "Donor money lost to embezzlement."),
}

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
)


def compute(model: SSRModel) -> None:
    """Set every indicator as an attribute of the model and append the region rows."""
    geo = model.geo
    c = model.communities
    f = model.forces_state
    pop = geo.population
    w = pop / pop.sum()
    n = geo.n

    trust_r = np.bincount(c.region, weights=c.people * c.trust, minlength=n) / model.people_r
    civ_r = model.civ_harm_forces_r + model.civ_harm_armed_r
    sig = model.fighters[SIGNATORY]
    jih = model.fighters[~SIGNATORY]

    model.incidents = int(model.incidents_r.sum())
    model.civilian_harm = int(civ_r.sum())
    model.abuses_by_forces = int(model.abuses_r.sum())
    model.trust = float((w * trust_r).sum())
    # model.corruption is kept current by the corruption mechanism
    trained = float((f.trained * f.size).sum() / max(f.size.sum(), 1e-9))
    model.hr_trained_share = trained
    model.reform_index = float(
        0.4 * model.reform_stock
        + 0.2 * model.oversight
        + 0.2 * trained
        + 0.2 * (1.0 - model.corruption)
    )
    model.ddr_registered = int(model.cum_registered.sum())
    model.ddr_disarmed = int(model.cum_disarmed.sum())
    model.ddr_reintegrated = int(model.cum_reintegrated.sum())
    model.ddr_integrated = int(model.cum_integrated.sum())
    model.ddr_rearmed = int(model.cum_rearmed.sum())
    model.fighters_signatory = int(sig.sum())
    model.fighters_jihadist = int(jih.sum())
    model.state_control = float((w * model.control_r).sum())
    s = model.cso_agents_state
    model.cso_capacity = float((s.capacity * s.active).mean()) if len(s.capacity) else 0.0
    model.agreement_flag = int(model.agreement_active)
    model.civilian_harm_by_forces = int(model.civ_harm_forces_r.sum())
    model.civilian_harm_by_armed_groups = int(model.civ_harm_armed_r.sum())
    for zone in ("north", "centre", "south"):
        setattr(model, f"incidents_{zone}", int(model.incidents_r[geo.zone_mask(zone)].sum()))
    model.detection_mean = float((w * model.detection).sum())
    model.political_will = float(model.p.state.political_will)
    model.support_share = float((w * model.support_r).sum())
    model.cooperation_share = float((w * model.cooperation_r).sum())
    model.troops = float(f.size.sum())
    model.peacekeepers_total = float(model.peacekeepers.sum())
    model.ddr_in_pipeline = int(model.ddr_registered_stock.sum() + model.ddr_disarmed_stock.sum())

    model.region_rows.append(
        np.column_stack(
            [
                model.incidents_r,
                civ_r,
                model.abuses_r,
                trust_r,
                model.control_r,
                model.support_r,
                sig.sum(axis=0),
                jih.sum(axis=0),
                model.troops_r,
                model.peacekeepers,
                model.monitoring,
                model.detection,
            ]
        ).astype(float)
    )


def reporters() -> dict[str, str]:
    """DataCollector model reporters: indicator name -> model attribute."""
    rename = {
        "detection": "detection_mean",
        "peacekeepers": "peacekeepers_total",
        "agreement_active": "agreement_flag",
    }
    return {name: rename.get(name, name) for name in INDICATORS}
