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
import os
import re
import struct
import tempfile
from array import array
from functools import lru_cache
from hashlib import blake2b
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


FOLD_BY_ARRAY = 64  # characters: a longer text is folded through a lookup array (``_fold_array``)
_FOLDED: dict[str, str] = {}  # the last paragraphs folded: text -> folded
FOLDED_KEPT, FOLDED_MAX_CHARS = 512, 4096
_kept = [FOLDED_KEPT, FOLDED_KEPT * FOLDED_MAX_CHARS, 0]  # texts and characters kept at most; characters kept


def fold(text: str) -> str:
    """Fold text for matching; ``len(fold(t)) == len(t)`` always.  Indexing
    folds each paragraph's text some eight times (its cleaning rules,
    measures, places, years, words, bigrams, fingerprint): the last
    paragraphs' folds are kept (a dict emptied when full; only short texts,
    so a whole large file is never held twice)."""
    out = _FOLDED.get(text)
    if out is None:
        out = _fold_long(text) if len(text) >= FOLD_BY_ARRAY else text.translate(fold_table())
        if len(text) <= FOLDED_MAX_CHARS:
            _keep(text, out)
    return out


def _keep(text: str, folded: str) -> None:
    if len(_FOLDED) >= _kept[0] or _kept[2] >= _kept[1]:
        _FOLDED.clear()
        _kept[2] = 0
    _FOLDED[text] = folded
    _kept[2] += len(text)


class keeping_folds:
    """Within it, the folds of up to ``chars`` characters of text are kept
    (the texts themselves are the callers', held anyway), starting empty:
    indexing reads, cleans and labels all of a file's (or part's) articles
    before it cuts their words, so the folds of the whole file are kept for
    the cut.  Outside, the last FOLDED_KEPT texts."""

    def __init__(self, chars: int):
        self.chars = chars

    def __enter__(self):
        self.before = _kept[:2]
        _kept[:2] = [self.chars, self.chars]
        forget_folds()
        return self

    def __exit__(self, *exc):
        _kept[:2] = self.before
        forget_folds()


def forget_folds() -> None:
    _FOLDED.clear()
    _kept[2] = 0


def fold_many(texts: list[str]) -> list[str]:
    """``fold`` of each of ``texts``, in one pass over them joined (ranking
    folds its best candidates' texts together: one array lookup, not thirty
    with their fixed costs): folding maps each character alone, so the fold
    of the joined texts is the joined folds.  Each is kept as ``fold`` keeps
    it (the hits fold the best of them again)."""
    if len(texts) < 2:
        return [fold(t) for t in texts]
    joined = "".join(texts)
    whole = _fold_long(joined) if len(joined) >= FOLD_BY_ARRAY else joined.translate(fold_table())
    out, at = [], 0
    for text in texts:
        folded = whole[at:at + len(text)]
        at += len(text)
        out.append(folded)
        if len(text) <= FOLDED_MAX_CHARS:
            _keep(text, folded)
    return out


@lru_cache(maxsize=1)
def _fold_array():
    """``fold_table`` as an array code point -> code point, up to its
    highest key (0x2B726: ~700 kB)."""
    import numpy as np

    table = fold_table()
    out = np.arange(max(table) + 1, dtype=np.uint32)
    out[np.fromiter(table.keys(), dtype=np.int64, count=len(table))] = np.fromiter(
        (ord(dst) for dst in table.values()), dtype=np.uint32, count=len(table))
    return out


def _fold_long(text: str) -> str:
    """``fold`` of a paragraph by one array lookup of its code points:
    a quarter of ``str.translate``'s time, which looks each character up
    in a dict (ranking folds the texts of a search's best candidates;
    indexing folds every paragraph)."""
    import numpy as np

    table = _fold_array()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.max() >= len(table):  # a character beyond the table (an emoji): keep it
        return text.translate(fold_table())
    return table[codes].tobytes().decode("utf-32-le", "surrogatepass")


# --------------------------------------------------------------------------
# Terms.  Offsets found in folded text are offsets in the original (folding
# keeps positions).


@lru_cache(maxsize=1)
def load_segmenter() -> jieba.Tokenizer:
    """jieba's segmenter with its dictionary loaded, once.  jieba keeps its
    dictionary (~500,000 words and prefixes) in a ``marshal`` cache that
    takes 0.7-1.0 s to read; the same dictionary in ``_DictCache``'s form
    takes ~0.15 s, which every server start and every command pays."""
    tk = jieba.Tokenizer()
    cache = _DictCache(tk.dictionary or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME))
    loaded = cache.load()
    if loaded is not None:
        tk.FREQ, tk.total = loaded
        tk.initialized = True
    else:
        tk.initialize()
        cache.save(tk.FREQ, tk.total)
    return tk


class _DictCache:
    """jieba's prefix dictionary as words joined by newlines and their
    frequencies as one array: read back with one split and one ``dict(zip)``
    (no code runs from it, unlike a pickle).  It lives beside jieba's own
    cache, named for this user, jieba's version and the dictionary file's
    path, size and time; a file that is not ours or does not read is
    ignored (and rewritten)."""

    MAGIC = b"ZHJIEBA1"

    def __init__(self, dict_path: str):
        st = os.stat(dict_path)
        key = f"{jieba.__version__}|{os.path.abspath(dict_path)}|{st.st_size}|{st.st_mtime_ns}"
        name = f"zhsearch-jieba-{os.getuid()}-{blake2b(key.encode(), digest_size=8).hexdigest()}.cache"
        self.path = os.path.join(tempfile.gettempdir(), name)

    def load(self) -> tuple[dict, int] | None:
        try:
            with open(self.path, "rb") as f:
                if os.fstat(f.fileno()).st_uid != os.getuid():
                    return None
                raw = f.read()
            if raw[:8] != self.MAGIC:
                return None
            total, n, nbytes = struct.unpack_from("<QQQ", raw, 8)
            words = raw[32:32 + nbytes].decode("utf-8").split("\n")
            freqs = memoryview(raw)[32 + nbytes:].cast("I").tolist()
            if len(words) != n or len(freqs) != n:
                return None
            return dict(zip(words, freqs)), total
        except (OSError, ValueError, TypeError, struct.error):
            return None

    def save(self, freq: dict, total: int) -> None:
        words = "\n".join(freq).encode("utf-8")
        if len(freq) != words.count(b"\n") + 1 or max(freq.values(), default=0) >= 1 << 32:
            return  # a word holding a newline, or a count over 32 bits: jieba's own cache will do
        counts = array("I", freq.values())
        if counts.itemsize != 4:
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path))
            with os.fdopen(fd, "wb") as f:
                f.write(self.MAGIC + struct.pack("<QQQ", total, len(freq), len(words)) + words)
                f.write(counts.tobytes())
            os.replace(tmp, self.path)
        except OSError:
            pass


# The characters jieba's cutter treats as Chinese (its ``re_han_default``);
# a run holding any other (CJK extension A, compatibility ideographs...) is
# cut by jieba itself, which takes those one character at a time.
_OUTSIDE_JIEBA_HAN = re.compile(r"[^\u4e00-\u9fd5]")


@lru_cache(maxsize=1)
def _fast_cut():
    """jieba-rs's cut (``rjieba``): jieba's algorithm (the same dictionary,
    DAG, route and HMM) in Rust, about 20 times faster than jieba's Python;
    None where it is not installed.  tests/test_analysis.py holds it to
    jieba's words on the seeds, on the real archive and on generated runs."""
    if os.environ.get("ZHSEARCH_SEGMENTER") == "jieba":
        return None
    try:
        import rjieba
    except ImportError:
        return None
    return rjieba.cut


def segment(run: str) -> list[str]:
    """jieba's words of a run of Chinese characters."""
    fast = _fast_cut()
    if fast is not None and not _OUTSIDE_JIEBA_HAN.search(run):
        return fast(run, True)
    return jieba_segment(run)


def jieba_segment(run: str) -> list[str]:
    """jieba's own words of a run: the reference and the fallback."""
    return list(load_segmenter().cut(run, HMM=True))


_NOT_JIEBA_HAN = re.compile(r"[^\u4e00-\u9fd5]+")


def han_words(folded: str) -> list[str]:
    """The Chinese words of two characters or more that ``cut_words``
    gives for folded text, in order, without offsets: what related words
    count, in a thousand paragraphs a request.  With rjieba, one call a
    text: every character jieba does not take as Chinese becomes a space,
    so rjieba cuts the blocks jieba cuts (a character outside jieba's
    range, which jieba makes a word of one, is left out)."""
    fast = _fast_cut()
    if fast is None:
        return [w for run in CJK_RUN.findall(folded) for w in segment(run) if len(w) >= 2]
    return [w for w in fast(_NOT_JIEBA_HAN.sub(" ", folded), True) if len(w) >= 2]


def latin_words(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of the latin words and numbers of folded text."""
    return [(m.group(), m.start(), m.end()) for m in LATIN_WORD.finditer(folded)]


def cut_words(folded: str) -> list[tuple[str, int, int]]:
    """Segment folded text into (word, start, end), in text order: jieba's
    words for each run of Chinese characters, latin words and numbers as
    they stand.  The index's words, the query's and the marks all come
    from here."""
    out = latin_words(folded)
    latin = bool(out)
    for m in CJK_RUN.finditer(folded):
        pos = m.start()
        for w in segment(m.group()):
            out.append((w, pos, pos + len(w)))
            pos += len(w)
    if latin:  # the Chinese words alone come in text order
        out.sort(key=lambda t: t[1])
    return out


def word_terms(text: str) -> list[tuple[str, int]]:
    """(word, position) of the text's words, positions counted in words."""
    return [(w, i) for i, (w, _, _) in enumerate(cut_words(fold(text)))]


# The characters of CJK_RUN that jieba's cutter does not take as Chinese:
# where a text holds one, ``index_words`` cuts it run by run (``segment``).
_OTHER_CJK = re.compile(r"[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff]")


def index_words(text: str) -> list[str]:
    """The words of ``word_terms``, without positions and not in text order
    (the latin words first): what the index's word fields, which keep no
    positions, hold.  With rjieba, one call a text, as ``han_words`` cuts
    (every character jieba does not take as Chinese a space): a third of the
    time of cutting run by run and giving each word its offset."""
    folded = fold(text)
    fast = _fast_cut()
    if fast is None or _OTHER_CJK.search(folded):
        return [w for w, _, _ in cut_words(folded)]
    return LATIN_WORD.findall(folded) + [w for w in fast(_NOT_JIEBA_HAN.sub(" ", folded), True) if w != " "]


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


def bigram_lists(text: str) -> tuple[list[str], list[int]]:
    """``bigram_terms`` as two lists, the bigrams and their positions (what
    the index's bigram fields take: no pair made and taken apart again)."""
    terms: list[str] = []
    poss: list[int] = []
    append = terms.append
    for m in CJK_RUN.finditer(fold(text)):
        run, base = m.group(), m.start()
        n = len(run)
        if n == 1:
            append(run)
            poss.append(base)
            continue
        for i in range(n - 1):
            append(run[i:i + 2])
        poss += range(base, base + n - 1)
    return terms, poss
