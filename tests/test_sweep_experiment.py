"""Experiment files: validation with precise errors, and the designs they produce."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from sweep_helpers import BASE

from sim.cli import main
from sim.scenario import ScenarioError
from sim.sweep.experiment import DEFAULT_OUTPUTS
from sim.sweep.schema import load_experiment

REPO = Path(__file__).resolve().parents[1]

GOOD = """
[experiment]
name = "tiny_grid"
scenario = "base.toml"
design = "grid"
replicates = 2
seed = 5
[factors]
"ddr.incentive" = [0.2, 0.5, 0.8]
"corruption.baseline" = { min = 0.3, max = 0.7, levels = 2 }
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
"""


def write(folder: Path, text: str, name: str = "exp.toml") -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_grid_design_has_every_combination_times_replicates(tmp_path):
    # given a 3 x 2 grid with 2 replicates
    exp = load_experiment(write(tmp_path, GOOD))
    # when the design is built
    design = exp.design_frame()
    # then it has 12 runs with the design columns first and distinct per-run seeds
    assert list(design.columns[:4]) == ["run_id", "point_id", "replicate", "seed"]
    assert len(design) == 12 and exp.n_runs() == 12
    assert design["run_id"].tolist() == list(range(12))
    assert design["seed"].nunique() == 12
    levels = design.groupby("point_id")[["ddr.incentive", "corruption.baseline"]].first()
    assert len(levels.drop_duplicates()) == 6
    assert sorted(design["corruption.baseline"].unique()) == [0.3, 0.7]


@pytest.mark.parametrize(("design", "points"), [("sobol", 8 * (3 + 2)), ("morris", 8 * (3 + 1))])
def test_sampled_design_sizes_follow_salib(tmp_path, design, points):
    # given a sampled design over 3 factors with N = 8 and 2 replicates
    text = f"""
    [experiment]
    name = "s"
    scenario = "base.toml"
    design = "{design}"
    samples = 8
    replicates = 2
    [factors]
    "ddr.incentive" = {{ min = 0.1, max = 0.9 }}
    "corruption.baseline" = {{ min = 0.2, max = 0.8 }}
    "community.count" = {{ min = 40, max = 80 }}
    """
    exp = load_experiment(write(tmp_path, text))
    design_df = exp.design_frame()
    # then the point count is SALib's and integer parameters are whole numbers in bounds
    assert design_df["point_id"].nunique() == points
    assert len(design_df) == 2 * points
    counts = design_df["community.count"]
    assert counts.dtype == np.int64 and counts.between(40, 80).all()
    assert design_df["ddr.incentive"].between(0.1, 0.9).all()


def test_design_is_reproducible_from_the_seed(tmp_path):
    text = (
        GOOD.replace('design = "grid"', 'design = "lhs"\nsamples = 10')
        .replace('"ddr.incentive" = [0.2, 0.5, 0.8]', '"ddr.incentive" = { min = 0.2, max = 0.8 }')
        .replace("min = 0.3, max = 0.7, levels = 2", "min = 0.3, max = 0.7")
    )
    a = load_experiment(write(tmp_path, text)).design_frame()
    b = load_experiment(write(tmp_path, text)).design_frame()
    other = load_experiment(write(tmp_path, text.replace("seed = 5", "seed = 6"))).design_frame()
    assert a.equals(b)
    assert not np.allclose(a["ddr.incentive"], other["ddr.incentive"])
    assert not (a["seed"] == other["seed"]).any()


def test_default_outputs_when_the_table_is_absent(tmp_path):
    text = GOOD.split("[outputs]")[0]
    exp = load_experiment(write(tmp_path, text))
    assert [o.name for o in exp.outputs] == list(DEFAULT_OUTPUTS)


def test_scenario_factor_gives_categorical_levels(tmp_path):
    (tmp_path / "other.toml").write_text(BASE.replace('name = "tiny"', 'name = "tiny_b"'))
    text = GOOD.replace('scenario = "base.toml"\n', "") + "\n[factors.x]\n"
    text = text.replace("[factors.x]\n", "")
    text = text.replace(
        '"ddr.incentive" = [0.2, 0.5, 0.8]', 'scenario = ["base.toml", "other.toml"]'
    )
    exp = load_experiment(write(tmp_path, text))
    design = exp.design_frame()
    assert set(design["scenario"]) == {"tiny", "tiny_b"}
    assert len(design) == 2 * 2 * 2


MALFORMED = [
    # (replace this, with this, expected key path, expected words in the message)
    ("replicates = 2", "replicats = 2", "experiment.replicats", "did you mean 'replicates'"),
    ('design = "grid"', 'design = "sobbol"', "experiment.design", "did you mean 'sobol'"),
    ("replicates = 2", 'replicates = "two"', "experiment.replicates", "must be an integer"),
    ("seed = 5", "seed = -1", "experiment.seed", "must be an integer"),
    ('"ddr.incentive" = [0.2', '"ddr.incentiv" = [0.2', 'factors."ddr.incentiv"', "did you mean"),
    ("[0.2, 0.5, 0.8]", "[0.2, 0.5, 1.8]", 'factors."ddr.incentive"[2]', "in [0, 1]"),
    (
        "min = 0.3, max = 0.7",
        "min = 0.7, max = 0.3",
        'factors."corruption.baseline"',
        "min must be below max",
    ),
    (
        "min = 0.3, max = 0.7",
        "min = 0.3, max = 7",
        'factors."corruption.baseline".max',
        "in [0, 1]",
    ),
    (
        "min = 0.3, max = 0.7, levels = 2",
        "min = 0.3, max = 0.7",
        'factors."corruption.baseline"',
        "levels",
    ),
    ('scenario = "base.toml"', 'scenario = "missing.toml"', "experiment.scenario", "not found"),
    (
        'indicator = "civilian_harm"',
        'indicator = "civilian_harms"',
        "outputs.harm.indicator",
        "did you mean 'civilian_harm'",
    ),
    ('stat = "mean_last"', 'stat = "median"', "outputs.harm.stat", "mean_last"),
    ("months = 6", "months = 600", "outputs.harm.months", "must be an integer in [1, 24]"),
    ("[outputs]", "[output]", "output", "did you mean 'outputs'"),
]


@pytest.mark.parametrize(("old", "new", "key", "words"), MALFORMED)
def test_malformed_experiment_exits_2_naming_file_and_key(tmp_path, capsys, old, new, key, words):
    # given an experiment file with one mistake
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    out = tmp_path / "out"
    # when it is swept
    code = main(["sweep", str(path), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    # then exit 2, the message names file, key path and what is allowed, nothing is written
    assert code == 2
    assert str(path) in err and key in err and words in err
    assert "Traceback" not in err
    assert not out.exists()
    # and ssr check agrees
    assert main(["check", str(path)]) == 2


def test_sampled_design_rejects_grid_levels(tmp_path):
    path = write(tmp_path, GOOD.replace('design = "grid"', 'design = "sobol"'))
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert info.value.key == 'factors."ddr.incentive"' and "range" in info.value.message


def test_steps_override_may_not_cut_off_scenario_events(tmp_path):
    path = write(tmp_path, GOOD.replace("seed = 5", "seed = 5\nsteps = 1"))
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert info.value.key == "experiment.steps" and "step 2" in info.value.message


def test_shipped_experiments_pass_ssr_check(capsys):
    files = sorted((REPO / "experiments").glob("*.toml"))
    assert {f.name for f in files} >= {
        "ddr_x_corruption.toml",
        "sobol_main.toml",
        "oversight_cso_termination.toml",
    }
    assert main(["check", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert out.count("ok (experiment)") + out.count("ok (policies)") == len(files)
