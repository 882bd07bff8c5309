"""Executors: where runs execute (``ssr run`` and ``ssr sweep``), one factory for all.

* ``serial``: in this process, one run after the other (debugging, tiny jobs).
* ``process``: a :class:`~concurrent.futures.ProcessPoolExecutor` over the local cores.
  Workers come from a forkserver that has imported the model once; each worker dies
  with its coordinator (:mod:`sim.lifeline`). When a worker process dies, the pool
  breaks and fails every pending future with ``BrokenProcessPool``; the sweep runner
  then asks :func:`recreate` for a fresh pool and resubmits the unfinished runs.
* ``dask``: ``dask.distributed``: a ``LocalCluster`` by default, or an existing cluster
  given by its scheduler address; runs go through ``client.get_executor()``.

Every executor has a ``slots`` attribute (its parallel capacity). Results never depend
on the executor: every run carries its own seed. The command-line options that pick an
executor (``--executor``, ``--workers``, ``--scheduler``) are checked here, once, before
anything runs or is written.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import socket
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.choices import EXECUTORS
from sim.errors import InputError, unknown
from sim.lifeline import worker_init

CLI = "<command line>"

#: Exceptions meaning "the pool is gone": recreate the executor and resubmit.
BROKEN: tuple[type[BaseException], ...] = (BrokenProcessPool,)

#: Modules the forkserver imports once, so that each worker starts without importing them.
PRELOAD = ["sim.model", "sim.sweep.worker"]

_SCHEDULER = re.compile(
    r"^(tcp|tls|ucx|inproc)://(?P<host>\[[0-9a-fA-F:]+\]|[^:/\s]+):(?P<port>\d+)$"
)


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int | None, *, force: bool = False) -> int:
    """The worker count to use: ``workers`` or every core, capped at the cores unless forced.

    Raises:
        InputError: more workers than cores without ``force``.
    """
    n = cores()
    if workers is None:
        return n
    if workers > n and not force:
        raise InputError(
            CLI,
            "--workers",
            f"{workers} workers on a machine with {n} cores would only slow the runs down; "
            f"use at most {n}, or add --force",
        )
    return workers


def check_executor(kind: str, scheduler: str | None) -> None:
    """Refuse a bad ``--executor`` or ``--scheduler`` before anything runs.

    A scheduler is refused when given without Dask, malformed, or unreachable.

    Raises:
        InputError: with key ``--executor`` or ``--scheduler``.
    """
    if kind not in EXECUTORS:
        raise InputError(CLI, "--executor", unknown(kind, EXECUTORS, "executor"))
    if scheduler is None:
        return
    if kind != "dask":
        raise InputError(CLI, "--scheduler", "only applies with --executor dask")
    match = _SCHEDULER.match(scheduler)
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise InputError(
            CLI,
            "--scheduler",
            f"{scheduler!r} is not a scheduler address; expected tcp://HOST:PORT "
            "(e.g. tcp://127.0.0.1:8786)",
        )
    if match[1] == "tcp":
        _reachable(scheduler, match["host"].strip("[]"), int(match["port"]))


def _reachable(address: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=5):
            return
    except OSError as err:
        raise InputError(
            CLI, "--scheduler", f"cannot reach the Dask scheduler at {address}: {err}"
        ) from err


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process; returns a finished future."""

    slots = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Call ``fn`` now; its result or exception goes into the returned future."""
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 - delivered through the future
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
            raise InputError(
                CLI, "--executor", "dask is not installed; pip install 'mali-ssr-sim[dask]'"
            ) from err
        _quiet_dask_logs()
        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="10s")
            except OSError as err:
                raise InputError(CLI, "--scheduler", f"cannot reach {scheduler!r}: {err}") from err
        else:
            self._cluster = LocalCluster(
                n_workers=workers or cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
            self._client = Client(self._cluster)
        self._inner = self._client.get_executor(pure=False)
        self.slots = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit to the Dask cluster; returns a ``concurrent.futures.Future``."""
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Close the executor, the client and any LocalCluster this executor started."""
        for close in (
            lambda: self._inner.shutdown(wait=wait and not cancel_futures),
            self._client.close,
            self._cluster.close if self._cluster is not None else None,
        ):
            if close is None:
                continue
            try:
                close()
            except Exception:  # noqa: BLE001 - a dead scheduler must not hide the real error
                logging.getLogger(__name__).debug("dask shutdown", exc_info=True)


def _quiet_dask_logs() -> None:
    """Dask logs a traceback per lost connection; the runner reports one clear line."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    for name in ["distributed", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def process_pool(workers: int | None) -> ProcessPoolExecutor:
    """A process pool of ``workers`` (default: every core) that die with this process."""
    n = workers or cores()
    # forkserver: no fork of a threaded coordinator (tqdm, pyarrow threads); the model
    # is imported once in the server and inherited by every worker.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    pool = ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
    )
    pool.slots = n  # type: ignore[attr-defined]
    return pool


def create_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """A new executor of the given kind, with a ``slots`` attribute (parallel capacity).

    Raises:
        InputError: unknown kind, or ``scheduler`` given for a non-Dask executor.
    """
    if kind not in EXECUTORS or (scheduler and kind != "dask"):
        check_executor(kind, scheduler)
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":
        return process_pool(workers)
    return DaskExecutor(workers, scheduler)


def recreate(pool: Executor) -> Executor:
    """A fresh executor of the same kind and size as a broken one."""
    if isinstance(pool, ProcessPoolExecutor):
        return process_pool(int(getattr(pool, "slots", 1)))
    raise RuntimeError(f"cannot recreate executor {type(pool).__name__}")


def stop(pool: Executor) -> None:
    """Shut an executor down now: cancel what is queued and end running workers."""
    processes = getattr(pool, "_processes", None) or {}
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in list(processes.values()):  # a process pool's workers: don't wait for them
        if proc.is_alive():
            proc.terminate()


__all__ = [
    "BROKEN",
    "EXECUTORS",
    "DaskExecutor",
    "SerialExecutor",
    "check_executor",
    "cores",
    "create_executor",
    "process_pool",
    "recreate",
    "resolve_workers",
    "stop",
]
