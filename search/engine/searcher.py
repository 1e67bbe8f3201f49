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

from search.engine import kwic as concordance
from search.engine import ranking
from search.engine import terms as related
from search.engine import trends as over_years
from search.text.analysis import cut_words, fold, load_segmenter
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

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None):
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
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
            matches = _matching(snap, m, query, req)
            masks = facet_counts.filter_masks(snap.facets, req, matches)
            docs = _passing(matches, masks)
            facets = facet_counts.count(snap.facets, req, matches, masks, snap.all_live)
            order, scores, why = ranking.rank(m, query, docs, req, explain=req.explain)
            hits = [documents.hit(snap, d, s, query) for d, s in zip(order, scores)]
            for h, w in zip(hits, why):
                h.explain = w
            reprints = snap.reprints()
            for h, d in zip(hits, order):
                h.reprints = reprints.count(d)
            tips = suggest(req, query, m, lambda r: self._count(snap, m, r)) if len(docs) == 0 else []
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(request=req, total=int(len(docs)), took_ms=took, hits=hits, facets=facets,
                            expanded=query.expanded(), suggestions=tips)

    def _count(self, snap: Snapshot, m: Matcher, req: SearchRequest) -> int:
        """How many paragraphs ``req`` finds on ``snap``."""
        matches = _matching(snap, m, self.query(req.q), req)
        return int(len(_passing(matches, facet_counts.filter_masks(snap.facets, req, matches))))

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> Iterator[Hit]:
        """Every hit of ``req``, not a page (its ``page`` and ``size`` are
        ignored), in the order its pages list them one after another: the
        export.  The query is matched once; hits are ranked
        ``EXPORT_RANK_PAGE`` at a time and read ``EXPORT_CHUNK`` at a time,
        so memory stays flat whatever the count.  The snapshot stays open
        until the iterator is exhausted or closed, but is locked only while
        a chunk is read, so searches go on meanwhile.  Without ``snippets``
        a hit's ``snippet`` is None (a CSV row has no use for one)."""
        req.validate()
        query = self.query(req.q)
        with self._pinned() as snap:
            with snap.lock:
                m = Matcher(snap)
                matches = _matching(snap, m, query, req)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
            for page in range(1, -(-len(docs) // EXPORT_RANK_PAGE) + 1):
                with snap.lock:
                    order, scores, _ = ranking.rank(m, query, docs, req.replace(page=page, size=EXPORT_RANK_PAGE))
                for start in range(0, len(order), EXPORT_CHUNK):
                    end = start + EXPORT_CHUNK
                    with snap.lock:
                        records = snap.reader.stored_many(order[start:end])
                    for rec, score in zip(records, scores[start:end]):
                        yield documents.hit_of(rec, score, query if snippets else None)

    def trends(self, req: SearchRequest, queries: list[str]) -> tuple[list[over_years.Series], dict[int, int]]:
        """For each of ``queries`` (with ``req``'s filters), its paragraphs
        and articles per publication year; and the archive's paragraphs per
        year (``search.engine.trends``)."""
        req.validate()
        out = []
        with self._using() as snap:
            year, article, archive = snap.publication()
            m = Matcher(snap)
            for q in queries[:over_years.MAX_QUERIES]:
                matches = _matching(snap, m, self.query(q), req)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
                out.append(over_years.series(q, docs, year, article, archive))
        return out, archive

    def kwic(self, req: SearchRequest, context: int = concordance.CONTEXT,
             sort: str = "hits") -> tuple[list[concordance.Line], bool]:
        """Every match of ``req``'s query in its hits (``search.engine.kwic``),
        in ``sort`` order; and whether the reading stopped at ``MAX_LINES``."""
        query = self.query(req.q)
        found: list[concordance.Line] = []
        if not query.positive_leaves():
            return found, False
        hits = self.iter_hits(req, snippets=False)
        try:
            for line in concordance.lines(hits, query, context):
                if len(found) == concordance.MAX_LINES:
                    return concordance.sort(found, sort), True
                found.append(line)
        finally:
            hits.close()
        return concordance.sort(found, sort), False

    def terms(self, req: SearchRequest, limit: int = related.LIMIT) -> related.Terms:
        """The words that keep company with ``req``'s hits (``search.engine.terms``)."""
        req.validate()
        query = self.query(req.q)
        exclude = {w for w, _, _ in cut_words(fold(req.q))}
        for added in query.expanded().values():
            exclude.update(fold(w) for w in added)
        with self._pinned() as snap:
            with snap.lock:
                m = Matcher(snap)
                matches = _matching(snap, m, query, req)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
                texts = [rec.text for rec in snap.reader.stored_many(related.sample(docs).tolist())]
            # cutting the words takes the longest: other searches go on meanwhile
            # (the postings' arrays are read-only memory maps)
            found = related.significant(texts, len(docs), snap.n_live,
                                      lambda w: snap.postings.doc_freq("text", w), exclude, limit)
        return related.Terms(found, int(len(docs)), len(texts))

    def reprints_of(self, para_id: str) -> list[Hit] | None:
        """The paragraphs of other articles printing ``para_id``'s text,
        earliest first; None if no live paragraph has that name."""
        doc_id, _, no = para_id.rpartition("-")
        with self._using() as snap:
            ids = documents.article_docnums(snap, doc_id) if doc_id and no.isascii() and no.isdigit() else []
            found = next((d for d in list(ids) if snap.stored(int(d)).para_no == int(no)), None)
            if found is None:
                return None
            others = snap.reprints().others(int(found))
            day = snap.day[others].astype(np.int64)
            others = others[np.lexsort((others, np.where(day == 0, np.iinfo(np.int64).max, day)))]
            return [documents.hit(snap, int(d), 0.0, None) for d in others.tolist()]

    def hits_by_id(self, para_ids: list[str], q: str = "") -> list[Hit]:
        """The paragraphs named (``<doc_id>-<para_no>``), in the order given,
        each once; names of no live paragraph are left out.  With ``q``, their
        snippets mark it as a search does."""
        query = self.query(q) if q.strip() else None
        out: list[Hit] = []
        with self._using() as snap:
            for para_id in dict.fromkeys(para_ids):
                doc_id, _, no = para_id.rpartition("-")
                if not doc_id or not (no.isascii() and no.isdigit()):
                    continue
                for d in documents.article_docnums(snap, doc_id).tolist():
                    rec = snap.stored(d)
                    if rec.para_no == int(no):
                        out.append(documents.hit_of(rec, 0.0, query))
                        break
        return out

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
            found = ids[holds(Matcher(snap).match(query), ids)] if len(ids) and query.must else ids[:0]
            return sorted(snap.stored(d).para_no for d in found.tolist())

    def query(self, q: str) -> Query:
        """``q`` parsed as searches parse it (with this searcher's synonyms)."""
        return parse(q, self.synonyms)


def _matching(snap: Snapshot, m: Matcher, query: Query, req: SearchRequest) -> np.ndarray:
    """The paragraphs ``query`` matches; with ``collapse=reprints``, a text
    printed in several articles once (its earliest publication), before any
    filter or count, so that the total, the facets, the charts, the trends
    and the exports count it once alike."""
    matches = m.match(query)
    return snap.reprints().collapse(matches) if req.collapse == "reprints" else matches


def _passing(matches: np.ndarray, masks: dict) -> np.ndarray:
    """The matches every filter lets through."""
    keep = np.ones(len(matches), dtype=bool)
    for ok in masks.values():
        keep &= ok
    return matches[keep]
