"""What the page sends to the browser each update: numbers for the charts and the map.

Pure functions of a :class:`~sim.ui.state.Session`, so the wire format is tested
without a browser (``tests/test_ui_live.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.indicators import REGION_COLUMNS, indicator
from sim.ui.library import baseline_frame, month_number
from sim.ui.state import PastRun, Session

PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Incidents per month", ("incidents",)),
    ("Civilians harmed per month", ("civilian_harm",)),
    ("Trust in the forces", ("trust",)),
    ("Corruption in the forces", ("corruption",)),
    (
        "DDR, people so far",
        ("ddr_registered", "ddr_disarmed", "ddr_reintegrated", "ddr_integrated", "ddr_rearmed"),
    ),
    ("Armed-group fighters", ("fighters_signatory", "fighters_jihadist")),
    ("Reform index", ("reform_index",)),
    ("Oversight and civil society", ("oversight", "detection", "cso_capacity")),
)
"""The live charts: (title, indicators drawn in that panel)."""

CHART_COLUMNS: tuple[str, ...] = tuple(c for _, cols in PANELS for c in cols)
"""Indicator columns of the charts, in the order the browser receives them."""

COMPARISONS: dict[str, str] = {
    "baseline": "Baseline scenario, same seed",
    "previous": "Your previous run",
    "none": "No comparison",
}
"""What the dashed lines can show."""


def comparison(session: Session, mode: str) -> PastRun | None:
    """The run drawn dashed: the baseline (same seed), the previous run, or none."""
    if mode == "previous":
        return session.previous
    if mode != "baseline":
        return None
    p = session.model.p
    frame = baseline_frame(session.library, session.seed, int(p.community.count), session.horizon)
    if frame.empty:
        return None
    return PastRun("baseline scenario, same seed", str(frame["date"].iloc[0]), frame)


def ghost_message(run: PastRun | None) -> dict[str, Any]:
    """The comparison as the chart widget takes it (sent when the choice changes)."""
    from sim.ui.widgets import compact

    if run is None or run.frame.empty:
        return {}
    rows = run.frame[list(CHART_COLUMNS)].to_numpy(dtype=float)
    return {"label": run.label, "start": month_number(run.start), "rows": compact(rows)}


def marker_message(session: Session) -> list[dict[str, Any]]:
    """Event lines: applied ones (solid dotted) and the scenario's still to come (faint)."""
    out = [
        {"step": e.step, "label": f"{e.date} {e.label}", "done": True}
        for e in session.event_log()
        if e.applied
    ]
    out += [
        {"step": s, "label": f"{label} (planned)", "done": False} for s, label in session.upcoming()
    ]
    return out


def map_message(session: Session, column: str) -> dict[str, Any]:
    """Region values of the last month with the colour scale (steady over the run)."""
    row = indicator(column)
    values = session.region_values(column)
    share = row.is_scale
    vmax = 1.0 if share else max(session.region_max(column), 1.0)
    title = f"{row.label}, {session.date}" if values is not None else f"{row.label}: press Step"
    shown = [] if values is None else [float(f"{v:.4g}") for v in np.asarray(values, float)]
    return {
        "title": title,
        "values": shown,
        "vmax": vmax,
        "share": share,
        "good_high": row.good_when == "high",
    }


MAP_CHOICES: dict[str, str] = {name: indicator(name).label for name in REGION_COLUMNS}
"""Region indicators offered on the map (labels from the registry)."""
