"""Agent-based simulation of security sector reform (SSR) in Mali."""

from sim.model import SSRModel
from sim.params import Params

__all__ = ["Params", "SSRModel", "load_scenario", "run_scenario"]


def __getattr__(name: str):
    """Load the scenario layer lazily (it pulls in pandas I/O and plotting)."""
    if name in ("load_scenario", "run_scenario"):
        from sim import scenario

        return getattr(scenario, name)
    raise AttributeError(name)
