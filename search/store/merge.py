"""Merging the segments one run of ``zhsearch index`` wrote into fewer.

Each worker process writes segments of its own (a new one whenever the
postings it holds reach its share of memory), so an archive indexed on two
cores ends as two segments at least, and a search looks every term up,
decodes its postings and reads its columns once per segment: on the
新闻联播 archive one segment instead of two took the 36 research
questions' first-run p95 from 5.3-6.3 ms to 5.0-5.2 (bench/README.md).
Lucene and tantivy merge segments in the background for the same reason.

Whoosh's own merge (``SegmentWriter.add_reader``) re-adds every document
through its per-document writer, looking each field's length up by file
name: 82 s for the archive's two segments.  The segments merged here are
new (no deleted documents, nothing reads them yet), so their parts are
joined whole instead: the numeric columns as arrays, the stored records
as their compressed bytes (never decompressed), Whoosh's postings of the
ID fields (``doc_id``, ``path``) from the arrays file's copy of them, and
the arrays file by ``postings.merge_arrays``.  Documents keep their order,
so every document number, and every answer, stays what it was.
"""

from __future__ import annotations

import os

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import SegmentReader

from search.store import arrays
from search.store.postings import merge_arrays
from search.store.schema import ArrayFrequency
from search.store.segment import BulkSegmentWriter, Codec, _Column, _Term

# The most arrays-file bytes one merged segment is made of.  Merging holds
# about one field's postings of all its parts in memory: the 1M bench's five
# segments (800 MB of arrays) merged within 772 MB, the archive's two (290 MB)
# within 624 (bench/README.md, "Merging arrays files"), so this keeps a
# merging process within the same 1.5 GB budget as a writing one.
MERGE_MAX_BYTES = 1 << 30


def groups(sizes: list[int], limit: int) -> list[list[int]]:
    """Runs of consecutive segments (their indexes) to merge, each run's
    sizes summing to at most ``limit`` (a segment larger than it stays on
    its own): merging only neighbours keeps the documents' order."""
    out: list[list[int]] = []
    total = 0
    for i, size in enumerate(sizes):
        if out and total + size <= limit:
            out[-1].append(i)
            total += size
        else:
            out.append([i])
            total = size
    return out


def arrays_bytes(storage, segment) -> int:
    folder = getattr(storage, "folder", None)
    if folder is None:
        return 0
    try:
        return os.path.getsize(os.path.join(folder, arrays.file_name(segment)))
    except OSError:
        return 0


def merge_new_segments(ix, segments: list, limit: int | None = None) -> list:
    """``segments`` (new, no deletions, in document order) with each run of
    neighbours that ``groups`` picks merged into one; the merged segments'
    files are left for the commit to sweep away (it deletes every file
    its table of contents does not name)."""
    storage = ix.storage
    if len(segments) < 2 or getattr(storage, "folder", None) is None:
        return list(segments)
    out = []
    limit = MERGE_MAX_BYTES if limit is None else limit
    for run in groups([arrays_bytes(storage, s) for s in segments], limit):
        parts = [segments[i] for i in run]
        out.append(parts[0] if len(parts) == 1 else merge_segments(ix, parts))
    return out


class _JoiningWriter(BulkSegmentWriter):
    """A BulkSegmentWriter whose segment's arrays file is written by
    ``merge_arrays``, not from terms added to it."""

    arrays_file = False


def merge_segments(ix, segments: list):
    """One new segment holding the documents of ``segments`` (new ones,
    with no deleted documents), in their order."""
    for s in segments:
        if s.has_deletions():
            raise ValueError("merge_segments joins new segments; one has deleted documents")
    storage, schema = ix.storage, ix.schema
    w = _JoiningWriter(ix, _lk=False, codec=Codec(), compound=False)
    try:
        bases, total = [], 0
        for s in segments:
            bases.append(total)
            total += s.doc_count_all()
        _join_per_document(w, storage, segments, total)
        _join_whoosh_postings(w, storage, schema, segments, bases)
        w.docnum = total
        w._added = True
        merged = w._finalize_segment()
    except BaseException:
        w._close_segment()
        raise
    merge_arrays(storage, merged, [(s, base, frozenset()) for s, base in zip(segments, bases)])
    return merged


def _join_per_document(w: BulkSegmentWriter, storage, segments: list, total: int) -> None:
    """The stored records, as their compressed bytes, and the numeric
    columns and field lengths, as arrays."""
    pdw = w.perdocwriter
    stored = pdw._colwriters["_stored"]
    stored = getattr(stored, "_child", stored)  # under Whoosh's pickling wrapper: the bytes column
    docnum = 0
    for s in segments:
        _copy_bytes_column(storage, s, "_stored", stored, docnum)
        for col in (*w._columns.values(), *w._lengths.values()):
            _add_values(col, storage, s, s.doc_count_all())
        for name, col in w._lengths.items():
            col.total += s._fieldlengths.get(name, 0)  # the segment's sum of the field's lengths
        docnum += s.doc_count_all()
    pdw._doccount = total


def _copy_bytes_column(storage, segment, name: str, writer, docbase: int) -> None:
    """A bytes column's values (a stored record's still compressed) handed
    to ``writer`` as they are, the segment's documents numbered from
    ``docbase``; nothing where the segment has no such column."""
    fname = W3Codec.column_filename(segment, name)
    if not storage.file_exists(fname):
        return
    add_raw = columns.VarBytesColumn.Writer.add  # the bytes as they are: not compressed again
    f = storage.open_file(fname)
    try:
        reader = columns.VarBytesColumn.Reader(f, 0, storage.file_length(fname), segment.doc_count_all())
        for i, value in enumerate(columns.VarBytesColumn.Reader.__iter__(reader)):
            if value:  # an empty value is the column's default, filled in by the writer
                add_raw(writer, docbase + i, value)
    finally:
        f.close()


def _add_values(col: _Column, storage, segment, doccount: int) -> None:
    """Append one segment's values of a numeric column: its file holds them
    big-endian, up to the last value other than the default (Whoosh's
    ``NumericColumn``), the rest are filled in."""
    code = np.dtype(col.values.typecode)
    vals = np.full(doccount, col.column._default, dtype=code)
    fname = W3Codec.column_filename(segment, col.name)
    if storage.file_exists(fname):
        got = np.fromfile(os.path.join(storage.folder, fname), dtype=code.newbyteorder(">"))
        vals[:len(got)] = got
        col.given = True
    col.values.frombytes(vals.tobytes())


def _join_whoosh_postings(w: BulkSegmentWriter, storage, schema, segments: list, bases: list) -> None:
    """The postings of the fields Whoosh's files hold (the ID fields), read
    from the arrays file's copy of them and handed to the writer whole."""
    for name, (terms, kind, fmt, _) in w._fields.items():
        if isinstance(fmt, ArrayFrequency):
            continue  # in the arrays file only
        if kind not in ("none", "freq"):
            raise NotImplementedError(f"field {name!r}: only ID-like fields are joined from the arrays")
        for s, base in zip(segments, bases):
            sa = arrays.SegmentArrays.open(storage, s)
            f = sa.fields.get(name) if sa is not None else None
            if f is None:
                if s.doc_count_all() and _has_terms(storage, schema, s, name):
                    raise ValueError(f"segment {s.segid}: field {name!r} is not in its arrays file")
                continue
            ids = f.all_ids() + base
            bounds = f.pstart.astype(np.int64).tolist()
            freq = f.freq
            for t in f.lex.tolist():  # byte order: each term's postings from this segment after the last's
                tbytes = f.term_bytes(t)
                term = terms.get(tbytes)
                if term is None:
                    term = terms[tbytes] = _Term(kind)
                a, b = bounds[t], bounds[t + 1]
                term.ids.frombytes(ids[a:b].astype(np.uint32).tobytes())
                if kind == "freq":
                    term.vals.frombytes((freq[a:b] if freq is not None else np.ones(b - a)).astype(np.uint32).tobytes())
            del sa


def _has_terms(storage, schema, segment, name: str) -> bool:
    r = SegmentReader(storage, schema, segment)
    try:
        return any(True for _ in r.lexicon(name))
    finally:
        r.close()
