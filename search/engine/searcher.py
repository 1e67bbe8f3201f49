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
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from search.engine import documents

from search.engine import facet_counts

from search.engine import kwic as concordance
from search.engine import per_article, ranking
from search.engine import terms as related
from search.engine import trends as over_years
from search.text.analysis import FOLD_BY_ARRAY, cut_words, fold, load_segmenter
from search.engine.docsets import holds
from search.facets import measure_labels
from search.engine.matching import Matcher
from search.model import Article
from search.query.parse import Query, parse
from search.engine.results import (GROUP_HITS, ArticleGroup, ArticleSummary, FacetValue, Hit, SearchRequest,
                                   SearchResult)
from search.engine.snapshot import Snapshot
from search.store import Index, IndexDamaged, IndexUnavailable
from search.store.integrity import Pace, damaged
from search.query.suggest import suggest
from search.text.synonyms import Synonyms

log = logging.getLogger("search")

EXPORT_RANK_PAGE = 20_000  # the export's capped head: hits placed as the first page places them
EXPORT_CHUNK = 500  # stored paragraphs read under the snapshot's lock at a time
VERIFY_EVERY = 600.0  # seconds between two background checks of every file served (a server's)
VERIFY_PACE = 64 << 20  # bytes a second the background check reads: ~20 s a pass at a million paragraphs
SUSPECT_EVERY = 30.0  # seconds between two checks of every file prompted by a failing request
RANK_CACHE = 512  # a server's ranked heads kept (``Searcher(rank_cache=)``): queries asked again
RANK_CACHE_MAX = 1_000  # hits: a longer ranked head (a far page) is not kept
HITS_PER_HEAD = 4  # a server keeps the stored paragraphs and marks of rank_cache times this many hits


class Searcher:
    """Searches one index folder; the Python API the CLI and web app share.
    Raises ``IndexMissing``, ``IndexVersionError`` or ``IndexDamaged``
    (``search.store``) when the folder holds no usable index."""

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None, serving: bool = False,
                 wait: bool = False, per_article: int | None = per_article.PER_ARTICLE, rank_cache: int = 0):
        """``serving``: a server's searcher, which checksums every file of a
        generation it opens and, once ``refresh`` is called, again in the
        background every ``verify_every`` seconds.  ``wait``: an index that
        cannot be opened leaves the searcher unavailable (``unavailable``
        says why) instead of raising, and each refresh after the folder
        changes tries again.  ``per_article``: at most that many paragraphs
        of one article on the first page of a relevance-ranked search
        (``search.engine.per_article``); None: the pages list the rank order.
        ``rank_cache``: how many ranked heads of relevance-ranked searches
        to keep for the same request asked again (a server's: ``RANK_CACHE``;
        0, the default, keeps none: the ranking rules are read afresh each
        search, as tests that change them expect).  Each is the best hits of
        one query with its filters on one snapshot, in rank order with their
        scores: asking it again, or its next page, skips ranking (the rules
        read the best candidates' texts), the answer unchanged."""
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
        self.serving = serving
        self.per_article = per_article
        self.rank_cache = rank_cache
        self._kept = Kept(rank_cache, rank_cache * HITS_PER_HEAD)  # ranked heads and hits: ``_top``, ``_hit``
        self.verify_every = VERIFY_EVERY
        self._verified: dict = {}  # files found intact, by name (integrity.Served.checksums)
        self._lock = threading.Lock()  # guards _snap and the users counts
        self._checked = time.monotonic()
        self.refresh_failures = 0
        self.last_refresh_error: str | None = None
        self.damaged: str | None = None  # why the newest generation was refused, while it is
        self.broken: str | None = None  # why the state being served cannot be, while it cannot
        self._tried = None  # the folder as it was when opening last failed
        self._watcher = None  # the process whose background check runs
        self._closed = False
        self._suspected = 0.0
        self._suspect_lock = threading.Lock()
        self._snap: Snapshot | None = None
        try:
            self._snap = self._open_latest()
        except IndexUnavailable as e:
            if not wait:
                raise
            self.broken = str(e)
            self._tried = self._folder()
            log.error("index %s: cannot be served: %s", self.index_dir, e)
        load_segmenter()  # load the dictionary now, not in the first search
        cut_words("预热")  # and the fast cutter's (rjieba's import: ~0.15 s)
        fold("预热" * FOLD_BY_ARRAY)  # and the fold's lookup array, which long texts go through (1-4 ms)
        measure_labels()  # and the measure rules (read when a search filters by measure)
        self.synonyms("预热")  # and the synonyms file, which every query's words are looked up in (~0.6 ms)

    # -- life cycle -----------------------------------------------------------

    def _open_latest(self) -> Snapshot:
        snap = Snapshot(Index.open(self.index_dir))
        if self.serving:
            why = snap.files.checksums(known=self._verified)
            if why:
                snap.close()
                raise damaged(self.index_dir, why)
        return snap

    def _folder(self) -> tuple:
        """The index folder's names, sizes and times: whether trying again
        to open what could not be opened may give something else."""
        try:
            return tuple(sorted((e.name, st.st_size, st.st_mtime_ns)
                                for e in os.scandir(self.index_dir) for st in [e.stat()]))
        except OSError:
            return ()

    def refresh(self, min_interval: float = 0.5) -> bool:
        """Open the newest committed state if the index changed, and check
        that the state served is still as written (its files' sizes).  A
        new state that cannot be opened is logged and counted (``health``);
        the current one goes on serving.  The state served found damaged
        makes the searcher unavailable until a good state opens."""
        self.watch()
        now = time.monotonic()
        if now - self._checked < min_interval:
            return False
        self._checked = now
        current = self._snap
        if current is not None and self.broken is None:
            why = current.files.sizes()
            if why:
                self._break(current, damaged(self.index_dir, why))
        healthy = current is not None and self.broken is None
        folder = None
        try:
            if healthy and current.index.latest_generation() == current.generation:
                gone = current.files.record_gone()  # the next worker to start would refuse it
                if gone:
                    self._break(current, damaged(self.index_dir, gone))
                return False
            folder = self._folder()
            if folder == self._tried:
                return False  # nothing changed since the last try: it would fail again
            new = self._open_latest()
        except Exception as e:
            # what is damaged stays so until the folder changes; another error may pass
            self._tried = folder if isinstance(e, IndexUnavailable) else None
            self.refresh_failures += 1
            repeated = self.last_refresh_error == f"{type(e).__name__}: {e}"
            self.last_refresh_error = f"{type(e).__name__}: {e}"
            reason = str(e) if isinstance(e, IndexUnavailable) else self.last_refresh_error
            if healthy:
                self.damaged = reason
            else:
                self.broken = reason  # nothing good to serve meanwhile
            if not repeated:
                log.error("index %s: cannot open its new state, %s: %s", self.index_dir,
                          "serving the previous one" if healthy else "answering 503", self.last_refresh_error)
            return False
        self.damaged = self.broken = self._tried = None
        with self._lock:
            old, self._snap = self._snap, new
            idle = old is not None and old.users == 0
            if old is not None:
                old.retired = True
        if idle:
            old.close()
        return True

    def watch(self) -> None:
        """Start the background check of a server's searcher in this
        process, if it is not running here yet (threads do not survive a
        fork): a worker calls it as it starts, so that one no request has
        reached yet still finds damage, and every refresh makes sure."""
        if self.serving and self._watcher != os.getpid():
            self._watcher = os.getpid()
            threading.Thread(target=self._watch, name="zhsearch-verify", daemon=True).start()

    def _break(self, snap: Snapshot, e: Exception) -> None:
        """``snap`` is found damaged: unavailable while it is the one served."""
        if snap is self._snap and self.broken is None:
            self.broken = str(e)
            self._tried = None  # a new state, or the files restored, is tried at the next refresh
            log.error("index %s: the state being served is damaged: %s", self.index_dir, e)

    def unavailable(self) -> str | None:
        """Why nothing can be served (the state served is damaged, or none
        could be opened), or None."""
        return self.broken

    def _watch(self) -> None:
        """Every ``verify_every`` seconds, checksum every file of the state
        served, at ``VERIFY_PACE`` bytes a second."""
        while not self._closed:
            due = time.monotonic() + self.verify_every
            while not self._closed and time.monotonic() < due:
                time.sleep(min(1.0, self.verify_every))
            snap = self._snap
            if self._closed:
                return
            if snap is None or self.broken is not None:
                continue
            try:
                why = snap.files.checksums(Pace(VERIFY_PACE), stop=lambda: snap.retired)
            except Exception as e:  # noqa: BLE001 - the check must not die; the next pass tries again
                log.error("index %s: background check failed: %s", self.index_dir, e)
                continue
            if why:
                self._break(snap, damaged(self.index_dir, why))

    def suspect(self) -> str | None:
        """A request failed unexpectedly: check every file of the state
        served now (at most every ``SUSPECT_EVERY`` seconds), and say why
        it is unavailable if it is damaged."""
        snap = self._snap
        if snap is None or self.broken is not None:
            return self.broken
        with self._suspect_lock:
            if time.monotonic() - self._suspected >= SUSPECT_EVERY and self.broken is None:
                self._suspected = time.monotonic()
                why = snap.files.sizes() or snap.files.checksums()
                if why:
                    self._break(snap, damaged(self.index_dir, why))
        return self.broken

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
            if snap is None:
                raise IndexDamaged(self.broken or f"no index open in {self.index_dir}")
            snap.users += 1
        try:
            cut = snap.cut_short()
            if cut:  # reading its memory maps would kill the process
                e = damaged(self.index_dir, cut)
                self._break(snap, e)
                raise e
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
        the arrays the parent loaded, whose pages the workers then share.
        An index damaged meanwhile leaves it unavailable, as ``wait`` does."""
        with self._lock:
            old = self._snap
            try:
                self._snap = old.reopened()
            except IndexUnavailable as e:
                self._snap, self.broken, self._tried = None, str(e), self._folder()
                log.error("index %s: cannot be served: %s", self.index_dir, e)
        # the parent's handles: this process's copies only (the parent keeps its own)
        old.close()

    def close(self) -> None:
        self._closed = True  # ends the background check
        if self._snap is not None:
            self._snap.close()

    def stats(self) -> dict:
        snap = self._snap
        if snap is None:
            return {"documents": 0, "paragraphs": 0}
        return {"documents": int(len(snap.article_heads)), "paragraphs": snap.n_live}

    def health(self) -> dict:
        return {**self.stats(), "refresh_failures": self.refresh_failures,
                "last_refresh_error": self.last_refresh_error, "damaged": self.damaged,
                "unavailable": self.broken}

    # -- searching --------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        req.validate()
        query = self.query(req.q)
        with self._using() as snap:
            m = Matcher(snap)
            matches = _matching(snap, m, query, req)
            gathered: dict = {}  # the matches' facet combinations, read once for the filters and the counts
            masks = facet_counts.filter_masks(snap.facets, req, matches, gathered)
            docs = _passing(matches, masks)
            facets = facet_counts.count(snap.facets, req, matches, masks, snap.all_live, gathered=gathered)
            groups = None
            if req.group == "article":
                groups = _article_groups(snap, m, query, docs, req)
                hits = [g.best for g in groups]
                order = [None] * len(hits)
            else:
                capped = self._capped(req, query)
                if capped:
                    restating = _restating(snap)
                    reprinted = snap.reprints().group if ONE_PRINT else None
                    order, scores = per_article.page(self._top(snap, m, query, docs, req), len(docs),
                                                     snap.heads_by_docnum, req.page, req.size, self.per_article,
                                                     restating, reprinted, snap.heads_of)
                    why = (_explained(m, query, docs, req, order, restating, self.per_article, reprinted)
                           if req.explain else [])
                else:
                    order, scores, why = ranking.rank(m, query, docs, req, explain=req.explain)
                hits = [self._hit(snap, d, s, query, req.q) for d, s in zip(order, scores)]
                for h, w in zip(hits, why):  # why is empty unless explain was asked
                    h.explain = w
                if capped and req.page == 1:
                    more = per_article.more_in_article(snap.heads_by_docnum, docs, order, snap.article_bounds)
                    for h, n in zip(hits, more):
                        h.more_in_article = n
            # a grouped article's hits were counted with it; the others at once
            # (``Reprints.counts``: one lookup for the page, not a np.unique a hit)
            listed = [(h, d) for h, d in zip(hits, order) if d is not None]
            if listed:
                for (h, _), n in zip(listed, snap.reprints().counts([d for _, d in listed]).tolist()):
                    h.reprints = n
            tips = suggest(req, query, m, lambda r: self._count(snap, m, r)) if len(docs) == 0 else []
            articles = snap.articles_in(docs, gathered)
        took = (time.perf_counter() - t0) * 1000
        expanded = query.expanded()
        return SearchResult(request=req, total=int(len(docs)), took_ms=took, hits=hits, facets=facets,
                            expanded=expanded, renamed=self._renamed(expanded), suggestions=tips,
                            articles=articles, groups=groups)

    def _renamed(self, expanded: dict[str, list[str]]) -> dict[str, list]:
        """For each widened word, the words added that are its old or new
        names (``Synonyms.renamings``), in the order the synonyms file gives."""
        out = {}
        for typed, added in expanded.items():
            names = [r for r in self.synonyms.renamings(fold(typed)) if r.word in added]
            if names:
                out[typed] = names
        return out

    def _top(self, snap: Snapshot, m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest):
        """``_top``, its answers kept for the same request on the same
        snapshot when ``rank_cache`` allows (up to that many, the least
        recently asked dropped first).  The key is what decides the ranked
        head: the query as typed (parsed with this searcher's synonyms), the
        filters, ranges and collapse that make ``docs``, the sort and the
        length asked; the page and size are not (a next page reads the same
        head)."""
        top = _top(m, query, docs, req)
        if not self.rank_cache:
            return top
        filters = tuple((k, tuple(v)) for k, v in req.filters.items() if v)
        ranges = tuple(sorted(req.ranges.items()))
        base = (req.q, id(self.synonyms), filters, ranges, req.collapse, req.sort)

        def cached(n: int):
            if n > RANK_CACHE_MAX:
                return top(n)
            key = base + (n,)
            kept = self._kept.get(snap, "ranked", key)
            if kept is None:
                order, scores = top(n)
                # 12 bytes a hit, not two Python objects (a head of 1,000: 12 kB, not ~70):
                # given back as the same ints and floats
                kept = self._kept.put(snap, "ranked", key, (np.array(order, dtype=np.int32),
                                                           np.array(scores, dtype=np.float64)))
                return order, scores
            return kept[0].tolist(), kept[1].tolist()
        return cached

    def _hit(self, snap: Snapshot, d: int, score: float, query: Query, q: str) -> Hit:
        """``documents.hit``; a server keeps the stored paragraph and its
        marks for the query (``q`` as typed) of the hits it listed last
        (``rank_cache`` times ``HITS_PER_HEAD``): a page asked again reads and
        marks nothing (a stored read decompresses the paragraph's record, and
        its article's first one for the title; marking finds every word of
        the query in three fields)."""
        if not self.rank_cache:
            return documents.hit(snap, d, score, query)
        key = (q, id(self.synonyms), d)
        kept = self._kept.get(snap, "hits", key)
        if kept is None:
            rec = snap.stored(d)
            kept = self._kept.put(snap, "hits", key, (rec, documents.marks(rec, query, snap.kept_fold(d))))
        return documents.hit_of(kept[0], score, query, kept[1])

    def _capped(self, req: SearchRequest, query: Query) -> bool:
        """Whether the first page holds at most ``per_article`` paragraphs
        of one article: ranked by relevance, for a query."""
        return (self.per_article is not None and req.sort == "relevance" and bool(query.positive_leaves())
                and req.group != "article")

    def _count(self, snap: Snapshot, m: Matcher, req: SearchRequest) -> int:
        """How many paragraphs ``req`` finds on ``snap``."""
        matches = _matching(snap, m, self.query(req.q), req)
        return int(len(_passing(matches, facet_counts.filter_masks(snap.facets, req, matches))))

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> Iterator[Hit]:
        """Every hit of ``req``, not a page (its ``page`` is ignored), in the
        order its pages of ``size`` list them one after another: the export.
        The query is matched once and its hits ranked once, by the function
        that ranks the pages, into two arrays (docnums, scores: 16 bytes a
        hit, ``ranking.ranked_arrays``); the first page's cap per article
        is applied to the head of that order as the pages apply it.  Hits
        are read ``EXPORT_CHUNK`` at a time, so memory stays flat whatever
        the count.  The snapshot stays open until the iterator is exhausted
        or closed, but is locked only while ranking and while a chunk is
        read, so searches go on meanwhile.  Without ``snippets`` a hit's
        ``snippet`` is None (a CSV row has no use for one)."""
        req.validate()
        query = self.query(req.q)
        with self._pinned() as snap:
            with snap.lock:
                m = Matcher(snap)
                matches = _matching(snap, m, query, req)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
                order, scores = ranking.ranked_arrays(m, query, docs, req.replace(page=1, size=max(len(docs), 1)))
                head, head_scores, more = [], [], []
                if self._capped(req, query) and len(docs):
                    # the first page capped, as the pages list it: its picks and the hits
                    # they passed over, from the same rank order; the rest is that order
                    def top(n: int):
                        return order[:n].tolist(), scores[:n].tolist()

                    # its restating paragraphs looked for among the first EXPORT_RANK_PAGE
                    # hits: thousands, whose folded texts are not kept (``_restating``)
                    head, head_scores, _ = per_article.head(top, len(docs), snap.heads_by_docnum, req.size,
                                                            self.per_article, EXPORT_RANK_PAGE,
                                                            _restating(snap),
                                                            snap.reprints().group if ONE_PRINT else None)
                    more = per_article.more_in_article(snap.heads_by_docnum, docs, head[:req.size])
            del matches, docs
            reprints = snap.reprints()
            skip = len(head)
            for start in range(0, len(order), EXPORT_CHUNK):
                end = min(start + EXPORT_CHUNK, len(order))
                if end <= skip:
                    chunk, chunk_scores = head[start:end], head_scores[start:end]
                else:
                    chunk = head[start:skip] + order[max(start, skip):end].tolist()
                    chunk_scores = head_scores[start:skip] + scores[max(start, skip):end].tolist()
                with snap.lock:
                    records = snap.reader.stored_many(chunk, keep=False)
                counts = reprints.counts(chunk).tolist()
                for i, (rec, n, score) in enumerate(zip(records, counts, chunk_scores), start):
                    hit = documents.hit_of(rec, score, query if snippets else None)
                    hit.more_in_article = more[i] if i < len(more) else 0
                    hit.reprints = n
                    yield hit

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
                                      lambda ws: snap.postings.doc_freqs("text", ws), exclude, limit)
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

    def article_facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        """The facet values of the article list (``articles``), each with
        the number of articles holding it in a paragraph the other facets'
        filters let through: disjunctive, as the search's counts are."""
        req.validate()
        with self._using() as snap:
            docs = snap.all_live
            masks = facet_counts.filter_masks(snap.facets, req, docs)
            return facet_counts.count(snap.facets, req, docs, masks, article_no=snap.article_no)

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


class Kept:
    """A server's searcher's least-recently-used caches of one snapshot
    (weakly held: a retired snapshot is not kept alive for them), by name
    with their sizes; emptied when another snapshot is asked about."""

    def __init__(self, ranked: int, hits: int):
        self.sizes = {"ranked": ranked, "hits": hits}
        self._lock = threading.Lock()
        self._owner = lambda: None
        self._caches: dict[str, OrderedDict] = {}

    def _of(self, snap: Snapshot, name: str) -> OrderedDict:
        if self._owner() is not snap:  # a new snapshot: what was kept of the old one is dropped
            self._owner, self._caches = weakref.ref(snap), {}
        return self._caches.setdefault(name, OrderedDict())

    def get(self, snap: Snapshot, name: str, key):
        with self._lock:
            kept = self._of(snap, name)
            value = kept.get(key)
            if value is not None:
                kept.move_to_end(key)
            return value

    def put(self, snap: Snapshot, name: str, key, value):
        """Keep ``value`` (unless another snapshot came meanwhile); returns it."""
        with self._lock:
            if self._owner() is snap or not self._caches:
                kept = self._of(snap, name)
                kept[key] = value
                while len(kept) > self.sizes[name]:
                    kept.popitem(last=False)
        return value


def _matching(snap: Snapshot, m: Matcher, query: Query, req: SearchRequest) -> np.ndarray:
    """The paragraphs ``query`` matches; with ``collapse=reprints``, a text
    printed in several articles once (its earliest publication), before any
    filter or count, so that the total, the facets, the charts, the trends
    and the exports count it once alike."""
    matches = m.match(query)
    return snap.reprints().collapse(matches) if req.collapse == "reprints" else matches


def _article_groups(snap: Snapshot, m: Matcher, query: Query, docs: np.ndarray,
                    req: SearchRequest) -> list[ArticleGroup]:
    """The requested page of articles among ``docs``, in the order of their
    best paragraphs: the paragraphs are ranked in growing prefixes until
    the page's articles have all been met (a page of ``size`` articles
    needs at least ``page * size`` ranked paragraphs, more where articles
    hold several)."""
    need = req.page * req.size
    article_no = snap.article_no
    reprints = snap.reprints()
    want = min(len(docs), max(2 * need, 100))
    while True:
        order, scores, _ = ranking.rank(m, query, docs, req.replace(page=1, size=max(want, 1)))
        best: dict[int, tuple[int, float]] = {}  # article -> its best paragraph, in rank order
        for d, sc in zip(order, scores):
            best.setdefault(int(article_no[d]), (d, sc))
            if len(best) == need:
                break
        if len(best) >= need or want >= len(docs):
            break
        want = min(len(docs), want * 4)
    page = list(best.items())[(req.page - 1) * req.size:]
    keys = article_no[docs]
    groups = []
    for art, (d, sc) in page:
        lo, hi = np.searchsorted(keys, [art, art + 1])
        # the first in reading order, and the best one wherever it stands
        listed = np.union1d(docs[lo:min(hi, lo + GROUP_HITS - 1)], [d]) if hi - lo > GROUP_HITS else docs[lo:hi]
        # their scores, ranked among themselves (the best one's is its score among all)
        order, scores, _ = ranking.rank(m, query, listed, req.replace(page=1, size=len(listed)))
        ranked = dict(zip(order, scores))
        ranked[d] = sc
        hits = [documents.hit(snap, x, ranked[x], query) for x in listed.tolist()]
        best_hit = documents.hit(snap, d, sc, query)
        for h, x in zip([best_hit, *hits], [d, *listed.tolist()]):  # each a hit, reprinted or not
            h.reprints = reprints.count(x)
        groups.append(ArticleGroup(best=best_hit, matches=int(hi - lo), hits=hits))
    return groups


ONE_PRINT = True  # the first page shows a text printed in several articles once (per_article.first_page)


def _restating(snap: Snapshot):
    """``restating(docnum)``: whether a paragraph restates its article's
    title (``per_article.restates``).  Its folded text is the one ranking
    kept where it did (``Snapshot.folded_text``), else read and folded, and
    not kept: working out what ranking reads of it (``TextFacts``) cost
    more than the rest of the question, for a paragraph the ranking rules
    did not read (beyond the best candidates); nor for the export's head
    (thousands of paragraphs).  The title's pairs are worked out once an
    article, for its hits."""
    wanted: dict[int, set[str]] = {}

    def restating(d: int) -> bool:
        head = int(snap.heads_of([d])[0])
        title = wanted.get(head)
        if title is None:
            title = wanted[head] = per_article.title_pairs(snap.title(head))
        return per_article.holds_pairs(title, snap.folded_text(d))
    return restating


def _explained(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest, order: list[int],
               restating=None, cap: int | None = None, reprinted=None) -> list:
    """The ranking rules of each of ``order`` (a capped page, whose hits
    come from the top of the rank order, not in it), read from the rank
    order's explanations of a window that holds them."""
    window = min(len(docs), max(100, 4 * req.page * req.size))
    ranked, _, why = ranking.rank(m, query, docs, req.replace(page=1, size=window), explain=True)
    by_doc = dict(zip(ranked, why))
    place = {d: i for i, d in enumerate(ranked)}
    first, reach = None, -1
    if req.page > 1 and cap is not None:  # the paragraphs held back open the next page: know them by page 1
        first = set(per_article.page(_top(m, query, docs, req), len(docs), m.snap.heads_by_docnum, 1, req.size,
                                     cap, restating, reprinted)[0])
        reach = max((place.get(d, window) for d in first), default=-1)
    out, highest = [], -1
    for d in order:
        # a paragraph the cap held back comes after paragraphs ranked below it
        held = place.get(d, window) < (reach if first is not None and d not in first else highest)
        highest = max(highest, place.get(d, window))
        if held and restating is not None and restating(d):
            why = "复述文章标题,第一页让位于同一篇文章的下一段"
        elif held and reprinted is not None and reprinted[d] >= 0 and any(
                reprinted[x] == reprinted[d] and place.get(x, window) < place.get(d, window) for x in ranked):
            why = "同一段文字(转载)已在第一页,此段移到后面"
        else:
            why = "同一篇文章已有两段在前,此段移到后面" if held else "每篇文章在第一页至多两段"
        rule = {"rule": "per_article", "value": int(held), "why": why}
        out.append([rule] + (by_doc.get(d) or []))
    return out


def _top(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest):
    """``top(n)``: the ``n`` best of ``docs`` in rank order (docnums, scores)."""
    return lambda n: ranking.rank(m, query, docs, req.replace(page=1, size=n))[:2]


def _passing(matches: np.ndarray, masks: dict) -> np.ndarray:
    """The matches every filter lets through (``matches`` itself when none applies)."""
    if not masks:
        return matches
    keep = np.ones(len(matches), dtype=bool)
    for ok in masks.values():
        keep &= ok
    return matches[keep]
