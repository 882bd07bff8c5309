"""Agent-based simulation of security sector reform (SSR) in Mali."""

__all__ = ["Params", "SSRModel", "load_scenario", "run_scenario"]


def __getattr__(name: str):
    """Load the model and the scenario layer lazily, so `ssr check` need not import Mesa."""
    if name == "SSRModel":
        from sim.model import SSRModel

        return SSRModel
    if name == "Params":
        from sim.params import Params

        return Params
    if name in ("load_scenario", "run_scenario"):
        from sim import scenario

        return getattr(scenario, name)
    raise AttributeError(name)
