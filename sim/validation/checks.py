"""Mechanism checks from the literature and scenario comparisons for the stylized facts.

Each check runs paired replicates (the same seeds with and without a change) and
returns :class:`Effect` objects: the mean paired difference over replicates with a 95%
t-interval. The tests in ``tests/test_validation.py`` assert on them and
``python -m sim.validation`` prints them into ``docs/validation_figures.md``, so the
documented figures are the tested ones.

The checks run on the calibrated defaults. Where a check starts from a quiet world
(no events), it uses ``start = "2015-06"`` and the default parameters; where it needs
the record (peacekeepers' withdrawal, the CSO ban, the termination), it uses the
historical scenario with one event removed or added.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.events import make_event
from sim.model import SSRModel
from sim.scenario import Scenario, build_model, replicate_seeds
from sim.validation.targets import interval, scenario_with

SEED = 11
"""Seed from which the checks' replicate seeds are derived."""

_BASE: dict[str, Any] = {}
"""Overrides applied to both arms of every check (see :func:`mutated`)."""


@contextlib.contextmanager
def mutated(overrides: Mapping[str, Any]) -> Iterator[None]:
    """Run the checks inside the block with ``overrides`` on both arms.

    Used by the mutation tests (``tests/test_mutation.py``): switching a mechanism off
    with a documented parameter value must make its check fail. Also sets a cheap
    configuration (fewer communities) for the control run of a mutation test.
    """
    saved = dict(_BASE)
    _BASE.update(overrides)
    try:
        yield
    finally:
        _BASE.clear()
        _BASE.update(saved)


@dataclass(frozen=True)
class Effect:
    """A paired difference over replicates (treatment minus control)."""

    name: str
    mean: float
    lo: float
    hi: float
    n: int
    control: float
    treatment: float

    @property
    def excludes_zero(self) -> bool:
        """True when the 95% interval lies entirely on one side of zero."""
        return self.lo > 0 or self.hi < 0

    def text(self, digits: int = 3) -> str:
        """Mean and interval as "mean [lo, hi]", rounded for tables."""
        f = f"{{:.{digits}g}}"
        return f"{f.format(self.mean)} [{f.format(self.lo)}, {f.format(self.hi)}]"


def effect(name: str, control: Sequence[float], treatment: Sequence[float]) -> Effect:
    """Mean paired difference treatment - control with its 95% t-interval."""
    c = np.asarray(control, dtype=float)
    t = np.asarray(treatment, dtype=float)
    m, lo, hi = interval(t - c)
    return Effect(name, m, lo, hi, len(c), float(c.mean()), float(t.mean()))


def _model_frame(
    seed: int, events: Sequence[tuple[int, str, dict]] = (), overrides=None, steps: int = 60
) -> pd.DataFrame:
    """Indicators of one quiet-world run (default parameters, no scenario events).

    Endogenous coups are off (``state.coup_base_hazard = 0``) unless ``overrides`` turn
    them on: a paired check isolates its cause, and a coup in one arm only would swamp it.
    """
    evs = [make_event(step, kind, opts) for step, kind, opts in events]
    over = {"state.coup_base_hazard": 0.0, **_BASE, **dict(overrides or {})}
    m = SSRModel(rng=seed, events=evs, overrides=over)
    m.run(steps)
    return m.indicator_frame()


def _paired(
    run: Callable[[int, bool], Mapping[str, float]], n: int, seed: int = SEED
) -> dict[str, Effect]:
    """Run control (False) and treatment (True) on the same seeds; one Effect per metric."""
    seeds = replicate_seeds(seed, n)
    ctrl = [run(s, False) for s in seeds]
    trt = [run(s, True) for s in seeds]
    return {k: effect(k, [c[k] for c in ctrl], [t[k] for t in trt]) for k in ctrl[0]}


# --------------------------------------------------------------------------- mechanisms
def salami(n: int = 20, total: float = 0.3, pieces: int = 10) -> dict[str, Effect]:
    """Epstein's salami tactics: one legitimacy drop of ``total`` vs ``pieces`` small ones.

    Both arms end at ``state.legitimacy = -total`` (set events from month 24); the
    treatment drops it at once, the control in ``pieces`` monthly steps. Metrics: the
    peak of support, recruits and incidents in the 24 months from the first drop, and
    mean support a year after the last piece (when both arms have the same legitimacy).
    """
    t0, steps = 24, 60

    def run(seed: int, sudden: bool) -> dict[str, float]:
        if sudden:
            events = [(t0, "set", {"parameter": "state.legitimacy", "value": -total})]
        else:
            events = [
                (
                    t0 + i,
                    "set",
                    {"parameter": "state.legitimacy", "value": -total * (i + 1) / pieces},
                )
                for i in range(pieces)
            ]
        df = _model_frame(seed, events, steps=steps)
        w = df[(df["step"] >= t0) & (df["step"] < t0 + 24)]
        late = df[df["step"] >= t0 + pieces + 12]
        return {
            "peak_support_share": float(w["support_share"].max()),
            "peak_recruits": float(w["recruits"].max()),
            "peak_incidents": float(w["incidents"].max()),
            "support_share_year_after": float(late["support_share"].mean()),
        }

    return _paired(run, n)


def collateral(n: int = 20, factor: float = 3.0) -> dict[str, Effect]:
    """Collateral harm by forces raises recruitment (Condra & Shapiro 2012; Bennett 2008).

    Treatment multiplies ``violence.collateral_per_op`` by ``factor``; metrics over five
    years of the quiet world: collateral harm, support for armed groups, volunteers
    (would-be recruits), recruits taken and jihadist fighters at the end. Groups near the
    limit of their resources (:func:`sim.mechanisms.armed_groups.group_capacity`) turn
    extra volunteers away, so the effect shows in support and volunteers more than in
    fighters.
    """
    base = SSRModel().p.violence.collateral_per_op

    def run(seed: int, more: bool) -> dict[str, float]:
        over = {"violence.collateral_per_op": base * factor} if more else {}
        df = _model_frame(seed, overrides=over)
        return {
            "civilian_harm_by_forces": float(df["civilian_harm_by_forces"].mean()),
            "recruits": float(df["recruits"].mean()),
            "volunteers": float(df["volunteers"].mean()),
            "support_share": float(df["support_share"].mean()),
            "fighters_jihadist_end": float(df["fighters_jihadist"].iloc[-1]),
        }

    return _paired(run, n)


def peacekeepers(n: int = 20) -> dict[str, Effect]:
    """Peacekeepers cut armed-group harm to civilians, not abuses by the state.

    Treatment: no peacekeepers (``donors.peacekeepers_scale = 0``) in the quiet world.
    Metrics (monthly means over five years): civilian harm by armed groups, civilian harm
    by forces, abuses by forces. The literature (Hultman, Kathman & Shannon 2013; Fjelde,
    Hultman & Nilsson 2019) predicts a rise of the first and no change of the others.
    """

    def run(seed: int, without: bool) -> dict[str, float]:
        over = {"donors.peacekeepers_scale": 0.0} if without else {}
        df = _model_frame(seed, overrides=over)
        return {
            "civilian_harm_by_armed_groups": float(df["civilian_harm_by_armed_groups"].mean()),
            "civilian_harm_by_forces": float(df["civilian_harm_by_forces"].mean()),
            "abuses_by_forces": float(df["abuses_by_forces"].mean()),
        }

    return _paired(run, n)


def oversight_without_will(n: int = 20, strong: float = 0.9) -> dict[str, Effect]:
    """Oversight without political will delivers little (stylized fact 7).

    Raises ``oversight.strength`` from its default to ``strong`` at two levels of will
    (0.05 and 0.8) and reports the effect on corruption (final year) and abuses (monthly
    mean) at each level; ``*_will_gap`` is the difference between the two effects
    (high-will effect minus low-will effect: negative when will makes oversight bite).
    """
    out: dict[str, Effect] = {}
    per_will: dict[float, dict[str, np.ndarray]] = {}
    seeds = replicate_seeds(SEED, n)
    for will in (0.05, 0.8):

        def metrics(seed: int, stronger: bool, will: float = will) -> dict[str, float]:
            over: dict[str, Any] = {"state.political_will": will}
            if stronger:
                over["oversight.strength"] = strong
            df = _model_frame(seed, overrides=over, steps=72)
            return {
                "corruption": float(df["corruption"].iloc[-12:].mean()),
                "abuses_by_forces": float(df["abuses_by_forces"].mean()),
                "oversight": float(df["oversight"].mean()),
            }

        ctrl = [metrics(s, False) for s in seeds]
        trt = [metrics(s, True) for s in seeds]
        tag = "low_will" if will < 0.5 else "high_will"
        diffs = {}
        for k in ctrl[0]:
            c = [x[k] for x in ctrl]
            t = [x[k] for x in trt]
            out[f"{k}_{tag}"] = effect(f"{k}_{tag}", c, t)
            diffs[k] = np.array(t) - np.array(c)
        per_will[will] = diffs
    for k in ("corruption", "abuses_by_forces"):
        gap = per_will[0.8][k] - per_will[0.05][k]
        m, lo, hi = interval(gap)
        out[f"{k}_will_gap"] = Effect(
            f"{k}_will_gap",
            m,
            lo,
            hi,
            n,
            float(per_will[0.05][k].mean()),
            float(per_will[0.8][k].mean()),
        )
    return out


def cso_restriction(n: int = 20) -> dict[str, Effect]:
    """Restricting CSOs lowers detection of abuses and corruption (stylized fact 8).

    Treatment: a ``suspend_csos`` event at month 24 of the quiet world. Metrics over the
    following three years: detection probability, CSO capacity, corruption (last year).
    """

    def run(seed: int, ban: bool) -> dict[str, float]:
        events = [(24, "suspend_csos", {})] if ban else []
        df = _model_frame(seed, events)
        after = df[df["step"] >= 24]
        return {
            "detection": float(after["detection"].mean()),
            "cso_capacity": float(after["cso_capacity"].mean()),
            "corruption": float(df["corruption"].iloc[-12:].mean()),
        }

    return _paired(run, n)


# --------------------------------------------------------------------------- record
def _without(sc: Scenario, kind: str) -> Scenario:
    return dataclasses.replace(sc, events=[e for e in sc.events if e.kind != kind])


def historical_without(
    kind: str, metrics: Callable[[pd.DataFrame], Mapping[str, float]], n: int = 20, **over
) -> dict[str, Effect]:
    """Paired comparison: the historical run (treatment) vs the same without one event kind."""
    full = scenario_with({**_BASE, **over} or None)
    control = _without(full, kind)

    def run(seed: int, with_event: bool) -> dict[str, float]:
        m = build_model(full if with_event else control, seed)
        m.run(full.steps)
        return dict(metrics(m.indicator_frame()))

    return _paired(run, n)


def window(df: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Rows in the months [first, last]."""
    return df[(df["date"] >= first) & (df["date"] <= last)]


def peacekeeper_withdrawal(n: int = 20) -> dict[str, Effect]:
    """MINUSMA's withdrawal (2023-07 to 12) raises armed groups' harm to civilians."""

    def metrics(df: pd.DataFrame) -> dict[str, float]:
        w = window(df, "2024-01", "2025-12")
        return {
            "civilian_harm_by_armed_groups_2024_25": float(
                w["civilian_harm_by_armed_groups"].mean()
            ),
            "civilian_harm_2024_25": float(w["civilian_harm"].mean()),
        }

    return historical_without("peacekeepers_withdraw", metrics, n)


def cso_ban(n: int = 20) -> dict[str, Effect]:
    """The 2022-11 ban lowers detection and CSO capacity in 2023-25."""

    def metrics(df: pd.DataFrame) -> dict[str, float]:
        w = window(df, "2023-01", "2025-12")
        return {
            "detection_2023_25": float(w["detection"].mean()),
            "cso_capacity_2023_25": float(w["cso_capacity"].mean()),
        }

    return historical_without("suspend_csos", metrics, n)


def termination(n: int = 20) -> dict[str, Effect]:
    """The 2024-01 termination re-arms the signatories (fighters and DDR returns)."""

    def metrics(df: pd.DataFrame) -> dict[str, float]:
        end = df.iloc[-1]
        before = df.loc[df["date"] == "2023-12"].iloc[0]
        return {
            "fighters_signatory_2025_12": float(end["fighters_signatory"]),
            "ddr_rearmed_2024_25": float(end["ddr_rearmed"] - before["ddr_rearmed"]),
            "incidents_north_2024_25": float(
                window(df, "2024-01", "2025-12")["incidents_north"].mean()
            ),
        }

    return historical_without("terminate_agreement", metrics, n)


def settlement_and_trust(n: int = 20) -> dict[str, Effect]:
    """DDR with a political settlement and trust: will and guarantees up, integration up.

    Treatment: the historical run with ``state.political_will = 0.8``,
    ``ddr.security_guarantee = 0.8`` and ``ddr.incentive = 0.8`` (a settlement the
    parties trust). Metric: integrated by 2023-12 and its share of the registered.
    """
    full = scenario_with(dict(_BASE) or None)
    settled = scenario_with(
        {**_BASE, "state.political_will": 0.8, "ddr.security_guarantee": 0.8, "ddr.incentive": 0.8}
    )

    def run(seed: int, treat: bool) -> dict[str, float]:
        m = build_model(settled if treat else full, seed)
        m.run(full.steps)
        row = m.indicator_frame().set_index("date").loc["2023-12"]
        return {
            "ddr_integrated_2023": float(row["ddr_integrated"]),
            "ddr_integrated_share_2023": float(
                row["ddr_integrated"] / max(row["ddr_registered"], 1.0)
            ),
        }

    return _paired(run, n)


MECHANISMS: dict[str, Callable[..., dict[str, Effect]]] = {
    "salami": salami,
    "collateral": collateral,
    "peacekeepers": peacekeepers,
    "oversight_without_will": oversight_without_will,
    "cso_restriction": cso_restriction,
}
"""The mechanism checks, by name (the order of docs/VALIDATION.md)."""

COMPARISONS: dict[str, Callable[..., dict[str, Effect]]] = {
    "settlement_and_trust": settlement_and_trust,
    "peacekeeper_withdrawal": peacekeeper_withdrawal,
    "cso_ban": cso_ban,
    "termination": termination,
}
"""Scenario comparisons on the historical run."""


def ddr_by_group(n: int = 6) -> pd.DataFrame:
    """Cumulative DDR registrations and integrations per group around the termination.

    Runs the historical scenario and records, per replicate and signatory group, the
    cumulative registered and integrated at the end of 2023-12 (before the termination),
    2025-01 (before the narrow relaunch) and 2025-12. Rows: replicate, group, moment.
    """
    from sim.geography import GROUP_NAMES, SIGNATORY

    sc = scenario_with()
    moments = {"2023-12": "before_termination", "2025-01": "before_relaunch", "2025-12": "end"}
    rows = []
    for r, seed in enumerate(replicate_seeds(SEED, n)):
        m = build_model(sc, seed)
        for _ in range(sc.steps):
            m.step()
            if m.date in moments:
                for g in map(int, np.flatnonzero(SIGNATORY)):
                    rows.append(
                        {
                            "replicate": r,
                            "group": GROUP_NAMES[g],
                            "moment": moments[m.date],
                            "registered": int(m.cum_registered[g]),
                            "integrated": int(m.cum_integrated[g]),
                        }
                    )
    return pd.DataFrame(rows)
