"""The compiled people-ledger kernels (sim.kernels): exact counts, right proportions, seeded.

Each kernel moves whole persons: what leaves a row is never more than it holds, the
totals are exact, a seed fixes the draw, and over many draws the rows' shares match the
distribution the docstring promises (a check that fails when rows are favoured).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from sim import kernels


def test_given_a_region_when_taking_people_then_counts_are_whole_and_capped():
    people = np.array([5.0, 0.0, 3.0, 2.0, 7.0])
    bounds = np.array([0, 3, 5])
    taken = kernels.take_rows(people, bounds, np.array([4, 50], dtype=np.int64), 11)
    assert taken.tolist() == [4, 9]  # the second region had only 9 persons
    assert people[:3].sum() == 4.0 and people[3:].sum() == 0.0
    assert (people >= 0).all() and people[1] == 0.0


def test_given_the_same_seed_when_taking_twice_then_the_draws_are_identical():
    a = np.full(40, 10.0)
    b = a.copy()
    bounds = np.array([0, 40])
    kernels.take_rows(a, bounds, np.array([100], dtype=np.int64), 123)
    kernels.take_rows(b, bounds, np.array([100], dtype=np.int64), 123)
    assert np.array_equal(a, b)
    c = np.full(40, 10.0)
    kernels.take_rows(c, bounds, np.array([100], dtype=np.int64), 124)
    assert not np.array_equal(a, c)


def test_given_rows_of_different_sizes_when_taking_many_times_then_shares_follow_people():
    # rows of 10, 30 and 60 persons: without replacement, 20 taken -> means 2, 6, 12
    bounds = np.array([0, 3])
    total = np.zeros(3)
    draws = 2000
    for seed in range(draws):
        people = np.array([10.0, 30.0, 60.0])
        kernels.take_rows(people, bounds, np.array([20], dtype=np.int64), seed)
        total += np.array([10.0, 30.0, 60.0]) - people
    assert total / draws == pytest.approx([2.0, 6.0, 12.0], abs=0.15)


def test_given_returning_people_when_adding_then_all_arrive_in_proportion_to_weights():
    bounds = np.array([0, 3])
    total = np.zeros(3)
    draws = 2000
    for seed in range(draws):
        people = np.array([0.0, 1.0, 8.0])  # weights max(people, 1) = 1, 1, 8
        kernels.add_rows(people, bounds, np.array([10], dtype=np.int64), seed)
        assert people.sum() == 19.0
        total += people - np.array([0.0, 1.0, 8.0])
    assert total / draws == pytest.approx([1.0, 1.0, 8.0], abs=0.15)


def test_given_units_with_integrated_when_removing_then_integrated_leave_in_proportion():
    units = np.array([0, 2])
    out_integrated = 0.0
    draws = 2000
    for seed in range(draws):
        size = np.array([100.0, 7.0, 100.0])
        integrated = np.array([50.0, 0.0, 0.0])
        k = kernels.take_units(size, integrated, units, 40, seed)
        assert k == 40 and size.sum() == 207.0 - 40 and size[1] == 7.0
        assert (integrated <= size).all() and (integrated >= 0).all()
        out_integrated += 50.0 - integrated.sum()
    # 50 of the 200 persons are integrated: a quarter of the 40 removed, 10
    assert out_integrated / draws == pytest.approx(10.0, abs=0.3)


def test_given_more_wanted_than_personnel_when_removing_then_everyone_leaves():
    size = np.array([3.0, 4.0])
    integrated = np.array([1.0, 4.0])
    assert kernels.take_units(size, integrated, np.array([0, 1]), 99, 5) == 7
    assert size.tolist() == [0.0, 0.0] and integrated.tolist() == [0.0, 0.0]


def test_given_regions_of_units_when_removing_by_region_then_each_region_loses_its_own():
    # units 0-1 in region 0, unit 2 in region 1, no units in region 2
    bounds = np.array([0, 2, 3, 3])
    size = np.array([10.0, 10.0, 5.0])
    integrated = np.array([10.0, 0.0, 5.0])
    wanted = np.array([4, 9, 3], dtype=np.int64)
    removed, removed_integrated = kernels.take_units_by_region(size, integrated, bounds, wanted, 3)
    assert removed.tolist() == [4, 5, 0]  # region 1 had 5, region 2 none
    assert size.tolist()[2] == 0.0 and size[:2].sum() == 16.0
    assert removed_integrated[1] == 5 and 0 <= removed_integrated[0] <= 4
    assert integrated[0] == 10.0 - removed_integrated[0]


def test_given_arrivals_when_adding_to_units_then_they_spread_evenly_within_the_region():
    bounds = np.array([0, 2, 3])
    total = np.zeros(3)
    draws = 1000
    for seed in range(draws):
        size = np.zeros(3)
        kernels.add_units(size, bounds, np.array([10, 4], dtype=np.int64), seed)
        assert size[:2].sum() == 10.0 and size[2] == 4.0
        total += size
    assert total[:2] / draws == pytest.approx([5.0, 5.0], abs=0.2)


@njit
def _reference_draw(counts, k, out, seed):  # noqa: ANN001, ANN202
    """The textbook draw (a Fenwick tree searched with branches), for the comparison."""
    np.random.seed(seed)
    m = counts.shape[0]
    tree = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        tree[i + 1] += counts[i]
        j = i + 1 + ((i + 1) & -(i + 1))
        if j <= m:
            tree[j] += tree[i + 1]
    total = counts.sum()
    top = 1
    while top * 2 <= m:
        top *= 2
    for _ in range(k):
        u = np.random.randint(0, total)
        pos, step = 0, top
        while step > 0:
            if pos + step <= m and tree[pos + step] <= u:
                pos += step
                u -= tree[pos]
            step //= 2
        out[pos] += 1
        j = pos + 1
        while j <= m:
            tree[j] -= 1
            j += j & -j
        total -= 1


@njit
def _kernel_draw(counts, k, out, seed):  # noqa: ANN001, ANN202
    np.random.seed(seed)
    kernels._draw_without_replacement(counts, k, out)


def test_given_any_rows_when_drawing_without_replacement_then_rows_match_the_textbook_draw():
    rs = np.random.default_rng(0)
    for trial in range(300):
        m = int(rs.integers(1, 400))
        counts = rs.integers(0, rs.choice([2, 10, 1000, 100000]), m)
        counts[rs.random(m) < 0.2] = 0
        k = int(rs.integers(0, min(counts.sum(), 3000) + 1))
        out = np.zeros(m, dtype=np.int64)
        expected = np.zeros(m, dtype=np.int64)
        _kernel_draw(counts, k, out, trial)
        _reference_draw(counts, k, expected, trial)
        assert np.array_equal(out, expected)
        assert out.sum() == k and (out <= counts).all()


@njit
def _reference_add(people, bounds, counts, seed):  # noqa: ANN001, ANN202
    """The textbook placement (a binary search per person), for the comparison."""
    np.random.seed(seed)
    for r in range(counts.shape[0]):
        lo, hi = bounds[r], bounds[r + 1]
        if counts[r] <= 0 or hi == lo:
            continue
        cum = np.cumsum(np.maximum(people[lo:hi], 1.0))
        added = np.zeros(hi - lo, dtype=np.int64)
        for _ in range(counts[r]):
            i = np.searchsorted(cum, np.random.random() * cum[-1], side="right")
            added[min(i, hi - lo - 1)] += 1
        people[lo:hi] += added


def test_given_any_weights_when_placing_people_then_rows_match_the_textbook_search():
    rs = np.random.default_rng(2)
    for trial in range(300):
        sizes = rs.integers(1, 300, int(rs.integers(1, 12)))
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        if trial % 3 == 0:  # heavy-tailed weights: most persons go to a few rows
            people = np.floor(rs.pareto(0.7, bounds[-1]) * 1000)
        else:
            people = rs.integers(0, rs.choice([2, 10, 1000, 100000]), bounds[-1]).astype(float)
        counts = rs.integers(0, 3000, len(sizes))
        expected = people.copy()
        kernels.add_rows(people, bounds, counts, trial)
        _reference_add(expected, bounds, counts, trial)
        assert np.array_equal(people, expected)
