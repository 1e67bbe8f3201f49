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
    if _ARTICLE_BODY.search(names):  # class="BSHARE_POP artibody": the body, with a share pop-up
        return False
    return any(rule.pattern.search(names) for rule in _rules("element"))


# a class or id naming the article's body: that element is never furniture,
# whatever else its classes say
_ARTICLE_BODY = re.compile(r"(?<![a-z])(?:artibody|arti(?:cle)?[-_]?(?:body|content|text)"
                           r"|(?:post|entry|news)[-_]?(?:body|content|text))(?![a-z])")


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


# --------------------------------------------------------------------------
# mojibake: runs a bad conversion left (家門口?!懊赓M參加, 天??h從, 平?稣匍_全省).
# Its traces: a ``?`` where a character could not be converted, inside
# Chinese words, next to junk that no Chinese sentence holds there (``!;_``
# or a Latin or Cyrillic letter glued between Chinese characters) and to
# characters that are valid but rare.  A rare character alone, or a real
# question mark, is never a run: a run needs the ``?`` and the junk.

COMMON_CHAR_MIN = 3000  # jieba dictionary frequency: rarer characters may be conversion debris
_QUESTION_ENDS = set("吗呢么吧啊呀哪谁啥嘛否")
_JUNK = re.compile(r"[!;_?]|[a-zA-Z\u0400-\u04ff]")
_MERGE_GAP = 3  # characters between two runs that go with them


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """Characters of jieba's dictionary whose words occur at least
    ``COMMON_CHAR_MIN`` times in its counts (simplified forms)."""
    import os

    import jieba

    counts: dict[str, int] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, n = line.split(" ", 2)[:2]
            for ch in word:
                counts[ch] = counts.get(ch, 0) + int(n)
    return frozenset(ch for ch, n in counts.items() if n >= COMMON_CHAR_MIN)


def _is_cjk(ch: str) -> bool:
    return bool(IS_CJK.match(ch))


def mojibake_runs(line: str) -> list[tuple[int, int]]:
    """The (start, end) spans of mojibake in ``line``."""
    if "?" not in line:
        return []
    folded = fold(line)
    common = _common_chars()

    def rare(i: int) -> bool:
        return 0 <= i < len(line) and _is_cjk(line[i]) and folded[i] not in common

    def junk(i: int) -> bool:
        if not 0 <= i < len(line) or not _JUNK.match(line[i]):
            return False
        if line[i] in "!;_?" or not line[i].isascii():
            return True
        # a Latin letter counts only glued between Chinese characters (家?С, 赓M參)
        return ((i == 0 or not line[i - 1].isascii() or line[i - 1] == "?")
                and (i + 1 == len(line) or not line[i + 1].isascii()))

    spans: list[list[int]] = []  # [start, end, sure]
    for i, ch in enumerate(line):
        if ch != "?" or not (i and (_is_cjk(line[i - 1]) or line[i - 1] == "?")):
            continue
        if line[i - 1] in _QUESTION_ENDS:
            continue
        end = i + 1
        while end < len(line) and (junk(end) or rare(end)):
            end += 1
        start = i
        while start and rare(start - 1):
            start -= 1
        after = range(i + 1, min(end, i + 5))
        # sure: junk no sentence holds there (a letter glued between Chinese
        # characters, ; or _ after the ?), or ?! and a rare character
        sure = (any(junk(k) and line[k] not in "!?" for k in after)
                or line[i + 1:i + 2] == "!" and rare(i + 2))
        # alone, these are no run (变穷???从而, 斯蒂芬妮?席尔); beside another, they are
        weak = any(junk(k) for k in after) or sum(rare(k) for k in range(max(0, i - 3), i)) >= 2
        if not (sure or weak):
            continue
        if spans and start - spans[-1][1] <= _MERGE_GAP and not _SENTENCE_MARKS.search(line[spans[-1][1]:start]):
            # two ? with a rare character between: 改善?!案匾氖?
            between = range(spans[-1][0], i)
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2] = spans[-1][2] or sure or any(rare(k) for k in between)
        else:
            spans.append([start, end, sure])
    return [(s, e) for s, e, sure in spans if sure]


def drop_mojibake(line: str) -> tuple[str, list[str]]:
    """``line`` without its mojibake runs, and the runs."""
    runs = mojibake_runs(line)
    if not runs:
        return line, []
    kept, pos = [], 0
    for s, e in runs:
        kept.append(line[pos:s])
        pos = e
    kept.append(line[pos:])
    return "".join(kept), [line[s:e] for s, e in runs]
