"""``ssr`` with the test suite's fault hooks in the coordinator and every worker.

Usage: ``python tests/ssr_faults.py sweep EXPERIMENT.toml ...`` (as ``python -m sim``).
See ``tests/fault_hooks.py`` for the hooks.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fault_hooks  # noqa: E402, F401 - installs the hooks in this process

import sim.executors  # noqa: E402
from sim.cli import main  # noqa: E402

sim.executors.PRELOAD.append("fault_hooks")  # and in the forkserver, so in every worker

if __name__ == "__main__":
    sys.exit(main())
