"""The query language of api.md, parsed into a tree of requirements.

- words are AND'ed; ``OR`` between two items makes alternatives;
  ``-item`` or ``NOT item`` excludes; ``"..."`` (or “...”) is an exact phrase;
- a Chinese word requires its characters to occur literally (after folding)
  in the paragraph, so any string that occurs in a paragraph finds it,
  whatever the segmenter made of it; latin words and numbers must be words;
- nothing raises: what the syntax cannot use is searched as plain text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.text.analysis import CJK_RUN, fold, latin_words, segment

MAX_QUERY_CHARS = 1000  # longer queries are cut (a paragraph is rarely longer)
MAX_ITEMS = 32

_LEX = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)')


@dataclass(frozen=True)
class Literal:
    """A string of Chinese characters that must occur in the folded text."""

    text: str


@dataclass(frozen=True)
class Token:
    """A latin word or a number that must be a word of the paragraph."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Everything in ``parts`` and the whole ``text`` literally, in order."""

    text: str
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    options: tuple
    expanded: bool = False  # options after the first are synonyms of it
    typed: str = ""  # where expanded: the word as typed, which the synonyms widened


@dataclass(frozen=True)
class AllOf:
    parts: tuple
    whole: str = ""  # the run of characters the parts were cut from, if any


@dataclass
class Query:
    """A parsed query: required clauses, excluded clauses, and what to mark."""

    raw: str
    must: list = field(default_factory=list)  # nodes, AND'ed
    must_not: list = field(default_factory=list)  # nodes, none may match

    def positive_leaves(self) -> list:
        out: list = []
        for node in self.must:
            _leaves(node, out)
        return out

    def expanded(self) -> dict[str, list[str]]:
        """Each typed word that synonyms widened -> the words added (folded)."""
        out: dict[str, list[str]] = {}
        for node in self.must + self.must_not:
            _expanded(node, out)
        return out


def _leaves(node, out: list) -> None:
    if isinstance(node, (Literal, Token)):
        if node not in out:
            out.append(node)
    elif isinstance(node, Phrase):
        for p in node.parts:
            _leaves(p, out)
    elif isinstance(node, (AnyOf, AllOf)):
        for p in node.options if isinstance(node, AnyOf) else node.parts:
            _leaves(p, out)


def _expanded(node, out: dict) -> None:
    if isinstance(node, AnyOf):
        if node.expanded:
            added = out.setdefault(node.typed, [])
            added += [w for w in map(_words_of, node.options[1:]) if w not in added]
        else:
            for n in node.options:
                _expanded(n, out)


def _words_of(node) -> str:
    """The folded words a synonym node requires, as the synonyms file wrote them."""
    return node.text if isinstance(node, (Literal, Token, Phrase)) else ""


def clean(raw: str) -> str:
    """Drop control characters, cut the length, normalise spaces."""
    raw = raw[:MAX_QUERY_CHARS]
    raw = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in raw)
    return raw.strip()


def parse(raw: str, synonyms=None) -> Query:
    """Parse a query string; ``synonyms(folded_word)`` returns the other
    words that should match too (or an empty list)."""
    synonyms = synonyms or (lambda w: [])
    q = Query(raw=raw)
    items = _lex(clean(raw))[: MAX_ITEMS * 3]
    clauses: list[tuple[bool, list]] = []  # (negated, alternatives)
    i = 0
    while i < len(items):
        kind, text = items[i]
        negate = False
        if kind == "word" and text == "NOT" and i + 1 < len(items):
            negate, i = True, i + 1
            kind, text = items[i]
        elif kind == "word" and text.startswith("-") and len(text) > 1:
            negate, text = True, text[1:]
        node = _item_node(kind, text, synonyms)
        if (kind == "word" and text == "OR" and clauses and not clauses[-1][0]
                and i + 1 < len(items)):
            nkind, ntext = items[i + 1]
            nxt = _item_node(nkind, ntext, synonyms)
            if nxt is not None:
                clauses[-1][1].append(nxt)
            i += 2
            continue
        if node is not None:
            clauses.append((negate, [node]))
        i += 1
    for negate, alts in clauses[:MAX_ITEMS]:
        node = alts[0] if len(alts) == 1 else AnyOf(tuple(alts))
        (q.must_not if negate else q.must).append(node)
    return q


def quote_words(raw: str, words) -> str:
    """``raw`` with each bare word in ``words`` quoted (``-word`` becomes
    ``NOT "word"``): the same search without synonyms for them, since a quoted word
    is never widened (it is then required as written, not cut)."""
    words = set(words)
    text = clean(raw)
    out, pos = [], 0
    for m in _LEX.finditer(text):
        word = m.group(4)
        out.append(text[pos:m.start()])
        sign = "-" if word and word.startswith("-") and len(word) > 1 else ""
        if word and word[len(sign):] in words:
            out.append(("NOT " if sign else "") + f'"{word[len(sign):]}"')
        else:
            out.append(m.group())
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _lex(text: str) -> list[tuple[str, str]]:
    items = []
    for m in _LEX.finditer(text):
        quoted = next((g for g in m.groups()[:3] if g is not None), None)
        if quoted is not None:
            items.append(("phrase", quoted))
        else:
            word = m.group(4)
            for piece in re.split(r'["“”「」]', word):  # a lone quote is dropped
                if piece:
                    items.append(("word", piece))
    return items


def _item_node(kind: str, text: str, synonyms):
    if kind == "phrase":
        return phrase_node(text)
    if text in ("AND", "OR", "NOT"):
        text = text.lower()  # an operator with nothing to join is a plain word
    return word_node(text, synonyms)


def phrase_node(text: str):
    folded = " ".join(fold(text).split())
    parts = _requirements(folded, cut=False)
    if not parts:
        return None
    if len(parts) == 1 and isinstance(parts[0], Literal) and parts[0].text == folded:
        return parts[0]
    return Phrase(folded, tuple(parts))


def word_node(text: str, synonyms):
    folded = fold(text)
    alts = [w for w in synonyms(folded) if w != folded]
    main = _requirements(folded, cut=True)
    if not main:
        return None
    whole = folded if CJK_RUN.fullmatch(folded) else ""
    node = main[0] if len(main) == 1 else AllOf(tuple(main), whole)
    if alts:
        alt_nodes = tuple(n for n in (Literal(a) if CJK_RUN.fullmatch(a) else phrase_node(a) for a in alts) if n)
        return AnyOf((node,) + alt_nodes, expanded=True, typed=text)
    return node


def _requirements(folded: str, cut: bool) -> list:
    """What a piece of folded text requires: literals for its Chinese runs
    (cut into words by jieba when ``cut``), tokens for latin words/numbers."""
    out: list = []
    pos = 0
    for m in CJK_RUN.finditer(folded):
        out += [Token(w) for w, _, _ in latin_words(folded[pos:m.start()])]
        out += [Literal(w) for w in (cut_literals(m.group()) if cut else [m.group()])]
        pos = m.end()
    out += [Token(w) for w, _, _ in latin_words(folded[pos:])]
    if len(out) > 1:  # a lone character beside other words is noise (年 in 2018年)
        out = [r for r in out if not (isinstance(r, Literal) and len(r.text) == 1)]
    seen, uniq = set(), []
    for r in out:
        if r not in seen:
            seen.add(r)
            uniq.append(r)
    return uniq


def cut_literals(run: str) -> list[str]:
    """Cut a run of Chinese characters into the literals a query requires:
    jieba's words, where single characters join their neighbours (so 业扶
    stays 业扶, and 的扶贫 does not require a lone 的 anywhere)."""
    words = segment(run)
    if len(words) <= 1:
        return [run]
    out: list[str] = []
    for w in words:
        if out and (len(w) == 1 or len(out[-1]) == 1):
            out[-1] += w
        else:
            out.append(w)
    return out


__all__ = ["Query", "Literal", "Token", "Phrase", "AnyOf", "AllOf", "parse", "quote_words"]
