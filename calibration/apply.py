"""Write calibrated values into the parameter declarations.

Usage: ``python calibration/apply.py calibration/chosen.json``

``chosen.json`` maps a dotted parameter name to ``[value, source]``. For each entry the
default (first argument) and the source (sixth argument) of its ``param(...)`` call in
``sim/mechanisms/*.py`` are rewritten, keeping bounds, unit and meaning. Run
``ruff format sim`` and ``python -m sim.docs`` afterwards (the ODD table is generated).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = {
    "violence": "violence",
    "forces": "forces",
    "armed": "armed_groups",
    "recruitment": "recruitment",
    "corruption": "corruption",
    "ddr": "ddr",
    "trust": "trust",
    "state": "state",
    "donors": "donors",
    "oversight": "oversight",
    "cso": "cso",
}


def _offset(text: str, line: int, col: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + col


def patch(text: str, key: str, value: float, source: str) -> str:
    """Return ``text`` with the ``param()`` call of ``key`` rewritten."""
    tree = ast.parse(text)
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", None) == key
    )
    call = node.value
    assert isinstance(call, ast.Call)
    kept = [ast.get_source_segment(text, a) for a in call.args[1:5]]
    new = "param(" + ", ".join([repr(value), *kept, repr(source)]) + ")"
    start = _offset(text, call.lineno, call.col_offset)
    end = _offset(text, call.end_lineno, call.end_col_offset)
    return text[:start] + new + text[end:]


def main(path: str) -> int:
    """Apply every entry of the JSON file."""
    values = json.loads(Path(path).read_text(encoding="utf-8"))
    for name, (value, source) in values.items():
        group, key = name.split(".")
        file = ROOT / "sim" / "mechanisms" / f"{MODULES[group]}.py"
        file.write_text(patch(file.read_text(encoding="utf-8"), key, value, source))
        print(f"{name} = {value}  ({file.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
