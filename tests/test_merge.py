"""Joining the segments one run of ``zhsearch index`` writes
(``search.store.merge``): the merged segment is, file for file, the one
Whoosh's own merge makes of them; a run ends in one segment where the
bound allows and answers as its segments did; a merge that fails loses no
document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh.writing import OPTIMIZE

from search import indexing
from search.indexing import build_index
from search.store import Index, merge
from search.store.schema import INDEX_NAME

from search.engine.results import SearchRequest
from search.engine.searcher import Searcher

from conftest import SEEDS

QUERIES = ["扶贫", "就業扶貧", '"技能培训"', "牛肉面 OR 拉面", "扶贫 -甘肃", "车间 培训", ""]


def _answers(index_dir, queries, ties_as_sets=False) -> list:
    """Each query's total, facets and every hit, page after page, in order;
    ``ties_as_sets``: hits of equal score (in browsing, equal date) as a
    set, where the document order may differ (workers taking files from
    one queue lay the index out in whatever order they finish)."""
    s = Searcher(str(index_dir))
    out = []
    for q in queries:
        hits, page, total = [], 1, None
        while total is None or len(hits) < total:
            r = s.search(SearchRequest(q=q, size=100, page=page))
            total = r.total
            assert r.hits or not total
            hits += r.hits
            page += 1
        if ties_as_sets:
            groups: list = []
            for h in hits:
                key = round(h.score, 4) if q else h.date
                if not groups or groups[-1][0] != key:
                    groups.append((key, set()))
                groups[-1][1].add(h.para_id)
            shown = groups
        else:
            shown = [(h.para_id, round(h.score, 6), h.snippet) for h in hits]
        out.append((total, shown, r.facets))
    return out


def _segments(index_dir) -> list:
    return list(windex.open_dir(str(index_dir), indexname=INDEX_NAME)._read_toc().segments)


def _unmerged(src: Path, dest: Path, monkeypatch, postings: int = 1500) -> list:
    """``src`` indexed in one process into segments of at most ``postings``
    term occurrences each, none merged; returns the segments."""
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", postings)
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", 0)
    build_index([str(src)], dest, procs=1)
    monkeypatch.undo()
    return _segments(dest)


def _commit_as(index_dir, make_segments) -> None:
    """Replace the index's segments by what ``make_segments(index, writer)``
    returns, in one commit."""
    idx = Index.open(index_dir)
    update = idx.update()
    w = update._writer
    segments = make_segments(idx, w)
    from search.store import integrity

    integrity.record(idx.dir, w.generation, [s.segid for s in segments], idx.meta)
    w._commit_toc(segments)
    w._finish()


def _files_by_kind(index_dir) -> dict[str, bytes]:
    """The only segment's files, by what follows its id in their names."""
    (seg,) = _segments(index_dir)
    prefix = f"{INDEX_NAME}_{seg.segid}"
    return {p.name[len(prefix):]: p.read_bytes() for p in Path(index_dir).iterdir() if p.name.startswith(prefix)}


def test_merged_segment_is_whooshs_own_merge_file_for_file(three_copies, tmp_path, monkeypatch):
    base = tmp_path / "base"
    segments = _unmerged(three_copies, base, monkeypatch)
    assert len(segments) >= 6
    ours, whooshs, reversed_ = tmp_path / "ours", tmp_path / "whoosh", tmp_path / "reversed"
    for d in (ours, whooshs, reversed_):
        shutil.copytree(base, d)

    def whoosh_merge(idx, w):  # Whoosh re-adding every document, and the arrays merged per term
        from search.store.postings import merge_arrays

        sources = []
        add_reader = w.add_reader

        def noting(reader):
            sources.append((reader.segment(), w.docnum, frozenset()))
            add_reader(reader)

        w.add_reader = noting
        w._merge_segments(OPTIMIZE, True, True)
        merged = w._finalize_segment()
        merge_arrays(w.storage, merged, sources)
        return [merged]

    _commit_as(whooshs, whoosh_merge)
    _commit_as(ours, lambda idx, w: [merge.merge_segments(idx._ix, _segments(ours))])
    theirs, mine = _files_by_kind(whooshs), _files_by_kind(ours)
    assert sorted(mine) == sorted(theirs)
    assert len(mine) >= 12
    for kind in theirs:
        assert mine[kind] == theirs[kind], kind
    # the near miss: the same segments merged in another order are other files
    _commit_as(reversed_, lambda idx, w: [merge.merge_segments(idx._ix, _segments(reversed_)[::-1])])
    other = _files_by_kind(reversed_)
    assert other[".zpa"] != mine[".zpa"] and other["._stored.col"] != mine["._stored.col"]
    assert _answers(ours, QUERIES) == _answers(base, QUERIES)
    Index.open(ours).check()


@pytest.mark.parametrize("procs", [1, 2])
def test_a_run_ends_in_one_segment_answering_as_its_parts(three_copies, tmp_path, monkeypatch, procs):
    parts = tmp_path / "parts"
    assert len(_unmerged(three_copies, parts, monkeypatch)) >= 6
    merged = tmp_path / "merged"
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 1500 * procs)
    summary = build_index([str(three_copies)], merged, procs=procs)
    assert not [w for w in summary.warnings if "merged" in w]
    assert len(_segments(merged)) == 1
    assert _answers(merged, QUERIES, procs > 1) == _answers(parts, QUERIES, procs > 1)
    Index.open(merged).check()
    # a second run's new segments are merged into one of their own, beside the first run's
    extra = tmp_path / "extra"
    shutil.copytree(SEEDS, extra)
    before = _segments(merged)[0].doc_count_all()
    added = build_index([str(three_copies), str(extra)], merged, procs=procs).paragraphs.added
    assert [s.doc_count_all() for s in _segments(merged)] == [before, added]
    assert _answers(merged, ["扶贫"])[0][0] == 4 * _answers(parts, ["扶贫"])[0][0] / 3


def test_the_bound_keeps_segments_apart(three_copies, tmp_path, monkeypatch):
    """Neighbours whose arrays files together pass the bound are not merged:
    a million paragraphs end in a few segments, each merged within memory."""
    parts = tmp_path / "parts"
    segments = _unmerged(three_copies, parts, monkeypatch)
    storage = windex.open_dir(str(parts), indexname=INDEX_NAME).storage
    sizes = [merge.arrays_bytes(storage, s) for s in segments]
    assert all(sizes)
    limit = max(a + b for a, b in zip(sizes, sizes[1:]))  # two neighbours at most
    expected = merge.groups(sizes, limit)
    assert 1 < len(expected) < len(sizes)
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 1500)
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", limit)
    several = tmp_path / "several"
    build_index([str(three_copies)], several, procs=1)
    assert [s.doc_count_all() for s in _segments(several)] == [
        sum(segments[i].doc_count_all() for i in g) for g in expected]
    assert _answers(several, QUERIES) == _answers(parts, QUERIES)


@given(st.lists(st.integers(0, 100), max_size=30), st.integers(0, 250))
@settings(max_examples=300, deadline=None)
def test_groups_are_runs_of_neighbours_within_the_bound(sizes, limit):
    out = merge.groups(sizes, limit)
    assert [i for g in out for i in g] == list(range(len(sizes)))  # every segment once, in order
    for g in out:
        assert g == list(range(g[0], g[-1] + 1))
        assert len(g) == 1 or sum(sizes[i] for i in g) <= limit
    for a, b in zip(out, out[1:]):  # greedy: a group stops only where the next would pass the bound
        assert sum(sizes[i] for i in a) + sizes[b[0]] > limit


def test_a_failed_merge_keeps_every_document(three_copies, tmp_path, monkeypatch):
    def fail(ix, segments):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merge, "merge_segments", fail)
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 1500)
    ix = tmp_path / "ix"
    summary = build_index([str(three_copies)], ix, procs=1)
    assert [w for w in summary.warnings if "not merged" in w and "No space left" in w]
    segments = _segments(ix)
    assert len(segments) >= 6
    assert sum(s.doc_count_all() for s in segments) == summary.paragraphs.added > 0
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    build_index([str(three_copies)], fresh, procs=1)
    assert _answers(ix, QUERIES) == _answers(fresh, QUERIES)
    Index.open(ix).check()


def test_segments_with_deleted_documents_are_not_merged_here(three_copies, tmp_path, monkeypatch):
    """The merge copies every document: it is for new segments only (old ones
    with deletions are Whoosh's merge's to take in)."""
    ix = tmp_path / "ix"
    segments = _unmerged(three_copies, ix, monkeypatch)
    idx = Index.open(ix)
    merge.merge_segments(idx._ix, segments[:2])  # the near miss: the same segments whole
    segments[1].delete_document(3)
    with pytest.raises(ValueError, match="deleted"):
        merge.merge_segments(idx._ix, segments[:2])
