"""Figures of issue 10's behaviour defects: state control, trust range, regional shares.

Runs the historical scenario (with and without the security partner) and every library
scenario for a few replicates and prints: national state control in 2015 and 2024, with
vs without the partner (and abuses a month in 2022-24); final-year trust per scenario;
the regional shares of armed-group fighters in 2022-24; the centre's share of civilian
harm (2020-01 to 05, the ECHO window) and in 2022-24; the militias' and the forces' shares
of civilian harm in 2019-21 and 2022-24; the displaced in 2024.

    python benchmarks/behaviour_figures.py [replicates]
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.geography import load_geography
from sim.scenario import load_scenario, replicate_seeds, simulate
from sim.validation.targets import centre_harm_share

ROOT = Path(__file__).resolve().parents[1]


def runs(sc, n: int) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [simulate(sc, s) for s in replicate_seeds(sc.seed, n)]


def mean(values: list[float]) -> str:
    return f"{np.mean(values):.3f} (sd {np.std(values):.3f})"


def control_figures(n: int) -> None:
    sc = load_scenario(ROOT / "scenarios" / "historical_2015_2025.toml")
    no_partner = dataclasses.replace(
        sc, events=[e for e in sc.events if e.kind != "partner_arrives"]
    )
    for name, s in (("historical", sc), ("without partner", no_partner)):
        rs = runs(s, n)
        c15 = [ts[ts.date.str[:4] == "2015"].state_control.mean() for ts, _ in rs]
        c24 = [ts[ts.date.str[:4] == "2024"].state_control.mean() for ts, _ in rs]
        w = [ts[(ts.date >= "2022-01") & (ts.date <= "2024-12")] for ts, _ in rs]
        print(
            f"{name}: control 2015 {mean(c15)}, 2024 {mean(c24)}; "
            f"control 2022-24 {mean([x.state_control.mean() for x in w])}; "
            f"abuses/month 2022-24 {mean([x.abuses_by_forces.mean() for x in w])}; "
            f"trust 2022-24 {mean([x.trust.mean() for x in w])}"
        )
        if name == "historical":
            regional(rs)


def regional(rs) -> None:
    geo = load_geography()
    shares = []
    for _, r in rs:
        w = r[(r.date >= "2022-01") & (r.date <= "2024-12")]
        f = (w.fighters_jihadist + w.fighters_signatory).groupby(w.region).mean()
        shares.append(f / f.sum())
    s = pd.concat(shares, axis=1).mean(axis=1).reindex(geo.names)
    print("regional fighter shares 2022-24:", ", ".join(f"{k} {v:.2f}" for k, v in s.items()))
    q = []
    for _, r in rs:
        w = r[(r.date >= "2020-04") & (r.date <= "2020-06")]
        q.append(w.groupby("region").incidents.sum() / w.incidents.sum())
    q = pd.concat(q, axis=1).mean(axis=1).reindex(geo.names)
    print("incident shares 2020-Q2:", ", ".join(f"{k} {v:.2f}" for k, v in q.items()))
    for first, last in (("2019-01", "2021-12"), ("2022-01", "2024-12")):
        if "civilian_harm_by_militias" not in rs[0][0].columns:
            break
        w = [ts[(ts.date >= first) & (ts.date <= last)] for ts, _ in rs]
        share = [x.civilian_harm_by_militias.sum() / x.civilian_harm.sum() for x in w]
        forces = [x.civilian_harm_by_forces.sum() / x.civilian_harm.sum() for x in w]
        fighters = [x.fighters_militia.mean() for x in w]
        print(
            f"{first[:4]}-{last[2:4]}: militias' share of civilian harm {mean(share)}, "
            f"forces' share {mean(forces)}, militia fighters {mean(fighters)}"
        )
    if "displaced" in rs[0][0].columns:
        idp = [ts[ts.date.str[:4] == "2024"].displaced.mean() for ts, _ in rs]
        print(f"displaced (IDPs), mean of 2024: {mean(idp)}")
    print(
        "centre share of civilian harm 2020-01..05:",
        mean([centre_harm_share(r, "2020-01", "2020-05") for _, r in rs]),
        "2022-24:",
        mean([centre_harm_share(r, "2022-01", "2024-12") for _, r in rs]),
    )
    sup = [r[(r.date >= "2022-01") & (r.region == "Mopti")].support_share for _, r in rs]
    print(
        "Mopti support share 2022-25 range:",
        f"{min(x.min() for x in sup):.2f}-{max(x.max() for x in sup):.2f}",
    )


def trust_range(n: int) -> None:
    finals = {}
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        sc = load_scenario(path)
        rs = runs(sc, n)
        finals[path.stem] = float(np.mean([ts.trust.iloc[-12:].mean() for ts, _ in rs]))
    print("final-year trust:", ", ".join(f"{k} {v:.3f}" for k, v in finals.items()))
    print(f"trust range across scenarios: {min(finals.values()):.3f}-{max(finals.values()):.3f}")


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    print("load average at start:", os.getloadavg())
    control_figures(reps)
    trust_range(reps)
    print("load average at end:", os.getloadavg())
