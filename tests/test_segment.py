"""The bulk segment writer writes what Whoosh's own writer writes: the same
terms, postings, values, term statistics, stored fields, lengths and
columns, read back through Whoosh's own reader; except that the postings
of the text fields (``ArrayFrequency``) are in the arrays file only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex
from whoosh.writing import SegmentWriter

from search import indexing
from search.store import merge
from search.indexing import build_index
from search.store import Index, analyze_article
from search.store.record import paragraph_documents
from search.store.arrays import SegmentArrays
from search.store.postings import Postings
from search.store.schema import INDEX_NAME, META_FILE, SCHEMA_VERSION, ArrayFrequency, IndexDamaged
from search.ingest import iter_source_files, read_file
from search.engine.searcher import Searcher
from search.engine.results import SearchRequest
from search.store.segment import BulkSegmentWriter, Codec

from conftest import SEEDS


def _commit(ix, writer, keep=()) -> None:
    """Finish ``writer``'s segment and make it, beside ``keep``, the index's."""
    segment = writer._finalize_segment()
    toc = ix.writer(codec=Codec(), compound=False)
    toc._commit_toc(list(keep) + [segment])
    toc._finish()


def _build(folder, writer_class, extra_docs=(), added=None):
    """The seeds and ``extra_docs`` in one segment; ``added`` gets the documents."""
    index = Index.create(folder)
    ix = windex.open_dir(str(folder), indexname=INDEX_NAME)
    w = writer_class(ix, _lk=False, codec=Codec(), compound=False)
    docs = []
    for f in sorted(iter_source_files([str(SEEDS)])):
        articles = read_file(f)
        for a in articles:
            a.path = str(f)
            docs += paragraph_documents(a, index.meta, "digest", len(articles), analyze_article(a))
    for doc in docs + list(extra_docs):
        w.add_document(**doc)
    if added is not None:
        added += docs + list(extra_docs)
    _commit(ix, w)
    return windex.open_dir(str(folder), indexname=INDEX_NAME)


# plain strings (analysed by the field's analyzer, as Whoosh does) and a
# repeated term, beside the pre-analysed documents of the seeds
EXTRA = [dict(para_id="x-1", doc_id="x", path="/x.txt", text="扶贫车间扶贫车间 2018年 ABC",
              text_grams="扶贫车间扶贫车间", header="标题", header_grams="标题标题", data={"n": 1}, day=5, para_no=1)]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """Whoosh's reader of the segment Whoosh's writer made, ours, and the
    documents both were given."""
    added = []
    whoosh_ix = _build(tmp_path_factory.mktemp("whoosh"), SegmentWriter, EXTRA)
    bulk_ix = _build(tmp_path_factory.mktemp("bulk"), BulkSegmentWriter, EXTRA, added)
    with whoosh_ix.reader() as a, bulk_ix.reader() as b:
        yield a, b, added


def _in_arrays_only(schema) -> set:
    return {name for name, field in schema.items() if isinstance(field.format, ArrayFrequency)}


def test_same_terms_postings_and_statistics(both):
    a, b, _ = both
    assert a.doc_count_all() == b.doc_count_all() > 90
    only = _in_arrays_only(a.schema)
    assert only == {"text", "text_grams", "header", "header_grams"}
    assert sorted(b.indexed_field_names()) == sorted(set(a.indexed_field_names()) - only)
    postings = 0
    for fieldname in b.indexed_field_names():
        terms = list(a.lexicon(fieldname))
        assert terms == list(b.lexicon(fieldname)), fieldname
        for t in terms:
            ia, ib = a.term_info(fieldname, t), b.term_info(fieldname, t)
            stats = lambda i: (i.doc_frequency(), i.weight(), i.max_weight(), i.min_id(), i.max_id())  # noqa: E731
            assert stats(ia) == stats(ib), (fieldname, t)
            ma, mb = a.postings(fieldname, t), b.postings(fieldname, t)
            while ma.is_active():
                assert mb.is_active(), (fieldname, t)
                assert (ma.id(), ma.weight(), ma.value()) == (mb.id(), mb.weight(), mb.value()), (fieldname, t)
                postings += 1
                ma.next()
                mb.next()
            assert not mb.is_active(), (fieldname, t)
    assert postings == 2 * a.doc_count_all()  # each paragraph's doc_id and path


def test_positions_and_frequencies_decode(both):
    _, b, _ = both
    last = b.doc_count_all() - 1  # the extra document
    p = Postings(b)
    for field in ("text_grams", "text"):
        ids, tf = p.ids_tf(field, "扶贫")
        assert ids[-1] == last and tf[-1] == 2
    assert p.positions("text_grams", "扶贫", np.array([last])) == {last: [0, 4]}


def test_same_stored_fields_lengths_and_columns(both):
    a, b, _ = both
    for d in range(a.doc_count_all()):
        assert a.stored_fields(d) == b.stored_fields(d)
        assert a.doc_field_length(d, "text") == b.doc_field_length(d, "text")
    assert a.field_length("text") == b.field_length("text") > 0  # the lengths' sum (BM25's average)
    names = [n for n, f in a.schema.items() if f.column_type is not None]
    assert {"province_mask", "year_mask", "measure_mask", "source_code", "day", "para_no", "text_key"} <= set(names)
    for col in names:  # the bulk writer keeps them in arrays and writes each whole
        assert list(a.column_reader(col)) == list(b.column_reader(col)), col


def test_bulk_writer_refuses_to_merge(tmp_path):
    Index.create(tmp_path)
    w = BulkSegmentWriter(windex.open_dir(str(tmp_path), indexname=INDEX_NAME), _lk=False, compound=False)
    with pytest.raises(NotImplementedError):
        w.add_reader(None)
    w._close_segment()


def _answers(index_dir, queries):
    """Each query's total, facets and every hit in order, hits that tie
    (equal score; in browsing, equal date) as a set: ties fall back to
    index order, and workers taking files from one queue lay the index out
    in whatever order they finish."""
    s = Searcher(str(index_dir))
    out = []
    for q in queries:
        r = s.search(SearchRequest(q=q, size=100))
        assert r.total <= 100, "every hit is compared"
        groups: list = []
        for h in r.hits:
            key = round(h.score, 4) if q else h.date
            if not groups or groups[-1][0] != key:
                groups.append((key, set()))
            groups[-1][1].add(h.para_id)
        out.append((r.total, groups, r.facets))
    return out


@pytest.mark.parametrize("procs", [1, 2])
def test_small_segments_answer_like_one(tmp_path, monkeypatch, procs):
    """Writers (in this process or in workers) that start a new segment when
    their postings reach the bound give the same answers as one segment."""
    one, many = tmp_path / "one", tmp_path / "many"
    build_index([str(SEEDS)], one, procs=1)
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 3000 * procs)
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", 0)  # the run's segments kept apart
    build_index([str(SEEDS)], many, procs=procs)
    meta = json.loads((many / META_FILE).read_text(encoding="utf-8"))
    assert meta["schema_version"] == SCHEMA_VERSION
    with windex.open_dir(str(many), indexname=INDEX_NAME).reader() as r:
        assert len(list(r.leaf_readers())) >= 3
    queries = ["扶贫", "就業扶貧", '"技能培训"', "牛肉面 OR 拉面", "扶贫 -甘肃", ""]
    assert _answers(many, queries) == _answers(one, queries)


def test_fields_analysed_by_whoosh_are_written_alike(tmp_path):
    """Fields whose analyzer is Whoosh's own (their terms are not made by
    our analysis) go through ``field.index`` and come out the same."""
    from whoosh import fields

    schema = fields.Schema(key=fields.ID(stored=True), body=fields.TEXT(phrase=True),
                           kw=fields.TEXT(phrase=False), tag=fields.KEYWORD)
    docs = [dict(key=f"k{i}", body="alpha beta alpha gamma " * (i % 3 + 1) + f"w{i % 7}",
                 kw=f"one two two x{i % 5}", tag=f"t{i % 4} t9") for i in range(3000)]
    readers = []
    for name, cls in (("whoosh", SegmentWriter), ("bulk", BulkSegmentWriter)):
        (tmp_path / name).mkdir()
        ix = windex.create_in(str(tmp_path / name), schema)
        w = cls(ix, _lk=False, codec=Codec(), compound=False)
        for d in docs:
            w.add_document(**d)
        _commit(ix, w)
        readers.append(windex.open_dir(str(tmp_path / name)).reader())
    a, b = readers
    for fieldname in ("key", "body", "kw", "tag"):
        terms = list(a.lexicon(fieldname))
        assert terms and terms == list(b.lexicon(fieldname))
        for t in terms:
            ma, mb = a.postings(fieldname, t), b.postings(fieldname, t)
            assert list(ma.items_as("weight")) == list(mb.items_as("weight")), (fieldname, t)
            if fieldname == "body":
                ma, mb = a.postings(fieldname, t), b.postings(fieldname, t)
                assert list(ma.items_as("positions")) == list(mb.items_as("positions")), t
    assert [p for p in b.postings("body", "alpha").items_as("positions")][:2] == [(0, [0, 2]), (1, [0, 2, 4, 6])]
    for r in readers:
        r.close()


@pytest.mark.parametrize("arrays_file,way", [(True, "decoded"), (True, "listed"), (True, "runs"), (False, None)])
def test_positions_read_in_bulk_match_whooshs_matcher(tmp_path, arrays_file, way, monkeypatch):
    """``Postings.positions`` reads a segment's arrays file; it must agree
    with Whoosh's own matcher for any subset of documents, in one segment
    or several, whichever way it reads them: from the term's positions
    decoded whole, or for the documents asked about only, found in the
    term's decoded list of documents (every segment's at once) or in each
    segment's runs of postings.  A segment without one is damaged."""
    from search.store import postings
    from search.store.arrays import EXT
    from whoosh import fields

    if way != "decoded":  # every term too large to keep decoded: read per call
        monkeypatch.setattr(postings, "POSITION_CACHE_TERM", 0)
    if way == "runs":  # and its list of documents never decoded
        monkeypatch.setattr(postings, "LIST_CACHE_TERM", -1)

    schema = fields.Schema(body=fields.TEXT(phrase=True))
    ix = windex.create_in(str(tmp_path), schema)
    for part in range(2):  # two segments
        w = BulkSegmentWriter(ix, _lk=False, compound=False)
        for i in range(3500):
            w.add_document(body=" ".join(["alpha" if (i * 7 + k) % 5 == 0 else f"w{k}" for k in range(i % 9 + 1)]))
        _commit(ix, w, keep=ix._segments())
    if not arrays_file:
        for f in tmp_path.glob("*" + EXT):
            f.unlink()
        with ix.reader() as r, pytest.raises(IndexDamaged, match="zhsearch index --rebuild"):
            Postings(r)
        return
    with ix.reader() as r:
        expected = dict(r.postings("body", "alpha").items_as("positions"))
        assert len(expected) > 2048
        p = Postings(r)
        rng = np.random.default_rng(1)
        for size in (1, 7, 20, 500, r.doc_count_all()):
            docs = np.sort(rng.choice(r.doc_count_all(), size, replace=False))
            assert p.positions("body", "alpha", docs) == {d: expected[d] for d in docs.tolist() if d in expected}
        assert (len(p.position_cache) == 1) == (way == "decoded")
        assert (p.list_cache.get(("body", "alpha")) is not None) == (way == "listed")


def test_arrays_file_holds_what_was_indexed(both):
    """Each segment's arrays file (memory-mapped postings) holds, term for
    term, the documents and frequencies of the postings Whoosh's own writer
    makes (for the text fields, the only copy; for the others, beside
    Whoosh's), and the positions the analysis gave each document."""
    a, b, added = both
    (seg, _), = list(b.leaf_readers())
    sa = SegmentArrays.open(seg.storage(), seg.segment())
    assert sa is not None and {"text", "text_grams", "header", "header_grams", "path"} <= set(sa.fields)
    checked = 0
    for fieldname, f in sa.fields.items():
        field = a.schema[fieldname]
        terms = list(a.lexicon(fieldname))
        assert len(f.hash) == len(terms), fieldname
        assert f.prefixed(b"", len(terms) + 1) == terms  # in byte order
        indexed: dict = {}  # term -> [(doc, positions)]
        if f.kind == "pos":
            for d, doc in enumerate(added):
                pairs = doc[fieldname].pairs if hasattr(doc[fieldname], "pairs") else field.analyzer.terms(doc[fieldname])
                for term, pos in pairs:
                    got = indexed.setdefault(term.encode("utf-8"), [])
                    if not got or got[-1][0] != d:
                        got.append((d, []))
                    got[-1][1].append(pos)
            assert len(indexed) == len(f.hash)
        for tbytes in terms:
            t = f.term(tbytes)
            assert t >= 0, (fieldname, tbytes)
            want = list(a.postings(fieldname, tbytes.decode("utf-8")).items_as("weight"))
            ids, tf = f.postings(t)
            assert ids.tolist() == [d for d, _ in want], (fieldname, tbytes)
            assert (tf.tolist() if tf is not None else [1.0] * len(ids)) == [w for _, w in want]
            if f.kind == "pos":
                assert [(d, len(v)) for d, v in indexed[tbytes]] == list(zip(ids.tolist(), tf.tolist()))
                # every other posting (a running sum), and the last (from the skip table)
                for sub in (indexed[tbytes][::2], indexed[tbytes][-1:]):
                    d, p = f.positions(t, np.array([doc for doc, _ in sub], dtype=np.int64))
                    assert list(zip(d.tolist(), p.tolist())) == [(doc, q) for doc, v in sub for q in v]
            checked += 1
        assert f.term("不在此".encode("utf-8")) == -1
    assert checked > 5_000


def test_segments_merged_by_whoosh_get_their_arrays(tmp_path, monkeypatch):
    """A change merges small old segments (Whoosh's writer, deleted
    paragraphs dropped): the merged segment's arrays come from theirs, and
    the index holds and answers what one built afresh from the same files
    does (in another document order: merging reorders segments)."""
    import shutil

    src = tmp_path / "src"
    for k in range(3):  # fifteen articles, a segment each
        shutil.copytree(SEEDS, src / str(k))
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 1500)
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", 0)  # each run's segments kept apart, for Whoosh to merge
    many = tmp_path / "many"
    build_index([str(src)], many, procs=1)
    with windex.open_dir(str(many), indexname=INDEX_NAME).reader() as r:
        before = len(list(r.leaf_readers()))
    assert before >= 12
    sorted((src / "1").iterdir())[1].unlink()  # its paragraphs are deleted, then merged away
    build_index([str(src)], many, procs=1)
    with windex.open_dir(str(many), indexname=INDEX_NAME).reader() as r:
        leaves = list(r.leaf_readers())
        assert len(leaves) < before - 1
        for seg, _ in leaves:
            assert SegmentArrays.open(seg.storage(), seg.segment()) is not None
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 10**9)
    fresh = tmp_path / "fresh"
    build_index([str(src)], fresh, procs=1)

    def holding(index_dir):
        out = []
        r = Index.open(index_dir).reader()
        try:
            p = r.postings
            live = p.live_mask()
            for field in ("text_grams", "header_grams", "text"):
                for term in ("扶贫", "车间", "培训", "就业", "甘肃"):
                    ids, tf = p.ids_tf(field, term)
                    keep = live[ids]
                    ids, tf = ids[keep], tf[keep]
                    poss = p.positions(field, term, ids) if field != "text" else {}
                    out += sorted((field, term, r.stored(d).para_id, f, tuple(poss.get(d, ())))
                                  for d, f in zip(ids.tolist(), tf.tolist()))
        finally:
            r.close()
        return out

    assert holding(many) == holding(fresh)

    def answers(index_dir):
        # the rank order: the first page's two-per-article pick among the three
        # copies of an article (equal scores) follows index order, which merging changes
        s = Searcher(str(index_dir), per_article=None)
        out = []
        for q in ["扶贫", "就業扶貧", '"技能培训"', "扶贫车间 甘肃", "劳务 输转", "扶贫 -甘肃"]:
            r = s.search(SearchRequest(q=q, size=100))
            # every hit, not the first page: copies tie, and which of them a cut
            # of the ranking keeps follows index order, which merging changes
            every = sorted(h.para_id for h in s.iter_hits(SearchRequest(q=q), snippets=False))
            out.append((r.total, every, r.facets))
        return out

    assert answers(many) == answers(fresh)


def test_same_column_files_byte_for_byte(both):
    """The columns the bulk writer keeps in arrays (and the text field's
    lengths) are the bytes Whoosh writes a value at a time: big-endian, the
    defaults between values written, none after the last."""
    a, b, _ = both
    files = {}
    for r in (a, b):
        folder, segid = r._storage.folder, r.segment().segid
        names = [n for n, f in r.schema.items() if f.column_type is not None] + ["_text_len"]
        files[r] = {n: (Path(folder) / f"{INDEX_NAME}_{segid}.{n}.col").read_bytes() for n in names}
    assert files[a] == files[b]
    assert files[a]["_text_len"] and files[a]["day"]
