"""Ingestion: source files -> cleaned, labelled :class:`~search.model.Article` s.

The steps, one module each, in the order the data flows:

- ``readers``   file -> raw records (decoding, HTML text, JSON lines)
- ``clean``     pinyin annotations, stray markup, page furniture (``data/furniture.tsv``)
- ``structure`` title, source, date, doc_id, headings, paragraphs, column items
- ``places``    provinces of the article and of each paragraph
- ``years``     the years each paragraph refers to
- ``measures``  measure labels from ``data/measures.tsv``
- ``pipeline``  the whole chain for one file
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from search.ingest.measures import Measure, load_measures
from search.ingest.pipeline import read_file
from search.model import IngestError

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")

__all__ = ["SUPPORTED_SUFFIXES", "IngestError", "Measure", "iter_source_files",
           "load_measures", "read_file"]


def iter_source_files(sources: list[str]) -> Iterator[Path]:
    """Files as given; folders walked recursively in sorted order, keeping
    supported suffixes and skipping hidden files and folders.  A source that
    does not exist raises IngestError."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path
        else:
            raise IngestError(str(source), "no such file or folder")


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
