"""Third calibration stage: who harms civilians (``python calibration/refine_perpetrators.py``).

After the two stages of ``python -m sim.validation.calibrate`` (with armed groups'
resource capacity in the model), state forces caused about 60% of civilian harm in
2022-23 against about 43% in the record. This stage holds every other calibrated value
and searches the five parameters that split harm between perpetrators with a Latin
hypercube of 60 designs (3 replicates each, seed 7 as in the main search). Selection
rule: the lowest total score among the designs whose forces' share lies within 0.03 of
the recorded 0.43 (stylized fact 3 is the figure this stage exists for). The chosen
values are written into ``calibration/chosen.json`` by hand and applied with
``calibration/apply.py``. Run time: about two minutes.
"""

from __future__ import annotations

from sim.validation.calibrate import rank_designs

RANGES: dict[str, tuple[float, float]] = {
    "violence.abuse_rate": (0.5, 3.0),
    "forces.partner_penalty": (0.1, 0.6),
    "violence.harm_per_attack": (3.0, 9.0),
    "violence.peacekeeper_protection": (0.3, 0.9),
    "violence.jihadist_attack_rate": (1.5, 5.0),
}
RECORDED_FORCES_SHARE = 0.43


def main() -> None:
    """Search, print the best designs and the one the selection rule picks."""
    rows = rank_designs(RANGES, 60, design_seed=11)
    share = "forces_harm_share_2022_23"
    for total, values, means in rows[:6]:
        print(
            f"{total:7.3f}  forces share {means[share]:.3f}  "
            + ", ".join(f"{k}={v:.3g}" for k, v in values.items())
        )
    pick = next(r for r in rows if abs(r[2][share] - RECORDED_FORCES_SHARE) <= 0.03)
    print("\nchosen:", {k: float(f"{v:.3g}") for k, v in pick[1].items()})


if __name__ == "__main__":
    main()
