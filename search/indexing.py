"""Bringing an index up to date with the files it was built from
(``zhsearch index``): which files are new, changed or gone (by content
hash), reading and analysing them in worker processes, and committing
their paragraphs with the deletions in one step.  What is stored, and how,
is ``search.store``'s business.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.structure import distinct_doc_id
from search.model import IngestError, ListPageSkipped
from search.text.scrub import printable_path
from search.store import Index, IndexedFile, Meta, analyze_article, exists

PARALLEL_MIN_FILES = 4  # fewer changed files are written in this process (a one-article update stays quick)
# Postings that all segment writers together hold in memory (~15 bytes each,
# so about 2 GB) before each writes its segment and starts another; a million
# paragraphs (~185 million postings) give four segments with two processes.
SEGMENT_POSTINGS = 128_000_000


def file_hash(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Counts:
    added: int = 0
    replaced: int = 0
    removed: int = 0
    skipped: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (f"{self.added} added, {self.replaced} replaced, {self.removed} removed, "
                f"{self.skipped} skipped, {self.failed} failed")


@dataclass
class IndexSummary:
    articles: Counts = field(default_factory=Counts)
    paragraphs: Counts = field(default_factory=Counts)
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # files indexed, but not whole or not at all
    list_pages: list[str] = field(default_factory=list)  # HTML pages of links: no article, not failed
    seconds: float = 0.0

    def line(self) -> str:
        warned = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        lists = f"; {len(self.list_pages)} list page(s) skipped" if self.list_pages else ""
        return (f"articles: {self.articles}; paragraphs: {self.paragraphs}{lists}{warned}; "
                f"{self.seconds:.1f} s")


def _read(path_and_hash):
    """Worker: ingest one file (runs in a process pool)."""
    from search.ingest import read_file

    path, digest, real_path = path_and_hash  # path: as indexed (printable); real_path: as on disk
    warnings: list[str] = []
    try:
        articles = read_file(real_path, warnings)
        return path, digest, articles, [analyze_article(a) for a in articles], None, warnings
    except IngestError as e:
        return path, digest, None, None, e.reason, warnings
    except Exception as e:  # a bug in a rule must not lose the other files
        return path, digest, None, None, f"could not be ingested ({type(e).__name__}: {e})", warnings


def _plan(sources: list[str], known: dict[str, IndexedFile], summary: IndexSummary):
    """Which files to read, and which indexed files vanished."""
    from search.ingest import iter_source_files

    to_read: list[tuple[str, str]] = []
    seen: set[str] = set()
    folders: list[str] = []
    unreadable: set[str] = set()  # unreadable now: neither vanished nor unchanged
    for src in sources:
        p = Path(src).resolve()
        if p.is_dir():
            folders.append(printable_path(p) + os.sep)
        try:
            files = list(iter_source_files([src]))  # reported under the name given
        except IngestError as e:
            summary.failures.append((e.path, e.reason))
            summary.articles.failed += 1
            continue
        for f in files:
            real = Path(f).resolve()
            key = printable_path(real)  # a name that is not UTF-8 is indexed as \xNN escapes
            if key in seen:
                continue
            seen.add(key)
            try:
                digest = file_hash(real)
            except OSError as e:  # reported; what the index holds of it stays
                summary.failures.append((key, f"cannot be read ({e.strerror})"))
                summary.articles.failed += 1
                seen.discard(key)
                unreadable.add(key)
                continue
            if key in known and known[key].hash == digest:
                continue
            to_read.append((key, digest, str(real)))
    vanished = [k for k in known if k not in seen and k not in unreadable
                and any(k.startswith(d) for d in folders)]
    reading = {r[0] for r in to_read}
    unchanged = [k for k in known if k in seen and k not in reading]
    return to_read, vanished, unchanged


def build_index(sources: list[str], index_dir: str | Path, rebuild: bool = False,
                procs: int | None = None, progress: bool = False) -> IndexSummary:
    """Bring the index in ``index_dir`` up to date with ``sources``.
    Raises IndexVersionError, IndexDamaged, IndexLocked (``search.store``)."""
    t0 = time.perf_counter()
    summary = IndexSummary()
    index_dir = str(index_dir)
    index = Index.create(index_dir) if rebuild or not exists(index_dir) else Index.open(index_dir)
    index.meta.add_known_values()  # before any writer (or worker) needs their bits
    known = index.indexed_files(sources)
    to_read, vanished, unchanged = _plan(sources, known, summary)
    procs = max(1, procs or os.cpu_count() or 1)

    owners = _doc_id_owners(index, to_read, set(vanished))

    update = index.update()
    try:
        for path in vanished:
            update.delete_path(path)
            summary.articles.removed += known[path].articles
            summary.paragraphs.removed += known[path].paragraphs
        for path in unchanged:
            summary.articles.skipped += known[path].articles
            summary.paragraphs.skipped += known[path].paragraphs
        bar = _progress(len(to_read)) if progress else None
        if procs > 1 and len(to_read) >= PARALLEL_MIN_FILES:
            files, segments, names = _write_in_workers(index, to_read, procs, bar, owners)
        else:
            files, segments, names = _write_here(index, to_read, bar, owners)
        if bar:
            bar.close()
        for path, n_art, n_par, error, warnings in files:
            summary.warnings += warnings
            if error is not None and error.startswith(ListPageSkipped.PREFIX):
                summary.list_pages.append(path)
                continue
            if error is not None:
                summary.failures.append((path, error))
                summary.articles.failed += 1
                continue  # a changed file that fails keeps its old version
            if path in known:
                update.delete_path(path)
            _count_file(summary, known.get(path), n_art, n_par)
        update.commit(segments, names)
    except BaseException:
        update.cancel()
        raise
    summary.seconds = time.perf_counter() - t0
    return summary


def _planned_doc_ids(path: str, real_path: str) -> list[str]:
    """The doc_ids a file's articles will claim, found without ingesting it:
    the file's own id, or each JSON line's id (or ``<file id>.<line>``)."""
    import json

    from search.ingest.structure import file_doc_id, record_doc_id

    p = Path(real_path)
    if p.suffix.lower() != ".jsonl":
        return [file_doc_id(p)]
    ids = []
    try:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                raw = obj.get("id") if isinstance(obj, dict) else None
                ids.append(record_doc_id(str(raw).strip() if raw is not None else None, p, line_no))
    except OSError:
        pass
    return ids


def _doc_id_owners(index: Index, to_read, vanished: set[str]) -> dict[str, str]:
    """Which file each doc_id the files to read claim belongs to: the file
    the index already holds it for, else the first claimant in path order.
    Any other file's article with that id gets ``distinct_doc_id``: ids are
    unique across the archive and stable when files are indexed again."""
    claims: dict[str, str] = {}
    for path, _, real in sorted(to_read):
        for doc_id in _planned_doc_ids(path, real):
            claims.setdefault(doc_id, path)
    held = {d: p for d, p in index.doc_id_paths(claims).items() if p not in vanished}
    return {**claims, **held}


def _write_here(index: Index, to_read, bar, owners: dict | None = None) -> tuple[list, list, dict]:
    """Read, analyse and write the files in this process; returns the
    per-file results, the new segments and the facet names seen."""
    files, segments = [], []

    def on_file(result):
        files.append(result)
        if bar:
            bar.update()

    names = _write_files(index, index.meta, to_read, SEGMENT_POSTINGS, on_file, segments.append, owners)
    return files, segments, names


def _write_files(index: Index, meta: Meta, items, limit: int, on_file, on_segment,
                 owners: dict | None = None) -> dict:
    """Read, analyse and write each file of ``items`` into new segments, a
    new one whenever the postings held in memory reach ``limit``; reports
    each file's result and each finished segment, and returns the names of
    single-valued facets' values it wrote."""
    writer = index.segment_writer()
    try:
        for item in items:
            path, digest, articles, analyses, error, warnings = _read(item)
            n_par = 0
            if error is None:
                for article, analyzed in zip(articles, analyses):
                    article.path = path
                    article.doc_id = _own_doc_id(article.doc_id, path, owners or {})
                    n_par += writer.add(article, meta, digest, len(articles), analyzed)
                if writer.postings >= limit:
                    on_segment(writer.finish())
            on_file((path, len(articles or ()), n_par, error, warnings))
        segment = writer.finish()
        if segment is not None:
            on_segment(segment)
    finally:
        writer.abandon()  # after a failure: its files go at the next commit
    return writer.names_seen


def _own_doc_id(doc_id: str, path: str, owners: dict) -> str:
    """``doc_id``, or, when another file owns it (or owns the id of the
    column whose item it is: ``<id>.<n>``), a distinct one."""
    owner = owners.get(doc_id)
    if owner is not None:
        return doc_id if owner == path else distinct_doc_id(doc_id, path)
    base, dot, n = doc_id.rpartition(".")
    if dot and owners.get(base, path) != path:
        return f"{distinct_doc_id(base, path)}.{n}"
    return doc_id


def _write_in_workers(index: Index, to_read, procs: int, bar, owners: dict | None = None):
    """Read, analyse and write the files in ``procs`` processes, each into
    segments of its own; returns the per-file results, the segments (which
    the caller commits with its own changes) and the facet names seen."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    jobs, results = ctx.Queue(), ctx.Queue()
    for item in to_read:
        jobs.put(item)
    args = (index, SEGMENT_POSTINGS // procs, jobs, results, owners)  # forked: not pickled
    workers = [ctx.Process(target=_segment_worker, args=args, daemon=True) for _ in range(procs)]
    for _ in workers:
        jobs.put(None)
    for w in workers:
        w.start()
    files, segments, names, done = [], [], {}, 0
    try:
        while done < len(workers):
            try:
                kind, payload = results.get(timeout=5)
            except queue.Empty:
                if not any(w.is_alive() for w in workers):
                    raise RuntimeError("indexing worker processes ended without finishing") from None
                continue
            if kind == "file":
                files.append(payload)
                if bar:
                    bar.update()
            elif kind == "segment":
                segments.append(payload)
            elif kind == "done":
                for facet, seen in payload.items():
                    names.setdefault(facet, {}).update(seen)
                done += 1
            else:
                raise RuntimeError(f"an indexing worker failed: {payload}")
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.terminate()
    return files, segments, names


def _segment_worker(index: Index, limit: int, jobs, results, owners: dict | None = None) -> None:
    """A worker process: files from ``jobs`` into new segments (a new one
    whenever the postings held in memory reach its share of
    ``SEGMENT_POSTINGS``)."""
    try:
        names = _write_files(index, index.meta, iter(jobs.get, None), limit,
                             lambda result: results.put(("file", result)),
                             lambda seg: results.put(("segment", seg)), owners)
        results.put(("done", names))
    except BaseException as e:  # reported to the parent, which cancels the whole update
        results.put(("error", f"{type(e).__name__}: {e}"))


def _count_file(summary: IndexSummary, old: IndexedFile | None, n_art: int, n_par: int) -> None:
    if old is None:
        summary.articles.added += n_art
        summary.paragraphs.added += n_par
        return
    summary.articles.replaced += min(n_art, old.articles)
    summary.paragraphs.replaced += min(n_par, old.paragraphs)
    summary.articles.added += max(0, n_art - old.articles)
    summary.paragraphs.added += max(0, n_par - old.paragraphs)
    summary.articles.removed += max(0, old.articles - n_art)
    summary.paragraphs.removed += max(0, old.paragraphs - n_par)


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, leave=False)
