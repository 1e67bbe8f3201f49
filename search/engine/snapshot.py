"""One committed state of the index, opened, with the arrays a search
reads: which paragraphs are live, their dates, lengths and facet columns,
and the orders that browsing uses."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from search.engine.docsets import holds
from search.engine import per_article
from search.engine.docsets import count_runs
from search.engine.facet_counts import universe_tally
from search.engine.facet_counts import load_column, pack
from search.text.analysis import fold, fold_many
from search.facets import BITS, FACETS
from search.store import ArrayLRU, Index, IndexDamaged, IndexUnavailable
from search.store.integrity import Served, damaged, segment_files
from search.store.readahead import read_ahead

FOLDED_CACHE = 50_000  # paragraphs' text facts (their folded texts) kept for ranking
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
            self._prepare()
        except IndexUnavailable:
            raise
        except Exception as e:  # a column or postings file that does not decode
            raise damaged(index.dir, f"{type(e).__name__}: {e}") from None

    def _open(self, index: Index) -> None:
        self.index = index
        self.meta = index.meta
        self.reader = index.reader()
        self.generation = self.reader.generation
        segids = self.reader.segment_ids()
        # the state's files queued into the page cache before anything reads them
        # (after a reboot, a first search's every first touch is a disk read)
        read_ahead(str(index.dir), segment_files(index.dir, segids))
        self.files = Served(index.dir, self.generation, segids)
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
        self.all_live.flags.writeable = False  # handed to searches as it is (browsing)
        # each paragraph's article: its number in index order.  An article's
        # paragraphs follow its first one (store/record.py), so the number
        # never falls along the documents, and a sorted set of paragraphs
        # holds each article's as one run (``count_runs``).
        first = p.numeric_column("para_no", "i") == 1
        self.article_no = (np.cumsum(first, dtype=np.int32) - 1).astype(np.int32)
        self.article_first = np.flatnonzero(first).astype(np.int32)  # article number -> its first paragraph
        # each article's first paragraph, newest article first (undated last)
        heads = np.flatnonzero(self.live & first)
        day = self.day[heads].astype(np.int64)
        self.article_heads = heads[np.lexsort((heads, -day, day == 0))]
        # the same in index order: a paragraph belongs to the last head before it
        self.heads_by_docnum = heads
        # the facets' combination numbers and the article number side by side (``facet_counts.pack``)
        self.packed_articles = pack(self.facets, len(self.live), self.article_no)
        # whether every article with a live paragraph has its first one live
        # (an index drops whole files): then a paragraph's head is its
        # article's first paragraph, found by two lookups (``heads_of``)
        # rather than by a binary search of the heads, whose ~17 reads of a
        # large array each miss the processor's caches in a first search
        self.whole_articles = self.whole()
        # article number -> its first paragraph (int64, as the heads are), and one past
        # the last article: where no article starts (``article_bounds``)
        self._firsts = np.append(self.article_first.astype(np.int64), np.iinfo(np.int64).max)
        self.lock = threading.RLock()
        # literals' matches (after position checks), bounded by documents held
        self.literal_cache = ArrayLRU(LITERAL_CACHE)
        self.users = 0
        self.retired = False
        self.closed = False
        self._orders: dict[bool, np.ndarray] = {}
        self._publication = None
        self._reprints = None
        self._articles: dict = {}  # per-article values the fields of a query read, made when first asked
        self._facts: dict = {}  # docnum -> what ranking read of it (``text_facts``)

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
        new._articles = {}
        new._facts = {}
        return new

    def close(self) -> None:
        self.reader.close()
        self.closed = True

    def cut_short(self) -> str | None:
        """Why reading this generation's memory-mapped postings would kill
        the process (a file cut short since it was mapped), or None.  An
        fstat per segment: checked before every search."""
        for _, _, arrays in self.postings.leaves:
            if arrays.cut_short():
                return f"{Path(arrays.path).name} is shorter than when it was opened"
        return None

    def _prepare(self) -> None:
        """What searches read besides the postings, made now rather than
        by the first search to ask (a server opens its snapshot before it
        says it is ready): the reprint groups and publication years (every
        search's hits count their reprints), both date orders (browsing),
        the archive's day range and each facet's tally over every live
        paragraph (a broad word's counts start from it).  ~0.1 s at 356k
        paragraphs, once per generation."""
        self.reprints().counts(self.all_live[:0])  # and each group's count of articles (every search's hits)
        for oldest_first in (False, True):
            self.in_date_order(self.all_live[:1], oldest_first, 1)  # the order and each paragraph's place in it
        self.day_range()
        for col in self.facets.values():
            universe_tally(col, self.all_live)

    def date_order(self, oldest_first: bool) -> np.ndarray:
        """Every live paragraph by date (undated last), then index order."""
        order = self._orders.get(oldest_first)
        if order is None:
            docs = self.all_live
            day = self.day[docs].astype(np.int64)
            order = self._orders[oldest_first] = docs[np.lexsort((docs, day if oldest_first else -day, day == 0))]
        return order

    def in_date_order(self, docs: np.ndarray, oldest_first: bool, n: int) -> np.ndarray:
        """The first ``n`` of ``docs`` (live paragraphs) in ``date_order``:
        from each one's place in that order (made once per snapshot), the
        ``n`` smallest picked, not the whole order filtered (a province
        browsed: a pass over every paragraph of the archive)."""
        order = self.date_order(oldest_first)
        if len(docs) == len(order):  # every live paragraph
            return order[:n]
        key = ("place", oldest_first)
        place = self._orders.get(key)
        if place is None:
            place = np.zeros(len(self.live), dtype=np.int32)
            place[order] = np.arange(len(order), dtype=np.int32)
            self._orders[key] = place
        at = place[docs]
        if n < len(docs):
            pick = np.argpartition(at, n - 1)[:n]
            return docs[pick[np.argsort(at[pick])]]
        return docs[np.argsort(at)]

    def article_of(self, docs: np.ndarray) -> np.ndarray:
        """The document number of the first paragraph of each of ``docs``'s articles."""
        return self.article_first[self.article_no[docs]]

    def whole(self) -> bool:
        """Whether every article holding a live paragraph has its first
        paragraph live (``whole_articles``): as many live heads as articles
        among the live paragraphs."""
        return count_runs(self.article_no[self.all_live]) == len(self.heads_by_docnum)

    def heads_of(self, docnums) -> np.ndarray:
        """``per_article.article_of(heads_by_docnum, docnums)`` (live docnums):
        their articles' first paragraphs, read from ``article_of`` where
        every live article's first paragraph is live (``whole_articles``)."""
        docnums = np.asarray(docnums, dtype=np.int64)
        if not self.whole_articles:
            return per_article.article_of(self.heads_by_docnum, docnums)
        return self._firsts[self.article_no[docnums]]

    def article_bounds(self, docnums) -> tuple[np.ndarray, np.ndarray]:
        """For live ``docnums``, their articles' first paragraphs and where
        the next live article starts (the last one: never), as
        ``per_article.more_in_article`` reads them."""
        if not self.whole_articles:
            return per_article.article_bounds(self.heads_by_docnum, docnums)
        no = self.article_no[np.asarray(docnums, dtype=np.int64)]
        # the next article's first paragraph (every article between two live ones is
        # dropped whole: none of its paragraphs is a hit), the last one's: never
        return self._firsts[no], self._firsts[no + 1]

    def publication(self) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
        """Each document's publication year (0: undated) and article
        (``article_no``), and the live paragraphs published each year: made
        once per snapshot, on first use."""
        made = self._publication
        if made is None:
            from search.engine import trends

            year = trends.years_of(self.day)
            made = self._publication = (year, self.article_no, trends.archive_years(year, self.live))
        return made

    def reprints(self):
        """The reprint groups of this snapshot (``search.engine.reprints``),
        made on first use."""
        made = self._reprints
        if made is None:
            from search.engine.reprints import Reprints

            key = self.postings.numeric_column("text_key", "q")
            _, article, _ = self.publication()
            made = self._reprints = Reprints(key, article, self.live, self.day)
        return made

    def articles_in(self, docs: np.ndarray, gathered: dict | None = None) -> int:
        """How many articles the paragraphs ``docs`` (sorted) come from; their
        article numbers taken from their packed entries where the facets'
        counts read them (``gathered``: ``facet_counts.count``'s)."""
        got = gathered.get(id(docs)) if gathered and self.packed_articles is not None else None
        if got is not None and got[0] is docs:
            _, shift, mask = self.packed_articles
            return count_runs((got[1] >> shift) & mask)
        return count_runs(self.article_no[docs])

    def stored(self, docnum: int):
        return self.reader.stored(docnum)

    def text_facts(self, docnum: int, make):
        """``make(folded text)`` of a paragraph: what the ranking rules that
        read the text (``ranking.TextFacts``, which keeps the folded text)
        work out once from it, for the best candidates of a search.  Kept for
        the snapshot's life, up to ``FOLDED_CACHE`` paragraphs (then started
        afresh): the same queries' candidates come back, and a stored read
        costs more than the rules themselves."""
        return self.texts_facts([docnum], make)[docnum]

    def folded_text(self, docnum: int) -> str:
        """A paragraph's folded text: from its text facts where a search
        kept them, else read and folded now, and not kept (the export asks
        it of thousands of paragraphs, once each: kept, their facts would
        grow the process by tens of MB and push out what the searches keep)."""
        kept = self._facts.get(docnum)
        return kept.text if kept is not None else fold(self.reader.stored_text(docnum))

    def kept_fold(self, docnum: int) -> str | None:
        """A paragraph's folded text where a search kept its text facts
        (ranking folded it: a hit's marks need not fold it again), else None."""
        kept = self._facts.get(docnum)
        return kept.text if kept is not None else None

    def texts_facts(self, docnums, make) -> dict:
        """``text_facts`` of several paragraphs (docnum -> what ``make``
        made): those not kept are read, then folded together
        (``fold_many``), as a search's best candidates are."""
        kept = self._facts
        out, missing = {}, []
        for d in docnums:
            t = kept.get(d)
            if t is None:
                missing.append(d)
            else:
                out[d] = t
        if missing:
            folded = fold_many(self.reader.stored_texts(missing))
            if len(kept) + len(missing) > FOLDED_CACHE:
                kept = self._facts = {}
            for d, text in zip(missing, folded):
                out[d] = kept[d] = make(text)
        return out

    def day_range(self) -> tuple[int, int]:
        """The first and last day any live paragraph is dated (0, 0 if none)."""
        days = self._articles.get("days")
        if days is None:
            dated = self.day[self.all_live]
            dated = dated[dated > 0]
            days = self._articles["days"] = (int(dated.min()), int(dated.max())) if len(dated) else (0, 0)
        return days

    # -- articles, for the fields of a query (title:, source:, ...) ------------

    def title(self, head: int) -> str:
        """The folded title of the article whose first paragraph is ``head``."""
        titles = self._articles.setdefault("titles", {})
        t = titles.get(head)
        if t is None:
            t = titles[head] = fold(self.stored(head).title or "")
        return t

    def articles_where(self, attr: str, test) -> np.ndarray:
        """The live paragraphs of the articles whose ``attr`` (folded,
        spaces dropped) passes ``test``.  The source is a facet column; the
        other article fields are read from each article's first record once
        per snapshot (None where the record does not hold them)."""
        if attr == "source":
            col = self.facets["source"]
            want = np.array([k is not None and test(k) for k in col.keys], dtype=bool)
            return self.all_live[want[col.combo[self.all_live]]] if len(want) else self.all_live[:0]
        values = self._articles.get(attr)
        if values is None:
            values = self._articles[attr] = {
                h: "".join(fold(v).split()) for h in self.article_heads.tolist()
                if isinstance(v := getattr(self.stored(h), attr, None), str) and v.strip()}
        heads = np.array(sorted(h for h, v in values.items() if test(v)), dtype=np.int64)
        if len(heads) == 0:
            return self.all_live[:0]
        return self.all_live[holds(heads, self.article_of(self.all_live))]


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
