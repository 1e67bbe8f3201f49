"""Reading source files into raw records: decoded text plus whatever
metadata the format carries.  Nothing here cleans or interprets the text.

- ``.txt``: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.
- ``.html`` / ``.htm``: read by ``search.ingest.html``.
- ``.jsonl``: one article a line, ``text`` required; ``title``, ``date``
  (or ``pubtime``, ``published``, ``publish_time``), ``source``, ``url``,
  ``id``, ``issuer``, ``doc_number`` optional.  A bad line is reported and skipped;
  the file fails only when no line is usable.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from search.ingest.html import ListPage, html_to_record
from search.ingest.record import RawRecord
from search.ingest.structure import parse_record_date
from search.model import IngestError, ListPageSkipped
from search.text.scrub import scrub_counted


@dataclass
class Reading:
    """What a file gave: its records and the problems met on the way."""

    records: list[RawRecord]
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# decoding

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff\ufffd]")


# a GBK page saved with a few broken byte sequences (a character cut in
# two by an old CMS, a stray byte) is read with those replaced by U+FFFD,
# at most one in this many characters; more is another encoding or not text
LENIENT_EVERY = 500


def decode(data: bytes, path: str) -> str:
    """Bytes to text: BOMs first, then UTF-8, then GB18030 (a superset of
    GBK and GB2312).  Raises IngestError for binary or undecodable data."""
    return decode_counted(data, path)[0]


def decode_counted(data: bytes, path: str) -> tuple[str, int]:
    """``decode``, and how many bad byte sequences of an almost clean
    GB18030 (or UTF-8) file were replaced by U+FFFD."""
    if not data.strip():
        raise IngestError(path, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_try_decode(data, "utf-16"), path), 0
    if b"\x00" in data:
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    text = _try_decode(data, "utf-8-sig")
    if text is None:
        text = _try_decode(data, "gb18030")
    if text is None:
        text, bad = _lenient(data)
        if text is not None:
            return _checked(text, path), bad
    return _checked(text, path), 0


def _lenient(data: bytes) -> tuple[str | None, int]:
    """The text of bytes that are GB18030 (or UTF-8) but for a few bad
    sequences, with those replaced; (None, 0) when there are more."""
    best = None
    for encoding in ("gb18030", "utf-8-sig"):
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
        if best is None or bad < best[1]:
            best = (text, bad)
    text, bad = best
    if bad * LENIENT_EVERY > len(text):
        return None, 0
    return text, bad


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _checked(text: str | None, path: str) -> str:
    if text is None:
        raise IngestError(path, "cannot decode as UTF-8, UTF-16 or GB18030/GBK")
    if not text.strip():
        raise IngestError(path, "empty file")
    if _share(_CONTROL, text) > 0.01:
        raise IngestError(path, "binary content (control characters), not text")
    if _share(_PRIVATE_USE, text) > 0.05:
        raise IngestError(path, "undecodable text (unknown encoding)")
    return text


def _share(pattern: re.Pattern, text: str) -> float:
    return len(pattern.findall(text)) / max(len(text), 1)


# --------------------------------------------------------------------------
# JSON lines

_OPTIONAL_FIELDS = ("title", "date", "source", "url", "id", "issuer", "doc_number")


def jsonl_to_reading(text: str, path: str, first_line: int = 1, whole: bool = True) -> Reading:
    """The records of JSON lines ``text`` (lines numbered from
    ``first_line``).  Raises IngestError when no line is usable, unless the
    text is a part of a file (not ``whole``): the file's other parts may hold some."""
    records, problems = [], []
    for line_no, line in enumerate(text.split("\n"), first_line):
        if not line.strip():
            continue
        try:
            record = _jsonl_record(line, line_no)
        except ValueError as e:
            problems.append(f"{path}: line {line_no}: {e}")
            continue
        replaced = _scrub_record(record)
        if replaced:
            problems.append(f"{path}: line {line_no}: {replaced} character(s) that are not Unicode "
                            "(lone surrogates) replaced by U+FFFD")
        records.append(record)
    if not records and whole:
        raise IngestError(path, no_usable_line(problems))
    return Reading(records, problems)


def no_usable_line(problems: list[str]) -> str:
    reason = problems[0].split(": ", 1)[1] if problems else "no article"
    return f"no usable line in JSON lines file ({reason})"


def _jsonl_record(line: str, line_no: int) -> RawRecord:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"bad JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing or empty 'text'")
    extra = {k: _as_str(obj.get(k)) for k in _OPTIONAL_FIELDS}
    extra["date"] = _record_date(obj)
    return RawRecord(text=text, line_no=line_no, **extra)


# where exports put the publication time when they have no ``date``
_DATE_FIELDS = ("date", "pubtime", "published", "publish_time")


def _record_date(obj: dict) -> str | None:
    """The first of the date fields that holds a date, else ``date`` as given."""
    values = [_as_str(obj.get(k)) for k in _DATE_FIELDS]
    return next((v for v in values if parse_record_date(v)), values[0])


def _scrub_record(record: RawRecord) -> int:
    """Replace lone surrogates (``"\\ud800"`` is valid JSON, but no text can
    be written out with one) in every field; returns how many."""
    total = 0
    for name in ("text", *_OPTIONAL_FIELDS):
        value = getattr(record, name)
        if value:
            value, n = scrub_counted(value)
            setattr(record, name, value)
            total += n
    return total


def _as_str(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


# --------------------------------------------------------------------------


HTML_MAX_BYTES = 64 << 20  # an HTML page is parsed whole: a larger one is refused, not read


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.1f} KB"


def _too_large_html(name: str, size: int) -> IngestError:
    return IngestError(name, f"an HTML page of {_size(size)}: pages larger than {_size(HTML_MAX_BYTES)} "
                             "are not read (a page is parsed whole, in memory); save its text as .txt, "
                             "or split it into pages")


def read_records(path: Path) -> Reading:
    """Read one file into raw records.  Raises IngestError when unreadable,
    and for an HTML page larger than ``HTML_MAX_BYTES`` (its size is looked
    at before it is read)."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0  # read_bytes says why
    if suffix in HTML_SUFFIXES and size > HTML_MAX_BYTES:
        raise _too_large_html(name, size)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(name, f"cannot read file ({e.strerror or e})") from None
    if len(data) > HTML_MAX_BYTES and suffix in SNIFFED_SUFFIXES and looks_like_html(data):
        raise _too_large_html(name, len(data))
    text, bad = decode_counted(data, name)
    problems = [f"{name}: {bad} bad byte sequence(s) replaced by U+FFFD (the rest of the file decodes)"
                ] if bad else []
    if suffix == ".jsonl":
        reading = jsonl_to_reading(text, name)
        reading.problems[:0] = problems
        return reading
    if suffix in HTML_SUFFIXES or (suffix in SNIFFED_SUFFIXES and looks_like_html(data)):
        try:
            record = html_to_record(text)
        except ListPage as e:
            raise ListPageSkipped(name, str(e)) from None
        if not record.text.strip():
            raise IngestError(name, "no text in HTML page")
        return Reading([record], problems)
    return Reading([RawRecord(text=text)], problems)



def _read_bytes(path: Path, start: int, end: int) -> bytes:
    """Bytes ``start:end`` of a file (a part of a large one); IngestError
    when they cannot be read."""
    try:
        with open(path, "rb") as f:
            return os.pread(f.fileno(), end - start, start)
    except OSError as e:
        raise IngestError(str(path), f"cannot read file ({e.strerror or e})") from None


def read_jsonl_part(path: Path, start: int, end: int, first_line: int) -> Reading:
    """The records of bytes ``start:end`` of a JSON lines file, whole lines
    beginning at line ``first_line`` (``search.indexing`` reads a large file
    as such parts, in several processes, never all of it at once).  Raises
    IngestError when the part cannot be read or decoded."""
    name = str(path)
    data = _read_bytes(path, start, end)
    if not data.strip():
        return Reading([])
    return jsonl_to_reading(decode(data, name), name, first_line, whole=False)


def read_text_part(path: Path, start: int, end: int) -> Reading:
    """Bytes ``start:end`` of a large text file (``search.indexing`` reads
    one as parts cut at line ends, in several processes): one record of
    their text, or none when they hold nothing but blanks.  Raises
    IngestError when the part cannot be read or decoded."""
    name = str(path)
    data = _read_bytes(path, start, end)
    if not data.strip():
        return Reading([])
    text, bad = decode_counted(data, name)
    problems = [f"{name}: bytes {start}-{end}: {bad} bad byte sequence(s) replaced by U+FFFD "
                "(the rest of the file decodes)"] if bad else []
    return Reading([RawRecord(text=text)], problems)


HTML_SUFFIXES = (".html", ".htm")
# what news sites save their pages as: read as HTML when the bytes are HTML
SNIFFED_SUFFIXES = (".shtml", ".xhtml", ".php", ".asp", ".aspx", ".jsp", "")
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta"
                         rb"|title|div|p|table|text|\?xml)[\s>/]", re.I | re.S)


def looks_like_html(data: bytes) -> bool:
    """Bytes that open as an HTML (or XHTML) page."""
    return bool(_HTML_START.match(data[:4096]))
