"""One story does not fill the first page: a step after ranking.

Ranked by relevance, the first page holds at most ``PER_ARTICLE``
paragraphs of one article, as web search engines collapse a site's results;
the paragraphs held back follow the first page, in rank order, so the
pages together still list every hit once (and an export, which lists the
pages one after another, the same).  Each article on the first page says how
many more of its paragraphs match (``Hit.more_in_article``), and the page
links them.  Totals and facet counts are not touched: they count every hit.

Which paragraphs of an article stay: its best one, then the next in rank
order, except that a paragraph restating the article's title (a lead
that repeats the headline, which the page shows above every hit: 习近平给
大学生村官张广秀复信… over …复信，对全国大学生村官提出殷切期望。复信全文如下。)
gives its place to the article's next hit that does not, when there is one
among the first ``WINDOW`` pages: the page already says what it says.  And
a text printed in several articles (a reprint, ``search/engine/reprints.py``)
takes one place: its hit says how many other articles print it.

This is not ranking (``ranking.py`` orders the hits; this only decides
which of the best fill the first page), so ranking rules stay comparable
with and without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

PER_ARTICLE = 2  # the default; Searcher(per_article=None) lists the rank order itself
WINDOW = 4  # first ranked window, in pages: enough unless a few articles hold most of the best hits
RESTATES = 0.9  # share of the title's character pairs a paragraph holds to restate it
TITLE_PAIRS = 4  # a title of fewer pairs (简讯, 国内联播快讯) says too little to be restated

Ranked = tuple[list[int], list[float]]


def article_of(heads_by_docnum: np.ndarray, docnums) -> np.ndarray:
    """The first paragraph (head) of the article of each docnum: an
    article's paragraphs follow its head in index order."""
    docnums = np.asarray(docnums, dtype=np.int64)
    return heads_by_docnum[np.searchsorted(heads_by_docnum, docnums, side="right") - 1]


_COLUMN = re.compile(r"【[^】]*】")  # a column's name before the headline (【新春走基层】)
_RUN = re.compile(r"[^\W_]+")  # letters, digits, Chinese: pairs do not cross punctuation or spaces


def pairs(text: str) -> set[str]:
    """The pairs of adjacent characters of ``text`` (folded), not across punctuation or spaces."""
    return {run[i:i + 2] for run in _RUN.findall(text) for i in range(len(run) - 1)}


def restates(title: str, text: str) -> bool:
    """Whether a paragraph's ``text`` restates its article's ``title``
    (both folded): it holds RESTATES of the title's character pairs (the
    column's name in 【】 left out), and the title has TITLE_PAIRS or more."""
    return holds_pairs(title_pairs(title), text)


def title_pairs(title: str) -> set[str]:
    """What ``restates`` looks for of a folded title: its character pairs,
    the column's name left out (worked out once for an article's hits)."""
    return pairs(_COLUMN.sub(" ", title))


def holds_pairs(wanted: set[str], text: str) -> bool:
    """``restates``, given the title's ``title_pairs``."""
    if len(wanted) < TITLE_PAIRS:
        return False
    # a pair of the title is two letters, digits or Chinese characters: where
    # the text holds them side by side they stand in one of its runs, so
    # looking each up in the text counts what ``pairs(text)`` would hold of
    # them, without making that set (a long text's: ~0.1 ms, a few a search)
    return sum(p in text for p in wanted) >= RESTATES * len(wanted)


def passed_over(heads: np.ndarray, order: list[int], per_article: int,
                restating: Callable[[int], bool]) -> set[int]:
    """Positions in a ranked list whose paragraph gives its place on the
    first page to a later one of its article: among an article's hits after
    its best, those that restate its title (``restating(docnum)``) when more
    than ``per_article`` are listed and some later one does not."""
    by_article: dict[int, list[int]] = {}
    for i, h in enumerate(heads.tolist()):
        by_article.setdefault(h, []).append(i)
    out: set[int] = set()
    for at in by_article.values():
        if len(at) <= per_article:
            continue
        rest = at[1:]
        said = [i for i in rest if restating(order[i])]
        if said and len(said) < len(rest):
            others = [i for i in rest if i not in said]
            keep = set((others + said)[:per_article - 1])
            out.update(i for i in said if i not in keep)
    return out


def first_page(heads: np.ndarray, size: int, per_article: int, passed: set[int] = frozenset(),
               groups: list[int] | None = None) -> list[int]:
    """Positions in a ranked list (given as each hit's article) that fill
    the first page: the best hits, at most ``per_article`` of one article,
    none of ``passed`` (``passed_over``), and with ``groups`` (each hit's
    reprint group, -1 for none) one hit of a text printed in several
    articles; fewer than ``size`` when the list runs out of articles."""
    taken: dict[int, int] = {}
    shown: set[int] = set()
    chosen: list[int] = []
    for i, h in enumerate(heads.tolist()):
        g = groups[i] if groups is not None else -1
        if taken.get(h, 0) < per_article and i not in passed and (g < 0 or g not in shown):
            shown.add(g)
            taken[h] = taken.get(h, 0) + 1
            chosen.append(i)
            if len(chosen) == size:
                break
    return chosen


def window(top: Callable[[int], Ranked], n_hits: int, heads_by_docnum: np.ndarray, size: int, per_article: int,
           start: int, end: int, restating: Callable[[int], bool] | None = None,
           reprinted: np.ndarray | None = None, heads_of=None) -> tuple[list[int], list[float], int]:
    """Hits ``start`` to ``end`` of the order the pages list (pages of
    ``size``, the first one holding at most ``per_article`` paragraphs of
    one article), with ``reach``: from there on that order is the rank
    order itself.  ``top(n)`` gives the ``n`` best hits in rank order;
    ``restating(docnum)``, whether a paragraph restates its article's title
    (``passed_over``; None: none does); ``reprinted``, each docnum's reprint
    group (``Reprints.group``; None: no text is shown once only);
    ``heads_of(docnums)``: ``article_of`` where the caller has it cheaper
    (``Snapshot.heads_of``)."""
    n = min(n_hits, max(end, WINDOW * size))
    while True:
        order, scores = top(n)
        heads = heads_of(order) if heads_of is not None else article_of(heads_by_docnum, order)
        passed = passed_over(heads, order, per_article, restating) if restating else set()
        groups = reprinted[np.asarray(order, dtype=np.int64)].tolist() if reprinted is not None else None
        chosen = first_page(heads, size, per_article, passed, groups)
        if len(chosen) == size or n >= n_hits:
            break
        n = min(n_hits, n * WINDOW)
    # the first page's picks, then the hits they passed over, then the rest
    # (when the articles ran out before the page was full, the hits held
    # back fill it)
    reach = chosen[-1] + 1 if len(chosen) == size else len(order)
    picked = set(chosen)
    sequence = chosen + [i for i in range(reach) if i not in picked] + list(range(reach, len(order)))
    mine = sequence[start:end]
    return [order[i] for i in mine], [scores[i] for i in mine], reach


def page(top: Callable[[int], Ranked], n_hits: int, heads_by_docnum: np.ndarray, page_no: int, size: int,
         per_article: int, restating: Callable[[int], bool] | None = None,
         reprinted: np.ndarray | None = None, heads_of=None) -> Ranked:
    """The docnums and scores of page ``page_no`` (of ``size``)."""
    order, scores, _ = window(top, n_hits, heads_by_docnum, size, per_article, (page_no - 1) * size, page_no * size,
                              restating, reprinted, heads_of)
    return order, scores


def head(top: Callable[[int], Ranked], n_hits: int, heads_by_docnum: np.ndarray, size: int, per_article: int,
         chunk: int, restating: Callable[[int], bool] | None = None,
         reprinted: np.ndarray | None = None) -> tuple[list[int], list[float], int]:
    """The first hits in the order the pages list them, in whole chunks
    of ``chunk``: enough chunks to cover every hit the capped first page
    moved, after which the rank order itself goes on (the export ranks the
    rest ``chunk`` at a time).  Returns the hits, their scores and the
    number of chunks."""
    order, scores, reach = window(top, n_hits, heads_by_docnum, size, per_article, 0, chunk, restating, reprinted)
    chunks = max(1, -(-reach // chunk))
    if chunks > 1:
        order, scores, _ = window(top, n_hits, heads_by_docnum, size, per_article, 0, chunks * chunk, restating,
                                  reprinted)
    return order, scores, chunks


def article_bounds(heads_by_docnum: np.ndarray, docnums) -> tuple[np.ndarray, np.ndarray]:
    """For ``docnums``, their articles' first paragraphs and where the next
    article starts (the last one: never), by a binary search of the heads."""
    heads = article_of(heads_by_docnum, docnums)
    # an article ends where the next one starts (the last one: never); not
    # np.append, which copied every head of the archive for each search
    nxt = np.searchsorted(heads_by_docnum, heads, side="right")
    last = len(heads_by_docnum) - 1
    ends = np.where(nxt <= last, heads_by_docnum[np.minimum(nxt, last)].astype(np.int64), np.iinfo(np.int64).max)
    return heads, ends


def more_in_article(heads_by_docnum: np.ndarray, docs: np.ndarray, shown: list[int], bounds=None) -> list[int]:
    """For each of ``shown`` (docnums, in page order), how many hits of its
    article (``docs``, sorted) are not on the page, given on the article's
    last hit on the page (0 elsewhere).  ``bounds(shown)``: each one's
    article's first paragraph and where the next article starts, where
    the caller has them cheaper (``Snapshot.article_bounds``)."""
    if not shown:
        return []
    heads, ends = bounds(shown) if bounds is not None else article_bounds(heads_by_docnum, shown)
    in_article = docs.searchsorted(ends) - docs.searchsorted(heads)  # methods: the function adds ~1.5 us a call
    out = [0] * len(shown)
    on_page: dict[int, int] = {}
    last: dict[int, int] = {}
    for i, h in enumerate(heads.tolist()):
        on_page[h] = on_page.get(h, 0) + 1
        last[h] = i
    for h, i in last.items():
        out[i] = int(in_article[i]) - on_page[h]
    return out
