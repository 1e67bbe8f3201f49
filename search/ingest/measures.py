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

    @cached_property
    def others(self) -> tuple[Word, ...]:
        """The words with an ``unless`` or a context."""
        return tuple(w for w in self.words if not w.plain)

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
        return any(w.found_in(folded, negatable) for w in self.others)


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
    measures = load_measures()
    if _may_negate(folded):
        return [m.key for m in measures if m.found_in(folded, True)]
    # no hit can be negated: a measure is found where one of its plain words
    # is, or one of its other words counts
    plain = _plain_found(folded)
    return [m.key for k, m in enumerate(measures)
            if k in plain or m.others and any(w.found_in(folded, False) for w in m.others)]


@dataclass(frozen=True)
class _PlainScan:
    """The measures' plain words for one pass over a text: those that match
    a few fixed strings only, as those strings (each measure's others as one
    pattern)."""

    openers: re.Pattern  # the characters a string opens with
    by_pair: dict  # its first two characters -> ((string, measure number), ...)
    patterns: tuple  # (measure number, pattern of its other plain words)


@lru_cache(maxsize=1)
def _plain_scan() -> _PlainScan:
    by_pair: dict[str, list] = {}
    patterns = []
    for k, measure in enumerate(load_measures()):
        rest = []
        for word in measure.words:
            if not word.plain:
                continue
            strings = _strings(word.pattern.pattern)
            if strings is None or any(len(s) < 2 for s in strings):
                rest.append(word.pattern.pattern)
                continue
            for string in strings:
                by_pair.setdefault(string[:2], []).append((string, k))
        if rest:
            patterns.append((k, _alternation(tuple(rest))))
    openers = re.compile("[%s]" % "".join(sorted({re.escape(pair[0]) for pair in by_pair}))) if by_pair else None
    return _PlainScan(openers, {pair: tuple(v) for pair, v in by_pair.items()}, tuple(patterns))


def _plain_found(folded: str) -> set[int]:
    """The numbers of the measures one of whose plain words ``folded``
    holds: what each measure's ``plain`` pattern finds, in one pass (ten
    searches of an alternation, each trying every word where one opens,
    cost some three times as much on the 1M corpus)."""
    scan = _plain_scan()
    found: set[int] = set()
    if scan.openers is not None:
        by_pair = scan.by_pair
        for m in scan.openers.finditer(folded, 0, len(folded) - 1):
            i = m.start()
            for string, k in by_pair.get(folded[i:i + 2], ()):
                if k not in found and folded.startswith(string, i):
                    found.add(k)
    for k, pattern in scan.patterns:
        if k not in found and pattern.search(folded):
            found.add(k)
    return found


MAX_STRINGS = 64  # a word standing for more fixed strings than this stays a pattern


def _strings(pattern: str) -> list[str] | None:
    """The fixed strings a pattern matches, where it matches a few only
    (literals, alternations, groups, optional parts, classes of single
    characters: 有组织(地)?输出, (技能|职业|资格)证书); else None."""
    try:  # the standard library's own parser of regular expressions
        import re._parser as parser
        from re._constants import BRANCH, IN, LITERAL, MAX_REPEAT, SUBPATTERN
    except ImportError:  # Python 3.10
        import sre_parse as parser
        from sre_constants import BRANCH, IN, LITERAL, MAX_REPEAT, SUBPATTERN

    def expand(items) -> list[str] | None:
        out = [""]
        for op, av in items:
            if op is LITERAL:
                alts = [chr(av)]
            elif op is IN and all(o is LITERAL for o, _ in av):
                alts = [chr(c) for _, c in av]
            elif op is SUBPATTERN and not av[1] and not av[2]:
                alts = expand(av[3])
            elif op is BRANCH:
                alts = []
                for branch in av[1]:
                    more = expand(branch)
                    if more is None:
                        return None
                    alts += more
            elif op is MAX_REPEAT and av[0] == 0 and av[1] == 1:
                more = expand(av[2])
                alts = None if more is None else [""] + more
            else:
                return None
            if alts is None:
                return None
            out = [a + b for a in out for b in alts]
            if len(out) > MAX_STRINGS:
                return None
        return out

    try:
        return expand(parser.parse(pattern))
    except (re.error, TypeError, ValueError, AttributeError):
        return None
