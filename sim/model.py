"""The SSR model: a Mesa model holding one :class:`~sim.world.World` and its month.

One step is one month. The order of a month is fixed (:data:`MONTH`); each mechanism is
a function ``step_x(world, params, rng)`` in its own module under :mod:`sim.mechanisms`,
next to its parameters. The agents are Mesa agents over the world's rows
(:mod:`sim.agents`), so ``model.agents_by_type`` and ``AgentSet`` work as usual; the
community agents are created the first time ``model.agents``, ``model.agents_by_type`` or
``model.agent_types`` is read (the mechanisms never need them), which keeps set-up cheap
with a million communities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from mesa import Model

from sim import indicators
from sim.agents import Donor, create_agents, create_community_agents
from sim.build import build_world
from sim.calendar import date_of
from sim.events import Event, apply_event, make_event
from sim.geography import Geography, load_geography
from sim.mechanisms.armed_groups import step_armed_groups
from sim.mechanisms.corruption import step_corruption
from sim.mechanisms.cso import step_cso
from sim.mechanisms.ddr import step_ddr
from sim.mechanisms.displacement import step_displacement
from sim.mechanisms.donors import step_donors
from sim.mechanisms.forces import step_forces
from sim.mechanisms.militias import step_militias
from sim.mechanisms.oversight import step_oversight
from sim.mechanisms.population import step_population
from sim.mechanisms.recruitment import step_recruitment
from sim.mechanisms.state import step_institutions
from sim.mechanisms.trust import step_trust
from sim.mechanisms.violence import step_violence
from sim.params import Params
from sim.world import World

Mechanism = Callable[[World, Params, np.random.Generator], None]

MONTH: tuple[Mechanism, ...] = (
    step_population,
    step_donors,
    step_institutions,
    step_oversight,
    step_forces,
    step_corruption,
    step_violence,
    step_militias,
    step_displacement,
    step_trust,
    step_recruitment,
    step_ddr,
    step_armed_groups,
    step_cso,
)
"""The mechanisms of a month, in the order they run (after the month's events)."""


class SSRModel(Model):
    """Security sector reform in Mali, month by month.

    Args:
        params: parameter set (defaults if None); the model works on its own copy.
        rng: seed (or numpy Generator) driving every random draw.
        events: events to apply at their steps.
        start: the month simulated at step 1, "YYYY-MM".
        overrides: dotted parameter overrides applied on top of ``params``.

    Attributes:
        world: the whole simulated state (:class:`sim.world.World`).
        values: this month's indicators by name (empty before the first step).
        event_log: the events applied so far (:class:`sim.events.Event`, in order).
        region_rows: per-step arrays of the per-region indicators.

    Example:
        >>> m = SSRModel(rng=1)
        >>> m.run(12)
        >>> df = m.datacollector.get_model_vars_dataframe()
    """

    def __init__(
        self,
        params: Params | None = None,
        *,
        rng: Any = None,
        events: Iterable[Event] = (),
        start: str = "2015-06",
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self.p: Params = (params or Params()).with_overrides(overrides or {})
        self.start = start
        self.events: list[Event] = sorted(events)
        self.event_log: list[Event] = []
        self.region_rows: list[np.ndarray] = []
        self.values: indicators.Values = {}
        self.world: World = build_world(self.p, load_geography(), self.rng)
        self._communities_created = False
        create_agents(self, self.world, communities=False)
        self.datacollector = indicators.IndicatorCollector()

    # ------------------------------------------------------------------ dynamics
    def step(self) -> None:
        """One month: events, then the mechanisms in a fixed order, then indicators."""
        while self.events and self.events[0].step <= self.steps:
            event = self.events.pop(0)
            apply_event(self.world, self.p, self.rng, event)
            # the log records the month the event was applied
            self.event_log.append(
                event if event.step == self.steps else replace(event, step=self.steps)
            )
        for mechanism in MONTH:
            mechanism(self.world, self.p, self.rng)
        self.values, regions = indicators.compute(self.world)
        self.region_rows.append(regions)
        # the month's trust survey is what DDR uptake reads next month
        self.world.institutions.trust = float(self.values["trust"])
        self.datacollector.collect(self)

    def run(self, steps: int) -> None:
        """Run ``steps`` months."""
        for _ in range(steps):
            self.step()

    def inject(self, kind: str, options: dict[str, Any] | None = None) -> None:
        """Apply an event now (before the next step), e.g. from the browser UI."""
        event = make_event(self.steps + 1, kind, options)
        self.events.insert(0, event)

    # ------------------------------------------------------------------ agents
    def _create_communities(self) -> None:
        """Create the community agents once, on first use (see the module docstring)."""
        if not self._communities_created:
            self._communities_created = True
            create_community_agents(self, self.world)

    @property
    def agents(self):  # noqa: ANN201 - Mesa's own type
        """Every agent (Mesa's ``AgentSet``); creates the community agents on first use."""
        self._create_communities()
        return super().agents

    @property
    def agents_by_type(self):  # noqa: ANN201 - Mesa's own type
        """Agents by class (Mesa's dict of ``AgentSet``); communities created on first use."""
        self._create_communities()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Agent classes present; communities created on first use."""
        self._create_communities()
        return super().agent_types

    # ------------------------------------------------------------------ views
    @property
    def geo(self) -> Geography:
        """The regions (``world.geo``)."""
        return self.world.geo

    @property
    def agreement_active(self) -> bool:
        """True while the 2015 agreement is in force (``world.institutions``)."""
        return self.world.institutions.agreement_active

    @property
    def ddr_active(self) -> bool:
        """True while DDR takes and processes people (``world.institutions``)."""
        return self.world.institutions.ddr_active

    @property
    def ddr_scope(self) -> str:
        """Who DDR is open to (``world.institutions``)."""
        return self.world.institutions.ddr_scope

    @property
    def cum_registered(self) -> np.ndarray:
        """Registrations for DDR per group, cumulative (``world.ddr``)."""
        return self.world.ddr.cum_registered

    @property
    def cum_integrated(self) -> np.ndarray:
        """Integrations into the army per group, cumulative (``world.ddr``)."""
        return self.world.ddr.cum_integrated

    @property
    def donors(self) -> list[Donor]:
        """The donor agents, one per row of ``world.donors``."""
        return list(self.agents_by_type[Donor])

    # ------------------------------------------------------------------ outputs
    @property
    def date(self) -> str:
        """The month last simulated ("YYYY-MM"); the month before start if none yet."""
        return date_of(self.steps, self.start)

    def indicator_frame(self) -> pd.DataFrame:
        """Indicators per step with ``step`` and ``date`` columns first."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        steps = np.arange(1, len(df) + 1)
        df.insert(0, "date", [date_of(int(s), self.start) for s in steps])
        df.insert(0, "step", steps)
        return df

    def region_frame(self) -> pd.DataFrame:
        """Per-step, per-region indicators (long format: one row per step and region)."""
        cols = list(indicators.REGION_COLUMNS)
        if not self.region_rows:
            return pd.DataFrame(columns=["step", "date", "region", *cols])
        data = np.concatenate(self.region_rows)
        n = self.geo.n
        steps = np.repeat(np.arange(1, len(self.region_rows) + 1), n)
        df = pd.DataFrame(data, columns=cols)
        df.insert(0, "region", np.tile(self.geo.names, len(self.region_rows)))
        df.insert(0, "date", [date_of(int(s), self.start) for s in steps])
        df.insert(0, "step", steps)
        return df
