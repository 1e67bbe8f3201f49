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
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from search.engine import documents

from search.engine import facet_counts

from search.engine import ranking
from search.text.analysis import load_segmenter
from search.engine.docsets import holds
from search.facets import measure_labels
from search.engine.matching import Matcher
from search.model import Article
from search.query.parse import Query, parse
from search.engine.results import ArticleSummary, Hit, SearchRequest, SearchResult
from search.engine.snapshot import Snapshot
from search.store import Index, IndexDamaged, IndexUnavailable
from search.store.integrity import Pace, damaged
from search.query.suggest import suggest
from search.text.synonyms import Synonyms

log = logging.getLogger("search")

EXPORT_RANK_PAGE = 20_000  # hits ranked at a time by iter_hits (bounds its memory)
EXPORT_CHUNK = 500  # stored paragraphs read under the snapshot's lock at a time
VERIFY_EVERY = 600.0  # seconds between two background checks of every file served (a server's)
VERIFY_PACE = 64 << 20  # bytes a second the background check reads: ~20 s a pass at a million paragraphs
SUSPECT_EVERY = 30.0  # seconds between two checks of every file prompted by a failing request


class Searcher:
    """Searches one index folder; the Python API the CLI and web app share.
    Raises ``IndexMissing``, ``IndexVersionError`` or ``IndexDamaged``
    (``search.store``) when the folder holds no usable index."""

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None, serving: bool = False,
                 wait: bool = False):
        """``serving``: a server's searcher, which checksums every file of a
        generation it opens and, once ``refresh`` is called, again in the
        background every ``verify_every`` seconds.  ``wait``: an index that
        cannot be opened leaves the searcher unavailable (``unavailable``
        says why) instead of raising, and each refresh after the folder
        changes tries again."""
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
        self.serving = serving
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
        measure_labels()  # and the measure rules (read when a search filters by measure)

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
        if self.serving and self._watcher != os.getpid():  # threads do not survive a fork
            self._watcher = os.getpid()
            threading.Thread(target=self._watch, name="zhsearch-verify", daemon=True).start()
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

    @property
    def measure_labels(self) -> dict[str, str]:
        return measure_labels()

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
            matches = m.match(query)
            masks = facet_counts.filter_masks(snap.facets, req, matches)
            docs = _passing(matches, masks)
            facets = facet_counts.count(snap.facets, req, matches, masks, snap.all_live)
            order, scores = ranking.rank(m, query, docs, req)
            hits = [documents.hit(snap, d, s, query) for d, s in zip(order, scores)]
            tips = suggest(req, query, m, lambda r: self._count(snap, m, r)) if len(docs) == 0 else []
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(request=req, total=int(len(docs)), took_ms=took, hits=hits, facets=facets,
                            expanded=query.expanded(), suggestions=tips)

    def _count(self, snap: Snapshot, m: Matcher, req: SearchRequest) -> int:
        """How many paragraphs ``req`` finds on ``snap``."""
        matches = m.match(self.query(req.q))
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
                matches = m.match(query)
                docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
            for page in range(1, -(-len(docs) // EXPORT_RANK_PAGE) + 1):
                with snap.lock:
                    order, scores = ranking.rank(m, query, docs, req.replace(page=page, size=EXPORT_RANK_PAGE))
                for start in range(0, len(order), EXPORT_CHUNK):
                    end = start + EXPORT_CHUNK
                    with snap.lock:
                        records = snap.reader.stored_many(order[start:end])
                    for rec, score in zip(records, scores[start:end]):
                        yield documents.hit_of(rec, score, query if snippets else None)

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


def _passing(matches: np.ndarray, masks: dict) -> np.ndarray:
    """The matches every filter lets through."""
    keep = np.ones(len(matches), dtype=bool)
    for ok in masks.values():
        keep &= ok
    return matches[keep]
