"""``ssr compare``: common random numbers, regret, satisficing, costs, resume after SIGKILL.

The posterior used here is a test fixture written to a temporary folder (two calibrated
parameters, four members); it is never shipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.policy import analysis as an
from sim.policy.compare import STATUS_QUO, load_compare, outcome_arrays, ranking
from sim.posterior import from_columns, write_posterior
from sim.sweep.runner import run_sweep

REPO = Path(__file__).resolve().parents[1]
SSR_FAULTS = str(REPO / "tests" / "ssr_faults.py")

BASE = """
[scenario]
name = "base"
start = "2023-06"
steps = 10
replicates = 1
seed = 1

[parameters]
"community.count" = 150
"""

POLICIES = """
[compare]
name = "tiny_compare"
scenario = "base.toml"
members = {members}
seed = 9
from = "2023-09"
months = 4

[thresholds]
civilian_harm = {{ max = 1000 }}
trust = {{ min = 0.0 }}

[[policies]]
name = "same_as_status_quo"
political_will = 0.0

[[policies]]
name = "protect_centre"
peacekeepers = {{ amount = 6000, regions = ["Mopti", "Ségou"] }}

[[policies]]
name = "reform_push"
political_will = 0.5
oversight_budget = 3.0
"""


def write_files(folder: Path, members: int = 3) -> Path:
    (folder / "base.toml").write_text(BASE, encoding="utf-8")
    path = folder / "policies.toml"
    path.write_text(POLICIES.format(members=members), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    posterior = folder / "posterior.parquet"
    write_posterior(
        from_columns(
            {
                "armed.commitment_after_termination": np.array([0.1, 0.4, 0.1, 0.4]),
                "violence.harm_per_attack": np.array([2.0, 2.0, 5.0, 5.0]),
            },
            np.array([0.25, 0.25, 0.25, 0.25]),
            {"config_hash": "test-fixture"},
        ),
        posterior,
    )
    exp = load_compare(write_files(folder), posterior)
    out = folder / "out"
    result = run_sweep(exp, out, executor="serial", progress=False)
    assert result.ok
    summary = pd.read_parquet(out / "summary.parquet")
    return exp, summary, outcome_arrays(exp, summary)


def test_status_quo_against_itself_differs_by_exactly_zero_in_every_member(compared):
    # given a compare run over a (fixture) posterior with a policy that changes nothing
    exp, _, arrays = compared
    names = list(exp.scenarios)
    same = names.index("same_as_status_quo")
    # then every outcome is identical to the status quo in every member, bit for bit
    for name, y in arrays.items():
        assert np.array_equal(an.differences(y)[0], np.zeros(y.shape[1])), name
        assert np.array_equal(y[same], y[0]), name


def test_every_policy_gets_the_same_seed_and_parameter_set_in_a_member(compared):
    exp, summary, arrays = compared
    # then each unit (replicate) has one seed and one parameter set across policies
    by_unit = summary.groupby("replicate")
    for col in ("seed", "armed.commitment_after_termination", "violence.harm_per_attack"):
        assert (by_unit[col].nunique() == 1).all(), col
    # and the members were drawn from the posterior (its values only)
    assert set(summary["violence.harm_per_attack"]) <= {2.0, 5.0}
    assert "posterior" in exp.ensemble
    # and a real policy does change results
    names = list(exp.scenarios)
    assert not np.array_equal(
        arrays["civilian_harm"][names.index("protect_centre")], arrays["civilian_harm"][0]
    )


def test_regret_is_non_negative_and_zero_for_each_members_best_policy(compared):
    _, _, arrays = compared
    for y in (arrays["civilian_harm"], np.random.default_rng(0).normal(size=(7, 40))):
        for sign in (-1.0, 1.0):
            r = an.regret(y, sign)
            assert (r >= 0).all()
            best = np.argmax(sign * y, axis=0)
            assert np.all(r[best, np.arange(y.shape[1])] == 0)


def test_robustness_measures_on_a_hand_worked_example():
    # given three policies in four members, low harm good; policy 0 the status quo
    harm = np.array([[10, 10, 10, 10], [8, 12, 6, 9], [11, 9, 10, 7]], dtype=float)
    # then
    assert an.expected_change(harm).tolist() == [0.0, -1.25, -0.75]
    assert an.prob_beat(harm, -1.0).tolist() == [0.0, 0.75, 0.5]
    assert an.regret(harm, -1.0)[:, 0].tolist() == [2.0, 0.0, 3.0]
    sat = an.satisficing({"h": harm}, {"h": (None, 9.0)})
    assert sat.tolist() == [0.0, 0.75, 0.5]
    cost = np.array([0.0, 5e6, 1e6])
    assert an.cost_per_harm_averted(cost, harm)[1:] == pytest.approx([4e6, 1e6 / 0.75])
    assert np.isnan(an.cost_per_harm_averted(cost, harm)[0])
    assert an.sign_agreement(harm[1] - harm[0]) == (3, 4)
    param, noise = an.variance_shares(np.array([[1.0, 1.0], [3.0, 3.0]]))
    assert (param, noise) == (1.0, 0.0)


def test_ranking_has_costs_and_the_status_quo_at_zero(compared):
    exp, _, arrays = compared
    table = ranking(exp, arrays).set_index("policy")
    assert table.loc[STATUS_QUO, "cost_usd_per_month"] == 0
    assert table.loc[STATUS_QUO, "civilian_harm_change"] == 0
    assert table.loc["reform_push", "cost_usd_per_month"] == pytest.approx(3e6)
    assert (table["harm_regret_p90"] >= 0).all()
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))
    assert table["harm_regret_mean"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("political_will = 0.5", "politcal_will = 0.5", "policies[2].politcal_will"),
        ('["Mopti", "Ségou"]', '["Mopti", "Segoo"]', "policies[1].peacekeepers.regions[1]"),
        ("oversight_budget = 3.0", "extra_cost = -1", "policies[2].extra_cost"),
        ("members = 3", "members = 0", "compare.members"),
        ("trust = { min = 0.0 }", "truth = { min = 0.0 }", "thresholds.truth"),
    ],
)
def test_a_bad_policies_file_exits_2_naming_file_and_key(tmp_path, capsys, old, new, key):
    path = write_files(tmp_path)
    text = path.read_text(encoding="utf-8").replace(old, new)
    assert text != path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    # when it is checked and when it is run
    for argv in (["check", str(path)], ["compare", str(path), "--out", str(out)]):
        code = main(argv)
        err = capsys.readouterr().err
        # then exit 2, the file and key named, nothing written
        assert code == 2, err
        assert str(path) in err and key in err
    assert not out.exists()


def test_compare_resumes_after_sigkill_with_identical_results(tmp_path):
    # given an uninterrupted serial comparison without a posterior (defaults and seeds)
    path = write_files(tmp_path, members=6)
    ref = tmp_path / "ref"
    args = ["compare", str(path), "--fixed-params", "--no-progress"]
    assert main([*args, "--out", str(ref), "--executor", "serial"]) == 0
    # and the same comparison in its own process group, slowed down
    out = tmp_path / "out"
    cmd = [sys.executable, SSR_FAULTS, *args, "--out", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSR_SWEEP_")}
    proc = subprocess.Popen(
        [*cmd, "--executor", "serial"],
        env={**env, "SSR_SWEEP_DELAY_S": "0.2"},
        cwd=REPO,
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    # when it is killed with SIGKILL once some result parts exist
    deadline = time.monotonic() + 300
    while len(list((out / "runs").glob("part-*.parquet"))) < 2:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert not (out / "ranking.csv").exists()
    # then --resume completes it with the same per-run results and the same ranking
    done = subprocess.run([*cmd, "--resume"], env=env, cwd=REPO, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    a = pd.read_parquet(ref / "summary.parquet").drop(columns="run_seconds", errors="ignore")
    b = pd.read_parquet(out / "summary.parquet").drop(columns="run_seconds", errors="ignore")
    pd.testing.assert_frame_equal(a, b)
    assert (ref / "ranking.csv").read_text() == (out / "ranking.csv").read_text()
    assert "fixed parameters (the defaults" in (out / "report.md").read_text()
