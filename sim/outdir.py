"""Output folders: checked before any work, and held by one writer at a time.

:func:`check_writable` refuses an ``--out`` that cannot be written (a dangling symlink,
a read-only folder, a path under a file) before any model runs or file is written.
:func:`exclusive` takes an exclusive lock (``fcntl.flock``) on a hidden file beside the
output folder for the whole command: a second ``ssr run`` or ``ssr sweep`` on the same
folder exits with code 2 naming the holder's pid. The operating system releases the
lock when the holder dies, however it dies, so a killed command never wedges a folder.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sim.errors import InputError

CLI = "<command line>"


def check_writable(out: Path, key: str = "--out") -> None:
    """Refuse an output folder path that cannot be created or written.

    Raises:
        InputError: naming ``key`` and why.
    """
    if out.is_symlink() and not out.exists():
        raise InputError(
            CLI, key, f"{out} is a symbolic link to {os.readlink(out)!r}, which does not exist"
        )
    if out.exists() and not out.is_dir():
        raise InputError(CLI, key, f"{out} exists and is not a folder")
    probe = out if out.exists() else _nearest_existing(out)
    if not probe.is_dir():
        raise InputError(CLI, key, f"{out} cannot be created: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(CLI, key, f"{out} cannot be written: {probe} is read-only for this user")


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    for parent in [path, *path.parents]:
        if parent.exists() or parent.is_symlink():
            return parent
    return Path("/")


def lock_path(out: Path) -> Path:
    """The lock file of an output folder: ``.NAME.lock`` beside it."""
    out = out.absolute()
    return out.parent / f".{out.name}.lock"


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block (creating its parent folder if needed).

    Raises:
        InputError: another process holds the lock (its pid is named).
    """
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, out)
    try:
        os.ftruncate(fd, 0)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)  # before the release: a waiting opener re-checks
        os.close(fd)


def _acquire(path: Path, out: Path) -> int:
    """Open and lock ``path``; retry if it was replaced between open and lock."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise InputError(
                CLI,
                "--out",
                f"{out} is being written by another ssr process ({holder}); wait for it to "
                "finish or choose another --out",
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the previous holder removed it after we opened it: try again


__all__ = ["check_writable", "exclusive", "lock_path"]
