"""Facets at query time: which paragraphs hold the values a request chose,
and how many of the matches hold each value.

Counts are disjunctive (``api.md``): a facet's counts apply the other
facets' choices but not its own.  A bit-mask column is counted by
``bincount`` over its distinct masks (a few hundred combinations, whatever
the archive's size) times their bits; a single-valued column by
``bincount`` over its distinct codes.
"""

from __future__ import annotations

import numpy as np

from search.engine.docsets import count_runs, difference, run_starts
from search.facets import BITS, FACETS, NONE, Facet
from search.engine.results import FacetValue, SearchRequest


class MaskColumn:
    """A bit-mask facet: each paragraph's combination of values."""

    def __init__(self, per_doc: np.ndarray, values: list):
        self.values = values  # bit -> value
        masks, combo = factorize(per_doc)
        self.combo = combo.astype(np.int32)  # per docnum, index into masks
        self.masks = masks  # distinct masks (int64)
        shifts = np.arange(64, dtype=np.uint64)
        self.size = len(masks)  # combinations
        self.packed = None  # ``pack``
        self.bits = ((masks.astype(np.uint64)[:, None] >> shifts) & np.uint64(1)).astype(np.int64)
        self._pair_combo, self._pair_bit = np.nonzero(self.bits)  # each (combination, bit) it holds
        empty = np.flatnonzero(masks == 0)  # the combination of no value (the masks are distinct: one at most)
        self._none = int(empty[0]) if len(empty) else None

    def selector(self, keys: set) -> np.ndarray:
        """Which combinations hold any of ``keys``."""
        want = 0
        for bit, v in enumerate(self.values):
            if v in keys:
                want |= 1 << bit
        sel = np.int64(want - (1 << 64) if want >= (1 << 63) else want)
        chosen = (self.masks & sel) != 0
        if NONE in keys:  # paragraphs holding no value
            chosen |= self.masks == 0
        return chosen

    def allows(self, docs: np.ndarray, selector: np.ndarray) -> np.ndarray:
        return _allows(self, docs, selector)

    def tally(self, docs: np.ndarray) -> np.ndarray:
        """Paragraphs of ``docs`` per combination."""
        return np.bincount(self.combo[docs], minlength=len(self.masks))

    def counts(self, per_combo: np.ndarray, none: bool = False) -> list[tuple[object, int]]:
        """(value, paragraphs) for every value a tally holds, and (NONE,
        paragraphs holding no value) when ``none`` asks for it."""
        # one addition per bit a combination holds (a few thousand), where an
        # integer product of every combination by 64 bits (1,543 of them for
        # the archive's years) cost more than the tally; exact below 2**53
        per_bit = np.rint(np.bincount(self._pair_bit, weights=per_combo[self._pair_combo],
                                      minlength=64)).astype(np.int64).tolist()
        values = self.values
        out = [(values[b], n) for b, n in enumerate(per_bit[:len(values)]) if n]
        n_none = int(per_combo[self._none]) if none and self._none is not None else 0
        return out + [(NONE, n_none)] if n_none else out

    def article_counts(self, docs: np.ndarray, starts: np.ndarray, none: bool = False) -> list[tuple[object, int]]:
        """(value, articles) for every value the paragraphs ``docs`` hold,
        an article counted once however many of its paragraphs hold it
        (``starts``: where each article's run of ``docs`` begins); NONE
        counts the articles with a paragraph holding no value."""
        if len(docs) == 0:
            return []
        masks = self.masks[self.combo[docs]]
        held = np.bitwise_or.reduceat(masks, starts).view(np.uint64)  # each article's values
        present = int(np.bitwise_or.reduce(held)) if len(held) else 0
        out = []
        for b in range(len(self.values)):  # a pass a value the articles hold, over one word an article
            if present >> b & 1:
                out.append((self.values[b], int(np.count_nonzero(held & np.uint64(1 << b)))))
        n_none = int(np.logical_or.reduceat(masks == 0, starts).sum()) if none else 0
        return out + [(NONE, n_none)] if n_none else out


class CodeColumn:
    """A single-valued facet: each paragraph's value code (0: none)."""

    def __init__(self, per_doc: np.ndarray, names: dict[int, str], key, value=str):
        codes, combo = factorize(per_doc)
        self.combo = combo.astype(np.int32)
        self.codes = codes
        self.size = len(codes)  # combinations: the distinct codes
        self.packed = None  # ``pack``
        # the value shown for each distinct code (``value`` of its name as
        # stored), and the key requests are matched by
        # (a code the metadata does not name is shown as "": the snapshot reports the damage)
        self.values = [(value(names[int(c)]) if int(c) in names else "") if c else None for c in codes.tolist()]
        self.keys = [key(v) if v is not None else None for v in self.values]

    def selector(self, keys: set) -> np.ndarray:
        return np.array([k in keys if k is not None else NONE in keys for k in self.keys], dtype=bool)

    def allows(self, docs: np.ndarray, selector: np.ndarray) -> np.ndarray:
        return _allows(self, docs, selector)

    def tally(self, docs: np.ndarray) -> np.ndarray:
        """Paragraphs of ``docs`` per code."""
        return np.bincount(self.combo[docs], minlength=len(self.codes))

    def counts(self, per: np.ndarray, none: bool = False) -> list[tuple[object, int]]:
        return [(self.values[i] if self.values[i] is not None else NONE, int(per[i]))
                for i in per.nonzero()[0].tolist() if none or self.values[i] is not None]

    def article_counts(self, docs: np.ndarray, starts: np.ndarray, none: bool = False) -> list[tuple[object, int]]:
        """(value, articles), as ``MaskColumn.article_counts``."""
        if len(docs) == 0:
            return []
        article = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(np.append(starts, len(docs))))
        pairs = article * len(self.codes) + self.combo[docs]
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # a run of one value in an article once
        if count_runs(pairs // len(self.codes)) < len(pairs):  # an article holding several values: sort them out
            pairs = np.sort(pairs)
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        return self.counts(np.bincount(pairs % len(self.codes), minlength=len(self.codes)), none)


UNIVERSE_MASKS = 16  # choices of a column kept as masks over every live paragraph
PACKED_BITS = 63  # the columns' combination numbers, side by side in one int64 a paragraph, when they fit


def pack(columns: dict, n: int, article_no: np.ndarray | None = None) -> tuple | None:
    """Give the columns (name -> column, over ``n`` documents) one array
    holding every column's combination number of a paragraph side by side
    in one int64 (``packed``: the array, the column's shift and mask), when
    they fit: a search's matches then read one array for every facet's
    tally, not one a facet (in a first search, each read of a match's entry
    misses the processor's caches: five columns, five misses).  Columns of
    more combinations than fit (a huge archive's) are tallied one by one.
    With ``article_no`` (each paragraph's article number), it goes beside
    them where it fits too: returns where (the array, shift and mask), or None."""
    widths = [max(1, (col.size - 1).bit_length()) for col in columns.values()]
    for col in columns.values():
        col.packed = None
    if sum(widths) > PACKED_BITS:
        return None
    packed = np.zeros(n, dtype=np.int64)
    shift = 0
    for col, width in zip(columns.values(), widths):
        packed |= col.combo.astype(np.int64) << np.int64(shift)
        col.packed = (packed, np.int64(shift), np.int64((1 << width) - 1))
        shift += width
    articles = None
    if article_no is not None and len(article_no) and int(article_no.min()) >= 0:
        width = max(1, int(article_no.max()).bit_length())
        if shift + width <= PACKED_BITS:
            packed |= article_no.astype(np.int64) << np.int64(shift)
            articles = (packed, np.int64(shift), np.int64((1 << width) - 1))
    packed.flags.writeable = False
    return articles


def _tally_of(col, docs: np.ndarray, gathered: dict) -> np.ndarray:
    """``col.tally(docs)``, from the packed combinations (``pack``) read
    once for every column counted over the same ``docs`` (``gathered``:
    id of the docs -> the docs and their packed entries)."""
    packed = getattr(col, "packed", None)
    if packed is None:
        return col.tally(docs)
    array, shift, mask = packed
    return np.bincount((_gather(array, docs, gathered) >> shift) & mask, minlength=col.size)


def _allows(col, docs: np.ndarray, selector: np.ndarray) -> np.ndarray:
    """Which of ``docs`` hold a combination ``selector`` picks.  Over every
    live paragraph (browsing, the article list: ``docs`` is the universe
    the column was tallied over), the mask is kept for the next request
    making the same choice (read-only), up to ``UNIVERSE_MASKS`` of them:
    a filtered browse no longer passes over the whole archive."""
    universe = getattr(col, "_universe", None)
    if universe is None or universe[0] is not docs:
        return selector[col.combo[docs]]
    masks = col.__dict__.setdefault("_masks", {})
    key = selector.tobytes()
    mask = masks.get(key)
    if mask is None:
        if len(masks) >= UNIVERSE_MASKS:
            masks.clear()
        mask = masks[key] = selector[col.combo[docs]]
        mask.flags.writeable = False
    return mask


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, without sorting a
    million values to find the few hundred distinct ones a facet column
    holds: the distinct values of a sample are looked up by binary search,
    and only the values the sample missed are sorted: every server start
    and new generation pays it for every column."""
    if len(values) == 0:
        return np.unique(values, return_inverse=True)
    sample = np.unique(values[:: max(1, len(values) // 65536)])
    at = np.minimum(np.searchsorted(sample, values), len(sample) - 1)
    missed = np.flatnonzero(sample[at] != values)
    if len(missed):
        distinct = np.union1d(sample, values[missed])
        at = np.searchsorted(distinct, sample)[at]  # where the sample's values went
        at[missed] = np.searchsorted(distinct, values[missed])
        sample = distinct
    return sample, at


def load_column(facet: Facet, per_doc: np.ndarray, meta):
    if facet.storage == BITS:
        return MaskColumn(per_doc, meta.vocab[facet.name].keys)
    return CodeColumn(per_doc, meta.names.get(facet.name, {}), facet.key, facet.parse)


def in_range(value, bounds: tuple | None) -> bool:
    if bounds is None:
        return True
    lo, hi = bounds
    return value != NONE and (lo is None or value >= lo) and (hi is None or value <= hi)


def range_key(facet: str) -> str:
    """The key of a facet's range among ``filter_masks``: unlike the values
    chosen, a range narrows that facet's own counts too."""
    return f"{facet}_range"


def filter_masks(columns: dict, req: SearchRequest, docs: np.ndarray,
                 gathered: dict | None = None) -> dict[str, np.ndarray]:
    """For each facet the request chose values in: which of ``docs`` hold
    one; for each facet narrowed to a range: which hold a value in it.
    With ``gathered`` (handed on to ``count``), the docs' combinations are
    read from the packed columns (``pack``), once for the filters and the
    tallies alike."""
    out = {}
    for f in FACETS:
        chosen = req.selected(f.name)
        col = columns[f.name]
        if chosen:
            out[f.name] = _allows_of(col, docs, col.selector({f.key(v) for v in chosen}), gathered)
        bounds = req.range(f.name)
        if bounds is not None:
            keys = {f.key(v) for v in col.values if v is not None and in_range(v, bounds)}
            out[range_key(f.name)] = _allows_of(col, docs, col.selector(keys), gathered)
    return out


def _allows_of(col, docs: np.ndarray, selector: np.ndarray, gathered: dict | None) -> np.ndarray:
    """``col.allows(docs, selector)``, the combinations read from the packed
    columns where ``gathered`` is given (not over the universe, whose masks
    are kept: ``_allows``)."""
    universe = getattr(col, "_universe", None)
    if gathered is None or col.packed is None or (universe is not None and universe[0] is docs):
        return col.allows(docs, selector)
    array, shift, mask = col.packed
    return selector[(_gather(array, docs, gathered) >> shift) & mask]


def _gather(array: np.ndarray, docs: np.ndarray, gathered: dict) -> np.ndarray:
    """The packed columns' entries of ``docs``, read once (``gathered``:
    id of the docs -> the docs, kept alive, and their entries)."""
    got = gathered.get(id(docs))
    if got is None or got[0] is not docs:
        got = gathered[id(docs)] = (docs, array[docs])
    return got[1]


def count(columns: dict, req: SearchRequest, docs: np.ndarray, masks: dict[str, np.ndarray],
          universe: np.ndarray | None = None, article_no: np.ndarray | None = None,
          gathered: dict | None = None) -> dict[str, list[FacetValue]]:
    """Each facet's values among ``docs`` (the matches before filtering,
    sorted), with the other facets' filters applied, in the facet's order.
    Where no other filter applies and ``docs`` are most of ``universe``
    (every live paragraph, sorted), the paragraphs outside them are counted
    instead and taken from the universe's counts (a broad word matches 90%
    of an archive: a tenth of the work).  With ``article_no`` (each
    paragraph's article), articles are counted, not paragraphs.
    ``gathered``: what ``filter_masks`` read of the packed columns."""
    out = {}
    outside: dict = {}  # the universe's paragraphs not in docs, when counted; docs the other filters keep
    gathered = {} if gathered is None else gathered  # the packed combinations of the docs tallied (``_tally_of``)
    for f in FACETS:
        col = columns[f.name]
        others = [ok for other, ok in masks.items() if other != f.name]
        if article_no is not None:
            kept = docs[np.logical_and.reduce(others)] if others else docs
            counted = col.article_counts(kept, run_starts(article_no[kept]), none=bool(f.none))
        else:
            counted = col.counts(_tally(col, docs, others, universe, outside, gathered), none=bool(f.none))
        chosen = {f.key(v) for v in req.selected(f.name)}
        bounds = req.range(f.name)
        if chosen or bounds is not None:
            # a value's key only where the facet has chosen values to compare it with
            values = [FacetValue(v, c, bool(chosen) and f.key(v) in chosen) for v, c in counted
                      if in_range(v, bounds)]
        else:  # most searches: no choice, no range
            values = [FacetValue(v, c, False) for v, c in counted]
        if f.order == "newest":  # largest first, NONE last
            values.sort(key=lambda fv: (fv.value == NONE, -fv.value if fv.value != NONE else 0))
        else:
            values.sort(key=lambda fv: (-fv.count, str(fv.value)))
        out[f.name] = values
    return out


def _tally(col, docs: np.ndarray, others: list, universe: np.ndarray | None, outside: dict,
           gathered: dict | None = None) -> np.ndarray:
    """The paragraphs of ``docs`` the ``others`` filters let through, per
    combination of ``col``; ``outside`` keeps the universe's paragraphs not
    in ``docs`` for the next facet, once computed, and ``gathered`` their
    packed combinations (``_tally_of``)."""
    gathered = {} if gathered is None else gathered
    if others:
        # the facets not filtered share their others (every filter): docs filtered once for them all
        key = tuple(id(ok) for ok in others)
        kept = outside.get(key)
        if kept is None:
            keep = np.logical_and.reduce(others) if len(others) > 1 else others[0]
            kept = outside[key] = (others, docs[keep])  # the masks kept alive: their ids stay theirs
            got = gathered.get(id(docs))
            if got is not None and got[0] is docs:  # the docs' combinations read: the kept ones are among them
                gathered[id(kept[1])] = (kept[1], got[1][keep])
        return _tally_of(col, kept[1], gathered)
    if universe is not None and 2 * len(docs) > len(universe):
        if len(docs) == len(universe):  # docs are live paragraphs: all of them
            return universe_tally(col, universe)
        if "docs" not in outside:
            outside["docs"] = difference(universe, docs)
        return universe_tally(col, universe) - _tally_of(col, outside["docs"], gathered)
    return _tally_of(col, docs, gathered)


def universe_tally(col, universe: np.ndarray) -> np.ndarray:
    """The column's tally of ``universe``, computed once per column (a
    column belongs to one snapshot, whose live paragraphs never change)."""
    cached = getattr(col, "_universe", None)
    if cached is None or cached[0] is not universe:
        cached = col._universe = (universe, col.tally(universe))
    return cached[1]
