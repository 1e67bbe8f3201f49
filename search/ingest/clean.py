"""Cleaning what scraping left behind: pinyin annotations, stray markup,
and page furniture (navigation, share blocks, copyright, teasers of other
articles...).  Furniture patterns live in ``search/data/furniture.tsv``.

All matching runs on folded text (simplified, half-width, lower case), so
one pattern covers both scripts; the text itself keeps its original script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from search.text.analysis import IS_CJK, fold
from search.datafiles import read_tsv

# --------------------------------------------------------------------------
# pinyin annotations: 動(dòng)態(tài) -> 動態

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_TONELESS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü", "aaaaeeeeiiiioooouuuuvvvvv")
# "(dòng)" after a character, or "dāng)" after a "?" that swallowed the "("
_ANNOTATION = re.compile(
    rf"(?:[(（]|(?<=\?))\s*([a-zA-Z{_TONED}]+(?:\s+[a-zA-Z{_TONED}]+)*)\s*[1-5]?\s*[)）]")
_INITIALS = "zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw]"
_FINALS = ("iang|iong|uang|ang|eng|ing|ong|iao|ian|uai|uan|van|ai|ei|ao|ou|an|en"
           "|in|un|vn|ia|ie|iu|ua|uo|ui|ue|ve|er|a|o|e|i|u|v")
_SYLLABLE = re.compile(rf"(?:{_INITIALS})?(?:{_FINALS})|ng|hm|m|n")


@lru_cache(maxsize=4096)
def _syllables(word: str) -> bool:
    """True when ``word`` (toneless, lower case) splits into pinyin syllables."""
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ok[end] = any(ok[start] and _SYLLABLE.fullmatch(word[start:end])
                      for start in range(max(0, end - 6), end))
    return ok[len(word)]


def _is_annotation(match: re.Match, text: str) -> bool:
    content = match.group(1)
    words = content.lower().translate(_TONELESS).split()
    if not all(_syllables(w) for w in words):
        return False
    if any(ch in _TONED for ch in content):
        return True  # tone marks: pinyin even after lost characters (?dòng)
    if match.group(0)[0] not in "(（":
        return False  # without "(" only a toned syllable is sure to be pinyin
    # no tone mark, e.g. (de), (men): only lower case, right after a CJK char
    before = text[match.start() - 1] if match.start() else ""
    return content.islower() and len(content) > 1 and bool(IS_CJK.match(before))


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations; ordinary parentheses stay."""
    if ")" not in text and "）" not in text:
        return text
    return _ANNOTATION.sub(
        lambda m: "" if _is_annotation(m, text) else m.group(0), text)


# --------------------------------------------------------------------------
# furniture rules from the data file


@dataclass(frozen=True)
class FurnitureRule:
    kind: str  # "line", "block", "inline" or "element"
    pattern: re.Pattern
    comment: str


@lru_cache(maxsize=1)
def furniture_rules() -> tuple[FurnitureRule, ...]:
    """``furniture.tsv``: ``kind<TAB>regex<TAB>comment`` a line."""
    rules = []
    for where, _, (kind, pattern, *comment) in read_tsv("furniture.tsv"):
        if kind not in ("line", "block", "inline", "element"):
            raise ValueError(f"{where}: unknown kind {kind!r}")
        try:
            compiled = re.compile(pattern)
        except re.error as e:
            raise ValueError(f"{where}: bad pattern {pattern!r}: {e}") from None
        rules.append(FurnitureRule(kind, compiled, " ".join(comment).strip()))
    return tuple(rules)


@lru_cache(maxsize=None)
def _rules(kind: str) -> tuple[FurnitureRule, ...]:
    return tuple(r for r in furniture_rules() if r.kind == kind)


def strip_markup(line: str) -> str:
    """Remove inline furniture (stray tags) and keep the rest of the line."""
    for rule in _rules("inline"):
        spans = [m.span() for m in rule.pattern.finditer(fold(line))]
        for start, end in reversed(spans):
            line = line[:start] + line[end:]
    return line


def matching_rule(kind: str, line: str) -> FurnitureRule | None:
    """The first rule of ``kind`` that ``line`` matches, or None."""
    folded = fold(line)
    return next((rule for rule in _rules(kind) if rule.pattern.search(folded)), None)


def is_furniture_element(names: str) -> bool:
    """An HTML element whose class or id (``names``, space-separated) says
    it is page furniture: navigation, menu, breadcrumb, share buttons..."""
    names = names.lower()
    return any(rule.pattern.search(names) for rule in _rules("element"))


# --------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
# Private Use Area code points (a scrape's icon fonts, mis-decoded bytes):
# no font shows them, so pages would show empty boxes.
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def drop_private_use(text: str) -> tuple[str, int]:
    """``text`` without Private Use Area code points, and how many there were."""
    return PRIVATE_USE.subn("", text)


def normalize_line(line: str) -> str:
    """One raw line made presentable: pinyin and stray markup gone, runs of
    white space collapsed, ends trimmed."""
    return _SPACES.sub(" ", strip_markup(strip_pinyin(line))).strip()


@dataclass(frozen=True)
class Dropped:
    """A line dropped from an article and the rule that dropped it."""

    line: str
    rule: str  # the furniture.tsv comment, or the step's name
    kind: str = "line"  # "line", "block", "html" or "metadata"

    def to_dict(self) -> dict:
        return {"line": self.line, "rule": self.rule}


FURNITURE_LINE_MAX = 500  # characters: page furniture is short; a longer line is never dropped whole


def sort_furniture(lines: list[str]) -> tuple[list[str], list[Dropped]]:
    """Split normalised lines into (content, dropped furniture with its
    rule).  Blank lines are dropped silently; everything from a block start
    on is furniture.  A line longer than ``FURNITURE_LINE_MAX`` is content
    whatever it holds (a page that came as one line may hold a breadcrumb
    beside its whole text)."""
    content: list[str] = []
    dropped: list[Dropped] = []
    crumbs = _breadcrumb_items(lines)
    for i, line in enumerate(lines):
        if not line:
            continue
        if len(line) > FURNITURE_LINE_MAX:
            content.append(line)
            continue
        block = matching_rule("block", line)
        if block:
            rule = f"{block.comment} (and the rest of the page)"
            dropped.extend(Dropped(rest, rule, "block") for rest in lines[i:] if rest)
            break
        rule = matching_rule("line", line)
        if rule:
            dropped.append(Dropped(line, rule.comment))
        elif i in crumbs:
            dropped.append(Dropped(line, BREADCRUMB_RULE))
        else:
            content.append(line)
    return content, dropped


BREADCRUMB_ITEM_MAX = 12
_BREADCRUMB_SEPARATOR = re.compile(r"^(>>|>|›|»)$")
_SENTENCE_MARKS = re.compile(r"[,，。:：;；!！?？]")
BREADCRUMB_RULE = "navigation trail split over lines: the short items beside a lone >>"


def _breadcrumb_items(lines: list[str]) -> set[int]:
    """A breadcrumb a page wrote one item a line (中国张掖网 / >> / 2018专题 /
    >> / 致富经): the short lines right before and after a lone separator."""
    filled = [i for i, line in enumerate(lines) if line]
    items = set()
    for n, i in enumerate(filled):
        if not _BREADCRUMB_SEPARATOR.match(lines[i]):
            continue
        for j in filled[max(0, n - 1):n] + filled[n + 1:n + 2]:
            if len(lines[j]) <= BREADCRUMB_ITEM_MAX and not _SENTENCE_MARKS.search(lines[j]):
                items.add(j)
    return items
