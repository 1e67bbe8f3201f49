"""Ingestion: source files -> cleaned, labelled :class:`~search.model.Article` s.

The steps, one module each, in the order the data flows:

- ``readers``   file -> raw records (decoding, JSON lines; HTML pages in ``html``)
- ``clean``     pinyin annotations, stray markup, page furniture (``data/furniture.tsv``)
- ``structure`` title, source, date, doc_id, headings, paragraphs, column items
- ``places``    provinces of the article and of each paragraph
- ``years``     the years each paragraph refers to
- ``measures``  measure labels from ``data/measures.tsv``
- ``pipeline``  the whole chain for one file
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from search.ingest.measures import Measure, load_measures
from search.ingest.pipeline import read_file
from search.ingest.readers import SNIFFED_SUFFIXES, looks_like_html
from search.model import IngestError
from search.text.scrub import printable_path

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")

__all__ = ["SUPPORTED_SUFFIXES", "IngestError", "Measure", "iter_source_files",
           "load_measures", "read_file"]


def iter_source_files(sources: list[str]) -> Iterator[Path]:
    """Files as given; folders walked recursively in sorted order, keeping
    supported suffixes and skipping hidden files and folders.  A source
    that is not a readable regular file of a supported type (missing, a
    dangling link, a FIFO or device, which would block, a .pdf) raises
    IngestError under the name as given, never opened."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _walk(path)
        else:
            check_source_file(path)
            yield path


def check_source_file(path: Path) -> None:
    """Raise IngestError (naming ``path`` as given, readably) unless it is a
    regular file with a supported suffix.  Decided by ``os.stat``, before
    any open: opening a FIFO waits for a writer forever."""
    name = printable_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        reason = "a link to a file that does not exist" if os.path.islink(path) else "no such file or folder"
        raise IngestError(name, reason) from None
    except OSError as e:
        raise IngestError(name, f"cannot be read ({e.strerror or e})") from None
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(name, "not a regular file (a FIFO, socket or device): skipped")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES and not _sniffed_html(path):
        raise IngestError(name, f"unsupported type {path.suffix or '(no suffix)'!r}: "
                                f"only {', '.join(SUPPORTED_SUFFIXES)} are read, and HTML pages "
                                f"saved as {', '.join(s for s in SNIFFED_SUFFIXES if s)} or "
                                "without a suffix")


def _sniffed_html(path: Path) -> bool:
    """A page saved under a news site's extension (.shtml, .php...) or none,
    whose bytes open as HTML."""
    if path.suffix.lower() not in SNIFFED_SUFFIXES:
        return False
    try:
        with open(path, "rb") as f:
            return looks_like_html(f.read(4096))
    except OSError:
        return False


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if ((path.suffix.lower() in SUPPORTED_SUFFIXES or path.suffix.lower() in SNIFFED_SUFFIXES)
                and _is_regular(path) and (path.suffix.lower() in SUPPORTED_SUFFIXES
                                           or _sniffed_html(path))):
            yield path


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
