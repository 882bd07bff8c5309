"""The command line answers quickly: heavy libraries load only in the handler that needs them.

A structural check, not a timing test: a fresh interpreter imports the module and reports
which heavy libraries ended up in ``sys.modules``. Latency figures are measured by
``benchmarks/bench_cli.py`` and recorded in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Libraries that take tens to hundreds of milliseconds to import.
HEAVY = ("matplotlib", "pandas", "mesa", "scipy", "networkx", "pyarrow", "numba", "tqdm")


def loaded_after(code: str) -> set[str]:
    """Heavy libraries in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_given_a_fresh_interpreter_when_the_parser_is_built_then_nothing_heavy_is_imported():
    # given / when: what `ssr --help` does before printing
    loaded = loaded_after("import sim.cli\nsim.cli.build_parser()")
    # then
    assert loaded == set()


def test_given_the_parser_only_when_imported_then_schemas_numbers_and_pools_stay_unloaded():
    code = (
        "import sim.cli, sys\nsim.cli.build_parser()\n"
        "for name in ('pydantic', 'numpy', 'multiprocessing', 'concurrent.futures.process'):\n"
        "    assert name not in sys.modules, name"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_given_a_scenario_when_checked_then_no_model_plotting_or_graph_library_is_imported():
    # given / when: what `ssr check FILE` does
    loaded = loaded_after(
        "from sim.cli import main\nassert main(['check', 'scenarios/baseline.toml']) == 0"
    )
    # then: validation needs the schemas (pydantic, numpy), not the model or the plots
    assert loaded == set()


def test_given_a_run_module_when_imported_then_plotting_waits_until_plots_are_drawn():
    # given / when: `ssr run` loads its handler before validating its input
    loaded = loaded_after("import sim.run")
    # then: a bad scenario is refused before matplotlib or the model are loaded
    assert not loaded & {"matplotlib", "mesa", "scipy", "networkx"}
