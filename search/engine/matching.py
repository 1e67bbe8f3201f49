"""Which paragraphs a parsed query matches: set algebra on sorted arrays of
document numbers read from the postings.

A Chinese word must occur literally (after folding) in the paragraph's
text or its header (article title and section heading): its bigrams'
postings give candidates, and their positions confirm the literal where
jieba did not keep the whole string as one word.  A latin word or number
must be a word of the text or the header.  Phrases are confirmed on the
stored text.  Each query node says how it combines these
(``search.query.nodes``); this module gives them the sets.

A hit must hold one of the query's positive words in its own text (api.md):
a word may be satisfied by the title or heading, but a paragraph whose text
holds none of them is not a hit (``match``).  A word scoped to a field
(``title:``) is held where it matched.
"""

from __future__ import annotations

import numpy as np

from search.text.analysis import fold, latin_words
from search.engine.docsets import (as_index, difference, distinct, distinct_counts, holds, holds_sorted, intersect,
                                   merge, union)
from search.query.nodes import ANY, HEADING, TEXT, TITLE, Query
from search.engine.snapshot import Snapshot
from search.store import EMPTY_IDS, Postings

MAX_CHAR_TERMS = 2000  # bigrams unioned for a one-character literal


class Matcher:
    """Matching on one snapshot; literals' matches are cached on it."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.postings = snap.postings
        self.cache = snap.literal_cache

    # set operations the query nodes combine their matches with
    holds = staticmethod(holds)

    @staticmethod
    def union(parts: list) -> np.ndarray:
        return union(parts) if parts else EMPTY_IDS

    @staticmethod
    def intersect(parts: list) -> np.ndarray:
        docs = None
        for ids in parts:
            docs = ids if docs is None else intersect(docs, ids)
            if len(docs) == 0:
                break
        return docs if docs is not None else EMPTY_IDS

    def match(self, query: Query) -> np.ndarray:
        """The live paragraphs the query matches (all of them for an empty
        one): every positive clause, one of them held in the paragraph's
        own text (or in the field it was scoped to), no excluded clause."""
        snap = self.snap
        must = query.must
        if not must:
            docs = snap.all_live
        elif len(must) == 1 and must[0].needs_text:  # what it holds in the text is a part of what it matches
            docs = must[0].own(self)
            docs = docs[snap.live[as_index(docs)]]
        else:
            docs = None
            for node in must:
                ids = node.match(self)
                docs = ids if docs is None else intersect(docs, ids)
                if len(docs) == 0:
                    break
            docs = docs[snap.live[as_index(docs)]]
            honest = [node for node in must if node.needs_text]
            if honest and len(docs):
                held = np.zeros(len(docs), dtype=bool)
                for node in honest:
                    held |= holds(node.own(self), docs)
                docs = docs[held]
        for node in query.must_not:
            if len(docs):
                docs = difference(docs, node.match(self))
        return docs.astype(np.int32, copy=False)  # browsing: the snapshot's own (read-only) all_live

    # -- leaves ---------------------------------------------------------------

    def literal_ids(self, text: str, scope: str = ANY) -> np.ndarray:
        """Paragraphs holding the literal ``text`` (folded) in ``scope``."""
        if scope == ANY:
            return self.literal(text)[0]
        if scope == TEXT:
            return self._in_text(text, self.literal)
        return self._in_title_or_heading(text, False, scope)

    def token_ids(self, text: str, scope: str = ANY) -> np.ndarray:
        """Paragraphs holding the latin word or number ``text`` in ``scope``."""
        if scope == ANY:
            return self.token(text)[0]
        if scope == TEXT:
            return self._in_text(text, self.token)
        return self._in_title_or_heading(text, True, scope)

    def _in_text(self, text: str, matches) -> np.ndarray:
        """Of a leaf's matches (text or header), those its text holds (frequency above 0)."""
        if matches == self.literal:  # a literal's text matches are kept apart: no header to merge and drop
            return self.text_literal(text)[0]
        key = ("text", matches.__name__, text)
        hit = self.cache.get(key)
        if hit is None:
            ids, tf = matches(text)
            hit = ids[tf > 0]
            self.cache.put(key, hit)
        return hit

    def literal(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Paragraphs whose text or header holds ``text`` (folded), with how
        often the text holds it (0 where only the header does)."""
        hit = self.cache.get(text)
        if hit is None:
            ids, tf = self.text_literal(text)
            hit = _with_header_only(ids, tf, self.in_headers(text))
            self.cache.put(text, hit)
        return hit

    def text_literal(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Paragraphs whose text holds ``text`` (folded), and how often."""
        key = ("text literal", text)
        hit = self.cache.get(key)
        if hit is None:
            hit = literal_in(self.postings, "text_grams", "text", text)
            self.cache.put(key, hit)
        return hit

    def scoring(self, leaf) -> tuple[int, np.ndarray, np.ndarray]:
        """What BM25 reads of a leaf: how many paragraphs its text or
        header holds, and the paragraphs its text holds with how often
        (a paragraph that holds it in the header only has a text frequency
        of 0, as in ``literal``).  For a literal, the text's matches and
        the header's are counted, not merged: a programme's name stands in
        the titles of 57,000 paragraphs (联播, 快讯), and merging those with
        the text's matches cost a first search 1-2 ms a word."""
        if leaf.is_token:
            ids, tf = self.token(leaf.text)
            return len(ids), ids, tf
        text = leaf.text
        hit = self.cache.get(text)
        if hit is not None:
            return len(hit[0]), hit[0], hit[1]
        ids, tf = self.text_literal(text)
        key = ("either", text)
        n = self.cache.get(key)
        if n is None:
            header = self.in_headers(text)
            n = np.array([len(ids) + len(header) - int(np.count_nonzero(holds(ids, header)))])
            self.cache.put(key, n)
        return int(n[0]), ids, tf

    def literal_candidates(self, text: str) -> tuple[np.ndarray, bool]:
        """Paragraphs that may hold ``text`` in their text or header, and
        whether all of them do: a literal of three or more characters whose
        matches are not cached is the intersection of its bigrams' lists
        (cached), its positions unchecked; any other, its matches."""
        if len(text) < 3 or self.cache.get(text) is not None:
            return self.literal(text)[0], True
        key = ("candidates", text)
        hit = self.cache.get(key)
        if hit is None:
            hit = union(self._field_candidates(text))
            self.cache.put(key, hit)
        return hit, False

    def literal_inside(self, text: str, docs: np.ndarray) -> tuple[np.ndarray, bool]:
        """For each of ``docs``, whether it is among ``literal_candidates``,
        and whether all of those hold ``text``: each field's candidates
        looked up apart (``candidates_among``), not their union made first
        (a bitmap of the archive: ~0.2 ms of a first search of 高质量发展)."""
        if len(text) < 3 or self.cache.get(text) is not None:
            return holds(self.literal(text)[0], docs), True
        whole = self.cache.get(("candidates", text))
        if whole is not None:
            return holds(whole, docs), False
        inside = None
        for g in ("text_grams", "header_grams"):
            found = self.candidates_among(g, text, docs)
            inside = found if inside is None else inside | found
        return inside, False

    def _field_candidates(self, text: str) -> list[np.ndarray]:
        """``candidates`` of ``text`` in the text's bigrams and in the
        header's, each cached (``literal_holds`` checks each field's alone)."""
        parts = []
        for g in ("text_grams", "header_grams"):
            key = ("candidates", g, text)
            part = self.cache.get(key)
            if part is None:
                part = candidates(self.postings, g, text)
                self.cache.put(key, part)
            parts.append(part)
        return parts

    def candidates_among(self, grams: str, text: str, docs: np.ndarray) -> np.ndarray:
        """For each of ``docs``, whether the ``grams`` field holds every
        bigram of ``text`` (three characters or more): from the field's
        candidates where cached; else, where ``docs`` are fewer than the
        rarest bigram's paragraphs, each bigram's list looked up for those
        of ``docs`` still in (rarest first), not the lists intersected
        over the archive (高质量发展 in 广东: 322 paragraphs asked about,
        4 lists of 6,000-64,000 a field); else those candidates, made and
        cached."""
        key = ("candidates", grams, text)
        cand = self.cache.get(key)
        if cand is None:
            p = self.postings
            bigrams = sorted(dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1)),
                             key=lambda b: p.doc_freq(grams, b))
            if len(docs) < p.doc_freq(grams, bigrams[0]):
                at = np.arange(len(docs))
                for b in bigrams:
                    at = at[holds(p.ids(grams, b), docs[at])]
                    if len(at) == 0:
                        break
                out = np.zeros(len(docs), dtype=bool)
                out[at] = True
                return out
            cand = candidates(p, grams, text)
            self.cache.put(key, cand)
        return holds(cand, docs)

    def literal_holds(self, text: str, docs: np.ndarray) -> np.ndarray:
        """For each of ``docs`` (sorted), whether its text or header holds
        ``text`` (three characters or more): from the positions of its
        bigrams in those docs only, unless its matches are cached."""
        hit = self.cache.get(text)
        if hit is not None:
            return holds(hit[0], docs)
        docs64 = docs.astype(np.int64)
        out = np.zeros(len(docs), dtype=bool)
        for g in ("text_grams", "header_grams"):  # the header where the text does not hold it
            # only where the field holds every bigram of it (``candidates_among``)
            ask = ~out & self.candidates_among(g, text, docs)
            at = docs64[ask]
            if len(at):
                out[ask] = holds(distinct(literal_starts(self.postings, g, text, at) >> 32), at)
        return out

    def token(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Paragraphs holding a latin word or number in the text or header."""
        ids, tf = self.postings.ids_tf("text", text)
        return _with_header_only(ids, tf, self.postings.ids("header", text))

    def in_headers(self, text: str) -> np.ndarray:
        """Paragraphs whose header (article title or section heading) holds ``text``."""
        key = ("header", text)
        hit = self.cache.get(key)
        if hit is None:
            hit = literal_in(self.postings, "header_grams", "header", text)[0]
            self.cache.put(key, hit)
        return hit

    def in_header(self, leaf, docs: np.ndarray) -> np.ndarray:
        """1.0 for each of ``docs`` whose header holds the leaf, else 0."""
        ids = self.postings.ids("header", leaf.text) if leaf.is_token else self.in_headers(leaf.text)
        return holds(ids, docs).astype(np.float32)

    # -- fields ---------------------------------------------------------------

    def _in_title_or_heading(self, text: str, token: bool, scope: str) -> np.ndarray:
        """Paragraphs whose article title (``scope`` TITLE) or section
        heading (HEADING) holds the leaf.  The index holds the two joined
        (the header, ``title heading``): of the paragraphs whose header
        holds it, the title is looked at once per article; a heading under
        a title that holds it too is confirmed by the leaf's positions in
        the header (past the title) or, for a latin word or one character,
        on the stored heading."""
        key = (scope, token, text)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        snap = self.snap
        cand = self.postings.ids("header", text) if token else self.in_headers(text)
        cand = cand[snap.live[cand]]
        heads = snap.article_of(cand)
        uniq = distinct(heads)
        good = uniq[np.fromiter((_has(snap.title(h), text, token) for h in uniq.tolist()), bool, len(uniq))]
        in_title = holds(good, heads)
        if scope == TITLE:
            hit = cand[in_title]
        else:
            both = cand[in_title]
            if len(both) and not token and len(text) >= 2:
                keys = literal_starts(self.postings, "header_grams", text, both.astype(np.int64))
                at, start = keys >> 32, keys & 0xFFFFFFFF
                begins = np.array([len(snap.title(h)) + 1 if snap.title(h) else 0
                                   for h in snap.article_of(at).tolist()], dtype=np.int64)
                both = distinct(at[start >= begins]).astype(cand.dtype)
            elif len(both):
                both = both[[_has(fold(snap.stored(d).heading or ""), text, token) for d in both.tolist()]]
            hit = union([cand[~in_title], both])
        self.cache.put(key, hit)
        return hit

    def article_field_ids(self, attr: str, value: str) -> np.ndarray:
        """The live paragraphs of the articles whose ``attr`` (source,
        issuer, doc_number; folded, spaces dropped) holds ``value``."""
        key = ("article", attr, value)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.snap.articles_where(attr, lambda v: bool(value) and value in v)
            self.cache.put(key, hit)
        return hit

    def confirm(self, docs: np.ndarray, scope: str, test) -> np.ndarray:
        """The live ``docs`` where ``test(folded)`` holds for a field of ``scope``
        (the text, the header: title and heading joined, or one of them):
        read from the stored paragraphs."""
        docs = docs[self.snap.live[docs]]

        def fields(rec):
            if scope == ANY:
                return (rec.text, " ".join(x for x in (rec.title, rec.heading) if x))
            return ({TEXT: rec.text, TITLE: rec.title, HEADING: rec.heading}[scope] or "",)

        keep = [d for d in docs.tolist() if any(test(fold(t)) for t in fields(self.snap.stored(d)))]
        return np.asarray(keep, dtype=np.int32)


def _has(folded: str, text: str, token: bool) -> bool:
    """Whether ``folded`` holds the leaf: a latin word as a word, else as characters."""
    return any(w == text for w, _, _ in latin_words(folded)) if token else text in folded


def literal_in(p: Postings, grams: str, words: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Documents whose ``grams`` field holds ``text`` literally, and how
    often; ``words`` is the word field of the same text."""
    n = len(text)
    if n == 1:
        # A lone character: where jieba made it a word, or where a bigram
        # starts with it (the end of a run of characters is not covered:
        # the literal guarantee is for two characters or more).
        terms = p.terms_with_prefix(grams, text, MAX_CHAR_TERMS)
        parts = [p.ids(grams, t) for t in terms] + [p.ids(words, text)]
        ids = union(parts)
        return ids, np.ones(len(ids), dtype=np.float32)
    if n == 2:
        return p.ids_tf(grams, text)
    # The candidates are the documents holding the bigrams of the cheapest
    # cover (``cover``), not every bigram: a document that holds the literal
    # holds them all, and the positions of the cover confirm it.  The common
    # bigrams a long literal's cover leaves out (经济, 工作 of 中央经济工作会议)
    # are neither decoded nor intersected.
    offsets = cover(p, grams, text)
    if not offsets:  # a bigram the field lacks: nothing holds the literal
        return EMPTY_IDS, np.zeros(0, dtype=np.float32)
    cand = p.ids(grams, text[offsets[0]:offsets[0] + 2])
    for k in offsets[1:]:
        if len(cand) == 0:
            break
        cand = intersect(cand, p.ids(grams, text[k:k + 2]))
    if len(cand) == 0:
        return EMPTY_IDS, np.zeros(0, dtype=np.float32)
    # documents where jieba made the whole string one word need no check
    # (the word stands in the text: every bigram of it does)
    word_ids, word_tf = p.ids_tf(words, text)
    sure = holds(word_ids, cand)
    tf = np.ones(len(cand), dtype=np.float32)
    if len(word_ids):  # the word's counts of those, in order: a search of each cost ~40 ns (高质量's 8,500: 0.33 ms)
        tf[sure] = word_tf[holds(cand, word_ids)]
    unsure = ~sure
    check = cand[unsure]
    if len(check) == 0:
        return cand, tf
    found_docs, counts = distinct_counts(literal_starts(p, grams, text, check, offsets) >> 32)
    found = holds(found_docs, check)
    keep = sure.copy()
    keep[unsure] = found
    tf[unsure.nonzero()[0][found]] = counts
    return cand[keep], tf[keep]


COVER_STEP = 10_000  # a bigram's cost in a cover: what looking it up costs, in postings decoded


def cover(p: Postings, grams: str, text: str) -> list[int]:
    """The offsets of the bigrams of ``text`` (two characters or more)
    whose positions confirm it at least cost, rarest first: every character
    covered by one of them (the first and the last bigram always; between
    them no two chosen more than two apart), each costing its documents
    plus ``COVER_STEP`` (a lookup's own cost).  [] where the field lacks a
    bigram of it."""
    n = len(text) - 1  # bigrams
    df = [p.doc_freq(grams, text[k:k + 2]) for k in range(n)]
    if min(df) == 0:
        return []
    # best[k]: the cheapest cover of characters 0..k+1 whose last bigram is k
    best, prev = [0] * n, [-1] * n
    for k in range(n):
        w = df[k] + COVER_STEP
        if k == 0:
            best[k] = w
            continue
        j = k - 1 if k < 2 or best[k - 1] <= best[k - 2] else k - 2
        best[k], prev[k] = best[j] + w, j
    out, k = [], n - 1
    while k >= 0:
        out.append(k)
        k = prev[k]
    # a bigram repeated in the text is looked up at each of its offsets
    return sorted(out, key=lambda k: (df[k], k))


def candidates(p: Postings, grams: str, text: str) -> np.ndarray:
    """Documents whose ``grams`` field holds every bigram of ``text`` (two
    characters or more), rarest first: the middle bigrams of a compound are
    often far rarer than its parts."""
    lists = sorted((p.ids(grams, g) for g in dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1))),
                   key=len)
    cand = lists[0]
    for ids in lists[1:]:
        if len(cand) == 0:
            break
        cand = intersect(cand, ids)
    return cand


def literal_starts(p: Postings, grams: str, text: str, docs: np.ndarray, offsets: list[int] | None = None) -> np.ndarray:
    """Where in ``docs`` (sorted) the ``grams`` field holds ``text`` (two
    characters or more), every occurrence, as sorted int64 keys
    ``doc << 32 | offset``: the offsets where the bigram at each k-th
    character of the text (those of its ``cover``, rarest first) stands at
    offset + k.  The rarest bigram's positions in ``docs`` give the
    offsets; each other bigram's keys, decoded whole where kept, are
    looked up at offset + k (a binary search a key: the keys of 发展 are not
    read for the documents asked about and intersected), else read for the
    documents still in."""
    if offsets is None:
        offsets = cover(p, grams, text)
        if not offsets:
            return np.zeros(0, np.int64)
    keys = None
    for off in offsets:
        bigram = text[off:off + 2]
        if keys is None:
            k = p.position_keys(grams, bigram, docs)
            keys = k[(k & 0xFFFFFFFF) >= off] - off
        else:
            docs = distinct(keys >> 32)  # the documents still in
            whole = p.term_positions(grams, bigram, len(docs))
            k = whole if whole is not None else p.read_keys(grams, bigram, docs)
            keys = keys[holds_sorted(k, keys + off)]
        if len(keys) == 0:
            break
    return keys


def _with_header_only(ids, tf, header_ids) -> tuple[np.ndarray, np.ndarray]:
    """Text matches (docnums, term frequency) joined by the documents that
    match by their header only, with a text frequency of 0."""
    return merge(ids, tf, difference(header_ids, ids), 0.0)
