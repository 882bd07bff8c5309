"""Given the library scenarios and experiments, when they run, then their results are
bit for bit those fingerprinted before the last refactor that promised no change."""

from __future__ import annotations

import json

import pytest
from golden.fingerprints import STORE, experiment_fingerprints, scenario_fingerprints


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(STORE.read_text())


def _changed(expected: dict, actual: dict) -> list[str]:
    """Keys (down to columns) whose fingerprint differs, is missing or is new."""
    diffs = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key), actual.get(key)
        if isinstance(want, dict) and isinstance(got, dict):
            diffs += [f"{key}/{d}" for d in _changed(want, got)]
        elif want != got:
            diffs.append(f"{key}: {want} -> {got}")
    return diffs


def test_library_scenarios_give_the_fingerprinted_results(stored: dict) -> None:
    diffs = _changed(stored["scenarios"], scenario_fingerprints())
    assert not diffs, "results changed:\n" + "\n".join(diffs[:40])


def test_library_experiments_give_the_fingerprinted_designs_and_outputs(stored: dict) -> None:
    diffs = _changed(stored["experiments"], experiment_fingerprints())
    assert not diffs, "results changed:\n" + "\n".join(diffs[:40])
