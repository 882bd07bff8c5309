"""The scenario library as the page shows it, and the cached baseline comparison runs.

Shared by every session, read only: the parsed scenario files and the baseline runs
(one per seed, size and horizon), so that thirty participants do not each parse the
library or run the same baseline.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.calendar import month_index
from sim.model import SSRModel
from sim.scenario import Scenario, ScenarioError, load_scenario

BASELINE_FILE = "baseline.toml"


def default_library() -> Path:
    """The scenario folder ``ssr`` uses (``SSR_SCENARIOS`` or the repository's)."""
    from sim.scenario import scenario_library

    return scenario_library()


def scenario_choices(library: Path | None = None) -> dict[str, Scenario]:
    """The valid scenarios of the library, by file name (invalid files are left out)."""
    folder = Path(library) if library is not None else default_library()
    return dict(load_library(str(folder.resolve())))


@lru_cache(maxsize=4)
def load_library(folder: str) -> tuple[tuple[str, Scenario], ...]:
    """(file name, scenario) of every valid file in ``folder``, sorted by name."""
    out = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            out.append((path.name, load_scenario(path)))
        except ScenarioError:
            continue
    return tuple(out)


def scenario_title(scenario: Scenario) -> str:
    """A title from the scenario's name: "agreement_termination" -> "Agreement termination"."""
    name = re.sub(r"_(\d{4})_(\d{4})$", r" \1-\2", scenario.name)
    words = name.replace("_", " ").replace("ddr", "DDR").strip()
    return words[:1].upper() + words[1:]


def month_number(month: str) -> int:
    """Months since year 0 of a "YYYY-MM" (the charts' x axis)."""
    return month_index(month)


@lru_cache(maxsize=32)
def baseline_frame(folder: str, seed: int, count: int, steps: int) -> pd.DataFrame:
    """The library's baseline run once per (seed, size, horizon), then reused (do not modify).

    Empty when the library has no baseline file.
    """
    sc = dict(load_library(folder)).get(BASELINE_FILE)
    if sc is None:
        return pd.DataFrame()
    params = sc.params().with_overrides({"community.count": count})
    model = SSRModel(params, rng=seed, events=list(sc.events), start=sc.start)
    model.run(steps)
    return model.indicator_frame()
