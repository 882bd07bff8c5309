"""The SSR model: wires regions, agents, institutions, mechanisms, events and indicators.

One step is one month. The order of a month is fixed (see :meth:`SSRModel.step`); each
mechanism lives in its own module under :mod:`sim.mechanisms` with its parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from mesa import Model
from mesa.datacollection import DataCollector

from sim import indicators
from sim.agents import (
    CSO,
    ArmedGroup,
    Community,
    CommunityArrays,
    CSOArrays,
    Donor,
    ForceArrays,
    SecurityForce,
)
from sim.calendar import date_of
from sim.events import Event, apply_event
from sim.geography import GROUP_NAMES, SIGNATORY, load_geography
from sim.mechanisms.armed_groups import step_armed_groups
from sim.mechanisms.corruption import step_corruption
from sim.mechanisms.cso import step_cso, update_monitoring
from sim.mechanisms.ddr import step_ddr
from sim.mechanisms.donors import DONOR_SPECS, step_donors
from sim.mechanisms.forces import step_forces
from sim.mechanisms.oversight import step_oversight
from sim.mechanisms.recruitment import step_recruitment
from sim.mechanisms.state import step_institutions
from sim.mechanisms.trust import step_trust
from sim.mechanisms.violence import step_violence
from sim.params import Params


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    """Integer counts proportional to weights, summing to total, each at least minimum."""
    n = len(weights)
    base = np.full(n, minimum)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(int)
    left = rest - counts.sum()
    counts[np.argsort(-(share - counts), kind="stable")[:left]] += 1
    return base + counts


class SSRModel(Model):
    """Security sector reform in Mali, month by month.

    Args:
        params: parameter set (defaults if None); the model works on its own copy.
        rng: seed (or numpy Generator) driving every random draw.
        events: events to apply at their steps.
        start: the month simulated at step 1, "YYYY-MM".
        overrides: dotted parameter overrides applied on top of ``params``.

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
        self.geo = load_geography()
        self.events: list[Event] = sorted(events)
        self.event_log: list[tuple[int, str]] = []
        self.region_rows: list[np.ndarray] = []
        self._init_institutions()
        self._init_communities()
        self._init_forces()
        self._init_armed_groups()
        self._init_csos()
        self._init_donors()
        self._init_flows()
        self.datacollector = DataCollector(model_reporters=indicators.reporters())

    # ------------------------------------------------------------------ set-up
    def _init_institutions(self) -> None:
        n = self.geo.n
        self.agreement_active = True
        self.regime = "civilian"
        self.cso_policy = "open"
        self.ddr_active = bool(self.p.ddr.active_at_start)
        self.ddr_scope = "all"
        self.partner_present = False
        self.reform_stock = 0.0
        self.legit_shock = np.zeros(n)
        self.pk_mandated = True
        self.pk_withdraw_left = 0
        self.peacekeepers = self.geo.peacekeepers * self.p.donors.peacekeepers_scale

    def _init_communities(self) -> None:
        geo, rng, p = self.geo, self.rng, self.p
        counts = _largest_remainder(geo.population, p.community.count)
        region = np.repeat(np.arange(geo.n), counts)
        n = len(region)
        people = (geo.population / counts)[region]
        hardship = np.clip(geo.hardship[region] + rng.normal(0, p.community.hardship_sd, n), 0, 1)
        base = np.clip(rng.normal(p.trust.initial_mean, p.trust.initial_sd, n), 0, 1)
        self.communities = CommunityArrays(
            region=region,
            people=people,
            hardship=hardship,
            risk=rng.random(n),
            base_trust=base,
            trust=base.copy(),
            grievance=hardship * (1 - base),
            abuse_mem=np.zeros(n),
            protect_mem=np.full(n, 0.5),
            stance=np.zeros(n, dtype=np.int8),
        )
        # people per region is fixed: computed once, read by every monthly aggregate
        self.people_r = np.bincount(region, weights=people, minlength=geo.n)
        for i in range(n):
            Community(self, i)

    def _init_forces(self) -> None:
        geo, rng, p = self.geo, self.rng, self.p
        k = p.forces.units_per_region
        region = np.repeat(np.arange(geo.n), k)
        m = len(region)
        size = (geo.forces * p.forces.size_scale / k)[region]
        corruption = np.clip(rng.normal(p.corruption.baseline, p.corruption.initial_sd, m), 0, 1)
        cap = np.full(m, p.forces.initial_capacity)
        self.forces_state = ForceArrays(
            region=region,
            size=size.astype(float),
            capacity=cap,
            effective_capacity=cap.copy(),
            trained=np.full(m, p.forces.initial_trained),
            compliance=np.full(
                m,
                p.forces.compliance_base + p.forces.compliance_training * p.forces.initial_trained,
            ),
            corruption=corruption,
            integrated=np.zeros(m),
        )
        for i in range(m):
            SecurityForce(self, i)
        self.corruption = float((corruption * size).sum() / size.sum())

    def _init_armed_groups(self) -> None:
        g = len(GROUP_NAMES)
        self.fighters = np.rint(self.geo.fighters * self.p.armed.fighters_scale).astype(np.int64)
        self.commitment = np.where(SIGNATORY, self.p.armed.initial_commitment, 0.0)
        # DDR stocks and cumulative flows, one entry per armed group (whole people)
        for name in (
            "ddr_registered_stock",
            "ddr_disarmed_stock",
            "ddr_reintegrated_stock",
            "cum_registered",
            "cum_disarmed",
            "cum_reintegrated",
            "cum_integrated",
            "cum_rearmed",
        ):
            setattr(self, name, np.zeros(g, dtype=np.int64))
        self.armed_groups = [
            ArmedGroup(self, i, name, bool(SIGNATORY[i])) for i, name in enumerate(GROUP_NAMES)
        ]

    def _init_csos(self) -> None:
        geo, rng, p = self.geo, self.rng, self.p.cso
        region = np.repeat(np.arange(geo.n), p.per_region)
        k = len(region)
        self.cso_agents_state = CSOArrays(
            region=region,
            capacity=np.clip(rng.normal(p.initial_capacity, 0.1, k), 0, 1),
            autonomy=np.ones(k),
            funding=np.zeros(k),
            foreign=rng.random(k) < p.foreign_funded_share,
            active=np.ones(k, dtype=bool),
            included=np.zeros(k, dtype=bool),
        )
        for i in range(k):
            CSO(self, i)
        update_monitoring(self)

    def _init_donors(self) -> None:
        self.donors = [
            Donor(self, s["name"], s["kind"], s["alloc"], active=s["kind"] != "partner")
            for s in DONOR_SPECS
        ]

    def _init_flows(self) -> None:
        n = self.geo.n
        c = self.communities
        coop = c.people * (c.trust > self.p.recruitment.cooperate_threshold)
        self.cooperation_r = np.bincount(c.region, weights=coop, minlength=n) / self.people_r
        self.trust = float((c.people * c.trust).sum() / c.people.sum())
        self.funds = {"training": 0.0, "equipment": 0.0, "ddr": 0.0, "cso": 0.0, "reform": 0.0}
        self.funds_reform = 0.0
        self.recruits = 0
        self.volunteers = 0

    # ------------------------------------------------------------------ dynamics
    def step(self) -> None:
        """One month: events, then the mechanisms in a fixed order, then indicators."""
        while self.events and self.events[0].step <= self.steps:
            event = self.events.pop(0)
            apply_event(self, event)
            self.event_log.append((self.steps, event.kind))
        step_donors(self)
        step_institutions(self)
        step_oversight(self)
        step_forces(self)
        step_corruption(self)
        step_violence(self)
        step_trust(self)
        step_recruitment(self)
        step_ddr(self)
        step_armed_groups(self)
        step_cso(self)
        indicators.compute(self)
        self.datacollector.collect(self)

    def run(self, steps: int) -> None:
        """Run ``steps`` months."""
        for _ in range(steps):
            self.step()

    def inject(self, kind: str, options: dict[str, Any] | None = None) -> None:
        """Apply an event now (before the next step), e.g. from the browser UI."""
        from sim.events import make_event

        event = make_event(self.steps + 1, kind, options)
        self.events.insert(0, event)

    def integrate_into_forces(self, integrated: np.ndarray) -> None:
        """Add integrated ex-combatants (per group) to the units of each group's main region."""
        f = self.forces_state
        for g in np.flatnonzero(integrated):
            home = int(np.argmax(self.geo.fighters[g]))
            units = np.flatnonzero(f.region == home)
            add = integrated[g] / len(units)
            f.size[units] += add
            f.integrated[units] += add

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
