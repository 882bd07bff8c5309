"""Regenerate the generated parts of the documentation (``python -m sim.docs``).

``docs/ODD.md`` carries the state-variable, parameter and indicator tables between
marker comments; they are produced from :mod:`sim.world`, the parameter schema and the
indicator registry so the documentation cannot drift from the code (a test compares them).
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import fields
from pathlib import Path

from sim.indicators import CONTRACT, INDICATORS
from sim.params import param_specs
from sim.world import ENTITIES, World

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameter_table() -> str:
    """Markdown table of every parameter: name, default, bounds, unit, meaning, source."""
    rows = [
        "| parameter | default | bounds | unit | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for s in param_specs():
        bounds = "true / false" if s.kind is bool else f"[{s.lo}, {s.hi}]"
        rows.append(
            f"| `{s.name}` | {s.default} | {bounds} | {_cell(s.unit)} | {_cell(s.meaning)} "
            f"| {_cell(s.source)} |"
        )
    return "\n".join(rows)


def indicator_table() -> str:
    """Markdown table of every indicator with unit and meaning."""
    rows = ["| indicator | unit | meaning | contract |", "|---|---|---|---|"]
    for name, (unit, meaning) in INDICATORS.items():
        rows.append(f"| `{name}` | {unit} | {meaning} | {'yes' if name in CONTRACT else ''} |")
    return "\n".join(rows)


def _type_name(annotation: object) -> str:
    return {"np.ndarray": "array"}.get(str(annotation), str(annotation))


def state_table() -> str:
    """One Markdown table per record of :class:`sim.world.World`: its declared variables."""
    out = []
    records = {f.name: f for f in fields(World)}
    for cls in ENTITIES:
        name = next(n for n, f in records.items() if f.type == cls.__name__)
        doc = inspect.getdoc(cls) or ""
        out += [
            f"**`world.{name}`** (`{cls.__name__}`): {_cell(doc.splitlines()[0])}",
            "",
            "| variable | per | type | unit | meaning |",
            "|---|---|---|---|---|",
        ]
        for f in fields(cls):
            m = f.metadata
            per = m["per"] or "—"
            out.append(
                f"| `{f.name}` | {_cell(per)} | {_type_name(f.type)} | {_cell(m['unit'])} "
                f"| {_cell(m['meaning'])} |"
            )
        out.append("")
    return "\n".join(out).rstrip()


SECTIONS = {"state": state_table, "params": parameter_table, "indicators": indicator_table}


def render(text: str) -> str:
    """Replace every ``<!-- NAME:start -->...<!-- NAME:end -->`` block with fresh content."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main() -> int:
    """Rewrite docs/ODD.md in place; exit 1 if it was out of date and ``--check`` is given."""
    old = ODD.read_text(encoding="utf-8")
    new = render(old)
    if "--check" in sys.argv:
        return 0 if new == old else 1
    ODD.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
