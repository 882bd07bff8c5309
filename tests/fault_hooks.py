"""Fault injection for the sweep tests: make chosen runs fail, crash their worker or slow down.

Nothing here is part of the package. Importing this module wraps
``sim.sweep.worker.run_one`` with hooks read from the environment (they do nothing
unless set):

* ``SSR_SWEEP_FAIL_RUNS="3,7"``: those runs raise an error (recorded as failures).
* ``SSR_SWEEP_CRASH_RUNS="5"``: the worker process running that run exits abruptly
  (``os._exit``), as if killed. With ``SSR_SWEEP_CRASH_DIR`` set, only on the first
  attempt (a marker file is left there); without it, on every attempt.
* ``SSR_SWEEP_DELAY_S="0.05"``: sleep this long before each run (makes a sweep slow
  enough to be interrupted part-way).
* ``SSR_UI_FAIL_INCENTIVE="0.93"``: a model whose ``ddr.incentive`` is that value raises
  from its second month on (an error inside one workshop participant's model, as
  ``python tests/ssr_faults.py ui`` serves it; other models are untouched).

In-process tests import it (serial executor); command-line tests run
``tests/ssr_faults.py`` instead of ``python -m sim``, which also asks the process pool's
forkserver to import it, so every worker carries the hooks.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import sim.sweep.worker as worker
from sim.model import SSRModel

_original = getattr(worker.run_one, "__wrapped__", worker.run_one)


def _ids(var: str) -> set[int]:
    text = os.environ.get(var, "")
    return {int(t) for t in text.replace(" ", "").split(",") if t}


def inject(run_id: int) -> None:
    """Apply the hooks set in the environment to one run."""
    delay = os.environ.get("SSR_SWEEP_DELAY_S")
    if delay:
        time.sleep(float(delay))
    if run_id in _ids("SSR_SWEEP_CRASH_RUNS"):
        marker_dir = os.environ.get("SSR_SWEEP_CRASH_DIR")
        if marker_dir is None:
            os._exit(70)
        marker = Path(marker_dir) / f"crashed-{run_id}"
        if not marker.exists():
            marker.touch()
            os._exit(70)
    if run_id in _ids("SSR_SWEEP_FAIL_RUNS"):
        raise RuntimeError(f"injected failure in run {run_id} (test hook SSR_SWEEP_FAIL_RUNS)")


def run_one_with_faults(spec: Any, scenario: Any, outputs: Any) -> tuple[dict, Any]:
    """``run_one`` after the injected faults."""
    inject(spec.run_id)
    return _original(spec, scenario, outputs)


run_one_with_faults.__wrapped__ = _original  # type: ignore[attr-defined]
worker.run_one = run_one_with_faults


_model_step = getattr(SSRModel.step, "__wrapped__", SSRModel.step)


def _fails(model: SSRModel) -> bool:
    """True for a model whose ``ddr.incentive`` is the one named by SSR_UI_FAIL_INCENTIVE."""
    chosen = os.environ.get("SSR_UI_FAIL_INCENTIVE")
    return bool(chosen) and abs(model.p.ddr.incentive - float(chosen)) < 1e-9


def _step_with_faults(self: SSRModel) -> None:
    if self.steps >= 2 and _fails(self):  # Mesa counts the month before running it
        raise RuntimeError("injected failure in this model (SSR_UI_FAIL_INCENTIVE)")
    _model_step(self)


_step_with_faults.__wrapped__ = _model_step  # type: ignore[attr-defined]
SSRModel.step = _step_with_faults  # type: ignore[method-assign]
