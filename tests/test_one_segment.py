"""The single-segment paths (an index whose run's segments were merged
into one, as ``zhsearch index`` leaves it) read what the general path over
several segments reads: the same paragraphs indexed once into many small
segments, none merged, and once into one."""

from __future__ import annotations

import numpy as np
import pytest

from search import indexing
from search.indexing import build_index
from search.store import Index

from test_merge import _unmerged


@pytest.fixture(scope="module")
def two_layouts(three_copies, tmp_path_factory):
    many, one = tmp_path_factory.mktemp("many"), tmp_path_factory.mktemp("one")
    mp = pytest.MonkeyPatch()
    _unmerged(three_copies, many, mp)  # segments kept apart
    mp.setattr(indexing, "SEGMENT_POSTINGS", 1500)
    build_index([str(three_copies)], one, procs=1)  # the run's segments merged at its end
    mp.undo()
    readers = Index.open(many).reader(), Index.open(one).reader()
    assert len(readers[0].postings.leaves) >= 6 and len(readers[1].postings.leaves) == 1
    return readers


def _terms(reader, field: str) -> list[str]:
    (_, _, sa), = reader.postings.leaves
    f = sa.fields[field]
    return [f.term_bytes(t).decode("utf-8") for t in range(len(f.hash))]


@pytest.mark.parametrize("field", ["text_grams", "header_grams", "text"])
def test_every_terms_list_reads_the_same_from_one_segment_as_from_many(two_layouts, field):
    many, one = two_layouts
    terms = _terms(one, field)
    assert len(terms) > 100
    for term in terms:
        a, b = many.postings._ids_tf(field, term), one.postings._ids_tf(field, term)
        assert a[0].dtype == b[0].dtype == np.int32 and a[1].dtype == b[1].dtype == np.float32
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), term
    # the near miss: a term neither holds reads empty in both
    for p in (many.postings, one.postings):
        ids, tf = p._ids_tf(field, "\u0000不在")
        assert len(ids) == len(tf) == 0


@pytest.mark.parametrize("field", ["text_grams", "header_grams", "text"])
def test_a_list_kept_without_its_frequencies_gets_them_when_asked(two_layouts, field):
    """``ids`` keeps a list without frequencies; ``ids_tf`` asked after it
    gives what it gives asked first, on one segment and on many."""
    from search.store.postings import Postings

    for reader in two_layouts:
        terms = _terms(two_layouts[1], field)
        first, later = Postings(reader.postings.reader), Postings(reader.postings.reader)
        for term in terms:
            ids = later.ids(field, term)
            assert later.list_cache.get((field, term))[1] is None
            want = first.ids_tf(field, term)
            got = later.ids_tf(field, term)
            assert got[0] is ids and not ids.flags.writeable  # the docnums not decoded again
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), term
            assert got[1].dtype == np.float32 and not got[1].flags.writeable
            assert first.ids(field, term) is want[0]  # a list kept with its frequencies serves ``ids``
        # the near miss: a list of many frequencies above 1 (not all ones)
        assert any(float(first.ids_tf(field, t)[1].max()) > 1 for t in terms if len(first.ids_tf(field, t)[1]))
