"""The first words of an article that shows no headline: what the pages
put where its title would stand, marked as such (api.md: ``title`` stays
null).  They are the text's own first characters, nothing dropped or
reworded, so a reader can find them in the article: the first sentence
when it is short, else cut at the last clause mark that keeps it short,
else at the limit (not inside a number); an ellipsis wherever the text goes on."""

from __future__ import annotations

import re

LEAD_CHARS = 28  # at most this many characters of the text, the ellipsis aside
MIN_CLAUSE = LEAD_CHARS // 2  # a cut before this leaves too few words (央视网消息：…): cut at the limit
ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"[。！？!?]")
_CLAUSE = "，,；;：:、"
_TRAILING = "，,；;：:、。！？!?…—-　 《（(「『“‘【["  # nothing left dangling before the ellipsis


def first_words(text: str | None, limit: int = LEAD_CHARS) -> str | None:
    """The first words of ``text`` (None when it holds none)."""
    text = " ".join((text or "").split())
    if not text:
        return None
    end = _SENTENCE_END.search(text)
    sentence = text[:end.start()] if end else text
    if len(sentence) <= limit:
        cut = len(sentence)
    else:
        marks = [i for i, ch in enumerate(sentence[:limit + 1]) if ch in _CLAUSE and i >= MIN_CLAUSE]
        cut = marks[-1] if marks else limit
        start = cut
        while start > 0 and _alnum(text[start - 1]) and _alnum(text[start]):
            start -= 1  # not inside a number or a latin word, where that leaves enough
        if start >= MIN_CLAUSE:
            cut = start
    words = text[:cut].rstrip(_TRAILING) or text[:cut]
    if len(words) >= len(text.rstrip(_TRAILING)):
        return text  # the whole text: nothing left out
    return words + ELLIPSIS


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()
