"""Bad input never produces a traceback or a half-written folder.

Every file in ``tests/bad_scenarios/`` starts with ``# expect: KEY``: the key path (or
phrase) the error message must name. Each file must make ``python -m sim run FILE`` exit
with code 2, name the file and the key on stderr, print no traceback and write nothing;
``ssr check`` must reject it the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sim.cli import main as ssr

HERE = Path(__file__).parent
BAD = sorted((HERE / "bad_scenarios").glob("*.toml"))
GOOD = sorted((HERE.parent / "scenarios").glob("*.toml")) + sorted(
    (HERE / "run_scenarios").glob("*.toml")
)
SMALL = HERE / "run_scenarios" / "small.toml"


def expected_key(path: Path) -> str:
    first = path.read_bytes().splitlines()[0].decode("ascii")
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: KEY'"
    return first.removeprefix("# expect: ").strip()


def ssr_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sim ...` in a fresh interpreter, as a user would run it."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    env.pop("SSR_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def run_results(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """`python -m sim run BAD --out DIR/out` for every corpus file, a few at a time."""
    base = tmp_path_factory.mktemp("bad_runs")

    def one(path: Path):
        work = base / path.stem
        work.mkdir()
        return path.name, (
            ssr_process("run", str(path), "--out", str(work / "out"), cwd=work),
            work,
        )

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(one, BAD))


def test_the_corpus_covers_at_least_25_kinds_of_mistake():
    assert len(BAD) >= 25
    keys = {expected_key(p) for p in BAD}
    for key in ("malformed TOML", "scenario.steps", "events[0].kind", 'parameters."ddr.incentive"'):
        assert key in keys


@pytest.mark.slow  # one fresh interpreter per file (about half a CPU-second each)
@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_given_a_bad_scenario_when_run_then_exit_2_names_file_and_key_and_writes_nothing(
    path, run_results
):
    proc, work = run_results[path.name]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr
    assert expected_key(path) in proc.stderr
    assert proc.stderr.startswith("error: ")
    assert proc.stdout == ""
    assert list(work.iterdir()) == []  # no output folder, no temporary folder


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_given_a_bad_scenario_when_checked_then_exit_2_with_the_same_message(path, capsys):
    assert ssr(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and expected_key(path) in err


def test_given_good_scenarios_when_checked_then_exit_0(capsys):
    assert ssr(["check", *map(str, GOOD)]) == 0
    assert capsys.readouterr().out.count("ok (scenario)") == len(GOOD)


def test_given_one_bad_file_among_good_ones_when_checked_then_exit_2(capsys):
    assert ssr(["check", str(GOOD[0]), str(BAD[0]), str(GOOD[1])]) == 2


def test_given_steps_too_short_for_an_event_then_exit_2_names_file_and_option(tmp_path):
    proc = ssr_process(
        "run", str(SMALL), "--steps", "6", "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert proc.returncode == 2
    assert str(SMALL) in proc.stderr and "--steps" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_given_a_bad_comparison_file_then_exit_2_names_that_file(tmp_path):
    bad = HERE / "bad_scenarios" / "event_unknown_kind.toml"
    out = tmp_path / "out"
    code = ssr(["run", str(SMALL), "--compare", str(bad), "--out", str(out)])
    assert code == 2
    assert not out.exists()


def test_given_a_missing_file_then_exit_2(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert ssr(["run", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "file not found" in err
    assert not (tmp_path / "out").exists()


def test_given_out_is_a_file_then_exit_2_and_the_file_is_untouched(tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    assert ssr(["run", str(SMALL), "--out", str(target)]) == 2
    assert "--out" in capsys.readouterr().err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("flag", ["--replicates", "--steps", "--workers"])
def test_given_a_non_positive_count_on_the_command_line_then_exit_2(flag, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        ssr(["run", str(SMALL), flag, "0", "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert flag in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
