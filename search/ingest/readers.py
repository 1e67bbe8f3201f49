"""Reading source files into raw records: decoded text plus whatever
metadata the format carries.  Nothing here cleans or interprets the text.

- ``.txt``: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.
- ``.html`` / ``.htm``: visible text with block structure kept as lines;
  script, style, navigation and forms dropped; the ``<h1>`` (or ``<title>``)
  is offered as a title hint.
- ``.jsonl``: one article a line, ``text`` required; ``title``, ``date``,
  ``source``, ``url``, ``id`` optional.  A bad line is reported and skipped;
  the file fails only when no line is usable.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from search.model import IngestError


@dataclass
class RawRecord:
    """One article as read from a file, before cleaning."""

    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None
    line_no: int | None = None  # 1-based line of a .jsonl file


@dataclass
class Reading:
    """What a file gave: its records and the problems met on the way."""

    records: list[RawRecord]
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# decoding

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff\ufffd]")


def decode(data: bytes, path: str) -> str:
    """Bytes to text: BOMs first, then UTF-8, then GB18030 (a superset of
    GBK and GB2312).  Raises IngestError for binary or undecodable data."""
    if not data.strip():
        raise IngestError(path, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_try_decode(data, "utf-16"), path)
    if b"\x00" in data:
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    text = _try_decode(data, "utf-8-sig")
    if text is None:
        text = _try_decode(data, "gb18030")
    return _checked(text, path)


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
# HTML


class _TextExtractor(HTMLParser):
    """Collects visible text, one line per block element."""

    SKIP = {"script", "style", "nav", "noscript", "template", "iframe", "svg",
            "form", "select", "button", "head"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table",
             "section", "article", "header", "footer", "aside", "main",
             "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "dl",
             "blockquote", "pre", "hr", "figure", "figcaption", "center"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.current: str | None = None  # "title" or "h1" while inside one
        self.captured: dict[str, list[str]] = {"title": [], "h1": []}

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.current = "title"
        elif tag in self.SKIP:
            self.skip_depth += 1
        if tag == "h1" and not self.skip_depth:
            self.current = "h1"
            self.captured["h1"].append("")
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("title", "h1"):
            self.current = None
        elif tag in self.SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.current == "title":
            self.captured["title"].append(data)
            return
        if self.skip_depth:
            return
        if self.current == "h1":
            self.captured["h1"][-1] += data
        self.parts.append(data)

    def text(self) -> str:
        lines = ("".join(self.parts)).split("\n")
        return "\n".join(" ".join(line.split()) for line in lines)

    def title_hint(self) -> str | None:
        h1s = [" ".join(h.split()) for h in self.captured["h1"] if h.strip()]
        if len(h1s) == 1:
            return h1s[0]
        title = " ".join("".join(self.captured["title"]).split())
        # "<headline> - <site>" / "<headline>_<site>" / "<headline>|<site>"
        head = re.split(r"\s+[-–—|_]\s+|_|\|", title)[0].strip()
        return head or None


def html_to_record(html: str) -> RawRecord:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return RawRecord(text=parser.text(), title=parser.title_hint())


# --------------------------------------------------------------------------
# JSON lines

_OPTIONAL_FIELDS = ("title", "date", "source", "url", "id")


def jsonl_to_reading(text: str, path: str) -> Reading:
    records, problems = [], []
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(_jsonl_record(line, line_no))
        except ValueError as e:
            problems.append(f"{path}: line {line_no}: {e}")
    if not records:
        reason = problems[0].split(": ", 1)[1] if problems else "no article"
        raise IngestError(path, f"no usable line in JSON lines file ({reason})")
    return Reading(records, problems)


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
    return RawRecord(text=text, line_no=line_no, **extra)


def _as_str(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


# --------------------------------------------------------------------------


def read_records(path: Path) -> Reading:
    """Read one file into raw records.  Raises IngestError when unreadable."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(name, f"cannot read file ({e.strerror or e})") from None
    text = decode(data, name)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return jsonl_to_reading(text, name)
    if suffix in (".html", ".htm"):
        record = html_to_record(text)
        if not record.text.strip():
            raise IngestError(name, "no text in HTML page")
        return Reading([record])
    return Reading([RawRecord(text=text)])
