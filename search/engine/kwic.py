"""The concordance (语境, keyword in context): every place a search's query
matches in its hits, the match in a centre column with the characters either
side, as AntConc and CQPweb show it.  The matches are those the hits mark
(``highlight.match_spans``: the same folding, the paragraph as written, in
its own script).

Lines come in the order of the hits (relevance or date), or sorted by the
left context read from the match outwards (right to left), by the right
context, by date or by source.  A broad search is read up to ``MAX_LINES``
lines; the answer says when it stopped there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from search.engine.highlight import match_spans

CONTEXT = 30  # characters either side, by default
MAX_CONTEXT = 200
MAX_LINES = 10_000
SORTS = ("hits", "left", "right", "date", "source")


@dataclass
class Line:
    para_id: str
    doc_id: str
    para_no: int
    left: str
    match: str
    right: str
    date: str | None
    source: str | None
    title: str | None
    order: int  # the line's place in hit order: ties of every sort keep it


def lines(hits: Iterable, query, context: int = CONTEXT) -> Iterator[Line]:
    """Every match of ``query`` in the texts of ``hits``, in hit order and
    text order, with ``context`` characters either side (line breaks as
    spaces, so that the columns stay one line)."""
    n = 0
    for hit in hits:
        text = hit.text
        for s, e in match_spans(text, query):
            yield Line(hit.para_id, hit.doc_id, hit.para_no, _flat(text[max(0, s - context):s]), _flat(text[s:e]),
                       _flat(text[e:e + context]), hit.date, hit.source, hit.title, n)
            n += 1


def sort(found: list[Line], how: str) -> list[Line]:
    """``found`` in the order ``how`` names (``SORTS``); stable."""
    if how == "left":
        return sorted(found, key=lambda ln: (ln.left[::-1], ln.order))
    if how == "right":
        return sorted(found, key=lambda ln: (ln.right, ln.order))
    if how == "date":  # newest first, undated last
        return sorted(found, key=lambda ln: (ln.date is None, _neg(ln.date or ""), ln.order))
    if how == "source":
        return sorted(found, key=lambda ln: (ln.source is None, ln.source or "", ln.order))
    return found


def _neg(date: str) -> tuple:
    return tuple(-ord(c) for c in date)


def _flat(s: str) -> str:
    return " ".join(s.split("\n")).replace("\r", " ")
