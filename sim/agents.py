"""The five kinds of agents, each a Mesa ``Agent`` over one row of the world.

Rules that many agents share run vectorised over numpy arrays in
:mod:`sim.mechanisms` (one module per mechanism) on the records of :mod:`sim.world`;
the agents here are Mesa ``Agent`` objects that read their own row, so they can be
inspected, counted and selected with Mesa's ``AgentSet`` as usual.
"""

from __future__ import annotations

from mesa import Agent, Model

from sim.world import Communities, CSOs, Forces, World

STANCES: tuple[str, ...] = ("neutral", "cooperate", "support_armed_group")
"""Stance names by code (``Communities.stance``)."""


class _RowAgent(Agent):
    """An agent whose state is row ``index`` of one of the world's records."""

    def __init__(self, model: Model, world: World, index: int) -> None:
        super().__init__(model)
        self.world = world
        self.index = index

    @property
    def _rows(self) -> Communities | Forces | CSOs:
        raise NotImplementedError

    @property
    def region(self) -> str:
        """Name of the agent's region."""
        return self.world.geo.names[int(self._rows.region[self.index])]


class Community(_RowAgent):
    """A community (a group of villages or a neighbourhood) of ``people`` persons.

    Holds trust in the forces (perceived legitimacy), hardship, risk aversion and
    memories of abuses and protection; chooses each month to cooperate with the state,
    stay neutral or support an armed group, and supplies recruits when aggrieved
    (Epstein 2002). Rules: :mod:`sim.mechanisms.trust`, :mod:`sim.mechanisms.recruitment`.
    """

    @property
    def _rows(self) -> Communities:
        return self.world.communities

    @property
    def trust(self) -> float:
        """Trust in the security forces, in [0, 1]."""
        return float(self.world.communities.trust[self.index])

    @property
    def grievance(self) -> float:
        """Grievance H(1 - L) plus anger, in [0, 1]."""
        return float(self.world.communities.grievance[self.index])

    @property
    def stance(self) -> str:
        """One of neutral, cooperate or support_armed_group."""
        return STANCES[int(self.world.communities.stance[self.index])]

    @property
    def people(self) -> float:
        """Persons the agent stands for."""
        return float(self.world.communities.people[self.index])


class SecurityForce(_RowAgent):
    """A security-force unit deployed in a region.

    Capacity, human-rights training and compliance, corruption propensity and
    integrated ex-combatants. Rules: :mod:`sim.mechanisms.forces`,
    :mod:`sim.mechanisms.corruption`, :mod:`sim.mechanisms.violence`.
    """

    @property
    def _rows(self) -> Forces:
        return self.world.forces

    @property
    def size(self) -> float:
        """Personnel."""
        return float(self.world.forces.size[self.index])

    @property
    def integrity(self) -> float:
        """1 - corruption propensity."""
        return 1.0 - float(self.world.forces.corruption[self.index])

    @property
    def compliance(self) -> float:
        """Human-rights compliance, in [0, 1]."""
        return float(self.world.forces.compliance[self.index])


class CSO(_RowAgent):
    """A civil society organisation: monitors forces, informs communities, feeds oversight.

    Rules: :mod:`sim.mechanisms.cso`, :mod:`sim.mechanisms.oversight`.
    """

    @property
    def _rows(self) -> CSOs:
        return self.world.csos

    @property
    def capacity(self) -> float:
        """Organisational capacity, in [0, 1]."""
        return float(self.world.csos.capacity[self.index])

    @property
    def active(self) -> bool:
        """False once suspended."""
        return bool(self.world.csos.active[self.index])


class ArmedGroup(_RowAgent):
    """An armed group: a signatory coalition (CMA, Platform) or a jihadist group (JNIM, ISGS).

    Its fighters by region are row ``index`` of ``world.armed.fighters``. Rules:
    :mod:`sim.mechanisms.armed_groups`, :mod:`sim.mechanisms.violence`,
    :mod:`sim.mechanisms.recruitment`, :mod:`sim.mechanisms.ddr`.
    """

    @property
    def name(self) -> str:
        """Group name."""
        return self.world.armed.names[self.index]

    @property
    def signatory(self) -> bool:
        """Signed the 2015 agreement."""
        return bool(self.world.armed.signatory[self.index])

    @property
    def fighters(self) -> int:
        """Fighters under arms, all regions."""
        return int(self.world.armed.fighters[self.index].sum())

    @property
    def commitment(self) -> float:
        """Commitment to the 2015 agreement (0 for jihadist groups)."""
        return float(self.world.armed.commitment[self.index])


class Donor(_RowAgent):
    """A donor or security partner with a budget, an allocation and conditionality.

    Row ``index`` of ``world.donors``. Rules: :mod:`sim.mechanisms.donors`.
    """

    @property
    def name(self) -> str:
        """Donor name."""
        return self.world.donors.names[self.index]

    @property
    def kind(self) -> str:
        """One of "multilateral", "bilateral" or "partner"."""
        return self.world.donors.kinds[self.index]

    @property
    def allocation(self) -> tuple[float, ...]:
        """Budget shares (training, equipment, DDR, CSO, reform)."""
        return tuple(float(x) for x in self.world.donors.allocation[self.index])

    @property
    def active(self) -> bool:
        """Gives money this month."""
        return bool(self.world.donors.active[self.index])

    @property
    def cut(self) -> float:
        """Share of the budget withheld (conditionality, withdrawal)."""
        return float(self.world.donors.cut[self.index])


AGENT_TYPES: tuple[type[_RowAgent], ...] = (Community, SecurityForce, ArmedGroup, CSO, Donor)
"""Agent classes in creation order."""


def create_agents(model: Model, world: World, *, communities: bool = True) -> None:
    """One Mesa agent per row of the world's agent records, in a fixed order.

    With ``communities=False`` the community agents are left out: :class:`sim.model.SSRModel`
    creates them only when ``model.agents`` or ``model.agents_by_type`` is first read
    (:func:`create_community_agents`), since the mechanisms work on the arrays and a
    million never-stepped agent objects cost seconds and hundreds of megabytes.
    """
    rows = (
        len(world.communities.region),
        len(world.forces.region),
        len(world.armed.names),
        len(world.csos.region),
        len(world.donors.names),
    )
    for cls, count in zip(AGENT_TYPES, rows, strict=True):
        if cls is Community and not communities:
            continue
        for i in range(count):
            cls(model, world, i)


def create_community_agents(model: Model, world: World) -> None:
    """One :class:`Community` agent per row of ``world.communities``."""
    for i in range(len(world.communities.region)):
        Community(model, world, i)
