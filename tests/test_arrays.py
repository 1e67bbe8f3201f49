"""The arrays file as the only copy of the text fields' postings: document
numbers as 16-bit halves across 65,536 boundaries, prefix lookups across
segments, and indexes of the layout before it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from whoosh import fields
from whoosh import index as windex

from search import indexing
from search.store import merge
from search.text.analysis import bigram_terms
from search.indexing import build_index
from search.engine.searcher import Searcher
from search.store import Index, IndexDamaged, IndexVersionError
from search.store.arrays import EXT, MAGIC, SegmentArrays
from search.store.postings import Postings, merge_arrays
from search.store.schema import ArrayPositions, Analyzed, TermTokenizer, _in_arrays
from search.store.segment import BulkSegmentWriter, Codec

from conftest import SEEDS
from test_check import zhsearch

N = 200_000  # documents: four blocks of 65,536 (0, 1, 2 and part of 3)
EDGE = [5, 65535, 65536, 70000, 196608, 199999]  # both sides of 65,536; none in 131,072-196,607


def _terms(d: int) -> list[tuple[str, int]]:
    """The (term, position) pairs of document ``d``."""
    out = []
    if d % 3 == 0:  # in every block, one to three positions
        out += [("all", p) for p in range(d % 5, d % 5 + 7 * (d % 3 + d % 2 + 1), 7)]
    if d in EDGE:
        out += [("edge", 1), ("edge", d % 11 + 2)]
    if d in (150000, 150001):  # high bits 2 only
        out.append(("late", 0))
    if d == 0:
        out.append(("rare", 3))
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """One segment of N documents, written by the bulk writer."""
    folder = tmp_path_factory.mktemp("big")
    schema = fields.Schema(body=_in_arrays(fields.TEXT(analyzer=TermTokenizer(_terms), phrase=False), ArrayPositions))
    ix = windex.create_in(str(folder), schema)
    w = BulkSegmentWriter(ix, _lk=False, codec=Codec(), compound=False)
    for d in range(N):
        w.add_document(body=Analyzed.of(_terms(d)))
    segment = w._finalize_segment()
    toc = ix.writer(codec=Codec(), compound=False)
    toc._commit_toc([segment])
    toc._finish()
    return windex.open_dir(str(folder))


def _expected(term: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for d in range(N):
        for t, p in _terms(d):
            if t == term:
                out.setdefault(d, []).append(p)
    return out


@pytest.mark.parametrize("way", ["decoded", "listed", "runs"])
@pytest.mark.parametrize("term", ["all", "edge", "late", "rare"])
def test_postings_and_positions_across_65536_boundaries(big, term, way, monkeypatch):
    """Positions from the term's positions decoded whole and kept, and read
    for the documents asked about (found in the term's decoded list, or in
    its runs of postings sharing their high bits): the same."""
    from search.store import postings

    decoded_once = way == "decoded"
    if not decoded_once:  # every term too large to keep: read per call
        monkeypatch.setattr(postings, "POSITION_CACHE_TERM", 0)
    if way == "runs":  # its list never kept decoded
        monkeypatch.setattr(postings, "LIST_CACHE_TERM", -1)
    want = _expected(term)
    with big.reader() as r:
        p = Postings(r)
        f = p.leaves[0][2].fields["body"]
        if term == "edge":  # runs of high bits 0, 1, (none of 2) and 3
            t = f.term(b"edge")
            assert int(f.hbase[t]) == 0 and f.hcut[int(f.hoff[t]):int(f.hoff[t + 1])].tolist() == [2, 4, 4]
        ids, tf = p.ids_tf("body", term)
        assert ids.dtype == np.int32
        assert ids.tolist() == sorted(want) and tf.tolist() == [len(want[d]) for d in sorted(want)]
        rng = np.random.default_rng(7)
        subsets = [np.arange(N), np.array(sorted(want)), np.array(EDGE), np.arange(196000, N),
                   np.arange(65530, 65540), np.array([N - 1])]
        subsets += [np.sort(rng.choice(N, size, replace=False)) for size in (3, 300, 30_000)]
        for docs in subsets:
            got = p.positions("body", term, docs.astype(np.int64))
            assert got == {d: want[d] for d in docs.tolist() if d in want}, (term, len(docs))
        assert (len(p.position_cache) == 1) == decoded_once


def test_decoded_positions_are_bounded(big, monkeypatch):
    """The positions kept decoded stay within their bound, the least
    recently used term going first; a term larger than a quarter of it is
    never kept, and is still read right."""
    from search.store import postings

    monkeypatch.setattr(postings, "POSITION_CACHE", 40)
    monkeypatch.setattr(postings, "POSITION_CACHE_TERM", 10)
    with big.reader() as r:
        p = Postings(r)
        docs = np.arange(N, dtype=np.int64)
        assert p.positions("body", "edge", docs) == _expected("edge")  # 12 positions: more than 10
        assert len(p.position_cache) == 0
        assert p.positions("body", "late", docs) == _expected("late")
        assert p.positions("body", "rare", docs) == _expected("rare")
        assert len(p.position_cache) == 2 and p.position_cache.size <= 40


def test_decoded_lists_are_kept_read_only_and_bounded(big, monkeypatch):
    """A term's list decoded once is given again as it was, read-only (a
    caller writing into it would change every later search's answer); a
    term larger than a quarter of the bound is decoded afresh each time,
    and the lists kept stay within their bound."""
    from search.store import postings

    monkeypatch.setattr(postings, "LIST_CACHE", 40)
    monkeypatch.setattr(postings, "LIST_CACHE_TERM", 10)
    with big.reader() as r:
        p = Postings(r)
        ids, tf = p.ids_tf("body", "edge")  # 6 documents: kept
        assert ids.tolist() == EDGE and tf.tolist() == [2] * len(EDGE)
        again = p.ids_tf("body", "edge")
        assert again[0] is ids and again[1] is tf
        with pytest.raises(ValueError):
            ids[0] = 1
        everyone = p.ids_tf("body", "all")  # 66,667 documents: not kept
        assert len(everyone[0]) == len(_expected("all")) and everyone[0].flags.writeable
        assert p.ids_tf("body", "all")[0] is not everyone[0]
        p.ids_tf("body", "late"), p.ids_tf("body", "rare"), p.ids_tf("body", "missing")
        assert p.ids_tf("body", "missing")[0].tolist() == []
        assert p.list_cache.size <= 40 and p.list_cache.get(("body", "all")) is None


def test_ids_written_in_place_are_the_decoded_lists(big):
    """A term's ids written run by run (``Field.ids_into``: into int32 with
    an offset, into int64 without) are what decoding every posting of the
    field at once gives (``all_ids``), runs of high bits 0, 1, 3 and a term
    of one run alike."""
    with big.reader() as r:
        f = Postings(r).leaves[0][2].fields["body"]
        every = f.all_ids()
        for term in ("all", "edge", "late", "rare"):
            t = f.term(term.encode())
            a, b = int(f.pstart[t]), int(f.pstart[t + 1])
            ids, _ = f.postings(t, 70_000)
            assert ids.dtype == np.int32 and ids.tolist() == (every[a:b] + 70_000).tolist()
            wide = np.full(b - a, -1, dtype=np.int64)
            f.ids_into(t, a, b, 0, wide)
            assert wide.tolist() == every[a:b].tolist()
            assert f.all_positions(t)[0].tolist() == every[a:b].tolist()


def test_merged_arrays_keep_ids_across_boundaries(big):
    """Merging (as a change does, dropping deleted documents) rebuilds
    every document number from its halves."""

    class Merged:
        def make_filename(self, ext):
            return "merged" + ext

    deleted = frozenset(range(0, N, 10)) | {65536}
    with big.reader() as r:
        (seg, _), = list(r.leaf_readers())
        storage = seg.storage()
        merge_arrays(storage, Merged(), [(seg.segment(), 1000, deleted)])
    sa = SegmentArrays(storage.folder + "/merged" + EXT)
    f = sa.fields["body"]
    live = np.ones(N, dtype=bool)
    live[list(deleted)] = False
    newid = 1000 + np.cumsum(live) - 1
    for term in ("all", "edge", "late", "rare"):
        want = {int(newid[d]): v for d, v in _expected(term).items() if live[d]}
        t = f.term(term.encode())
        if not want:
            assert t == -1
            continue
        ids, tf = f.postings(t)
        assert ids.tolist() == sorted(want) and tf.tolist() == [len(v) for _, v in sorted(want.items())]
        d, pos = f.positions(t, np.array(sorted(want), dtype=np.int64))
        assert list(zip(d.tolist(), pos.tolist())) == [(k, q) for k, v in sorted(want.items()) for q in v]


def test_prefix_lookup_across_segments_matches_a_scan(tmp_path, monkeypatch):
    """Terms by prefix come from each segment's terms in byte order, merged:
    the same as a scan of every paragraph's bigrams, in byte order."""
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 2000)
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", 0)  # the segments kept apart
    build_index([str(SEEDS)], tmp_path / "ix", procs=1)
    r = Index.open(tmp_path / "ix").reader()
    try:
        p = r.postings
        assert len(p.leaves) >= 3
        every = sorted({t.encode("utf-8") for rec in r.iter_stored()
                        for t, _ in bigram_terms(" ".join(x for x in (rec.text,) if x))})
        every = [t.decode("utf-8") for t in every]
        chars = sorted({t[0] for t in every})
        assert len(chars) > 100
        for prefix in ["", "扶", "贫", "就业", "甘肃", "zz", chars[0], chars[-1]] + chars[::37]:
            scan = [t for t in every if t.startswith(prefix)]
            for limit in (1, 3, 800, 10**6):
                assert p.terms_with_prefix("text_grams", prefix, limit) == scan[:limit], (prefix, limit)
    finally:
        r.close()


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory):
    ix = tmp_path_factory.mktemp("seeds") / "ix"
    build_index([str(SEEDS)], ix, procs=1)
    return ix


def test_an_index_of_the_layout_before_asks_for_a_rebuild(seeds_index, tmp_path):
    """Schema 6 kept the text fields' postings in Whoosh's files too, and
    32-bit ids: its metadata says so, and the index is refused with the
    hint to rebuild, for a search and for adding files."""
    ix = tmp_path / "ix"
    shutil.copytree(seeds_index, ix)
    meta = json.loads((ix / "zhsearch.json").read_text(encoding="utf-8"))
    meta["schema_version"] = 6
    (ix / "zhsearch.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionError, match="re-index with `zhsearch index --rebuild`"):
        Searcher(str(ix))
    for args in (("search", "扶贫"), ("index", str(SEEDS))):
        r = zhsearch(*args, "--index", str(ix))
        assert r.returncode == 4 and "zhsearch index --rebuild" in r.stderr, (args, r.stderr)


def test_an_arrays_file_of_another_layout_is_damage(seeds_index, tmp_path):
    ix = tmp_path / "ix"
    shutil.copytree(seeds_index, ix)
    zpa = next(ix.glob("*" + EXT))
    data = bytearray(zpa.read_bytes())
    assert data[:8] == MAGIC
    data[:8] = b"ZHPA0001"  # the magic of the arrays files of schemas 5 and 6
    zpa.write_bytes(bytes(data))
    with pytest.raises(IndexDamaged, match="zhsearch index --rebuild"):
        Searcher(str(ix))


def test_a_term_asked_about_few_documents_is_decoded_once_the_reads_add_up(big):
    """A broad term's first searches read the positions of the documents
    they ask about only (decoding all of them would cost each search more);
    once those reads have cost what decoding it does (each read costed as
    ``READ_SEGMENT`` a segment and ``READ_DOC`` a document, the decoding as
    its positions and ``DECODE_SEGMENT`` a segment), the term's positions
    are decoded whole and kept.
    Every answer is the same."""
    from search.store.postings import DECODE_SEGMENT, READ_DOC, READ_SEGMENT

    want = _expected("all")
    with big.reader() as r:
        p = Postings(r)
        f = p.leaves[0][2].fields["body"]
        n = f.position_count(f.term(b"all"))
        docs = np.array([0, 3, 65535, 196605], dtype=np.int64)
        expect = {d: want[d] for d in docs.tolist() if d in want}
        read = READ_SEGMENT + READ_DOC * len(docs)
        asks = -(-(n + DECODE_SEGMENT) // read)  # the ask whose reads reach the decoding's cost
        assert asks > 2
        for k in range(1, asks):
            assert p.positions("body", "all", docs) == expect
            assert len(p.position_cache) == 0, k  # the near miss: one ask short
        assert p.positions("body", "all", docs) == expect
        assert len(p.position_cache) == 1
        # as many documents as cost, read, what decoding the term does: decoded at once
        many = np.arange(0, N, max(1, N * READ_DOC // (n + DECODE_SEGMENT - READ_SEGMENT)), dtype=np.int64)
        p2 = Postings(r)
        assert p2.positions("body", "all", many) == {d: want[d] for d in many.tolist() if d in want}
        assert len(p2.position_cache) == 1
        fewer = many[:len(many) // 2]  # the near miss: half as many, read
        p3 = Postings(r)
        assert p3.positions("body", "all", fewer) == {d: want[d] for d in fewer.tolist() if d in want}
        assert len(p3.position_cache) == 0


def test_one_postings_position_start_is_the_skip_tables(big):
    """``position_start`` (one posting, in scalars) against
    ``position_starts`` (many, in arrays) and the frequencies summed, at
    every posting of the big field and across its SKIP blocks; the
    position counts it gives are the frequencies' sums."""
    from search.store.arrays import SKIP

    with big.reader() as r:
        f = Postings(r).leaves[0][2].fields["body"]
        n = len(f.freq)
        g = np.arange(n, dtype=np.int64)
        assert [f.position_start(int(x)) for x in g.tolist()] == f.position_starts(g).tolist()
        assert f.position_start(SKIP) == int(f.freq[:SKIP].sum()) and f.position_start(SKIP + 3) == int(f.freq[:SKIP + 3].sum())
        for t in range(len(f.pstart) - 1):
            a, b = int(f.pstart[t]), int(f.pstart[t + 1])
            assert f.position_count(t) == int(f.freq[a:b].sum(dtype=np.int64))


def test_doc_freqs_remembered_are_the_lists_lengths_and_bounded(big, monkeypatch):
    """A term's doc_freq, remembered after its first ask, is its list's
    length (a term no segment holds: 0), and the terms remembered stay
    within TERMS_FOUND (then started afresh, as the terms' places are)."""
    from search.store import postings

    monkeypatch.setattr(postings, "TERMS_FOUND", 3)
    with big.reader() as r:
        p = Postings(r)
        for _ in range(2):
            for term in ("all", "edge", "late", "rare", "none such"):
                assert p.doc_freq("body", term) == len(_expected(term))
                assert len(p._dfs) <= 3
        assert p.doc_freqs("body", ["all", "rare", "none such"]).tolist() == [len(_expected("all")), 1, 0]
