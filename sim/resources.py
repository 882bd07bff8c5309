"""Resource limits checked before any work: memory a command would need, file kinds.

``ssr run`` keeps every replicate's monthly frames in memory until it writes the run
folder; a sweep holds its design and one model per worker. :func:`check_run_memory` and
:func:`check_sweep_memory` project that from the inputs (replicates x months x
communities) and refuse, with the figures, a command that would not fit in the memory
available now, instead of letting it swap the machine to a halt hours later.
``--force`` skips the check.

The per-unit figures were measured on this project's model (Python 3.12, pandas 3): a
replicate's indicator and regional frames take about 1.8 kB per month, held twice while
they are stacked; one model takes about 200 MB of interpreter, libraries and state,
plus well under 1 kB per community.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.errors import InputError

BYTES_PER_REPLICATE_MONTH = 3_600
BYTES_PER_MODEL = 200_000_000
BYTES_PER_COMMUNITY = 1_024
BYTES_PER_DESIGN_CELL = 3 * 8  # the design frame, its hash and a copy while it is built
CLI = "<command line>"


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def _communities(scenario: Any) -> int:
    return int(scenario.params().get("community.count"))


def _refuse(need: int, what: str, key: str, force: bool) -> None:
    free = available_memory()
    if force or free is None or need <= free:
        return
    raise InputError(
        CLI,
        key,
        f"{what} projects to about {_gb(need)} of memory, but only {_gb(free)} is available; "
        "use fewer replicates, months or workers, or add --force",
    )


def check_run_memory(scenarios: Iterable[Any], workers: int | None, *, force: bool) -> None:
    """Refuse an ``ssr run`` whose frames and models would not fit in memory.

    Raises:
        InputError: with key ``--replicates`` and the projected and available memory.
    """
    scenarios = [s for s in scenarios if s is not None]
    frames = sum(s.replicates * s.steps * BYTES_PER_REPLICATE_MONTH for s in scenarios)
    models = (workers or 1) * max(
        BYTES_PER_MODEL + _communities(s) * BYTES_PER_COMMUNITY for s in scenarios
    )
    detail = " + ".join(f"{s.replicates:,} replicates x {s.steps:,} months" for s in scenarios)
    _refuse(frames + models, f"keeping {detail} in memory", "--replicates", force)


def check_sweep_memory(
    n_runs: int, n_columns: int, scenarios: Iterable[Any], workers: int, *, force: bool
) -> None:
    """Refuse a sweep whose design and worker models would not fit in memory.

    Raises:
        InputError: with key ``--workers`` and the projected and available memory.
    """
    design = n_runs * n_columns * BYTES_PER_DESIGN_CELL
    models = workers * max(
        BYTES_PER_MODEL + _communities(s) * BYTES_PER_COMMUNITY for s in scenarios
    )
    what = f"a design of {n_runs:,} runs with {workers} workers"
    _refuse(design + models, what, "--workers", force)


def check_regular_file(path: Path) -> None:
    """Refuse an input that is not a regular file (a device, a FIFO, a socket).

    Reading ``/dev/zero`` never ends and a FIFO blocks until someone writes to it.

    Raises:
        InputError: naming the file.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except OSError as err:
        raise InputError(path, "", f"cannot be read ({err.strerror})") from None
    import stat

    if stat.S_ISDIR(mode):
        raise InputError(path, "", "is a directory, expected a .toml file")
    if not stat.S_ISREG(mode):
        raise InputError(path, "", "is not a regular file (a device, pipe or socket)")


__all__ = [
    "available_memory",
    "check_regular_file",
    "check_run_memory",
    "check_sweep_memory",
]
