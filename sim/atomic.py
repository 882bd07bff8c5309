"""Atomic writes: every file the project writes is complete or absent, never half-written.

One way for every writer (run folders, sweep folders, generated docs): write to a hidden
temporary file in the same folder, flush it to disk, then ``os.replace`` it onto the
final name. A crash or a signal at any point leaves either the old file or the new one;
the temporary file is removed when the writer raises.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow and pandas load only when a table is written
    import pandas as pd
    import pyarrow as pa

#: Permissions of written files (``mkstemp`` creates 0600; results are shared files).
FILE_MODE = 0o644


def fsync_path(path: str | Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a hidden temporary path, then rename it onto ``path``.

    Args:
        path: the final file; its folder must exist.
        write: writes the whole content to the path it is given (any library's
            ``save(path)`` works: Parquet, PNG, text).
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes atomically."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_table(path: str | Path, table: pa.Table | pd.DataFrame) -> str:
    """Write a Parquet file atomically; return the SHA-256 of the bytes written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    digest: list[str] = []

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp)
        digest.append(file_sha256(tmp))

    atomic_write(path, write)
    return digest[0]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_temporary(path: Path) -> bool:
    """True for a temporary file left by an interrupted :func:`atomic_write`."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


__all__ = [
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_table",
    "atomic_write_text",
    "file_sha256",
    "fsync_path",
    "is_temporary",
]
