"""Latency of the command line: `ssr --help`, `ssr check` and what `import sim.cli` loads.

Usage: python benchmarks/bench_cli.py [--repeat 7]
Runs each command in a fresh interpreter (as a user would) and prints the median and
the fastest wall time, the load average before starting, and the heavy libraries that
``import sim.cli`` and ``ssr check`` load. Prints figures; asserts nothing (speed
depends on the machine and its load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "pandas", "mesa", "scipy", "networkx", "pyarrow", "pydantic", "numpy")

COMMANDS = {
    "ssr --help": ["-m", "sim", "--help"],
    "ssr check scenarios/baseline.toml": ["-m", "sim", "check", "scenarios/baseline.toml"],
    "python -c pass (interpreter alone)": ["-c", "pass"],
}

LOADED = (
    "import sys, {mod}; {call}; print(' '.join(m for m in {heavy!r} if m in sys.modules) or 'none')"
)


def wall(argv: list[str], repeat: int) -> list[float]:
    """Wall seconds of ``python argv`` run ``repeat`` times in fresh interpreters."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return times


def loaded(mod: str, call: str) -> str:
    """Heavy libraries in ``sys.modules`` after importing ``mod`` and running ``call``."""
    code = LOADED.format(mod=mod, call=call, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, argv in COMMANDS.items():
        times = wall(argv, args.repeat)
        print(
            f"  {name:40s} median {statistics.median(times):5.3f} s, "
            f"fastest {min(times):5.3f} s ({args.repeat} runs)"
        )
    print("heavy libraries loaded:")
    print(f"  import sim.cli + build_parser(): {loaded('sim.cli', 'sim.cli.build_parser()')}")
    check = "from sim.scenario import load_scenario; load_scenario('scenarios/baseline.toml')"
    print(f"  load_scenario (ssr check):       {loaded('sim.scenario', check)}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
