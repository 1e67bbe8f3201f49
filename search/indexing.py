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
from search.store import Index, IndexedFile, IndexUnavailable, Meta, analyze_article, exists

PARALLEL_MIN_FILES = 4  # fewer files (or parts) to read are written in this process (a one-article update stays quick)
PART_BYTES = 4 << 20  # a JSON lines file larger than this is read in parts of about this size
# a text file larger than this is read in parts of PART_BYTES (read whole it
# takes 5 to 15 times its size in one process: 971 MB and 2,887 MB for two
# files of 200 MB, bench/README.md; this keeps a whole read near 1 GB at
# most, and any page or report anyone wrote reads whole, as before)
TEXT_WHOLE_MAX = 64 << 20
# Term occurrences that all segment writers together hold in memory before
# each writes its segment and starts another: 8-12 bytes each while held, and
# about twice that for the largest field while it is grouped by term, so a
# writer's share (48 million with two processes) keeps each process near
# 1 GB, under the 1.5 GB budget tests/test_large_files.py holds it to.
SEGMENT_POSTINGS = 96_000_000
# Characters of text whose folds are kept while one job is read and written
# (``_write_files``): a part's at most, some 8 MB more a process.
FOLDS_KEPT = PART_BYTES


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


def _read(job):
    """Worker: ingest one file, or one part of a large JSON lines file
    (runs in a process pool).  Returns the job, the articles and their
    analyses, an error (None when read) and the warnings."""
    from search.ingest import read_file
    from search.ingest.pipeline import read_part

    path, digest, real_path, part = job  # path: as indexed (printable); real_path: as on disk
    warnings: list[str] = []
    try:
        if part is None:
            articles = read_file(real_path, warnings)
        elif part.head is not None:
            from search.ingest.pipeline import read_text_part_articles

            articles = read_text_part_articles(real_path, part, warnings)
        else:
            articles = read_part(real_path, part.start, part.end, part.first_line, warnings)
        # analysed lazily, as the writer takes each paragraph: memory stays flat
        return job, articles, [analyze_article(a) for a in articles], None, warnings
    except IngestError as e:
        return job, None, None, e.reason, warnings
    except Exception as e:  # a bug in a rule must not lose the other files
        return job, None, None, f"could not be ingested ({type(e).__name__}: {e})", warnings


@dataclass(frozen=True)
class Part:
    """Bytes ``start:end`` of a large JSON lines file: whole lines, the
    first of them line ``first_line``; one of ``parts``.  Of a large text
    file: part number ``no``, with what its first part says of the whole
    (``head``, ``search.ingest.pipeline.TextHead``); its bytes begin a
    line unless a line longer than a part was cut (``starts_line``)."""

    start: int
    end: int
    first_line: int
    parts: int
    no: int = 0
    head: object = None
    starts_line: bool = True


def _jobs(to_read) -> list[tuple]:
    """What the workers read: each file whole, but a JSON lines file larger
    than ``PART_BYTES`` in parts of about that size, so that a worker holds
    a part's articles and no more, and a large file keeps every worker busy."""
    jobs = []
    for path, digest, real in to_read:
        parts = _parts(real)
        jobs += [(path, digest, real, part) for part in parts] if parts else [(path, digest, real, None)]
    return jobs


def _parts(real: str) -> list[Part] | None:
    """A large JSON lines or text file's parts (None for any other file,
    or one in UTF-16, whose lines are not split at a newline byte)."""
    suffix = os.path.splitext(real)[1].lower()
    if suffix not in (".jsonl", ".txt"):
        return None
    text = suffix == ".txt"
    try:
        size = os.path.getsize(real)
        if size <= (TEXT_WHOLE_MAX if text else PART_BYTES):
            return None
        with open(real, "rb") as f:
            if f.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                return None
            spans = _text_spans(f, size) if text else _line_spans(f)
    except OSError:
        return None  # read whole, which reports the error
    if text and len(spans) < 2:
        return None  # one part: read whole
    if not text:
        return [Part(a, b, first, len(spans)) for a, b, first, _ in spans]
    from search.ingest.pipeline import text_head

    head = text_head(real, spans[0][1], more=len(spans) > 1)
    return [Part(a, b, first, len(spans), no, head, whole)
            for no, (a, b, first, whole) in enumerate(spans, 1)]


def _line_spans(f) -> list[tuple[int, int, int, bool]]:
    """(start, end, first line, True) of parts of about PART_BYTES, each
    ending at a line's end."""
    f.seek(0)
    spans, start, line = [], 0, 1
    while True:
        chunk = f.read(PART_BYTES)
        if not chunk:
            break
        if not chunk.endswith(b"\n"):
            chunk += f.readline()
        spans.append((start, start + len(chunk), line, True))
        start += len(chunk)
        line += chunk.count(b"\n")
    return spans


_FULL_STOP = "。".encode()


def _text_spans(f, size: int) -> list[tuple[int, int, int, bool]]:
    """Parts of a text file, as ``_line_spans``; but a line running on
    for another PART_BYTES past a part's end (a whole book on one line) is
    cut, after its last 。 in the part's last quarter, else between two
    UTF-8 characters: no part is longer than twice PART_BYTES.  The last
    element says whether the part begins a line."""
    f.seek(0)
    spans, start, line, starts_line = [], 0, 1, True
    while start < size:
        f.seek(start)
        chunk = f.read(PART_BYTES)
        if not chunk:
            break
        if not chunk.endswith(b"\n"):
            chunk += f.readline(PART_BYTES)
        if not chunk.endswith(b"\n") and start + len(chunk) < size:
            chunk = chunk[:_cut_within_line(chunk)]
        spans.append((start, start + len(chunk), line, starts_line))
        starts_line = chunk.endswith(b"\n")
        start += len(chunk)
        line += chunk.count(b"\n")
    return spans


def _cut_within_line(chunk: bytes) -> int:
    """Where to end a part inside a line: after a 。, else before a byte
    that starts a UTF-8 character (in a GB18030 file the cut may split a
    character, which the part's reading replaces and reports)."""
    at = chunk.rfind(_FULL_STOP, len(chunk) * 3 // 4)
    if at >= 0:
        return at + len(_FULL_STOP)
    for cut in range(len(chunk) - 1, max(len(chunk) - 4, 0), -1):
        if not 0x80 <= chunk[cut] < 0xC0:  # the next part begins with this character
            return cut
    return len(chunk)


def _job_bytes(job) -> int:
    part = job[3]
    if part is not None:
        return part.end - part.start
    try:
        return os.path.getsize(job[2])
    except OSError:
        return 0


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
            files = list(iter_source_files([src], summary.warnings))  # reported under the name given
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
    index = _open_for(index_dir, rebuild)
    index.meta.add_known_values()  # before any writer (or worker) needs their bits
    known = {} if rebuild else index.indexed_files(sources)
    to_read, vanished, unchanged = _plan(sources, known, summary)
    procs = max(1, procs or os.cpu_count() or 1)

    jobs = _jobs(to_read)
    summary.warnings += _text_parts_notes(jobs)
    owners = _doc_id_owners(None if rebuild else index, to_read, set(vanished), jobs)

    update = index.update(replace=rebuild)
    if update.taken_over is not None:
        summary.warnings.append(f"a `zhsearch index` (pid {update.taken_over}) was stopped before it "
                                "finished; its write lock was taken over and what it had written is dropped")
    try:
        for path in vanished:
            update.delete_path(path)
            summary.articles.removed += known[path].articles
            summary.paragraphs.removed += known[path].paragraphs
        for path in unchanged:
            summary.articles.skipped += known[path].articles
            summary.paragraphs.skipped += known[path].paragraphs
        bar = _progress(sum(map(_job_bytes, jobs))) if progress else None
        gather = _Gather(bar)
        if procs > 1 and len(jobs) >= PARALLEL_MIN_FILES:
            segments, names = _write_in_workers(index, jobs, procs, gather.add, owners, update)
        else:
            segments, names = _write_here(index, jobs, gather.add, owners)
        if bar:
            bar.close()
        segments = _merge_new(index, segments, summary, progress)
        for path, n_art, n_par, error, warnings in gather.files:
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


def _merge_new(index: Index, segments: list, summary: IndexSummary, progress: bool) -> list:
    """The run's new segments with neighbours merged (``search.store.merge``),
    so that a search looks each term up in one segment, not in one per
    worker.  A merge that fails costs speed, not documents: the segments
    are committed as written, with a warning."""
    if len(segments) < 2:
        return segments
    if progress:  # in place of the progress bar, and gone like it when done
        print(f"merging {len(segments)} new segments…", end="", file=sys.stderr, flush=True)
    try:
        return index.merged_new(segments)
    except Exception as e:  # noqa: BLE001 - the documents are written; only the merge is lost
        summary.warnings.append(f"the {len(segments)} new segments were not merged into fewer "
                                f"({type(e).__name__}: {e}); searches read each of them")
        return segments
    finally:
        if progress:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _open_for(index_dir: str, rebuild: bool) -> Index:
    """The index to update.  A rebuild writes beside the live generation,
    which readers go on seeing until the rebuild commits (its metadata kept:
    the names of facet values only grow); only an index this version
    cannot read is replaced by an empty one at once."""
    if not exists(index_dir):
        return Index.create(index_dir)
    if not rebuild:
        return Index.open(index_dir)
    try:
        return Index.open(index_dir)
    except IndexUnavailable:
        return Index.create(index_dir)


def _text_parts_notes(jobs) -> list[str]:
    """What a user should know of each text file read in parts."""
    notes = []
    for path, _, _, part in jobs:
        if part is not None and part.head is not None and part.no == 1:
            notes.append(f"{path}: larger than {TEXT_WHOLE_MAX >> 20} MB: read in {part.parts} parts of about "
                         f"{PART_BYTES >> 20} MB, each part after the first an article of its own "
                         "(<file id>.<its first line>) under the headline, date and source the file's "
                         "first part gives (docs/architecture.md, \"Large files\")")
    return notes


def _planned_doc_ids(path: str, real_path: str, parts: list | None = None) -> list[str]:
    """The doc_ids a file's articles will claim, found without ingesting it:
    the file's own id, or each JSON line's id (or ``<file id>.<line>``),
    or those of a large text file's parts."""
    import json

    from search.ingest.pipeline import text_part_doc_id
    from search.ingest.structure import file_doc_id, record_doc_id

    p = Path(real_path)
    if p.suffix.lower() != ".jsonl":
        return [file_doc_id(p)] + [text_part_doc_id(p, part) for part in (parts or [])[1:]]
    ids = []
    try:
        with open(p, encoding="utf-8", errors="replace", newline="\n") as f:  # lines as the reader splits them
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                if '"id"' not in line:  # no id of its own (the common case): not parsed
                    raw = None
                else:
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        continue
                    raw = obj.get("id") if isinstance(obj, dict) else None
                ids.append(record_doc_id(str(raw).strip() if raw is not None else None, p, line_no))
    except OSError:
        pass
    return ids


def _doc_id_owners(index: Index | None, to_read, vanished: set[str], jobs=()) -> dict[str, str]:
    """Which file each doc_id the files to read claim belongs to: the file
    the index already holds it for, else the first claimant in path order.
    Any other file's article with that id gets ``distinct_doc_id``: ids are
    unique across the archive and stable when files are indexed again."""
    claims: dict[str, str] = {}
    text_parts: dict[str, list] = {}
    for path, _, _, part in jobs:
        if part is not None and part.head is not None:
            text_parts.setdefault(path, []).append(part)
    for path, _, real in sorted(to_read):
        for doc_id in _planned_doc_ids(path, real, text_parts.get(path)):
            claims.setdefault(doc_id, path)
    if index is None:  # a rebuild: nothing is held
        return claims
    held = {d: p for d, p in index.doc_id_paths(claims).items() if p not in vanished}
    return {**claims, **held}


class _Gather:
    """The workers' results, a file's once all its parts are in:
    (path, articles, paragraphs, error or None, warnings)."""

    def __init__(self, bar=None):
        self.bar = bar
        self.files: list[tuple] = []
        # path -> [parts left, articles, paragraphs, errors, (part start, warnings), any paragraph, split, cut,
        #          articles read, a text file's, mojibake runs, (part start, its first runs)]
        self._parts: dict[str, list] = {}

    def add(self, result) -> None:
        job, n_art, n_par, error, warnings, counts = result
        if self.bar:
            self.bar.update(_job_bytes(job))
        path, part = job[0], job[3]
        if part is None:
            self.files.append((path, n_art, n_par, error, warnings))
            return
        acc = self._parts.setdefault(path, [part.parts, 0, 0, [], [], False, 0, 0, 0, part.head is not None,
                                                  0, []])
        acc[0] -= 1
        acc[1] += n_art
        acc[2] += n_par
        if error is not None:
            acc[3].append((part, error))
        acc[4].append((part.start, warnings))
        if counts:
            acc[5] = acc[5] or counts[0]
            acc[6] += counts[1]
            acc[7] += counts[2]
            acc[8] += counts[3]
            acc[10] += counts[4]
            acc[11].append((part.start, counts[5]))
        if acc[0] == 0:
            self.files.append(self._file(path, *self._parts.pop(path)[1:]))

    @staticmethod
    def _file(path, n_art, n_par, errors, warnings, any_paragraph, split, cut, read, text, runs, first_runs
              ) -> tuple:
        from search.ingest.pipeline import warnings_of
        from search.ingest.readers import no_usable_line

        # parts come back in whatever order the workers finish them: put their
        # messages back in the file's order, so a report names the same first
        # bad line as the file read whole does, whatever the load
        errors = sorted(errors, key=lambda e: e[0].start)
        warnings = [w for _, ws in sorted(warnings, key=lambda t: t[0]) for w in ws]
        if read == 0:  # no line gave an article: the file failed, as one read whole does
            return path, 0, 0, errors[0][1] if errors else "empty file" if text else no_usable_line(warnings), []
        for part, error in errors:
            warnings.append(f"{path}: bytes {part.start}-{part.end} (from line {part.first_line}) "
                            f"not indexed: {error}")
        first_runs = [run for _, some in sorted(first_runs, key=lambda t: t[0]) for run in some]
        return path, n_art, n_par, None, warnings + warnings_of(path, any_paragraph, split, cut, first_runs, runs)


def _write_here(index: Index, jobs, on_file, owners: dict | None = None) -> tuple[list, dict]:
    """Read, analyse and write the jobs in this process; returns the new
    segments and the facet names seen."""
    segments = []
    names = _write_files(index, index.meta, jobs, SEGMENT_POSTINGS, on_file, segments.append, owners)
    return segments, names


def _write_files(index: Index, meta: Meta, jobs, limit: int, on_file, on_segment,
                 owners: dict | None = None) -> dict:
    """Read, analyse and write each file or part of ``jobs`` into new
    segments, a new one whenever the postings held in memory reach
    ``limit``; reports each job's result and each finished segment, and
    returns the names of single-valued facets' values it wrote."""
    from search.text.analysis import keeping_folds

    writer = index.segment_writer()
    try:
        for job in jobs:
            # a job's texts are folded as they are cleaned and labelled, and
            # again when the writer cuts their words: kept in between
            with keeping_folds(FOLDS_KEPT):
                n_art, n_par, error, warnings, counts = _write_job(writer, meta, job, owners)
            if writer.postings >= limit:
                on_segment(writer.finish())
            on_file((job, n_art, n_par, error, warnings, counts))
        segment = writer.finish()
        if segment is not None:
            on_segment(segment)
    finally:
        writer.abandon()  # after a failure: its files go at the next commit
    return writer.names_seen


def _write_job(writer, meta: Meta, job, owners: dict | None) -> tuple:
    """Read, analyse and write one file or part: (articles and paragraphs
    written, error or None, warnings, a part's counts or None)."""
    _, articles, analyses, error, warnings = _read(job)
    path, digest, _, part = job
    n_art = n_par = 0
    counts = None
    if error is None:
        # a part does not know its file's article count: its records say 0, and
        # Index.indexed_files counts the file's first paragraphs instead
        file_articles = len(articles) if part is None else 0
        for article, analyzed in zip(articles, analyses):
            article.path = path
            article.doc_id = _own_doc_id(article.doc_id, path, owners or {})
            n = writer.add(article, meta, digest, file_articles, analyzed)
            n_par += n
            n_art += 1 if part is None or n else 0
        if part is not None:
            runs = [run for a in articles for run in a.mojibake_dropped]
            counts = (n_par > 0, sum(a.long_lines_split for a in articles),
                      sum(a.long_lines_cut for a in articles), len(articles), len(runs), runs[:3])
    return n_art, n_par, error, warnings, counts


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


def _write_in_workers(index: Index, jobs, procs: int, on_file, owners: dict | None = None, update=None):
    """Read, analyse and write the jobs in ``procs`` processes, each into
    segments of its own; reports each job's result, and returns the
    segments (which the caller commits with its own changes) and the facet
    names seen."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    jobs_q, results = ctx.Queue(), ctx.Queue()
    for job in jobs:
        jobs_q.put(job)
    args = (index, SEGMENT_POSTINGS // procs, jobs_q, results, owners, update, os.getpid())  # forked: not pickled
    workers = [ctx.Process(target=_segment_worker, args=args, daemon=True) for _ in range(procs)]
    for _ in workers:
        jobs_q.put(None)
    for w in workers:
        w.start()
    segments, names, done = [], {}, 0
    try:
        while done < len(workers):
            try:
                kind, payload = results.get(timeout=5)
            except queue.Empty:
                if not any(w.is_alive() for w in workers):
                    raise RuntimeError("indexing worker processes ended without finishing") from None
                continue
            if kind == "file":
                on_file(payload)
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
    return segments, names


def _segment_worker(index: Index, limit: int, jobs, results, owners: dict | None = None,
                    update=None, parent: int | None = None) -> None:
    """A worker process: files from ``jobs`` into new segments (a new one
    whenever the postings held in memory reach its share of
    ``SEGMENT_POSTINGS``).  It ends with the indexer that started it and
    never holds the index's write lock: an indexer killed mid-way must not
    leave workers that lock the index while they finish for nobody."""
    _die_with_parent(parent)
    if update is not None:
        update.release_in_child()
    try:
        names = _write_files(index, index.meta, _jobs_while_parent_lives(jobs, parent), limit,
                             lambda result: results.put(("file", result)),
                             lambda seg: results.put(("segment", seg)), owners)
        results.put(("done", names))
    except BaseException as e:  # reported to the parent, which cancels the whole update
        results.put(("error", f"{type(e).__name__}: {e}"))


def _jobs_while_parent_lives(jobs, parent: int | None):
    """The jobs, up to the None that ends them; where the kernel cannot kill
    a worker with its parent, the worker ends at its next job instead."""
    for item in iter(jobs.get, None):
        if parent is not None and os.getppid() != parent:
            os._exit(1)
        yield item


def _die_with_parent(parent: int | None) -> None:
    """Have the kernel kill this process when its parent ends (Linux's
    PR_SET_PDEATHSIG), and end now if the parent is already gone (it may
    have died before the request was made)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


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


def _progress(total_bytes: int):
    from tqdm import tqdm

    return tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, leave=False)
