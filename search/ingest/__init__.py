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

import errno
import os
import stat
from collections import Counter
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


def iter_source_files(sources: list[str], notes: list[str] | None = None) -> Iterator[Path]:
    """Files as given; folders walked recursively in sorted order, keeping
    supported suffixes.  A source that is not a readable regular file of a
    supported type (missing, a dangling link, a FIFO or device, which would
    block, a .pdf) raises IngestError under the name as given, never opened.
    Inside a folder nothing is skipped without a word: each entry skipped
    and why (a FIFO, a device, a link loop, a link to nothing or to a
    folder), and how many hidden entries and files of other types, go to
    ``notes``; so does a name that is not UTF-8 (read, shown as ``\\xNN``)."""
    notes = [] if notes is None else notes
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _walk(path, notes)
        else:
            check_source_file(path)
            _note_name(path, notes)
            yield path


def check_source_file(path: Path) -> None:
    """Raise IngestError (naming ``path`` as given, readably) unless it is a
    regular file with a supported suffix.  Decided by ``os.stat``, before
    any open: opening a FIFO waits for a writer forever."""
    reason = _not_regular(path)
    if reason:
        raise IngestError(printable_path(path), reason)
    if not _readable_type(path):
        raise IngestError(printable_path(path), f"unsupported type {path.suffix or '(no suffix)'!r}: "
                                                f"only {', '.join(SUPPORTED_SUFFIXES)} are read, and HTML pages "
                                                f"saved as {', '.join(s for s in SNIFFED_SUFFIXES if s)} or "
                                                "without a suffix")


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file to read, or None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "a link to a file that does not exist" if os.path.islink(path) else "no such file or folder"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "a loop of links (each leads back to another): skipped"
        return f"cannot be read ({e.strerror or e})"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a FIFO, socket or device): skipped"
    return None


def _readable_type(path: Path) -> bool:
    """A supported suffix, or a page saved under a news site's extension
    (.shtml, .php...) or none whose bytes open as HTML."""
    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return True
    if suffix not in SNIFFED_SUFFIXES:
        return False
    try:
        with open(path, "rb") as f:
            return looks_like_html(f.read(4096))
    except OSError:
        return False


def _note_name(path: Path, notes: list[str]) -> None:
    shown = printable_path(path)
    if shown != str(path):
        notes.append(f"{shown}: the file name is not UTF-8: read, and shown with \\xNN for its bytes")


def _walk(folder: Path, notes: list[str]) -> Iterator[Path]:
    hidden, other = 0, Counter()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            hidden += relative.name.startswith(".")
            continue
        if path.is_dir():  # a folder is walked; a link to one is not followed
            if path.is_symlink():
                notes.append(f"{printable_path(path)}: a link to a folder: not followed "
                             "(name the folder to read it)")
            continue
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES and suffix not in SNIFFED_SUFFIXES:
            other[suffix or "(no suffix)"] += 1
            continue
        reason = _not_regular(path)
        if reason:
            notes.append(f"{printable_path(path)}: {reason}")
            continue
        if not _readable_type(path):  # a .php or suffixless file that is not an HTML page
            other[suffix or "(no suffix)"] += 1
            continue
        _note_name(path, notes)
        yield path
    name = printable_path(folder)
    if other:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(other.items()))
        notes.append(f"{name}: {sum(other.values())} file(s) of other types skipped ({kinds}): "
                     f"only {', '.join(SUPPORTED_SUFFIXES)} are read, and HTML pages saved as "
                     f"{', '.join(s for s in SNIFFED_SUFFIXES if s)} or without a suffix")
    if hidden:
        notes.append(f"{name}: {hidden} hidden file(s) or folder(s) (name starting with '.') skipped")
