"""Snippets and marks.  Folding keeps every character in place, so the spans
of the query's matches found in the folded text are spans of the original:
the snippet is cut from the paragraph as written, in its own script."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from search.text.analysis import fold
from search.query.nodes import AllOf, Leaf, Literal, Query, occurrences

SNIPPET_CHARS = 160


def leaf_spans(folded: str, leaf) -> list[tuple[int, int]]:
    """Where one word or literal of the query matches in folded text."""
    return leaf.spans(folded)


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(spans) < 2:  # most fields hold a word once or not at all
        return list(spans)
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def marked_html(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` escaped, with ``<mark>`` around the spans."""
    end = len(text) if end is None else end
    # most paragraphs hold nothing to escape: their pieces are then cut as they are
    esc = _escape if "&" in text or "<" in text or ">" in text else _same
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(esc(text[pos:s]))
        out.append("<mark>" + esc(text[s:e]) + "</mark>")
        pos = e
    out.append(esc(text[pos:end]))
    return "".join(out)


def _escape(text: str) -> str:
    return escape(text, quote=False)


def _same(text: str) -> str:
    return text


def best_window(per_leaf: list[list[tuple[int, int]]], length: int, width: int) -> int:
    """The start of the ``width``-character window that shows the most
    different query words, then the most matches; a little context before."""
    if length <= width:
        return 0
    tagged = sorted((s, e, k) for k, spans in enumerate(per_leaf) for s, e in spans)
    if not tagged:
        return 0
    best, best_key = 0, (-1, -1)
    for i, (s, _, _) in enumerate(tagged):
        kinds, count = set(), 0
        for s2, e2, k in tagged[i:]:
            if e2 > s + width - 20:
                break
            kinds.add(k)
            count += 1
        key = (len(kinds), count)
        if key > best_key:
            best_key, best = key, s
    return max(0, min(best - 20, length - width))


@dataclass
class Snippet:
    """The part of a paragraph a hit shows: ``text[start:end]`` with the
    query's matches at ``spans`` (offsets in ``text``)."""

    text: str
    start: int
    end: int
    spans: list[tuple[int, int]]

    def html(self) -> str:
        """The window, HTML-escaped, each match in ``<mark>``, an ellipsis where cut."""
        body = marked_html(self.text, self.spans, self.start, self.end)
        return ("…" if self.start > 0 else "") + body + ("…" if self.end < len(self.text) else "")


def snippet_of(text: str, per_leaf: list[list[tuple[int, int]]], width: int = SNIPPET_CHARS) -> Snippet:
    """The ``width``-character window of ``text`` that shows the most of
    ``per_leaf`` (the spans of each query word), every span in it marked."""
    start = best_window(per_leaf, len(text), width)
    end = min(len(text), start + width)
    spans = merge([sp for spans in per_leaf for sp in spans])
    # never cut a match in two at the window's edges
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    return Snippet(text, start, end, [(s, e) for s, e in spans if s < end and e > start])


def match_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query matches in ``text`` (a paragraph as written), as a
    hit's marks are placed (``clause_spans``), overlapping spans merged."""
    spans = clause_spans(query, {"text": fold(text)})["text"]
    return merge([sp for clause in spans for sp in clause])


def mark_html(text: str, query: Query | None) -> str:
    """The whole text, escaped, with the query's matches marked as a hit's
    are: the article page."""
    if query is None:
        return escape(text, quote=False)
    return marked_html(text, match_spans(text, query))


# --------------------------------------------------------------------------
# Where a hit matched.  A paragraph is found by its text, its section heading
# or its article's title; each clause of the query is marked where it
# matched, and only there: a word the segmenter cut (公益性岗位 -> 公益性 岗位)
# is marked whole wherever it stands whole, and its pieces only where it
# stands whole nowhere in the hit (then the pieces are what matched).  Of
# alternatives (OR, synonyms), those standing as written win over those
# matched only through their pieces.

FIELDS = ("text", "heading", "title")


def clause_spans(query: Query, folded: dict[str, str]) -> dict[str, list[list[tuple[int, int]]]]:
    """For each field of ``folded`` (name -> folded text), the spans of each
    of the query's required clauses that matched there (one list a clause;
    each node knows where it matched: ``find``)."""
    out: dict[str, list] = {name: [] for name in folded}
    for node in query.must:
        if type(node).find is _LEAF_FIND:
            # a word or literal: its spans in each field, as its ``find`` gives
            # them (none anywhere: an empty list each), without the Found made
            for name, text in folded.items():
                if text:  # an empty heading holds nothing
                    sp = node.spans(text)  # a list of its own: merged only where it has two spans to merge
                    out[name].append(sp if len(sp) < 2 else merge(sp))
                else:
                    out[name].append([])
            continue
        if type(node) is AllOf and _whole_covers(node):
            # a word jieba cut, standing whole in some field: ``find`` gives the
            # whole's spans alone, its pieces found (they lie inside it) only to be dropped
            whole = [(name, occurrences(text, node.whole)) for name, text in folded.items()]
            if any(sp for _, sp in whole):
                for name, sp in whole:
                    out[name].append(sp if len(sp) < 2 else merge(sp))
                continue
        found = node.find(folded)
        for name in folded:
            out[name].append(merge(found.spans.get(name, [])) if found else [])
    return out


_LEAF_FIND = Leaf.find


def _whole_covers(node: AllOf) -> bool:
    """Whether each of ``node``'s parts is a literal inside its whole: then
    wherever the whole stands, every part is found too (``AllOf.find``
    finds the parts first and gives None if one is missing)."""
    return bool(node.whole) and all(type(p) is Literal and p.text and p.text in node.whole for p in node.parts)


@dataclass
class Marked:
    """Where a hit matched: its text snippet, and its heading and title whole
    with their matches marked (None where nothing matched there)."""

    snippet: Snippet
    heading: Snippet | None
    title: Snippet | None
    matched_in: list[str]  # of FIELDS, in that order


def mark_hit(query: Query, text: str, heading: str | None, title: str | None,
             width: int = SNIPPET_CHARS, folded_text: str | None = None) -> Marked:
    """``folded_text``: ``fold(text)``, where the caller has it (ranking
    folded the best candidates' texts and keeps them: ``Snapshot.kept_fold``)."""
    heading, title = heading or "", title or ""
    spans = clause_spans(query, {"text": fold(text) if folded_text is None else folded_text,
                                 "heading": fold(heading) if heading else "", "title": fold(title) if title else ""})
    return Marked(
        snippet=snippet_of(text, spans["text"], width),
        heading=_whole(heading, spans["heading"]), title=_whole(title, spans["title"]),
        matched_in=[name for name in FIELDS if any(spans[name])],
    )


def _whole(original: str, clauses: list) -> Snippet | None:
    """A heading or title whole, its clauses' spans marked; None where none matched."""
    marks = [sp for clause in clauses for sp in clause]
    if not marks:
        return None
    return Snippet(original, 0, len(original), marks if len(marks) < 2 else merge(marks))
