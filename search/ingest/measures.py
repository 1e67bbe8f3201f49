"""Measure labels (the ``measure`` facet) from the rules in
``search/data/measures.tsv``.

The file defines each measure type (key and Chinese label, in facet order)
and the words that signal it.  A word is a regular expression matched in
the folded paragraph (simplified, half-width, lower case); an optional
``unless`` expression cancels a hit it covers within the same sentence, so
``医保`` can count while ``医保局`` (an agency) does not; an optional
``context`` expression must be found somewhere in the paragraph for the
word to count: words every industry or school uses (产业链, 学费) report a
measure only in a paragraph about the poor, jobs or the countryside.  ``negation``
lines hold words (无法, 不能...) that cancel a hit of any word right after
them in the same clause: ``无法外出务工`` reports no labour transfer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from search.text.analysis import fold
from search.datafiles import read_tsv

RULES_FILE = "measures.tsv"
_SENTENCE_BREAK = re.compile(r"[。;!?\n]")
NEGATION_REACH = 2  # characters allowed between a negation and the hit it cancels


@dataclass(frozen=True)
class Word:
    """One signal of a measure: a pattern and what cancels it."""

    pattern: re.Pattern
    unless: re.Pattern | None = None
    context: re.Pattern | None = None

    @property
    def plain(self) -> bool:
        return self.unless is None and self.context is None

    def found_in(self, folded: str, negatable: bool = True) -> bool:
        """Does the word count in ``folded``?  ``negatable``: False when
        ``folded`` holds no negation word (``_may_negate``)."""
        context = self.context
        for hit in self.pattern.finditer(folded):
            # the context looked for once the word is there (the word is the
            # rarer of the two: a paragraph about the poor is the common case)
            if context is not None:
                if not context.search(folded):
                    return False
                context = None
            if ((not negatable or not _negated(folded, hit))
                    and (self.unless is None or not _cancelled(folded, hit, self.unless))):
                return True
        return False


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # Chinese, shown on the pages
    words: tuple[Word, ...] = ()

    @cached_property
    def plain(self) -> re.Pattern | None:
        """All words without an ``unless``, as one pattern."""
        return _alternation(tuple(w.pattern.pattern for w in self.words if w.plain))

    def found_in(self, folded: str, negatable: bool = True) -> bool:
        plain = self.plain
        if plain is not None:
            if not negatable:  # no hit can be negated: the first one will do
                if plain.search(folded):
                    return True
            else:
                hit = False
                for m in plain.finditer(folded):
                    if not _negated(folded, m):
                        return True
                    hit = True
                # a negated hit may hide another word's hit inside it
                if hit and any(w.found_in(folded) for w in self.words if w.plain):
                    return True
        return any(w.found_in(folded, negatable) for w in self.words if not w.plain)


@lru_cache(maxsize=None)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=1)
def _negation() -> re.Pattern | None:
    words = [cols[1] for where, _, cols in read_tsv(RULES_FILE)
             if cols[0] == "negation" and len(cols) > 1 and cols[1].strip()]
    if not words:
        return None
    alternation = "|".join(f"(?:{w})" for w in words)
    return _compile(RULES_FILE, rf"(?:{alternation})[^,。;:!?、]{{0,{NEGATION_REACH}}}$")


@lru_cache(maxsize=1)
def _negation_words() -> re.Pattern | None:
    """The negation words alone, where each is a plain word (no pattern):
    a text without any of them has no negated hit.  None when a word is a
    pattern, which might match within a hit's few characters before and
    not in the whole text."""
    words = [cols[1] for where, _, cols in read_tsv(RULES_FILE)
             if cols[0] == "negation" and len(cols) > 1 and cols[1].strip()]
    alternatives = [w for line in words for w in line.split("|")]
    if not alternatives or any(re.escape(w) != w for w in alternatives):
        return None
    return re.compile("|".join(alternatives))


def _may_negate(folded: str) -> bool:
    """Can a hit in ``folded`` be negated (a negation word is in it)?"""
    words = _negation_words()
    return words is None and _negation() is not None or words is not None and words.search(folded) is not None


def _negated(folded: str, hit: re.Match) -> bool:
    """True when a negation word stands right before the hit."""
    negation = _negation()
    if negation is None:
        return False
    start = hit.start()
    return negation.search(folded, max(0, start - 12), start) is not None


def _cancelled(folded: str, hit: re.Match, unless: re.Pattern) -> bool:
    start, end = _sentence_around(folded, hit.start(), hit.end())
    return any(u.start() < hit.end() and u.end() > hit.start()
               for u in unless.finditer(folded, start, end))


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, start)]
    after = _SENTENCE_BREAK.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _compile(where: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as e:
        raise ValueError(f"{where}: bad pattern {pattern!r}: {e}") from None


@lru_cache(maxsize=1)
def load_measures() -> list[Measure]:
    """The measure types in file order, each with its words."""
    labels: dict[str, str] = {}
    words: dict[str, list[Word]] = {}
    for where, _, cols in read_tsv(RULES_FILE):
        kind, key, value, *rest = cols + [""] * (3 - len(cols))
        if kind == "measure":
            labels[key] = value
            words.setdefault(key, [])
        elif kind == "negation":
            continue  # read by _negation()
        elif kind == "word":
            if key not in labels:
                raise ValueError(f"{where}: word for undefined measure {key!r}")
            unless = rest[0].strip() if rest else ""
            context = rest[1].strip() if len(rest) > 1 else ""
            words[key].append(Word(_compile(where, value),
                                   _compile(where, unless) if unless else None,
                                   _compile(where, context) if context else None))
        else:
            raise ValueError(f"{where}: unknown kind {kind!r} (measure, word or negation)")
    return [Measure(key, label, tuple(words[key])) for key, label in labels.items()]


def measures_in(text: str) -> list[str]:
    """Keys of the measures ``text`` reports, in file order."""
    folded = fold(text)
    negatable = _may_negate(folded)
    return [m.key for m in load_measures() if m.found_in(folded, negatable)]
