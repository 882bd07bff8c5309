"""``sim.ema``: the model as an ema_workbench model, built from the registries."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.ema import DEFAULT_UNCERTAINTIES, ema_model, run_once, seeded_sampling
from sim.indicators import BY_NAME
from sim.params import spec
from sim.policy.levers import LEVERS
from sim.posterior import from_columns
from sim.scenario import load_scenario, simulate

SMALL = Path(__file__).resolve().parent / "run_scenarios" / "small.toml"


def test_uncertainties_levers_and_outcomes_come_from_the_registries():
    model = ema_model(load_scenario(SMALL))
    unc = {u.name: (u.lower_bound, u.upper_bound) for u in model.uncertainties}
    assert unc == {n: (spec(n).lo, spec(n).hi) for n in DEFAULT_UNCERTAINTIES}
    levers = {lv.name: (lv.lower_bound, lv.upper_bound) for lv in model.levers}
    assert levers == {n: (lv.lo, lv.hi) for n, lv in LEVERS.items()}
    for o in model.outcomes:
        wants_high = BY_NAME[o.name].good_when == "high"
        assert o.kind == (o.MAXIMIZE if wants_high else o.MINIMIZE)


def test_a_posterior_sets_the_uncertainties_to_its_members_range():
    post = from_columns(
        {"ddr.incentive": np.array([0.2, 0.5, 0.3])}, np.ones(3), {"config_hash": "fixture"}
    )
    model = ema_model(load_scenario(SMALL), posterior=post)
    (u,) = model.uncertainties
    assert (u.name, u.lower_bound, u.upper_bound) == ("ddr.incentive", 0.2, 0.5)


def test_one_experiment_is_the_scenario_run_with_those_inputs_and_the_common_seed():
    base = load_scenario(SMALL).with_overrides(steps=16)
    # when EMA passes zero lever amounts and the default of a parameter
    default = spec("violence.harm_per_attack").default
    out = run_once(
        base,
        ("civilian_harm",),
        4,
        seed=3,
        peacekeepers=0.0,
        **{"violence.harm_per_attack": default},
    )
    # then it is exactly the base scenario's run with that seed
    ts, _ = simulate(base, 3)
    assert out["civilian_harm"] == float(ts["civilian_harm"].to_numpy()[-4:].mean())
    # and a lever changes it
    more = run_once(base, ("civilian_harm",), 4, seed=3, peacekeepers=15000.0)
    assert more["civilian_harm"] != out["civilian_harm"]


def test_seeded_sampling_makes_ema_experiments_reproducible_and_leaves_numpy_as_it_was():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator, perform_experiments

    # given a small model (16 months, outcomes over the last 2)
    model = ema_model(
        load_scenario(SMALL).with_overrides(steps=16), months=2, levers=("peacekeepers",)
    )

    def study(seed: int):
        with seeded_sampling(seed), SequentialEvaluator(model) as evaluator:
            return perform_experiments(model, scenarios=2, policies=1, evaluator=evaluator)

    np.random.seed(99)
    before = np.random.random()
    np.random.seed(99)
    # when the same study runs twice with one seed, and once with another
    (exp_a, out_a), (exp_b, out_b) = study(7), study(7)
    (exp_c, _) = study(8)
    # then the designs and outcomes are identical, another seed samples other designs,
    inputs = [p.name for p in (*model.uncertainties, *model.levers)]  # not EMA's counters
    assert exp_a[inputs].equals(exp_b[inputs])
    assert all(np.array_equal(out_a[k], out_b[k]) for k in out_a)
    assert not exp_a[inputs].equals(exp_c[inputs])
    # and NumPy's global generator is where the caller left it
    assert np.random.random() == before
