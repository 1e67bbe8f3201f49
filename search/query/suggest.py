"""Zero hits is not a dead end: searches that would find something.

- the query without the facet filters, when filters were chosen;
- for a typed word the index does not hold, the strings the index holds
  within one character of it (one character replaced or left out) or with
  the same pinyin (pypinyin, tones ignored), each with the hit count of the
  whole query so corrected.

Candidates are generated, not looked up in a scan of the lexicon: a
replacement at position i comes from the bigrams that start with the
character before it (a range of the terms in byte order, bounded), so the
cost depends on the word, not on the size of the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.text.analysis import CJK_RUN, IS_CJK, fold
from search.query.parse import _LEX, Query, clean
from search.engine.results import SearchRequest, Suggestion

MAX_WORD = 8  # longer words are not corrected
FOLLOWERS = 800  # bigrams read per character (a range of the terms in byte order)
BEAM = 40  # partial candidates kept per position
MAX_CHECKED = 12  # candidates counted per word
MAX_PER_WORD = 3  # suggestions shown per word
KINDS = ("同音", "相差一个字", "少一个字")  # the order suggestions for a word are shown in


def suggest(req: SearchRequest, query: Query, matcher, count) -> list[Suggestion]:
    """Suggestions for a search that found nothing; ``count(req)`` gives the
    number of hits of another request on the same snapshot."""
    out: list[Suggestion] = []
    if any(req.filters.values()):
        plain = req.without_filters()
        n = count(plain)
        if n:
            out.append(Suggestion(plain, n, "去掉筛选条件"))
    for word in unknown_words(query, matcher):
        found = []
        for cand, why in candidates(word, matcher)[:MAX_CHECKED]:
            q = replace_word(req.q, word, cand)
            if q == req.q:
                continue
            alt = req.replace(q=q, page=1)
            n = count(alt)
            if n:
                found.append(Suggestion(alt, n, why))
        found.sort(key=lambda s: (KINDS.index(s.why.split(":")[0]), -s.count))
        out += found[:MAX_PER_WORD]
    return out


def typed_words(query: Query) -> list[str]:
    """The Chinese words of the query as typed (folded), one a clause."""
    out = []
    for node in query.must:
        text = node.typed_word()
        if text and CJK_RUN.fullmatch(text) and 2 <= len(text) <= MAX_WORD:
            out.append(text)
    return out


def unknown_words(query: Query, matcher) -> list[str]:
    return [w for w in typed_words(query) if len(matcher.literal(w)[0]) == 0]


def candidates(word: str, matcher) -> list[tuple[str, str]]:
    """Strings the index holds one character from ``word`` or sounding the
    same, most frequent first, with why (in Chinese)."""
    p = matcher.postings
    pinyin = _pinyin(word)
    found: dict[str, str] = {}
    for i in range(len(word)):  # one character left out
        cand = word[:i] + word[i + 1:]
        if len(cand) >= 2:
            found.setdefault(cand, f"少一个字:{cand}")
    for cand, _ in _replacements(word, p):
        found.setdefault(cand, f"同音:{cand}" if _pinyin(cand) == pinyin else f"相差一个字:{cand}")
    sized = [(len(matcher.literal(c)[0]), c) for c in found]
    return [(c, found[c]) for n, c in sorted(sized, key=lambda t: (-t[0], t[1])) if n]


def _replacements(word: str, p) -> list[tuple[str, int]]:
    """Strings of ``word``'s length whose every bigram the index holds, with
    one character replaced, or any number replaced by same-sounding ones;
    (string, characters changed)."""
    states: list[tuple[str, int]] = [("", 0)]
    for i, ch in enumerate(word):
        sounds = _homophones(ch)
        nxt: list[tuple[str, int]] = []
        for prefix, changed in states:
            if prefix:
                options = _followers(p, prefix[-1])
            else:  # the first character: itself, or one sounding like it that the next one follows
                options = {ch} | {c for c in sounds if len(word) < 2 or _has_bigram(p, c + word[1])}
            for c in options:
                if c == ch:
                    nxt.append((prefix + c, changed))
                elif changed == 0 or c in sounds:
                    nxt.append((prefix + c, changed + 1))
        # keep the closest: fewest changes, then same-sounding changes
        nxt.sort(key=lambda s: (s[1], sum(a != b and b not in _homophones(a) for a, b in zip(word, s[0]))))
        states = nxt[:BEAM]
        if not states:
            return []
    return [(s, n) for s, n in states
            if n == 1 or (n > 1 and all(a == b or b in _homophones(a) for a, b in zip(word, s)))]


def _has_bigram(p, bigram: str) -> bool:
    return p.terms_with_prefix("text_grams", bigram, 1) == [bigram]


def _followers(p, ch: str) -> set[str]:
    """The characters that follow ``ch`` somewhere in the index's texts."""
    return {t[1] for t in p.terms_with_prefix("text_grams", ch, FOLLOWERS) if len(t) == 2}


def replace_word(raw: str, word: str, cand: str) -> str:
    """``raw`` with the typed word (folded ``word``) replaced by ``cand``,
    in place (folding keeps positions, so the typed word is found, and the
    characters not changed keep the script they were typed in)."""
    text = clean(raw)
    out, pos, done = [], 0, False
    for m in _LEX.finditer(text):
        out.append(text[pos:m.start()])
        token = m.group()
        at = fold(token).find(word)
        if not done and at >= 0:
            typed = token[at:at + len(word)]
            if len(cand) == len(word):  # characters left as they were keep the script typed
                cand = "".join(t if fold(t) == c else c for t, c in zip(typed, cand))
            token = token[:at] + cand + token[at + len(word):]
            done = True
        out.append(token)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def warm() -> None:
    """Load pypinyin and build the sound table (a third of a second), so
    the first search that finds nothing does not pay for it."""
    _sound_table()
    _pinyin("扶贫")


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple:
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(text, style=Style.NORMAL))


@lru_cache(maxsize=1)
def _sound_table() -> dict[str, frozenset]:
    """Tone-less pinyin -> the (folded) characters that read so."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, set] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if not IS_CJK.match(ch):
            continue
        for reading in readings.split(","):
            table.setdefault(_toneless(reading), set()).add(fold(ch))
    return {k: frozenset(v) for k, v in table.items()}


_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


def _toneless(reading: str) -> str:
    return re.sub(r"[^a-z]", "", reading.translate(_TONES))


@lru_cache(maxsize=8192)
def _homophones(ch: str) -> frozenset:
    """Characters read like ``ch`` (any of its readings, tones ignored)."""
    from pypinyin import Style, pinyin

    table = _sound_table()
    out: set = set()
    for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
        out |= table.get(reading, frozenset())
    out.discard(ch)
    return frozenset(out)
