"""The public face of the model: construction, stepping, outputs, agents, reproducibility."""

from __future__ import annotations

import inspect
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from mesa import Model
from model_helpers import SMALL, small_model

from sim import Params, SSRModel
from sim.agents import CSO, ArmedGroup, Community, Donor, SecurityForce
from sim.build import build_world
from sim.geography import GROUP_NAMES, load_geography
from sim.indicators import CONTRACT, INDICATORS, REGION_COLUMNS
from sim.model import MONTH
from sim.world import World


def test_given_no_arguments_but_a_seed_when_running_then_the_default_model_collects_every_step():
    # given the package's entry point and only a seed
    model = SSRModel(rng=1)
    # when it runs a few months with its defaults
    model.run(3)
    # then every month is collected with the whole contract
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 3
    assert model.steps == 3
    assert model.p.community.count == 2000


def test_given_a_model_when_using_run_and_mesas_run_for_then_both_advance_the_clock():
    model = small_model(2)
    model.run(4)
    assert model.steps == 4
    model.run_for(3)
    assert model.steps == 7
    assert model.indicator_frame()["step"].tolist() == list(range(1, 8))


def test_given_a_run_when_reading_indicators_then_every_contract_name_is_a_column():
    model = small_model(3)
    model.run(5)
    df = model.datacollector.get_model_vars_dataframe()
    assert len(CONTRACT) == 19
    missing = [name for name in CONTRACT if name not in df.columns]
    assert not missing
    frame = model.indicator_frame()
    assert list(frame.columns[:2]) == ["step", "date"]
    assert set(INDICATORS) <= set(frame.columns)


def test_given_a_start_month_when_running_then_dates_are_consecutive_months_from_it():
    model = SSRModel(rng=4, overrides=SMALL, start="2019-11")
    model.run(3)
    assert model.indicator_frame()["date"].tolist() == ["2019-11", "2019-12", "2020-01"]
    assert model.date == "2020-01"


def test_given_a_run_when_reading_the_region_frame_then_one_row_per_step_and_region():
    steps = 6
    model = small_model(5)
    model.run(steps)
    df = model.region_frame()
    names = load_geography().names
    assert len(names) == 11
    assert len(df) == steps * 11
    assert list(df.columns) == ["step", "date", "region", *REGION_COLUMNS]
    assert not df.duplicated(["step", "region"]).any()
    for _, rows in df.groupby("step"):
        assert sorted(rows["region"]) == sorted(names)


def test_given_a_fresh_model_when_reading_the_region_frame_then_it_is_empty_with_columns():
    df = small_model(6).region_frame()
    assert df.empty
    assert list(df.columns) == ["step", "date", "region", *REGION_COLUMNS]


def test_given_parameters_when_building_then_agents_of_each_kind_match_the_counts():
    model = SSRModel(
        rng=7,
        overrides={"community.count": 321, "forces.units_per_region": 2, "cso.per_region": 3},
    )
    by_type = model.agents_by_type
    assert len(by_type[Community]) == 321
    assert len(by_type[SecurityForce]) == 2 * 11
    assert len(by_type[ArmedGroup]) == 4
    assert len(by_type[CSO]) == 3 * 11
    assert len(by_type[Donor]) == 4
    assert [g.name for g in by_type[ArmedGroup]] == list(GROUP_NAMES)
    assert len(model.agents) == 321 + 22 + 4 + 33 + 4


def test_given_few_communities_when_building_then_every_region_gets_at_least_one():
    model = SSRModel(rng=8, overrides={"community.count": 11})
    assert sorted(set(model.world.communities.region.tolist())) == list(range(11))
    # and civilians, fighters and force personnel add up to each region's population
    w = model.world
    everyone = (
        np.bincount(w.communities.region, weights=w.communities.people, minlength=11)
        + w.armed.fighters.sum(axis=0)
        + np.bincount(w.forces.region, weights=w.forces.size, minlength=11)
    )
    assert np.array_equal(everyone, np.rint(load_geography().population))


def test_given_a_run_when_agents_read_their_state_then_they_see_their_own_array_row():
    model = small_model(9)
    model.run(4)
    communities = list(model.agents_by_type[Community])
    for agent in communities[:: max(1, len(communities) // 25)]:
        assert agent.trust == model.world.communities.trust[agent.index]
        assert agent.grievance == model.world.communities.grievance[agent.index]
        assert agent.region == model.geo.names[model.world.communities.region[agent.index]]
    # when the array changes, the agent reads the new value (no stale copy)
    first = communities[0]
    model.world.communities.trust[first.index] = 0.123
    assert first.trust == pytest.approx(0.123)
    for unit in model.agents_by_type[SecurityForce]:
        assert unit.size == model.world.forces.size[unit.index]
        assert unit.integrity == pytest.approx(1 - model.world.forces.corruption[unit.index])
    for group in model.agents_by_type[ArmedGroup]:
        assert group.fighters == int(model.world.armed.fighters[group.index].sum())
    for cso in model.agents_by_type[CSO]:
        assert cso.capacity == model.world.csos.capacity[cso.index]


def test_given_the_same_seed_when_running_twice_then_outputs_are_identical_bit_for_bit():
    a, b = small_model(42), small_model(42)
    a.run(24)
    b.run(24)
    pd.testing.assert_frame_equal(a.indicator_frame(), b.indicator_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.region_frame(), b.region_frame(), check_exact=True)


def test_given_different_seeds_when_running_then_outputs_differ():
    a, b = small_model(42), small_model(43)
    a.run(24)
    b.run(24)
    assert not a.indicator_frame().equals(b.indicator_frame())


def test_given_a_model_when_injecting_an_event_then_it_fires_at_the_next_step_and_is_logged():
    model = small_model(10)
    model.run(3)
    model.inject("coup")
    assert model.world.institutions.regime == "civilian"
    model.step()
    assert model.world.institutions.regime == "military"
    assert [(e.step, e.kind) for e in model.event_log] == [(4, "coup")]


def _entries(model: SSRModel) -> dict[str, int]:
    """How many entries an array declared ``per`` X has in this model's world."""
    w = model.world
    return {
        "community": len(w.communities.region),
        "unit": len(w.forces.region),
        "CSO": len(w.csos.region),
        "region": w.geo.n,
        "group": len(GROUP_NAMES),
        "donor": len(w.donors.names),
    }


def _check_declared_shapes(model: SSRModel) -> None:
    sizes = _entries(model)
    for record in (getattr(model.world, f.name) for f in fields(World) if f.name != "geo"):
        for f in fields(record):
            value, per = getattr(record, f.name), f.metadata["per"]
            if per == "group and region":
                assert np.shape(value) == (sizes["group"], sizes["region"]), f.name
            elif per:
                assert len(value) == sizes[per], f"{type(record).__name__}.{f.name}"
            else:
                assert np.ndim(value) == 0, f"{type(record).__name__}.{f.name}"


def test_given_a_world_built_and_run_when_reading_its_records_then_arrays_match_their_index():
    # given a small model with unusual counts
    model = SSRModel(rng=3, overrides={**SMALL, "forces.units_per_region": 2, "cso.per_region": 3})
    # then every declared array has one entry per declared index, before and after running
    _check_declared_shapes(model)
    model.run(3)
    _check_declared_shapes(model)


def test_given_a_world_record_when_writing_an_undeclared_field_then_it_is_refused():
    model = small_model(2)
    with pytest.raises(AttributeError):
        model.world.flows.undeclared_r = np.zeros(11)  # type: ignore[attr-defined]


def test_given_a_step_when_computing_indicators_then_values_hold_every_indicator_in_order():
    model = small_model(2)
    assert model.values == {}
    model.step()
    assert list(model.values) == list(INDICATORS)
    row = model.indicator_frame().iloc[-1]
    assert all(row[name] == value for name, value in model.values.items())


def test_every_mechanism_of_the_month_is_a_function_of_world_params_and_rng():
    for mechanism in MONTH:
        assert list(inspect.signature(mechanism).parameters) == ["world", "params", "rng"]


def test_given_a_world_built_without_a_model_when_the_month_runs_then_it_matches_the_model():
    # given a world built directly from parameters, regions and a generator
    params = Params().with_overrides(SMALL)
    rng = np.random.default_rng(9)
    world = build_world(params, load_geography(), rng)
    # when the month's mechanisms run on it, with no model at all
    for mechanism in MONTH:
        mechanism(world, params, rng)
    # then it holds what the model holds after its first month with the same seed
    model = SSRModel(rng=9, overrides=SMALL)
    model.step()
    assert np.array_equal(world.communities.trust, model.world.communities.trust)
    assert np.array_equal(world.armed.fighters, model.world.armed.fighters)
    assert np.array_equal(world.flows.abuses_r, model.world.flows.abuses_r)
    assert world.funds == model.world.funds


def test_given_a_big_model_when_built_then_community_agents_wait_until_first_read():
    # given a model with many communities, stepped before anyone looks at its agents
    model = SSRModel(rng=3, overrides={"community.count": 5_000})
    model.run(2)
    # then Mesa's own registry holds only the other agents (no community objects yet)
    raw = Model.agents.fget(model)
    assert not any(isinstance(a, Community) for a in raw)
    others = len(raw)
    # when a user reads the agents, every community appears once, reading its own row
    first = model.agents_by_type[Community]
    again = model.agents_by_type[Community]
    assert len(first) == len(again) == 5_000
    assert len(model.agents) == 5_000 + others
    assert len({a.unique_id for a in model.agents}) == len(model.agents)
    agent = list(first)[1234]
    assert agent.people == model.world.communities.people[agent.index]
    assert Community in model.agent_types
