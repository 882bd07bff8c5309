"""Write calibrated values into the parameter declarations.

Usage: ``python calibration/apply.py calibration/chosen.json``

``chosen.json`` maps a dotted parameter name to ``[value, source]``. Each entry's default
and source are rewritten by :func:`sim.calibrate.install.write_defaults` (the same code
as ``ssr calibrate --install``). Run ``ruff format sim`` and ``python -m sim.docs``
afterwards (the ODD table is generated).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.calibrate.install import write_defaults


def main(path: str) -> int:
    """Apply every entry of the JSON file."""
    values = json.loads(Path(path).read_text(encoding="utf-8"))
    write_defaults(
        {name: value for name, (value, _) in values.items()},
        {name: source for name, (_, source) in values.items()},
    )
    for name, (value, _) in values.items():
        print(f"{name} = {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
