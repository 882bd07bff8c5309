"""The posterior ensemble: parameter sets that fit the record, shipped with the package.

One file, ``sim/data/posterior.parquet``, written by ``ssr calibrate``: one row per
ensemble member, one column per calibrated parameter (its dotted name, e.g.
``"recruitment.recruit_rate"``), plus ``weight`` (normalised importance weight). The file's
key-value metadata carries ``config_hash`` (the calibration file's hash), ``record_version``
(hash of the record tables used), ``window`` (first and last month fitted) and
``created``. Readers use :func:`load_posterior`; nothing else opens the file.

Members are drawn with :func:`draw_members` from a seeded generator, so one seed fixes
which parameter sets a run uses (common random numbers across compared scenarios).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

POSTERIOR_PATH = Path(__file__).resolve().parent / "data" / "posterior.parquet"
WEIGHT = "weight"
META_KEY = b"ssr.posterior"


@dataclass(frozen=True)
class Posterior:
    """An ensemble of parameter sets with weights and provenance.

    Attributes:
        members: one dict per member, dotted parameter name -> value.
        weights: normalised importance weights (sum 1), one per member.
        meta: provenance (``config_hash``, ``record_version``, ``window``, ``created``).
    """

    members: list[dict[str, float]]
    weights: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.members)

    @property
    def names(self) -> list[str]:
        """The calibrated parameters' dotted names."""
        return sorted(self.members[0]) if self.members else []


def from_columns(
    columns: dict[str, np.ndarray], weights: np.ndarray, meta: dict[str, Any]
) -> Posterior:
    """A posterior from parameter columns (dotted name -> values) and weights."""
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("posterior weights must be a non-negative vector with a positive sum")
    n = len(weights)
    for name, values in columns.items():
        if len(values) != n:
            raise ValueError(f"posterior column {name!r} has {len(values)} values, expected {n}")
    members = [{name: float(values[i]) for name, values in columns.items()} for i in range(n)]
    return Posterior(members, weights / weights.sum(), dict(meta))


def write_posterior(posterior: Posterior, path: Path) -> None:
    """Write a posterior atomically as Parquet with its provenance in the metadata."""
    import pyarrow as pa

    from sim.atomic import atomic_write_table

    names = posterior.names
    table = pa.table(
        {
            **{n: [m[n] for m in posterior.members] for n in names},
            WEIGHT: posterior.weights,
        }
    )
    table = table.replace_schema_metadata({META_KEY: json.dumps(posterior.meta).encode()})
    atomic_write_table(path, table)


def load_posterior(path: Path | None = None) -> Posterior | None:
    """The shipped posterior (or the one at ``path``); None when no file exists."""
    import pyarrow.parquet as pq

    path = POSTERIOR_PATH if path is None else Path(path)
    if not path.is_file():
        return None
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(META_KEY, b"{}")
    data = table.to_pydict()
    weights = np.asarray(data.pop(WEIGHT), dtype=float)
    columns = {k: np.asarray(v, dtype=float) for k, v in data.items()}
    return from_columns(columns, weights, json.loads(raw))


def draw_members(posterior: Posterior, n: int, rng: np.random.Generator) -> list[int]:
    """Indices of ``n`` members drawn by weight (with replacement) from ``rng``."""
    return [int(i) for i in rng.choice(len(posterior), size=n, replace=True, p=posterior.weights)]
