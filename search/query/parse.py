"""The query language of api.md, parsed into a tree of requirements.

- words are AND'ed; ``OR`` between two items makes alternatives;
  ``-item`` or ``NOT item`` excludes; ``"..."`` (or “...”) is an exact phrase;
- a Chinese word requires its characters to occur literally (after folding)
  in the paragraph, so any string that occurs in a paragraph finds it,
  whatever the segmenter made of it; latin words and numbers must be words;
- ``title:词``, ``heading:词``, ``text:词`` scope a word (or a quoted
  phrase: ``title:"扶贫车间"``) to one field; ``source:名``, ``issuer:名``,
  ``docno:号`` ask for articles whose publisher, issuing office or document
  number holds the value; a scoped word is never widened by synonyms;
- nothing raises: what the syntax cannot use is searched as plain text.

The nodes (``search.query.nodes``) carry their own behaviour; this module
only decides which nodes a query string makes.
"""

from __future__ import annotations

import re
import unicodedata

from search.text.analysis import CJK_RUN, fold, latin_words, segment
from search.query.nodes import (HEADING, TEXT, TITLE, AllOf, AnyOf, InField, Literal, MetaField, Not, Phrase, Query,
                                Token, fold_value)

MAX_QUERY_CHARS = 1000  # longer queries are cut (a paragraph is rarely longer)
MAX_ITEMS = 32

FIELDS = {"title": TITLE, "heading": HEADING, "text": TEXT, "source": "source", "issuer": "issuer",
          "docno": "docno"}
# a field with a quoted value is one item (title:"扶贫 车间"); with a bare value, one word
_FIELD = re.compile(r'(-?)(' + "|".join(FIELDS) + r')[:：](.*)', re.I | re.S)
_LEX = re.compile(r'(?P<field>-?(?i:' + "|".join(FIELDS) + r')[:：])(?:"(?P<f1>[^"]*)"|“(?P<f2>[^”]*)”|「(?P<f3>[^」]*)」)'
                  r'|"(?P<q1>[^"]*)"|“(?P<q2>[^”]*)”|「(?P<q3>[^」]*)」|(?P<word>\S+)')


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
        if kind == "word" and text.startswith("-") and len(text) > 1:
            negate, text = True, text[1:]
        elif kind == "field" and text[0]:
            negate = True
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
        q.clauses.append(Not(node) if negate else node)
    return q


def quote_words(raw: str, words) -> str:
    """``raw`` with each bare word in ``words`` quoted (``-word`` becomes
    ``NOT "word"``): the same search without synonyms for them, since a quoted word
    is never widened (it is then required as written, not cut)."""
    words = set(words)
    text = clean(raw)
    out, pos = [], 0
    for m in _LEX.finditer(text):
        word = m.group("word")
        out.append(text[pos:m.start()])
        sign = "-" if word and word.startswith("-") and len(word) > 1 else ""
        if word and word[len(sign):] in words:
            out.append(("NOT " if sign else "") + f'"{word[len(sign):]}"')
        else:
            out.append(m.group())
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_QUOTES = re.compile(r'["“”「」]')  # compiled with the module, not by the first search to meet a word (~0.5 ms)


def _lex(text: str) -> list[tuple[str, object]]:
    """The query's items: ("phrase", text), ("word", text) or ("field",
    (sign, name, value, quoted))."""
    items: list = []
    for m in _LEX.finditer(text):
        if m.group("field"):
            name = m.group("field")
            value = next(g for g in (m.group("f1"), m.group("f2"), m.group("f3")) if g is not None)
            items.append(("field", (name.startswith("-"), name.lstrip("-")[:-1].lower(), value, True)))
            continue
        quoted = next((g for g in (m.group("q1"), m.group("q2"), m.group("q3")) if g is not None), None)
        if quoted is not None:
            items.append(("phrase", quoted))
            continue
        word = m.group("word")
        f = _FIELD.fullmatch(word)
        if f and f.group(3) and not _QUOTES.search(f.group(3)):
            items.append(("field", (bool(f.group(1)), f.group(2).lower(), f.group(3), False)))
            continue
        for piece in _QUOTES.split(word):  # a lone quote is dropped
            if piece:
                items.append(("word", piece))
    return items


def _item_node(kind: str, text, synonyms):
    if kind == "phrase":
        return phrase_node(text)
    if kind == "field":
        return field_node(*text[1:])
    if text in ("AND", "OR", "NOT"):
        text = text.lower()  # an operator with nothing to join is a plain word
    return word_node(text, synonyms)


def field_node(name: str, value: str, quoted: bool):
    """``name:value``: a word or phrase scoped to the title, heading or
    text (never widened by synonyms), or an article field holding the value."""
    scope = FIELDS[name]
    if scope in (TITLE, HEADING, TEXT):
        node = phrase_node(value) if quoted else word_node(value, None)
        return InField(scope, node) if node is not None else None
    value = fold_value(value)
    return MetaField(name, value) if value else None


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
    alts = [w for w in synonyms(folded) if w != folded] if synonyms else []
    main = _requirements(folded, cut=True)
    if not main:
        return None
    whole = folded if CJK_RUN.fullmatch(folded) else ""
    node = main[0] if len(main) == 1 else AllOf(tuple(main), whole, "" if whole else folded)
    if alts:
        pairs = [(n, a) for n, a in ((Literal(a) if CJK_RUN.fullmatch(a) else phrase_node(a), a) for a in alts) if n]
        return AnyOf((node,) + tuple(n for n, _ in pairs), expanded=True, typed=text,
                     same=tuple(same_thing(synonyms, folded, a) for _, a in pairs))
    return node


def same_thing(synonyms, word: str, other: str) -> bool:
    """Whether the synonyms file says ``other`` is ``word`` under a short
    name (or its full name: 城乡居民基本养老保险 = 城乡居民养老保险), so that
    it counts as the typed word in ranking (full weight, the verbatim
    boost).  A group's other words (贫困户 is wider than 建档立卡贫困户) and
    a renaming's other name (the typed one comes first) count less."""
    same = getattr(synonyms, "same", None)
    return bool(same) and other in same(word)


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


__all__ = ["Query", "Literal", "Token", "Phrase", "AnyOf", "AllOf", "InField", "MetaField", "Not", "parse",
           "quote_words"]
