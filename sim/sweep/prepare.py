"""Before a sweep runs: check the folder and the code, then write design and manifest.

Every refusal happens before anything is written. A resumed sweep must find the same
experiment (config hash) and the same model code and package versions (code
fingerprint): runs made by different code are never mixed silently. With
``--allow-code-change`` the change is accepted and recorded in the manifest.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.atomic import atomic_write_bytes, atomic_write_table
from sim.provenance import code_fingerprint, provenance
from sim.scenario import ScenarioError
from sim.sweep.experiment import Experiment
from sim.sweep.folder import FORMAT, drop_untrusted, read_manifest

SEEDING = (
    "run r gets numpy.random.SeedSequence(seed).spawn(n_runs)[r], first 64-bit word >> 1; "
    "the design sampler uses SeedSequence([seed, 0xD5161])"
)


def check_folder(
    exp: Experiment, out: Path, design: pd.DataFrame, *, resume: bool, allow_code_change: bool
) -> dict[str, Any] | None:
    """Refuse a folder this sweep may not use; return its manifest when resuming.

    Raises:
        ScenarioError: the folder holds something else, another sweep, this sweep without
            ``--resume``, or this sweep made by other code without ``--allow-code-change``.
    """
    if out.exists() and not out.is_dir():
        raise ScenarioError(out, "--out", "exists and is not a folder")
    manifest = read_manifest(out) if out.exists() else None
    if manifest is None:
        if out.exists() and any(out.iterdir()):
            raise ScenarioError(
                out, "--out", "is not empty and holds no sweep; choose an empty or new folder"
            )
        return None
    if manifest.get("config_hash") != exp.config_hash(design):
        other = manifest.get("experiment", {}).get("name", "?")
        raise ScenarioError(
            out / "manifest.json",
            "config_hash",
            f"this folder holds a different sweep (experiment {other!r}, or the experiment "
            "file, its scenario or the design changed since it started); "
            "choose another --out folder",
        )
    if not resume:
        raise ScenarioError(
            out,
            "--out",
            "already holds this sweep; add --resume to complete it, or choose another --out",
        )
    _check_code(out, manifest, allow_code_change)
    return manifest


def _recorded_fingerprint(manifest: dict[str, Any]) -> str | None:
    changes = manifest.get("code_changes") or []
    if changes:
        return changes[-1].get("to")
    return manifest.get("code_fingerprint")


def _check_code(out: Path, manifest: dict[str, Any], allow: bool) -> None:
    recorded, now = _recorded_fingerprint(manifest), code_fingerprint()
    if recorded == now or allow:
        return
    raise ScenarioError(
        out / "manifest.json",
        "code_fingerprint",
        f"the model code or installed package versions changed since this sweep started "
        f"({(recorded or 'not recorded')[:12]} then, {now[:12]} now); resuming would mix runs "
        "made by different code. Start a new sweep in another --out, or add "
        "--allow-code-change (the change is recorded in the manifest)",
    )


def prepare(
    exp: Experiment,
    out: Path,
    design: pd.DataFrame,
    manifest: dict[str, Any] | None,
) -> list[str]:
    """Write a new sweep folder, or tidy a resumed one; return damaged parts dropped.

    ``manifest`` is what :func:`check_folder` returned (None for a new folder).
    """
    if manifest is not None:
        (out / "runs").mkdir(exist_ok=True)
        _record_code_change(out, manifest)
        return drop_untrusted(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "runs").mkdir(exist_ok=True)
    if exp.keep_timeseries:
        (out / "timeseries").mkdir(exist_ok=True)
    atomic_write_table(out / "design.parquet", design)
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "experiment": exp.as_dict(),
        "config_hash": exp.config_hash(design),
        "n_points": exp.n_points(),
        "n_runs": len(design),
        "seeding": {"root_seed": exp.seed, "scheme": SEEDING},
        **provenance(),
        "code_changes": [],
    }
    # The manifest goes last: a folder with a manifest has its complete design.
    _write_manifest(out, manifest)
    return []


def _record_code_change(out: Path, manifest: dict[str, Any]) -> None:
    recorded, now = _recorded_fingerprint(manifest), code_fingerprint()
    if recorded == now:
        return
    prov = provenance()
    manifest.setdefault("code_changes", []).append(
        {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "from": recorded,
            "to": now,
            "versions": prov["versions"],
            "git": prov["git"],
            "accepted_with": "--allow-code-change",
            "command": list(sys.argv),
        }
    )
    _write_manifest(out, manifest)


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(out / "manifest.json", json.dumps(manifest, indent=2, default=str).encode())


__all__ = ["check_folder", "prepare"]
