"""Writing Whoosh segments with the postings gathered per term in memory.

Whoosh's own ``SegmentWriter`` turns every posting into a tuple, encodes its
value (a pickle per posting for positions), adds it to a pool that is sorted
and spilled to disk in runs, merges the runs, and then hands the postings to
the codec one at a time: about 15 microseconds of Python per posting, and a
paragraph has ~190 of them.  ``BulkSegmentWriter`` writes the same segment
files in the same Whoosh 3 format (any Whoosh reader opens them; a test
compares them with what Whoosh's own writer makes), but gathers each term's
document numbers and frequencies or positions in arrays as documents arrive
(they arrive in document order, so nothing needs sorting) and writes each
term's postings a block at a time, encoding values only then (a posting's
single position, the common case, is encoded once per distinct position).
It also writes the segment's arrays file (``search.store.arrays``): for
``ArrayFrequency`` fields (and ``ArrayPositions``) the only copy of their
postings, which Whoosh's files do not hold.  Those fields' terms, made by
our analyzers, are not gathered per term: every occurrence's term number,
document and position go to three flat arrays, grouped by term with one
stable numpy sort when the segment is written (``_Grouped``).

Documents whose fields come as ``Analyzed`` (terms made by the reading
process) skip the field's analyzer; any other value goes through
``field.index`` as in Whoosh.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from pickle import dumps

import numpy as np
from whoosh import columns, formats
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3PostingsWriter, W3TermInfo, _lenfield,
)
from whoosh.system import unpack_uint
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from search.store import arrays
from search.store.schema import Analyzed, ArrayFrequency, ArrayPositions, TermTokenizer

POSTING_BLOCK = 1024  # postings per block: fewer, larger blocks read faster in bulk
_NO_LENGTH = (length_to_byte(None), length_to_byte(0))  # blocks carry no length statistics


class _PostingsWriter(W3PostingsWriter):
    def write_term(self, fmt, term: "_Term", kind: str, one: dict) -> W3TermInfo:
        """All postings of one term, a block at a time."""
        self.start_postings(fmt, W3TermInfo())
        ids, vals, multi = term.ids, term.vals, term.multi
        fb = fmt.field_boost
        n = len(ids)
        step = self._blocklimit
        for s in range(0, n, step):
            e = min(n, s + step)
            self._ids = ids[s:e]
            if kind == "none":  # Existence: every posting weighs the field boost
                freqs, values = None, None
            elif kind == "freq":
                freqs = vals[s:e]
                values = freqs.tobytes() if _BIG_ENDIAN else _big_endian(freqs)
            else:  # positions: one position kept as itself, more as encoded bytes in ``multi``
                vs = vals[s:e]
                if min(vs) >= 0:
                    freqs = None
                    values = tuple([one[p] for p in vs])
                else:
                    values = tuple([one[p] if p >= 0 else multi[~p] for p in vs])
                    freqs = array("I", [1 if p >= 0 else unpack_uint(multi[~p][:4])[0] for p in vs])
            if freqs is None:
                self._weights = array("f", [fb]) * (e - s)
            else:
                self._weights = array("f", [f * fb for f in freqs])
            self._maxweight = max(self._weights)
            self._write_bulk_block(values, last=e == n)
        self._new_block()
        terminfo = self._terminfo
        terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo

    def _write_bulk_block(self, mini_values, last: bool) -> None:
        # the same bytes as W3PostingsWriter._write_block, made from arrays
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._minlength, self._maxlength = None, 0
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        if len(ids) > 32:
            deltas = np.diff(np.frombuffer(ids, dtype=np.uint32).astype(np.int64), prepend=0).tolist()
        else:
            deltas, base = [], 0
            for i in ids:
                deltas.append(i - base)
                base = i
        w0 = weights[0]
        if all(w == w0 for w in weights):
            mini_weights = None if w0 == 1.0 else w0
        else:
            mini_weights = tuple(weights)
        comp = self._compression
        databytes = dumps((tuple(deltas), mini_weights, mini_values), 2)
        if comp:
            databytes = zlib.compress(databytes, comp)
        infobytes = dumps((len(ids), ids[-1], self._maxweight, comp) + _NO_LENGTH, 2)
        length = len(infobytes) + len(databytes)
        postfile.write_int(-length if last else length)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1


_BIG_ENDIAN = array("I", [1]).tobytes() == b"\x00\x00\x00\x01"


def _big_endian(values: array) -> bytes:
    a = array("I", values)
    a.byteswap()
    return a.tobytes()


class FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        # Whoosh looks up each posting's field length (one column read per
        # posting) only to record the shortest and longest document of every
        # block, which serves its own scorer's block skipping.  Our searcher
        # scores whole arrays and never reads them, so they are written as 0.
        super().add_postings(schema, None, items)

    def write_term(self, btext: bytes, term: "_Term", kind: str, one: dict) -> None:
        self._btext = btext
        pw = self._postwriter
        if not isinstance(pw, _PostingsWriter):
            raise TypeError("the codec's postings writer cannot write in bulk")
        terminfo = pw.write_term(self._format, term, kind, one)
        self._tindex.add(self._fieldid.to_bytes(2, "big") + btext, terminfo.to_bytes())


class Codec(W3Codec):
    """Whoosh's W3 codec with larger posting blocks, no per-block length
    statistics, and a postings writer that takes a term's postings whole."""

    def __init__(self, blocklimit=POSTING_BLOCK, **kwargs):
        super().__init__(blocklimit=blocklimit, **kwargs)

    def field_writer(self, storage, segment):
        return FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


class _Term:
    """One term's postings: document numbers, and per posting its
    frequency (``Frequency``) or its position, where it has one, else ~k
    for the k-th encoded value in ``multi`` (positional formats).  The
    positions of those are also kept flat in ``mpos`` (``mcount`` of each)
    where the term's analyzer is ours, for the arrays file; in an
    ``ArrayPositions`` field ``vals`` are frequencies and ``mpos`` every
    posting's positions."""

    __slots__ = ("ids", "vals", "multi", "mpos", "mcount")

    def __init__(self, kind, keep_positions=False):
        self.ids = array("I")
        self.vals = None if kind == "none" else array("I") if kind == "freq" else array("i")
        self.multi = [] if kind == "bytes" else None
        self.mpos = array("I") if kind == "bytes" or keep_positions else None
        self.mcount = array("I") if kind == "bytes" else None

    def add_to(self, fa: "arrays.FieldArrays", tbytes: bytes, fmt) -> None:
        """Hand the term's postings to the arrays file's writer."""
        ids = np.frombuffer(self.ids, dtype=np.uint32)
        if fa.kind == "pos" and self.mcount is None:  # ArrayPositions: every posting's positions kept
            fa.add(tbytes, ids, positions=np.frombuffer(self.mpos, dtype=np.uint32),
                   counts=np.frombuffer(self.vals, dtype=np.uint32))
            return
        if fa.kind != "pos":
            fa.add(tbytes, ids, freqs=np.frombuffer(self.vals, dtype=np.uint32) if fa.kind == "freq" else None)
            return
        vals = np.frombuffer(self.vals, dtype=np.int32)
        single = vals >= 0
        if single.all():
            fa.add(tbytes, ids, positions=vals, counts=np.ones(len(ids), dtype=np.uint32))
            return
        if len(self.mcount) < len(self.multi):  # analysed by Whoosh: decode its encodings
            for v in self.multi[len(self.mcount):]:
                poss = fmt.decode_positions(v)
                self.mcount.append(len(poss))
                self.mpos.extend(poss)
        mcount = np.frombuffer(self.mcount, dtype=np.uint32).astype(np.int64)
        counts = np.ones(len(ids), dtype=np.int64)
        counts[~single] = mcount[~vals[~single]]
        first = np.cumsum(counts) - counts
        flat = np.empty(int(counts.sum()), dtype=np.uint32)
        flat[first[single]] = vals[single]
        # the k-th encoded posting's positions, where its posting's start
        mfirst = np.cumsum(mcount) - mcount
        order = ~vals[~single]
        dest = np.repeat(first[~single], mcount[order]) + _ranks(mcount[order])
        src = np.repeat(mfirst[order], mcount[order]) + _ranks(mcount[order])
        flat[dest] = np.frombuffer(self.mpos, dtype=np.uint32)[src]
        fa.add(tbytes, ids, positions=flat, counts=counts)


def _ranks(lengths: np.ndarray) -> np.ndarray:
    """0..n-1 for each run of the given lengths, concatenated."""
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def _value_kind(fmt) -> str:
    """How a format's per-posting values are kept: encoded bytes, a
    frequency, or nothing."""
    size = fmt.fixed_value_size()
    if size is None:
        return "bytes"
    if size == 0:
        return "none"
    if type(fmt) in (formats.Frequency, ArrayFrequency, ArrayPositions):  # values: the frequency as a 4-byte big-endian int
        return "freq"
    raise NotImplementedError(f"{type(fmt).__name__}: fixed-size values other than frequencies")


class _Grouped:
    """One field's terms as they come, for a field whose postings live in
    the arrays file only and whose terms our analyzers made: per term
    occurrence its term's number (in order of first sight), its document
    and, for positional fields, its position; grouped by term with numpy
    when the segment is written (``postings``), not appended to per-term
    lists one posting at a time."""

    __slots__ = ("vocab", "tids", "docs", "counts", "poss")

    def __init__(self, positional: bool):
        self.vocab: dict[str, int] = {}
        self.tids = array("I")
        self.docs = array("I")  # each document added, and how many occurrences it gave
        self.counts = array("I")
        self.poss = array("I") if positional else None

    def add(self, terms: list, positions: list | None, docnum: int) -> None:
        vocab = self.vocab
        tids = list(map(vocab.get, terms))
        if None in tids:
            for i, t in enumerate(tids):
                if t is None:
                    term = terms[i]
                    t = vocab.get(term)
                    if t is None:
                        t = vocab[term] = len(vocab)
                    tids[i] = t
        self.tids.extend(tids)
        self.docs.append(docnum)
        self.counts.append(len(tids))
        if self.poss is not None:
            self.poss.extend(positions)

    def postings(self):
        """(term bytes, document numbers, frequencies, positions or None) of
        each term in the order of its bytes; the arrays are views into a
        few large ones."""
        n = len(self.vocab)
        if not n:
            return
        terms = list(self.vocab)
        order = sorted(range(n), key=terms.__getitem__)  # str by code point = UTF-8 bytes order
        rank = np.empty(n, dtype=np.uint32)
        rank[order] = np.arange(n, dtype=np.uint32)
        r = rank[np.frombuffer(self.tids, dtype=np.uint32)]
        self.tids = array("I")
        perm = np.argsort(r, kind="stable")  # by term; documents and positions stay in order
        r = r[perm]
        d = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), np.frombuffer(self.counts, dtype=np.uint32))[perm]
        self.docs, self.counts = array("I"), array("I")
        pos = None
        if self.poss is not None:
            pos = np.frombuffer(self.poss, dtype=np.uint32)[perm]
            self.poss = array("I")
        del perm
        first = np.empty(len(r), dtype=bool)  # each (term, document)'s first occurrence: a posting
        first[0] = True
        np.not_equal(r[1:], r[:-1], out=first[1:])
        first[1:] |= d[1:] != d[:-1]
        starts = np.flatnonzero(first)
        del first
        ids = d[starts]
        freqs = np.diff(np.append(starts, len(r))).astype(np.uint32)
        bounds = np.searchsorted(r[starts], np.arange(n + 1, dtype=np.uint32))  # each term's postings
        pbounds = np.append(starts, len(r))[bounds]  # and its positions
        del r, d
        bounds, pbounds = bounds.tolist(), pbounds.tolist()
        for k in range(n):
            a, b = bounds[k], bounds[k + 1]
            yield (terms[order[k]].encode("utf-8"), ids[a:b], freqs[a:b],
                   None if pos is None else pos[pbounds[k]:pbounds[k + 1]])


class _Column:
    """One numeric column's values of a segment's documents, as Whoosh's
    ``NumericColumn`` writes them: big-endian, up to the last value other
    than the default (Whoosh fills the gaps with it and writes no trailing
    ones); the column exists once a document gave it a value."""

    __slots__ = ("name", "column", "values", "given", "total")

    def __init__(self, name: str, column):
        self.name = name  # the column's (an indexed field's lengths: Whoosh's name for them)
        self.column = column
        self.values = array(self.typecode(column))
        self.given = False
        self.total = 0  # lengths: their sum, the segment's field length

    @staticmethod
    def typecode(column) -> str | None:
        """The array typecode of the column's struct code (the same size)."""
        code = getattr(column, "_typecode", None)
        if type(column) is not columns.NumericColumn or code is None or code not in "bBhHiIlLqQfd":
            return None
        return code if array(code).itemsize == struct.calcsize("!" + code) else None

    @classmethod
    def fits(cls, column) -> bool:
        return cls.typecode(column) is not None

    def add(self, value) -> None:
        if value is None:
            self.values.append(self.column._default)
        else:
            self.values.append(value)
            self.given = True

    def add_length(self, length) -> None:
        if length:
            self.values.append(length_to_byte(length))
            self.total += length
            self.given = True
        else:
            self.values.append(0)

    def write(self, pdw) -> None:
        if not self.given:
            return
        values = self.values
        kept = np.flatnonzero(np.frombuffer(values, dtype=values.typecode) != self.column._default)
        values = values[:int(kept[-1]) + 1] if len(kept) else values[:0]
        if not _BIG_ENDIAN:
            values.byteswap()
        pdw._create_column(self.name, self.column)
        writer = pdw._get_column(self.name)
        writer._dbfile.write(values.tobytes())
        writer._count = len(values)
        self.values = array(values.typecode)


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` for new documents (not for merging readers in:
    use Whoosh's writer for that) that writes each term's postings whole.

    ``postings`` counts the postings it holds in memory (about 8 bytes each,
    ~15 with the terms and values around them; for the grouped fields, term
    occurrences, 8-12 bytes each), so a caller can finish the segment and
    start another before memory runs short.  Boosts are not
    supported (nothing here uses them)."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", Codec())
        if not isinstance(kwargs["codec"], Codec):
            raise TypeError("BulkSegmentWriter needs search.segment.Codec")
        super().__init__(ix, **kwargs)
        self.postings = 0
        self._fields: dict[str, tuple] = {}  # name -> (terms, value kind, format, analyzed?)
        self._grouped: dict[str, _Grouped] = {}  # the fields gathered for grouping at the end
        for name, field in self.schema.items():
            if not field.indexed:
                continue
            if field.separate_spelling() or field.vector:
                raise NotImplementedError(f"field {name!r}: spelling or vectors are not written in bulk")
            fmt = field.format
            analyzed = (isinstance(field.analyzer, TermTokenizer)
                        and type(fmt) in (formats.Positions, formats.Frequency, ArrayFrequency, ArrayPositions))
            if type(fmt) is ArrayPositions and not analyzed:
                raise NotImplementedError(f"field {name!r}: ArrayPositions needs a TermTokenizer")
            if isinstance(fmt, ArrayFrequency) and getattr(self.storage, "folder", None) is None:
                raise NotImplementedError(f"field {name!r}: its postings go to an arrays file, in a folder")
            self._fields[name] = ({}, _value_kind(fmt), fmt, analyzed)
            if analyzed and isinstance(fmt, ArrayFrequency):
                self._grouped[name] = _Grouped(type(fmt) is ArrayPositions)
        self._one_position: dict[int, bytes] = {}
        # numeric columns (a COLUMN field's, an indexed field's lengths) kept
        # in arrays and written whole with the segment: Whoosh writes each
        # value as it comes, through four calls and a struct.pack (~2 us a
        # value, a dozen values a paragraph)
        self._columns: dict[str, _Column] = {}
        self._lengths: dict[str, _Column] = {}
        for name, field in self.schema.items():
            col = field.column_type
            if col is not None and not field.indexed and not field.stored and _Column.fits(col):
                self._columns[name] = _Column(name, col)
            if field.indexed and field.scorable:
                self._lengths[name] = _Column(_lenfield(name), LENGTHS_COLUMN)

    arrays_file = True  # whether the segment's arrays file is written from the terms added

    def add_reader(self, reader):
        raise NotImplementedError("merge readers with Whoosh's SegmentWriter")

    def add_document(self, **fields):
        self._check_state()
        pdw = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        docboost = self._doc_boost(fields)
        columns, lengths = self._columns, self._lengths
        row = {}  # this document's values of the columns kept in arrays
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                col = columns.get(name)
                if col is not None:
                    # neither indexed nor stored: Whoosh's add_field does nothing for it
                    row[col] = field.to_column_value(fields.get("_stored_%s" % name, value))
                    continue
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    length = self._index_value(name, field, value, docnum, boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get("_stored_%s" % name, value)
                if length and name in lengths:
                    row[lengths[name]] = length
                    length = 0
                pdw.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    pdw.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        for col in columns.values():
            col.add(row.get(col))
        for col in lengths.values():
            col.add_length(row.get(col))
        self._added = True
        self.docnum += 1

    def _index_value(self, name, field, value, docnum, boost) -> int:
        if boost != 1.0:
            raise NotImplementedError("document and field boosts are not written in bulk")
        terms, kind, fmt, analyzed = self._fields[name]
        if not analyzed:  # terms as Whoosh makes them
            length = 0
            for tbytes, freq, _, vbytes in field.index(value):
                t = terms.get(tbytes)
                if t is None:
                    t = terms[tbytes] = _Term(kind)
                t.ids.append(docnum)
                if kind == "bytes":
                    t.vals.append(~len(t.multi))
                    t.multi.append(vbytes)
                elif kind == "freq":
                    t.vals.append(freq)
                length += freq
                self.postings += 1
            return length
        grouped = self._grouped.get(name)
        if grouped is not None:
            if not isinstance(value, Analyzed):
                value = Analyzed.of(field.analyzer.terms(value))
            elif value.positions is None and grouped.poss is not None:
                raise TypeError(f"field {name!r} keeps positions: its terms come without them")
            grouped.add(value.terms, value.positions, docnum)
            self.postings += len(value.terms)  # occurrences: at most as many postings, and what memory holds
            return len(value.terms)
        pairs = value.pairs if isinstance(value, Analyzed) else field.analyzer.terms(value)
        by_term: dict[str, list[int]] = {}
        for term, pos in pairs:
            p = by_term.get(term)
            if p is None:
                by_term[term] = [pos]
            else:
                p.append(pos)
        positional = kind == "bytes"
        in_arrays = type(fmt) is ArrayPositions
        one = self._one_position
        for term, poss in by_term.items():
            t = terms.get(term)
            if t is None:
                t = terms[term] = _Term(kind, in_arrays)
            t.ids.append(docnum)
            if not positional:
                t.vals.append(len(poss))
                if in_arrays:
                    t.mpos.extend(poss)
            elif len(poss) == 1:
                p = poss[0]
                if p not in one:
                    one[p] = fmt.encode(poss)
                t.vals.append(p)
            else:
                t.vals.append(~len(t.multi))
                t.multi.append(fmt.encode(poss))
                t.mcount.append(len(poss))
                t.mpos.extend(poss)
        self.postings += len(by_term)
        return len(pairs)

    def _flush_segment(self):
        pdw = self.perdocwriter
        for col in self._columns.values():
            col.write(pdw)
        for name, col in self._lengths.items():
            col.write(pdw)
            if col.total:
                pdw._fieldlengths[name] += col.total
        self._columns = {name: _Column(name, col.column) for name, col in self._columns.items()}
        self._lengths = {name: _Column(col.name, col.column) for name, col in self._lengths.items()}
        pdw.close()
        fw = self.fieldwriter
        # None without a folder, or where the arrays file is written otherwise (search.store.merge)
        aw = arrays.ArraysWriter.create(self.storage, self.newsegment) if self.arrays_file else None
        for name in sorted(self._fields):
            terms, kind, fmt = self._fields[name][:3]
            grouped = self._grouped.get(name)
            if grouped is not None:
                if aw and grouped.vocab:
                    fa = arrays.FieldArrays(arrays.field_kind(fmt))
                    for tbytes, ids, freqs, positions in grouped.postings():
                        if positions is None:
                            fa.add(tbytes, ids, freqs=freqs)
                        else:
                            fa.add(tbytes, ids, positions=positions, counts=freqs)
                    aw.add_field(name, fa)
                    del fa
                self._grouped[name] = _Grouped(grouped.poss is not None)
                continue
            if not terms:
                continue
            akind = arrays.field_kind(fmt) if aw else None
            fa = arrays.FieldArrays(akind) if akind else None
            in_whoosh = not isinstance(fmt, ArrayFrequency)
            if in_whoosh:
                fw.start_field(name, self.schema[name])
            keys = sorted(terms)  # str by code point = UTF-8 bytes order; bytes as bytes
            for key in keys:
                t = terms.pop(key)
                tbytes = key.encode("utf-8") if isinstance(key, str) else key
                if in_whoosh:
                    fw.write_term(tbytes, t, kind, self._one_position)
                if fa is not None:
                    t.add_to(fa, tbytes, fmt)
            if in_whoosh:
                fw.finish_field()
            if fa is not None:  # written field by field: one field's arrays in memory at a time
                aw.add_field(name, fa)
        fw.close()
        if aw:
            aw.close()
        self.postings = 0
