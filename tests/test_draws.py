"""The cheaper Poisson and binomial draws (sim.draws) are NumPy's own draws.

Each check draws from two generators with the same seed, one through NumPy and one
through :mod:`sim.draws`, and asserts the values and the generators' states afterwards
are identical, over means and probabilities that reach every branch of NumPy's
algorithms (inversion and rejection, p above and below one half, zeros and ones).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import draws


def _pair(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng(seed), np.random.default_rng(seed)


def _same_state(a: np.random.Generator, b: np.random.Generator) -> bool:
    return a.bit_generator.state == b.bit_generator.state


def test_given_means_of_every_size_when_drawing_poisson_then_values_and_state_match_numpy():
    rs = np.random.default_rng(0)
    for trial in range(300):
        shape = (int(rs.integers(1, 4)), int(rs.integers(1, 13)))
        scale = rs.choice([0.0, 0.5, 3.0, 9.99, 10.0, 15.0, 200.0, 1e5, 1e9], shape)
        lam = scale * rs.random(shape)
        a, b = _pair(trial)
        expected = a.poisson(lam)
        got = draws.poisson(b, lam)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got, expected)
        assert _same_state(a, b)


def test_given_counts_and_probabilities_when_drawing_binomial_then_they_match_numpy():
    rs = np.random.default_rng(1)
    for trial in range(300):
        shape = (int(rs.integers(1, 4)), int(rs.integers(1, 13)))
        n = rs.integers(0, 10 ** int(rs.integers(1, 9)), shape)
        p = rs.random(shape) * rs.choice([1e-6, 1e-3, 0.01, 0.5, 1.0])
        p[rs.random(shape) < 0.15] = rs.choice([0.0, 0.5, 1.0])
        a, b = _pair(trial)
        assert np.array_equal(draws.binomial(b, n, p), a.binomial(n, p))
        shared = float(p.flat[0])
        assert np.array_equal(draws.binomial(b, n, shared), a.binomial(n, shared))
        assert _same_state(a, b)


def test_given_arguments_the_loop_does_not_take_when_drawing_then_numpy_draws_them():
    a, b = _pair(7)
    n = np.array([10, 20, 30])
    # broadcasting between shapes, a scalar count, float counts: NumPy's own path
    assert np.array_equal(
        draws.binomial(b, n[None, :], np.array([[0.1], [0.9]])),
        a.binomial(n[None, :], np.array([[0.1], [0.9]])),
    )
    assert draws.binomial(b, 5, 0.5) == a.binomial(5, 0.5)
    assert draws.poisson(b, 2.5) == a.poisson(2.5)
    assert _same_state(a, b)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: draws.poisson(g, np.array([1.0, -1.0])), "lam < 0"),
        (lambda g: draws.binomial(g, np.array([1, 2]), 1.5), "p > 1"),
        (lambda g: draws.binomial(g, np.array([1, 2]), np.array([0.5, np.nan])), "NaN"),
        (lambda g: draws.binomial(g, np.array([-1, 2]), 0.5), "n < 0"),
    ],
)
def test_given_invalid_arguments_when_drawing_then_numpy_error_is_raised(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.random.default_rng(0))


def test_given_many_generators_when_drawing_then_each_uses_its_own_state():
    # more generators than handles kept: an evicted generator's handle is rebuilt
    pairs = [_pair(s) for s in range(20)]
    for _ in range(2):
        for a, b in pairs:
            assert np.array_equal(draws.poisson(b, np.full(4, 3.0)), a.poisson(np.full(4, 3.0)))
    assert all(_same_state(a, b) for a, b in pairs)


def test_given_a_generator_when_drawing_kernel_seeds_then_they_are_numpys_integers():
    from sim import kernels

    for seed in range(50):
        a, b = _pair(seed)
        for _ in range(10):
            assert kernels.draw_seed(b) == int(a.integers(kernels.SEED_BOUND))
            assert b.random() == a.random()  # interleaved with other draws
        assert _same_state(a, b)
