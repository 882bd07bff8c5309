"""Nothing silently wrong: run counts that cannot wrap, reserved names, code changes on
resume, damaged parts, concurrent writers.

Sweeps here are tiny (a 2 x 2 grid of 24-month runs with 60 communities); what is checked
is the bookkeeping around the runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import BASE

from sim.cli import main
from sim.outdir import exclusive, lock_path
from sim.params import param_specs
from sim.provenance import code_fingerprint

REPO = Path(__file__).resolve().parents[1]
SSR_FAULTS = str(REPO / "tests" / "ssr_faults.py")

GRID = """
[experiment]
name = "tiny_grid"
scenario = "base.toml"
design = "grid"
replicates = 2
seed = 5
[factors]
"ddr.incentive" = [0.2, 0.8]
"corruption.baseline" = [0.3, 0.7]
[outputs]
harm = { indicator = "civilian_harm", stat = "mean_last", months = 6 }
trust = { indicator = "trust", stat = "final" }
"""
# 2 x 2 points x 2 replicates = 8 runs, in parts of one run each (serial: chunk size 1)


def experiment(folder: Path, text: str = GRID) -> Path:
    (folder / "base.toml").write_text(BASE)
    path = folder / "exp.toml"
    path.write_text(textwrap.dedent(text))
    return path


def sweep(path: Path, out: Path, *extra: str) -> int:
    return main(
        ["sweep", str(path), "--out", str(out), "--executor", "serial", "--no-progress"]
        + list(extra)
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted sweep's summary."""
    folder = tmp_path_factory.mktemp("ref")
    assert sweep(experiment(folder), folder / "out") == 0
    return pd.read_parquet(folder / "out" / "summary.parquet")


def huge_grid(factors: int, levels: int) -> str:
    floats = [s.name for s in param_specs() if s.kind is float and s.name != "community.count"]
    assert len(floats) >= factors
    lines = [
        f'"{n}" = {{ min = {s_lo}, max = {s_hi}, levels = {levels} }}'
        for n, s_lo, s_hi in (
            (s.name, s.lo, s.hi) for s in param_specs() if s.name in floats[:factors]
        )
    ]
    return GRID.split("[factors]")[0] + "[factors]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("factors", "runs_text"), [(22, "about 2.0e+66 runs"), (9, "about 2.0e+27")]
)
def test_given_a_grid_whose_run_count_overflows_int64_when_checked_or_swept_then_exit_2(
    tmp_path, capsys, factors, runs_text
):
    # given 22 (or 9) factors of 1,000 levels and 2 replicates: in int64, 1000^22 wraps
    # around to 0 and 1000^9 to a negative number
    path = experiment(tmp_path, huge_grid(factors, 1000))
    out = tmp_path / "out"
    # when it is checked and swept
    assert main(["check", str(path)]) == 2
    assert sweep(path, out) == 2
    # then the real run count is named, with the limit, and nothing is written
    err = capsys.readouterr().err
    assert runs_text in err and "at most 10,000,000" in err and "factors" in err
    assert not out.exists()


@pytest.mark.parametrize("name", ["run_seconds", "failed", "run_id", "point_id", "seed"])
def test_given_an_output_named_like_a_reserved_column_when_checked_then_exit_2(
    tmp_path, capsys, name
):
    path = experiment(tmp_path, GRID.replace("trust = {", f"{name} = {{"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"outputs.{name}" in err and "reserved" in err


def _drop_part(out: Path, index: int = 0) -> Path:
    part = sorted((out / "runs").glob("part-*.parquet"))[index]
    part.unlink()
    return part


def test_given_changed_model_code_when_resumed_then_refused_unless_allowed_and_recorded(
    tmp_path, capsys, reference
):
    # given an unfinished sweep started by other model code (its recorded fingerprint)
    path = experiment(tmp_path)
    out = tmp_path / "out"
    assert sweep(path, out) == 0
    _drop_part(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code_fingerprint"] == code_fingerprint()
    manifest["code_fingerprint"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = sorted(p.name for p in (out / "runs").iterdir())
    capsys.readouterr()
    # when it is resumed: refused with exit 2, naming the fingerprint and the way out
    assert sweep(path, out, "--resume") == 2
    err = capsys.readouterr().err
    assert "code_fingerprint" in err and "--allow-code-change" in err
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    # when resumed with --allow-code-change: it completes and the change is recorded
    assert sweep(path, out, "--resume", "--allow-code-change") == 0
    change = json.loads((out / "manifest.json").read_text())["code_changes"][-1]
    assert change["from"] == "0" * 64 and change["to"] == code_fingerprint()
    assert change["accepted_with"] == "--allow-code-change"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference)
    # and a further resume by the same code needs no flag
    assert sweep(path, out, "--resume") == 0


def test_given_a_source_file_changed_then_the_code_fingerprint_changes(tmp_path, monkeypatch):
    import sim.provenance as prov

    copy = tmp_path / "sim"
    shutil.copytree(prov.PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "ui"))
    monkeypatch.setattr(prov, "PACKAGE_ROOT", copy)
    prov.source_digest.cache_clear()
    try:
        before = prov.code_fingerprint()
        (copy / "mechanisms" / "violence.py").write_text("# changed\n", encoding="utf-8")
        prov.source_digest.cache_clear()
        assert prov.code_fingerprint() != before
    finally:
        prov.source_digest.cache_clear()


def _flip_bit(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x04
    path.write_bytes(bytes(data))


def test_given_a_flipped_bit_in_a_part_then_analyze_refuses_and_resume_reruns_it(
    tmp_path, capsys, reference
):
    # given a finished sweep with one bit flipped in the middle of one result part
    path = experiment(tmp_path)
    out = tmp_path / "out"
    assert sweep(path, out) == 0
    part = sorted((out / "runs").glob("part-*.parquet"))[3]
    runs_in_part = len(pd.read_parquet(part))
    _flip_bit(part, part.stat().st_size // 2)
    capsys.readouterr()
    # when analysed: exit 2, naming the damaged part
    assert main(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert part.name in err and "checksum" in err and "--resume" in err
    # when resumed: the damaged part's runs run again, and the sweep equals the reference
    assert sweep(path, out, "--resume") == 0
    err = capsys.readouterr().err
    assert "1 damaged result part" in err and f"{runs_in_part} ran in this session" in err
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference)
    assert main(["analyze", str(out)]) == 0


def test_given_a_damaged_summary_then_analyze_refuses_it(tmp_path, capsys):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    assert sweep(path, out) == 0
    summary = out / "summary.parquet"
    _flip_bit(summary, summary.stat().st_size // 2)
    assert main(["analyze", str(out)]) == 2
    assert "summary.parquet" in capsys.readouterr().err


def test_given_a_folder_held_by_another_writer_then_sweep_and_run_exit_2_naming_its_pid(
    tmp_path, capsys
):
    path = experiment(tmp_path)
    out = tmp_path / "out"
    # given another process holding the folder's lock (here: this test)
    with exclusive(out):
        # when a sweep and a run target it: exit 2 naming the holder, nothing written
        assert sweep(path, out) == 2
        assert f"pid {os.getpid()}" in capsys.readouterr().err
        small = REPO / "tests" / "run_scenarios" / "small.toml"
        assert main(["run", str(small), "--out", str(out), "--no-progress"]) == 2
        assert f"pid {os.getpid()}" in capsys.readouterr().err
        assert not out.exists()
    # and once it is released, the lock file is gone and the folder is usable
    assert not lock_path(out).exists()
    assert sweep(path, out) == 0


def test_given_two_sweeps_started_at_once_on_one_folder_then_one_runs_and_one_exits_2(
    tmp_path, reference
):
    # given two concurrent command-line sweeps of the same experiment into one folder
    path = experiment(tmp_path)
    out = tmp_path / "out"
    cmd = [sys.executable, SSR_FAULTS, "sweep", str(path), "--out", str(out)]
    cmd += ["--executor", "serial", "--no-progress"]
    env = {**os.environ, "SSR_SWEEP_DELAY_S": "0.5"}
    first = subprocess.Popen(cmd, env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not lock_path(out).exists() or not (out / "manifest.json").exists():
        assert first.poll() is None, first.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # when the second one (a --resume) starts while the first runs
    second = subprocess.run([*cmd, "--resume"], env=env, cwd=REPO, capture_output=True, text=True)
    _, first_err = first.communicate(timeout=120)
    # then the second exits 2 naming the first's pid, and the first completes untouched
    assert second.returncode == 2, second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert first.returncode == 0, first_err
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), reference)
