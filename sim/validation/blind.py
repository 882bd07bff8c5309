"""Blind test: the record of 2021-01 to 2025-05, which no calibration has seen.

``python -m sim.validation.blind [--write]`` runs the historical scenario once per member
of a posterior ensemble (members drawn by weight from :func:`sim.posterior.draw_members`
with a seeded generator; without a shipped posterior, the current defaults over as many
seeds, labelled so) and scores every ``[[blind]]`` statistic of
``calibration/historical.toml``: the record, the model's median and 90% band, whether the
record falls inside the band, and a skill score against two naive forecasts that use only
the record of the calibration window:

* *flat*: the latest baseline figure (the 2020 level) held flat;
* *trend*: a least-squares line through the baseline figures (by the middle month of
  each), extended to the middle month of the blind figure; one baseline figure gives the
  flat forecast.

Skill against a naive forecast is ``1 - e_model / e_naive``, with ``e`` the absolute error
of the model median (or the naive figure) from the record, on a log(1 + x) scale for
counts and as is for shares: 1 is perfect, 0 no better than the naive forecast, negative
worse. The analysis functions take plain arrays; :func:`ensemble_figures` runs the model.
``--write`` refreshes the table in ``docs/VALIDATION.md`` (between ``blind:start`` and
``blind:end``), which ``tests/test_validation_blind.py`` recomputes.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from sim.calendar import month_index
from sim.calibrate.config import Calibration, Statistic, load_calibration
from sim.calibrate.stats import measure
from sim.posterior import draw_members, load_posterior
from sim.scenario import replicate_seeds, simulate

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION_FILE = ROOT / "calibration" / "historical.toml"
VALIDATION_MD = ROOT / "docs" / "VALIDATION.md"
BLOCK = re.compile(r"(<!-- blind:start -->\n)(.*?)(<!-- blind:end -->)", re.S)
IDENTIFIED = re.compile(r"(<!-- identified:start -->\n)(.*?)(<!-- identified:end -->)", re.S)
IN_SAMPLE = re.compile(r"(<!-- insample:start -->\n)(.*?)(<!-- insample:end -->)", re.S)
MISSES = re.compile(r"(<!-- misses:start -->\n)(.*?)(<!-- misses:end -->)", re.S)
IN_SAMPLE_POSTERIOR = ROOT / "calibration" / "runs" / "full_record" / "posterior.parquet"
"""The posterior of ``calibration/full_record.toml`` (fitted to the blind window too)."""
BAND = (0.05, 0.95)
"""The model's band: its 5th to 95th percentile over the ensemble (a 90% band)."""


# ---- analysis on plain arrays ----------------------------------------------------------


def _mid(first: str, last: str) -> float:
    return (month_index(first) + month_index(last)) / 2


def naive_flat(baseline: Sequence[tuple[str, str, float]]) -> float:
    """The latest baseline figure (by the end of its period); nan without a baseline."""
    if not baseline:
        return float("nan")
    return float(max(baseline, key=lambda b: (b[1], b[0]))[2])


def naive_trend(baseline: Sequence[tuple[str, str, float]], first: str, last: str) -> float:
    """The baseline's least-squares line, extended to the middle of [first, last]."""
    if len(baseline) < 2:
        return naive_flat(baseline)
    x = np.array([_mid(a, b) for a, b, _ in baseline])
    y = np.array([v for _, _, v in baseline])
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept + slope * _mid(first, last))


def error(a: float, b: float, log: bool) -> float:
    """Absolute error of ``a`` from ``b`` (on a log(1 + x) scale for counts)."""
    if log:
        return float(abs(np.log1p(max(a, 0.0)) - np.log1p(max(b, 0.0))))
    return float(abs(a - b))


def skill(model: float, naive: float, record: float, log: bool) -> float:
    """``1 - e_model / e_naive``; nan when there is no naive figure or it is exact."""
    e_naive = error(naive, record, log) if np.isfinite(naive) else float("nan")
    if not np.isfinite(e_naive) or e_naive == 0:
        return float("nan")
    return 1.0 - error(model, record, log) / e_naive


def score(stat: Statistic, figures: np.ndarray) -> dict[str, float | bool | str]:
    """One row of the blind table from the ensemble's figures of one statistic."""
    figures = np.asarray(figures, dtype=float)
    lo, med, hi = np.quantile(figures, [BAND[0], 0.5, BAND[1]])
    flat = naive_flat(stat.baseline)
    trend = naive_trend(stat.baseline, stat.first, stat.last)
    rec = stat.observed
    return {
        "statistic": stat.name,
        "period": f"{stat.first}..{stat.last}",
        "record": rec,
        "median": float(med),
        "lo": float(lo),
        "hi": float(hi),
        "in_band": bool(lo <= rec <= hi),
        "flat": flat,
        "trend": trend,
        "skill_flat": skill(float(med), flat, rec, stat.log),
        "skill_trend": skill(float(med), trend, rec, stat.log),
    }


def blind_table(
    stats: Sequence[Statistic], figures: Mapping[str, np.ndarray]
) -> list[dict[str, float | bool | str]]:
    """Every blind statistic scored (``figures``: name -> one figure per member)."""
    return [score(s, figures[s.name]) for s in stats]


def totals(rows: Sequence[Mapping[str, float | bool | str]]) -> dict[str, float]:
    """Targets inside the band, and the median skill against each naive forecast."""

    def med(key: str) -> float:
        v = np.array([float(r[key]) for r in rows], dtype=float)
        v = v[np.isfinite(v)]
        return float(np.median(v)) if len(v) else float("nan")

    return {
        "targets": float(len(rows)),
        "in_band": float(sum(bool(r["in_band"]) for r in rows)),
        "median_skill_flat": med("skill_flat"),
        "median_skill_trend": med("skill_trend"),
        "beats_flat": float(sum(float(r["skill_flat"]) > 0 for r in rows)),
        "beats_trend": float(sum(float(r["skill_trend"]) > 0 for r in rows)),
    }


def _f(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def markdown(rows: Sequence[Mapping], label: str) -> str:
    """The blind table as Markdown, with its totals and the ensemble it came from."""
    out = [
        f"Ensemble: {label}.",
        "",
        "| target | months | record | model median [90% band] | in band | flat | trend "
        "| skill vs flat | skill vs trend |",
        "|---|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| `{r['statistic']}` | {r['period']} | {_f(r['record'])} "
            f"| {_f(r['median'])} [{_f(r['lo'])}, {_f(r['hi'])}] "
            f"| {'yes' if r['in_band'] else 'no'} | {_f(r['flat'])} | {_f(r['trend'])} "
            f"| {_f(r['skill_flat'])} | {_f(r['skill_trend'])} |"
        )
    t = totals(rows)
    out += [
        "",
        f"{int(t['in_band'])} of {int(t['targets'])} blind targets inside the model's 90% band; "
        f"the model beats the flat forecast on {int(t['beats_flat'])} and the trend on "
        f"{int(t['beats_trend'])}; median skill {_f(t['median_skill_flat'])} vs flat, "
        f"{_f(t['median_skill_trend'])} vs trend.",
        "",
    ]
    return "\n".join(out)


# ---- running the ensemble (I/O) --------------------------------------------------------


def _member(cal: Calibration, overrides: Mapping[str, float], seed: int) -> dict[str, float]:
    sc = cal.scenario
    sc = dataclasses.replace(sc, parameters={**sc.parameters, **dict(overrides)})
    ts, regions = simulate(sc, seed)
    return measure(cal.blind, ts, regions)


def ensemble(
    cal: Calibration, members: int, posterior: Path | None = None
) -> tuple[list[dict[str, float]], list[int], str]:
    """Members' parameter overrides, their seeds, and a label saying where they came from.

    ``posterior``: a run folder's ``posterior.parquet`` instead of the shipped one.
    """
    rng = np.random.default_rng(cal.meta.seed)
    seeds = replicate_seeds(cal.meta.seed, members)
    post = load_posterior(posterior)
    if post is None:
        label = f"{members} runs of the current defaults (no posterior shipped)"
        return [{} for _ in range(members)], seeds, label
    picks = draw_members(post, members, rng)
    label = (
        (
            "**In-sample** (this posterior was fitted to these targets): "
            * bool(post.meta.get("in_sample"))
        )
        + f"{members} members drawn from the {'shipped ' if posterior is None else ''}posterior "
        f"(config {str(post.meta.get('config_hash', ''))[:12]}, window "
        f"{'..'.join(post.meta.get('window', []))})"
    )
    return [post.members[i] for i in picks], seeds, label


def ensemble_figures(
    cal: Calibration, members: int, posterior: Path | None = None
) -> tuple[dict[str, np.ndarray], str]:
    """Run every member once on the full historical scenario; figures per blind statistic."""
    overrides, seeds, label = ensemble(cal, members, posterior)
    runs = [_member(cal, o, s) for o, s in zip(overrides, seeds, strict=True)]
    figures = {s.name: np.array([r[s.name] for r in runs]) for s in cal.blind}
    return figures, label


def generate(
    members: int | None = None, path: Path = CALIBRATION_FILE, posterior: Path | None = None
) -> str:
    """The blind table's Markdown, computed afresh."""
    cal = load_calibration(path)
    figures, label = ensemble_figures(cal, members or cal.meta.members, posterior)
    return markdown(blind_table(cal.blind, figures), label)


def identification(path: Path = CALIBRATION_FILE) -> str:
    """Markdown: the shipped posterior's width against each prior's (or that none is shipped)."""
    from sim.calibrate.summary import UNIDENTIFIED_RATIO, widths

    cal = load_calibration(path)
    post = load_posterior()
    if post is None:
        return (
            "No posterior is shipped yet (`sim/data/posterior.parquet`): run "
            "`ssr calibrate calibration/historical.toml --install`, then `make validate`.\n"
        )
    cols = {n: np.array([m[n] for m in post.members]) for n in post.names}
    priors = [p for p in cal.priors if p.name in cols]
    rows = widths(priors, cols, post.weights)
    from sim.calibrate.summary import effective_size

    out = [
        f"Shipped posterior: {len(post)} members (effective sample size of their weights "
        f"{effective_size(post.weights):.1f}), config "
        f"`{str(post.meta.get('config_hash', ''))[:12]}`. Width ratio = posterior 90% "
        f"interval / prior 90% interval; above {UNIDENTIFIED_RATIO} the record does not "
        "identify the parameter.",
        "",
        "| parameter | prior | posterior median [90%] | width ratio | identified |",
        "|---|---|---|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| `{r['parameter']}` | [{_f(r['prior_lo'])}, {_f(r['prior_hi'])}] "
            f"| {_f(r['median'])} [{_f(r['q05'])}, {_f(r['q95'])}] | {r['width_ratio']:.2f} "
            f"| {'yes' if r['identified'] else 'no'} |"
        )
    return "\n".join(out) + "\n"


def in_sample(members: int | None = None, posterior: Path = IN_SAMPLE_POSTERIOR) -> str:
    """The blind targets scored by the in-sample (2015-2025) posterior, or why not."""
    if not posterior.is_file():
        return (
            f"Not run yet: `ssr calibrate calibration/full_record.toml --out "
            f"{posterior.parent.relative_to(ROOT)}`, then `make validate`.\n"
        )
    return generate(members, posterior=posterior)


def write_docs(
    text: str,
    doc: Path = VALIDATION_MD,
    identified: str | None = None,
    in_sample_text: str | None = None,
) -> None:
    """Put the blind, identification and in-sample tables between their markers."""
    from sim.atomic import atomic_write_text

    old = doc.read_text(encoding="utf-8")
    from sim.validation import misses

    blocks = {BLOCK: text, IDENTIFIED: identified, IN_SAMPLE: in_sample_text, MISSES: ""}
    missing = [b.pattern.split("-->")[0][4:] for b in blocks if not b.search(old)]
    if missing:
        raise ValueError(f"{doc} lacks the blocks {missing}")
    blocks[IDENTIFIED] = identification() if identified is None else identified
    blocks[IN_SAMPLE] = in_sample() if in_sample_text is None else in_sample_text
    blocks[MISSES] = misses.markdown()
    new = old
    for block, content in blocks.items():
        new = block.sub(lambda m, c=content: m[1] + c + m[3], new)
    atomic_write_text(doc, new)


def documented(doc: Path = VALIDATION_MD, block: re.Pattern = BLOCK) -> str:
    """A generated block as it stands in the docs (the blind table by default)."""
    m = block.search(doc.read_text(encoding="utf-8"))
    return m[2] if m else ""


def main(argv: list[str] | None = None) -> int:
    """Command line: print the blind table, or write it into the docs."""
    ap = argparse.ArgumentParser(prog="python -m sim.validation.blind", description=__doc__)
    ap.add_argument("--members", type=int, help="ensemble size (default: the file's members)")
    ap.add_argument("--write", action="store_true", help="refresh docs/VALIDATION.md")
    ap.add_argument("--posterior", type=Path, help="a run folder's posterior.parquet (preview)")
    args = ap.parse_args(argv)
    if args.write and args.posterior:
        ap.error("--write documents the shipped posterior only; drop --posterior")
    text = generate(args.members, posterior=args.posterior)
    if args.write:
        write_docs(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
