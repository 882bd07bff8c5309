"""The five kinds of agents.

Rules that many agents share run vectorised over numpy arrays in
:mod:`sim.mechanisms` (one module per mechanism); the agents here are Mesa ``Agent``
objects that read and write their own row of those arrays, so they can be inspected,
counted and selected with Mesa's ``AgentSet`` as usual. Donors and armed groups are
few and keep their own attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from sim.mechanisms.donors import base_budget

if TYPE_CHECKING:
    from sim.model import SSRModel

STANCES: tuple[str, ...] = ("neutral", "cooperate", "support_armed_group")


@dataclass
class CommunityArrays:
    """State of all communities, one entry per community agent."""

    region: np.ndarray
    people: np.ndarray
    hardship: np.ndarray
    risk: np.ndarray
    base_trust: np.ndarray
    trust: np.ndarray
    grievance: np.ndarray
    abuse_mem: np.ndarray
    protect_mem: np.ndarray
    stance: np.ndarray


@dataclass
class ForceArrays:
    """State of all security-force units."""

    region: np.ndarray
    size: np.ndarray
    capacity: np.ndarray
    effective_capacity: np.ndarray
    trained: np.ndarray
    compliance: np.ndarray
    corruption: np.ndarray
    integrated: np.ndarray


@dataclass
class CSOArrays:
    """State of all civil society organisations."""

    region: np.ndarray
    capacity: np.ndarray
    autonomy: np.ndarray
    funding: np.ndarray
    foreign: np.ndarray
    active: np.ndarray
    included: np.ndarray


class _RowAgent(Agent):
    """An agent whose state is row ``index`` of a struct of arrays on the model."""

    model: SSRModel

    def __init__(self, model: SSRModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def region(self) -> str:
        """Name of the agent's region."""
        return self.model.geo.names[int(self._arrays.region[self.index])]


class Community(_RowAgent):
    """A community (a group of villages or a neighbourhood) of ``people`` persons.

    Holds trust in the forces (perceived legitimacy), hardship, risk aversion and
    memories of abuses and protection; chooses each month to cooperate with the state,
    stay neutral or support an armed group, and supplies recruits when aggrieved
    (Epstein 2002). Rules: :mod:`sim.mechanisms.trust`, :mod:`sim.mechanisms.recruitment`.
    """

    @property
    def _arrays(self) -> CommunityArrays:
        return self.model.communities

    @property
    def trust(self) -> float:
        """Trust in the security forces, in [0, 1]."""
        return float(self.model.communities.trust[self.index])

    @property
    def grievance(self) -> float:
        """Grievance H(1 - L) plus anger, in [0, 1]."""
        return float(self.model.communities.grievance[self.index])

    @property
    def stance(self) -> str:
        """One of neutral, cooperate or support_armed_group."""
        return STANCES[int(self.model.communities.stance[self.index])]

    @property
    def people(self) -> float:
        """Persons the agent stands for."""
        return float(self.model.communities.people[self.index])


class SecurityForce(_RowAgent):
    """A security-force unit deployed in a region.

    Capacity, human-rights training and compliance, corruption propensity and
    integrated ex-combatants. Rules: :mod:`sim.mechanisms.forces`,
    :mod:`sim.mechanisms.corruption`, :mod:`sim.mechanisms.violence`.
    """

    @property
    def _arrays(self) -> ForceArrays:
        return self.model.forces_state

    @property
    def size(self) -> float:
        """Personnel."""
        return float(self.model.forces_state.size[self.index])

    @property
    def integrity(self) -> float:
        """1 - corruption propensity."""
        return 1.0 - float(self.model.forces_state.corruption[self.index])

    @property
    def compliance(self) -> float:
        """Human-rights compliance, in [0, 1]."""
        return float(self.model.forces_state.compliance[self.index])


class CSO(_RowAgent):
    """A civil society organisation: monitors forces, informs communities, feeds oversight.

    Rules: :mod:`sim.mechanisms.cso`, :mod:`sim.mechanisms.oversight`.
    """

    @property
    def _arrays(self) -> CSOArrays:
        return self.model.cso_agents_state

    @property
    def capacity(self) -> float:
        """Organisational capacity, in [0, 1]."""
        return float(self.model.cso_agents_state.capacity[self.index])

    @property
    def active(self) -> bool:
        """False once suspended."""
        return bool(self.model.cso_agents_state.active[self.index])


class ArmedGroup(Agent):
    """An armed group: a signatory coalition (CMA, Platform) or a jihadist group (JNIM, ISGS).

    Its fighters by region are row ``index`` of ``model.fighters``; commitment to the
    agreement is ``model.commitment[index]``. Rules: :mod:`sim.mechanisms.armed_groups`,
    :mod:`sim.mechanisms.violence`, :mod:`sim.mechanisms.recruitment`, :mod:`sim.mechanisms.ddr`.
    """

    model: SSRModel

    def __init__(self, model: SSRModel, index: int, name: str, signatory: bool) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.signatory = signatory

    @property
    def fighters(self) -> int:
        """Fighters under arms, all regions."""
        return int(self.model.fighters[self.index].sum())

    @property
    def commitment(self) -> float:
        """Commitment to the 2015 agreement (0 for jihadist groups)."""
        return float(self.model.commitment[self.index])


class Donor(Agent):
    """A donor or security partner with a budget, an allocation and conditionality.

    Rules: :mod:`sim.mechanisms.donors`.
    """

    model: SSRModel

    def __init__(
        self, model: SSRModel, name: str, kind: str, allocation: tuple[float, ...], active: bool
    ) -> None:
        super().__init__(model)
        self.name = name
        self.kind = kind
        self.allocation = allocation
        self.active = active
        self.cut = 0.0  # share of the budget withheld (conditionality, withdrawal)

    def contribution(self) -> float:
        """Gross money this month, million USD."""
        if not self.active:
            return 0.0
        return base_budget(self.model, self.kind) * (1.0 - self.cut)
