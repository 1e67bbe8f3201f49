"""Reprints (转载): paragraphs printed in several articles.  Paragraphs of
two or more articles whose normalized texts are the same (equal text keys,
``search/text/fingerprint.py``, made at indexing) form a group; the groups
of a snapshot are made from its column the first time they are asked for,
and kept.
"""

from __future__ import annotations

import numpy as np


class Reprints:
    """The reprint groups of one snapshot."""

    def __init__(self, key: np.ndarray, article: np.ndarray, live: np.ndarray, day: np.ndarray):
        n = len(key)
        docs = np.flatnonzero(live & (key != 0))
        # a group is named by its smallest document: the first of its run of equal keys
        root = np.arange(n, dtype=np.int64)
        if len(docs):
            order = np.lexsort((docs, key[docs]))
            k, d = key[docs][order], docs[order]
            starts = np.r_[True, k[1:] != k[:-1]]
            root[d] = d[np.flatnonzero(starts)][np.cumsum(starts) - 1]
        # a group counts only where it spans two articles or more
        group = np.full(n, -1, dtype=np.int64)
        if len(docs):
            r = root[docs]
            order = np.lexsort((article[docs], r))
            rs, arts = r[order], article[docs][order]
            first = np.r_[True, rs[1:] != rs[:-1]]
            new_art = first | (arts != np.r_[arts[:1], arts[:-1]])
            n_articles = np.add.reduceat(new_art.astype(np.int64), np.flatnonzero(first))
            spans = np.repeat(n_articles, np.diff(np.r_[np.flatnonzero(first), len(rs)]))
            keep = docs[order][spans > 1]
            group[keep] = root[keep]
        self.group = group
        self.article = article
        self.day = day
        members = np.flatnonzero(group >= 0)
        by_group = np.lexsort((members, group[members]))
        self._members, self._member_groups = members[by_group], group[members][by_group]
        self._by_group = None  # each group's name and its number of articles, made when ``counts`` is first asked

    def collapse(self, docs: np.ndarray) -> np.ndarray:
        """``docs`` (sorted) with each group's paragraphs but one left out:
        the earliest published (undated last), then the first indexed."""
        g = self.group[docs]
        grouped = g >= 0
        if not grouped.any():
            return docs
        members = docs[grouped]
        day = self.day[members].astype(np.int64)
        order = np.lexsort((members, np.where(day == 0, np.iinfo(np.int64).max, day), g[grouped]))
        gs = g[grouped][order]
        first = np.r_[True, gs[1:] != gs[:-1]]
        keep = np.zeros(len(docs), dtype=bool)
        keep[~grouped] = True
        keep[np.flatnonzero(grouped)[order[first]]] = True
        return docs[keep]

    def others(self, docnum: int) -> np.ndarray:
        """The paragraphs of the other articles in ``docnum``'s group, sorted."""
        g = self.group[docnum]
        if g < 0:
            return np.empty(0, dtype=np.int64)
        lo, hi = np.searchsorted(self._member_groups, [g, g + 1])
        members = self._members[lo:hi]
        return members[self.article[members] != self.article[docnum]]

    def count(self, docnum: int) -> int:
        """How many other articles print ``docnum``'s text."""
        return int(len(np.unique(self.article[self.others(docnum)])))

    def counts(self, docnums: np.ndarray) -> np.ndarray:
        """``count`` of each of ``docnums`` at once (the export asks it of
        every hit: one ``np.unique`` a hit was a tenth of a CSV row's time):
        the articles of a paragraph's group, less its own, which is one of
        them (every paragraph of a group is one of its members)."""
        docnums = np.asarray(docnums, dtype=np.int64)
        if self._by_group is None:
            groups, arts = self._member_groups, self.article[self._members]
            order = np.lexsort((arts, groups))
            gs, arts = groups[order], arts[order]
            first = np.r_[True, gs[1:] != gs[:-1]] if len(gs) else np.empty(0, dtype=bool)
            new = first | (arts != np.r_[arts[:1], arts[:-1]])
            starts = np.flatnonzero(first)
            n = np.add.reduceat(new.astype(np.int64), starts) if len(starts) else np.empty(0, dtype=np.int64)
            self._by_group = gs[starts], n
        names, n = self._by_group
        g = self.group[docnums]
        out = np.zeros(len(docnums), dtype=np.int64)
        grouped = g >= 0
        if grouped.any():
            out[grouped] = n[np.searchsorted(names, g[grouped])] - 1
        return out
