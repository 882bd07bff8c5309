"""Write chosen values into the param() declarations: python calibration/apply.py calibration/chosen.json.

Rewrites the default (first argument) and the source (sixth) of each named parameter in
sim/mechanisms/*.py; run `ruff format sim` and `python -m sim.docs` afterwards.
"""
import ast, sys, json
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
FILES = {"violence": "violence", "forces": "forces", "armed": "armed_groups", "recruitment": "recruitment",
         "corruption": "corruption", "ddr": "ddr", "trust": "trust", "state": "state", "donors": "donors",
         "oversight": "oversight", "cso": "cso"}
values = json.loads(Path(sys.argv[1]).read_text())  # {name: [value, source]}
by_file = {}
for name, (value, source) in values.items():
    g, k = name.split(".")
    by_file.setdefault(FILES[g], []).append((k, value, source))
for mod, items in by_file.items():
    path = ROOT / "sim" / "mechanisms" / f"{mod}.py"
    text = path.read_text()
    for key, value, source in items:
        tree = ast.parse(text)
        node = next(n for n in ast.walk(tree) if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", None) == key)
        call = node.value
        seg = lambda a: ast.get_source_segment(text, a)
        args = [repr(value)] + [seg(a) for a in call.args[1:5]] + [repr(source)]
        new = "param(" + ", ".join(args) + ")"
        lines = text.splitlines(keepends=True)
        start = sum(len(l) for l in lines[: call.lineno - 1]) + call.col_offset
        end = sum(len(l) for l in lines[: call.end_lineno - 1]) + call.end_col_offset
        text = text[:start] + new + text[end:]
    path.write_text(text)
    print("patched", path)
