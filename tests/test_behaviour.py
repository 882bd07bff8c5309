"""Behaviour of the mechanisms whose signs were wrong (issue 10, items 5 to 9).

Each test states a defect found by an outside review as a specification that the
earlier code failed: state control rising while the army struggles, implausible
geography, no communal militias, trust that barely moves, institutions set but never
read. Runs are small (300 communities) and share memoised replicates. Rules that did
not exist before are imported inside their tests, so that each test fails on its own
against the earlier code.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from model_helpers import SMALL, replicate, small_model

from sim.mechanisms.armed_groups import group_capacity
from sim.mechanisms.corruption import step_corruption
from sim.mechanisms.oversight import step_oversight
from sim.mechanisms.state import step_institutions
from sim.scenario import simulate
from sim.validation.targets import centre_harm_share, scenario_with

SEEDS = (21, 22, 23, 24)
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@cache
def historical(partner: bool = True) -> tuple[tuple[pd.DataFrame, pd.DataFrame], ...]:
    """Small replicates of the historical scenario, with or without the security partner."""
    sc = scenario_with(SMALL)
    if not partner:
        sc = dataclasses.replace(sc, events=[e for e in sc.events if e.kind != "partner_arrives"])
    return tuple(simulate(sc, seed) for seed in SEEDS)


def _window(df: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return df[(df["date"] >= first) & (df["date"] <= last)]


def _year_mean(ts: pd.DataFrame, year: int, column: str) -> float:
    return float(_window(ts, f"{year}-01", f"{year}-12")[column].mean())


# --------------------------------------------------------------- 5. contested control
def test_given_the_record_when_the_army_struggles_then_state_control_does_not_rise():
    # given the historical run (troops more than double, attacks mount, the partner arrives)
    runs = historical()
    # when control in 2015 is compared with 2024
    before = np.mean([_year_mean(ts, 2015, "state_control") for ts, _ in runs])
    after = np.mean([_year_mean(ts, 2024, "state_control") for ts, _ in runs])
    # then it has not risen (ISS 2024: despite Russian paramilitary support, the army struggles)
    assert after <= before


def test_given_no_security_partner_when_abuses_fall_then_control_is_not_lower():
    # given the historical run with and without the non-conditional partner (same seeds)
    def mean(runs, column):
        return np.array([_window(ts, "2022-01", "2024-12")[column].mean() for ts, _ in runs])

    with_partner, without = historical(True), historical(False)
    # when abuses and control are compared over 2022-24
    abuses_gap = mean(without, "abuses_by_forces") - mean(with_partner, "abuses_by_forces")
    control_gap = mean(without, "state_control") - mean(with_partner, "state_control")
    # then without the partner abuses fall and control is not lower
    assert abuses_gap.mean() < 0
    assert control_gap.mean() >= -0.005


def test_given_attacks_harm_and_lost_allegiance_when_control_is_targeted_then_it_falls():
    # given one world, quiet; then with attacks on the troops; then the troops harming
    # civilians; then a population that no longer answers to the state
    from sim.mechanisms.violence import control_target

    model = small_model(1)
    world, p = model.world, model.p.violence
    strength = np.full(world.geo.n, 2000.0)
    hostile = np.full(world.geo.n, 1000.0)
    world.flows.troops_r = np.full(world.geo.n, 4000.0)
    world.flows.cooperation_r = np.full(world.geo.n, 0.9)
    quiet = control_target(world, p, strength, hostile)
    world.flows.attacks_r = np.full(world.geo.n, 20.0)
    attacked = control_target(world, p, strength, hostile)
    world.flows.civ_harm_forces_r = np.full(world.geo.n, 10.0)
    harming = control_target(world, p, strength, hostile)
    world.flows.cooperation_r = np.full(world.geo.n, 0.1)
    estranged = control_target(world, p, strength, hostile)
    # then the same troops and fighters hold less ground at each step
    assert (attacked < quiet).all() and (harming < attacked).all()
    assert (estranged < harming).all()


# --------------------------------------------------------------------- 6. geography
def test_given_the_record_when_groups_settle_then_the_desert_holds_few_fighters():
    # given the historical run, 2022-24
    shares, taoudenit, mopti_support = [], [], []
    for _, regions in historical():
        w = _window(regions, "2022-01", "2024-12")
        fighters = (w["fighters_jihadist"] + w["fighters_signatory"]).groupby(w["region"]).mean()
        shares.append(fighters / fighters.sum())
        taoudenit.append(w.loc[w["region"] == "Taoudénit", "fighters_jihadist"].mean())
        mopti_support.append(w.loc[w["region"] == "Mopti", "support_share"].to_numpy())
    share = pd.concat(shares, axis=1).mean(axis=1)
    # then Taoudénit (about 40,000 people) holds a few hundred jihadists at most ...
    assert np.mean(taoudenit) < 500 and share["Taoudénit"] < 0.05
    # ... the centre holds more fighters than any other single region but Tombouctou ...
    assert share["Mopti"] >= share.drop(["Mopti", "Tombouctou"]).max()
    # ... and Mopti's support for armed groups is not pinned near one
    assert np.concatenate(mopti_support).max() < 0.8


def test_given_equal_route_exposure_when_capacity_is_computed_then_people_make_routes_pay():
    # given one world where one group holds only Taoudénit, then the same with ten times the people
    model = small_model(1, {"armed.taxation_capacity": 0.0, "armed.arms_diversion": 0.0})
    world, p = model.world, model.p.armed
    t = world.geo.index("Taoudénit")
    world.armed.fighters[:] = 0
    world.armed.fighters[2, t] = 500
    sparse = group_capacity(world, p)[2]
    pop = world.geo.population.copy()
    pop[t] *= 10
    world.geo = dataclasses.replace(world.geo, population=pop)
    dense = group_capacity(world, p)[2]
    # then the route rents the group can live on grow with the region's people
    assert dense > 1.2 * sparse


def _minusma_2020q2_shares() -> pd.Series:
    """Share of each region in MINUSMA's 2020-Q2 incident count (the sourced record)."""
    from sim.record import load_record

    rows = [
        row
        for row in load_record()["conflict_regional"]
        if row.id.startswith("minusma_2020q2_incidents_")
    ]
    counts = pd.Series({row.area: row.value for row in rows})
    return counts / counts.sum()


def test_given_the_2020_record_when_incidents_are_located_then_the_regions_rank_like_minusma():
    # given the historical run, 2020-04 to 06, and MINUSMA's incidents by region
    record = _minusma_2020q2_shares()
    shares = []
    for _, regions in historical():
        w = _window(regions, "2020-04", "2020-06")
        by_region = w.groupby("region")["incidents"].sum()
        shares.append(by_region / by_region.sum())
    share = pd.concat(shares, axis=1).mean(axis=1)
    # then the region with the most incidents is the record's (Mopti), with a share within
    # 0.15 of it, and the regions the record ranks high the model ranks high too
    assert share.idxmax() == record.idxmax()
    assert abs(share[record.idxmax()] - record.max()) < 0.15
    top = record.sort_values(ascending=False).index[:4]
    assert share[top].sum() > 0.6


# ------------------------------------------------------------------ 7. communal militias
def test_given_the_record_when_harm_is_located_then_the_centre_holds_most_of_it():
    # given the historical run, 2019-21 (ECHO: about 70% in the centre in early 2020)
    shares = [centre_harm_share(regions, "2019-01", "2021-12") for _, regions in historical()]
    # then the centre (Mopti, Ségou) holds well over half of the civilian harm
    assert np.mean(shares) > 0.55


def test_given_the_record_when_militias_arise_then_only_the_centre_has_them():
    # given the historical run
    runs = historical()
    militia = pd.concat([r for _, r in runs]).groupby("region")["fighters_militia"].max()
    harm = np.mean(
        [
            _window(ts, "2019-01", "2021-12")["civilian_harm_by_militias"].sum()
            / _window(ts, "2019-01", "2021-12")["civilian_harm"].sum()
            for ts, _ in runs
        ]
    )
    # then militias stand only in Mopti and Ségou, and cause a share of the harm like the
    # record's (MINUSMA 2021-Q2: communal militias 20% of civilian victims)
    assert set(militia[militia > 0].index) <= {"Mopti", "Ségou"}
    assert militia["Mopti"] > 500
    assert 0.08 < harm < 0.45


def test_given_a_state_that_tolerates_militias_when_running_then_reprisals_harm_more():
    def harm(df):
        return float(df["civilian_harm_by_militias"].sum())

    tolerated = replicate(harm, 48, {"militias.state_tolerance": 1.0})
    punished = replicate(harm, 48, {"militias.state_tolerance": 0.0, "state.political_will": 1.0})
    assert tolerated.mean() > punished.mean()


def _record_share(row_id: str) -> float:
    from sim.record import by_id, load_record

    return float(by_id(load_record())[row_id].value)


@cache
def _militia_shares() -> np.ndarray:
    """Militias' share of civilian harm, 2019-21 and 2022-24, in 20 small historical runs."""
    sc = scenario_with(SMALL)
    rows = []
    for seed in range(101, 121):
        ts, _ = simulate(sc, seed)
        rows.append(
            [
                _window(ts, a, b)["civilian_harm_by_militias"].sum()
                / _window(ts, a, b)["civilian_harm"].sum()
                for a, b in (("2019-01", "2021-12"), ("2022-01", "2024-12"))
            ]
        )
    return np.array(rows)


def test_given_the_record_when_militias_harm_civilians_then_their_share_is_the_records():
    # given 20 replicates of the historical run and MINUSMA's shares of civilian victims
    # (2021-Q2: communal militias 20%) and of violations (2022-Q4: 4%)
    early, late = _militia_shares().T
    before = _record_share("minusma_2021q2_victim_share_communal_militias")
    after = _record_share("minusma_2022q4_share_communal_militias")
    # then the 95% interval of the mean 2019-21 share lies within 0.12 of the record's
    # 20% (the earlier model: 0.34), and that of 2022-24 within 0.12 of its 4% (the
    # earlier model: 0.27)
    for shares, record in ((early, before), (late, after)):
        half = 1.96 * shares.std(ddof=1) / np.sqrt(len(shares))
        assert record - 0.12 < shares.mean() - half
        assert shares.mean() + half < record + 0.12


def test_given_the_partner_when_the_state_takes_the_war_over_then_militia_harm_falls():
    # given the same 20 replicates: the partner arrives at the end of 2021
    early, late = _militia_shares().T
    # then the militias' share of civilian harm falls by more than half after 2021, in
    # every replicate (the record: 157 cases in 2021-Q2, 34 in 2022-Q2; the earlier
    # model: 0.34 to 0.27)
    assert (late < 0.5 * early).all()


# ------------------------------------------------------------------------- 8. trust
def _trust_after(abuse_factor: float, seed: int) -> float:
    """National trust after three years of this month's harm, scaled by ``abuse_factor``."""
    from sim.mechanisms.trust import step_trust

    model = small_model(seed)
    model.run(24)
    world = model.world
    flows = world.flows
    flows.abuses_r = flows.abuses_r * abuse_factor
    flows.collateral_r = flows.collateral_r * abuse_factor
    rng = np.random.default_rng(seed)
    for _ in range(36):
        step_trust(world, model.p, rng)
    c = world.communities
    return float((c.people * c.trust).sum() / c.people.sum())


def test_given_a_77_percent_rise_in_abuses_when_trust_updates_then_it_falls_visibly():
    # given the same worlds after two years, holding the month's flows for three more years
    seeds = (31, 32, 33)
    # when the forces' abuses and collateral harm are 77% higher
    base = np.array([_trust_after(1.0, s) for s in seeds])
    more = np.array([_trust_after(1.77, s) for s in seeds])
    # then national trust falls by more than 0.03 (the earlier rule: about 0.01)
    assert (base - more).mean() > 0.03


def _final_trust(df: pd.DataFrame) -> float:
    return float(df["trust"].iloc[-12:].mean())


def test_given_twice_the_abuses_when_ten_years_pass_then_national_trust_falls_clearly():
    from sim.params import Params

    # given paired seeds, the default abuse rate and twice it
    rate = Params().violence.abuse_rate
    seeds = (11, 12, 13, 14)
    base = replicate(_final_trust, 120, seeds=seeds)
    # when the forces abuse civilians twice as often for ten years
    more = replicate(_final_trust, 120, {"violence.abuse_rate": 2 * rate}, seeds=seeds)
    # then final-year national trust is lower by more than 0.1 in every replicate on
    # average (the earlier additive rule: 0.063, the north pinned at 0 and the south
    # untouched)
    assert (base - more).mean() > 0.1
    assert (base > more).all()


def test_given_the_library_scenarios_when_run_then_final_trust_spans_a_wide_range():
    from sim.scenario import load_scenario

    # given every library scenario (small runs, three seeds each)
    finals = {}
    for path in sorted(SCENARIOS.glob("*.toml")):
        sc = load_scenario(path)
        sc = dataclasses.replace(sc, parameters={**sc.parameters, **SMALL})
        finals[path.stem] = np.mean([_final_trust(simulate(sc, s)[0]) for s in (21, 22, 23)])
    # then final-year trust spans more than 0.125 (the earlier rule: 0.108, with high
    # corruption above the baseline), and corruption and weak oversight lower it, strong
    # oversight raises it, against the baseline
    assert max(finals.values()) - min(finals.values()) > 0.125
    assert finals["high_corruption"] < finals["baseline"] - 0.03
    assert finals["weak_oversight"] < finals["baseline"] < finals["strong_oversight"]


def test_given_extortion_when_corruption_is_high_then_trust_is_lower():
    def final(df):
        return float(df["trust"].iloc[-12:].mean())

    clean = replicate(final, 60, {"corruption.baseline": 0.3})
    corrupt = replicate(final, 60, {"corruption.baseline": 0.9})
    assert (clean - corrupt).mean() > 0.03


# ------------------------------------------------------------------- 9. institutions
def test_given_a_military_regime_when_will_is_the_same_then_oversight_and_cso_space_shrink():
    model = small_model(1)
    world, params = model.world, model.p
    step_oversight(world, params, model.rng)
    civilian = world.institutions.oversight
    world.institutions.regime = "military"
    step_oversight(world, params, model.rng)
    assert world.institutions.oversight < civilian
    model.step()
    assert (world.csos.autonomy < 1.0).all()


def test_given_lost_control_when_months_pass_then_political_will_falls_with_the_crisis():
    secure, crisis = small_model(1), small_model(1)
    crisis.world.flows.control_r[:] = 0.2
    secure.world.flows.control_r[:] = 0.95
    for m in (secure, crisis):
        for _ in range(24):
            step_institutions(m.world, m.p, m.rng)
    assert crisis.world.institutions.political_will < secure.world.institutions.political_will


def test_given_a_state_in_trouble_then_the_coup_hazard_is_higher():
    from sim.mechanisms.state import coup_hazard

    model = small_model(1)
    world, p = model.world, model.p.state
    world.flows.control_r[:] = 0.9
    world.institutions.trust = 0.7
    calm = coup_hazard(world, p)
    world.flows.control_r[:] = 0.3
    world.institutions.trust = 0.3
    world.flows.attacks_r = np.full(world.geo.n, 30.0)
    world.flows.troops_r = np.full(world.geo.n, 2000.0)
    assert coup_hazard(world, p) > 2 * calm


def test_given_more_corruption_when_running_then_abuses_rise_and_capacity_falls():
    def abuses(df):
        return float(df["abuses_by_forces"].sum())

    clean = replicate(abuses, 48, {"corruption.baseline": 0.3})
    corrupt = replicate(abuses, 48, {"corruption.baseline": 0.9})
    assert corrupt.mean() > 1.2 * clean.mean()
    model = small_model(1)
    f = model.world.forces
    f.corruption[:] = np.linspace(0.0, 1.0, len(f.corruption))
    compliance, capacity = f.compliance.copy(), f.effective_capacity.copy()
    step_corruption(model.world, model.p, model.rng)
    most, least = np.argmax(f.corruption), np.argmin(f.corruption)
    assert compliance[most] - f.compliance[most] > compliance[least] - f.compliance[least]
    assert f.effective_capacity[most] < capacity[most]


def test_given_corruption_far_above_its_baseline_when_six_months_pass_then_it_stays_high():
    # given every unit at 0.9 against a baseline of 0.5, with no detection
    model = small_model(1, {"corruption.baseline": 0.5})
    world = model.world
    world.forces.corruption[:] = 0.9
    world.institutions.detection[:] = 0.0
    for _ in range(6):
        step_corruption(world, model.p, model.rng)
    # then institutional culture has moved less than a quarter of the way (years, not months)
    assert world.forces.corruption.mean() > 0.8
