"""The mark for checks the calibrated model fails (listed in :mod:`sim.validation.misses`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.validation.misses import BY_TEST


def expected_miss(func: Callable) -> Callable:
    """Mark a listed miss as a strict ``xfail``: once the check passes, the test fails.

    A test not listed in :data:`sim.validation.misses.MISSES` raises ``KeyError`` here.
    """
    miss = BY_TEST[f"tests/{Path(inspect.getfile(func)).name}::{func.__name__}"]
    reason = f"not reproduced by the calibrated model ({miss.window}): {miss.model}"
    return pytest.mark.xfail(strict=True, reason=reason)(func)
