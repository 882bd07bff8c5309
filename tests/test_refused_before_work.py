"""Inputs refused before work: before any model runs and before any file is written.

Each case would otherwise pass ``ssr check`` and fail later (after minutes of runs, or
with a design and a manifest already on disk), block for ever, or exhaust the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sweep_helpers import BASE

import sim.resources
from sim.cli import main
from sim.executors import cores, resolve_workers

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "run_scenarios" / "small.toml"
QUICK = ["--replicates", "1", "--steps", "16", "--workers", "1", "--no-progress"]

GRID = """
[experiment]
name = "tiny_grid"
scenario = "base.toml"
design = "grid"
[factors]
"ddr.incentive" = [0.2, 0.8]
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
"""


def experiment(folder: Path, text: str = GRID) -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / "exp.toml"
    path.write_text(textwrap.dedent(text))
    return path


def ssr_process(
    *args: str, cwd: Path, timeout: float = 60, prefix=()
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------- text and dates


def test_given_dollar_signs_in_labels_and_description_when_run_then_plots_draw_them(tmp_path):
    # given a scenario whose description and event label hold mathtext-like text
    text = SMALL.read_text(encoding="utf-8")
    # (not valid mathtext: matplotlib would stop the run at plotting if it parsed it)
    text = text.replace('label = "DDR launched"', 'label = "Cost $x^$ and $\\\\foo$: $5 to $10"')
    text = text.replace('description = "', 'description = "Costs $x^$ ', 1)
    path = tmp_path / "dollars.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    # when it is checked and run
    assert main(["check", str(path)]) == 0
    code = main(["run", str(path), "--out", str(out), *QUICK])
    # then the run completes with its plots (the text drawn literally)
    assert code == 0
    assert len(list((out / "plots").glob("*.png"))) >= 10
    assert "Cost $x^$ and $\\foo$: $5 to $10" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("start", "steps", "key"),
    [
        ("1850-01", 24, "scenario.start"),
        ("2199-01", 120, "scenario.steps"),
        ("0001-01", 24, "scenario.start"),
    ],
)
def test_given_a_run_outside_the_datable_calendar_when_checked_then_exit_2(
    tmp_path, capsys, start, steps, key
):
    path = tmp_path / "far.toml"
    path.write_text(f'[scenario]\nname = "far"\nstart = "{start}"\nsteps = {steps}\n')
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert key in err and "2200" in err


def test_given_steps_on_the_command_line_that_end_after_2200_then_exit_2(tmp_path, capsys):
    path = tmp_path / "late.toml"
    path.write_text('[scenario]\nname = "late"\nstart = "2150-01"\nsteps = 12\n')
    assert main(["run", str(path), "--steps", "1200", "--out", str(tmp_path / "out")]) == 2
    assert "--steps" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- output folders


def _nothing_written(folder: Path, *keep: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_given_out_is_a_dangling_symlink_then_exit_2_and_nothing_is_written(
    tmp_path, capsys, command
):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "missing" / "target")
    args = [str(SMALL), *QUICK] if command == "run" else [str(experiment(tmp_path))]
    assert main([command, *args, "--out", str(link)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "does not exist" in err
    assert link.is_symlink() and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_given_out_under_a_regular_file_then_exit_2(tmp_path, capsys, command):
    (tmp_path / "notes.txt").write_text("mine")
    args = [str(SMALL), *QUICK] if command == "run" else [str(experiment(tmp_path))]
    assert main([command, *args, "--out", str(tmp_path / "notes.txt" / "out")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def _as_unprivileged() -> list[str]:
    """A command prefix that drops root's right to write anywhere (a user namespace)."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    probe = subprocess.run(
        [unshare or "unshare", "--user", "--map-user=65534", "true"], capture_output=True
    )
    if unshare is None or probe.returncode != 0:
        pytest.skip("running as root without user namespaces: root may write read-only folders")
    return [unshare, "--user", "--map-user=65534"]


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_given_a_read_only_folder_as_out_then_exit_2_before_any_run(tmp_path, command):
    folder = tmp_path / "readonly"
    folder.mkdir()
    args = [str(SMALL), *QUICK] if command == "run" else [str(experiment(tmp_path))]
    os.chmod(folder, 0o555)
    try:
        proc = ssr_process(
            command, *args, "--out", str(folder / "out"), cwd=tmp_path, prefix=_as_unprivileged()
        )
    finally:
        os.chmod(folder, 0o755)
    assert proc.returncode == 2, proc.stderr
    assert "--out" in proc.stderr and "read-only" in proc.stderr
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------- executors and resources


@pytest.mark.parametrize(
    ("scheduler", "words"),
    [("nonsense", "not a scheduler address"), ("tcp://127.0.0.1:1", "cannot reach")],
)
def test_given_a_bad_scheduler_then_exit_2_before_the_design_is_written(
    tmp_path, capsys, monkeypatch, scheduler, words
):
    path = experiment(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = main(["sweep", str(path), "--executor", "dask", "--scheduler", scheduler])
    assert code == 2
    err = capsys.readouterr().err
    assert "--scheduler" in err and words in err
    _nothing_written(tmp_path, "base.toml", "exp.toml")


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_given_more_workers_than_cores_then_exit_2_unless_forced(tmp_path, capsys, command):
    args = [str(SMALL), *QUICK[:-3]] if command == "run" else [str(experiment(tmp_path))]
    code = main([command, *args, "--workers", str(cores() + 1), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "--workers" in err and f"{cores()} cores" in err and "--force" in err
    assert not (tmp_path / "out").exists()
    assert resolve_workers(cores() + 1, force=True) == cores() + 1


def test_given_a_run_too_big_for_memory_then_exit_2_with_the_projection(
    tmp_path, capsys, monkeypatch
):
    # given a machine with 8 GB available
    monkeypatch.setattr(sim.resources, "available_memory", lambda: 8_000_000_000)
    # when 10,000 replicates of 1,200 months are asked for
    args = ["run", str(SMALL), "--replicates", "10000", "--steps", "1200"]
    code = main([*args, "--workers", "1", "--out", str(tmp_path / "out")])
    # then exit 2: the projection (about 43 GB), what is available, and the way out
    assert code == 2
    err = capsys.readouterr().err
    assert "10,000 replicates x 1,200 months" in err and "43." in err and "8.0 GB" in err
    assert "--force" in err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- input files


def test_given_dev_zero_or_a_fifo_as_input_then_exit_2_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        proc = ssr_process("check", path, cwd=tmp_path, timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert path in proc.stderr and "not a regular file" in proc.stderr


@pytest.mark.parametrize(
    "text",
    [
        '[scenario]\nname = "deep"\n[parameters]\na = ' + "[" * 3000 + "]" * 3000 + "\n",
        '[scenario]\nname = "deep"\n[parameters.' + ".".join(["a"] * 3000) + "]\nb = 1\n",
    ],
    ids=["arrays", "tables"],
)
def test_given_3000_deep_nesting_then_exit_2_naming_the_file(tmp_path, capsys, text):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "nested too deeply" in err and "RecursionError" not in err


def test_given_a_utf8_byte_order_mark_then_the_file_is_accepted(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes())
    assert main(["check", str(path)]) == 0
    assert "ok (scenario)" in capsys.readouterr().out


def test_given_a_sobol_sample_count_not_a_power_of_two_then_check_warns(tmp_path, capsys):
    text = GRID.replace('design = "grid"', 'design = "sobol"\nsamples = 6').replace(
        '"ddr.incentive" = [0.2, 0.8]',
        '"ddr.incentive" = { min = 0.2, max = 0.8 }\n"corruption.baseline" = { min = 0.3, max = 0.7 }',
    )
    path = experiment(tmp_path, text)
    assert main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "power of two" in err and "4 or 8" in err
