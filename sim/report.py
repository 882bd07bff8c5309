"""``report.md`` of a run folder, written for readers who do not program.

The report is built from ``summary.json`` alone (plus the list of plots), so every number
in it can be traced to the summary. It says what was run in plain words, the headline
changes with their uncertainty, a one-line reading where the direction is clear (the
90% interval does not include zero), the plots, and the provenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.choices import DEFAULT_PLOTS, PLOT_CHOICES
from sim.events import EVENT_KINDS
from sim.indicators import INDICATORS, label
from sim.params import spec
from sim.paramtools import ParamError

HEADLINES: tuple[str, ...] = (
    "incidents",
    "civilian_harm",
    "civilian_harm_by_forces",
    "civilian_harm_by_armed_groups",
    "abuses_by_forces",
    "trust",
    "corruption",
    "oversight",
    "reform_index",
    "ddr_registered",
    "ddr_integrated",
    "ddr_reintegrated",
    "ddr_rearmed",
    "fighters_signatory",
    "fighters_jihadist",
    "state_control",
    "cso_capacity",
    "donor_funding",
)
"""Indicators in the report's tables, in reading order."""

_SCALES = {"index", "share", "probability", "flag"}


def fmt(value: float | None, name: str, *, sign: bool = False) -> str:
    """A number rounded for reading: two decimals for 0-1 scales, fewer for big counts."""
    if value is None:
        return "n/a"
    unit = INDICATORS.get(name, ("", ""))[0]
    plus = "+" if sign else ""
    if unit not in _SCALES and value == 0:
        return "0"
    if unit in _SCALES or abs(value) < 10:
        return f"{value:{plus}.2f}"
    if abs(value) < 100:
        return f"{value:{plus}.1f}"
    return f"{value:{plus},.0f}"


def _unit_words(name: str) -> str:
    unit = INDICATORS.get(name, ("", ""))[0]
    if unit in ("index", "share"):
        return f"({unit}, 0 to 1)"
    if unit.endswith(", cumulative"):
        return "people (cumulative)"
    return unit


def _span(stats: dict[str, Any], name: str, *, sign: bool = False) -> str:
    return f"{fmt(stats['p5'], name, sign=sign)} to {fmt(stats['p95'], name, sign=sign)}"


def _direction(stats: dict[str, Any]) -> int:
    """+1 / -1 when the 90% interval lies above / below zero, else 0."""
    lo, hi = stats["p5"], stats["p95"]
    if lo is None or hi is None:
        return 0
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    return 0


def _parameter_lines(params: dict[str, Any]) -> list[str]:
    if not params:
        return ["- Parameters: the model's defaults (none changed)."]
    lines = ["- Parameters changed from the defaults:", ""]
    lines += [
        "  | parameter | this run | default | unit | what it means |",
        "  |---|---|---|---|---|",
    ]
    for name, value in params.items():
        try:
            s = spec(name)
            lines.append(f"  | `{name}` | {value} | {s.default} | {s.unit} | {s.meaning} |")
        except ParamError:
            lines.append(f"  | `{name}` | {value} | | | |")
    return lines


def _event_lines(events: list[dict[str, Any]]) -> list[str]:
    if not events:
        return ["- Events: none."]
    lines = ["- Events (each takes effect at the start of its month):", ""]
    lines += ["  | month | event | what happens |", "  |---|---|---|"]
    for ev in events:
        kind = EVENT_KINDS.get(ev["kind"])
        meaning = kind.meaning if kind else ""
        opts = ", ".join(f"{k} = {v}" for k, v in ev["options"].items())
        what = f"{ev['label'] or ev['kind']} (`{ev['kind']}`{': ' + opts if opts else ''})"
        lines.append(f"  | {ev['date']} | {what} | {meaning} |")
    return lines


def _change_sentence(name: str, stats: dict[str, Any], first: float, final: float) -> str:
    d = _direction(stats)
    what = label(name)
    if stats["p5"] == 0 and stats["p95"] == 0:
        return f"- **{what}**: unchanged."
    if d == 0:
        return (
            f"- **{what}**: no clear change between the first and the final year "
            f"(90% interval of the change {_span(stats, name, sign=True)})."
        )
    verb = "up" if d > 0 else "down"
    if fmt(abs(stats["median"]), name) in ("0.00", "0"):
        return (
            f"- **{what}**: very slightly {verb} (by less than 0.01; 90% interval of the "
            f"change {_span(stats, name, sign=True)})."
        )
    return (
        f"- **{what}**: {verb} from about {fmt(first, name)} to {fmt(final, name)} "
        f"{_unit_words(name)} (change {fmt(stats['median'], name, sign=True)}, "
        f"90% interval {_span(stats, name, sign=True)})."
    )


def _compare_sentence(name: str, stats: dict[str, Any], other: str) -> str:
    d = _direction(stats)
    what = label(name)
    if d == 0:
        return (
            f"- **{what}**: no clear difference from *{other}* "
            f"(90% interval {_span(stats, name, sign=True)})."
        )
    word = "higher" if d > 0 else "lower"
    size = fmt(abs(stats["median"]), name)
    if size in ("0.00", "0"):
        return (
            f"- **{what}**: very slightly {word} than in *{other}* (by less than 0.01; "
            f"90% interval {_span(stats, name, sign=True)})."
        )
    return (
        f"- **{what}**: {word} than in *{other}* by about {size} {_unit_words(name)} "
        f"(90% interval {_span(stats, name, sign=True)})."
    )


def _what_was_run(summary: dict[str, Any]) -> list[str]:
    sc = summary["scenario"]
    out = [f"# Scenario run: {sc['name']}", ""]
    if sc["description"]:
        out += [f"*{sc['description']}*", ""]
    out += ["## What was run", ""]
    out += [
        f"- Scenario file: `{sc['file']}`" if sc["file"] else "- Scenario: built in Python",
        f"- Period: {sc['start']} to {sc['end']} ({sc['steps']} months, one step per month)",
        f"- Replicates: {sc['replicates']} runs of the same scenario with different random "
        f"draws (seed {sc['seed']}); the spread between them is the uncertainty shown below",
    ]
    out += _parameter_lines(sc["parameters"])
    out += _event_lines(sc["events"])
    return out + [""]


def _headlines(summary: dict[str, Any]) -> list[str]:
    inds = summary["indicators"]
    first, final = summary["first_year"], summary["final_year"]
    n = summary["scenario"]["replicates"]
    out = ["## Headline results", ""]
    out += [
        f"First year = {first['from']} to {first['to']}; final year = {final['from']} to "
        f"{final['to']}. Each replicate is averaged over the year; the table gives the mean "
        f"over replicates and, in brackets, the 90% interval (5th to 95th percentile of the "
        f"{n} replicates).",
        "",
        "| indicator | unit | first year | final year [90%] | change (median) | 90% interval of the change |",
        "|---|---|---|---|---|---|",
    ]
    sentences = []
    for name in HEADLINES:
        if name not in inds:
            continue
        s = inds[name]
        fy, ly, ch = s["first_year"], s["final_year"], s["change"]
        out.append(
            f"| {label(name)} | {s['unit']} | {fmt(fy['mean'], name)} | "
            f"{fmt(ly['mean'], name)} [{_span(ly, name)}] | {fmt(ch['median'], name, sign=True)} | "
            f"{_span(ch, name, sign=True)} |"
        )
        sentences.append(_change_sentence(name, ch, fy["mean"], ly["mean"]))
    out += ["", 'In words ("clear" means the 90% interval of the change excludes zero):', ""]
    return out + sentences + [""]


def _comparison(summary: dict[str, Any]) -> list[str]:
    comp = summary.get("comparison")
    if not comp:
        return []
    name_this = summary["scenario"]["name"]
    other = comp["scenario"]["name"]
    how = (
        "paired replicate by replicate (both used the same seeds)"
        if comp["paired"]
        else "over all pairs of replicates (the seeds differ)"
    )
    out = [f"## Compared with {other}", ""]
    if comp["scenario"]["description"]:
        out += [f"*{other}*: {comp['scenario']['description']}", ""]
    out += [
        f"Final-year means of this scenario ({name_this}) and of *{other}*, and the "
        f"difference (this minus {other}): median and 90% interval, {how}.",
        "",
        f"| indicator | {name_this} | {other} | difference (median) | 90% interval |",
        "|---|---|---|---|---|",
    ]
    sentences = []
    for name in HEADLINES:
        c = comp["indicators"].get(name)
        if c is None:
            continue
        d = c["difference"]
        out.append(
            f"| {label(name)} | {fmt(c['this'], name)} | {fmt(c['other'], name)} | "
            f"{fmt(d['median'], name, sign=True)} | {_span(d, name, sign=True)} |"
        )
        sentences.append(_compare_sentence(name, d, other))
    return out + ["", "In words:", ""] + sentences + [""]


def _plots(plots: list[tuple[str, str]], compared: bool, which: str) -> list[str]:
    out = ["## Plots", ""]
    if which != DEFAULT_PLOTS:
        drawn = "Only the summary plots were drawn" if plots else "No plots were drawn"
        out += [
            f"{drawn} (`--plots {which}`: {PLOT_CHOICES[which]}). Draw every plot from "
            "this folder's data with `ssr plots RUN_FOLDER`; the data behind them are in "
            "`timeseries.parquet` and `regions.parquet`.",
            "",
        ]
    if not plots:
        return out
    out += [
        "Lines are the median over replicates, shaded bands the 90% interval; dotted "
        "vertical lines mark the events."
        + (" The comparison scenario is dashed." if compared else ""),
        "",
    ]
    for file, caption in plots:
        out += [f"### {caption}", "", f"![{caption}](plots/{file})", ""]
    return out


READING_NOTES: tuple[str, ...] = (
    "- The model is a simplified, stylised picture of Mali's security sector; its "
    "numbers are useful for comparing scenarios, not as forecasts.",
    "- The intervals show only the randomness between replicates. Parameter values are "
    "assumptions (see `ssr params`); researchers test them with `ssr sweep`.",
    "- A change or difference whose interval includes zero is not distinguishable from "
    "noise with this many replicates; more replicates (`--replicates`) narrow the "
    "interval.",
    "- The data behind every number: `timeseries.parquet` (per replicate and month), "
    "`regions.parquet` (per region), `summary.json`.",
)
"""The report's "How to read this report" bullets."""


def _provenance(summary: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in summary["versions"].items())
    out = ["## Provenance", ""]
    out += [
        f"- Config hash: `{summary['config_hash']}` (same hash, same results)",
        "- Resolved configuration: [`scenario.toml`](scenario.toml)",
        f"- Replicate seeds: derived from seed {summary['scenario']['seed']} (listed in "
        "`summary.json`)",
        f"- Versions: {versions}",
        f"- Source revision: {summary['git_revision'] or 'unknown (not a git checkout)'}",
        f"- Created: {summary['created']}",
    ]
    comp = summary.get("comparison")
    if comp:
        out.append(f"- Comparison config hash: `{comp['config_hash']}`")
    return out


def render_report(
    summary: dict[str, Any], plots: list[tuple[str, str]], which: str = DEFAULT_PLOTS
) -> str:
    """The Markdown text of the report: ``plots`` are the (file, caption) pairs drawn."""
    out = _what_was_run(summary) + _headlines(summary) + _comparison(summary)
    out += _plots(plots, bool(summary.get("comparison")), which)
    out += ["## How to read this report", "", *READING_NOTES, ""]
    out += _provenance(summary)
    return "\n".join(out) + "\n"


def write_report(
    path: Path, summary: dict[str, Any], plots: list[tuple[str, str]], which: str = DEFAULT_PLOTS
) -> None:
    """Write ``report.md`` (``which``: the ``--plots`` choice the plots were drawn with)."""
    path.write_text(render_report(summary, plots, which), encoding="utf-8")


__all__ = ["HEADLINES", "fmt", "render_report", "write_report"]
