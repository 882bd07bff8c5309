"""Write calibrated values into the parameters' declarations (one home: the schema).

A parameter's default and source live in its ``param(...)`` call in ``sim/mechanisms/``;
:func:`patch` rewrites that call's first (default) and sixth (source) arguments, keeping
bounds, unit and meaning. Used by ``ssr calibrate --install`` and
``calibration/apply.py``. Afterwards run ``ruff format sim`` and ``python -m sim.docs``
(the parameter table in the docs is generated).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def declaring_file(name: str, root: Path | None = None) -> Path:
    """The source file that declares a dotted parameter (under ``root``, default the tree)."""
    from sim.params import Params, spec

    spec(name)  # unknown names raise ParamError with a suggestion
    group = name.split(".", 1)[0]
    cls = Params.model_fields[group].default_factory
    path = Path(inspect.getsourcefile(cls)).resolve()  # type: ignore[arg-type]
    return path if root is None else root / path.relative_to(ROOT)


def write_defaults(
    values: Mapping[str, float], source: str | Mapping[str, str], root: Path | None = None
) -> None:
    """Rewrite each parameter's default (and source) in its declaring file."""
    for name, value in values.items():
        file = declaring_file(name, root)
        src = source if isinstance(source, str) else source[name]
        text = patch(file.read_text(encoding="utf-8"), name.split(".", 1)[1], value, src)
        file.write_text(text, encoding="utf-8")


__all__ = ["declaring_file", "patch", "write_defaults"]
