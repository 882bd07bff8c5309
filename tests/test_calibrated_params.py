"""Calibrated parameters matter: the record pins each one.

Two kinds of "calibrated" default:

* set by ``ssr calibrate --install`` (source "calibrated: medoid of the ABC-SMC
  posterior ..."): the shipped posterior must narrow it (90% width at most
  ``UNIDENTIFIED_RATIO`` of its prior's); one it does not narrow is labelled an
  assumption by the install;
* tuned by the earlier point search to named record figures (:data:`TARGETS_OF`): if
  halving or doubling it moved none of its targets by more than the noise between
  replicates, the label would be wrong. Each is checked on the historical scenario
  (small model, three paired seeds: the same seeds with and without the change).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from sim.params import param_specs, spec
from sim.validation.targets import TARGETS, run_replicates, scenario_with

Measure = Callable[[pd.DataFrame, pd.DataFrame], float]
BY_TARGET: dict[str, Measure] = {t.name: t.measure for t in TARGETS}


def _year_mean(column: str, year: int) -> Measure:
    return lambda ts, r: float(ts[ts["date"].str.startswith(str(year))][column].mean())


EXTRA: dict[str, Measure] = {
    "troops_2024": _year_mean("troops", 2024),
    "hr_trained_share_2020": _year_mean("hr_trained_share", 2020),
    "reform_index_2024": _year_mean("reform_index", 2024),
}
MEASURES: dict[str, Measure] = {**BY_TARGET, **EXTRA}

TARGETS_OF: dict[str, tuple[str, ...]] = {
    "state.reform_rate": ("reform_index_2024", "oversight_mean"),
    "forces.budget_growth": ("troops_2024",),
    "ddr.max_uptake": ("ddr_integrated_2023", "ddr_integrated_share_2023"),
    "ddr.cantonment_capacity": ("ddr_disarmed_2019", "ddr_integrated_2023"),
    "ddr.processing_rate": ("ddr_integrated_2023", "ddr_integrated_share_2023"),
    "donors.training_effect": ("hr_trained_share_2020",),
}
"""The record figures each parameter of the point search was tuned to (names of the
targets of :mod:`sim.validation.targets`, or of :data:`EXTRA`)."""
ABC = "calibrated: medoid of the ABC-SMC posterior"

SEED = 2015
REPLICATES = 3
COMMUNITIES = 300


def figures(overrides: dict[str, float]) -> pd.DataFrame:
    """Every measure per replicate of the small historical run with ``overrides``."""
    sc = scenario_with(overrides, community_count=COMMUNITIES)
    runs = run_replicates(sc, REPLICATES, seed=SEED)
    return pd.DataFrame([{k: m(ts, r) for k, m in MEASURES.items()} for ts, r in runs])


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return figures({})


def test_every_calibrated_parameter_names_its_targets_or_comes_from_the_posterior():
    calibrated = {s.name for s in param_specs() if s.source.startswith("calibrated")}
    by_abc = {s.name for s in param_specs() if s.source.startswith(ABC)}
    assert calibrated == set(TARGETS_OF) | by_abc
    assert not by_abc & set(TARGETS_OF)
    assert all(t in MEASURES for targets in TARGETS_OF.values() for t in targets)


def test_every_default_set_by_the_posterior_is_one_the_record_narrows():
    from sim.calibrate.config import load_calibration
    from sim.calibrate.summary import widths
    from sim.posterior import load_posterior
    from sim.validation.blind import CALIBRATION_FILE

    # given the shipped posterior and the parameters whose defaults it set
    post = load_posterior()
    by_abc = {s.name for s in param_specs() if "ABC-SMC posterior" in s.source}
    if post is None:
        assert not by_abc, "defaults name a posterior, but none is shipped"
        return
    cal = load_calibration(CALIBRATION_FILE)
    cols = {n: np.array([m[n] for m in post.members]) for n in post.names}
    table = {r["parameter"]: r for r in widths(cal.priors, cols, post.weights)}
    # then each is in the posterior, labelled calibrated exactly when it is identified
    assert by_abc == set(post.names)
    for name in by_abc:
        assert spec(name).source.startswith(ABC) == table[name]["identified"], name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS_OF))
def test_given_a_calibrated_parameter_halved_or_doubled_then_a_target_moves_beyond_noise(
    name: str, baseline: pd.DataFrame
):
    # given the parameter halved and doubled (within its bounds), on the same seeds
    s = spec(name)
    effects = {}
    for factor in (0.5, 2.0):
        value = float(np.clip(s.default * factor, s.lo, s.hi))
        changed = figures({name: value})
        # when its targets are measured
        for target in TARGETS_OF[name]:
            paired = changed[target] - baseline[target]
            noise = float(baseline[target].std(ddof=1))
            effects[(factor, target)] = (abs(float(paired.mean())), noise)
    # then at least one target moves by more than the spread between replicates
    assert any(shift > noise for shift, noise in effects.values()), effects
