"""Postings as fixed-width arrays that numpy reads straight from a memory map.

Beside Whoosh's own files, every segment has one more, ``<segment id>.zpa``
(named like the segment's other files, so that Whoosh's commit deletes it
with them), holding for each field the postings of every term:

- ``hash``   uint64, one per term, sorted: the first 8 bytes of the term's
             BLAKE2b digest (``term_hash``); a term is found by
             ``searchsorted`` and confirmed against ``tend``/``tbytes``
- ``tend``   uint32 per term, where its UTF-8 bytes end in ``tbytes``
- ``lex``    uint32: the term numbers in the order of their bytes (a
             prefix is a range of it, found by bisection)
- ``pstart`` uint64 per term + 1: its postings are ``ids[pstart[t]:pstart[t+1]]``
- ``ids``    uint16 per posting: the low 16 bits of segment-local document
             numbers, sorted per term; the high bits are the term's
             ``hbase`` (that of its first posting), plus one for each of
             its cuts at or before the posting: ``hcut[hoff[t]:hoff[t+1]]``,
             uint32, the (term-relative) posting where the high bits
             next grow by one (a term whose documents all share their high
             bits has none; one that skips a whole 65,536 has two equal)
- ``freq``   (frequency and positional fields) the term's frequency in
             each document, in the smallest unsigned type that holds them
- positional fields also: ``pos``, every posting's positions (ascending),
  in posting order (the postings' frequencies say how many each has), and
  ``skip``, uint64: where in ``pos`` the positions of every 64th posting
  start (a posting's are found from the skip before it and the
  frequencies between, without a running sum over the whole list)
- existence fields (ids only) have no ``freq``.

Deleted documents stay in the arrays until their segment is merged away,
as in Whoosh's postings.  The file ends with its table of contents: JSON
naming each array's offset, type and length, then the JSON's offset and
length as two little-endian uint64.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
from hashlib import blake2b

import numpy as np
from whoosh import formats

MAGIC = b"ZHPA0002"
EXT = ".zpa"
_TRAILER = np.dtype("<u8")
SKIP = 64  # postings between entries of a positional field's ``skip``
FEW = 8  # documents asked about, up to which their positions are found one at a time


def term_hash(tbytes: bytes) -> int:
    return int.from_bytes(blake2b(tbytes, digest_size=8).digest(), "little")


def term_hashes(tbytes: list[bytes]) -> np.ndarray:
    return np.fromiter((term_hash(b) for b in tbytes), dtype=np.uint64, count=len(tbytes))


def field_kind(fmt) -> str | None:
    """How a field's postings are kept in the arrays: "pos", "freq",
    "ids", or None for formats the arrays do not hold (nothing here reads
    their postings)."""
    from search.store.schema import ArrayFrequency, ArrayPositions

    return {ArrayPositions: "pos", formats.Positions: "pos", ArrayFrequency: "freq", formats.Frequency: "freq",
            formats.Existence: "ids"}.get(type(fmt))


def file_name(segment) -> str:
    return segment.make_filename(EXT)


def _write(f, parts: list, dtype: np.dtype) -> int:
    if not parts:
        return 0
    arr = np.concatenate(parts).astype(dtype, copy=False) if len(parts) > 1 else np.asarray(parts[0], dtype=dtype)
    f.write(memoryview(np.ascontiguousarray(arr)).cast("B"))
    return len(arr)


class FieldArrays:
    """Gathers one field's postings, term by term, for :class:`ArraysWriter`."""

    def __init__(self, kind: str):
        self.kind = kind
        self.terms: list[bytes] = []
        self.ids: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []  # freq, or each posting's positions flattened
        self.counts: list[np.ndarray] = []  # positional: positions per posting
        self.hbase: list[int] = []  # per term: the high 16 bits of its first document
        self.cuts: dict[int, np.ndarray] = {}  # term -> where its documents' high bits grow

    def add(self, tbytes: bytes, ids, freqs=None, positions=None, counts=None) -> None:
        """One term's postings (terms in the order of their bytes): its
        documents (sorted) and their frequencies, or their positions
        flattened with how many each has."""
        if self.terms and tbytes <= self.terms[-1]:
            raise ValueError("terms must be added in the order of their bytes, once each")
        ids = np.asarray(ids, dtype=np.uint32)
        base = int(ids[0]) >> 16 if len(ids) else 0
        top = int(ids[-1]) >> 16 if len(ids) else 0
        if top > base:
            self.cuts[len(self.terms)] = np.searchsorted(ids, np.arange(base + 1, top + 1, dtype=np.uint32) << 16)
        self.hbase.append(base)
        self.terms.append(tbytes)
        self.ids.append(ids)
        if self.kind == "freq":
            self.vals.append(np.asarray(freqs, dtype=np.uint32))
        elif self.kind == "pos":
            self.vals.append(np.asarray(positions, dtype=np.uint32))
            self.counts.append(np.asarray(counts, dtype=np.uint32))

    def arrays(self):
        """(name, type, its parts in order) of each array of the field: the
        postings' arrays in parts, so that no copy of the whole field is
        made in memory."""
        n = len(self.terms)
        hashes = np.fromiter((term_hash(t) for t in self.terms), dtype=np.uint64, count=n)
        order = np.argsort(hashes, kind="stable").tolist()
        terms = [self.terms[i] for i in order]
        lengths = np.array([len(self.ids[i]) for i in order], dtype=np.uint64)
        lex = np.empty(n, dtype=np.uint32)  # terms came in byte order: the inverse of ``order``
        lex[order] = np.arange(n, dtype=np.uint32)
        ncuts = np.array([len(self.cuts.get(i, ())) for i in order], dtype=np.uint64)
        hbase = np.array(self.hbase, dtype=np.uint32)[order]
        yield "hash", np.uint64, [hashes[order]]
        yield "tend", np.uint32, [np.cumsum([len(t) for t in terms], dtype=np.uint64)]
        yield "tbytes", np.uint8, [np.frombuffer(b"".join(terms), dtype=np.uint8)]
        yield "lex", np.uint32, [lex]
        yield "pstart", np.uint64, [np.zeros(1, np.uint64), np.cumsum(lengths, dtype=np.uint64)]
        yield "ids", np.uint16, (self.ids[i] for i in order)  # the low halves
        yield "hbase", _smallest_type([hbase]), [hbase]
        yield "hoff", np.uint32, [np.zeros(1, np.uint64), np.cumsum(ncuts, dtype=np.uint64)]
        yield "hcut", np.uint32, (self.cuts[i] for i in order if i in self.cuts)
        if self.kind == "freq":
            yield "freq", _smallest_type(self.vals), (self.vals[i] for i in order)
        elif self.kind == "pos":
            yield "freq", _smallest_type(self.counts), (self.counts[i] for i in order)
            yield "skip", np.uint64, _skips([self.counts[i] for i in order])
            yield "pos", _smallest_type(self.vals, np.uint16), (self.vals[i] for i in order)


def _smallest_type(parts: list, smallest=np.uint8):
    return _type_for(max((int(p.max()) for p in parts if len(p)), default=0), smallest)


def _type_for(top: int, smallest=np.uint8):
    """The smallest unsigned type, no smaller than ``smallest``, that holds ``top``."""
    for t in (np.uint8, np.uint16):
        if np.dtype(t).itemsize >= np.dtype(smallest).itemsize and top <= np.iinfo(t).max:
            return t
    return np.uint32


def _skips(counts: list):
    """Where the positions of every SKIP-th posting start (and one past
    the last posting, where that falls on a multiple of SKIP)."""
    done, total = 0, 0  # postings and positions before the part
    for c in counts:
        n = len(c)
        first = (-done) % SKIP  # the part's first posting at a multiple of SKIP
        if first < n:
            starts = np.cumsum(c, dtype=np.uint64) - c  # from the part's first position
            yield starts[first::SKIP] + np.uint64(total)
        done += n
        total += int(c.sum(dtype=np.uint64))
    if done % SKIP == 0:
        yield np.array([total], dtype=np.uint64)


CHUNK = 1 << 22  # elements moved (or written) at a time by a merge: its index arrays stay ~32 MB


class MergedFieldArrays:
    """One field's arrays merged from several segments' (``merge_field``),
    whole, with :class:`FieldArrays`' interface for :class:`ArraysWriter`:
    the same file, written from whole arrays, not a term at a time."""

    def __init__(self, kind: str, terms: list[bytes], hashes, lex, pstart, ids, hbase, hoff, hcut,
                 freq=None, pos=None, skip=None):
        self.kind = kind
        self.terms, self.hashes, self.lex, self.pstart = terms, hashes, lex, pstart
        self.ids, self.hbase, self.hoff, self.hcut = ids, hbase, hoff, hcut
        self.freq, self.pos, self.skip = freq, pos, skip

    def arrays(self):
        yield "hash", np.uint64, [self.hashes]
        yield "tend", np.uint32, [np.cumsum([len(t) for t in self.terms], dtype=np.uint64)]
        yield "tbytes", np.uint8, [np.frombuffer(b"".join(self.terms), dtype=np.uint8)]
        yield "lex", np.uint32, [self.lex]
        yield "pstart", np.uint64, [self.pstart]
        yield "ids", np.uint16, [self.ids]  # the low halves
        yield "hbase", _smallest_type([self.hbase]), [self.hbase]
        yield "hoff", np.uint32, [self.hoff]
        yield "hcut", np.uint32, [self.hcut]
        if self.kind in ("freq", "pos"):
            yield "freq", self.freq.dtype, [self.freq]
        if self.kind == "pos":
            yield "skip", np.uint64, [self.skip]
            yield "pos", self.pos.dtype, [self.pos]


def local_ids(f: "Field") -> np.ndarray:
    """Every posting's segment-local doc id as uint32, term after term:
    each run of a term's postings sharing their high bits (a term's first,
    then one from each of its cuts) repeated over its length (no array of
    ``Field.all_ids``' int64 steps and running sum: 4 bytes a posting)."""
    pstart = f.pstart.astype(np.int64)
    nruns = np.diff(f.hoff.astype(np.int64)) + 1  # a term's runs: its first and one a cut
    run_term = np.repeat(np.arange(len(nruns)), nruns)
    k = np.arange(len(run_term)) - np.repeat(np.cumsum(nruns) - nruns, nruns)  # a run's number in its term
    start = pstart[run_term]
    start[k > 0] += f.hcut.astype(np.int64)  # the cuts lie in the same order: term, then cut
    lengths = np.diff(np.append(start, pstart[-1]))  # a run ends where the next (or the next term) starts
    ids = np.repeat((f.hbase.astype(np.uint32)[run_term] + k.astype(np.uint32)) << np.uint32(16), lengths)
    np.bitwise_or(ids, f.ids, out=ids)
    return ids


def _prefix_sums(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The sum of ``values[:a]`` for each ``a`` of ``at`` (ascending, up to
    ``len(values)``), int64: running sums a chunk at a time (a sum in
    int64 of a whole uint8 array, or ``reduceat`` given an int64 dtype,
    would first copy it whole as int64: 8 bytes a posting)."""
    out = np.zeros(len(at), dtype=np.int64)
    total = 0
    for lo in range(0, len(values), CHUNK):
        hi = min(lo + CHUNK, len(values))
        run = np.cumsum(values[lo:hi], dtype=np.int64)
        a, b = np.searchsorted(at, [lo + 1, hi + 1])  # the ``at`` in (lo, hi]
        out[a:b] = total + run[at[a:b] - lo - 1]
        total += int(run[-1])
    return out


def _term_sums(values: np.ndarray, pstart: np.ndarray) -> np.ndarray:
    """Each term's sum of ``values`` (one per posting, int64)."""
    return np.diff(_prefix_sums(values, pstart))


def _move(dst: np.ndarray, dst_starts: np.ndarray, src: np.ndarray, lengths: np.ndarray) -> None:
    """Copies blocks lying side by side in ``src`` (``lengths``, from
    0, in order) to ``dst_starts`` in ``dst``: one fancy-indexed copy a
    chunk of about CHUNK elements (the index of every element is the
    block's shift repeated plus its place in ``src``)."""
    ends = np.cumsum(lengths)
    starts = ends - lengths
    i, n = 0, len(lengths)
    while i < n:
        lo = int(starts[i])
        j = max(int(np.searchsorted(ends, lo + CHUNK, side="right")), i + 1)
        hi = int(ends[j - 1])
        if hi > lo:
            at = np.repeat(dst_starts[i:j] - starts[i:j], lengths[i:j])
            at += np.arange(lo, hi, dtype=np.int64)
            dst[at] = src[lo:hi]
        i = j


class _Part:
    """One segment's part of a field being merged: its live postings' counts per term."""

    def __init__(self, f: "Field", base: int, newid: np.ndarray | None, release=None):
        self.f, self.base, self.newid = f, base, newid
        self.release = release or (lambda: None)  # unmaps the segment's pages read
        pstart = f.pstart.astype(np.int64)
        self.keep = None  # live postings, where the segment has deleted documents
        if newid is None:
            self.cnt = np.diff(pstart)
        else:
            if len(newid) and int(newid.max()) < 2 ** 31:
                self.newid = newid = newid.astype(np.int32)  # looked up once a posting: half the memory
            self.keep = newid[local_ids(f)] >= 0
            self.cnt = _term_sums(self.keep, pstart)
        live_pstart = np.concatenate([[0], np.cumsum(self.cnt)])
        self.counts = None  # positional: positions of each live posting
        self.top_freq = self.top_pos = 0
        if f.kind in ("freq", "pos"):
            freq = f.freq if self.keep is None else f.freq[self.keep]
            self.top_freq = int(freq.max()) if len(freq) else 0
            if f.kind == "pos":
                self.counts = freq
                self.psum = _term_sums(freq, live_pstart)
                pos = self.live_positions()
                self.top_pos = int(pos.max()) if len(pos) else 0
        tb = f.tbytes.tobytes()
        ends = f.tend.tolist()
        self.present = np.flatnonzero(self.cnt)  # the terms with live postings
        self.terms = [tb[a:b] for a, b in zip([0] + ends[:-1], ends)]
        self.release()

    def live_ids(self) -> np.ndarray:
        """The live postings' new doc ids (uint32), term after term."""
        ids = local_ids(self.f)
        if self.newid is None:
            ids += np.uint32(self.base)
            return ids
        return self.newid[ids][self.keep].astype(np.uint32)

    def live_positions(self) -> np.ndarray:
        if self.keep is None:
            return self.f.pos
        return self.f.pos[np.repeat(self.keep, self.f.freq)]


def merge_field(parts: list) -> MergedFieldArrays:
    """One field's arrays merged from several segments': ``parts``, in
    order, (Field, the new number of its first document, the new number of
    each old document or -1 for a deleted one; None where none is
    deleted: then they are numbered on from the first[, a function that
    unmaps the segment's pages read, called when done with it]).  The result is
    the same file as adding each term's postings, in term order, to a
    :class:`FieldArrays` (tests/test_merge_arrays.py keeps that way as
    the spec), made from whole arrays: the terms' union sorted once, each
    segment's postings moved in blocks to where their term's lie."""
    kind = parts[0][0].kind
    segs = [_Part(*p) for p in parts]
    every: list[bytes] = []  # each segment's terms with live postings, in the order of their bytes
    for s in segs:
        bylex = s.f.lex.astype(np.int64)
        if len(s.present) < len(s.terms):
            bylex = bylex[s.cnt[bylex] > 0]
        s.bylex = bylex
        every.extend(map(s.terms.__getitem__, bylex.tolist()))
        s.terms = None
    # sorted whole, as runs (timsort merges the segments' runs, ~n comparisons
    # for two; a set of the union, sorted and looked up in a dict, cost ~4 times that)
    at = sorted(range(len(every)), key=every.__getitem__)
    ordered = list(map(every.__getitem__, at))
    del every
    first = np.ones(len(ordered), dtype=bool)  # a term's first place among them (a segment's own are unique)
    if len(ordered) > 1:
        first[1:] = np.fromiter(map(bytes.__ne__, ordered[1:], ordered[:-1]), dtype=bool, count=len(ordered) - 1)
    u = np.empty(len(ordered), dtype=np.int64)  # each entry of ``every``'s number in the union, in byte order
    u[np.asarray(at, dtype=np.int64)] = np.cumsum(first) - 1
    terms = list(itertools.compress(ordered, first.tolist()))
    del ordered, at, first
    n = len(terms)
    hashes = np.empty(n, dtype=np.uint64)
    done = 0
    for s in segs:
        # the union's numbers of the segment's present terms, in the order of their numbers (as they lie)
        s.u = np.empty(len(s.bylex), dtype=np.int64)
        s.u[np.searchsorted(s.present, s.bylex)] = u[done:done + len(s.bylex)]
        done += len(s.bylex)
        hashes[s.u] = s.f.hash[s.present]
        s.bylex = None
    del u
    order = np.argsort(hashes, kind="stable")  # FieldArrays' order: by hash, then by bytes
    lex = np.empty(n, dtype=np.uint32)
    lex[order] = np.arange(n, dtype=np.uint32)
    hashes = hashes[order]
    terms = [terms[i] for i in order.tolist()]
    out_cnt = np.zeros(n, dtype=np.int64)
    out_psum = np.zeros(n, dtype=np.int64)
    for s in segs:
        s.k = lex[s.u].astype(np.int64)  # each present term's number in the merged field
        out_cnt[s.k] += s.cnt[s.present]
        if kind == "pos":
            out_psum[s.k] += s.psum[s.present]
    pstart = np.concatenate([[0], np.cumsum(out_cnt)]).astype(np.uint64)
    pstart_i = pstart.astype(np.int64)
    total = int(pstart_i[-1])
    ids = np.empty(total, dtype=np.uint16)  # the low halves; the high ones go to hbase and the cuts
    freq = pos = skip = None
    if kind in ("freq", "pos"):
        freq = np.empty(total, dtype=_type_for(max(s.top_freq for s in segs)))
    if kind == "pos":
        pos_start = np.concatenate([[0], np.cumsum(out_psum)])
        pos = np.empty(int(pos_start[-1]), dtype=_type_for(max(s.top_pos for s in segs), np.uint16))
    done = np.zeros(n, dtype=np.int64)  # postings of each term moved so far
    done_pos = np.zeros(n, dtype=np.int64)
    hbase = np.zeros(n, dtype=np.uint32)
    last = np.zeros(n, dtype=np.int64)  # the high bits of each term's last posting so far
    cut_term, cut_at, cut_steps = [], [], []  # where a term's high bits grow, and by how much
    while segs:  # each segment's live postings after those of the segments before it
        s = segs.pop(0)
        lengths = s.cnt[s.present]
        before = done[s.k]
        new = s.live_ids()
        if new.dtype.byteorder == "=" and np.little_endian:  # its halves as views, not copies
            low, high = new.view(np.uint16)[0::2], new.view(np.uint16)[1::2]
        else:
            low, high = (new & 0xFFFF).astype(np.uint16), new >> 16
        starts = np.cumsum(lengths) - lengths  # each present term's first posting in ``new``
        first = high[starts].astype(np.int64)
        # where the part joins the term's postings from the segments before
        joined = before > 0
        hbase[s.k[~joined]] = first[~joined]
        steps = first[joined] - last[s.k[joined]]
        grows = steps > 0
        cut_term.append(s.k[joined][grows])
        cut_at.append(before[joined][grows])
        cut_steps.append(steps[grows])
        last[s.k] = high[starts + lengths - 1]
        # within the part
        grow = np.flatnonzero(high[1:] != high[:-1]) + 1
        j = np.searchsorted(starts, grow, side="right") - 1
        inside = grow != starts[j]  # not a term's first posting
        grow, j = grow[inside], j[inside]
        cut_term.append(s.k[j])
        cut_at.append(before[j] + grow - starts[j])
        cut_steps.append(high[grow].astype(np.int64) - high[grow - 1])  # a whole 65,536 skipped: the cut repeated
        del high, grow, j, inside
        at = pstart_i[s.k] + before
        done[s.k] += lengths
        _move(ids, at, low, lengths)
        del new, low
        if kind in ("freq", "pos"):
            _move(freq, at, s.f.freq if s.keep is None else s.f.freq[s.keep], lengths)
        if kind == "pos":
            plengths = s.psum[s.present]
            _move(pos, pos_start[s.k] + done_pos[s.k], s.live_positions(), plengths)
            done_pos[s.k] += plengths
        s.release()
    cut_term, cut_at, cut_steps = (np.concatenate(c) if c else np.zeros(0, np.int64)
                                   for c in (cut_term, cut_at, cut_steps))
    order = np.lexsort((cut_at, cut_term))  # by term, then posting
    hcut = np.repeat(cut_at[order], cut_steps[order]).astype(np.uint32)
    ncuts = np.zeros(n, dtype=np.int64)
    np.add.at(ncuts, cut_term, cut_steps)
    hoff = np.concatenate([[0], np.cumsum(ncuts)]).astype(np.uint64)
    if kind == "pos":  # where the positions of postings 0, SKIP, 2 SKIP ... (and one past the last, if on one) start
        skip = _prefix_sums(freq, np.arange(0, total + 1, SKIP, dtype=np.int64)).astype(np.uint64)
    return MergedFieldArrays(kind, terms, hashes, lex, pstart, ids, hbase, hoff, hcut,
                             freq=freq, pos=pos, skip=skip)


class ArraysWriter:
    """Writes a segment's arrays file a field at a time, under a temporary
    name until :meth:`close` (a reader finds the whole file or none)."""

    def __init__(self, path: str):
        self.path = path
        self._f = open(path + ".tmp", "wb")
        self._f.write(MAGIC)
        self._toc: dict = {}

    @classmethod
    def create(cls, storage, segment) -> "ArraysWriter | None":
        folder = getattr(storage, "folder", None)
        return cls(os.path.join(folder, file_name(segment))) if folder else None

    def add_field(self, name: str, fa: FieldArrays) -> None:
        f = self._f
        entry = self._toc[name] = {"kind": fa.kind, "arrays": {}}
        for key, dtype, parts in fa.arrays():
            dtype = np.dtype(dtype)
            f.write(b"\0" * (-f.tell() % 8))
            start, count, batch, size = f.tell(), 0, [], 0
            for part in parts:  # written in batches of about a million elements
                batch.append(part)
                size += len(part)
                if size >= 1 << 20:
                    count += _write(f, batch, dtype)
                    batch, size = [], 0
            count += _write(f, batch, dtype)
            entry["arrays"][key] = [start, dtype.str, count]

    def close(self) -> None:
        f = self._f
        raw = json.dumps(self._toc).encode("utf-8")
        at = f.tell()
        f.write(raw)
        f.write(np.array([at, len(raw)], dtype=_TRAILER).tobytes())
        f.close()
        os.replace(self.path + ".tmp", self.path)

    def cancel(self) -> None:
        self._f.close()
        os.remove(self.path + ".tmp")


class SegmentArrays:
    """A segment's arrays file, memory-mapped: :meth:`field` gives one
    field's arrays, and :meth:`term` a term's number in them."""

    def __init__(self, path: str):
        self.path = path
        # (a served state's files are read ahead into the page cache as it is
        # opened, within a memory budget: ``readahead``; a merge reads a field at a time)
        self.map = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(self.map[:8]) != MAGIC:
            raise ValueError(f"{path}: not a postings arrays file")
        at, size = np.frombuffer(self.map[-16:].tobytes(), dtype=_TRAILER).tolist()
        toc = json.loads(bytes(self.map[at:at + size]).decode("utf-8"))
        self.fields: dict[str, Field] = {}
        for name, entry in toc.items():
            arrays = {}
            for key, (off, dtype, count) in entry["arrays"].items():
                dt = np.dtype(dtype)
                arrays[key] = np.frombuffer(self.map, dtype=dt, count=count, offset=off)
            self.fields[name] = Field(entry["kind"], arrays)

    def cut_short(self) -> bool:
        """Whether the file mapped is now shorter than the map (touching a
        page past its end would kill the process with SIGBUS)."""
        try:
            return self.map._mmap.size() < len(self.map)
        except (AttributeError, OSError, ValueError):
            return False

    def release(self) -> None:
        """Unmaps the pages read so far from this process (the page cache
        keeps them; a later read maps them again): a merge reading one
        field after another holds one field's pages, not the whole file's."""
        try:
            self.map._mmap.madvise(mmap.MADV_DONTNEED)
        except (AttributeError, OSError, ValueError):
            pass

    @classmethod
    def open(cls, storage, segment) -> "SegmentArrays | None":
        """The segment's arrays, or None where it has none (written by a
        Whoosh writer and not given any, or in a storage that is not a
        folder)."""
        folder = getattr(storage, "folder", None)
        if folder is None:
            return None
        path = os.path.join(folder, file_name(segment))
        if not os.path.exists(path):
            return None
        return cls(path)


class Field:
    __slots__ = ("kind", "hash", "tend", "tbytes", "lex", "pstart", "ids", "hbase", "hoff", "hcut",
                 "freq", "skip", "pos")

    def __init__(self, kind: str, arrays: dict):
        self.kind = kind
        for key in self.__slots__[1:]:
            setattr(self, key, arrays.get(key))

    def term_bytes(self, t: int) -> bytes:
        return self.tbytes[(int(self.tend[t - 1]) if t else 0):int(self.tend[t])].tobytes()

    def term(self, tbytes: bytes, h: np.uint64 | None = None) -> int:
        """The term's number, or -1 if the field does not hold it; ``h``:
        its ``term_hash`` as np.uint64, where the caller asks each segment
        (hashed once, not once a segment)."""
        if h is None:
            h = np.uint64(term_hash(tbytes))
        hashes = self.hash
        t = int(hashes.searchsorted(h))  # the method: numpy's function adds ~1.5 us a call
        while t < len(hashes) and hashes[t] == h:
            if self.term_bytes(t) == tbytes:
                return t
            t += 1
        return -1

    def terms(self, tbytes: list[bytes], want: np.ndarray) -> np.ndarray:
        """The numbers of many terms at once (-1 where the field lacks one),
        given their hashes (``term_hashes``): one search of the hash array
        for all of them."""
        hashes = self.hash
        at = np.searchsorted(hashes, want)
        out = np.full(len(tbytes), -1, dtype=np.int64)
        if not len(hashes):
            return out
        same = hashes[np.minimum(at, len(hashes) - 1)] == want
        for i in np.flatnonzero(same).tolist():
            t = int(at[i])
            while t < len(hashes) and hashes[t] == want[i]:  # a hash shared by two terms: compare the bytes
                if self.term_bytes(t) == tbytes[i]:
                    out[i] = t
                    break
                t += 1
        return out

    def prefixed(self, prefix: bytes, limit: int) -> list[bytes]:
        """The first ``limit`` terms (in byte order) that start with ``prefix``."""
        lex = self.lex
        lo, hi = 0, len(lex)
        while lo < hi:  # the first term not below the prefix
            mid = (lo + hi) // 2
            if self.term_bytes(int(lex[mid])) < prefix:
                lo = mid + 1
            else:
                hi = mid
        out = []
        for t in lex[lo:lo + limit].tolist():
            tbytes = self.term_bytes(t)
            if not tbytes.startswith(prefix):
                break
            out.append(tbytes)
        return out

    def _runs(self, t: int, a: int, b: int) -> list[tuple[int, int, int]]:
        """(high 16 bits, first, end) of each run of a term's postings
        (indexes into ``ids``, from ``a`` to ``b``) whose documents share them."""
        h, c0, c1 = int(self.hbase[t]), int(self.hoff[t]), int(self.hoff[t + 1])
        bounds = [a, *(self.hcut[c0:c1].astype(np.int64) + a).tolist(), b]
        return [(h + k, bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]

    def postings(self, t: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
        """A term's (doc ids as a new int32 array: segment-local +
        ``offset``, frequencies; None where every one is 1)."""
        a, b = self.pstart[t:t + 2].tolist()
        ids = np.empty(b - a, dtype=np.int32)
        self.ids_into(t, a, b, offset, ids)
        return ids, (self.freq[a:b] if self.freq is not None else None)

    def ids_into(self, t: int, a: int, b: int, offset: int, out: np.ndarray) -> None:
        """Writes ``postings``' doc ids of the term ``t`` (its postings
        ``a`` to ``b``) into ``out`` (b - a long; int32, or int64 holding
        the int32 values): each run of documents sharing their high bits
        added to as it is copied, one ufunc a run (no converted copy
        added to afterwards, no parts joined: a term's segments are
        written side by side), in scalars (``_runs``' lists cost ~5 us a
        term, its decoding ~1.5)."""
        src = self.ids[a:b]
        c0, c1 = self.hoff[t:t + 2].tolist()
        high = int(self.hbase[t])
        start = 0
        for end in (self.hcut[c0:c1].tolist() if c1 > c0 else []) + [b - a]:
            if end > start:
                add = (high << 16) + offset
                if add:  # uint16 + int32 is computed in int32, as the ids are
                    np.add(src[start:end], np.int32(add), out=out[start:end])
                else:
                    out[start:end] = src[start:end]
            start, high = end, high + 1

    def all_ids(self) -> np.ndarray:
        """Every posting's segment-local doc id (int64), term after term."""
        pstart = self.pstart.astype(np.int64)
        high = np.repeat(self.hbase.astype(np.int64), np.diff(pstart))
        if len(self.hcut):
            step = np.zeros(len(high) + 1, dtype=np.int64)  # +1 where a run starts, -1 where its term ends
            term = np.repeat(np.arange(len(self.hbase)), np.diff(self.hoff.astype(np.int64)))
            np.add.at(step, pstart[term] + self.hcut, 1)
            np.add.at(step, pstart[term + 1], -1)
            high += np.cumsum(step[:-1])
        return (high << 16) | self.ids

    def position_starts(self, g: np.ndarray) -> np.ndarray:
        """Where in ``pos`` the positions of postings ``g`` (indexes into
        ``ids``, int64, ascending) start: the skip entry before each, plus
        the frequencies of the postings between (at most SKIP - 1 of them),
        summed by one ``reduceat`` over the span of ``freq`` they lie in
        (a matrix of SKIP - 1 columns a posting cost 66 postings ~30 us,
        this ~12)."""
        out = self.skip[g // SKIP].astype(np.int64)
        if len(g) == 0:
            return out
        base = g - g % SKIP
        lo = int(base[0])
        pairs = np.empty(2 * len(g), dtype=np.int64)  # [base, g) of each, relative to lo
        pairs[0::2] = base - lo
        pairs[1::2] = g - lo
        within = np.add.reduceat(self.freq[lo:int(g[-1]) + 1], pairs, dtype=np.int64)[0::2]
        within[base == g] = 0  # an empty [base, base) reads as freq[base]
        return out + within

    def position_start(self, g: int) -> int:
        """``position_starts`` of one posting, in scalars (a search asks it
        of every term it looks up: the arrays' setup cost ~20 us, this ~3)."""
        block = g // SKIP
        base = block * SKIP
        out = int(self.skip[block])
        # at most SKIP - 1 frequencies: summed in Python (~1 us; numpy's sum ~3)
        return out + sum(self.freq[base:g].tolist()) if g > base else out

    def position_count(self, t: int) -> int:
        """How many positions a term has (the sum of its frequencies)."""
        start, end = self.position_span(t)
        return end - start

    def position_span(self, t: int) -> tuple[int, int]:
        """Where a term's positions start and end in ``pos`` (0, 0 for
        a term of no postings)."""
        a, b = self.pstart[t:t + 2].tolist()
        if a == b:
            return 0, 0
        end = self.position_start(b) if b < len(self.freq) else len(self.pos)
        return self.position_start(a), end

    def all_positions(self, t: int, span: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A term's (segment-local doc ids, int64; how many positions each
        holds, int64; all its positions in posting order, a view of ``pos``
        not to be written to): its positions lie together in ``pos``;
        ``span``: its ``position_span``, where the caller has it."""
        a, b = self.pstart[t:t + 2].tolist()
        ids = np.empty(b - a, dtype=np.int64)
        if a == b:
            return ids, np.zeros(0, np.int64), self.pos[:0]
        self.ids_into(t, a, b, 0, ids)
        start, end = span if span is not None else self.position_span(t)  # no sum of the whole list
        return ids, self.freq[a:b].astype(np.int64), self.pos[start:end]

    def positions(self, t: int, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment-local doc, position) of the term in each of ``local``
        (sorted segment-local doc ids, int64), in doc then position order."""
        a, b = int(self.pstart[t]), int(self.pstart[t + 1])
        n = b - a
        none = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if n == 0 or len(local) == 0:
            return none
        if len(local) <= FEW:
            return self._few_positions(t, a, b, local)
        g_parts, doc_parts = [], []
        for h, ra, rb in self._runs(t, a, b):  # each run of documents sharing their high bits
            lo, hi = np.searchsorted(local, [h << 16, (h + 1) << 16])
            if lo == hi or ra == rb:
                continue
            want = local[lo:hi]
            low = (want - (h << 16)).astype(np.uint16)  # searched in ids' own type: no conversion of ids
            ids = self.ids[ra:rb]
            if len(want) < rb - ra:
                at = np.searchsorted(ids, low)
                ok = at < len(ids)
                found = np.zeros(len(want), dtype=bool)
                found[ok] = ids[at[ok]] == low[ok]
                g_parts.append(at[found] + ra)
                doc_parts.append(want[found])
            else:
                at = np.minimum(np.searchsorted(low, ids), len(low) - 1)
                sel = np.flatnonzero(low[at] == ids)
                g_parts.append(sel + ra)
                doc_parts.append(want[at[sel]])
        if not g_parts:
            return none
        g = np.concatenate(g_parts).astype(np.int64) if len(g_parts) > 1 else g_parts[0].astype(np.int64)
        if len(g) == 0:
            return none
        docs = np.concatenate(doc_parts) if len(doc_parts) > 1 else doc_parts[0]
        return self.positions_at(t, g, docs)

    def positions_at(self, t: int, g: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(doc, position) of every position of the term ``t``'s postings
        ``g`` (indexes into ``ids``, int64, ascending), each given its
        ``docs`` entry, in posting then position order."""
        if len(g) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        a, b = int(self.pstart[t]), int(self.pstart[t + 1])
        lengths = self.freq[g].astype(np.int64)
        if len(g) * 12 < b - a:  # a few postings: from the skip table (~30 ns a posting)
            starts = self.position_starts(g)
        else:  # many: a running sum over the term's postings (~2.5 ns each)
            run = self.freq[a:b].cumsum(dtype=np.int64)
            starts = self.position_start(a) + run[g - a] - lengths
        # the flat indexes of every selected posting's positions: each
        # posting's start less where its positions begin in the output
        ends = lengths.cumsum()
        total = int(ends[-1])
        flat = (starts + lengths - ends).repeat(lengths) + np.arange(total, dtype=np.int64)
        return docs.astype(np.int64, copy=False).repeat(lengths), self.pos[flat].astype(np.int64, copy=False)

    def _few_positions(self, t: int, a: int, b: int, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``positions`` of a few documents, one at a time in scalars: the
        arrays' way costs some forty numpy calls (~45 us) whatever the
        number of documents, and the verbatim check and the header's
        confirmation ask about two or three documents again and again."""
        runs = {h: (ra, rb) for h, ra, rb in self._runs(t, a, b) if ra < rb}
        docs_out, pos_out = [], []
        for d in local.tolist():
            run = runs.get(d >> 16)
            if run is None:
                continue
            ra, rb = run
            low = d & 0xFFFF
            ids = self.ids[ra:rb]
            i = int(ids.searchsorted(low))
            if i < rb - ra and int(ids[i]) == low:
                g = ra + i
                start = self.position_start(g)
                k = int(self.freq[g])
                pos_out.append(self.pos[start:start + k])
                docs_out.append((d, k))
        if not docs_out:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        docs = np.repeat(np.array([d for d, _ in docs_out], dtype=np.int64), [k for _, k in docs_out])
        return docs, np.concatenate(pos_out).astype(np.int64)
