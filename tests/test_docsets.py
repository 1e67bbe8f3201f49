"""search.engine.docsets: every operation, by binary search and by bitmap, gives
what Python's sets give."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import given, settings, strategies as st

from search.engine import docsets

EXAMPLES = 2_000 if os.environ.get("ZHSEARCH_FUZZ") == "long" else 150

doc_sets = st.sets(st.integers(0, 5_000), max_size=300).map(lambda s: np.array(sorted(s), dtype=np.int32))


@settings(max_examples=EXAMPLES, deadline=None)
@given(a=doc_sets, b=doc_sets)
def test_set_operations_agree_with_python_sets(a, b):
    for force in (False, True, None):
        if force is None:
            by = docsets._by_bitmap
        else:
            def by(*args, force=force):
                return force
        orig, docsets._by_bitmap = docsets._by_bitmap, by
        try:
            sa, sb = set(a.tolist()), set(b.tolist())
            assert docsets.intersect(a, b).tolist() == sorted(sa & sb)
            assert docsets.difference(a, b).tolist() == sorted(sa - sb)
            assert docsets.holds(a, b).tolist() == [x in sa for x in b.tolist()]
            tf = (a % 7 + 1).astype(np.float32)
            value = dict(zip(a.tolist(), tf.tolist()))
            assert docsets.lookup(a, tf, b).tolist() == [value.get(x, 0.0) for x in b.tolist()]
        finally:
            docsets._by_bitmap = orig


@settings(max_examples=EXAMPLES, deadline=None)
@given(parts=st.lists(doc_sets, max_size=5))
def test_union_agrees_with_python_sets(parts):
    expect = sorted(set().union(*(set(p.tolist()) for p in parts)))
    got = docsets.union(parts)
    assert got.tolist() == expect
    assert got.dtype == np.int32


def test_union_by_bitmap_and_by_sorting_agree():
    rng = np.random.default_rng(3)
    dense = [np.sort(rng.choice(200_000, 80_000, replace=False)).astype(np.int32) for _ in range(3)]
    sparse = [np.sort(rng.choice(10_000_000, 50, replace=False)).astype(np.int32) for _ in range(3)]
    for parts in (dense, sparse, dense + sparse):
        assert docsets.union(parts).tolist() == sorted(set(np.concatenate(parts).tolist()))


def test_distinct_counts():
    values, counts = docsets.distinct_counts(np.array([2, 2, 5, 9, 9, 9], dtype=np.int64))
    assert values.tolist() == [2, 5, 9] and counts.tolist() == [2, 1, 3]
    values, counts = docsets.distinct_counts(np.zeros(0, dtype=np.int64))
    assert len(values) == 0 and len(counts) == 0


@settings(max_examples=EXAMPLES, deadline=None)
@given(a=doc_sets, b=doc_sets)
def test_merge_keeps_order_and_values(a, b):
    extra = docsets.difference(b, a)
    ids, vals = docsets.merge(a, np.ones(len(a), dtype=np.float32), extra, 0.0)
    assert ids.tolist() == sorted(set(a.tolist()) | set(b.tolist()))
    assert vals.tolist() == [1.0 if x in set(a.tolist()) else 0.0 for x in ids.tolist()]


def test_huge_keys_never_take_a_bitmap():
    """Position keys (doc << 32 | offset) are intersected too: a bitmap of
    their space would be terabytes; the sizes must choose binary search."""
    a = (np.arange(1000, dtype=np.int64) << 32) | 7
    b = a[::3]
    assert docsets._by_bitmap(len(a), len(b), int(a[-1]) + 1) is False
    assert docsets.intersect(a, b).tolist() == b.tolist()


def test_sizes_choose_the_bitmap_for_two_broad_lists():
    assert docsets._by_bitmap(600_000, 600_000, 1_000_000)
    assert not docsets._by_bitmap(600_000, 1_000, 1_000_000)


@settings(max_examples=EXAMPLES, deadline=None)
@given(a=doc_sets, b=doc_sets)
def test_holds_of_two_sorted_sets_is_holds(a, b):
    """Either side the shorter: the same as ``holds``, and as Python's sets say."""
    for ids, docs in ((a, b), (b, a), (a[:3], b), (a, b[:3])):
        got = docsets.holds_sorted(ids, docs)
        assert got.tolist() == docsets.holds(ids, docs).tolist() == [d in set(ids.tolist()) for d in docs.tolist()]


@settings(max_examples=EXAMPLES, deadline=None)
@given(values=st.lists(st.integers(0, 40), max_size=60))
def test_distinct_counts_agree_with_a_counter(values):
    """Each distinct value once, with how often it stands (runs written in
    place: a lone value, a last run of one, a run to the end)."""
    from collections import Counter

    a = np.array(sorted(values), dtype=np.int64)
    got, counts = docsets.distinct_counts(a)
    want = sorted(Counter(values).items())
    assert list(zip(got.tolist(), counts.tolist())) == want
    assert counts.dtype == np.int64
    assert docsets.distinct(a).tolist() == [v for v, _ in want]


def test_a_bitmap_of_frequencies_is_priced_by_its_bytes(monkeypatch):
    """BM25's float32 frequencies looked up through a bitmap zero four
    bytes a document: 10,000 of the archive's 356,249 looked up for 1,000
    paragraphs go by search, their booleans (``holds``) still by bitmap."""
    rng = np.random.default_rng(3)
    ids = np.sort(rng.choice(356_249, 10_000, replace=False)).astype(np.int32)
    docs = np.sort(rng.choice(356_249, 1_000, replace=False)).astype(np.int32)
    tf = (ids % 5 + 1).astype(np.float32)
    chosen = []
    orig = docsets._by_bitmap
    monkeypatch.setattr(docsets, "_by_bitmap", lambda *a: chosen.append(orig(*a)) or chosen[-1])
    held = docsets.holds(ids, docs)
    assert chosen[-1] is True
    got = docsets.lookup(ids, tf, docs)
    assert chosen[-1] is False
    value = dict(zip(ids.tolist(), tf.tolist()))
    assert got.tolist() == [value.get(d, 0.0) for d in docs.tolist()]
    assert held.tolist() == [d in value for d in docs.tolist()]
