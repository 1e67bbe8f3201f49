"""Merging segments' arrays files (``merge_arrays``, ``arrays.merge_field``):
whole arrays moved in blocks must give the very file that adding each
merged term's postings to a ``FieldArrays`` gives (kept below as the spec,
``_reference_merge``), and a merged index answers as its segments did."""

from __future__ import annotations

import os
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from whoosh import index as windex

from search import indexing
from search.indexing import build_index
from search.store import arrays, merge
from search.store.arrays import ArraysWriter, FieldArrays, SegmentArrays
from search.store.postings import merge_arrays

from conftest import SEEDS


# -- the spec: the per-term merge the vectorized one replaced -------------

def _reference_field(fparts: list) -> FieldArrays:
    """``fparts``: (Field, new id of each old doc or -1), in order."""
    kind = fparts[0][0].kind
    fa = FieldArrays(kind)
    terms: dict[bytes, list] = {}
    for f, newid in fparts:
        ids = newid[f.all_ids()]
        keep = ids >= 0
        if kind == "pos":
            counts = f.freq.astype(np.int64)
            pos = f.pos.astype(np.uint32)[np.repeat(keep, counts)]
            counts = counts[keep]
            pos_cut = np.concatenate([[0], np.cumsum(counts)])
        vals = f.freq[keep].astype(np.uint32) if kind == "freq" else None
        cut = np.concatenate([[0], np.cumsum(keep)])[f.pstart.astype(np.int64)]
        ids = ids[keep]
        for t in range(len(f.hash)):
            a, b = int(cut[t]), int(cut[t + 1])
            if a == b:
                continue
            if kind == "pos":
                part = (ids[a:b], counts[a:b], pos[pos_cut[a]:pos_cut[b]])
            else:
                part = (ids[a:b], vals[a:b] if vals is not None else None, None)
            terms.setdefault(f.term_bytes(t), []).append(part)
    for tbytes in sorted(terms):
        ps = terms[tbytes]
        ids = np.concatenate([p[0] for p in ps])
        if kind == "pos":
            fa.add(tbytes, ids, positions=np.concatenate([p[2] for p in ps]),
                   counts=np.concatenate([p[1] for p in ps]))
        elif kind == "freq":
            fa.add(tbytes, ids, freqs=np.concatenate([p[1] for p in ps]))
        else:
            fa.add(tbytes, ids)
    return fa


def _reference_merge(storage, segment, sources) -> None:
    aw = ArraysWriter.create(storage, segment)
    parts: dict[str, list] = {}
    for old, base, deleted in sources:
        sa = SegmentArrays.open(storage, old)
        live = np.ones(old.doc_count_all(), dtype=bool)
        if deleted:
            live[list(deleted)] = False
        newid = np.where(live, base + np.cumsum(live) - 1, -1)
        for name, f in sa.fields.items():
            parts.setdefault(name, []).append((f, newid))
    for name, fparts in parts.items():
        aw.add_field(name, _reference_field(fparts))
    aw.close()


# -- generated segments ---------------------------------------------------

class Storage:
    def __init__(self, folder):
        self.folder = str(folder)


class Seg:
    def __init__(self, name: str, docs: int):
        self.name, self.docs = name, docs

    def make_filename(self, ext):
        return self.name + ext

    def doc_count_all(self):
        return self.docs


# with the weak hash below, more than 16 terms share one (numpy's sorts
# of a few elements are stable whichever is asked for)
TERMS = [b"", b"\x00", b"a", b"a\x00", b"ab", b"b", "扶贫".encode(), "贫".encode(), b"\xff", b"zz",
         *(f"t{i}".encode() for i in range(50))]

# a term's documents: small clusters at spread-out places, so that they
# cross 65,536 boundaries and sometimes skip a whole 65,536
DOCS = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 65_535), st.integers(1, 80)), min_size=1, max_size=3)


@st.composite
def segment(draw, name: str):
    fields = {}
    for field, kind in (("p", "pos"), ("f", "freq"), ("i", "ids"), ("e", "pos")):
        if not draw(st.booleans()) and field != "p":
            continue  # a field some segments lack
        terms = {}
        if field != "e":  # "e": a field of no terms
            for t in draw(st.lists(st.sampled_from(TERMS), unique=True, max_size=40)):
                docs = set()
                for block, at, n in draw(DOCS):
                    docs.update(range((block << 16) + at, (block << 16) + at + n))
                terms[t] = sorted(docs)
        fields[field] = (kind, terms)
    if draw(st.integers(0, 9)) == 0:  # an empty segment
        fields = {field: (kind, {}) for field, (kind, _) in fields.items()}
    top = max((ids[-1] + 1 for _, terms in fields.values() for ids in terms.values()), default=0)
    docs = top + draw(st.integers(0, 70_000))  # documents past the last posting's: some in no term
    return name, docs, fields, draw(st.integers(0, 2 ** 32 - 1))


def _write_segment(folder, seg) -> Seg:
    name, docs, fields, seed = seg
    rng = np.random.default_rng(seed)
    aw = ArraysWriter(os.path.join(folder, name + arrays.EXT))
    for field, (kind, terms) in fields.items():
        fa = FieldArrays(kind)
        big = rng.random() < 0.3  # frequencies past 255, positions past 65,535: wider types
        for t in sorted(terms):
            ids = terms[t]
            if not ids:
                continue
            freqs = rng.integers(1, 400 if big else 4, size=len(ids))
            if kind == "pos":
                pos = np.concatenate([np.sort(rng.choice(100_000 if big else 500, size=k, replace=False)) for k in freqs])
                fa.add(t, ids, positions=pos, counts=freqs)
            elif kind == "freq":
                fa.add(t, ids, freqs=freqs)
            else:
                fa.add(t, ids)
        aw.add_field(field, fa)
    aw.close()
    return Seg(name, docs)


def _merged_both_ways(folder, segs, deletions) -> tuple[bytes, bytes]:
    storage = Storage(folder)
    sources, base = [], 0
    for s, dels in zip(segs, deletions):
        deleted = frozenset(d for d in dels if d < s.docs)
        sources.append((s, base, deleted))
        base += s.docs - len(deleted)
    _reference_merge(storage, Seg("want", base), sources)
    merge_arrays(storage, Seg("got", base), sources)
    with open(os.path.join(folder, "want" + arrays.EXT), "rb") as a, open(os.path.join(folder, "got" + arrays.EXT), "rb") as b:
        return a.read(), b.read()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=st.lists(st.integers(0, 2 ** 31), min_size=1, max_size=3).flatmap(
    lambda seeds: st.tuples(st.tuples(*[segment(f"s{i}") for i in range(len(seeds))]),
                            st.lists(st.frozensets(st.integers(0, 5 * 65_536), max_size=60), min_size=len(seeds),
                                     max_size=len(seeds)),
                            st.lists(st.booleans(), min_size=len(seeds), max_size=len(seeds)))),
       weak_hash=st.booleans(), chunk=st.sampled_from([arrays.CHUNK, 1, 7, 64]))
def test_merged_file_is_the_per_term_merges_byte_for_byte(case, weak_hash, chunk, tmp_path_factory):
    """Generated segments (terms shared and not, documents across and
    skipping 65,536 boundaries, positions, frequencies, ids only, fields
    some segments lack or hold no terms in, empty segments, deleted
    documents — some of them a term's whole postings): the same bytes.
    With a weak hash, terms share hashes and are ordered by their bytes;
    with small chunks, blocks are moved and sums run over many chunks."""
    segs, dels, wants_deleted = case
    folder = str(tmp_path_factory.mktemp("gen"))
    deletions = []
    for (name, docs, fields, _), d, want in zip(segs, dels, wants_deleted):
        if want:  # some of the documents the terms are in, and some others
            used = sorted({x for _, terms in fields.values() for ids in terms.values() for x in ids})
            d = d | frozenset(used[::3])
        deletions.append(d if want else frozenset())
    hashed = (lambda b: len(b) % 3) if weak_hash else arrays.term_hash
    with mock.patch.object(arrays, "term_hash", hashed), mock.patch.object(arrays, "CHUNK", chunk):
        written = [_write_segment(folder, s) for s in segs]
        want, got = _merged_both_ways(folder, written, deletions)
    assert got == want



def _written_and_merged(tmp_path, field: str, parts: list) -> "arrays.Field":
    """Each (name, FieldArrays, documents) of ``parts`` written as a
    segment's arrays file, the segments merged by ``merge_arrays`` and by
    the per-term reference: their files byte for byte the same; the merged
    field."""
    sources, base = [], 0
    for name, fa, docs in parts:
        aw = ArraysWriter(str(tmp_path / (name + arrays.EXT)))
        aw.add_field(field, fa)
        aw.close()
        sources.append((Seg(name, docs), base, frozenset()))
        base += docs
    storage = Storage(tmp_path)
    merge_arrays(storage, Seg("got", base), sources)
    _reference_merge(storage, Seg("want", base), sources)
    assert (tmp_path / "got.zpa").read_bytes() == (tmp_path / "want.zpa").read_bytes()
    return SegmentArrays(str(tmp_path / "got.zpa")).fields[field]


def test_a_term_skipping_a_whole_65536_has_its_cut_twice(tmp_path):
    """Documents 5 and 140,000 (high bits 0 and 2) after a merge: two cuts
    at the second posting, and its id read back whole; beside it a term
    going from high bits 0 to 1 has one."""
    a = FieldArrays("freq")
    a.add(b"far", [5], freqs=[1])
    a.add(b"near", [65_535], freqs=[2])
    b = FieldArrays("freq")
    b.add(b"far", [70_000], freqs=[3])
    b.add(b"near", [1], freqs=[4])
    f = _written_and_merged(tmp_path, "f", [("a", a, 70_000), ("b", b, 80_000)])
    far, near = f.term(b"far"), f.term(b"near")
    assert f.hcut[f.hoff[far]:f.hoff[far + 1]].tolist() == [1, 1]
    assert f.postings(far)[0].tolist() == [5, 140_000]
    assert f.hcut[f.hoff[near]:f.hoff[near + 1]].tolist() == [1]
    assert f.postings(near)[0].tolist() == [65_535, 70_001]
    assert f.postings(near)[1].tolist() == [2, 4]


# -- a real index's segments ---------------------------------------------

@pytest.fixture(scope="module")
def seeds_segments(tmp_path_factory):
    """The seed corpus indexed into several segments."""
    ix = tmp_path_factory.mktemp("seeds") / "ix"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(indexing, "SEGMENT_POSTINGS", 2000)
        mp.setattr(merge, "MERGE_MAX_BYTES", 0)  # the run's segments kept apart
        build_index([str(SEEDS)], ix, procs=1)
    wix = windex.open_dir(str(ix), indexname="MAIN")
    segs = wix._segments()
    assert len(segs) >= 3
    return wix.storage, segs


def _every_posting(fields: dict, offsets: list, newids: list | None = None) -> dict:
    """(field, term) -> [(new doc, frequency, positions)] over segments."""
    out: dict = {}
    for sa, off, newid in zip(fields, offsets, newids or [None] * len(fields)):
        for name, f in sa.fields.items():
            for t in range(len(f.hash)):
                docs = f.all_positions(t)[0] if f.kind == "pos" else f.postings(t)[0].astype(np.int64)
                a = int(f.pstart[t])
                for i, d in enumerate(docs.tolist()):
                    nd = off + d if newid is None else int(newid[d])
                    if nd < 0:
                        continue
                    tf = int(f.freq[a + i]) if f.freq is not None else 1
                    pos = f.positions(t, np.array([d]))[1].tolist() if f.kind == "pos" else []
                    out.setdefault((name, f.term_bytes(t)), []).append((nd, tf, pos))
    return out


@pytest.mark.parametrize("deleting", [False, True])
def test_a_merged_index_answers_as_its_segments(seeds_segments, tmp_path, deleting):
    """Every term's documents, frequencies and positions in the seed
    index's segments merged are those of the segments (deleted documents
    left out, the rest numbered on), and the file is the spec's."""
    storage, segs = seeds_segments
    sources, base, newids = [], 0, []
    for i, s in enumerate(segs):
        n = s.doc_count_all()
        deleted = frozenset(range(i % 2, n, 7)) if deleting else frozenset()
        live = np.ones(n, dtype=bool)
        live[list(deleted)] = False
        newids.append(np.where(live, base + np.cumsum(live) - 1, -1))
        sources.append((s, base, deleted))
        base += n - len(deleted)
    out = Storage(tmp_path)
    for s in segs:  # the merge reads the old segments from the storage the merged one is written to
        os.link(os.path.join(storage.folder, arrays.file_name(s)), tmp_path / arrays.file_name(s))
    merge_arrays(out, Seg("got", base), sources)
    _reference_merge(out, Seg("want", base), sources)
    assert (tmp_path / "got.zpa").read_bytes() == (tmp_path / "want.zpa").read_bytes()
    olds = [SegmentArrays.open(storage, s) for s in segs]
    merged = SegmentArrays(str(tmp_path / "got.zpa"))
    want = _every_posting(olds, [0] * len(olds), newids)
    got = _every_posting([merged], [0])
    assert got == want
    assert len(want) > 1000


def test_terms_sharing_a_hash_keep_their_byte_order(tmp_path):
    """Hundreds of terms under three hashes, in two segments: merged in
    the order of (hash, bytes), as FieldArrays orders them; each found by
    its bytes with its own postings (beside it, a term neither holds is not)."""
    terms = [f"w{i:03d}".encode() for i in range(300)]
    with mock.patch.object(arrays, "term_hash", lambda b: b[-1] % 3):
        parts = []
        for name, mine in (("a", terms[::2] + terms[1::6]), ("b", terms[1::2])):
            fa = FieldArrays("ids")
            for t in sorted(mine):
                fa.add(t, [int(t[1:]) + (name == "b")])
            parts.append((name, fa, 400))
        f = _written_and_merged(tmp_path, "i", parts)
        assert f.hash.tolist() == sorted(t[-1] % 3 for t in terms)
        for t in terms:
            i = int(t[1:])
            want = ([i] if t in terms[::2] + terms[1::6] else []) + ([400 + i + 1] if t in terms[1::2] else [])
            assert f.postings(f.term(t))[0].tolist() == want
        assert f.term(b"w300") == -1
