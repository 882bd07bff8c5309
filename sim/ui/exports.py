"""Downloads: the run (and its comparison) as CSV, and the charts as a PNG.

Both carry what makes the run reproducible: scenario, seed, every moved slider, every
event and the page address that restores it. The CSV starts with ``#`` lines saying
so (``pandas.read_csv(..., comment="#")`` skips them), then one row per month and run:
``run`` is "you" or "comparison", and each moved slider has a column with the value in
force that month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import month_index
from sim.ui.controls import slider
from sim.ui.live import comparison
from sim.ui.runlink import run_query
from sim.ui.state import Session


def header_lines(session: Session, compare: str) -> list[str]:
    """The description of the run written above the CSV and in the PNG's title."""
    moved = session.built_overrides()
    applied = [e for e in session.event_log() if e.source == "you"]
    run = comparison(session, compare)
    lines = [
        f"scenario: {session.scenario_name} ({session.scenario_title})",
        f"seed: {session.model_seed}",
        "sliders moved at the start: "
        + (", ".join(f"{n} = {v} ({slider(n).label})" for n, v in moved.items()) or "none"),
        "your events: " + ("; ".join(f"{e.date} {e.label}" for e in applied) or "none"),
        f"comparison: {run.label if run is not None else 'none'}",
        f"page address: ?{run_query(session)}",
    ]
    return lines


def run_table(session: Session, compare: str) -> pd.DataFrame:
    """Your run's months, then the comparison's, with scenario, seed and slider columns."""
    own = session.frame().copy()
    by_step: dict[int, list[str]] = {}
    for e in session.event_log():
        if e.applied:
            by_step.setdefault(e.step, []).append(e.label)
    own["events"] = ["; ".join(by_step.get(int(s), [])) for s in own["step"]]
    own.insert(0, "run", "you")
    own.insert(1, "scenario", session.scenario_name)
    own.insert(2, "seed", session.model_seed)
    _slider_columns(session, own)
    run = comparison(session, compare)
    if run is None or run.frame.empty:
        return own
    other = run.frame.copy()
    other.insert(0, "run", "comparison")
    other.insert(1, "scenario", run.label)
    other.insert(2, "seed", session.model_seed if compare == "baseline" else None)
    other["events"] = ""
    return pd.concat([own, other], ignore_index=True)


def _slider_columns(session: Session, own: pd.DataFrame) -> None:
    """One column per slider moved at the start or applied mid-run, with its value by month."""
    built = session.built_overrides()
    sets = [(s, o["parameter"], o["value"]) for s, k, o in session.your_events() if k == "set"]
    names = list(dict.fromkeys([*built, *(n for _, n, _ in sets)]))
    start_values = {**session.scenario_settings(), **built}
    for name in names:
        values = np.full(len(own), start_values[name], dtype=object)
        for step, param, value in sorted(sets, key=lambda x: x[0]):
            if param == name:
                values[own["step"].to_numpy() >= step] = value
        own[name] = values


def csv_bytes(session: Session, compare: str = "baseline") -> bytes:
    """The CSV download: ``#`` header lines, then the table."""
    head = "".join(f"# {line}\n" for line in header_lines(session, compare))
    return (head + run_table(session, compare).to_csv(index=False)).encode("utf-8")


def csv_filename(session: Session) -> str:
    """File name naming scenario and seed, e.g. "baseline_seed42.csv" (the month is inside)."""
    stem = session.scenario_name.removesuffix(".toml")
    return f"{stem}_seed{session.model_seed}.csv"


def charts_png(session: Session, compare: str = "baseline", dpi: int = 130) -> bytes:
    """The charts drawn for print (only on download), titled with the run's description."""
    from sim.ui.charts import draw_charts
    from sim.ui.live import PANELS

    def years(dates: pd.Series) -> np.ndarray:
        return np.array([month_index(d) / 12.0 for d in dates])

    start = month_index(session.scenario.start) / 12.0
    df = session.frame()
    run = comparison(session, compare)
    other = None
    if run is not None and not run.frame.empty:
        other = (years(run.frame["date"]), run.frame, run.label)
    markers = [(month_index(d) / 12.0, label) for d, label in session.markers()]
    return draw_charts(
        PANELS,
        (start, start + session.horizon / 12.0),
        (years(df["date"]) if len(df) else np.array([]), df),
        other,
        markers,
        "\n".join(header_lines(session, compare)[:5]),
        dpi,
    )
