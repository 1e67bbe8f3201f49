"""Sets of paragraphs as sorted, duplicate-free arrays of document numbers.

Each operation picks one of two ways by the sizes at hand: a binary search
of the shorter array in the longer (``searchsorted``: cheap while one side
is short), or a bitmap over the document space (one scatter and one
gather, linear and cache-friendly where both are large; the figures that
chose it are in bench/README.md).  Results are the same either way:
tests/test_docsets.py checks both against Python sets.
"""

from __future__ import annotations

import numpy as np

EMPTY = np.zeros(0, dtype=np.int32)


def _space(*arrays) -> int:
    """One past the largest document number in sorted ``arrays``."""
    return max((int(a[-1]) for a in arrays if len(a)), default=-1) + 1


def _by_bitmap(n_sorted: int, n_lookups: int, space: int) -> bool:
    """Whether looking ``n_lookups`` numbers up in a sorted array of
    ``n_sorted`` costs more by binary search than by a bitmap of ``space``:
    ~2.5 ns a step of a search, against ~8 us, 1.3 ns a number set, 2 a
    number read and 0.02 a bit of space for the bitmap (measured on the
    archive's space, 356,249, with numpy 2.4; bench/README.md, round 7)."""
    steps = n_lookups * max(1, n_sorted.bit_length())
    return 5 * steps > 16_000 + 3 * n_sorted + 4 * n_lookups + space // 25


def holds(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """For each of ``docs`` (any order), whether the sorted ``ids`` holds it."""
    return _gather(ids, True, docs, bool)


def holds_sorted(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """``holds`` where ``docs`` too are sorted and distinct: the shorter of
    the two looked up in the longer (a literal's 51 positions of one bigram
    against 57,000 offsets of another: 51 searches, not 57,000)."""
    if len(ids) == 0 or len(docs) == 0 or len(ids) >= len(docs):
        return holds(ids, docs)
    at = docs.searchsorted(ids)
    np.minimum(at, len(docs) - 1, out=at)
    out = np.zeros(len(docs), dtype=bool)
    out[at[docs[at] == ids]] = True
    return out


def lookup(ids: np.ndarray, values: np.ndarray, docs: np.ndarray, dtype=np.float32) -> np.ndarray:
    """For each of ``docs`` (any order), the value ``ids`` (sorted) pairs it
    with in ``values``, 0 where ``ids`` does not hold it."""
    return _gather(ids, values, docs, dtype)


def _gather(ids: np.ndarray, values, docs: np.ndarray, dtype) -> np.ndarray:
    """``values`` (an array beside ``ids``, or True for all) at ``docs``."""
    if len(ids) == 0 or len(docs) == 0:
        return np.zeros(len(docs), dtype=dtype)
    # the space only lowers the bitmap's chances: ``docs``' largest (a
    # reduce, ~2 us, most often over a few hundred) read only where the
    # bitmap would win over ``ids``' span alone.  A bitmap of 4-byte values
    # (BM25's frequencies) costs its bytes: zeroing 1.4 MB for the archive
    # cost ~20 us more than its booleans (10,000 frequencies looked up for
    # 1,000 paragraphs: 46 us by bitmap, 22 by search)
    width = 1 if dtype is bool else np.dtype(dtype).itemsize
    space = int(ids[-1]) + 1
    if _by_bitmap(len(ids), len(docs), space * width):
        space = max(space, int(docs.max()) + 1)
    if _by_bitmap(len(ids), len(docs), space * width):
        dense = np.zeros(space, dtype=dtype)
        dense[as_index(ids)] = values
        return dense[as_index(docs)]
    idx = ids.searchsorted(docs)  # the method: the function adds ~1.5 us a call
    np.minimum(idx, len(ids) - 1, out=idx)
    found = ids[idx] == docs
    return found if values is True else np.where(found, values[idx], 0).astype(dtype, copy=False)


def as_index(a: np.ndarray) -> np.ndarray:
    """``a`` as numpy's own index type: indexing with int32 docnums costs
    two to eight times what converting them first and indexing does (30,000
    into a bitmap of the archive: 149 us, against 23; numpy 2.4)."""
    return a.astype(np.intp, copy=False)


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The numbers both sorted arrays hold, sorted."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return a
    return a[holds(b, a)]


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The numbers of sorted ``a`` that sorted ``b`` does not hold."""
    if len(a) == 0 or len(b) == 0:
        return a
    return a[~holds(b, a)]


def union(parts: list[np.ndarray]) -> np.ndarray:
    """The numbers any of the sorted arrays holds, sorted, as int32."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0].astype(np.int32, copy=False)
    total = sum(len(p) for p in parts)
    space = _space(*parts)
    if total * max(1, total.bit_length()) > space // 4:
        bitmap = np.zeros(space, dtype=bool)
        for p in parts:
            bitmap[as_index(p)] = True
        return np.flatnonzero(bitmap).astype(np.int32)
    joined = np.sort(np.concatenate(parts), kind="stable")
    return distinct(joined).astype(np.int32, copy=False)


def distinct(a: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(a) < 2:
        return a
    return a[_firsts(a)]


def _firsts(a: np.ndarray) -> np.ndarray:
    """Where a sorted array (two or more long) starts a new value: written
    in place, not joined from a list (~2 us less a call)."""
    first = np.empty(len(a), dtype=bool)
    first[0] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    return first


def distinct_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each occurs."""
    if len(a) == 0:
        return a, np.zeros(0, dtype=np.int64)
    if len(a) == 1:
        return a, np.ones(1, dtype=np.int64)
    starts = _firsts(a).nonzero()[0]
    counts = np.empty(len(starts), dtype=np.int64)  # each run's length: to the next start, the last to the end
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = len(a) - starts[-1]
    return a[starts], counts


def merge(ids: np.ndarray, values: np.ndarray, extra: np.ndarray, extra_value) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``ids`` (with ``values``) joined by sorted ``extra``, which
    ``ids`` does not hold, each with ``extra_value``: sorted, as int32.
    The two joined and sorted stably, which merges two sorted runs in one
    pass (timsort), not each of ``extra`` searched for in ``ids`` (~26 ns
    a number: 扶贫's 10,000 header-only paragraphs into its 30,000, ~0.8 ms
    against ~0.3)."""
    if len(extra) == 0:
        return ids, values
    joined = np.concatenate([ids.astype(np.int32, copy=False), extra.astype(np.int32, copy=False)])
    order = np.argsort(joined, kind="stable")
    vals = np.concatenate([values, np.full(len(extra), extra_value, dtype=values.dtype)])
    return joined[order], vals[order]


def count_runs(values: np.ndarray) -> int:
    """The number of runs of equal values: the distinct values of a
    non-decreasing array, in one pass and without sorting."""
    return int(len(values) and 1 + np.count_nonzero(values[1:] != values[:-1]))


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
