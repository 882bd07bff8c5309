"""Policy levers: regional targeting, costs, the [policy] table and its errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.policy.levers import (
    LEVERS,
    PEACEKEEPER_MONTH_USD,
    apply_policy,
    lever_table,
    parse_policy,
    run_with_policy,
)
from sim.scenario import build_model, load_scenario, parse_scenario, scenario_toml, simulate

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "run_scenarios" / "small.toml"

SCENARIO = """
[scenario]
name = "policy_test"
start = "2018-06"
steps = 12
replicates = 1
seed = 3

[parameters]
"community.count" = 200

[policy]
from = "2018-09"
{policy}
"""


def _model(policy: str):
    sc = parse_scenario(__import__("tomllib").loads(SCENARIO.format(policy=policy)), "<test>")
    return sc, build_model(sc, 11)


def test_a_lever_targeted_at_one_region_changes_only_that_regions_inputs():
    # given a training lever targeted at Mopti only
    sc, model = _model('hr_training = { amount = 2.0, regions = ["Mopti"] }')
    before = {
        f.name: getattr(model.world.policy, f.name).copy()
        for f in dataclasses.fields(model.world.policy)
    }
    # when the policy is applied
    apply_policy(model, sc.policy)
    # then Mopti's training input rises, every other region's and every other input is zero
    names = list(model.world.geo.names)
    training = model.world.policy.training_r
    assert training[names.index("Mopti")] > 0
    assert np.all(np.delete(training, names.index("Mopti")) == 0)
    for name, old in before.items():
        if name != "training_r":
            assert np.array_equal(getattr(model.world.policy, name), old)


def test_a_targeted_lever_moves_the_targeted_regions_forces_only():
    # given the same scenario with and without training targeted at Gao
    sc, _ = _model('hr_training = { amount = 5.0, regions = ["Gao"] }')
    base = dataclasses.replace(sc, policy=None)
    first = sc.policy.start_step(sc.start)
    # when both run with the same seed to the policy's first month
    m1, m0 = build_model(sc, 5), build_model(base, 5)
    run_with_policy(m1, sc.policy, sc.start, first)
    run_with_policy(m0, None, sc.start, first)
    # then the trained share rises in Gao's units and nowhere else
    gao = m1.world.geo.names.index("Gao")
    in_gao = m1.world.forces.region == gao
    diff = m1.world.forces.trained - m0.world.forces.trained
    assert np.all(diff[in_gao] > 0)
    assert np.all(diff[~in_gao] == 0)


def test_costs_add_up_from_the_registry():
    # given a policy of three levers and an extra cost
    table = {
        "peacekeepers": 1000,
        "hr_training": {"amount": 2.5, "regions": ["Mopti", "Segou"]},
        "ddr_places": 400,
        "extra_cost": 250_000,
    }
    policy = parse_policy(table, "<test>")
    # then its monthly cost is the sum of amount x unit cost of each lever plus the extra
    expected = (
        1000 * PEACEKEEPER_MONTH_USD
        + 2.5 * LEVERS["hr_training"].cost_per_unit
        + 400 * LEVERS["ddr_places"].cost_per_unit
        + 250_000
    )
    assert policy.cost_per_month() == pytest.approx(expected)
    # and a peacekeeper-month costs MINUSMA's 2022/23 budget per authorised person-month
    assert 6_000 < PEACEKEEPER_MONTH_USD < 8_000
    # and region names are matched without accents
    assert policy.settings[1].regions == ("Mopti", "Ségou")


def test_every_lever_is_declared_with_bounds_unit_cost_and_source():
    for lv in LEVERS.values():
        assert lv.lo < lv.hi and lv.unit and lv.meaning
        assert lv.cost_per_unit >= 0
        assert lv.cost_source.startswith("assumption") or any(
            ch.isdigit() for ch in lv.cost_source
        ), lv.name  # a source carries a date or a figure
        assert bool(lv.regional) != bool(lv.moves), lv.name


@pytest.mark.parametrize(
    ("policy", "key", "words"),
    [
        ("hr_trainin = 2", "policy.hr_trainin", "did you mean 'hr_training'"),
        (
            'hr_training = { amount = 2, regions = ["Atlantis"] }',
            "policy.hr_training.regions[0]",
            "unknown region",
        ),
        ("extra_cost = -5", "policy.extra_cost", "must be in [0"),
        (
            'political_will = { amount = 0.1, regions = ["Gao"] }',
            "policy.political_will.regions",
            "acts nationally",
        ),
        ("peacekeepers = -10", "policy.peacekeepers.amount", "must be in [0"),
        ('extra_cost = "lots"', "policy.extra_cost", "must be a number"),
    ],
)
def test_a_bad_policy_table_exits_2_naming_file_and_key(tmp_path, capsys, policy, key, words):
    # given a scenario with a mistake in its [policy] table
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.format(policy=policy), encoding="utf-8")
    # when it is checked
    code = main(["check", str(path)])
    # then the exit code is 2 and the message names the file, the key and what is wrong
    err = capsys.readouterr().err
    assert code == 2
    assert str(path) in err and key in err and words in err


def test_a_policy_scenario_round_trips_through_its_toml(tmp_path):
    # given a scenario with a [policy] table
    sc, _ = _model('cso_grants = { amount = 1.0, regions = ["Kidal", "Gao"] }\npeacekeepers = 300')
    # when written as TOML and read back
    path = tmp_path / "again.toml"
    path.write_text(scenario_toml(sc), encoding="utf-8")
    again = load_scenario(path)
    # then it is the same configuration, and the policy changes the hash
    assert again.config_hash() == sc.config_hash()
    assert dataclasses.replace(sc, policy=None).config_hash() != sc.config_hash()


def test_a_policy_changes_results_only_from_its_start_month():
    # given a scenario whose policy starts in its fourth month
    sc, _ = _model("peacekeepers = 8000\npolitical_will = 0.4")
    base = dataclasses.replace(sc, policy=None)
    # when both run with one seed
    a, _ = simulate(sc, 2)
    b, _ = simulate(base, 2)
    # then the first three months are identical and the run differs afterwards
    assert a.iloc[:3].equals(b.iloc[:3])
    assert not a.iloc[3:].equals(b.iloc[3:])


def test_docs_list_every_lever_as_the_registry_says():
    text = (REPO / "docs" / "policy.md").read_text(encoding="utf-8")
    assert lever_table() in text


def test_small_scenario_still_runs_without_a_policy():
    sc = load_scenario(SMALL)
    assert sc.policy is None
