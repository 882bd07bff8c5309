"""Poisson and binomial draws from the model's generator without NumPy's per-call checks.

The mechanisms draw Poisson and binomial counts over small arrays (one entry per region
or group) about thirty times a month. ``numpy.random.Generator.poisson`` and
``binomial`` spend 3-5 µs of each such call checking and broadcasting their arguments,
more than the draws themselves. :func:`poisson` and :func:`binomial` draw the same
numbers from the same generator: a compiled loop (:func:`sim.kernels.poisson_array`,
:func:`sim.kernels.binomial_array`) calls numba's port of NumPy's own algorithms
(``random_poisson``, ``random_binomial``) on the generator's bit generator, element by
element in C order as NumPy does, so every value drawn and the generator's state
afterwards are identical to NumPy's (``tests/test_draws.py`` checks both).

Arguments outside what those loops take (scalars, other containers, broadcasting
between different shapes, non-integer ``n``) go to NumPy unchanged; invalid values
(negative or NaN means, ``p`` outside [0, 1], negative ``n``) go to NumPy too, which
raises its own ``ValueError``. numba loads on the first draw, not on import.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

_kernels: ModuleType | None = None


def _k() -> ModuleType:
    """:mod:`sim.kernels`, imported on first use (it loads numba)."""
    global _kernels
    if _kernels is None:
        from sim import kernels

        _kernels = kernels
    return _kernels


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)``: the same draws and generator state, cheaper for arrays."""
    if type(lam) is not np.ndarray or lam.ndim == 0:
        return rng.poisson(lam)
    k = _kernels or _k()
    flat = lam.ravel() if lam.dtype == np.float64 else lam.astype(np.float64).ravel()
    out = k.poisson_array(k.handle(rng), flat)
    if out.shape[0] and out[0] < 0:
        return rng.poisson(lam)  # an invalid mean: NumPy raises its own error
    return out.reshape(lam.shape)


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """``rng.binomial(n, p)``: the same draws and generator state, cheaper for arrays.

    The compiled path takes a signed integer array ``n`` and ``p`` of the same shape or
    a scalar; anything else goes to NumPy.
    """
    if type(n) is not np.ndarray or n.ndim == 0 or n.dtype.kind != "i":
        return rng.binomial(n, p)
    if type(p) is np.ndarray:
        if p.shape != n.shape:
            return rng.binomial(n, p)
        pf = p.ravel() if p.dtype == np.float64 else p.astype(np.float64).ravel()
    else:
        pf = np.array([p], dtype=np.float64)
    k = _kernels or _k()
    nf = n.ravel() if n.dtype == np.int64 else n.astype(np.int64).ravel()
    out = k.binomial_array(k.handle(rng), nf, pf)
    if out.shape[0] and out[0] < 0:
        return rng.binomial(n, p)  # an invalid n or p: NumPy raises its own error
    return out.reshape(n.shape)


__all__ = ["binomial", "poisson"]
