"""The scenario files an experiment runs: one base scenario, or a ``scenario`` factor.

Paths are relative to the experiment file (or the working directory for ``"<...>"``
pseudo-files). Each file is validated as a scenario; its problems are reported at the
experiment key that names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.scenario import Scenario, ScenarioError, load_scenario

SCENARIO_FACTOR = "scenario"
_KEY = f'factors."{SCENARIO_FACTOR}"'


def load_base_scenarios(src: Any, meta: Any, levels: Any) -> dict[str, Scenario]:
    """The experiment's scenarios by name, with ``meta.steps`` applied.

    Args:
        src: the experiment file.
        meta: the validated ``[experiment]`` table (``scenario``, ``design``, ``steps``).
        levels: the ``scenario`` factor's value, or None without one.

    Raises:
        ScenarioError: a missing or invalid file, a name used twice, or both forms given.
    """
    base_dir = Path(src).resolve().parent if not str(src).startswith("<") else Path.cwd()
    if levels is None:
        if meta.scenario is None:
            raise ScenarioError(
                src, "experiment.scenario", "required key is missing (a scenario file)"
            )
        sc = _load(src, "experiment.scenario", meta.scenario, base_dir, meta.steps)
        return {sc.name: sc}
    if meta.scenario is not None:
        raise ScenarioError(
            src,
            "experiment.scenario",
            "give either a base scenario here or a 'scenario' factor in [factors], not both",
        )
    if meta.design != "grid":
        raise ScenarioError(
            src,
            _KEY,
            f"alternative scenario files are grid levels; design {meta.design!r} needs ranges",
        )
    return _alternatives(src, levels, base_dir, meta.steps)


def _alternatives(src: Any, levels: Any, base_dir: Path, steps: int | None) -> dict[str, Scenario]:
    if not isinstance(levels, list):
        raise ScenarioError(src, _KEY, "must be a list of scenario files (relative to this file)")
    for i, text in enumerate(levels):
        if not isinstance(text, str):
            raise ScenarioError(src, f"{_KEY}[{i}]", f"must be a string, got {text!r}")
    if len({(base_dir / t).resolve() for t in levels}) != len(levels):
        raise ScenarioError(src, _KEY, "lists the same scenario file twice")
    scenarios: dict[str, Scenario] = {}
    for i, text in enumerate(levels):
        sc = _load(src, f"{_KEY}[{i}]", text, base_dir, steps)
        if sc.name in scenarios:
            raise ScenarioError(
                src, f"{_KEY}[{i}]", f"two scenario files are named {sc.name!r}; names must differ"
            )
        scenarios[sc.name] = sc
    return scenarios


def _load(src: Any, key: str, text: str, base_dir: Path, steps: int | None) -> Scenario:
    path = base_dir / text
    if not path.is_file():
        raise ScenarioError(src, key, f"scenario file {text!r} not found (looked at {path})")
    try:
        sc = load_scenario(path)
    except ScenarioError as err:
        raise ScenarioError(src, key, f"invalid scenario: {err}") from err
    if steps is not None:
        last = max((e.step for e in sc.events), default=0)
        if last > steps:
            raise ScenarioError(
                src,
                "experiment.steps",
                f"{steps} months end before the event at step {last} of {text!r}; "
                f"use steps >= {last} or a scenario without later events",
            )
        sc = sc.with_overrides(steps=steps)
    return sc


__all__ = ["SCENARIO_FACTOR", "load_base_scenarios"]
