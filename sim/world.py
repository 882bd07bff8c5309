"""The simulated world: every piece of state the model changes, declared in one place.

A :class:`World` holds one typed record per entity (communities, force units, CSOs,
armed groups and their DDR ledger, the peacekeeping mission, institutions, donors and
their funds) and the regional flows of the month. Rows of per-agent arrays are agents
(row ``i`` of :class:`Communities` is community ``i``); per-region arrays follow the
order of :attr:`sim.geography.Geography.names`, per-group arrays that of
:data:`sim.geography.GROUP_NAMES`.

Mechanisms (:mod:`sim.mechanisms`) are functions ``step_x(world, params, rng)`` that read
and write only the fields declared here; :func:`sim.build.build_world` creates the
initial world. Every field declares its unit, what it is indexed by and its meaning
with :func:`var`; ``docs/ODD.md`` lists them (``python -m sim.docs``). The records have
slots, so writing a field that is not declared raises ``AttributeError``.

This module imports no mechanism and no model class, so every module may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from sim.geography import Geography


def var(unit: str, meaning: str, per: str = "") -> Any:
    """Declare one state variable.

    Args:
        unit: unit of measure ("index" and "share" lie in [0, 1]).
        meaning: one line saying what the variable is.
        per: what one entry stands for ("community", "region", "group", ...); empty for
            a single value.

    Returns:
        A dataclass field carrying the metadata (no default: every field is built).
    """
    return field(metadata={"unit": unit, "meaning": meaning, "per": per})


@dataclass(slots=True)
class Communities:
    """Community agents: a group of villages or a neighbourhood each (Epstein 2002)."""

    region: np.ndarray = var("region index", "Region the community lives in.", "community")
    people: np.ndarray = var("persons", "People the community stands for.", "community")
    hardship: np.ndarray = var(
        "index", "Economic and security hardship (Epstein's H).", "community"
    )
    risk: np.ndarray = var("index", "Risk aversion (Epstein's R).", "community")
    base_trust: np.ndarray = var(
        "index", "Trust the community starts from, the anchor of its target.", "community"
    )
    trust: np.ndarray = var(
        "index", "Trust in the security forces (perceived legitimacy L).", "community"
    )
    grievance: np.ndarray = var(
        "index", "Grievance H(1 - L) plus anger at abuses and collateral harm.", "community"
    )
    abuse_mem: np.ndarray = var(
        "index", "Memory of abuses and collateral harm witnessed.", "community"
    )
    protect_mem: np.ndarray = var("index", "Memory of the protection felt.", "community")
    harm_mem: np.ndarray = var(
        "log dose",
        "Memory of the harm by the forces known to the community, log(1 + dose).",
        "community",
    )
    stance: np.ndarray = var(
        "code", "0 neutral, 1 cooperates with the forces, 2 supports armed groups.", "community"
    )
    people_r: np.ndarray = var(
        "persons",
        "Civilians in the region's communities (changes as people leave or return).",
        "region",
    )
    militia_side: np.ndarray = var(
        "flag",
        "Belongs to a community of the centre that forms self-defence militias rather than "
        "backing the jihadists (set at start).",
        "community",
    )


@dataclass(slots=True)
class Forces:
    """Security-force units (army, gendarmerie, police), several per region."""

    region: np.ndarray = var("region index", "Region the unit is deployed in.", "unit")
    size: np.ndarray = var("persons", "Personnel.", "unit")
    capacity: np.ndarray = var("index", "Operational capacity from equipment and upkeep.", "unit")
    effective_capacity: np.ndarray = var(
        "index", "Capacity including a partner's combat support.", "unit"
    )
    trained: np.ndarray = var("share", "Personnel trained in human rights and IHL.", "unit")
    compliance: np.ndarray = var("probability", "Human-rights compliance.", "unit")
    corruption: np.ndarray = var("index", "Corruption propensity (1 - integrity).", "unit")
    integrated: np.ndarray = var("persons", "Ex-combatants integrated into the unit.", "unit")
    mean_corruption: float = var(
        "index", "Size-weighted mean corruption propensity; drives donor-fund leakage."
    )


@dataclass(slots=True)
class CSOs:
    """Civil society organisations and the monitoring they provide."""

    region: np.ndarray = var("region index", "Region the CSO works in.", "CSO")
    capacity: np.ndarray = var("index", "Organisational capacity.", "CSO")
    autonomy: np.ndarray = var("index", "Freedom to operate under the CSO policy.", "CSO")
    funding: np.ndarray = var("index", "Funding this month, domestic plus donor grants.", "CSO")
    foreign: np.ndarray = var("flag", "Depends on foreign (donor) funding.", "CSO")
    funder: np.ndarray = var(
        "donor index", "Row of the donor funding a foreign-funded CSO (-1: domestic).", "CSO"
    )
    active: np.ndarray = var("flag", "False once suspended.", "CSO")
    included: np.ndarray = var("flag", "Sits on a security consultative committee.", "CSO")
    monitoring_r: np.ndarray = var("index", "Monitoring of the forces by CSOs.", "region")


@dataclass(slots=True)
class ArmedGroups:
    """Armed groups: two signatory coalitions and two jihadist groups."""

    names: tuple[str, ...] = var("name", "Group names (CMA, Platform, JNIM, ISGS).", "group")
    signatory: np.ndarray = var("flag", "Signed the 2015 agreement.", "group")
    pro_government: np.ndarray = var("flag", "Pro-government coalition.", "group")
    fighters: np.ndarray = var("persons", "Fighters under arms.", "group and region")
    commitment: np.ndarray = var(
        "index", "Commitment to the 2015 agreement (0 for jihadist groups).", "group"
    )
    capacity: np.ndarray = var(
        "persons", "Fighters the group's resources can sustain this month.", "group"
    )
    jihadist_rivalry: bool = var("flag", "The jihadist groups fight each other.")


@dataclass(slots=True)
class DDRLedger:
    """Disarmament, demobilisation and reintegration: stocks and cumulative flows."""

    registered: np.ndarray = var(
        "persons", "Registered, still armed, waiting for cantonment.", "group"
    )
    disarmed: np.ndarray = var("persons", "Cantoned and disarmed, waiting to leave.", "group")
    reintegrated: np.ndarray = var("persons", "Reintegrated civilians who may relapse.", "group")
    cum_registered: np.ndarray = var("persons, cumulative", "Registrations.", "group")
    cum_disarmed: np.ndarray = var("persons, cumulative", "Disarmed in cantonment.", "group")
    cum_reintegrated: np.ndarray = var(
        "persons, cumulative", "Reintegrated into civilian life.", "group"
    )
    cum_integrated: np.ndarray = var("persons, cumulative", "Integrated into the army.", "group")
    cum_rearmed: np.ndarray = var(
        "persons, cumulative",
        "Back to arms after disarming (cantoned drop-outs and relapsed civilians).",
        "group",
    )
    cum_dropped: np.ndarray = var(
        "persons, cumulative",
        "Registered who left before disarming (never laid down arms).",
        "group",
    )


@dataclass(slots=True)
class Flows:
    """What happened this month, by region, and national counts of the month."""

    attacks_r: np.ndarray = var("events per month", "Armed-group attacks.", "region")
    operations_r: np.ndarray = var("events per month", "State operations.", "region")
    abuses_r: np.ndarray = var("events per month", "Abuses of civilians by the forces.", "region")
    collateral_r: np.ndarray = var(
        "persons per month", "Civilians harmed in the forces' operations.", "region"
    )
    civ_harm_armed_r: np.ndarray = var(
        "persons per month", "Civilians harmed by armed groups.", "region"
    )
    civ_harm_forces_r: np.ndarray = var(
        "persons per month", "Civilians harmed by the forces (collateral and abuses).", "region"
    )
    incidents_r: np.ndarray = var("events per month", "Attacks, operations and abuses.", "region")
    troops_r: np.ndarray = var("persons", "Force personnel deployed.", "region")
    control_r: np.ndarray = var(
        "share", "State control of contested territory, moving toward its target.", "region"
    )
    cooperation_r: np.ndarray = var(
        "share", "People in communities cooperating with the forces.", "region"
    )
    support_r: np.ndarray = var("share", "People in communities supporting armed groups.", "region")
    grievance_r: np.ndarray = var("index", "People-weighted mean grievance.", "region")
    extortion_r: np.ndarray = var("events per month", "Extortion by the forces.", "region")
    fighters_removed: int = var("persons per month", "Fighters killed in operations.")
    misconduct_detected: int = var("units per month", "Force units caught in misconduct.")
    misconduct_sanctioned: int = var("units per month", "Detected units sanctioned.")
    volunteers: int = var("persons per month", "Would-be recruits before groups turn some away.")
    recruits: int = var("persons per month", "Recruits taken by an armed group.")


@dataclass(slots=True)
class People:
    """Where each region's people are: every person is in exactly one stock.

    Stocks per region: civilians (``Communities.people``), fighters (``ArmedGroups``),
    forces (``Forces.size``), disarmed in cantonment (``in_ddr_gr``), the displaced and
    the dead. Every
    change of a stock is one of the named flows of :class:`PeopleFlows`
    (:mod:`sim.mechanisms.population` checks the balance).
    """

    men_r: np.ndarray = var("persons", "Military-age men (fixed; caps fighters).", "region")
    dead_r: np.ndarray = var("persons, cumulative", "People killed in the region.", "region")
    displaced_r: np.ndarray = var(
        "persons", "Displaced people (IDPs), by region of origin.", "region"
    )
    in_ddr_gr: np.ndarray = var(
        "persons", "Disarmed in cantonment, by group and region of origin.", "group and region"
    )
    reintegrated_gr: np.ndarray = var(
        "persons",
        "Reintegrated civilians who may relapse, by group and region (part of the civilians).",
        "group and region",
    )
    budget: float = var("million USD per month", "Personnel budget of the forces this month.")


@dataclass(slots=True)
class PeopleFlows:
    """People moving between stocks this month, by region (all whole persons, never negative)."""

    recruited: np.ndarray = var("persons per month", "Civilians joining armed groups.", "region")
    enlisted: np.ndarray = var("persons per month", "Civilians joining the forces.", "region")
    civilians_killed: np.ndarray = var("persons per month", "Civilians killed.", "region")
    soldiers_killed: np.ndarray = var(
        "persons per month", "Force personnel killed in attacks.", "region"
    )
    fighters_killed: np.ndarray = var(
        "persons per month", "Fighters killed in state operations.", "region"
    )
    rivals_killed: np.ndarray = var(
        "persons per month", "Fighters killed in clashes between rival groups.", "region"
    )
    clashes: np.ndarray = var("events per month", "Clashes between rival armed groups.", "region")
    fighters_left: np.ndarray = var(
        "persons per month", "Fighters who leave their group for civilian life.", "region"
    )
    cantoned: np.ndarray = var("persons per month", "Fighters cantoned and disarmed.", "region")
    ddr_back_to_arms: np.ndarray = var(
        "persons per month", "Cantoned who leave the camps back to their group.", "region"
    )
    reintegrated: np.ndarray = var(
        "persons per month", "Cantoned who return to civilian life.", "region"
    )
    integrated_out: np.ndarray = var(
        "persons per month", "Cantoned leaving for the army (region of origin).", "region"
    )
    integrated_in: np.ndarray = var(
        "persons per month", "Ex-combatants joining a unit (region of the unit).", "region"
    )
    relapsed: np.ndarray = var(
        "persons per month", "Reintegrated civilians who take up arms again.", "region"
    )
    fighters_in: np.ndarray = var("persons per month", "Fighters arriving.", "region")
    fighters_out: np.ndarray = var("persons per month", "Fighters leaving.", "region")
    forces_in: np.ndarray = var("persons per month", "Personnel redeployed in.", "region")
    forces_out: np.ndarray = var("persons per month", "Personnel redeployed out.", "region")
    militia_joined: np.ndarray = var(
        "persons per month", "Civilians joining a communal militia.", "region"
    )
    militia_left: np.ndarray = var(
        "persons per month", "Militia fighters going home to their communities.", "region"
    )
    fled: np.ndarray = var(
        "persons per month", "Civilians fleeing violence (region of origin).", "region"
    )
    returned: np.ndarray = var(
        "persons per month", "Displaced people going home (region of origin).", "region"
    )


@dataclass(slots=True)
class Mission:
    """The UN peacekeeping mission."""

    mandated: bool = var("flag", "The mission's mandate runs.")
    withdraw_left: int = var("months", "Months left in a withdrawal (0 = none under way).")
    deployed_r: np.ndarray = var("persons", "Peacekeepers deployed.", "region")


@dataclass(slots=True)
class Institutions:
    """The state: the agreement, the regime, policies, reform and oversight."""

    agreement_active: bool = var("flag", "The 2015 agreement is in force.")
    regime: str = var("name", '"civilian" or "military" (after a coup).')
    cso_policy: str = var("name", '"open", "consultative", "restricted" or "suspended".')
    ddr_active: bool = var("flag", "DDR takes and processes people.")
    ddr_scope: str = var("name", '"all" signatories or "pro_government" only.')
    partner_present: bool = var("flag", "A non-conditional security partner fights alongside.")
    reform_stock: float = var("index", "Accumulated reform achievements.")
    legit_shock: np.ndarray = var(
        "index", "Abrupt legitimacy drop from coups and termination, fading.", "region"
    )
    oversight_strength: float = var("index", "Institutional strength of oversight bodies.")
    oversight: float = var("index", "Effective oversight: strength scaled by political will.")
    detection: np.ndarray = var("probability", "Monthly detection of misconduct.", "region")
    enforcement: float = var("probability", "Detected misconduct that is sanctioned.")
    trust: float = var(
        "index", "National trust in the forces as last measured; read by DDR uptake."
    )
    political_will: float = var(
        "index", "Political will for reform this month, drifting toward its state-set target."
    )
    coups: int = var("count", "Coups so far (scripted and endogenous).")
    coup_hazard: float = var("probability", "This month's probability of an endogenous coup.")


@dataclass(slots=True)
class Militias:
    """Communal militias of the centre (Dan Na Ambassagou, Dozo hunters, Fulani self-defence).

    Their fighters are kept apart from the armed groups' (they fight other communities
    more than the state); :mod:`sim.mechanisms.militias` recruits and demobilises them.
    """

    fighters_r: np.ndarray = var("persons", "Militia fighters under arms.", "region")
    recruits: int = var("persons per month", "People joining a militia this month.")
    attacks_r: np.ndarray = var(
        "events per month", "Militia attacks and reprisals on other communities.", "region"
    )
    harm_r: np.ndarray = var("persons per month", "Civilians harmed by militias.", "region")


@dataclass(slots=True)
class Donors:
    """Donors and the security partner (rows), as in :data:`sim.mechanisms.donors.DONOR_SPECS`."""

    names: tuple[str, ...] = var("name", "Donor names.", "donor")
    kinds: tuple[str, ...] = var("name", '"multilateral", "bilateral" or "partner".', "donor")
    allocation: np.ndarray = var(
        "share", "Budget shares by purpose (training, equipment, DDR, CSO, reform).", "donor"
    )
    active: np.ndarray = var("flag", "Gives money (the partner only once it arrives).", "donor")
    cut: np.ndarray = var("share", "Budget withheld (conditionality, withdrawal).", "donor")


@dataclass(slots=True)
class Funds:
    """Donor money of the month by purpose, after leakage."""

    training: float = var("million USD per month", "Human-rights and IHL training.")
    equipment: float = var("million USD per month", "Equipment and combat support.")
    ddr: float = var("million USD per month", "DDR programmes.")
    cso: float = var("million USD per month", "Grants to CSOs.")
    reform: float = var("million USD per month", "Reform programmes.")
    gross: float = var("million USD per month", "Money given before leakage.")
    leaked: float = var("million USD per month", "Money lost to embezzlement.")


@dataclass(slots=True)
class Policy:
    """Regional inputs set by the levers of a scenario's ``[policy]`` table (sim.policy.levers).

    Zero everywhere without a policy; each is added where its mechanism reads the matching
    global input (one term), so a lever targeted at one region moves that region only.
    """

    training_r: np.ndarray = var(
        "million USD per month per 1,000 troops", "Extra human-rights training money.", "region"
    )
    oversight_r: np.ndarray = var("hazard per month", "Extra detection of misconduct.", "region")
    cso_r: np.ndarray = var("index", "Extra CSO funding (share of saturation).", "region")
    peacekeepers_r: np.ndarray = var("persons", "Extra peacekeepers deployed.", "region")


@dataclass(slots=True)
class World:
    """The whole simulated state; the regions' static description comes with it."""

    geo: Geography = var("", "Regions, borders and their static attributes (read only).")
    communities: Communities = var("", "Community agents.")
    forces: Forces = var("", "Security-force units.")
    csos: CSOs = var("", "Civil society organisations.")
    armed: ArmedGroups = var("", "Armed groups.")
    ddr: DDRLedger = var("", "The DDR pipeline.")
    flows: Flows = var("", "This month's flows.")
    mission: Mission = var("", "The peacekeeping mission.")
    institutions: Institutions = var("", "The state's institutions.")
    donors: Donors = var("", "Donors and partner.")
    funds: Funds = var("", "This month's donor money.")
    people: People = var("", "Where every person of each region is.")
    people_flows: PeopleFlows = var("", "This month's flows of people between stocks.")
    militias: Militias = var("", "Communal militias of the centre.")
    policy: Policy = var("", "Regional inputs set by policy levers.")


ENTITIES: tuple[type, ...] = tuple(
    f.type if isinstance(f.type, type) else globals()[f.type]
    for f in fields(World)
    if f.name != "geo"
)
"""The entity records of a world, in declaration order (for the docs and checks)."""


__all__ = [
    "ENTITIES",
    "ArmedGroups",
    "CSOs",
    "Communities",
    "DDRLedger",
    "Donors",
    "Flows",
    "Forces",
    "Funds",
    "Institutions",
    "Militias",
    "Mission",
    "People",
    "Policy",
    "PeopleFlows",
    "World",
    "var",
]
