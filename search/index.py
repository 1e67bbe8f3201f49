"""The Whoosh index: schema, opening with a version check, and keeping it
current with the files it was built from (``zhsearch index``).

One Whoosh document per paragraph.  Matching and ranking read four
inverted fields: ``text`` (jieba words of the folded paragraph, frequencies
only), ``grams`` (its CJK character bigrams, positioned at their character
offsets, for literal matching), and ``title`` and ``tgrams``, the same two
for the article's title and the paragraph's section heading, which find the
paragraph too.  Facets, dates and lengths live in numeric columns that the
searcher loads as arrays.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import time
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from whoosh import fields, index as windex
from whoosh.columns import NumericColumn
from whoosh.writing import LockError

from search.analysis import ANALYSIS_VERSION, Analyzed, bigram_terms, bigram_analyzer, word_analyzer, word_terms
from search.model import Article, IngestError
from search.segment import BulkSegmentWriter, Codec

SCHEMA_VERSION = 3
META_FILE = "zhsearch.json"
INDEX_NAME = "MAIN"
YEAR_BASE = 1980  # bit 0 of the year mask; 64 years: 1980..2043
PARALLEL_MIN_FILES = 4  # fewer changed files are written in this process (a one-article update stays quick)
MERGE_MB = 256  # Whoosh's posting pool when it merges small old segments
# Postings that all segment writers together hold in memory (~15 bytes each,
# so about 2 GB) before each writes its segment and starts another; a million
# paragraphs (~185 million postings) give four segments with two processes.
SEGMENT_POSTINGS = 128_000_000


class IndexMissing(Exception):
    """No index at that folder."""


class IndexVersionError(Exception):
    """The index was built by another version of the schema or analysis."""


def _unscored(field):
    """A field whose lengths nothing reads: Whoosh stores none for it."""
    field.scorable = False
    return field


def make_schema() -> fields.Schema:
    return fields.Schema(
        para_id=fields.ID(stored=True, unique=True),
        doc_id=fields.ID(stored=True),
        path=fields.ID(stored=True),
        text=fields.TEXT(analyzer=word_analyzer(), phrase=False, stored=True),
        grams=_unscored(fields.TEXT(analyzer=bigram_analyzer(), phrase=True)),
        tgrams=_unscored(fields.TEXT(analyzer=bigram_analyzer(), phrase=True)),  # title and heading
        title=_unscored(fields.TEXT(analyzer=word_analyzer(), phrase=False)),
        data=fields.STORED(),  # everything else a hit shows
        province_mask=fields.COLUMN(NumericColumn("q", default=0)),
        year_mask=fields.COLUMN(NumericColumn("q", default=0)),
        measure_mask=fields.COLUMN(NumericColumn("q", default=0)),
        day=fields.COLUMN(NumericColumn("i", default=0)),  # days since 1970 + 1; 0 = no date
        para_no=fields.COLUMN(NumericColumn("i", default=0)),
    )


# ---------------------------------------------------------------------------
# Index metadata: versions and the meaning of each facet bit.


@dataclass
class Meta:
    schema_version: int = SCHEMA_VERSION
    analysis_version: int = ANALYSIS_VERSION
    provinces: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    year_base: int = YEAR_BASE

    @classmethod
    def load(cls, index_dir: str | Path) -> "Meta":
        p = Path(index_dir) / META_FILE
        try:
            raw = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexVersionError(
                f"{index_dir} holds an index without zhsearch metadata; run `zhsearch index --rebuild`"
            ) from None
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})

    def save(self, index_dir: str | Path) -> None:
        p = Path(index_dir) / META_FILE
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, p)

    def check(self, index_dir) -> None:
        if (self.schema_version, self.analysis_version) != (SCHEMA_VERSION, ANALYSIS_VERSION):
            raise IndexVersionError(
                f"the index in {index_dir} was built by another version of zhsearch "
                f"(schema {self.schema_version}, analysis {self.analysis_version}; this version needs "
                f"schema {SCHEMA_VERSION}, analysis {ANALYSIS_VERSION}): run `zhsearch index --rebuild`"
            )

    def measure_bit(self, key: str) -> int:
        if key not in self.measures:
            self.measures.append(key)
        return self.measures.index(key)


def open_index(index_dir: str | Path):
    """Open an existing index, checking it was built by this version."""
    index_dir = str(index_dir)
    if not windex.exists_in(index_dir, indexname=INDEX_NAME):
        raise IndexMissing(f"no index in {index_dir}: build one with `zhsearch index`")
    meta = Meta.load(index_dir)
    meta.check(index_dir)
    return windex.open_dir(index_dir, indexname=INDEX_NAME), meta


def create_index(index_dir: str | Path):
    from search.ingest import load_measures
    from search.ingest.places import PROVINCES

    os.makedirs(index_dir, exist_ok=True)
    ix = windex.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)
    meta = Meta(provinces=list(PROVINCES), measures=[m.key for m in load_measures()])
    meta.save(index_dir)
    return ix, meta


# ---------------------------------------------------------------------------
# Articles to Whoosh documents.


def _mask(values, bit_of) -> int:
    m = 0
    for v in values:
        b = bit_of(v)
        if b is not None and 0 <= b < 64:
            m |= 1 << b
    return m - (1 << 64) if m >= (1 << 63) else m  # stored as a signed 64-bit int


def day_number(iso: str | None) -> int:
    if not iso:
        return 0
    try:
        return Date.fromisoformat(iso[:10]).toordinal() - Date(1970, 1, 1).toordinal() + 1
    except ValueError:
        return 0


def title_of(article: Article, p) -> str:
    """What a paragraph is found by besides its text: its article's title
    and its section heading."""
    return " ".join(x for x in (article.title, p.heading) if x)


def analyze_article(article: Article) -> list[tuple[Analyzed, Analyzed, Analyzed, Analyzed]]:
    """The terms of each paragraph's text, grams, title and tgrams fields: the
    costly part of indexing, done where the article was read (a worker
    process) with the same functions the analyzers use."""
    titles: dict = {}
    out = []
    for p in article.paragraphs:
        title = title_of(article, p)
        if title not in titles:
            titles[title] = (Analyzed(word_terms(title)), Analyzed(bigram_terms(title)))
        title_words, title_grams = titles[title]
        out.append((Analyzed(word_terms(p.text)), Analyzed(bigram_terms(p.text)), title_words, title_grams))
    return out


def paragraph_documents(article: Article, meta: Meta, file_hash: str, file_articles: int = 1,
                        analyzed: list | None = None):
    """The Whoosh documents of one article, one per paragraph."""
    prov_bit = {p: i for i, p in enumerate(meta.provinces)}
    analyzed = analyzed or analyze_article(article)
    for p, (words, grams, title, tgrams) in zip(article.paragraphs, analyzed):
        yield dict(
            para_id=f"{article.doc_id}-{p.para_no}",
            doc_id=article.doc_id,
            path=article.path or "",
            text=words,
            _stored_text=p.text,
            grams=grams,
            title=title,
            tgrams=tgrams,
            data={
                "para_no": p.para_no,
                "heading": p.heading,
                "doc_title": article.title,
                "source": article.source,
                "date": article.date,
                "url": article.url,
                "province": list(p.province),
                "years": list(p.years),
                "measures": list(p.measures),
                "doc_province": list(article.province),
                "n_paragraphs": len(article.paragraphs),
                "file_hash": file_hash,
                "file_articles": file_articles,
            },
            province_mask=_mask(p.province, prov_bit.get),
            year_mask=_mask(p.years, lambda y: y - meta.year_base),
            measure_mask=_mask(p.measures, meta.measure_bit),
            day=day_number(article.date),
            para_no=p.para_no,
        )


# ---------------------------------------------------------------------------
# Bringing the index up to date.


def file_hash(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class IndexedFile:
    hash: str
    articles: int
    paragraphs: int


def indexed_files(ix, sources: list[str] | None = None) -> dict[str, IndexedFile]:
    """Source files in the index (all, or those that are or lie under one of
    ``sources``): the content hash each was indexed at and how many articles
    and paragraphs it gave.  Looked up by prefix in the sorted term index, so
    adding one file to a large archive does not visit the others."""
    from search.postings import ArrayLRU, Postings

    if sources is None:
        prefixes = [""]
    else:
        prefixes = sorted({str(Path(s).resolve()) for s in sources})
    out: dict[str, IndexedFile] = {}
    with ix.searcher() as s:
        r = s.reader()
        postings = Postings(r, ArrayLRU(0))  # each list is read once
        live = postings.live_mask()
        for prefix in prefixes:
            for tbytes in r.expand_prefix("path", prefix):
                path = tbytes.decode("utf-8") if isinstance(tbytes, bytes) else tbytes
                if prefix and path != prefix and not path.startswith(prefix.rstrip(os.sep) + os.sep):
                    continue  # /a/b.txt is not under /a/b
                ids = postings.ids_tf("path", path)[0]
                ids = ids[live[ids]]
                if len(ids):
                    data = r.stored_fields(int(ids[0]))["data"]
                    out[path] = IndexedFile(data["file_hash"], data["file_articles"], len(ids))
    return out


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
    seconds: float = 0.0

    def line(self) -> str:
        return f"articles: {self.articles}; paragraphs: {self.paragraphs}; {self.seconds:.1f} s"


def _read(path_and_hash):
    """Worker: ingest one file (runs in a process pool)."""
    from search.ingest import read_file

    path, digest = path_and_hash
    try:
        articles = read_file(path)
        return path, digest, articles, [analyze_article(a) for a in articles], None
    except IngestError as e:
        return path, digest, None, None, e.reason
    except Exception as e:  # a bug in a rule must not lose the other files
        return path, digest, None, None, f"could not be ingested ({type(e).__name__}: {e})"


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
            folders.append(str(p) + os.sep)
        try:
            files = list(iter_source_files([str(p)]))
        except IngestError as e:
            summary.failures.append((e.path, e.reason))
            summary.articles.failed += 1
            continue
        for f in files:
            key = str(Path(f).resolve())
            if key in seen:
                continue
            seen.add(key)
            try:
                digest = file_hash(Path(key))
            except OSError as e:  # reported; what the index holds of it stays
                summary.failures.append((key, f"cannot be read ({e.strerror})"))
                summary.articles.failed += 1
                seen.discard(key)
                unreadable.add(key)
                continue
            if key in known and known[key].hash == digest:
                continue
            to_read.append((key, digest))
    vanished = [k for k in known if k not in seen and k not in unreadable
                and any(k.startswith(d) for d in folders)]
    reading = {r[0] for r in to_read}
    unchanged = [k for k in known if k in seen and k not in reading]
    return to_read, vanished, unchanged


def build_index(sources: list[str], index_dir: str | Path, rebuild: bool = False,
                procs: int | None = None, progress: bool = False) -> IndexSummary:
    """Bring the index in ``index_dir`` up to date with ``sources``."""
    t0 = time.perf_counter()
    summary = IndexSummary()
    index_dir = str(index_dir)
    if rebuild or not windex.exists_in(index_dir, indexname=INDEX_NAME):
        ix, meta = create_index(index_dir)
    else:
        ix, meta = open_index(index_dir)
    _add_new_measures(meta)
    known = indexed_files(ix, sources)
    to_read, vanished, unchanged = _plan(sources, known, summary)
    procs = max(1, procs or os.cpu_count() or 1)

    # Whoosh's own writer deletes and merges small old segments; new
    # documents go into segments of their own, written in bulk.
    # compound=False: a compound segment is read whole into memory by
    # Whoosh (its postings too); separate files are read where needed.
    writer = ix.writer(codec=Codec(), limitmb=MERGE_MB, compound=False)
    try:
        for path in vanished:
            writer.delete_by_term("path", path)
            summary.articles.removed += known[path].articles
            summary.paragraphs.removed += known[path].paragraphs
        for path in unchanged:
            summary.articles.skipped += known[path].articles
            summary.paragraphs.skipped += known[path].paragraphs
        bar = _progress(len(to_read)) if progress else None
        if procs > 1 and len(to_read) >= PARALLEL_MIN_FILES:
            files, segments = _write_in_workers(index_dir, meta, to_read, procs, bar)
        else:
            files, segments = _write_here(ix, meta, to_read, bar)
        if bar:
            bar.close()
        for path, n_art, n_par, error in files:
            if error is not None:
                summary.failures.append((path, error))
                summary.articles.failed += 1
                continue  # a changed file that fails keeps its old version
            if path in known:
                writer.delete_by_term("path", path)
            _count_file(summary, known.get(path), n_art, n_par)
        _commit(writer, segments)
    except BaseException:
        writer.cancel()
        raise
    meta.save(index_dir)
    summary.seconds = time.perf_counter() - t0
    return summary


def _add_new_measures(meta: Meta) -> None:
    """Give measure types added to the rules file since the index was made a
    facet bit, before any writer (or worker) needs it."""
    from search.ingest import load_measures

    for m in load_measures():
        meta.measure_bit(m.key)


def _commit(writer, extra_segments: list) -> None:
    """Commit ``writer`` (its deletions and merges) together with the new
    segments written in bulk, here or by worker processes: one new table of
    contents, so a reader sees all or none."""
    segments = writer._merge_segments(None, False, True)  # merge small old segments
    if writer._added:
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(segments + extra_segments)
    writer._finish()


def _write_here(ix, meta: Meta, to_read, bar) -> tuple[list, list]:
    """Read, analyse and write the files in this process; returns the
    per-file results and the new segments."""
    files, segments = [], []

    def on_file(result):
        files.append(result)
        if bar:
            bar.update()

    _write_files(ix, meta, to_read, SEGMENT_POSTINGS, on_file, segments.append)
    return files, segments


def _write_files(ix, meta: Meta, items, limit: int, on_file, on_segment) -> None:
    """Read, analyse and write each file of ``items`` into new segments, a
    new one whenever the postings held in memory reach ``limit``; reports
    each file's result and each finished segment."""
    writer = None
    try:
        for item in items:
            path, digest, articles, analyses, error = _read(item)
            n_par = 0
            if error is None:
                writer = writer or _new_segment(ix)
                n_par = _write_file(writer, path, digest, articles, analyses, meta)
                if writer.postings >= limit:
                    on_segment(writer._finalize_segment())
                    writer = None
            on_file((path, len(articles or ()), n_par, error))
        if writer is not None and writer._added:
            on_segment(writer._finalize_segment())
            writer = None
    finally:
        if writer is not None:  # nothing added, or a failure: its files go at the next commit
            writer._close_segment()


def _new_segment(ix) -> BulkSegmentWriter:
    # no lock: the caller's writer holds it and commits the segment
    return BulkSegmentWriter(ix, _lk=False, codec=Codec(), compound=False)


def _write_in_workers(index_dir: str, meta: Meta, to_read, procs: int, bar):
    """Read, analyse and write the files in ``procs`` processes, each into
    segments of its own; returns the per-file results and the segments,
    which the caller commits with its own changes."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    jobs, results = ctx.Queue(), ctx.Queue()
    for item in to_read:
        jobs.put(item)
    args = (index_dir, dict(meta.__dict__), SEGMENT_POSTINGS // procs, jobs, results)
    workers = [ctx.Process(target=_segment_worker, args=args, daemon=True) for _ in range(procs)]
    for _ in workers:
        jobs.put(None)
    for w in workers:
        w.start()
    files, segments, done = [], [], 0
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
                done += 1
            else:
                raise RuntimeError(f"an indexing worker failed: {payload}")
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.terminate()
    return files, segments


def _segment_worker(index_dir: str, meta_state: dict, limit: int, jobs, results) -> None:
    """A worker process: files from ``jobs`` into new segments (a new one
    whenever the postings held in memory reach its share of
    ``SEGMENT_POSTINGS``)."""
    try:
        ix = windex.open_dir(index_dir, indexname=INDEX_NAME)
        _write_files(ix, Meta(**meta_state), iter(jobs.get, None), limit,
                     lambda result: results.put(("file", result)), lambda seg: results.put(("segment", seg)))
        results.put(("done", None))
    except BaseException as e:  # reported to the parent, which cancels the whole update
        results.put(("error", f"{type(e).__name__}: {e}"))


def _write_file(writer, path, digest, articles, analyses, meta) -> int:
    """Add one file's articles; returns how many paragraphs."""
    n_par = 0
    for article, analyzed in zip(articles, analyses):
        article.path = path
        for doc in paragraph_documents(article, meta, digest, len(articles), analyzed):
            writer.add_document(**doc)
            n_par += 1
    return n_par


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


def run_index(sources: list[str], index_dir: str, rebuild: bool = False, procs: int | None = None) -> int:
    """``zhsearch index``: exit 0 all sources indexed, 3 some failed, 2 bad usage."""
    try:
        summary = build_index(sources, index_dir, rebuild=rebuild, procs=procs, progress=sys.stderr.isatty())
    except IndexVersionError as e:
        print(f"zhsearch: {e}", file=sys.stderr)
        return 2
    except LockError:
        print(f"zhsearch: another `zhsearch index` is writing to {index_dir}; try again when it is done",
              file=sys.stderr)
        return 2
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    print(summary.line())
    return 3 if summary.failures else 0
