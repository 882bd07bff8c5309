"""``ssr run`` over the posterior ensemble: parameter sets per replicate, paired across runs.

When a posterior is installed (:mod:`sim.posterior`) and ``--fixed-params`` is not given,
replicate ``r`` runs with the parameter set of member ``k_r``, the members drawn by
:func:`sim.posterior.draw_members` from a generator seeded by the scenario's seed. The
scenario's own ``[parameters]`` win over the member's (they are the question asked). A
``--compare`` scenario uses the same members and seeds (common random numbers).

The summary separates parameter uncertainty from randomness by the law of total variance
over replicates grouped by member (members drawn more than once give the within-member,
seed-to-seed variance), and says in how many replicates each difference has the sign of
its mean.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import atomic_write_text
from sim.posterior import Posterior, draw_members
from sim.scenario import Scenario

STREAM = 0xE75E
"""Second word of the SeedSequence that draws a run's members (apart from model seeds)."""


def member_draws(scenario: Scenario, posterior: Posterior) -> list[int]:
    """The member of each replicate, from the scenario's seed."""
    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed, STREAM]))
    return draw_members(posterior, scenario.replicates, rng)


def with_member(scenario: Scenario, posterior: Posterior, member: int) -> Scenario:
    """The scenario with one member's parameters (its own overrides kept on top)."""
    params = {**posterior.members[member], **scenario.parameters}
    return dataclasses.replace(scenario, parameters=params)


def ensemble_jobs(
    scenario: Scenario, posterior: Posterior | None, members: list[int] | None = None
) -> list[tuple[Scenario, int]]:
    """(scenario, seed) per replicate; with a posterior, each with its member's parameters."""
    seeds = scenario.replicate_seeds()
    if posterior is None:
        return [(scenario, s) for s in seeds]
    if members is None or len(members) != scenario.replicates:  # unpaired: its own draws
        members = member_draws(scenario, posterior)
    return [(with_member(scenario, posterior, m), s) for m, s in zip(members, seeds, strict=True)]


def ensemble_summary(
    members: list[int],
    posterior: Posterior,
    values: dict[str, np.ndarray],
    diffs: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """The summary.json block: members, variance shares, sign agreement of differences.

    ``values``: indicator -> final-year mean per replicate; ``diffs``: indicator ->
    (this - comparison) per replicate, paired.
    """
    from sim.policy.analysis import sign_agreement

    groups = np.asarray(members)
    out: dict[str, Any] = {
        "parameters": "posterior ensemble",
        "posterior": dict(posterior.meta),
        "members": [int(m) for m in members],
        "distinct_members": int(len(set(members))),
        "variance": {},
    }
    repeated = [g for g in set(members) if (groups == g).sum() >= 2]
    for name, v in values.items():
        v = np.asarray(v, dtype=float)
        total = float(v.var())
        if not repeated or total <= 0:
            out["variance"][name] = {"parameters": None, "randomness": None}
            continue
        within = float(np.mean([v[groups == g].var() for g in repeated]))
        share = min(within / total, 1.0)
        out["variance"][name] = {"parameters": 1.0 - share, "randomness": share}
    if diffs:
        out["sign_holds"] = {}
        for name, d in diffs.items():
            k, n = sign_agreement(d)
            out["sign_holds"][name] = {"replicates": k, "of": n}
    return out


def write_ensemble(
    folder: Path, members: list[int], posterior: Posterior, ts: Any, cts: Any = None
) -> None:
    """Add the ensemble block to the run folder's summary.json and report.md."""
    import json

    from sim.summary import window_means

    last = window_means(ts, final=True)
    values = {c: last[c].to_numpy() for c in last.columns}
    diffs = None
    if cts is not None:
        other = window_means(cts, final=True)
        if len(other) == len(last):
            diffs = {c: last[c].to_numpy() - other[c].to_numpy() for c in last.columns}
    block = ensemble_summary(members, posterior, values, diffs)
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["ensemble"] = block
    atomic_write_text(path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    append_report(folder / "report.md", block)


def append_report(report: Path, block: dict[str, Any]) -> None:
    """Add the ensemble section to report.md."""
    lines = [
        "",
        "## Parameter uncertainty",
        "",
        f"Each replicate ran with a parameter set drawn from the posterior ensemble "
        f"({block['distinct_members']} distinct members of the drawn {len(block['members'])}); "
        "`--fixed-params` runs the defaults only. Share of the final-year variance explained "
        "by the parameter sets (the rest is randomness):",
        "",
        "| indicator | parameters | randomness | sign of the difference holds in |",
        "|---|---|---|---|",
    ]
    signs = block.get("sign_holds", {})
    for name, v in block["variance"].items():
        p = "-" if v["parameters"] is None else f"{v['parameters']:.0%}"
        r = "-" if v["randomness"] is None else f"{v['randomness']:.0%}"
        s = signs.get(name)
        held = f"{s['replicates']} of {s['of']}" if s else "-"
        lines.append(f"| {name} | {p} | {r} | {held} |")
    text = report.read_text(encoding="utf-8") + "\n".join(lines) + "\n"
    atomic_write_text(report, text)


__all__ = [
    "append_report",
    "write_ensemble",
    "ensemble_jobs",
    "ensemble_summary",
    "member_draws",
    "with_member",
]
