"""The scenario library: every file validates and runs, events land in their month, and
the agreement's termination moves the model the way the public record describes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main as ssr
from sim.indicators import CONTRACT
from sim.run import run_replicates, stack
from sim.scenario import build_model, load_scenario

LIBRARY = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(LIBRARY.glob("*.toml"))


def test_the_library_holds_the_policy_scenarios():
    names = {f.stem for f in FILES}
    assert {"baseline", "agreement_termination", "historical_2015_2025"} <= names
    assert len(FILES) >= 7


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_library_scenario_validates_and_runs_a_few_steps(path, capsys):
    assert ssr(["check", str(path)]) == 0
    assert "ok (scenario)" in capsys.readouterr().out
    sc = load_scenario(path)
    assert sc.name == path.stem  # the run folder is named after the file
    assert sc.description
    model = build_model(sc, sc.replicate_seeds()[0])
    model.run(3)
    frame = model.indicator_frame()
    assert len(frame) == 3
    assert np.isfinite(frame[list(CONTRACT)].to_numpy(float)).all()


def test_ssr_scenarios_lists_every_library_file(capsys, monkeypatch):
    monkeypatch.setenv("SSR_SCENARIOS", str(LIBRARY))
    assert ssr(["scenarios"]) == 0
    out = capsys.readouterr().out
    for f in FILES:
        assert f.name in out
    assert "INVALID" not in out


@pytest.fixture(scope="module")
def baseline_and_termination() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight paired replicates of the shipped baseline and termination scenarios."""
    base = load_scenario(LIBRARY / "baseline.toml").with_overrides(replicates=8)
    term = load_scenario(LIBRARY / "agreement_termination.toml").with_overrides(replicates=8)
    assert base.seed == term.seed  # paired: replicate i of each uses the same seed
    jobs = [(base, s) for s in base.replicate_seeds()] + [(term, s) for s in term.replicate_seeds()]
    frames = run_replicates(jobs, workers=1, progress=False)
    return stack(frames[:8])[0], stack(frames[8:])[0]


def test_termination_switches_the_agreement_off_exactly_in_its_month(baseline_and_termination):
    base, term = baseline_and_termination
    before = term[term["date"] < "2024-01"]
    after = term[term["date"] >= "2024-01"]
    assert (before["agreement_active"] == 1).all()
    assert (after["agreement_active"] == 0).all()
    assert (base["agreement_active"] == 1).all()


def test_nobody_registers_for_ddr_before_the_launch_month(baseline_and_termination):
    base, _ = baseline_and_termination
    assert (base.loc[base["date"] < "2018-11", "ddr_registered"] == 0).all()
    six_months_on = base[base["date"] == "2019-04"]
    assert (six_months_on["ddr_registered"] > 0).all()


def _mean_after(ts: pd.DataFrame, column: str, since: str = "2024-02") -> pd.Series:
    return ts[ts["date"] >= since].groupby("replicate")[column].mean()


def test_after_termination_signatories_rearm_and_violence_rises(baseline_and_termination):
    # Stylised fact 9 (press, 2024): after the termination the signatory coalition re-arms.
    base, term = baseline_and_termination
    for column in ("fighters_signatory", "incidents"):
        diff = _mean_after(term, column) - _mean_after(base, column)
        assert diff.mean() > 0, column
        assert (diff > 0).sum() >= 6, f"{column}: higher in only {(diff > 0).sum()} of 8"


def test_after_termination_ddr_registration_stops_growing(baseline_and_termination):
    # Press, 2024: DDR closes to the signatory movements when the agreement ends.
    base, term = baseline_and_termination

    def registered(ts: pd.DataFrame, date: str) -> pd.Series:
        return ts[ts["date"] == date].set_index("replicate")["ddr_registered"]

    end = term["date"].max()
    assert (registered(term, end) == registered(term, "2024-01")).all()
    assert (registered(base, end) > registered(base, "2024-01")).all()


def test_the_scenario_guide_documents_every_key_event_kind_option_and_library_file():
    from sim.events import EVENT_KINDS
    from sim.scenario import ScenarioMeta

    guide = (LIBRARY.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for key in ScenarioMeta.model_fields:
        assert f"`{key}`" in guide, key
    for name, kind in EVENT_KINDS.items():
        assert f"`{name}`" in guide, name
        for option in kind.options.model_fields:
            assert f"`{option}`" in guide, f"{name}.{option}"
    for f in FILES:
        assert f"`{f.name}`" in guide, f.name
