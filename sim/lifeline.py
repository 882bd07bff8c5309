"""Process lifetimes: workers die with their coordinator; SIGTERM ends a command like Ctrl-C.

Worker side (:func:`worker_init`, the pool initializer): a worker asks the kernel to kill
it when its parent dies (``prctl(PR_SET_PDEATHSIG)`` on Linux) and starts a watchdog
thread that ends it once the coordinator process is gone. Pool workers are children of
the forkserver, not of the coordinator, so the watchdog is what ties them to the
coordinator; once every worker is gone the forkserver and the resource tracker see
their pipes close and exit too. Nothing survives a ``kill -9`` of ``ssr sweep`` or
``ssr run`` for more than about a second.

Coordinator side (:func:`sigterm_as_interrupt`): SIGTERM raises :class:`Terminated`, a
``KeyboardInterrupt``, so the same clean-up runs as for Ctrl-C (temporary files and
folders removed, pools shut down) and the command exits with 143.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds between two looks of the watchdog at the coordinator.
WATCH_INTERVAL = 0.25
_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: handled like Ctrl-C, exit code 143 (128 + 15)."""

    exit_code = 128 + signal.SIGTERM


def _set_parent_death_signal() -> None:
    """Linux: the kernel sends SIGKILL to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return


def _start_time(pid: int) -> str | None:
    """The process's start time from /proc (None if gone or a zombie; "" without /proc)."""
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self/stat").exists():
        return ""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, started: str | None) -> bool:
    if started == "":  # no /proc: signal 0 tells whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return _start_time(pid) == started


def _watch(pid: int, started: str | None) -> None:
    while _alive(pid, started):
        time.sleep(WATCH_INTERVAL)
    os._exit(0)


def worker_init(coordinator: int) -> None:
    """Pool initializer: end this worker when its parent or the coordinator dies."""
    parent = os.getppid()
    _set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(0)
    started = _start_time(coordinator)
    if started is None:
        os._exit(0)
    threading.Thread(target=_watch, args=(coordinator, started), daemon=True).start()


def _raise_terminated(signum: int, frame: object) -> None:
    exit_soon(Terminated.exit_code)  # clean-up gets EXIT_GRACE_SECONDS, never forever
    raise Terminated()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


EXIT_GRACE_SECONDS = 10.0
"""After SIGTERM, how long clean-up and exit may take before the process is ended anyway."""


def exit_soon(code: int, grace: float = EXIT_GRACE_SECONDS) -> None:
    """End the process with ``code`` if it has not exited ``grace`` seconds from now.

    Armed when SIGTERM arrives: clean-up (``finally`` blocks removing temporary folders)
    normally finishes in well under a second, but stopping a process pool whose workers
    are being terminated can wait forever on the pool's management thread (seen about
    once in six signalled runs). A daemon timer bounds that wait, so a signalled command
    always exits with its code; every result file is written atomically, so nothing
    half-written can be left by ending early.
    """

    def _end() -> None:
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(code)

    timer = threading.Timer(grace, _end)
    timer.daemon = True
    timer.start()


__all__ = ["EXIT_GRACE_SECONDS", "Terminated", "exit_soon", "sigterm_as_interrupt", "worker_init"]
