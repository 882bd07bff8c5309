"""The model as an EMA Workbench model (``ema_workbench`` 2.5.3, the ``policy`` extra).

:func:`ema_model` returns an ``ema_workbench.Model`` whose

* uncertainties are parameters of the schema (their bounds from :func:`sim.params.spec`)
  or, when a posterior is given, its calibrated parameters over the range of its members;
* levers are the national amounts of the lever registry (:data:`sim.policy.levers.LEVERS`,
  their bounds);
* outcomes are indicators of the registry (:data:`sim.indicators.BY_NAME`), each the mean
  of the last ``months`` months, to minimise or maximise by its ``good_when``.

Every experiment runs with one seed (a constant, ``seed``): common random numbers across
EMA's experiments, so differences come from the inputs. A researcher can then use EMA's
own samplers, optimisation (``MultiobjectiveEvaluator``) and analysis; ``docs/policy.md``
has a worked example. EMA 2.5's samplers draw from NumPy's global generator:
:func:`seeded_sampling` fixes it for a block (and restores it after), so the same seed
gives the same designs and so the same results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sim.indicators import BY_NAME
from sim.policy.levers import LEVERS, PolicySpec, Setting
from sim.posterior import Posterior
from sim.scenario import Scenario, simulate

DEFAULT_UNCERTAINTIES = (
    "armed.commitment_after_termination",
    "armed.defection_share",
    "violence.harm_per_attack",
    "recruitment.recruit_rate",
)
DEFAULT_OUTCOMES = ("civilian_harm", "incidents", "trust", "state_control")


def run_once(
    base: Scenario, outcomes: tuple[str, ...], months: int, seed: int, **inputs: Any
) -> dict[str, float]:
    """One experiment: parameters and lever amounts in, outcome means out."""
    levers = {k: float(v) for k, v in inputs.items() if k in LEVERS}
    params = {k: v for k, v in inputs.items() if k not in LEVERS}
    settings = tuple(Setting(k, v) for k, v in levers.items() if v != 0)
    raw = {k: v for k, v in levers.items() if v != 0}
    if base.policy is not None:  # the base scenario's own policy, then these levers
        settings = base.policy.settings + settings
        raw = {**base.policy.raw, **raw}
    start = base.policy.start if base.policy is not None else None
    sc = dataclasses.replace(
        base,
        parameters={**base.parameters, **params},
        policy=PolicySpec(settings, start, 0.0, raw) if settings else base.policy,
    )
    ts, _ = simulate(sc, seed)
    return {o: float(ts[o].to_numpy()[-months:].mean()) for o in outcomes}


def ema_model(
    base: Scenario,
    *,
    uncertainties: tuple[str, ...] = DEFAULT_UNCERTAINTIES,
    posterior: Posterior | None = None,
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES,
    levers: tuple[str, ...] | None = None,
    months: int = 12,
    seed: int = 0,
) -> Any:
    """The scenario ``base`` as an ``ema_workbench.Model`` (see the module docstring)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional evaluators it cannot find
        from ema_workbench import Constant, Model, RealParameter, ScalarOutcome

    from sim.params import spec

    def function(**kwargs: Any) -> dict[str, float]:
        return run_once(base, outcomes, months, **kwargs)

    model = Model("ssr", function=function)
    if posterior is not None:
        ranges = {
            n: (min(m[n] for m in posterior.members), max(m[n] for m in posterior.members))
            for n in posterior.names
        }
    else:
        ranges = {n: (spec(n).lo, spec(n).hi) for n in uncertainties}
    model.uncertainties = [RealParameter(n, float(lo), float(hi)) for n, (lo, hi) in ranges.items()]
    chosen = levers if levers is not None else tuple(LEVERS)
    model.levers = [RealParameter(n, float(LEVERS[n].lo), float(LEVERS[n].hi)) for n in chosen]
    model.outcomes = [
        ScalarOutcome(
            o,
            kind=ScalarOutcome.MAXIMIZE
            if BY_NAME[o].good_when == "high"
            else ScalarOutcome.MINIMIZE,
        )
        for o in outcomes
    ]
    model.constants = [Constant("seed", seed)]
    return model


@contextmanager
def seeded_sampling(seed: int) -> Iterator[None]:
    """Seed NumPy's global generator, which EMA's samplers use, for the block only."""
    import numpy as np

    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


__all__ = [
    "DEFAULT_OUTCOMES",
    "DEFAULT_UNCERTAINTIES",
    "ema_model",
    "run_once",
    "seeded_sampling",
]
