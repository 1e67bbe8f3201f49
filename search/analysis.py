"""Text analysis: one chain of Whoosh tokenizers and filters, used at index
time and at query time alike, so the two can never drift apart.

``fold`` maps every character to exactly one character (traditional to
simplified, full-width to half-width, upper to lower case).  Because it keeps
every character's position, offsets found in folded text are offsets in the
original, and snippets can be cut from the original script.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer

jieba.setLogLevel(logging.WARNING)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
IS_CJK = re.compile(f"[{_CJK}]")
# what the word tokenizer keeps: CJK runs, latin words, numbers (with . and %)
_WORDISH = re.compile(f"[{_CJK}]+|[a-z0-9]+(?:[.][0-9]+)?")

ANALYSIS_VERSION = 1  # bump when a change here needs a re-index


def _data_path(name: str) -> Path:
    return Path(str(resources.files("search") / "data" / name))


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """The per-character fold: OpenCC's TS character table (first choice,
    single characters only), the project's variants file, full-width ASCII to
    half-width, ideographic space to space, upper to lower case."""
    import opencc

    table: dict[int, str] = {}
    ts = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in ts.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        dst = dst.split(" ")[0] if dst else ""
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table[ord(src)] = dst
    for line in _data_path("variants.tsv").read_text(encoding="utf-8").splitlines():
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


def fold(text: str) -> str:
    """Fold text for matching; ``len(fold(t)) == len(t)`` always."""
    return text.translate(fold_table())


def is_cjk(ch: str) -> bool:
    return bool(IS_CJK.match(ch))


# --------------------------------------------------------------------------
# Whoosh tokenizers.  Each yields tokens whose startchar/endchar are offsets
# in the original text (folding keeps positions).


@lru_cache(maxsize=1)
def _jieba():
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


def cut_words(folded: str) -> list[tuple[str, int, int]]:
    """Segment folded text into (word, start, end): jieba for CJK runs,
    latin words and numbers as they stand."""
    out: list[tuple[str, int, int]] = []
    tk = _jieba()
    for m in _WORDISH.finditer(folded):
        run, base = m.group(), m.start()
        if IS_CJK.match(run):
            pos = base
            for w in tk.cut(run, HMM=True):
                out.append((w, pos, pos + len(w)))
                pos += len(w)
        else:
            out.append((run, base, m.end()))
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


class Analyzed(str):
    """(term, position) pairs a tokenizer already made, e.g. in a worker
    process at indexing time; the tokenizer passes them through as they are.
    (A ``str`` so that Whoosh hands it to the analyzer: Whoosh indexes a
    plain list itself, word by word.)"""

    pairs: list

    def __new__(cls, pairs):
        self = super().__new__(cls, "")
        self.pairs = list(pairs)
        return self

    def __reduce__(self):
        return (Analyzed, (self.pairs,))


class TermTokenizer(Tokenizer):
    """A Whoosh tokenizer over a function text -> [(term, position)]."""

    def __init__(self, terms):
        self.terms = terms

    def __eq__(self, other):
        return type(other) is type(self) and other.terms is self.terms

    def analyzed(self, text: str) -> Analyzed:
        return Analyzed(self.terms(text))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pairs = value.pairs if isinstance(value, Analyzed) else self.terms(value)
        for term, pos in pairs:
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            yield t


def word_analyzer() -> TermTokenizer:
    """jieba words of the folded text (latin words and numbers kept whole)."""
    return TermTokenizer(word_terms)


def bigram_analyzer() -> TermTokenizer:
    """CJK character bigrams of the folded text, at their offsets."""
    return TermTokenizer(bigram_terms)
