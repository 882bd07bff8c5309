"""The choices of command-line options, in a module that imports nothing heavy.

The command line builds its parser from these names without loading matplotlib,
multiprocessing or the model, so ``ssr --help`` and ``ssr check`` answer quickly.
:mod:`sim.executors` creates the executors; :mod:`sim.plots` draws the plots and
:mod:`sim.report` shows exactly the plots drawn.
"""

from __future__ import annotations

EXECUTORS = ("serial", "process", "dask")
"""``ssr sweep --executor``: where runs execute (:mod:`sim.executors`)."""

PLOT_CHOICES: dict[str, str] = {
    "all": "every plot, the default: the report is complete",
    "summary": "violence, civilian harm, trust and the harm map",
    "none": "the fastest; the report points to the data",
}
"""``--plots`` value -> what it draws."""

DEFAULT_PLOTS = "all"
"""The report is complete by default."""

SUMMARY_PLOTS: tuple[str, ...] = (
    "incidents",
    "civilian_harm",
    "trust_corruption",
    "map_civilian_harm",
    "map_civilian_harm_difference",
)
"""File stems drawn with ``--plots summary`` (the difference map only with ``--compare``)."""


def plots_help() -> str:
    """Help text of ``--plots``."""
    return "; ".join(f"{name}: {what}" for name, what in PLOT_CHOICES.items())


__all__ = ["DEFAULT_PLOTS", "EXECUTORS", "PLOT_CHOICES", "SUMMARY_PLOTS", "plots_help"]
