"""Plain structural facts about the package, checked on the source.

Every ``sim`` module imports on its own; no mechanism (nor the world) imports the model
class; the import graph of ``sim`` has no cycle (counting imports made only for type
checking and imports inside functions); functions stay within 80 lines and modules
within 500. The size rules apply to :data:`CHECKED`, the whole package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 500


def module_name(path: Path) -> str:
    """Dotted module name of a file under the repository root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    """Every module of the ``sim`` package: dotted name -> file."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _under(*prefixes: str) -> list[str]:
    return [m for m in all_modules() if any(m == p or m.startswith(p + ".") for p in prefixes)]


CHECKED: list[str] = sorted(all_modules())
"""Modules held to the size rules: the whole package."""

LAYERS: dict[str, int] = {
    **dict.fromkeys(["sim.errors", "sim.calendar", "sim.paramtools"], 1),
    **dict.fromkeys(["sim.geography", "sim.mapping"], 1),
    **dict.fromkeys(["sim.atomic", "sim.provenance", "sim.lifeline", "sim.outdir"], 1),
    **dict.fromkeys(["sim.resources", "sim.executors", "sim.kernels", "sim.choices"], 1),
    "sim.draws": 1,
    "sim.world": 2,
    "sim.mechanisms": 3,
    **dict.fromkeys(["sim.params", "sim.build", "sim.agents"], 4),
    **dict.fromkeys(["sim.events", "sim.indicators", "sim.docs", "sim.record", "sim.posterior"], 4),
    "sim.policy.levers": 4,
    **dict.fromkeys(["sim.policy.ensemble", "sim.policy.analysis"], 6),
    "sim.model": 5,
    **dict.fromkeys(["sim.scenario", "sim.summary", "sim.plots", "sim.report", "sim.run"], 6),
    **dict.fromkeys(["sim.sweep", "sim.validation", "sim.ui", "sim.cli", "sim.__main__"], 7),
    **dict.fromkeys(["sim.policy", "sim.ema"], 7),
    "sim.calibrate": 7,
    "sim": 7,
}
"""The layers of docs/ARCHITECTURE.md: a module imports only its own layer or lower ones.
A module belongs to the layer of its longest listed prefix (``sim`` is the package's
``__init__``)."""


def layer(name: str) -> int:
    """Layer of a module (KeyError if no prefix of it is listed)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in LAYERS and (k > 1 or name == "sim"):
            return LAYERS[prefix]
    raise KeyError(name)


MODEL_FREE: list[str] = ["sim.world", *_under("sim.mechanisms")]
"""Modules that must not import :mod:`sim.model`."""


def imports_of(name: str, modules: dict[str, Path]) -> set[str]:
    """``sim`` modules a module imports anywhere in its source (TYPE_CHECKING included).

    ``from a.b import c`` counts as an import of ``a.b.c`` when that is a module, else of
    ``a.b``. Parent packages imported implicitly are not counted.
    """
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    return {m for m in found if m in modules and m != name}


def import_graph(names: Iterable[str]) -> dict[str, set[str]]:
    """Import edges among the given modules (edges leaving the set are dropped)."""
    modules = all_modules()
    chosen = set(names)
    return {n: imports_of(n, modules) & chosen for n in chosen}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules (first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def long_functions(names: Iterable[str], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions and methods longer than ``limit`` lines (decorators excluded)."""
    modules = all_modules()
    out = []
    for name in names:
        tree = ast.parse(modules[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    out.append(f"{name}.{node.name}: {length} lines")
    return out


def long_modules(names: Iterable[str], limit: int = MAX_MODULE_LINES) -> list[str]:
    """Modules longer than ``limit`` lines."""
    modules = all_modules()
    lengths = {n: len(modules[n].read_text(encoding="utf-8").splitlines()) for n in names}
    return [f"{n}: {k} lines" for n, k in lengths.items() if k > limit]


# ----------------------------------------------------------------------------- the tests
def test_given_every_sim_module_when_imported_alone_in_a_fresh_interpreter_then_it_loads():
    # given one interpreter that forgets every sim module before importing the next, so
    # each import starts from nothing of the package (third-party libraries stay loaded)
    script = textwrap.dedent(
        """
        import importlib, sys, traceback
        failed = []
        for name in sys.argv[1:]:
            for loaded in [m for m in sys.modules if m == "sim" or m.startswith("sim.")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except Exception:
                failed.append(name + "\\n" + traceback.format_exc(limit=3))
        print("\\n".join(failed))
        sys.exit(1 if failed else 0)
        """
    )
    names = sorted(m for m in all_modules() if not m.endswith("__main__"))  # runs the CLI
    # when each module is imported on its own
    done = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then every import succeeds
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", MODEL_FREE)
def test_given_a_mechanism_or_the_world_when_reading_its_imports_then_the_model_is_not_one(
    name: str,
):
    assert "sim.model" not in imports_of(name, all_modules())


def test_given_the_whole_package_when_building_its_import_graph_then_it_has_no_cycle():
    cycle = find_cycle(import_graph(all_modules()))
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_given_the_layers_when_reading_every_import_then_none_reaches_a_higher_layer():
    graph = import_graph(all_modules())
    upward = [
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
        for a, targets in sorted(graph.items())
        for b in sorted(targets)
        if layer(b) > layer(a)
    ]
    assert not upward


def test_every_module_and_folder_of_sim_appears_in_the_architecture_tree():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    tree = text[text.index("```") : text.index("```", text.index("```") + 3)]
    names = {p.name for p in PACKAGE.glob("*.py")} | {
        p.name + "/" for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    names |= {p.name for p in (PACKAGE / "mechanisms").glob("*.py") if p.stem != "__init__"}
    assert not [n for n in sorted(names) if n not in tree]


def test_given_the_package_when_measuring_then_no_function_exceeds_80_lines():
    assert not long_functions(CHECKED)


def test_given_the_package_when_measuring_then_no_module_exceeds_500_lines():
    assert not long_modules(CHECKED)


def test_given_a_known_cycle_when_searching_then_it_is_found():
    # the checker itself: a two-module cycle and an acyclic chain
    assert find_cycle({"a": {"b"}, "b": {"a"}}) in (["a", "b", "a"], ["b", "a", "b"])
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_given_type_checking_and_function_imports_when_reading_imports_then_both_count(
    tmp_path: Path,
):
    # given a module importing one sibling for type checking only, one inside a function,
    # one relatively, and a name (not a module) from a fourth
    source = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        from .d import SOMETHING
        if TYPE_CHECKING:
            from pkg.b import B
        def f():
            import pkg.c
        """
    )
    files = {name: tmp_path / f"{name}.py" for name in ("a", "b", "c", "d")}
    for name, path in files.items():
        path.write_text(source if name == "a" else "", encoding="utf-8")
    modules = {f"pkg.{name}": path for name, path in files.items()}
    # when reading its imports, then all three count
    assert imports_of("pkg.a", modules) == {"pkg.b", "pkg.c", "pkg.d"}
