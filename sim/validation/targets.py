"""Calibration targets: what the historical run should reproduce, and how it is measured.

Each :class:`Target` names one figure from the public record, with its source in the
``record`` text (ACLED conflict-event counts, UN human-rights reporting on civilian
deaths, ECHO on the regional concentration of harm, Transparency International's
Corruption Perceptions Index, Afrobarometer 2020, press reports on DDR; the full
references are in ``docs/VALIDATION.md``), the function measuring the same quantity on
one replicate of ``scenarios/historical_2015_2025.toml``, and a penalty saying how far the
model may sit from the record before it costs score. The record is directional and in
places approximate, so most penalties are bands or one-sided hinges rather than point
targets; point targets use a log ratio with a tolerance factor (a figure within the
factor costs at most 1).

Functions here only read the per-step and per-region frames returned by
:func:`sim.scenario.simulate`; they are shared by the calibration search
(:mod:`sim.validation.calibrate`), the stylized-fact tests and the generated figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.geography import load_geography
from sim.scenario import Scenario, load_scenario, replicate_seeds, simulate

ROOT = Path(__file__).resolve().parents[2]
HISTORICAL = ROOT / "scenarios" / "historical_2015_2025.toml"

Frames = tuple[pd.DataFrame, pd.DataFrame]
"""One replicate: (indicators per step, indicators per step and region)."""


def _between(ts: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """Rows whose month lies in [first, last] ("YYYY-MM", inclusive)."""
    return ts[(ts["date"] >= first) & (ts["date"] <= last)]


def _year(ts: pd.DataFrame, year: int) -> pd.DataFrame:
    return _between(ts, f"{year}-01", f"{year}-12")


def _at(ts: pd.DataFrame, month: str, column: str) -> float:
    return float(ts.loc[ts["date"] == month, column].iloc[0])


def annual_means(ts: pd.DataFrame, column: str) -> pd.Series:
    """Mean of a column per calendar year (index: year)."""
    return ts.groupby(ts["date"].str[:4].astype(int))[column].mean()


def crossing_year(ts: pd.DataFrame) -> float:
    """First calendar year whose mean centre incidents exceed the north's (inf if never)."""
    north = annual_means(ts, "incidents_north")
    centre = annual_means(ts, "incidents_centre")
    over = centre.index[(centre > north).to_numpy()]
    return float(over[0]) if len(over) else float("inf")


def centre_harm_share(regions: pd.DataFrame, first: str, last: str) -> float:
    """Share of civilian harm in the centre (Mopti, Ségou) over [first, last]."""
    geo = load_geography()
    centre = {n for n, z in zip(geo.names, geo.zones, strict=True) if z == "centre"}
    r = _between(regions, first, last)
    total = r["civilian_harm"].sum()
    return float(r.loc[r["region"].isin(centre), "civilian_harm"].sum() / max(total, 1.0))


def forces_harm_share(ts: pd.DataFrame, first: str, last: str) -> float:
    """Share of civilian harm caused by state forces over [first, last]."""
    w = _between(ts, first, last)
    return float(w["civilian_harm_by_forces"].sum() / max(w["civilian_harm"].sum(), 1.0))


def log_ratio(a: float, b: float) -> float:
    """log(a / b), safe for zeros (adds one event to both)."""
    return float(np.log((a + 1.0) / (b + 1.0)))


@dataclass(frozen=True)
class Target:
    """One figure of the record and how the model's figure is scored against it.

    Attributes:
        name: short identifier (used in tables and the calibration printout).
        measure: figure of one replicate, from its (timeseries, regions) frames.
        kind: "log" (point target, log-ratio scaled by log(tol)), "abs" (point target,
            difference scaled by tol), "max" (penalise figures above value), "min"
            (penalise figures below value), or "band" (penalise outside [value, hi]).
        value: the recorded figure (or the band's lower edge / the hinge).
        tol: scale of the penalty (a factor for "log", an absolute width otherwise).
        hi: upper edge of a band.
        record: the recorded figure in words, with its source.
        fact: the stylized fact (1-9) or record row the target belongs to.
        weight: relative weight in the calibration score.
    """

    name: str
    measure: Callable[[pd.DataFrame, pd.DataFrame], float]
    kind: str
    value: float
    tol: float
    record: str
    fact: str
    hi: float = float("nan")
    weight: float = 1.0

    def penalty(self, x: float) -> float:
        """Squared, scaled distance of a model figure from the record (0 = on target)."""
        if not np.isfinite(x):
            return 25.0 * self.weight
        if self.kind == "log":
            d = np.log(max(x, 1e-9) / self.value) / np.log(self.tol)
        elif self.kind == "abs":
            d = (x - self.value) / self.tol
        elif self.kind == "max":
            d = max(0.0, x - self.value) / self.tol
        elif self.kind == "min":
            d = max(0.0, self.value - x) / self.tol
        elif self.kind == "band":
            d = (max(0.0, self.value - x) + max(0.0, x - self.hi)) / self.tol
        else:  # pragma: no cover - guarded by the table below
            raise ValueError(self.kind)
        return float(self.weight * d * d)


def _corruption_range(ts: pd.DataFrame, _r: pd.DataFrame) -> float:
    a = annual_means(ts, "corruption").loc[2016:2025]
    return float(a.max() - a.min())


def _integrated_share(ts: pd.DataFrame, _r: pd.DataFrame) -> float:
    reg = _at(ts, "2023-12", "ddr_registered")
    return _at(ts, "2023-12", "ddr_integrated") / max(reg, 1.0)


def _signatory_rearming(ts: pd.DataFrame, _r: pd.DataFrame) -> float:
    """Relative change of signatory fighters from their low after termination to 2025-12."""
    after = _between(ts, "2024-01", "2025-12")["fighters_signatory"]
    return float(after.iloc[-1] / max(after.min(), 1.0) - 1.0)


TARGETS: tuple[Target, ...] = (
    Target(
        "incidents_2017",
        lambda ts, r: float(_year(ts, 2017)["incidents"].mean()),
        "log",
        474 / 12,
        1.5,
        "ACLED: 474 conflict events in 2017 (about 40 a month)",
        "record",
    ),
    Target(
        "civilian_harm_2021",
        lambda ts, r: float(_year(ts, 2021)["civilian_harm"].mean()),
        "log",
        584 / 12,
        1.5,
        "UN human-rights reporting: 584 civilians killed in 2021 (49 a month)",
        "4",
    ),
    Target(
        "civilian_harm_2022_23",
        lambda ts, r: float(_between(ts, "2022-01", "2023-12")["civilian_harm"].mean()),
        "log",
        1277 / 12,
        1.5,
        "UN: 1,277 civilians killed in 2022 (106 a month), at least 500 more at Moura",
        "4",
        weight=1.5,
    ),
    Target(
        "harm_rise_2022_23_vs_2021",
        lambda ts, r: log_ratio(
            float(_between(ts, "2022-01", "2023-12")["civilian_harm"].mean()),
            float(_year(ts, 2021)["civilian_harm"].mean()),
        ),
        "min",
        float(np.log(1.6)),
        0.2,
        "UN: civilian deaths more than doubled from 2021 to 2022",
        "4",
    ),
    Target(
        "forces_harm_share_2022_23",
        lambda ts, r: forces_harm_share(ts, "2022-01", "2023-07"),
        "abs",
        0.43,
        0.08,
        "ACLED via press: state forces about 43% of civilian victims, 2022-01 to 2023-07",
        "3",
    ),
    Target(
        "centre_harm_share_2020",
        lambda ts, r: centre_harm_share(r, "2020-01", "2020-05"),
        "abs",
        0.70,
        0.12,
        "ECHO: about 70% of civilian deaths in central Mali, 2020-01 to 05",
        "2",
        weight=0.5,
    ),
    Target(
        "centre_vs_north_2018_23",
        lambda ts, r: log_ratio(
            float(_between(ts, "2018-01", "2023-12")["incidents_centre"].mean()),
            float(_between(ts, "2018-01", "2023-12")["incidents_north"].mean()),
        ),
        "min",
        float(np.log(1.2)),
        0.2,
        "ACLED / ECHO: the centre (Mopti, Ségou) the main theatre from about 2018",
        "2",
    ),
    Target(
        "centre_vs_north_2018_19",
        lambda ts, r: log_ratio(
            float(_between(ts, "2018-01", "2019-12")["incidents_centre"].mean()),
            float(_between(ts, "2018-01", "2019-12")["incidents_north"].mean()),
        ),
        "min",
        0.0,
        0.2,
        "ACLED / ECHO: the centre overtakes the north after about 2017 (crossing by 2018-19)",
        "2",
    ),
    Target(
        "north_vs_centre_2015_16",
        lambda ts, r: log_ratio(
            float(_between(ts, "2015-06", "2016-12")["incidents_centre"].mean()),
            float(_between(ts, "2015-06", "2016-12")["incidents_north"].mean()),
        ),
        "max",
        float(np.log(0.8)),
        0.2,
        "General record: the north the main theatre in 2015-16",
        "2",
    ),
    Target(
        "corruption_level",
        lambda ts, r: float(_between(ts, "2016-01", "2025-12")["corruption"].mean()),
        "band",
        0.55,
        0.05,
        "TI CPI 28-35 throughout 2013-2024 (1 - CPI/100 = 0.65-0.72); Afrobarometer "
        "2020: 53% see most police as corrupt",
        "5",
        hi=0.72,
    ),
    Target(
        "corruption_range",
        _corruption_range,
        "max",
        0.08,
        0.04,
        "TI CPI flat (28-35) 2013-2024: annual means vary little",
        "5",
    ),
    Target(
        "ddr_integrated_2023",
        lambda ts, r: _at(ts, "2023-12", "ddr_integrated"),
        "log",
        2000.0,
        1.8,
        "Press: over 1,300 integrated by accelerated DDR (2018-19); 26,000 agreed in "
        "2022-08 but not carried out",
        "1",
    ),
    Target(
        "ddr_disarmed_2019",
        lambda ts, r: _at(ts, "2019-12", "ddr_disarmed"),
        "band",
        1300.0,
        500.0,
        "Press: accelerated DDR targeted about 1,500 combatants in 2018-19 (over 1,300 "
        "integrated); 8 of 24 planned cantonment sites operational",
        "1",
        hi=3000.0,
    ),
    Target(
        "ddr_integrated_share_2023",
        _integrated_share,
        "max",
        0.3,
        0.1,
        "A small share of registered combatants integrated before 2024 (63,000 registered by 2019)",
        "1",
    ),
    Target(
        "oversight_mean",
        lambda ts, r: float(ts["oversight"].mean()),
        "max",
        0.25,
        0.05,
        "Bagayoko; Citizens' Alliance 2024-03: 2 of 41 planned activities completed",
        "7",
    ),
    Target(
        "cso_capacity_2023_vs_2021",
        lambda ts, r: (
            float(_year(ts, 2023)["cso_capacity"].mean())
            / max(float(_year(ts, 2021)["cso_capacity"].mean()), 1e-9)
        ),
        "max",
        0.8,
        0.1,
        "2022-11 ban on NGOs with French funding (the hinge is an assumption: the ban "
        "removes only the French-funded CSOs, a third of the foreign-funded ones here)",
        "8",
    ),
    Target(
        "signatory_rearming_2024_25",
        _signatory_rearming,
        "min",
        0.03,
        0.03,
        "Press: after 2024-01 the CMA coalition re-armed and fought the state",
        "9",
    ),
    Target(
        "jihadist_fighters_2022_23",
        lambda ts, r: float(_between(ts, "2022-01", "2023-12")["fighters_jihadist"].mean()),
        "band",
        4000.0,
        2000.0,
        "assumption: public estimates put JNIM and ISGS together at several thousand "
        "fighters in Mali, not tens of thousands (order of magnitude only; no sourced "
        "public figure found)",
        "record",
        hi=12000.0,
    ),
)
"""The calibration and validation targets, in the order they are reported."""


def scenario_with(
    overrides: Mapping[str, Any] | None = None,
    *,
    path: Path = HISTORICAL,
    community_count: int | None = None,
) -> Scenario:
    """The historical scenario with parameter overrides (events unchanged)."""
    sc = load_scenario(path)
    params = {**sc.parameters, **dict(overrides or {})}
    if community_count is not None:
        params["community.count"] = community_count
    sc = dataclasses.replace(sc, parameters=params)
    sc.params()  # validate the overrides now, with the schema's error messages
    return sc


def run_replicates(sc: Scenario, n: int, seed: int | None = None) -> list[Frames]:
    """Run ``n`` replicates of a scenario (seeds derived from ``seed`` or the scenario's)."""
    seeds = replicate_seeds(sc.seed if seed is None else seed, n)
    return [simulate(sc, s) for s in seeds]


def measure(runs: Sequence[Frames], targets: Sequence[Target] = TARGETS) -> pd.DataFrame:
    """Figures of every target per replicate (rows: replicates, columns: targets)."""
    return pd.DataFrame([{t.name: t.measure(ts, r) for t in targets} for ts, r in runs])


def score(figures: pd.DataFrame, targets: Sequence[Target] = TARGETS) -> tuple[float, dict]:
    """Total penalty of the replicate means, and each target's penalty."""
    parts = {t.name: t.penalty(float(figures[t.name].mean())) for t in targets}
    return float(sum(parts.values())), parts


def interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval of the mean over replicates."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    m = float(v.mean())
    if len(v) < 2 or float(v.std(ddof=1)) == 0.0:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return m, m - half, m + half
