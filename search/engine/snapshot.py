"""One committed state of the index, opened, with the arrays a search
reads: which paragraphs are live, their dates, lengths and facet columns,
and the orders that browsing uses."""

from __future__ import annotations

import threading

import numpy as np

from search.engine.facet_counts import load_column
from search.facets import BITS, FACETS
from search.store import ArrayLRU, Index, IndexDamaged, IndexUnavailable
from search.store.integrity import damaged

LITERAL_CACHE = 8_000_000  # documents held by the cache of literals' matches (8 bytes each)


class Snapshot:
    """A generation of the index.  Searches on it take ``lock`` (Whoosh's
    readers are not thread-safe); ``users`` counts the searches that hold
    it, so that a replaced snapshot is closed when the last one ends."""

    def __init__(self, index: Index):
        """Raises IndexDamaged when the generation's files or columns are not
        what its commit wrote (``search.store.integrity``)."""
        try:
            self._open(index)
        except IndexUnavailable:
            raise
        except Exception as e:  # a column or postings file that does not decode
            raise damaged(index.dir, f"{type(e).__name__}: {e}") from None

    def _open(self, index: Index) -> None:
        self.index = index
        self.meta = index.meta
        self.reader = index.reader()
        self.generation = self.reader.generation
        p = self.postings = self.reader.postings
        self.live = p.live_mask()
        self.n_live = int(self.live.sum())
        self.day = p.numeric_column("day", "i").astype(np.int32)
        self.text_len = p.field_lengths("text")
        live_len = self.text_len[self.live]
        self.avg_len = float(live_len.mean()) if len(live_len) else 1.0
        self.facets = {}
        for f in FACETS:
            per_doc = p.numeric_column(f.column, "q")
            self.facets[f.name] = load_column(f, per_doc, self.meta)
            _check_column(index, f, self.facets[f.name], per_doc, self.meta)
        self.all_live = np.flatnonzero(self.live).astype(np.int32)
        # each article's first paragraph, newest article first (undated last)
        heads = np.flatnonzero(self.live & (p.numeric_column("para_no", "i") == 1))
        day = self.day[heads].astype(np.int64)
        self.article_heads = heads[np.lexsort((heads, -day, day == 0))]
        # the same in index order: a paragraph belongs to the last head before it
        self.heads_by_docnum = heads
        self.lock = threading.RLock()
        # literals' matches (after position checks), bounded by documents held
        self.literal_cache = ArrayLRU(LITERAL_CACHE)
        self.users = 0
        self.retired = False
        self.closed = False
        self._orders: dict[bool, np.ndarray] = {}

    def reopened(self) -> "Snapshot":
        """The same generation read through files of its own, its arrays
        taken over as they are: for a forked worker, whose inherited file
        handles share their read positions with the parent's.  The newest
        generation, opened whole, if the index has moved on."""
        index = Index.open(self.index.dir)
        if index.latest_generation() != self.generation:
            return Snapshot(index)
        new = Snapshot.__new__(Snapshot)
        new.__dict__.update(self.__dict__)
        try:
            new.index, new.meta, new.reader = index, index.meta, index.reader()
        except IndexUnavailable:
            raise
        except Exception as e:
            raise damaged(index.dir, f"{type(e).__name__}: {e}") from None
        if new.reader.generation != self.generation:  # committed meanwhile
            new.reader.close()
            return Snapshot(index)
        new.postings = new.reader.postings
        new.lock = threading.RLock()
        new.literal_cache = ArrayLRU(LITERAL_CACHE)
        new.users, new.retired, new.closed = 0, False, False
        new._orders = dict(self._orders)
        return new

    def close(self) -> None:
        self.reader.close()
        self.closed = True

    def date_order(self, oldest_first: bool) -> np.ndarray:
        """Every live paragraph by date (undated last), then index order."""
        order = self._orders.get(oldest_first)
        if order is None:
            docs = self.all_live
            day = self.day[docs].astype(np.int64)
            order = self._orders[oldest_first] = docs[np.lexsort((docs, day if oldest_first else -day, day == 0))]
        return order

    def stored(self, docnum: int):
        return self.reader.stored(docnum)


def _check_column(index: Index, facet, column, per_doc: np.ndarray, meta) -> None:
    """Every stored value of ``facet`` is one the metadata can name."""
    if facet.storage == BITS:
        n = len(meta.vocab[facet.name].keys)
        if n < 64 and np.any(per_doc.astype(np.uint64) >> np.uint64(n)):
            raise IndexDamaged(f"the index in {index.dir} is damaged ({facet.column} holds values "
                               f"zhsearch.json does not name): run `zhsearch index --rebuild`")
    else:
        codes = column.codes
        names = meta.names.get(facet.name, {})
        unknown = [int(c) for c in codes.tolist() if c and int(c) not in names]
        if unknown:
            raise IndexDamaged(f"the index in {index.dir} is damaged ({len(unknown)} {facet.name} codes "
                               f"zhsearch.json does not name): run `zhsearch index --rebuild`")
