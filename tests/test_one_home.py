"""One home per infrastructure concern: the package's sources are searched for the calls
that write files atomically, start worker pools, record provenance or write TOML, and
each is found in its one module only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

HOMES = [
    # (what, pattern in source code, the modules allowed to use it)
    ("atomic file writes", r"os\.replace\(|tempfile\.mkstemp", {"atomic.py", "run.py"}),
    ("worker pools", r"ProcessPoolExecutor\(|multiprocessing\.get_context", {"executors.py"}),
    ("package versions", r"metadata\.version\(", {"provenance.py"}),
    ("git revision", r"rev-parse", {"provenance.py"}),
    ("TOML writing", r"tomli_w\.dumps", {"scenario.py"}),
    ("output-folder locks", r"fcntl\.flock", {"outdir.py"}),
    ("parent-death signal", r"prctl", {"lifeline.py"}),
]


def sources() -> dict[str, str]:
    return {
        str(p.relative_to(SIM)): p.read_text(encoding="utf-8") for p in sorted(SIM.rglob("*.py"))
    }


@pytest.mark.parametrize(("what", "pattern", "homes"), HOMES, ids=[h[0] for h in HOMES])
def test_given_the_package_then_each_concern_lives_in_its_one_module(what, pattern, homes):
    found = {name for name, text in sources().items() if re.search(pattern, text)}
    assert found, f"{what}: pattern {pattern!r} found nowhere (stale test?)"
    strays = {name for name in found if Path(name).name not in homes}
    assert not strays, f"{what} outside {sorted(homes)}: {sorted(strays)}"


def test_given_run_py_then_its_os_replace_only_swaps_whole_folders():
    text = (SIM / "run.py").read_text(encoding="utf-8")
    swap = text[text.index("def _swap_into_place") :]
    assert text.count("os.replace(") == swap.count("os.replace(")


def test_given_the_package_then_no_test_hook_reads_the_environment():
    hooks = {n for n, text in sources().items() if "SSR_SWEEP_" in text}
    assert not hooks, f"test hooks in the package: {sorted(hooks)}"


def test_given_the_repository_then_no_file_outside_it_is_cited():
    pattern = re.compile(r"/work/|DESIGN\.md|FACTS\.md")
    root = SIM.parent
    shipped = [root / "README.md", *root.glob("docs/*.md"), *root.glob("scenarios/*.toml")]
    shipped += [*root.glob("experiments/**/*.toml"), *root.glob("sim/**/*.py")]
    shipped += [*root.glob("sim/data/**/*.*"), *root.glob("benchmarks/*.py")]
    shipped += [*root.glob("calibration/*.*")]
    text = [p for p in shipped if p.suffix not in (".parquet", ".png")]  # binaries
    cited = [str(p.relative_to(root)) for p in text if pattern.search(p.read_text("utf-8"))]
    assert not cited
