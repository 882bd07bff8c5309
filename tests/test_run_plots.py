"""`ssr run --plots`: which plots a run draws, and a report that shows exactly those."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.choices import DEFAULT_PLOTS, PLOT_CHOICES, SUMMARY_PLOTS
from sim.cli import build_parser
from sim.cli import main as ssr
from sim.plots import TIME_PLOTS, year_ticks
from sim.run import RUN_FILES, run_to_folder

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "run_scenarios"
SMALL = HERE / "small.toml"
OTHER = HERE / "small_other.toml"
PNG = b"\x89PNG\r\n\x1a\n"


def run(out: Path, *extra: str) -> Path:
    """``ssr run`` of the small scenario into ``out`` (one process, no progress bar)."""
    code = ssr(["run", str(SMALL), "--out", str(out), "--workers", "1", "--no-progress", *extra])
    assert code == 0
    return out


def linked_images(report: str) -> list[str]:
    """Targets of the report's image links, in order."""
    return [line.split("](")[1].rstrip(")") for line in report.splitlines() if "![" in line]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The small scenario compared with its partner, once per ``--plots`` choice."""
    base = tmp_path_factory.mktemp("plots")
    return {
        which: run(base / which, "--compare", str(OTHER), "--plots", which)
        for which in PLOT_CHOICES
    }


def test_given_no_plots_option_then_every_plot_is_drawn_so_the_report_is_complete():
    args = build_parser().parse_args(["run", str(SMALL)])
    assert args.plots == DEFAULT_PLOTS == "all"


@pytest.mark.parametrize("which", list(PLOT_CHOICES))
def test_given_any_plots_choice_then_the_folder_contract_holds(runs, which):
    folder = runs[which]
    for name in RUN_FILES:
        assert (folder / name).is_file(), name
    assert (folder / "compare" / "timeseries.parquet").is_file()


@pytest.mark.parametrize("which", list(PLOT_CHOICES))
def test_given_any_plots_choice_then_the_report_links_exactly_the_plots_drawn(runs, which):
    folder = runs[which]
    links = linked_images((folder / "report.md").read_text())
    drawn = sorted(p.name for p in (folder / "plots").glob("*")) if which != "none" else []
    assert sorted(Path(link).name for link in links) == drawn
    for link in links:
        assert (folder / link).read_bytes().startswith(PNG), link


def test_given_plots_all_then_every_time_plot_and_map_is_drawn(runs):
    names = {p.stem for p in (runs["all"] / "plots").glob("*.png")}
    assert {stem for stem, _, _ in TIME_PLOTS} <= names
    assert {"map_civilian_harm", "map_trust", "map_civilian_harm_difference"} <= names
    assert "were drawn" not in (runs["all"] / "report.md").read_text()


def test_given_plots_summary_then_only_the_summary_plots_are_drawn_and_the_report_says_so(runs):
    names = {p.stem for p in (runs["summary"] / "plots").glob("*.png")}
    assert names == set(SUMMARY_PLOTS)  # the difference map too: this run has --compare
    report = (runs["summary"] / "report.md").read_text()
    assert "Only the summary plots were drawn (`--plots summary`" in report
    assert "`ssr plots RUN_FOLDER`" in report


def test_given_plots_none_then_no_plot_folder_and_the_report_points_to_the_data(runs):
    folder = runs["none"]
    assert not (folder / "plots").exists()
    report = (folder / "report.md").read_text()
    assert "No plots were drawn (`--plots none`" in report
    assert "`timeseries.parquet`" in report
    assert "## Headline results" in report and "## Provenance" in report


def test_the_plots_choice_changes_the_pictures_only_not_the_results(runs):
    def numbers(which: str) -> dict:
        summary = json.loads((runs[which] / "summary.json").read_text())
        return {k: summary[k] for k in ("config_hash", "indicators", "comparison")}

    assert numbers("none") == numbers("summary") == numbers("all")
    frames = [pd.read_parquet(runs[w] / "timeseries.parquet") for w in PLOT_CHOICES]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


def test_given_an_unknown_plots_choice_then_exit_2_naming_the_choices(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        ssr(["run", str(SMALL), "--plots", "some", "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--plots" in err
    for choice in PLOT_CHOICES:
        assert choice in err
    assert not (tmp_path / "out").exists()


def test_given_an_unknown_plots_choice_in_python_then_it_is_refused_before_any_work(tmp_path):
    from sim.scenario import ScenarioError, load_scenario

    with pytest.raises(ScenarioError, match=r"--plots: unknown choice 'every'.*all, summary, none"):
        run_to_folder(load_scenario(SMALL), tmp_path / "out", workers=1, plots="every")
    assert not (tmp_path / "out").exists()


def test_given_plots_none_then_matplotlib_is_never_imported(tmp_path):
    # given a fresh interpreter / when a run draws no plots
    code = (
        "import sys\nfrom sim.cli import main\n"
        f"assert main(['run', {str(SMALL)!r}, '--out', {str(tmp_path / 'r')!r}, "
        "'--workers', '1', '--no-progress', '--plots', 'none']) == 0\n"
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # then
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2015-06", "2025-05", [2016, 2018, 2020, 2022, 2024]),
        ("2018-06", "2020-05", [2019, 2020]),
        ("2015-01", "2016-12", [2015, 2016]),
        ("2000-01", "2099-12", [2000, 2020, 2040, 2060, 2080]),
    ],
)
def test_year_ticks_mark_round_years_inside_the_run_and_at_most_seven(first, last, expected):
    dates = pd.date_range(first, last, freq="MS")
    ticks = year_ticks(dates)
    assert [t.year for t in ticks] == expected
    assert all(t.month == 1 and t.day == 1 for t in ticks)
    assert ticks.min() >= dates.min() and ticks.max() <= dates.max()


# ---------------------------------------------------------------------- ssr plots (deferred)
def test_given_a_run_without_plots_when_plotted_afterwards_then_it_matches_a_run_with_all(
    runs, tmp_path
):
    # given: a copy of the run made with --plots none
    folder = tmp_path / "later"
    shutil.copytree(runs["none"], folder)
    data = {f: (folder / f).read_bytes() for f in ("summary.json", "timeseries.parquet")}
    # when
    assert ssr(["plots", str(folder)]) == 0
    # then: the same plots and report section as a run drawn with --plots all
    drawn = sorted(p.name for p in (folder / "plots").glob("*.png"))
    assert drawn == sorted(p.name for p in (runs["all"] / "plots").glob("*.png"))
    for name in drawn:
        assert (folder / "plots" / name).read_bytes() == (runs["all"] / "plots" / name).read_bytes()
    report = (folder / "report.md").read_text()
    assert sorted(Path(link).name for link in linked_images(report)) == drawn
    assert "were drawn" not in report
    # and the data are untouched
    assert data == {f: (folder / f).read_bytes() for f in data}
    assert not list(folder.glob(".plots.tmp-*"))


def test_given_plots_afterwards_with_summary_then_the_extra_plots_are_removed(runs, tmp_path):
    folder = tmp_path / "fewer"
    shutil.copytree(runs["all"], folder)
    assert ssr(["plots", str(folder), "--plots", "summary"]) == 0
    assert {p.stem for p in (folder / "plots").glob("*.png")} == set(SUMMARY_PLOTS)
    links = linked_images((folder / "report.md").read_text())
    assert {Path(link).stem for link in links} == set(SUMMARY_PLOTS)


def test_given_a_folder_that_is_not_a_run_when_plotted_then_exit_2_and_nothing_written(
    tmp_path, capsys
):
    folder = tmp_path / "notarun"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep")
    assert ssr(["plots", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "not a run folder" in err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
