"""Directional behaviour of the mechanisms, compared over several replicates.

Each test contrasts two settings over the same seeds and asserts the direction of a
difference that the mechanism's equations imply; the contrasts are wide enough for the
direction to hold under recalibration of the other parameters.
"""

from __future__ import annotations

import numpy as np
from model_helpers import SEEDS, replicate, small_model

from sim.mechanisms.corruption import step_corruption
from sim.mechanisms.oversight import step_oversight


def _last(col: str, months: int = 12):
    """Mean of an indicator over the last ``months`` of a run."""
    return lambda df: float(df[col].iloc[-months:].mean())


def _total(col: str):
    """Sum of an indicator over a run."""
    return lambda df: float(df[col].sum())


# --------------------------------------------------------------------- abuses and trust
def test_given_more_abuses_by_forces_when_running_then_trust_falls_and_recruitment_rises():
    # given the same seeds with a low and a high abuse rate of the forces
    low = {"violence.abuse_rate": 0.5}
    high = {"violence.abuse_rate": 10.0}
    steps = 48
    # when both run
    abuses_low = replicate(_total("abuses_by_forces"), steps, low)
    abuses_high = replicate(_total("abuses_by_forces"), steps, high)
    trust_low = replicate(_last("trust"), steps, low)
    trust_high = replicate(_last("trust"), steps, high)
    recruits_low = replicate(_total("recruits"), steps, low)
    recruits_high = replicate(_total("recruits"), steps, high)
    support_low = replicate(_last("support_share"), steps, low)
    support_high = replicate(_last("support_share"), steps, high)
    # then there are more abuses, less trust, more recruits and more support for armed groups
    assert abuses_high.mean() > 3 * abuses_low.mean()
    assert trust_high.mean() < trust_low.mean()
    assert recruits_high.mean() > recruits_low.mean()
    assert support_high.mean() > support_low.mean()


def test_given_lower_human_rights_compliance_when_running_then_forces_abuse_more():
    steps = 36
    compliant = replicate(_total("abuses_by_forces"), steps, {"forces.compliance_base": 0.8})
    abusive = replicate(_total("abuses_by_forces"), steps, {"forces.compliance_base": 0.0})
    harm_compliant = replicate(
        _total("civilian_harm_by_forces"), steps, {"forces.compliance_base": 0.8}
    )
    harm_abusive = replicate(
        _total("civilian_harm_by_forces"), steps, {"forces.compliance_base": 0.0}
    )
    assert abusive.min() > compliant.max()
    assert harm_abusive.mean() > harm_compliant.mean()


def test_given_no_abuses_and_full_protection_when_updating_trust_then_trust_rises_toward_target():
    # given communities that see no abuse, full state control and certain enforcement
    model = small_model(21, {"violence.abuse_rate": 0.0, "trust.initial_mean": 0.3})
    model.run(1)
    before = model.world.communities.trust.mean()
    model.world.flows.abuses_r[:] = 0
    model.world.flows.control_r[:] = 1.0
    model.world.flows.extortion_r[:] = 0
    model.world.institutions.enforcement = 1.0
    from sim.mechanisms.trust import step_trust

    # when trust is updated several months
    for _ in range(6):
        step_trust(model.world, model.p, model.rng)
    # then trust rises and stays a share
    after = model.world.communities.trust
    assert after.mean() > before
    assert after.min() >= 0.0 and after.max() <= 1.0


# --------------------------------------------------------------------- oversight, corruption
def test_given_political_will_when_oversight_is_stronger_then_corruption_is_lower():
    steps = 60
    will = {"state.political_will": 1.0}
    weak = replicate(_last("corruption"), steps, {**will, "oversight.strength": 0.1})
    strong = replicate(_last("corruption"), steps, {**will, "oversight.strength": 0.9})
    assert strong.mean() < weak.mean()
    assert strong.max() < weak.min()


def test_given_no_political_will_when_oversight_is_stronger_then_it_delivers_little():
    # given oversight strength raised from 0.1 to 0.9, at political will 0 and at 1
    steps = 60

    def effect(will: float, measure) -> float:
        weak = replicate(measure, steps, {"state.political_will": will, "oversight.strength": 0.1})
        strong = replicate(
            measure, steps, {"state.political_will": will, "oversight.strength": 0.9}
        )
        return float(weak.mean() - strong.mean())

    # then effective oversight gains much less without will than with it
    gain_no_will = -effect(0.0, _last("oversight"))
    gain_will = -effect(1.0, _last("oversight"))
    assert 0 <= gain_no_will < 0.25 * gain_will
    # and abuses by forces fall much less without will than with it
    cut_no_will = effect(0.0, _total("abuses_by_forces"))
    cut_will = effect(1.0, _total("abuses_by_forces"))
    assert cut_will > 0
    assert cut_no_will < 0.5 * cut_will


def test_given_the_same_world_when_only_enforcement_differs_then_sanctions_cut_corruption():
    # given two copies of one model state, with and without enforcement
    results = []
    for enforce in (0.0, 1.0):
        model = small_model(31)
        model.run(6)
        step_oversight(model.world, model.p, model.rng)
        model.world.institutions.detection[:] = 0.9
        model.world.institutions.enforcement = enforce
        before = model.world.forces.corruption.copy()
        # when the corruption mechanism runs once
        step_corruption(model.world, model.p, model.rng)
        results.append((before, model.world.forces.corruption.copy(), model))
    (_, c_none, m_none), (_, c_full, m_full) = results
    # then no unit is sanctioned without enforcement, and sanctions lower propensities
    assert m_none.world.flows.misconduct_sanctioned == 0
    assert m_full.world.flows.misconduct_sanctioned > 0
    assert c_full.mean() < c_none.mean()
    assert 0.0 <= c_full.min() and c_full.max() <= 1.0


def test_given_more_political_will_when_running_then_the_reform_index_grows_faster():
    steps = 48
    low = replicate(
        _last("reform_index", 1), steps, {"state.political_will": 0.05}, seeds=SEEDS[:3]
    )
    high = replicate(
        _last("reform_index", 1), steps, {"state.political_will": 0.95}, seeds=SEEDS[:3]
    )
    assert high.min() > low.max()


# --------------------------------------------------------------------- donors, forces
def test_given_donor_money_for_training_when_running_then_the_trained_share_grows():
    steps = 36
    funded = replicate(_last("hr_trained_share", 1), steps, seeds=SEEDS[:3])
    unfunded = replicate(
        _last("hr_trained_share", 1),
        steps,
        {"donors.multilateral_budget": 0.0, "donors.bilateral_budget": 0.0},
        seeds=SEEDS[:3],
    )
    initial = 0.05
    assert funded.min() > initial
    assert unfunded.max() < initial
    assert np.all(funded > unfunded)


def test_given_more_corruption_when_running_then_more_donor_money_leaks():
    steps = 24
    clean = replicate(_total("funds_leaked"), steps, {"corruption.baseline": 0.1}, seeds=SEEDS[:3])
    dirty = replicate(_total("funds_leaked"), steps, {"corruption.baseline": 0.9}, seeds=SEEDS[:3])
    assert dirty.min() > clean.max()
