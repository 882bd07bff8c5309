"""The DDR pipeline: stages, conservation of people, counters, and the agreement's end."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import SEEDS, events, replicate, small_model

from sim.geography import GROUP_NAMES, PRO_GOVERNMENT, SIGNATORY
from sim.mechanisms.ddr import ddr_open, pipeline_people, step_ddr
from sim.mechanisms.violence import hostility

CMA = GROUP_NAMES.index("CMA")
PLATFORM = GROUP_NAMES.index("Platform")
DDR_COUNTERS = ("ddr_registered", "ddr_disarmed", "ddr_reintegrated", "ddr_integrated")
GENEROUS = {"ddr.max_uptake": 0.1, "ddr.incentive": 1.0, "ddr.security_guarantee": 1.0}
"""DDR settings that move many people, so every stage is exercised within a few years."""


def test_given_no_launch_when_running_then_nobody_enters_ddr():
    model = small_model(1)
    model.run(24)
    frame = model.indicator_frame()
    for col in (*DDR_COUNTERS, "ddr_rearmed", "ddr_in_pipeline"):
        assert (frame[col] == 0).all(), col


def test_given_ddr_launched_when_running_then_fighters_move_through_every_stage():
    # given DDR opened in the first month
    for seed in SEEDS[:3]:
        model = small_model(seed, GENEROUS, events((1, "launch_ddr")))
        # when the model runs three years
        model.run(36)
        last = model.indicator_frame().iloc[-1]
        # then people registered, were disarmed, and left the camps to both destinations
        assert last["ddr_registered"] > 0
        assert last["ddr_disarmed"] > 0
        assert last["ddr_reintegrated"] > 0
        assert last["ddr_integrated"] > 0
        # and integrated ex-combatants now serve in the force units (some have since been
        # killed in attacks, with their units)
        serving = model.world.forces.integrated.sum()
        assert 0 < serving <= last["ddr_integrated"]


def test_given_ddr_launched_when_running_then_fewer_signatory_fighters_remain_under_arms():
    def signatory(df):
        return float(df["fighters_signatory"].iloc[-1])

    without = replicate(signatory, 36, GENEROUS, seeds=SEEDS[:4])
    with_ddr = replicate(signatory, 36, GENEROUS, [(1, "launch_ddr")], seeds=SEEDS[:4])
    assert with_ddr.max() < without.min()


@pytest.mark.parametrize("terminate", [False, True])
def test_given_an_open_pipeline_when_the_ddr_step_runs_alone_then_no_person_is_created_or_lost(
    terminate: bool,
):
    for seed in SEEDS[:4]:
        # given a model a few months into DDR (after termination, relapse is higher)
        evs = [(1, "launch_ddr")]
        if terminate:
            evs += [(8, "terminate_agreement"), (9, "launch_ddr", {"scope": "pro_government"})]
        model = small_model(seed, {**GENEROUS, "ddr.rearm_rate": 0.2}, events(*evs))
        model.run(12)
        assert model.values["ddr_in_pipeline"] > 0
        # when only the DDR mechanism runs, month after month
        for _ in range(12):
            before = pipeline_people(model.world)
            rearmed_before = model.world.ddr.cum_rearmed.sum()
            step_ddr(model.world, model.p, model.rng)
            # then the ledger of fighters and DDR stages keeps every person
            assert pipeline_people(model.world) == before
            for stock in (
                model.world.armed.fighters,
                model.world.ddr.registered,
                model.world.ddr.disarmed,
                model.world.ddr.reintegrated,
            ):
                assert stock.min() >= 0
        assert model.world.ddr.cum_rearmed.sum() >= rearmed_before


def test_given_a_run_with_ddr_when_reading_counters_then_they_are_monotone_and_ordered():
    for seed in SEEDS[:3]:
        model = small_model(
            seed,
            {**GENEROUS, "ddr.rearm_rate": 0.05},
            events((1, "launch_ddr"), (20, "terminate_agreement")),
        )
        model.run(40)
        df = model.indicator_frame()
        for col in (*DDR_COUNTERS, "ddr_rearmed"):
            assert (df[col].diff().dropna() >= 0).all(), col
        assert (df["ddr_registered"] >= df["ddr_disarmed"]).all()
        assert (df["ddr_disarmed"] >= df["ddr_reintegrated"] + df["ddr_integrated"]).all()
        assert df["ddr_rearmed"].iloc[-1] > 0


def test_given_the_agreement_terminated_when_running_then_no_new_signatory_enters_ddr():
    # given DDR open from the start and the agreement terminated at month 12
    for seed in SEEDS[:3]:
        model = small_model(seed, GENEROUS, events((1, "launch_ddr"), (12, "terminate_agreement")))
        model.run(11)
        registered_before = model.world.ddr.cum_registered.copy()
        assert registered_before.sum() > 0
        # when the model runs on
        model.run(25)
        # then DDR is closed to every group and registrations stay flat
        assert not ddr_open(model.world).any()
        np.testing.assert_array_equal(model.world.ddr.cum_registered, registered_before)
        df = model.indicator_frame()
        assert (df.loc[df["step"] >= 11, "ddr_registered"] == registered_before.sum()).all()


def test_given_termination_then_a_pro_government_launch_when_running_then_only_platform_enters():
    for seed in SEEDS[:3]:
        model = small_model(
            seed,
            GENEROUS,
            events(
                (1, "launch_ddr"),
                (12, "terminate_agreement"),
                (24, "launch_ddr", {"scope": "pro_government"}),
            ),
        )
        model.run(23)
        before = model.world.ddr.cum_registered.copy()
        model.run(24)
        after = model.world.ddr.cum_registered
        assert np.array_equal(ddr_open(model.world), SIGNATORY & PRO_GOVERNMENT)
        assert after[CMA] == before[CMA]
        assert after[PLATFORM] > before[PLATFORM]
        assert (after[~SIGNATORY] == 0).all()


def test_given_the_agreement_terminated_when_running_then_signatory_violence_rises():
    # given the same seeds with and without termination at month 12
    steps = 36
    term = [(12, "terminate_agreement")]

    def north_after(df):
        return float(df.loc[df["step"] >= 12, "incidents_north"].mean())

    # when both run
    calm = replicate(north_after, steps)
    broken = replicate(north_after, steps, evs=term)
    # then incidents in the north (the signatories' area) rise
    assert broken.mean() > 1.2 * calm.mean()
    # and the signatory coalition that is not pro-government turns hostile
    model = small_model(SEEDS[0], evs=events(*term))
    model.run(11)
    hostile_before = hostility(model.world)[CMA]
    model.run(12)
    assert hostility(model.world)[CMA] > hostile_before + 0.3
    assert model.agreement_active is False
    assert model.indicator_frame()["agreement_active"].tolist() == [1] * 11 + [0] * 12
