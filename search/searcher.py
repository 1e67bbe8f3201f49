"""The Python API: ``Searcher(index_dir).search(SearchRequest(...))``.

A thin front over one :class:`~search.snapshot.Snapshot` at a time: it
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
from contextlib import contextmanager

import numpy as np

from search import documents, facet_counts, ranking
from search.analysis import load_segmenter
from search.facets import measure_labels
from search.matching import Matcher
from search.model import Article
from search.query import Query, parse
from search.results import ArticleSummary, SearchRequest, SearchResult
from search.snapshot import Snapshot
from search.store import POSTINGS_CACHE, ArrayLRU, Index
from search.synonyms import Synonyms

log = logging.getLogger("search")


class Searcher:
    """Searches one index folder; the Python API the CLI and web app share.
    Raises ``IndexMissing``, ``IndexVersionError`` or ``IndexDamaged``
    (``search.store``) when the folder holds no usable index."""

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None):
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
        self._postings_cache = ArrayLRU(POSTINGS_CACHE)  # per segment: outlives snapshots
        self._snap = Snapshot(Index.open(self.index_dir), self._postings_cache)
        load_segmenter()  # load the dictionary now, not in the first search
        measure_labels()  # and the measure rules (read when a search filters by measure)
        self._lock = threading.Lock()  # guards _snap and the users counts
        self._checked = time.monotonic()
        self.refresh_failures = 0
        self.last_refresh_error: str | None = None

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
            new = Snapshot(Index.open(self.index_dir), self._postings_cache)
        except Exception as e:
            self.refresh_failures += 1
            self.last_refresh_error = f"{type(e).__name__}: {e}"
            log.error("index %s: cannot open its new state, serving the previous one: %s",
                      self.index_dir, self.last_refresh_error)
            return False
        with self._lock:
            old, self._snap = self._snap, new
            old.retired = True
            idle = old.users == 0
        if idle:
            old.close()
        return True

    @contextmanager
    def _using(self):
        """The current snapshot, held for the length of one search."""
        with self._lock:
            snap = self._snap
            snap.users += 1
        try:
            with snap.lock:
                yield snap
        finally:
            with self._lock:
                snap.users -= 1
                idle = snap.retired and snap.users == 0
            if idle:
                snap.close()

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
                "last_refresh_error": self.last_refresh_error}

    # -- searching --------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        req.validate()
        query = self.query(req.q)
        with self._using() as snap:
            m = Matcher(snap)
            matches = m.match(query)
            masks = facet_counts.filter_masks(snap.facets, req, matches)
            keep = np.ones(len(matches), dtype=bool)
            for ok in masks.values():
                keep &= ok
            docs = matches[keep]
            facets = facet_counts.count(snap.facets, req, matches, masks)
            order, scores = ranking.rank(m, query, docs, req)
            hits = [documents.hit(snap, d, s, query) for d, s in zip(order, scores)]
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(request=req, total=int(len(docs)), took_ms=took, hits=hits, facets=facets)

    # -- articles -----------------------------------------------------------------

    def article(self, doc_id: str) -> Article | None:
        with self._using() as snap:
            return documents.article(snap, doc_id)

    def articles(self, page: int = 1, size: int = 10) -> tuple[int, list[ArticleSummary]]:
        """Articles, newest first (undated last), a page at a time."""
        with self._using() as snap:
            return documents.articles(snap, page, size)

    def query(self, q: str) -> Query:
        """``q`` parsed as searches parse it (with this searcher's synonyms)."""
        return parse(q, self.synonyms)
