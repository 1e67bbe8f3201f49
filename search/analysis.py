"""Text analysis: the one chain that turns text into terms, used at index
time, at query time and for marking matches, so the three cannot drift
apart: ``fold`` the characters, then ``cut_words`` (jieba's words of each
run of Chinese characters, latin words and numbers as they stand) and
``bigrams`` (every pair of adjacent Chinese characters, for literal
matching).  The index's Whoosh analyzers wrap these (``search.store``).

``fold`` maps every character to exactly one character (traditional to
simplified, full-width to half-width, upper to lower case).  Because it keeps
every character's position, offsets found in folded text are offsets in the
original, and snippets can be cut from the original script.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba
from search.datafiles import data_path

jieba.setLogLevel(logging.WARNING)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
IS_CJK = re.compile(f"[{_CJK}]")
# latin words and numbers (a decimal point inside a number kept)
LATIN_WORD = re.compile(r"[a-z0-9]+(?:[.][0-9]+)?")

ANALYSIS_VERSION = 2  # bump when a change here needs a re-index (2: 瞭 彷 覆 ... folded)


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """The per-character fold: OpenCC's TS character table (single
    characters only), the project's variants file, full-width ASCII to
    half-width, ideographic space to space, upper to lower case."""
    import opencc

    table: dict[int, str] = {}
    ts = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in ts.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        if len(src) == 1:
            target = ts_target(src, dst.split())
            if target:
                table[ord(src)] = target
    for line in data_path("variants.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        src, _, dst = line.partition("\t")
        if len(src) == 1 and len(dst.strip()) == 1:
            table[ord(src)] = table.get(ord(dst.strip()), dst.strip())
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code in range(ord("Ａ"), ord("Ｚ") + 1):
        table[code] = chr(code - 0xFEE0 + 32)
    # make the fold idempotent: follow chains (a->b, b->c gives a->c)
    for code, dst in list(table.items()):
        seen = 0
        while ord(dst) in table and seen < 4:
            dst = table[ord(dst)]
            seen += 1
        table[code] = dst
    return table


def ts_target(src: str, targets: list[str]) -> str | None:
    """The character a line of OpenCC's TS table folds ``src`` to: its
    first target, or, where the first target is ``src`` itself (瞭 -> 瞭 了:
    a character simplified text uses too), the first one that differs, so
    瞭解 and 了解 find each other.  None when the table keeps ``src``."""
    return next((t for t in targets if len(t) == 1 and t != src), None)


def fold(text: str) -> str:
    """Fold text for matching; ``len(fold(t)) == len(t)`` always."""
    return text.translate(fold_table())


# --------------------------------------------------------------------------
# Terms.  Offsets found in folded text are offsets in the original (folding
# keeps positions).


@lru_cache(maxsize=1)
def load_segmenter() -> jieba.Tokenizer:
    """jieba's segmenter with its dictionary loaded (about a second, once)."""
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


def segment(run: str) -> list[str]:
    """jieba's words of a run of Chinese characters."""
    return list(load_segmenter().cut(run, HMM=True))


def latin_words(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of the latin words and numbers of folded text."""
    return [(m.group(), m.start(), m.end()) for m in LATIN_WORD.finditer(folded)]


def cut_words(folded: str) -> list[tuple[str, int, int]]:
    """Segment folded text into (word, start, end), in text order: jieba's
    words for each run of Chinese characters, latin words and numbers as
    they stand.  The index's words, the query's and the marks all come
    from here."""
    out = latin_words(folded)
    for m in CJK_RUN.finditer(folded):
        pos = m.start()
        for w in segment(m.group()):
            out.append((w, pos, pos + len(w)))
            pos += len(w)
    out.sort(key=lambda t: t[1])
    return out


def word_terms(text: str) -> list[tuple[str, int]]:
    """(word, position) of the text's words, positions counted in words."""
    return [(w, i) for i, (w, _, _) in enumerate(cut_words(fold(text)))]


def bigrams(folded: str) -> list[tuple[str, int]]:
    """Overlapping character bigrams of every CJK run, with their offsets.
    A CJK run of one character yields that character alone."""
    out: list[tuple[str, int]] = []
    for m in CJK_RUN.finditer(folded):
        run, base = m.group(), m.start()
        if len(run) == 1:
            out.append((run, base))
        for i in range(len(run) - 1):
            out.append((run[i:i + 2], base + i))
    return out


def bigram_terms(text: str) -> list[tuple[str, int]]:
    """(bigram, position) where the position is the bigram's character
    offset, so a literal of n characters occurs at p exactly when its
    bigrams stand at p, p+1, ... p+n-2."""
    return bigrams(fold(text))
