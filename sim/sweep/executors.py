"""Executors: where sweep runs execute, all behind ``concurrent.futures.Executor``.

* ``serial``: in this process, one run after the other (debugging, tiny sweeps).
* ``process``: a :class:`~concurrent.futures.ProcessPoolExecutor` over the local cores
  (the default). When a worker process dies, the pool breaks and fails every pending
  future with ``BrokenProcessPool``; the runner then asks :func:`create_executor` for a
  fresh pool and resubmits the unfinished runs (see :mod:`sim.sweep.runner`).
* ``dask``: ``dask.distributed``: a ``LocalCluster`` by default, or an existing cluster
  given by its scheduler address; runs go through ``client.get_executor()``.

Results never depend on the executor: every run carries its own seed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.scenario import ScenarioError

EXECUTORS = ("serial", "process", "dask")

#: Exceptions meaning "the pool is gone": recreate the executor and resubmit.
BROKEN: tuple[type[BaseException], ...] = (BrokenProcessPool,)


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process; returns a finished future."""

    slots = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Call ``fn`` now; its result or exception goes into the returned future."""
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - delivered through the future
            fut.set_exception(err)
        return fut


class DaskExecutor(Executor):
    """A ``dask.distributed`` client's executor that also owns (and closes) the client.

    Args:
        workers: worker processes of a new LocalCluster (ignored with ``scheduler``).
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            LocalCluster on this machine.
    """

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - depends on the install
            raise ScenarioError(
                "<command line>",
                "--executor",
                "dask is not installed; pip install 'mali-ssr-sim[dask]' or use process",
            ) from err
        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="10s")
            except OSError as err:
                raise ScenarioError(
                    "<command line>", "--scheduler", f"cannot reach {scheduler!r}: {err}"
                ) from err
        else:
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        self._inner = self._client.get_executor(pure=False)
        self.slots = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit to the Dask cluster; returns a ``concurrent.futures.Future``."""
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Close the executor, the client and any LocalCluster this executor started."""
        self._inner.shutdown(wait=wait and not cancel_futures)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _process_pool(workers: int | None) -> ProcessPoolExecutor:
    n = workers or os.cpu_count() or 1
    # forkserver: no fork of a threaded coordinator (tqdm, pyarrow threads); the model
    # is imported once in the server and inherited by every worker.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.sweep.worker"])
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
    pool.slots = n  # type: ignore[attr-defined]
    return pool


def create_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """A new executor of the given kind, with a ``slots`` attribute (parallel capacity).

    Raises:
        ScenarioError: unknown kind, or ``scheduler`` given for a non-Dask executor.
    """
    if kind not in EXECUTORS:
        raise ScenarioError(
            "<command line>", "--executor", f"unknown executor {kind!r}; allowed: {EXECUTORS}"
        )
    if scheduler and kind != "dask":
        raise ScenarioError("<command line>", "--scheduler", "only applies with --executor dask")
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":
        return _process_pool(workers)
    return DaskExecutor(workers, scheduler)


__all__ = ["BROKEN", "EXECUTORS", "DaskExecutor", "SerialExecutor", "create_executor"]
