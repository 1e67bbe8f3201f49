"""Words that keep company with a search (相关词): the words most
over-represented in its hits against the whole archive, as Elasticsearch's
significant_terms and Sketch Engine's keywords give them.

A word's weight is Dunning's log-likelihood ratio (G²) of the paragraphs
holding it: among the hits against among the rest of the archive.  Counts
are of paragraphs, not occurrences, so one long list does not outweigh many
reports.  The words are the index's own (jieba words of the folded text, two
or more characters, not numbers, not in ``search/data/stopwords.txt``); the
query's own words are left out, since they hold by definition.

The hits' words are read from their text, so a search with many hits reads
an evenly spaced sample of them (``SAMPLE``) and scales its counts to the
whole; the answer says how many were read.  The archive's counts come from
the index (each word's posting count, deletions not subtracted until a
merge drops them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from search.datafiles import data_path
from search.text.analysis import IS_CJK, fold, han_words

SAMPLE = 1000  # hits read at most
LIMIT = 30
MIN_HITS = 2  # a word in one paragraph of the hits is an accident, not company


@dataclass
class Term:
    word: str
    hits: int  # paragraphs of the hits holding it (scaled from the sample where one was read)
    archive: int  # paragraphs of the archive holding it
    score: float  # G²


@dataclass
class Terms:
    terms: list[Term]
    hits: int  # paragraphs the search found
    read: int  # of them, how many were read for their words


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The words never offered (``search/data/stopwords.txt``, folded)."""
    with open(data_path("stopwords.txt"), encoding="utf-8") as f:
        return frozenset(fold(w) for line in f for w in line.split("#", 1)[0].split())


def _is_word(w: str) -> bool:
    return len(w) >= 2 and bool(IS_CJK.search(w)) and w not in stopwords()


def sample(docs: np.ndarray, n: int = SAMPLE) -> np.ndarray:
    """At most ``n`` of ``docs``, evenly spaced (the same every time)."""
    if len(docs) <= n:
        return docs
    return docs[np.linspace(0, len(docs) - 1, n).astype(np.int64)]


def significant(texts: list[str], total_hits: int, archive_size: int, doc_freqs, exclude: set[str],
                limit: int = LIMIT) -> list[Term]:
    """The ``limit`` words of ``texts`` (read from ``total_hits`` hits) most
    over-represented against an archive of ``archive_size`` paragraphs, in
    which ``doc_freqs(words)[i]`` paragraphs hold ``words[i]``."""
    read = len(texts)
    if not read or archive_size <= total_hits:
        return []
    held = Counter()
    for text in texts:
        held.update(set(han_words(fold(text))))
    words = [w for w, n in held.items() if n >= MIN_HITS and w not in exclude and _is_word(w)]
    if not words:
        return []
    a = np.array([held[w] for w in words], dtype=np.float64) * (total_hits / read)  # hits holding it
    df = np.asarray(doc_freqs(words), dtype=np.float64)
    rest_size = archive_size - total_hits
    b = np.maximum(df - a, 0.0)  # the rest of the archive holding it
    over = np.flatnonzero(a / total_hits > b / rest_size)
    scores = g2_many(a[over], total_hits, b[over], rest_size).tolist()
    best = sorted(zip((-s for s in scores), (words[i] for i in over.tolist()), over.tolist()))[:limit]
    return [Term(w, round(a[i]), max(int(df[i]), round(a[i])), -s) for s, w, i in best]


def g2_many(a: np.ndarray, n1: int, b: np.ndarray, n2: int) -> np.ndarray:
    """Dunning's log-likelihood ratio of ``a[i]`` of ``n1`` against ``b[i]``
    of ``n2`` for each word ``i`` (a two-by-two table of paragraphs holding
    the word or not: observed against expected, each cell)."""
    total = n1 + n2
    holding = a + b
    s = np.zeros(len(a))
    for o, e in ((a, n1 * holding / total), (n1 - a, n1 * (total - holding) / total),
                 (b, n2 * holding / total), (n2 - b, n2 * (total - holding) / total)):
        ok = (o > 0) & (e > 0)
        s[ok] += o[ok] * np.log(o[ok] / e[ok])
    return 2.0 * s


def g2(a: float, n1: int, b: float, n2: int) -> float:
    """``g2_many`` of one word."""
    return float(g2_many(np.array([a], dtype=np.float64), n1, np.array([b], dtype=np.float64), n2)[0])
