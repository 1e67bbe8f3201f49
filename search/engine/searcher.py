"""The Python API: ``Searcher(index_dir).search(SearchRequest(...))``.

A thin front over one :class:`~search.engine.snapshot.Snapshot` at a time: it
parses the query, hands matching (``matching``), facet counting
(``facet_counts``), ranking (``ranking``) and the hits and articles
(``documents``) their snapshot, and swaps in a new snapshot when the index
changes, so a search sees the old state or the new, never half of one.
The answers are typed (``results``); URLs and JSON are the callers'
(``serialize``, ``web``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from search.engine import documents

from search.engine import facet_counts

from search.engine import per_article, ranking
from search.text.analysis import fold, load_segmenter
from search.engine.docsets import holds
from search.facets import measure_labels
from search.engine.matching import Matcher
from search.model import Article
from search.query.parse import Query, parse
from search.engine.results import ArticleSummary, Hit, SearchRequest, SearchResult
from search.engine.snapshot import Snapshot
from search.store import Index, IndexUnavailable
from search.query.suggest import suggest
from search.text.synonyms import Synonyms

log = logging.getLogger("search")

EXPORT_RANK_PAGE = 20_000  # hits ranked at a time by iter_hits (bounds its memory)
EXPORT_CHUNK = 500  # stored paragraphs read under the snapshot's lock at a time


class Searcher:
    """Searches one index folder; the Python API the CLI and web app share.
    Raises ``IndexMissing``, ``IndexVersionError`` or ``IndexDamaged``
    (``search.store``) when the folder holds no usable index."""

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None,
                 per_article: int | None = per_article.PER_ARTICLE):
        """``per_article``: at most that many paragraphs of one article on
        the first page of a relevance-ranked search (``search.engine.per_article``);
        None: the pages list the rank order itself."""
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
        self.per_article = per_article
        self._snap = Snapshot(Index.open(self.index_dir))
        load_segmenter()  # load the dictionary now, not in the first search
        measure_labels()  # and the measure rules (read when a search filters by measure)
        self._lock = threading.Lock()  # guards _snap and the users counts
        self._checked = time.monotonic()
        self.refresh_failures = 0
        self.last_refresh_error: str | None = None
        self.damaged: str | None = None  # why the newest generation was refused, while it is

    # -- life cycle -----------------------------------------------------------

    def refresh(self, min_interval: float = 0.5) -> bool:
        """Open the newest committed state if the index changed.  A state that
        cannot be opened is logged and counted (``health``); the current one
        goes on serving."""
        now = time.monotonic()
        if now - self._checked < min_interval:
            return False
        self._checked = now
        current = self._snap
        try:
            if current.index.latest_generation() == current.generation:
                return False
            new = Snapshot(Index.open(self.index_dir))
        except Exception as e:
            self.refresh_failures += 1
            repeated = self.last_refresh_error == f"{type(e).__name__}: {e}"
            self.last_refresh_error = f"{type(e).__name__}: {e}"
            self.damaged = str(e) if isinstance(e, IndexUnavailable) else self.last_refresh_error
            if not repeated:
                log.error("index %s: cannot open its new state, serving the previous one: %s",
                          self.index_dir, self.last_refresh_error)
            return False
        self.damaged = None
        with self._lock:
            old, self._snap = self._snap, new
            old.retired = True
            idle = old.users == 0
        if idle:
            old.close()
        return True

    @contextmanager
    def _using(self):
        """The current snapshot, held and locked for the length of one search."""
        with self._pinned() as snap, snap.lock:
            yield snap

    @contextmanager
    def _pinned(self):
        """The current snapshot, kept open (not locked) while the caller
        needs it: a refresh meanwhile swaps in the new one for other
        searches and closes this one when the last user lets go."""
        with self._lock:
            snap = self._snap
            snap.users += 1
        try:
            yield snap
        finally:
            with self._lock:
                snap.users -= 1
                idle = snap.retired and snap.users == 0
            if idle:
                snap.close()

    def after_fork(self) -> None:
        """In a forked worker: read the index through files of its own (a
        file position is shared by the processes that inherited it), keeping
        the arrays the parent loaded, whose pages the workers then share."""
        with self._lock:
            old = self._snap
            self._snap = old.reopened()
        # the parent's handles: this process's copies only (the parent keeps its own)
        old.close()

    def close(self) -> None:
        self._snap.close()

    @property
    def measure_labels(self) -> dict[str, str]:
        return measure_labels()

    def stats(self) -> dict:
        snap = self._snap
        return {"documents": int(len(snap.article_heads)), "paragraphs": snap.n_live}

    def health(self) -> dict:
        return {**self.stats(), "refresh_failures": self.refresh_failures,
                "last_refresh_error": self.last_refresh_error, "damaged": self.damaged}

    # -- searching --------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        req.validate()
        query = self.query(req.q)
        with self._using() as snap:
            m = Matcher(snap)
            matches = m.match(query)
            masks = facet_counts.filter_masks(snap.facets, req, matches)
            docs = _passing(matches, masks)
            facets = facet_counts.count(snap.facets, req, matches, masks, snap.all_live)
            capped = self._capped(req, query)
            if capped:
                order, scores = per_article.page(_top(m, query, docs, req), len(docs), snap.heads_by_docnum,
                                                 req.page, req.size, self.per_article)
            else:
                order, scores = ranking.rank(m, query, docs, req)
            hits = [documents.hit(snap, d, s, query) for d, s in zip(order, scores)]
            if capped and req.page == 1:
                for h, more in zip(hits, per_article.more_in_article(snap.heads_by_docnum, docs, order)):
                    h.more_in_article = more
            tips = suggest(req, query, m, lambda r: self._count(snap, m, r)) if len(docs) == 0 else []
        took = (time.perf_counter() - t0) * 1000
        expanded = query.expanded()
        return SearchResult(request=req, total=int(len(docs)), took_ms=took, hits=hits, facets=facets,
                            expanded=expanded, renamed=self._renamed(expanded), suggestions=tips)

    def _renamed(self, expanded: dict[str, list[str]]) -> dict[str, list]:
        """For each widened word, the words added that are its old or new
        names (``Synonyms.renamings``), in the order the synonyms file gives."""
        out = {}
        for typed, added in expanded.items():
            names = [r for r in self.synonyms.renamings(fold(typed)) if r.word in added]
            if names:
                out[typed] = names
        return out

    def _capped(self, req: SearchRequest, query: Query) -> bool:
        """Whether the first page holds at most ``per_article`` paragraphs
        of one article: ranked by relevance, for a query."""
        return self.per_article is not None and req.sort == "relevance" and bool(query.positive_leaves())

    def _count(self, snap: Snapshot, m: Matcher, req: SearchRequest) -> int:
        """How many paragraphs ``req`` finds on ``snap``."""
        matches = m.match(self.query(req.q))
        return int(len(_passing(matches, facet_counts.filter_masks(snap.facets, req, matches))))

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> Iterator[Hit]:
        """Every hit of ``req``, not a page (its ``page`` is ignored), in the
        order its pages of ``size`` list them one after another: the export.
        The query is matched once; hits are ranked ``EXPORT_RANK_PAGE`` at a time and read ``EXPORT_CHUNK`` at a time,
        so memory stays flat whatever the count.  The snapshot stays open
        until the iterator is exhausted or closed, but is locked only while
        a chunk is read, so searches go on meanwhile.  Without ``snippets``
        a hit's ``snippet`` is None (a CSV row has no use for one)."""
        req.validate()
        query = self.query(req.q)
        with self._pinned() as snap:
            with snap.lock:
                m = Matcher(snap)
                matches = m.match(query)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
            page = 1  # the next page of EXPORT_RANK_PAGE hits to rank
            while (page - 1) * EXPORT_RANK_PAGE < len(docs):
                with snap.lock:
                    more: list[int] = []
                    if page == 1 and self._capped(req, query):  # the first page capped, as the pages list it
                        order, scores, pages = per_article.head(_top(m, query, docs, req), len(docs),
                                                                snap.heads_by_docnum, req.size, self.per_article,
                                                                EXPORT_RANK_PAGE)
                        more = per_article.more_in_article(snap.heads_by_docnum, docs, order[:req.size])
                    else:
                        order, scores = ranking.rank(m, query, docs, req.replace(page=page, size=EXPORT_RANK_PAGE))
                        pages = 1
                page += pages
                for start in range(0, len(order), EXPORT_CHUNK):
                    end = start + EXPORT_CHUNK
                    with snap.lock:
                        records = snap.reader.stored_many(order[start:end])
                    for i, (rec, score) in enumerate(zip(records, scores[start:end]), start):
                        hit = documents.hit_of(rec, score, query if snippets else None)
                        hit.more_in_article = more[i] if i < len(more) else 0
                        yield hit

    # -- articles -----------------------------------------------------------------

    def article(self, doc_id: str) -> Article | None:
        with self._using() as snap:
            return documents.article(snap, doc_id)

    def articles(self, page: int = 1, size: int = 10,
                 req: SearchRequest | None = None) -> tuple[int, list[ArticleSummary]]:
        """Articles, newest first (undated last), a page at a time; with
        ``req``, those with a paragraph its filters let through."""
        if req is not None:
            req.validate()
        with self._using() as snap:
            within = None
            if req is not None and (any(req.filters.values()) or req.ranges):
                within = _passing(snap.all_live, facet_counts.filter_masks(snap.facets, req, snap.all_live))
            return documents.articles(snap, page, size, within)

    def find_in_article(self, doc_id: str, q: str) -> list[int]:
        """The numbers of the paragraphs of ``doc_id`` that ``q`` finds."""
        query = self.query(q)
        with self._using() as snap:
            ids = documents.article_docnums(snap, doc_id)
            found = ids[holds(Matcher(snap).match(query), ids)] if len(ids) and query.positive_leaves() else ids[:0]
            return sorted(snap.stored(d).para_no for d in found.tolist())

    def query(self, q: str) -> Query:
        """``q`` parsed as searches parse it (with this searcher's synonyms)."""
        return parse(q, self.synonyms)


def _top(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest):
    """``top(n)``: the ``n`` best of ``docs`` in rank order."""
    return lambda n: ranking.rank(m, query, docs, req.replace(page=1, size=n))


def _passing(matches: np.ndarray, masks: dict) -> np.ndarray:
    """The matches every filter lets through."""
    keep = np.ones(len(matches), dtype=bool)
    for ok in masks.values():
        keep &= ok
    return matches[keep]
