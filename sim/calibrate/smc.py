"""ABC-SMC over the calibration file's priors with pyabc, one generation at a time.

Why approximate Bayesian computation and not history matching: the model is a stochastic
simulator whose likelihood has no closed form, a run of the calibration window costs
under a second, and the record gives a dozen summary figures. ABC-SMC (Del Moral, Doucet
& Jasra 2012; Toni et al. 2009; pyabc, Schälte et al. 2022) then samples the posterior
directly, with no emulator whose own error would have to be validated, and its sqlite
history makes a killed run resumable. History matching would need fewer runs for many
more parameters, which this model does not have.

The settings: uniform priors (:class:`~sim.calibrate.config.Prior`); distance
``AdaptivePNormDistance(p=2)`` (Prangle 2017: each statistic weighted by the inverse of
its spread in the previous generation, counts on a log scale); the quantile epsilon
schedule (median of the previous generation's distances); a fixed population size.

Reproducibility. Every simulation's model seed is a hash of the calibration seed and its
parameter values (:func:`sim.calibrate.stats.run_seed`). Each generation starts from the
history database (``ABCSMC.load``) with numpy's and Python's global generators (pyabc's
sources of randomness) seeded from ``(seed, generation)``, so an uninterrupted run and a
run killed and resumed take the same path. With one worker the sampler runs in this
process and the posterior is a function of the file and its seed; with more workers
(``ConcurrentFutureSampler`` on the project's executors) pyabc reseeds its workers from
the operating system and the posterior is a sample of the same distribution, not the
same sample.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibrate.config import Calibration, Statistic
from sim.calibrate.stats import measure, run_seed, to_distance_space, truncated
from sim.scenario import Scenario, simulate

DB_NAME = "history.db"
FAILED = 1e3
"""Every statistic of a run that failed: far from any record (logs are below 12, shares
below 1), so the particle is rejected."""


def key_of(name: str) -> str:
    """The pyabc key of a dotted parameter (``violence.op_rate`` -> ``violence__op_rate``)."""
    return name.replace(".", "__")


def name_of(key: str) -> str:
    """The dotted parameter name of a pyabc key."""
    return key.replace("__", ".")


class Simulator:
    """The model as pyabc sees it: parameters in, summary statistics out (picklable)."""

    def __init__(self, scenario: Scenario, stats: Sequence[Statistic], seed: int, last: str):
        self.scenario = truncated(scenario, last)
        self.stats = tuple(stats)
        self.seed = int(seed)
        self.last = last

    def __call__(self, par: Mapping[str, float]) -> dict[str, float]:
        """Run the window once with these parameter values; return its statistics."""
        values = {name_of(k): float(v) for k, v in par.items()}
        params = {**self.scenario.parameters, **values}
        sc = dataclasses.replace(self.scenario, parameters=params)
        try:
            ts, regions = simulate(sc, run_seed(self.seed, values))
        except (ValueError, FloatingPointError, ZeroDivisionError):
            # a parameter set at which the model breaks down (e.g. a region emptied):
            # statistics far from any record, so pyabc rejects it
            return {s.name: FAILED for s in self.stats}
        if len(ts) and str(ts["date"].iloc[-1]) > self.last:  # pragma: no cover - guard
            raise RuntimeError(f"a calibration run went past its window's end {self.last}")
        return to_distance_space(self.stats, measure(self.stats, ts, regions))


def observed(cal: Calibration) -> dict[str, float]:
    """The record's statistics, in the distance's space."""
    return to_distance_space(cal.statistics, {s.name: s.observed for s in cal.statistics})


def _quiet_pyabc() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pyabc
        except ImportError as err:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "ssr calibrate needs pyabc: pip install 'mali-ssr-sim[calibrate]' "
                "(make setup installs it)"
            ) from err
    for name in ("ABC", "pyabc", "Sampler", "History", "Epsilon", "Distance", "Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("ABC", "pyabc")):
            logging.getLogger(name).setLevel(logging.WARNING)
    return pyabc


def _abc(cal: Calibration, sampler: Any) -> Any:
    pyabc = _quiet_pyabc()
    prior = pyabc.Distribution(
        **{key_of(p.name): pyabc.RV("uniform", p.lo, p.hi - p.lo) for p in cal.priors}
    )
    sim = Simulator(cal.scenario, cal.statistics, cal.meta.seed, cal.window[1])
    return pyabc.ABCSMC(
        sim,
        prior,
        pyabc.distance.AdaptivePNormDistance(p=2),
        population_size=cal.meta.population,
        sampler=sampler,
        transitions=pyabc.MultivariateNormalTransition(scaling=cal.meta.proposal_scaling),
        eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
    )


def db_url(out: Path) -> str:
    """The SQLAlchemy address of a run folder's history database."""
    return "sqlite:///" + str((out / DB_NAME).resolve())


def _seed_generation(seed: int, t: int) -> None:
    state = np.random.SeedSequence([int(seed), int(t) + 1]).generate_state(2)
    np.random.seed(int(state[0]))
    random.seed(int(state[1]))


def _query(out: Path, sql: str) -> list[tuple]:
    """Rows of a query on the history database; none while pyabc has not created its tables."""
    import sqlite3

    if not (out / DB_NAME).is_file():
        return []
    with sqlite3.connect(out / DB_NAME) as con:
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError as err:
            if "no such table" in str(err):
                return []
            raise


def has_run(out: Path) -> bool:
    """Whether the history database holds a started calibration (``ABCSMC.new`` finished)."""
    return bool(_query(out, "SELECT id FROM abc_smc"))


def generations(out: Path) -> list[dict[str, float]]:
    """The finished generations in a run folder: t, epsilon, particles, samples."""
    rows = _query(
        out,
        "SELECT t, epsilon, nr_samples, "
        "(SELECT COUNT(*) FROM models m JOIN particles p ON p.model_id = m.id "
        "WHERE m.population_id = populations.id) "
        "FROM populations WHERE t >= 0 ORDER BY t",
    )
    return [{"t": r[0], "epsilon": r[1], "samples": r[2], "particles": r[3]} for r in rows]


def finished(cal: Calibration, gens: list[dict[str, float]]) -> bool:
    """Whether the stop rule is met: generations, minimum epsilon or acceptance rate."""
    if not gens:
        return False
    last = gens[-1]
    rate = last["particles"] / max(last["samples"], 1)
    return (
        len(gens) >= cal.meta.generations
        or last["epsilon"] <= cal.meta.min_epsilon
        or rate < cal.meta.min_acceptance_rate
    )


def run_smc(
    cal: Calibration,
    out: Path,
    sampler: Any,
    log: Callable[[str], None] = print,
) -> list[dict[str, float]]:
    """Run (or continue) the calibration in ``out`` until its stop rule; the generations."""
    url = db_url(out)
    while not finished(cal, gens := generations(out)):
        abc = _abc(cal, sampler)
        if has_run(out):
            abc.load(url, 1)
        else:  # a kill during ``new`` leaves at most an empty database: start afresh
            (out / DB_NAME).unlink(missing_ok=True)
            _seed_generation(cal.meta.seed, -1)
            abc.new(url, observed(cal))
        t = len(gens)
        _seed_generation(cal.meta.seed, t)
        abc.run(max_nr_populations=1, minimum_epsilon=cal.meta.min_epsilon)
        g = generations(out)
        if len(g) <= t:  # pyabc stopped without a new generation (e.g. epsilon reached)
            break
        g = g[-1]
        log(
            f"generation {t + 1}/{cal.meta.generations}: epsilon {g['epsilon']:.4g}, "
            f"{int(g['samples'])} simulations, acceptance {g['particles'] / g['samples']:.1%}"
        )
    return generations(out)


def posterior_table(out: Path) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The last generation's particles (dotted name -> values) and normalised weights."""
    pyabc = _quiet_pyabc()
    history = pyabc.History(db_url(out), _id=1)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    order = np.argsort(frame.index.to_numpy(), kind="stable")
    frame = frame.iloc[order]
    weights = np.asarray(weights, dtype=float)[order]
    columns = {name_of(str(k)): frame[k].to_numpy(dtype=float) for k in sorted(frame.columns)}
    return columns, weights / weights.sum()


__all__ = [
    "DB_NAME",
    "Simulator",
    "db_url",
    "finished",
    "generations",
    "key_of",
    "name_of",
    "observed",
    "posterior_table",
    "run_smc",
]
