"""DDR stage re-run after registration stopped disarming (``python calibration/refine_ddr.py``).

Registered combatants now stay armed with their movement until cantonment (see
``sim/mechanisms/ddr.py``), so cantonment capacity, not registration, decides how many
leave the armed groups. Holding every other calibrated value, a Latin hypercube of 60
designs (3 replicates each, seed 7 as in the main search) over registration, cantonment
and processing; the lowest total score wins. The chosen values are written into
``calibration/chosen.json`` and applied with ``calibration/apply.py``. About a minute.
"""

from __future__ import annotations

from sim.validation.calibrate import rank_designs

RANGES: dict[str, tuple[float, float]] = {
    "ddr.max_uptake": (0.03, 0.25),
    "ddr.processing_rate": (0.04, 0.25),
    "ddr.cantonment_capacity": (80.0, 1200.0),
}


def main() -> None:
    """Search and print the best designs; the first is the choice."""
    rows = rank_designs(RANGES, 60, design_seed=13)
    for total, values, means in rows[:6]:
        print(
            f"{total:7.3f}  integrated {means['ddr_integrated_2023']:6.0f} "
            f"(share {means['ddr_integrated_share_2023']:.3f})  "
            + ", ".join(f"{k}={v:.3g}" for k, v in values.items())
        )
    print("\nchosen:", {k: float(f"{v:.3g}") for k, v in rows[0][1].items()})


if __name__ == "__main__":
    main()
