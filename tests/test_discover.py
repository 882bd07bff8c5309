"""``ssr discover``: PRIM (ema_workbench) finds a planted box; folder in, files out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.policy.discover import find_box


def planted(n: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three uniform inputs; bad exactly when a > 0.6 and b < 0.3 (c is noise)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n)})
    return x, ((x.a > 0.6) & (x.b < 0.3)).to_numpy()


def test_prim_finds_a_planted_box():
    # given synthetic runs that are bad inside a > 0.6, b < 0.3
    x, bad = planted()
    # when PRIM looks for the bad runs
    d = find_box(x, bad)
    # then its box restricts a and b (not c) close to the planted limits
    box = d.box.set_index("input")
    assert set(box.index) == {"a", "b"}
    assert box.loc["a", "lower"] == pytest.approx(0.6, abs=0.05)
    assert box.loc["b", "upper"] == pytest.approx(0.3, abs=0.05)
    # with high coverage and density, and a trajectory from the whole space inwards
    assert d.coverage > 0.85 and d.density > 0.9
    assert d.trajectory["coverage"].iloc[0] == 1.0
    assert d.trajectory["density"].iloc[0] == pytest.approx(bad.mean())


def test_ssr_discover_writes_box_table_and_tradeoff_of_a_sweep_folder(tmp_path):
    # given a finished sweep-like folder whose bad runs sit in the planted box
    x, _ = planted(600, seed=1)
    design = x.assign(run_id=np.arange(len(x)), seed=0)
    summary = design.assign(harm=100 + 50 * ((x.a > 0.6) & (x.b < 0.3)), failed=False)
    design.to_parquet(tmp_path / "design.parquet")
    summary.to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"experiment": {}}))
    # when discovery runs
    code = main(["discover", str(tmp_path), "--outcome", "harm", "--worse-than", "120"])
    # then the box, trade-off curve (table and plot) and a report are written
    out = tmp_path / "discover" / "harm"
    assert code == 0
    box = pd.read_csv(out / "box.csv").set_index("input")
    assert set(box.index) == {"a", "b"}
    assert len(pd.read_csv(out / "tradeoff.csv")) > 5
    assert (out / "tradeoff.png").stat().st_size > 1000
    assert "coverage" in (out / "discover.md").read_text()


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--outcome", "harn", "--worse-than", "1"], "--outcome"),
        (["--outcome", "harm", "--worse-than", "1e9"], "--worse-than"),
    ],
)
def test_bad_discover_options_exit_2(tmp_path, capsys, args, key):
    x, bad = planted(50)
    x.assign(run_id=np.arange(50)).to_parquet(tmp_path / "design.parquet")
    x.assign(run_id=np.arange(50), harm=bad * 1.0).to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "manifest.json").write_text("{}")
    assert main(["discover", str(tmp_path), *args]) == 2
    assert key in capsys.readouterr().err
    assert not (tmp_path / "discover").exists()
