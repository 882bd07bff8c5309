"""Compiled kernels for the people ledger's random moves and cheap draws (numba, cached).

The mechanisms move whole persons between stocks many times a month: take civilians out
of a region's communities, put them back, remove personnel from a region's units. Drawn
with numpy's ``Generator`` these are many small calls, each paying Python and argument
checks; here each move is one compiled loop.

Draws:

- :func:`take_rows` draws a multivariate hypergeometric sample (persons taken without
  replacement) in each region: ``k`` persons drawn one at a time, each uniformly among
  the persons left, found through a Fenwick (binary indexed) tree of the rows' counts.
  Cost O(m + k log m) for ``m`` rows, exact whatever ``k``.
- :func:`add_rows` draws a multinomial sample (persons placed with replacement) with
  weights ``max(people, 1)``: cumulative weights, then a binary search per person.
- :func:`take_units` (one region) and :func:`take_units_by_region` (all regions) remove
  persons from units at random, each unit split into its integrated ex-combatants and the
  rest (one stratum each), so integrated people leave in proportion, as a multivariate
  hypergeometric over the strata; :func:`add_units` places arrivals, each unit of the
  region equally likely.
- :func:`recruitment_pass` runs the per-community rules of
  :mod:`sim.mechanisms.recruitment` (grievance, stance, regional shares, Poisson
  volunteers) in one loop; :func:`take_volunteers` draws, without replacement, the
  accepted recruits among each region's volunteers.
- :func:`poisson_array` and :func:`binomial_array` draw from the model's own
  ``numpy.random.Generator`` (its bit generator's addresses, :func:`handle`) with numba's
  port of NumPy's algorithms: the same values as NumPy, without its per-call argument
  checks (:mod:`sim.draws` is their entry point).

Randomness: numba keeps its own Mersenne Twister per thread. Every kernel takes a
``seed`` drawn by the caller from the model's ``numpy.random.Generator``
(:func:`draw_seed`) and reseeds that twister first, so one model seed still fixes every
draw, whatever the executor or worker count.

Compilation: ``cache=True`` writes the machine code next to this module
(``__pycache__``, or numba's user cache folder when that one is read-only); a process
compiles once when no cache exists and otherwise loads the cache (:func:`warm` does
either for every kernel; costs measured in ``docs/PERFORMANCE.md``). The mechanisms import
this module inside their functions, so numba loads on the first month, not on import.
"""

from __future__ import annotations

import ctypes

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.random.generator_core import _bit_gen_type, next_uint32

SEED_BOUND = 2**32
"""Seeds of numba's Mersenne Twister lie in [0, 2**32)."""


def draw_seed(rng: np.random.Generator) -> int:
    """A seed for one kernel call, drawn from the model's generator.

    The same number, and the same generator state afterwards, as
    ``rng.integers(SEED_BOUND)`` (which, for this bound, is the bit generator's next
    32-bit output), without its per-call argument handling.
    """
    return int(_next_uint32(handle(rng)))


@njit(cache=True)
def _fenwick(counts: np.ndarray, size: int) -> np.ndarray:
    """Fenwick tree (1-based, length ``size + 1``) of counts padded with zeros to ``size``."""
    m = counts.shape[0]
    tree = np.zeros(size + 1, dtype=np.int64)
    for i in range(size):
        if i < m:
            tree[i + 1] += counts[i]
        j = i + 1 + ((i + 1) & -(i + 1))
        if j <= size:
            tree[j] += tree[i + 1]
    return tree


@njit(cache=True)
def _draw_without_replacement(counts: np.ndarray, k: int, out: np.ndarray) -> None:
    """Add to ``out`` a multivariate hypergeometric draw of ``k`` from ``counts``.

    Each person: ``u`` uniform among the persons left, then the row holding the u-th
    person, found by descending a Fenwick tree padded to a power of two, without
    branches (the tree's nodes on the way down that hold the person lose one).
    """
    m = counts.shape[0]
    size = 1
    while size < m:
        size *= 2
    tree = _fenwick(counts, size)
    total = 0
    for i in range(m):
        total += counts[i]
    for _ in range(k):
        u = np.random.randint(0, total)  # the u-th person left (0-based)
        pos = 0
        step = size // 2
        while step > 0:
            nxt = pos + step
            t = tree[nxt]
            right = t <= u
            pos = nxt if right else pos
            u = u - t if right else u
            tree[nxt] -= 0 if right else 1
            step //= 2
        # row ``pos`` (0-based) holds the person
        out[pos] += 1
        total -= 1


@njit(cache=True)
def take_rows(people: np.ndarray, bounds: np.ndarray, wanted: np.ndarray, seed: int) -> np.ndarray:
    """Take ``wanted[r]`` whole persons out of rows ``bounds[r]:bounds[r+1]`` of ``people``.

    Persons are drawn without replacement (each person of the region equally likely);
    ``people`` (floats holding whole numbers) is decreased in place. Returns the persons
    taken per region (``wanted`` capped by the region's persons).
    """
    np.random.seed(seed)
    n = wanted.shape[0]
    taken = np.zeros(n, dtype=np.int64)
    for r in range(n):
        if wanted[r] <= 0:
            continue
        lo = bounds[r]
        hi = bounds[r + 1]
        counts = np.empty(hi - lo, dtype=np.int64)
        total = 0
        for i in range(hi - lo):
            counts[i] = np.int64(np.rint(people[lo + i]))
            total += counts[i]
        k = min(wanted[r], total)
        out = np.zeros(hi - lo, dtype=np.int64)
        _draw_without_replacement(counts, k, out)
        for i in range(hi - lo):
            people[lo + i] -= out[i]
        taken[r] = k
    return taken


@njit(cache=True)
def _guide(cum: np.ndarray) -> np.ndarray:
    """Guide table of the cumulative weights ``cum`` (one bucket per row).

    For each of ``m`` equal buckets of [0, total): the rows whose cumulative weight
    lies at or below the bucket's lower edge, made slightly smaller so that the count
    is a lower bound of every draw's row in the bucket whatever the rounding.
    """
    m = cum.shape[0]
    total = cum[m - 1]
    guide = np.empty(m, dtype=np.int64)
    i = 0
    for j in range(m):
        edge = j * total / m * (1.0 - 1e-9)
        while i < m and cum[i] <= edge:
            i += 1
        guide[j] = i
    return guide


@njit(cache=True)
def add_rows(people: np.ndarray, bounds: np.ndarray, counts: np.ndarray, seed: int) -> None:
    """Place ``counts[r]`` persons in rows ``bounds[r]:bounds[r+1]`` of ``people``.

    Each person goes to a row with probability proportional to ``max(people, 1)``
    (a multinomial draw); ``people`` is increased in place. The row of a uniform draw
    ``x`` is the number of cumulative weights ``<= x`` (``searchsorted``, side
    "right"), found by a forward scan from the guide table's start for ``x``'s bucket.
    """
    np.random.seed(seed)
    n = counts.shape[0]
    for r in range(n):
        k = counts[r]
        lo = bounds[r]
        m = bounds[r + 1] - lo
        if k <= 0 or m == 0:
            continue
        cum = np.empty(m, dtype=np.float64)
        acc = 0.0
        for i in range(m):
            acc += max(people[lo + i], 1.0)
            cum[i] = acc
        guide = _guide(cum)
        scale = m / acc
        added = np.zeros(m, dtype=np.int64)
        for _ in range(k):
            x = np.random.random() * acc
            i = guide[min(int(x * scale), m - 1)]
            while i < m and cum[i] <= x:
                i += 1
            added[min(i, m - 1)] += 1
        for i in range(m):
            people[lo + i] += added[i]


@njit(cache=True)
def take_units(
    size: np.ndarray, integrated: np.ndarray, units: np.ndarray, k: int, seed: int
) -> int:
    """Remove ``k`` persons at random from ``units``; integrated ones leave in proportion.

    ``size`` and ``integrated`` (floats holding whole numbers) are decreased in place.
    Returns the persons removed (``k`` capped by the units' personnel).
    """
    np.random.seed(seed)
    m = units.shape[0]
    strata = np.empty(2 * m, dtype=np.int64)
    total = 0
    for j in range(m):
        s = np.int64(np.rint(size[units[j]]))
        g = min(np.int64(np.rint(integrated[units[j]])), s)
        strata[2 * j] = s - g
        strata[2 * j + 1] = g
        total += s
    k = min(k, total)
    if k <= 0:
        return 0
    out = np.zeros(2 * m, dtype=np.int64)
    _draw_without_replacement(strata, k, out)
    for j in range(m):
        size[units[j]] -= out[2 * j] + out[2 * j + 1]
        integrated[units[j]] -= out[2 * j + 1]
    return k


@njit(cache=True)
def take_units_by_region(
    size: np.ndarray, integrated: np.ndarray, bounds: np.ndarray, wanted: np.ndarray, seed: int
) -> tuple:
    """:func:`take_units` for every region at once: units ``bounds[r]:bounds[r+1]``.

    Returns the persons removed per region and the integrated among them.
    """
    np.random.seed(seed)
    n = wanted.shape[0]
    removed = np.zeros(n, dtype=np.int64)
    removed_integrated = np.zeros(n, dtype=np.int64)
    for r in range(n):
        lo = bounds[r]
        hi = bounds[r + 1]
        if wanted[r] <= 0 or hi == lo:
            continue
        m = hi - lo
        strata = np.empty(2 * m, dtype=np.int64)
        total = 0
        for j in range(m):
            s = np.int64(np.rint(size[lo + j]))
            g = min(np.int64(np.rint(integrated[lo + j])), s)
            strata[2 * j] = s - g
            strata[2 * j + 1] = g
            total += s
        k = min(wanted[r], total)
        out = np.zeros(2 * m, dtype=np.int64)
        _draw_without_replacement(strata, k, out)
        for j in range(m):
            size[lo + j] -= out[2 * j] + out[2 * j + 1]
            integrated[lo + j] -= out[2 * j + 1]
            removed_integrated[r] += out[2 * j + 1]
        removed[r] = k
    return removed, removed_integrated


@njit(cache=True)
def add_units(size: np.ndarray, bounds: np.ndarray, counts: np.ndarray, seed: int) -> None:
    """Place ``counts[r]`` persons in units ``bounds[r]:bounds[r+1]``, each unit equally likely."""
    np.random.seed(seed)
    for r in range(counts.shape[0]):
        lo = bounds[r]
        hi = bounds[r + 1]
        if hi == lo:
            continue
        for _ in range(counts[r]):
            size[np.random.randint(lo, hi)] += 1.0


@njit(cache=True)
def recruitment_pass(
    c: tuple,
    shock_r: np.ndarray,
    arrest_r: np.ndarray,
    coefs: np.ndarray,
    seed: int,
) -> tuple:
    """Grievance, stance, the regions' shares and the volunteers of every community, one pass.

    The rules are those of :mod:`sim.mechanisms.recruitment` (its docstring has the
    equations); ``c`` is ``(region, people, trust, hardship, abuse_mem, risk,
    militia_side, grievance, stance)`` of the communities, the last two written in place;
    ``coefs`` is ``(legitimacy, anger_weight, threshold, cooperate_threshold,
    recruit_rate)``. Returns people cooperating, supporting and their grievance summed by
    region, the volunteers of each community (Poisson, capped by its people) and their
    sum by region.
    """
    region, people, trust, hardship, abuse_mem, risk, militia_side, grievance, stance = c
    legitimacy, anger, threshold, coop_threshold, rate = (
        coefs[0],
        coefs[1],
        coefs[2],
        coefs[3],
        coefs[4],
    )
    np.random.seed(seed)
    n = shock_r.shape[0]
    m = region.shape[0]
    coop_r = np.zeros(n)
    support_r = np.zeros(n)
    griev_r = np.zeros(n)
    draws = np.zeros(m, dtype=np.int64)
    recruits_r = np.zeros(n, dtype=np.int64)
    for i in range(m):
        r = region[i]
        legit = min(max(trust[i] + legitimacy - shock_r[r], 0.0), 1.0)
        g = min(max(hardship[i] * (1.0 - legit) + anger * abuse_mem[i], 0.0), 1.0)
        grievance[i] = g
        net = g - risk[i] * arrest_r[r] - threshold
        support = net > 0 and not militia_side[i]
        cooperate = (not support) and legit > coop_threshold
        stance[i] = 2 if support else (1 if cooperate else 0)
        coop_r[r] += people[i] * cooperate
        support_r[r] += people[i] * support
        griev_r[r] += people[i] * g
        if support:
            lam = rate * people[i] * net
            k = np.random.poisson(lam) if lam > 0 else 0
            draws[i] = min(k, np.int64(np.rint(people[i])))
            recruits_r[r] += draws[i]
    return coop_r, support_r, griev_r, draws, recruits_r


@njit(cache=True)
def take_volunteers(
    people: np.ndarray, draws: np.ndarray, bounds: np.ndarray, accepted: np.ndarray, seed: int
) -> np.ndarray:
    """In each region, ``accepted[r]`` of the volunteers ``draws`` leave their communities.

    Drawn without replacement among the region's volunteers; ``people`` is decreased in
    place. Returns the persons who left per region.
    """
    np.random.seed(seed)
    n = accepted.shape[0]
    left = np.zeros(n, dtype=np.int64)
    for r in range(n):
        if accepted[r] <= 0:
            continue
        lo = bounds[r]
        hi = bounds[r + 1]
        k = min(accepted[r], draws[lo:hi].sum())
        out = np.zeros(hi - lo, dtype=np.int64)
        _draw_without_replacement(draws[lo:hi], k, out)
        for i in range(hi - lo):
            people[lo + i] -= out[i]
        left[r] = k
    return left


# ---------------------------------------------------------------- generator draws
POISSON_LAM_MAX = np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10
"""The largest Poisson mean NumPy accepts (``numpy/random/_generator.pyx``)."""

_HANDLES: dict[int, tuple[np.random.Generator, np.ndarray]] = {}
_HANDLES_KEPT = 8
"""Handles remembered (one per live model is enough; old ones are dropped first)."""


def handle(rng: np.random.Generator) -> np.ndarray:
    """The four addresses numba needs to draw from ``rng`` (uint64; cached per generator)."""
    entry = _HANDLES.get(id(rng))
    if entry is not None and entry[0] is rng:
        return entry[1]
    c = rng.bit_generator.ctypes
    address = [
        c.state.value,
        ctypes.cast(c.next_uint64, ctypes.c_void_p).value,
        ctypes.cast(c.next_uint32, ctypes.c_void_p).value,
        ctypes.cast(c.next_double, ctypes.c_void_p).value,
    ]
    h = np.array(address, dtype=np.uint64)
    if len(_HANDLES) >= _HANDLES_KEPT:
        _HANDLES.pop(next(iter(_HANDLES)))
    _HANDLES[id(rng)] = (rng, h)
    return h


@intrinsic
def _generator(typingctx, h):  # noqa: ANN001, ANN202 - numba's intrinsic protocol
    """Numba's ``Generator`` value over the bit generator whose addresses are ``h``."""
    gen_type = types.NumPyRandomGeneratorType("generator")

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        ary = context.make_array(sig.args[0])(context, builder, args[0])

        def item(i: int):  # noqa: ANN202 - the i-th address (uint64, the size of uintp)
            return builder.load(cgutils.gep_inbounds(builder, ary.data, i))

        bitgen = cgutils.create_struct_proxy(_bit_gen_type)(context, builder)
        bitgen.parent = context.get_constant_null(types.pyobject)
        bitgen.state_address = item(0)
        bitgen.state = item(0)
        bitgen.fnptr_next_uint64 = item(1)
        bitgen.fnptr_next_uint32 = item(2)
        bitgen.fnptr_next_double = item(3)
        bitgen.bit_generator = context.get_constant(types.uintp, 0)
        gen = cgutils.create_struct_proxy(gen_type)(context, builder)
        gen.bit_generator = bitgen._getvalue()
        gen.meminfo = context.get_constant_null(types.MemInfoPointer(types.voidptr))
        gen.parent = context.get_constant_null(types.pyobject)
        return gen._getvalue()

    return gen_type(h), codegen


@njit(cache=True)
def poisson_array(h: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson(lam[i]) for each i, in order; -1 everywhere when a mean is invalid."""
    out = np.empty(lam.shape[0], dtype=np.int64)
    for i in range(lam.shape[0]):
        if not (lam[i] >= 0.0) or lam[i] > POISSON_LAM_MAX:
            out[:] = -1
            return out
    g = _generator(h)
    for i in range(lam.shape[0]):
        out[i] = g.poisson(lam[i])
    return out


@njit(cache=True)
def binomial_array(h: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(n[i], p[i]) (``p`` of length 1 is shared), in order; -1 when invalid."""
    out = np.empty(n.shape[0], dtype=np.int64)
    shared = p.shape[0] == 1
    for i in range(n.shape[0]):
        q = p[0] if shared else p[i]
        if n[i] < 0 or not (0.0 <= q <= 1.0):
            out[:] = -1
            return out
    g = _generator(h)
    for i in range(n.shape[0]):
        out[i] = g.binomial(n[i], p[0] if shared else p[i])
    return out


@njit(cache=True)
def _next_uint32(h: np.ndarray) -> int:
    """The next 32-bit output of the bit generator whose addresses are ``h``."""
    return next_uint32(_generator(h).bit_generator)


def warm() -> None:
    """Compile (or load from the cache) every kernel once, e.g. when a worker starts."""
    people = np.array([3.0, 2.0])
    bounds = np.array([0, 2])
    take_rows(people, bounds, np.array([1], dtype=np.int64), 0)
    add_rows(people, bounds, np.array([1], dtype=np.int64), 0)
    take_units(np.array([2.0]), np.array([1.0]), np.array([0]), 1, 0)
    one_unit = np.array([0, 1])
    one = np.array([1], dtype=np.int64)
    take_units_by_region(np.array([2.0]), np.array([1.0]), one_unit, one, 0)
    add_units(np.array([2.0]), one_unit, one, 0)
    region = np.array([0, 0])
    ones = np.ones(2)
    grievance = np.zeros(2)
    stance = np.zeros(2, dtype=np.int8)
    c = (region, people, ones, ones, ones, ones, np.zeros(2, dtype=bool), grievance, stance)
    coefs = np.array([0.0, 0.3, 0.1, 0.5, 0.01])
    out = recruitment_pass(c, np.zeros(1), np.zeros(1), coefs, 0)
    take_volunteers(people, out[3], bounds, np.array([1], dtype=np.int64), 0)
    h = handle(np.random.default_rng(0))
    poisson_array(h, np.ones(2))
    binomial_array(h, np.ones(2, dtype=np.int64), np.ones(1) / 2)


__all__ = [
    "POISSON_LAM_MAX",
    "SEED_BOUND",
    "add_rows",
    "add_units",
    "binomial_array",
    "draw_seed",
    "handle",
    "poisson_array",
    "recruitment_pass",
    "take_rows",
    "take_units",
    "take_units_by_region",
    "take_volunteers",
    "warm",
]
