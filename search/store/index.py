"""An index folder: opening it, reading one committed state of it, and
changing it (deletions and new segments, committed together)."""

from __future__ import annotations

import os
import struct
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from pickle import loads
from zlib import decompress

import numpy as np
from whoosh import columns
from whoosh import index as windex
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.writing import CLEAR, LockError

from search.text.scrub import printable_path
from search.store.postings import Postings, merge_arrays
from search.store.record import (
    HEAD_LEN, PARA_LEN, TEXT_AT, BadRecord, StoredParagraph, article_of, back_of, decode, names_of, paragraph_documents,
)
from search.store import integrity
from search.store.schema import (
    INDEX_NAME, IndexLocked, IndexMissing, IndexUnavailable, Meta, make_schema,
)
from search.store.segment import BulkSegmentWriter, Codec

MERGE_MB = 256  # Whoosh's posting pool when it merges small old segments
BUFSIZE = 4096  # zlib's first output buffer for a record: a record is small, and zlib's default is slower
RECENT = 256  # records a reader keeps of the last it read (~1 kB each)
ARTICLE_CACHE = 16384  # articles' fields a reader keeps (emptied when full, so its memory is bounded)


def exists(index_dir: str | Path) -> bool:
    try:
        return windex.exists_in(str(index_dir), indexname=INDEX_NAME)
    except Exception:  # a table of contents that is there but does not read: Index.open says so
        return True


class Index:
    """One index folder and its metadata."""

    def __init__(self, index_dir: str | Path, ix, meta: Meta):
        self.dir = str(index_dir)
        self._ix = ix
        self.meta = meta

    @classmethod
    def open(cls, index_dir: str | Path) -> "Index":
        """The index in ``index_dir``, checked to be one this version built."""
        index_dir = str(index_dir)
        if not exists(index_dir):
            raise IndexMissing(f"no index in {index_dir}: build one with `zhsearch index`")
        meta = Meta.load(index_dir)
        try:
            ix = windex.open_dir(index_dir, indexname=INDEX_NAME)
        except Exception as e:  # a table of contents that does not unpickle, a missing segment...
            raise integrity.damaged(index_dir, f"{type(e).__name__}: {e}") from None
        return cls(index_dir, ix, meta)

    @classmethod
    def create(cls, index_dir: str | Path) -> "Index":
        """A new, empty index in ``index_dir`` (what was there is replaced)."""
        os.makedirs(index_dir, exist_ok=True)
        ix = windex.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)
        meta = Meta.new()
        meta.save(index_dir)
        return cls(index_dir, ix, meta)

    def latest_generation(self) -> int:
        return self._ix.latest_generation()

    def reader(self) -> "IndexReader":
        """The latest committed state, checked (the cheap part of
        ``integrity.verify``); raises IndexDamaged."""
        try:
            return IndexReader(self._ix, self.meta, verify_in=self.dir)
        except IndexUnavailable:
            raise
        except Exception as e:
            raise integrity.damaged(self.dir, f"{type(e).__name__}: {e}") from None

    def check(self, full: bool = True) -> int:
        """Check the latest generation (every file's checksum when
        ``full``); returns how many files were checked.  Raises IndexDamaged."""
        r = self.reader()
        try:
            n = r.verify(self.dir, self.meta, full=full)
            if full:
                for _ in r.iter_stored():  # every stored record decodes
                    pass
            return n
        except IndexUnavailable:
            raise
        except Exception as e:
            raise integrity.damaged(self.dir, f"{type(e).__name__}: {e}") from None
        finally:
            r.close()

    def update(self, replace: bool = False) -> "IndexUpdate":
        """Start changing the index (one writer at a time: raises IndexLocked).
        With ``replace`` the commit holds the new segments only: the live
        generation is served, untouched, until then."""
        try:
            writer = self._ix.writer(codec=Codec(), limitmb=MERGE_MB, compound=False)
        except LockError:
            raise IndexLocked(f"another `zhsearch index` (pid {_lock_holder(self.dir) or 'unknown'}) "
                              f"is writing to {self.dir}; try again when it is done") from None
        update = IndexUpdate(self, writer, replace)
        update.taken_over = _note_lock_holder(self.dir)
        return update

    def merged_new(self, segments: list) -> list:
        """New segments (from ``segment_writer``s, not yet committed) with
        runs of neighbours merged into one (``search.store.merge``)."""
        from search.store.merge import merge_new_segments

        return merge_new_segments(self._ix, segments)

    def segment_writer(self) -> "SegmentWriter":
        """A writer of new segments, for this process or a worker; the
        segments it finishes are committed by an :class:`IndexUpdate`."""
        return SegmentWriter(self)

    def indexed_files(self, sources: list[str] | None = None) -> dict[str, "IndexedFile"]:
        """Source files in the index (all, or those that are or lie under one
        of ``sources``): the content hash each was indexed at and how many
        articles and paragraphs it gave.  Looked up by prefix in the sorted
        term index, so adding one file to a large archive does not visit the
        others."""
        prefixes = [""] if sources is None else sorted({printable_path(Path(s).resolve()) for s in sources})
        out: dict[str, IndexedFile] = {}
        r = IndexReader(self._ix, self.meta)
        try:
            postings = r.postings
            live = postings.live_mask()
            para_no = None
            for prefix in prefixes:
                for tbytes in postings.reader.expand_prefix("path", prefix):
                    path = tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes
                    if prefix and path != prefix and not path.startswith(prefix.rstrip(os.sep) + os.sep):
                        continue  # /a/b.txt is not under /a/b
                    ids = postings.ids_tf("path", path)[0]
                    ids = ids[live[ids]]
                    if len(ids):
                        rec = r.stored(int(ids[0]))
                        articles = rec.file_articles
                        if not articles:  # written in parts (search.indexing): its first paragraphs count
                            if para_no is None:
                                para_no = postings.numeric_column("para_no", "i")
                            articles = int((para_no[ids] == 1).sum())
                        out[path] = IndexedFile(rec.file_hash, articles, len(ids))
        finally:
            r.close()
        return out


    def doc_id_paths(self, doc_ids) -> dict[str, str]:
        """The file each of ``doc_ids`` that the index holds (live) came from."""
        out: dict[str, str] = {}
        if not doc_ids or self._ix.doc_count_all() == 0:
            return out
        r = IndexReader(self._ix, self.meta)
        try:
            live = r.postings.live_mask()
            for doc_id in doc_ids:
                ids = r.postings.ids_tf("doc_id", doc_id)[0]
                ids = ids[live[ids]]
                if len(ids):
                    out[doc_id] = r.stored(int(ids[0])).path
        finally:
            r.close()
        return out


@dataclass
class IndexedFile:
    hash: str
    articles: int
    paragraphs: int


class IndexReader:
    """One committed state of the index: its postings, columns and stored
    paragraphs."""

    def __init__(self, ix, meta: Meta, verify_in: str | None = None):
        """With ``verify_in`` (the index folder), the state is checked (the
        cheap part of ``integrity.verify``) before any of its files is
        mapped or read: a file cut short is named, not met as a fault."""
        self._names = names_of(meta)  # the vocabularies the records' provinces and measures point into
        self._searcher = ix.searcher()
        self._reader = self._searcher.reader()
        self.generation = self._reader.generation()
        if verify_in is not None:
            try:
                segids = [seg.segment().segid for seg, _ in self._reader.leaf_readers() if seg.segment() is not None]
                integrity.verify(verify_in, self.generation, segids, meta)
            except BaseException:
                self._searcher.close()
                raise
        self.postings = Postings(self._reader)
        for seg, _, _ in self.postings.leaves:
            _open_stored_column(seg)
        # each segment's first global docnum, end, and reader of its records
        self._starts = [offset for _, offset, _ in self.postings.leaves]
        self._ends = [offset + seg.doc_count_all() for seg, offset, _ in self.postings.leaves]
        self._raw = [_raw_stored(seg) for seg, _, _ in self.postings.leaves]
        self._articles: dict[int, dict] = {}  # head docnum -> article fields (record.article_of)
        self._shared: dict[str, str] = {}  # their paths and file hashes, one string each
        self._recent: dict[int, tuple] = {}  # docnum -> its record, of the last few read (``_data``)

    def segment_ids(self) -> list[str]:
        return [seg.segment().segid for seg, _, _ in self.postings.leaves if seg.segment() is not None]

    def verify(self, index_dir, meta: Meta, full: bool = False) -> int:
        """Check this state against the sums its commit recorded."""
        return integrity.verify(index_dir, self.generation, self.segment_ids(), meta, full=full)

    def stored(self, docnum: int) -> StoredParagraph:
        docnum = int(docnum)
        i = bisect_right(self._starts, docnum) - 1
        if i < 0 or docnum >= self._ends[i]:
            raise IndexError(f"no document {docnum}")
        return self._record(i, docnum - self._starts[i])

    def stored_text(self, docnum: int) -> str:
        """A paragraph's text alone: its own record read, not its article's
        head nor the rest decoded (ranking reads the texts of a search's
        best candidates, most of them of articles not read before)."""
        return self.stored_texts((docnum,))[0]

    def stored_texts(self, docnums) -> list[str]:
        """``stored_text`` of each of ``docnums`` (global), in their order:
        ranking reads its best candidates' texts together, one loop with
        its lookups bound once (a call of ``stored_text`` each cost ~1.5 us
        besides the read: its own lookups, ``_data``'s, ``back_of``'s).
        Each record is kept among the recent as ``_data`` keeps it."""
        recent, starts, ends, raws = self._recent, self._starts, self._ends, self._raw
        out = []
        for docnum in docnums:
            docnum = int(docnum)
            data = recent.get(docnum)
            if data is None:
                i = bisect_right(starts, docnum) - 1
                if i < 0 or docnum >= ends[i]:
                    raise IndexError(f"no document {docnum}")
                data = raws[i](docnum - starts[i])
                if len(recent) >= RECENT:
                    recent = self._recent = {}
                recent[docnum] = data
            # ``back_of``'s checks inline; it names what is wrong
            if (type(data) is not tuple or len(data) not in (PARA_LEN, HEAD_LEN) or type(data[0]) is not int
                    or data[0] < 0 or (data[0] == 0) != (len(data) == HEAD_LEN)):
                back_of(data)
            text = data[TEXT_AT]
            if type(text) is not str:
                raise BadRecord(f"a stored paragraph's text is not a str: {text!r:.80}")
            out.append(text)
        return out

    def _record(self, i: int, d: int, kept: dict | None = None) -> StoredParagraph:
        """The record of document ``d`` of segment ``i``; with ``kept``, the
        article fields read are kept there rather than in the reader's cache."""
        raw = self._raw[i]
        data = raw(d) if kept is not None else self._data(i, d)
        head = d - back_of(data)
        if head < 0:
            raise BadRecord(f"document {d} names an article head before its segment's start")
        key = self._starts[i] + head
        article = self._articles.get(key)
        if article is None:
            if kept is None:
                # the head may be among the records just read (a search's candidates)
                head_data = data if head == d else self._recent.get(key)
                article = self._article(key, raw(head) if head_data is None else head_data)
            else:
                article = kept.get(key)
                if article is None:
                    article = kept[key] = article_of(raw(head) if head != d else data, self._names)
        return decode(data, article, self._names)

    def _data(self, i: int, d: int):
        """The record of document ``d`` of segment ``i``, kept among the
        last RECENT read: ranking reads the texts of a search's best 30
        candidates, then the hits read the best 10 of them whole (each read
        a pread, a decompress and an unpickle, ~15 us).  A record is a
        tuple of str, int and tuples: nothing a reader changes."""
        key = self._starts[i] + d
        data = self._recent.get(key)
        if data is None:
            data = self._raw[i](d)
            if len(self._recent) >= RECENT:
                self._recent = {}
            self._recent[key] = data
        return data

    def _article(self, key: int, head_data) -> dict:
        """The article fields of the head record ``head_data`` (global
        docnum ``key``), kept for the next paragraphs read."""
        if len(self._articles) >= ARTICLE_CACHE:
            self._articles.clear()
            self._shared.clear()
        article = self._articles[key] = article_of(head_data, self._names, self._shared)
        return article

    def stored_many(self, docnums, keep: bool = True) -> list[StoredParagraph]:
        """The stored records of many paragraphs (global docnums, any order),
        in the order given: each segment's stored column is read directly
        (one pread, one decompress and one unpickle a record, and the same
        for each article head not read before), without Whoosh's lookups a
        document at a time, which cost several times that.  Without
        ``keep``, the articles read are kept for this call only, not in the
        reader's cache: an export reading every hit would fill that cache
        (some 20 MB, held after it) and empty it again and again, for the
        searches going on as well."""
        docnums = np.asarray(docnums, dtype=np.int64)
        out: list = [None] * len(docnums)
        record = self._record
        kept = None if keep else {}
        for i, (lo, hi) in enumerate(zip(self._starts, self._ends)):
            at = np.flatnonzero((docnums >= lo) & (docnums < hi))
            if len(at) == 0:
                continue
            for j, d in zip(at.tolist(), (docnums[at] - lo).tolist()):
                out[j] = record(i, d, kept)
        return out

    def iter_stored(self):
        """Every live paragraph, in index order.  Checks what each record
        says of its article: its head is the article's first paragraph, and
        an article has the paragraphs its head counts (raises BadRecord)."""
        live = self.postings.live_mask()
        names = self._names
        for i, (lo, hi) in enumerate(zip(self._starts, self._ends)):
            raw = self._raw[i]
            head, article, left = -1, None, 0
            for d in np.flatnonzero(live[lo:hi]).tolist():
                data = raw(d)
                h = d - back_of(data)
                if h != head:
                    if left:
                        raise BadRecord(f"article {article['doc_id']!r} has {left} paragraphs fewer than "
                                        f"its first one says")
                    if h < 0 or not live[lo + h]:
                        raise BadRecord(f"document {lo + d} names a head that is not a live paragraph")
                    head, article = h, article_of(data if h == d else raw(h), names)
                    left = article["n_paragraphs"]
                if left <= 0:
                    raise BadRecord(f"article {article['doc_id']!r} has more paragraphs than its first one says")
                left -= 1
                yield decode(data, article, names)
            if left:
                raise BadRecord(f"article {article['doc_id']!r} has {left} paragraphs fewer than its first one says")

    def close(self) -> None:
        self._searcher.close()


def _raw_stored(seg):
    """A function docnum -> stored record (the ``data`` tuple, None where
    the document stored nothing) reading a W3 segment's stored column
    (zlib-compressed pickles) directly: one ``pread`` of the record's
    bytes where the column is a plain file (no seek, no buffer, and,
    unlike a memory map, nothing of the file counted in the process's
    memory), else through Whoosh's file object; Whoosh's own lookup for
    another layout."""
    try:
        col = seg._perdoc._cached_reader("_stored", STORED_COLUMN)
        child = col._child
        lengths, offsets, base, dbfile = child._lengths, child._offsets, child._basepos, child._dbfile
    except AttributeError:
        return lambda docnum: seg.stored_fields(docnum).get("data")
    if getattr(dbfile, "is_real", False):
        fd = dbfile.fileno()

        def fetch(at: int, n: int) -> bytes:
            return os.pread(fd, n, at)
    else:
        fetch = dbfile.get

    def read(docnum: int):
        n = lengths[docnum]
        return loads(decompress(fetch(base + offsets[docnum], n), 15, BUFSIZE)).get("data") if n else None

    return read


class _StoredBytes(columns.CompressedBytesColumn.Reader):
    """Whoosh's reader of the stored-paragraph column, its documents'
    offsets summed by numpy: Whoosh sums them in a Python loop when the
    first paragraph is read (a fifth of a second per 100k paragraphs, paid
    by someone's first search)."""

    def _read_offsets_and_lengths(self):
        dbfile, n = self._dbfile, self._doccount
        last = self._basepos + self._length - 1
        code = chr(dbfile.get_byte(last))
        if code == "X":  # the offsets are stored: nothing to sum
            return super()._read_offsets_and_lengths()
        lengths = dbfile.get_array(last - struct.calcsize(code) * n, code, n)
        sums = np.cumsum(np.asarray(lengths, dtype=np.int64))
        self._offsets = array("q", (sums - np.asarray(lengths, dtype=np.int64)).tobytes())
        self._lengths = lengths


def _open_stored_column(seg) -> None:
    """Give a segment reader its stored-paragraph column reader now, the
    fast way (Whoosh's ``W3PerDocReader`` makes it on the first read)."""
    perdoc = seg._perdoc
    if "_stored" in perdoc._readers or not perdoc.has_column("_stored"):
        return
    colfile, offset, length = perdoc._get_column_file("_stored")
    perdoc._colfiles["_stored"] = (colfile, offset, length)
    perdoc._readers["_stored"] = columns.PickleColumn.Reader(_StoredBytes(colfile, offset, length, perdoc._doccount, "zlib"))


class SegmentWriter:
    """Writes articles into new segments, starting another whenever the
    postings held in memory reach a bound."""

    def __init__(self, index: Index):
        self._index = index
        self._writer: BulkSegmentWriter | None = None
        self.names_seen: dict = {}  # single-valued facets' codes -> names, for the metadata

    def add(self, article, meta: Meta, file_hash: str, file_articles: int, analyzed) -> int:
        """Add one article's paragraphs; returns how many."""
        if self._writer is None:
            # no lock: the IndexUpdate holds it and commits the segment
            self._writer = BulkSegmentWriter(self._index._ix, _lk=False, codec=Codec(), compound=False)
        n = 0
        for doc in paragraph_documents(article, meta, file_hash, file_articles, analyzed, self.names_seen):
            self._writer.add_document(**doc)
            n += 1
        return n

    @property
    def postings(self) -> int:
        return self._writer.postings if self._writer is not None else 0

    def finish(self):
        """The finished segment (None when nothing was added)."""
        w, self._writer = self._writer, None
        if w is None:
            return None
        if not w._added:
            w._close_segment()
            return None
        return w._finalize_segment()

    def abandon(self) -> None:
        """Drop what was written (its files go at the next commit)."""
        w, self._writer = self._writer, None
        if w is not None:
            w._close_segment()


LOCK_HOLDER = "zhsearch.lock"  # the pid of the `zhsearch index` holding Whoosh's write lock


def _lock_holder(index_dir: str) -> int | None:
    try:
        return int(Path(index_dir, LOCK_HOLDER).read_text().strip())
    except (OSError, ValueError):
        return None


def _note_lock_holder(index_dir: str) -> int | None:
    """Record this process as the write lock's holder (the lock itself is
    Whoosh's ``flock``, which the kernel drops with its last holder);
    returns the pid of an earlier holder that ended without releasing it
    (killed), whose unfinished segments the commit will sweep away."""
    before = _lock_holder(index_dir)
    Path(index_dir, LOCK_HOLDER).write_text(f"{os.getpid()}\n")
    return before if before is not None and before != os.getpid() else None


def _forget_lock_holder(index_dir: str) -> None:
    try:
        if _lock_holder(index_dir) == os.getpid():
            os.unlink(Path(index_dir, LOCK_HOLDER))
    except OSError:
        pass


class IndexUpdate:
    """Deletions and new segments, committed together: one new table of
    contents, so a reader sees all of a change or none of it."""

    def __init__(self, index: Index, writer, replace: bool = False):
        self._index = index
        self._writer = writer
        self._replace = replace
        self.taken_over: int | None = None  # the pid of a killed indexer whose lock this took over

    def release_in_child(self) -> None:
        """In a process forked from the one holding the update: close this
        process's copy of the write lock's file, so that the lock ends with
        the updating process even if this one outlives it (closing a copy
        does not unlock the others)."""
        lock = getattr(self._writer, "writelock", None)
        fd = getattr(lock, "fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def delete_path(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def commit(self, new_segments: list, names_seen: dict | None = None) -> None:
        """Commit the deletions, Whoosh's merge of small old segments, and
        ``new_segments`` (written by SegmentWriters here or in workers).
        The metadata, with the names of new facet values, is saved first:
        names of values no paragraph holds yet are harmless."""
        meta = self._index.meta
        for facet, names in (names_seen or {}).items():
            for code, name in names.items():
                meta.names.setdefault(facet, {}).setdefault(code, name)
        meta.save(self._index.dir)
        w = self._writer
        sources = []  # the old segments Whoosh's merge adds, and where their documents go
        add_reader = w.add_reader

        def add_reader_noting(reader):
            deleted = frozenset(reader.deleted_docs_set) if reader.has_deletions() else frozenset()
            sources.append((reader.segment(), w.docnum, deleted))
            add_reader(reader)

        w.add_reader = add_reader_noting
        # merge small old segments; a rebuild keeps none of them
        segments = w._merge_segments(CLEAR if self._replace else None, False, True)
        if w._added:  # Whoosh's merge made a segment: it gets its arrays file too
            merged = w._finalize_segment()
            merge_arrays(w.storage, merged, sources)
            segments.append(merged)
        else:
            w._close_segment()
        integrity.record(self._index.dir, w.generation, [s.segid for s in segments + new_segments], meta)
        w._commit_toc(segments + new_segments)
        _forget_lock_holder(self._index.dir)
        w._finish()

    def cancel(self) -> None:
        _forget_lock_holder(self._index.dir)
        self._writer.cancel()
