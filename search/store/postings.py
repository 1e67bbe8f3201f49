"""Bulk access to a Whoosh reader: postings and columns as numpy arrays.

Whoosh's matchers move one posting at a time (microseconds each); a broad
query touches most of the archive, so the searcher works on whole posting
lists as arrays: each segment's arrays file (``arrays``), memory-mapped,
the only copy of the text fields' postings.  Document numbers are the
reader's global ones (segment offset + local number).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import EmptyReader
from whoosh.util.numeric import byte_to_length

from search.engine.docsets import holds
from search.store import arrays
from search.store.schema import REBUILD_HINT, IndexDamaged

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_TF = np.zeros(0, dtype=np.float32)
POSITION_CACHE = 2_000_000  # positions held decoded per snapshot: a key of 8 bytes each (doc << 32 | position: 16 MB)
POSITION_CACHE_TERM = POSITION_CACHE // 4  # a term with more is read per search, where asked
# What reading a term's positions for some documents costs, against decoding
# them all, in positions decoded (~3.5 ns each; measured on the archive,
# bench/README.md, round 7): decoding costs its positions plus DECODE_SEGMENT a
# segment holding the term, a read READ_SEGMENT a segment plus READ_DOC a
# document (reading 30 documents' positions ~50 us, decoding 高质's 9,700 ~75,
# reading them once decoded ~17).
DECODE_SEGMENT = 6_000
READ_SEGMENT = 7_000
READ_DOC = 25
ASKED = 100_000  # terms remembered as asked about, not yet decoded
TERMS_FOUND = 100_000  # terms whose numbers in the segments are remembered (~200 bytes each)
LIST_CACHE = 1_000_000  # postings held decoded per snapshot (``ids_tf``): 8 bytes each (~8 MB)
LIST_CACHE_TERM = LIST_CACHE // 4  # a term with more is decoded at each use
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class ArrayLRU:
    """A thread-safe LRU cache of arrays (or tuples of equal-length arrays)
    bounded by their total number of elements, not by entries: one broad
    term's list can hold a million."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _len(value) -> int:  # an entry counts one more than it holds: empty ones too are bounded
        return (len(value[0]) if isinstance(value, tuple) else len(value)) + 1

    def get(self, key):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= self._len(old)
            self._items[key] = value
            self.size += self._len(value)
            while self.size > self.limit and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.size -= self._len(old)

    def __len__(self) -> int:
        return len(self._items)


class Postings:
    """The leaves of one reader, and each one's arrays file, memory-mapped:
    a segment never changes once written (deletions are kept apart)."""

    def __init__(self, reader):
        self.reader = reader
        # (segment reader, global offset, its arrays file); an index with no
        # segment yet has none
        self.leaves = [(seg, offset, _segment_arrays(seg.storage(), seg.segment()))
                       for seg, offset in reader.leaf_readers() if not isinstance(seg, EmptyReader)]
        self.doc_count_all = reader.doc_count_all()
        # each term's positions decoded once (``term_positions``), bounded
        # by the positions held: a query's proximity and literal checks read
        # the same bigrams' positions search after search
        self.position_cache = ArrayLRU(POSITION_CACHE)
        self._asked: OrderedDict = OrderedDict()  # term -> documents asked about so far, not yet decoded
        self._found: dict = {}  # (field, term) -> where each segment holds it (``_where``)
        self._dfs: dict = {}  # (field, term) -> its ``doc_freq``
        # each term's (docnums, frequencies) decoded once (``ids_tf``): one search
        # asks for a bigram's list several times (a literal's candidates, the same
        # literal in a longer typed word, its header's matches)
        self.list_cache = ArrayLRU(LIST_CACHE)

    # -- columns ------------------------------------------------------------

    def numeric_column(self, fieldname: str, typecode: str, default: int = 0) -> np.ndarray:
        out = np.full(self.doc_count_all, default, dtype=np.int64)
        for seg, offset, _ in self.leaves:
            if not seg.has_column(fieldname):
                continue
            col = seg.column_reader(fieldname, translate=False)
            raw = col._dbfile.get(col._basepos, col._count * col._fixedlen)
            vals = np.frombuffer(raw, dtype=">" + typecode)
            out[offset:offset + len(vals)] = vals
        return out

    def field_lengths(self, fieldname: str) -> np.ndarray:
        out = np.zeros(self.doc_count_all, dtype=np.float32)
        for seg, offset, _ in self.leaves:
            perdoc = seg._perdoc
            col = perdoc._cached_reader("_%s_len" % fieldname, LENGTHS_COLUMN)
            if col is None:
                continue
            raw = col._dbfile.get(col._basepos, col._count * col._fixedlen)
            out[offset:offset + len(raw)] = _BYTE_TO_LENGTH[np.frombuffer(raw, dtype=np.uint8)]
        return out

    def live_mask(self) -> np.ndarray:
        live = np.ones(self.doc_count_all, dtype=bool)
        for seg, offset, _ in self.leaves:
            if seg.has_deletions():
                dead = np.fromiter(seg.deleted_docs_set, dtype=np.int64)
                live[dead + offset] = False
        return live

    # -- posting lists ------------------------------------------------------

    def _where(self, fieldname: str, text: str) -> list:
        """(segment reader, global offset, the field's arrays, the term's
        number) of each segment holding the term, in segment order: looked
        up once (a hash and a binary search a segment) and remembered, a
        search asking for one term's lists and positions several times.
        Raises ValueError for a field without positions where it has some
        other kind of postings, as before: the caller checks ``kind``."""
        key = (fieldname, text)
        hit = self._found.get(key)
        if hit is None:
            tbytes = text.encode("utf-8")
            h = np.uint64(arrays.term_hash(tbytes))  # once for every segment
            hit = []
            for seg, offset, sa in self.leaves:
                f = sa.fields.get(fieldname)
                t = f.term(tbytes, h) if f is not None else -1
                if t >= 0:
                    hit.append((seg, offset, f, t))
            if len(self._found) >= TERMS_FOUND:
                self._found = {}
            self._found[key] = hit
        return hit

    def ids_tf(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """All (docnum, term frequency) of a term, sorted by docnum,
        deleted documents included (the caller applies the live mask).
        Read-only arrays, kept decoded (LRU, bounded by ``LIST_CACHE``
        postings) unless the term holds more than ``LIST_CACHE_TERM``: a
        first search decoded 高质, 质量 and 发展 twice or three times each
        (高质量发展: ~0.4 ms of ~9).  A list kept by ``ids`` alone gets its
        frequencies here, its docnums not decoded again."""
        key = (fieldname, text)
        hit = self.list_cache.get(key)
        if hit is not None and hit[1] is not None:
            return hit
        if hit is None:
            hit = self._ids_tf(fieldname, text)
        else:
            hit = (hit[0], self._tf(fieldname, text, len(hit[0])))
        if len(hit[0]) <= LIST_CACHE_TERM:
            for a in hit:
                a.flags.writeable = False  # shared by every search that asks: never changed in place
            self.list_cache.put(key, hit)
        return hit

    def ids(self, fieldname: str, text: str) -> np.ndarray:
        """``ids_tf``'s docnums alone, the frequencies neither converted
        nor allocated where the list is not kept with them: a bigram's list
        is asked for its paragraphs (a literal's candidates, their
        intersections), its frequencies only for a word of two characters
        (发展's 64,059: 256 kB of float32 and, in a fresh process, 64 page
        faults).  Kept as ``ids_tf`` keeps lists, with no frequencies until
        ``ids_tf`` asks."""
        key = (fieldname, text)
        hit = self.list_cache.get(key)
        if hit is not None:
            return hit[0]
        ids = self._ids_tf(fieldname, text, tf=False)[0]
        if len(ids) <= LIST_CACHE_TERM:
            ids.flags.writeable = False
            self.list_cache.put(key, (ids, None))
        return ids

    def _tf(self, fieldname: str, text: str, n: int) -> np.ndarray:
        """A term's frequencies (float32, ``n`` of them), in ``ids_tf``'s order."""
        tf = np.empty(n, dtype=np.float32)
        at = 0
        for _, _, f, t in self._where(fieldname, text):
            a, b = f.pstart[t:t + 2].tolist()
            if f.freq is None:
                tf[at:at + b - a] = 1
            else:
                tf[at:at + b - a] = f.freq[a:b]
            at += b - a
        return tf

    def _ids_tf(self, fieldname: str, text: str, tf: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        where = self._where(fieldname, text)
        if not where:
            return EMPTY_IDS[:0], EMPTY_TF[:0]  # views: the shared empties stay writable
        if len(where) == 1:  # one segment (a run's segments are merged at its end): no spans listed, no slices
            _, offset, f, t = where[0]
            a, b = f.pstart[t:t + 2].tolist()
            ids = np.empty(b - a, dtype=np.int32)
            f.ids_into(t, a, b, offset, ids)
            if not tf:
                return ids, None
            return ids, (np.ones(b - a, dtype=np.float32) if f.freq is None else f.freq[a:b].astype(np.float32))
        # every segment's postings written side by side into one pair of
        # arrays (no converted parts joined: ~5 numpy calls a segment fewer)
        spans = [(f, t, offset, *f.pstart[t:t + 2].tolist()) for _, offset, f, t in where]
        total = sum(b - a for _, _, _, a, b in spans)
        ids = np.empty(total, dtype=np.int32)
        at = 0
        for f, t, offset, a, b in spans:
            end = at + b - a
            f.ids_into(t, a, b, offset, ids[at:end])
            at = end
        return ids, (self._tf(fieldname, text, total) if tf else None)

    def doc_freq(self, fieldname: str, text: str) -> int:
        """How many documents hold a term (deleted ones included until a
        merge drops them), from the arrays' offsets: nothing is decoded.
        Remembered with the term's place (a first search asks it of each
        bigram of a literal three or four times: its cover, its candidates,
        its positions)."""
        key = (fieldname, text)
        n = self._dfs.get(key)
        if n is None:
            n = sum(int(f.pstart[t + 1]) - int(f.pstart[t]) for _, _, f, t in self._where(fieldname, text))
            if len(self._dfs) >= TERMS_FOUND:
                self._dfs = {}
            self._dfs[key] = n
        return n

    def doc_freqs(self, fieldname: str, texts: list[str]) -> np.ndarray:
        """``doc_freq`` of many terms, looked up together."""
        n = np.zeros(len(texts), dtype=np.int64)
        tbytes = [t.encode("utf-8") for t in texts]
        want = arrays.term_hashes(tbytes)  # once for every segment
        for _, _, sa in self.leaves:
            f = sa.fields.get(fieldname)
            if f is None:
                continue
            t = f.terms(tbytes, want)
            found = t >= 0
            n[found] += f.pstart[t[found] + 1].astype(np.int64) - f.pstart[t[found]].astype(np.int64)
        return n

    def position_pairs(self, fieldname: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(global docnum, position) of each position of a term in
        ``docs`` (sorted global docnums), as two int64 arrays in doc then
        position order (``position_keys`` taken apart)."""
        keys = self.position_keys(fieldname, text, docs)
        return keys >> 32, keys & 0xFFFFFFFF

    def position_keys(self, fieldname: str, text: str, docs: np.ndarray) -> np.ndarray:
        """Each position of a term in ``docs`` (sorted global docnums) as
        a sorted int64 key ``doc << 32 | position``: from the term's keys
        decoded once (``term_positions``), or, for a term not decoded, read
        from the arrays for ``docs`` alone."""
        docs = np.asarray(docs, dtype=np.int64)
        whole = self.term_positions(fieldname, text, len(docs))
        if whole is None:
            return self.read_keys(fieldname, text, docs)
        if len(whole) == 0 or len(docs) == 0:
            return whole[:0]
        if len(docs) * 40 > len(whole):  # many documents: each key's document looked up in them
            return whole[holds(docs, whole >> 32)]
        lo = whole.searchsorted(docs << 32)  # few: each document's run of keys
        n = whole.searchsorted((docs + 1) << 32) - lo
        total = int(n.sum())
        first = n.cumsum() - n
        return whole[(lo - first).repeat(n) + np.arange(total, dtype=np.int64)]

    def read_keys(self, fieldname: str, text: str, docs: np.ndarray) -> np.ndarray:
        """``position_keys`` read from the arrays for ``docs`` alone, the
        term's keys not decoded (nor counted as asked for)."""
        d, pos = self._position_pairs(fieldname, text, np.asarray(docs, dtype=np.int64))
        keys = d << 32
        keys |= pos
        return keys

    def term_positions(self, fieldname: str, text: str, wanted: int | None = None):
        """Every position of a term, decoded once and kept (LRU, bounded
        by ``POSITION_CACHE`` positions), as sorted int64 keys ``doc << 32 |
        position`` (global docnums): a literal's other bigrams are looked up
        in them key by key (``matching.literal_starts``), not read for its
        documents and intersected.  None for a term holding more than
        ``POSITION_CACHE_TERM`` positions, left to be read for the
        documents a search asks about; and, when ``wanted`` documents are
        asked about, for a term whose decoding costs more than the reads
        of it so far, this one's included (``DECODE_SEGMENT``,
        ``READ_SEGMENT``, ``READ_DOC``): it would cost more than the reads it saves
        until then.  A term asked about a few documents at a time
        is decoded once those reads have cost about what decoding it does
        (a rent-or-buy rule, never more than twice the cheaper of the two):
        联播's 74,000 positions are not decoded for the one paragraph a
        second programme's first search asks about.  Raises ValueError for
        a field without positions."""
        key = (fieldname, text)
        hit = self.position_cache.get(key)
        if hit is not None:
            return hit
        self._positional(fieldname)
        found = [(f, t, offset, f.position_span(t)) for _, offset, f, t in self._where(fieldname, text)]
        n = sum(end - start for _, _, _, (start, end) in found)
        if n > POSITION_CACHE_TERM:
            return None
        if wanted is not None:
            segments = len(found)
            read = segments * READ_SEGMENT + READ_DOC * wanted
            asked = self._asked.pop(key, 0) + read
            if n + DECODE_SEGMENT * segments > asked:
                self._asked[key] = asked  # the most recently asked last
                if len(self._asked) > ASKED:
                    self._asked.popitem(last=False)
                return None
        parts = []
        for f, t, offset, span in found:
            ids, freq, pos = f.all_positions(t, span)
            if offset:
                ids += offset  # ids are all_positions' own
            keys = ids.repeat(freq)  # shifted and joined in place: no temporaries of every position (8 bytes each)
            keys <<= 32
            keys |= pos
            parts.append(keys)
        hit = (np.concatenate(parts) if len(parts) > 1 else parts[0]) if parts else np.zeros(0, np.int64)
        hit.flags.writeable = False  # shared by every search that asks: never changed in place
        self.position_cache.put(key, hit)
        return hit

    def _position_pairs(self, fieldname: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``position_pairs`` read from the arrays for ``docs`` alone: their
        postings found in the term's decoded list (``ids_tf``: kept, and
        most often decoded already for the candidates) by one search over
        every segment, not run by run of each segment's low bits (three
        runs a segment on the archive: ~35 us a segment); a few documents
        in a list not decoded, one at a time (``Field.positions``)."""
        self._positional(fieldname)
        where = self._where(fieldname, text)
        listed = self.list_cache.get((fieldname, text))
        if listed is not None:
            listed = listed[0]
        elif len(docs) > arrays.FEW and self.doc_freq(fieldname, text) <= LIST_CACHE_TERM:
            listed = self.ids(fieldname, text)
        doc_parts, pos_parts = [], []
        if listed is not None:
            ids = listed
            if len(docs) * 8 > len(ids):  # many documents: each posting's looked up in them (a bitmap)
                at = np.flatnonzero(holds(docs, ids))
                found = ids[at].astype(np.int64)
            else:  # few: each document searched for (~40 ns a search)
                want = docs.astype(ids.dtype)  # docnums fit in 32 bits: ids is not converted
                at = ids.searchsorted(want)
                np.minimum(at, len(ids) - 1, out=at)
                hit = ids[at] == want if len(ids) else np.zeros(len(docs), dtype=bool)
                at, found = at[hit], docs[hit]
            start = 0  # where the segment's postings start in ``ids``
            for _, _, f, t in where:
                n = int(f.pstart[t + 1]) - int(f.pstart[t])
                lo, hi = int(at.searchsorted(start)), int(at.searchsorted(start + n))  # methods: no list made an array
                if lo < hi:
                    d, p = f.positions_at(t, at[lo:hi] - start + int(f.pstart[t]), found[lo:hi])
                    doc_parts.append(d)
                    pos_parts.append(p)
                start += n
        else:
            for seg, offset, f, t in where:
                lo, hi = int(docs.searchsorted(offset)), int(docs.searchsorted(offset + seg.doc_count_all()))
                if lo == hi:
                    continue
                d, p = f.positions(t, docs[lo:hi] - offset)
                doc_parts.append(d + offset)
                pos_parts.append(p)
        if not doc_parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if len(doc_parts) == 1:
            return doc_parts[0], pos_parts[0]
        return np.concatenate(doc_parts), np.concatenate(pos_parts)

    def _positional(self, fieldname: str) -> None:
        """Raises ValueError where a segment has the field without positions."""
        for _, _, sa in self.leaves:
            f = sa.fields.get(fieldname)
            if f is not None and f.kind != "pos":
                raise ValueError(f"field {fieldname!r} has no positions")

    def positions(self, fieldname: str, text: str, docs: np.ndarray) -> dict[int, list[int]]:
        """Positions of a term in each of ``docs`` (sorted global docnums)."""
        out: dict[int, list[int]] = {}
        d, p = self.position_pairs(fieldname, text, docs)
        if len(d):
            cuts = np.flatnonzero(np.diff(d)) + 1
            for ds, ps in zip(np.split(d, cuts), np.split(p, cuts)):
                out[int(ds[0])] = ps.tolist()
        return out

    def terms_with_prefix(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        """Terms of a field that start with ``prefix``, the first ``limit``
        of them in byte order: a range of each segment's terms in byte
        order, not a scan of them."""
        found: set[bytes] = set()
        pb = prefix.encode("utf-8")
        for _, _, sa in self.leaves:
            f = sa.fields.get(fieldname)
            if f is not None:
                found.update(f.prefixed(pb, limit))
        return [t.decode("utf-8") for t in sorted(found)[:limit]]


def _segment_arrays(storage, segment) -> "arrays.SegmentArrays":
    sa = arrays.SegmentArrays.open(storage, segment)
    if sa is None:
        raise IndexDamaged(f"segment {segment.segment_id()} has no arrays file: run `{REBUILD_HINT}`")
    return sa


def merge_arrays(storage, segment, sources: list[tuple]) -> None:
    """Give a segment that Whoosh's writer made by merging old segments its
    arrays file, from theirs.  ``sources``: (old segment, the document
    number its first live document got, its deleted documents), in the
    order Whoosh added them; live documents keep their order.  A field at
    a time (``arrays.merge_field``: whole arrays, not a term at a time),
    so that one field's postings are in memory at once."""
    aw = arrays.ArraysWriter.create(storage, segment)
    if aw is None:
        return
    try:
        parts: dict[str, list] = {}  # field -> [(Field, base, new id of each old doc or -1 (None: none deleted), release)]
        for old, base, deleted in sources:
            sa = _segment_arrays(storage, old)
            newid = None
            if deleted:
                live = np.ones(old.doc_count_all(), dtype=bool)
                live[np.fromiter(deleted, dtype=np.int64, count=len(deleted))] = False
                newid = np.where(live, base + np.cumsum(live) - 1, -1)
            for name, f in sa.fields.items():
                parts.setdefault(name, []).append((f, base, newid, sa.release))
        for name in list(parts):
            aw.add_field(name, arrays.merge_field(parts.pop(name)))
    except BaseException:
        aw.cancel()
        raise
    aw.close()
