"""DDR stage re-run after registration stopped disarming (``python calibration/refine_ddr.py``).

Registered combatants now stay armed with their movement until cantonment (see
``sim/mechanisms/ddr.py``), so cantonment capacity, not registration, decides how many
leave the armed groups. Holding every other calibrated value, a Latin hypercube of 60
designs (3 replicates each, seed 7 as in the main search) over registration, cantonment
and processing; the lowest total score wins. The chosen values are written into
``calibration/chosen.json`` and applied with ``calibration/apply.py``. About a minute.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

from sim.validation.calibrate import evaluate

RANGES: dict[str, tuple[float, float]] = {
    "ddr.max_uptake": (0.03, 0.25),
    "ddr.processing_rate": (0.04, 0.25),
    "ddr.cantonment_capacity": (80.0, 1200.0),
}


def main() -> None:
    """Search and print the best designs; the first is the choice."""
    names = list(RANGES)
    lo = np.array([RANGES[k][0] for k in names])
    hi = np.array([RANGES[k][1] for k in names])
    points = qmc.scale(qmc.LatinHypercube(d=len(names), seed=13).random(60), lo, hi)
    rows = []
    for p in points:
        values = dict(zip(names, map(float, p), strict=True))
        total, _, means = evaluate(values, 3, 7)
        rows.append(
            (total, values, means["ddr_integrated_2023"], means["ddr_integrated_share_2023"])
        )
    rows.sort(key=lambda r: r[0])
    for total, values, integrated, share in rows[:6]:
        print(
            f"{total:7.3f}  integrated {integrated:6.0f} (share {share:.3f})  "
            + ", ".join(f"{k}={v:.3g}" for k, v in values.items())
        )
    print("\nchosen:", {k: float(f"{v:.3g}") for k, v in rows[0][1].items()})


if __name__ == "__main__":
    main()
