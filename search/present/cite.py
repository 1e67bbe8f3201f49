"""Citations of articles and paragraphs: GB/T 7714-2015 (信息与文献
参考文献著录规则) for the page, RIS and BibTeX for reference managers
(Zotero, EndNote, NoteExpress read both).

The archive holds news reports: an article with a web address is cited as
an online newspaper article, ``题名[N/OL]. 报纸名, 出版日期[引用日期]. 网址.``;
one without (a file, an export) as a newspaper article, ``题名[N]. 报纸名,
出版日期.``  A policy document names its issuer (发文机关) as the
responsible author and its number (发文字号) as other title information, and
is an electronic resource online: ``国务院办公厅. 题名: 国办发〔2019〕12号[EB/OL].
中国政府网, 2019-03-25[引用日期]. 网址.`` (``[Z]`` offline).  A paragraph is
located as a page would be, after the publication data: ``出版日期: 第7段``.
No author is invented (the archive keeps none), nor a date, a source or an
address the article does not show: an element that is missing is left out
with its punctuation; a missing title is supplied as ``[无题名]``.

A reference manager's item is a work, so RIS and BibTeX give one entry an
article, with the paragraphs cited (第3、7段) in its note.
"""

from __future__ import annotations

import re
from datetime import date as Date
from typing import Iterable

# An article without a headline is cited by a supplied title in square
# brackets, as GB/T 7714 supplies [出版者不详] and cataloguing (ISBD) any
# supplied title: never its first words (which would read as a headline),
# never a bare 无题 (a title some works bear).  RIS and BibTeX carry the same.
NO_TITLE = "[无题名]"


def citation(title: str | None, source: str | None, date: str | None, url: str | None,
             para_no: int | None = None, accessed: Date | None = None,
             issuer: str | None = None, doc_number: str | None = None) -> str:
    """The GB/T 7714 entry of an article, or of one of its paragraphs."""
    title = _clean(title) or NO_TITLE
    policy = bool(_clean(doc_number))
    if policy:
        title = f"{title}: {_clean(doc_number)}"
    if _clean(issuer):
        title = f"{_clean(issuer)}. {title}"
    published = ", ".join(x for x in (_clean(source), _clean(date)) if x)
    where = f"第{para_no}段" if para_no is not None else ""
    located = f"{published}: {where}" if published and where else published or where
    if is_web_url(url):
        cited = f"[{(accessed or Date.today()).isoformat()}]"
        kind = "[EB/OL]" if policy else "[N/OL]"
        return f"{title}{kind}. {located}{cited}. {url}." if located else f"{title}{kind}{cited}. {url}."
    kind = "[Z]" if policy else "[N]"
    return f"{title}{kind}. {located}." if located else f"{title}{kind}."


def is_web_url(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


def _clean(text: str | None) -> str:
    """One line, no trailing full stop (the entry supplies its own)."""
    return " ".join((text or "").split()).rstrip(".。")


# -- reference managers ---------------------------------------------------------


class Work:
    """One article as a reference manager's item: its data from the first of
    its hits, the paragraphs cited from all of them."""

    def __init__(self, hit):
        self.doc_id = hit.doc_id
        self.title = _clean(hit.title) or NO_TITLE
        self.source = _clean(hit.source) or None
        self.date = _clean(hit.date) or None
        self.url = hit.article_url if is_web_url(hit.article_url) else None
        self.issuer = _clean(getattr(hit, "issuer", None)) or None
        self.doc_number = _clean(getattr(hit, "doc_number", None)) or None
        self.paragraphs: list[int] = []
        self.provinces: list[str] = []
        self.measures: list[str] = []

    def add(self, hit, para: bool) -> None:
        if para and hit.para_no not in self.paragraphs:
            self.paragraphs.append(hit.para_no)
        facets = getattr(hit, "facets", {})
        self.provinces += [p for p in facets.get("province") or [] if p not in self.provinces]
        self.measures += [m for m in facets.get("measure") or [] if m not in self.measures]

    @property
    def note(self) -> str:
        parts = []
        if self.paragraphs:
            parts.append("第" + "、".join(str(n) for n in sorted(self.paragraphs)) + "段")
        if self.doc_number:
            parts.append(self.doc_number)
        parts.append(f"zhsearch: {self.doc_id}")
        return "; ".join(parts)


def works(hits: Iterable, paragraphs: bool = True) -> list[Work]:
    """The articles of ``hits``, in the order their first hit comes; with
    ``paragraphs``, each remembers which of its paragraphs were hits."""
    by_doc: dict[str, Work] = {}
    for hit in hits:
        work = by_doc.get(hit.doc_id)
        if work is None:
            work = by_doc[hit.doc_id] = Work(hit)
        work.add(hit, paragraphs)
    return list(by_doc.values())


def ris(items: Iterable[Work], accessed: Date | None = None, labels: dict | None = None) -> str:
    """RIS records: a newspaper article (``NEWS``) each, or a government
    document (``GOVDOC``) where the article carries a document number."""
    accessed = accessed or Date.today()
    out = []
    for w in items:
        lines = [("TY", "GOVDOC" if w.doc_number else "NEWS"), ("TI", w.title)]
        if w.issuer:
            lines.append(("AU", w.issuer))
        if w.source:
            lines.append(("T2", w.source))
        if w.date:
            lines.append(("PY", w.date[:4]))
            lines.append(("DA", w.date.replace("-", "/") + ("/" if len(w.date) == 10 else "")))
        if w.doc_number:
            lines.append(("M1", w.doc_number))
        if w.url:
            lines.append(("UR", w.url))
            lines.append(("Y2", accessed.strftime("%Y/%m/%d/")))
        lines += [("KW", k) for k in w.provinces + [(labels or {}).get(m, m) for m in w.measures]]
        lines += [("N1", w.note), ("LA", "zh"), ("DB", "zhsearch"), ("ID", _key(w.doc_id))]
        out.append("".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines) + "ER  - \r\n")
    return "\r\n".join(out)


def bibtex(items: Iterable[Work], accessed: Date | None = None) -> str:
    """BibTeX entries (biblatex fields, which Zotero and JabRef also read):
    ``@article`` of a newspaper (``entrysubtype = {newspaper}``) where the
    source is known, ``@online`` otherwise."""
    accessed = accessed or Date.today()
    out = []
    for w in items:
        fields = [("title", w.title)]
        if w.issuer:
            fields.append(("author", "{" + w.issuer + "}"))  # a body, not a person: one brace group
        if w.source:
            fields += [("journaltitle", w.source), ("journal", w.source), ("entrysubtype", "newspaper")]
        if w.date:
            fields.append(("date", w.date))
            fields.append(("year", w.date[:4]))
        if w.doc_number:
            fields.append(("number", w.doc_number))
        if w.url:
            fields += [("url", w.url), ("urldate", accessed.isoformat())]
        fields += [("note", w.note), ("langid", "chinese")]
        kind = "article" if w.source else "online"
        body = ",\n".join(f"  {name} = {{{_bib_value(value, name == 'url')}}}" for name, value in fields)
        out.append(f"@{kind}{{{_key(w.doc_id)},\n{body}\n}}\n")
    return "\n".join(out)


_BIB_SPECIAL = re.compile(r"([\\{}%&#$_^~])")
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}"}


def _bib_value(value: str, verbatim: bool) -> str:
    """A field's value with LaTeX's special characters escaped; a URL keeps
    its characters (biblatex reads it verbatim) but not unbalanced braces."""
    value = _one_line(value)
    if verbatim:
        return value.replace("{", "%7B").replace("}", "%7D")
    if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
        return "{" + _BIB_SPECIAL.sub(lambda m: _BIB_ESCAPES.get(m[1], "\\" + m[1]), value[1:-1]) + "}"
    return _BIB_SPECIAL.sub(lambda m: _BIB_ESCAPES.get(m[1], "\\" + m[1]), value)


def _key(doc_id: str) -> str:
    """A citation key of ASCII letters, digits, ``-``, ``_`` and ``.``:
    ``zhsearch-<doc_id>``, any other character as ``.<its code point>.``, so
    different ids stay different."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else f".{ord(c):x}." for c in doc_id)
    return f"zhsearch-{safe}"


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
