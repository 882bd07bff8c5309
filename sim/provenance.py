"""Provenance: what produced a result (code, packages, machine), recorded in one shape.

:func:`provenance` is what run folders (``summary.json``) and sweep folders
(``manifest.json``) record. Its ``code_fingerprint`` is a hash of the model's source
files and of the installed versions of the packages that shape the results: ``ssr sweep
--resume`` compares it with the fingerprint stored when the sweep started, so runs made
by different code are never mixed silently.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
"""The ``sim`` package folder: its ``*.py`` files are the model code."""

VERSIONED = (
    "mali-ssr-sim",
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "SALib",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "networkx",
    "dask",
    "distributed",
)
"""Packages whose installed versions are recorded (those absent are left out)."""


def package_versions() -> dict[str, str]:
    """Versions of Python and of the installed packages that shape the results."""
    out = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def git_revision() -> dict[str, Any] | None:
    """The source tree's git commit and whether it had local changes (None outside git)."""
    root = PACKAGE_ROOT.parent
    try:
        rev = _git(root, "rev-parse", "HEAD")
        if rev.returncode != 0:
            return None
        status = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    dirty = status.returncode == 0 and bool(status.stdout.strip())
    return {"commit": rev.stdout.strip(), "dirty": dirty}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
    )


def revision_text(git: dict[str, Any] | None) -> str | None:
    """A git revision as one word: the commit, with "-dirty" for local changes."""
    if git is None:
        return None
    return git["commit"] + ("-dirty" if git["dirty"] else "")


@functools.cache
def source_digest() -> str:
    """SHA-256 over the package's source files (relative path and bytes, in path order)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        h.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    for path in sorted((PACKAGE_ROOT / "data").glob("*")):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def code_fingerprint() -> str:
    """Hash of the model code and of the installed versions of key packages."""
    versions = sorted(package_versions().items())
    blob = source_digest() + repr(versions)
    return hashlib.sha256(blob.encode()).hexdigest()


def provenance() -> dict[str, Any]:
    """Everything recorded about the code and machine that produced a result."""
    return {
        "versions": package_versions(),
        "git": git_revision(),
        "code_fingerprint": code_fingerprint(),
        "platform": platform.platform(),
        "command": list(sys.argv),
    }


__all__ = [
    "code_fingerprint",
    "git_revision",
    "package_versions",
    "provenance",
    "revision_text",
    "source_digest",
]
