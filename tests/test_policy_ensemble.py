"""``ssr run`` over a posterior ensemble (a synthetic test fixture, never shipped)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.policy.ensemble import ensemble_jobs, member_draws
from sim.posterior import from_columns
from sim.run import run_to_folder
from sim.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "run_scenarios" / "small.toml"


def fixture_posterior():
    """Two members far apart in harm per attack (and a weight on each)."""
    return from_columns(
        {
            "violence.harm_per_attack": np.array([1.0, 9.0]),
            "ddr.incentive": np.array([0.1, 0.2]),
        },
        np.array([0.5, 0.5]),
        {"config_hash": "test-fixture"},
    )


def small(replicates: int = 6, steps: int = 16):
    return load_scenario(SMALL).with_overrides(replicates=replicates, steps=steps)


def test_each_replicate_takes_a_drawn_members_parameters_and_the_scenario_wins():
    sc, post = small(), fixture_posterior()
    members = member_draws(sc, post)
    jobs = ensemble_jobs(sc, post, members)
    # then replicate r runs member k_r's parameters with the scenario's own seed r
    assert [s for _, s in jobs] == sc.replicate_seeds()
    for (job, _), k in zip(jobs, members, strict=True):
        assert job.params().violence.harm_per_attack == post.members[k]["violence.harm_per_attack"]
        # the scenario file sets ddr.incentive = 0.7 itself: its value is kept
        assert job.params().ddr.incentive == 0.7
    # and the draws depend only on the scenario's seed
    assert member_draws(sc, post) == members
    assert member_draws(sc.with_overrides(seed=99), post) != members or len(set(members)) == 1
    # and without a posterior the jobs are the plain replicates
    assert ensemble_jobs(sc, None) == [(sc, s) for s in sc.replicate_seeds()]


def test_run_over_the_ensemble_separates_parameters_from_randomness(tmp_path):
    # given a run and its comparison over the fixture posterior
    sc, post = small(), fixture_posterior()
    other = dataclasses.replace(sc, name="other", events=sc.events[:1])
    out = run_to_folder(
        sc, tmp_path / "run", compare=other, workers=1, progress=False, posterior=post
    )
    summary = json.loads((out / "summary.json").read_text())
    block = summary["ensemble"]
    # then the summary names the members and splits the variance into two shares
    assert len(block["members"]) == sc.replicates
    harm = block["variance"]["civilian_harm"]
    # (six draws of two members: some member repeats, so the seed-to-seed part is known)
    assert abs(harm["parameters"] + harm["randomness"] - 1.0) < 1e-9
    assert harm["parameters"] > 0.5  # harm per attack x9 dominates seed noise
    # and every difference says in how many replicates its sign holds
    held = block["sign_holds"]["civilian_harm"]
    assert held["of"] == sc.replicates and 0 <= held["replicates"] <= held["of"]
    assert "Parameter uncertainty" in (out / "report.md").read_text()
    # and the replicates drawn with the high-harm member have more harm
    ts = pd.read_parquet(out / "timeseries.parquet")
    last = ts.groupby("replicate")["civilian_harm"].mean().to_numpy()
    hi = np.array(block["members"]) == 1
    assert 0 < hi.sum() < len(hi)  # both members drawn with this seed
    assert last[hi].mean() > last[~hi].mean()


def test_the_same_run_over_the_ensemble_is_reproducible(tmp_path):
    sc, post = small(replicates=3), fixture_posterior()
    a = run_to_folder(sc, tmp_path / "a", workers=1, progress=False, posterior=post)
    b = run_to_folder(sc, tmp_path / "b", workers=2, progress=False, posterior=post)
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "timeseries.parquet"), pd.read_parquet(b / "timeseries.parquet")
    )
