"""How matching paragraphs are ordered.

Relevance is BM25 over the query's words (the match set's own document
frequency for literals), with a word standing in the paragraph's header
(article title or section heading) counted above its text, words found
only through a synonym below the word typed, and, for the best
candidates, a bonus for the query's words standing close together and for
the whole query standing as typed.  Above all that stands the verbatim
tier (``verbatim_tier``): a paragraph holding a typed word as typed (in
either script) ranks above one holding only its pieces apart, or only a
synonym of it, whatever their scores.  Browsing (no query) and the date
sorts order by date.  Ties always fall back to index order, so pages never
overlap.
"""

from __future__ import annotations

import math

import numpy as np

from search.text.analysis import CJK_RUN, fold
from search.engine.highlight import leaf_spans
from search.engine.docsets import distinct, holds, lookup, union
from search.engine.matching import Matcher, literal_starts
from search.query.parse import AllOf, AnyOf, Literal, Phrase, Query, Token
from search.engine.results import SearchRequest

K1, B = 1.2, 0.75
HEADER_WEIGHT = 0.6  # share of a word's idf earned by standing in the title/heading
SYNONYM_WEIGHT = 0.6  # a word found through a synonym, against the word typed
RERANK = 60  # best candidates re-scored for proximity
PROXIMITY_BONUS = 0.5  # at most, for the query's words side by side
WHOLE_BONUS = 0.5  # for the whole query standing in the text as typed


def rank(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest) -> tuple[list[int], list[float]]:
    """The docnums and scores of the requested page of ``docs``."""
    first = (req.page - 1) * req.size
    if first >= len(docs):
        return [], []
    ids, scores = ranked(m, query, docs, req, first + req.size)
    return ids[first:].tolist(), scores[first:].tolist()


def ranked(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest,
           last: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``last`` best of ``docs`` in order, as arrays of docnums and
    scores: a page's hits are its tail; the export asks for all of them
    once (``last`` = ``len(docs)``) rather than page after page, each of
    which would rank everything before it again."""
    if len(docs) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    snap = m.snap
    leaves = query.positive_leaves()
    if not leaves:  # browsing: by date, from an order made once per snapshot
        ordered = snap.date_order(req.sort == "date_asc")
        if len(docs) < len(ordered):
            wanted = np.zeros(len(snap.live), dtype=bool)
            wanted[docs] = True
            ordered = ordered[wanted[ordered]]
        chosen = ordered[:last]
        return chosen, np.zeros(len(chosen))
    scores = bm25(m, query, docs)
    if req.sort in ("date_desc", "date_asc"):
        day = snap.day[docs].astype(np.int64)
        undated = day == 0
        key_day = np.where(undated, 0, day if req.sort == "date_asc" else -day)
        # undated last, then by date, then by score, then in index order
        order = np.lexsort((docs, -scores, key_day, undated))
        chosen = order[:last]
        return docs[chosen], scores[chosen].astype(np.float64)
    # order by (verbatim tier, score): the tier in steps larger than any
    # score, even one the re-ranking raised
    step = (1 + PROXIMITY_BONUS + WHOLE_BONUS) * float(scores.max(initial=0.0)) + 1.0
    want = max(last, RERANK)
    tier, key = ranking_keys(m, query, docs, scores, step, want)
    if want < len(docs):  # every document tied with the last one wanted, so pages never overlap
        cutoff = np.partition(-key, want - 1)[want - 1]
        top = np.flatnonzero(-key <= cutoff)
    else:
        top = np.arange(len(docs))
    top = top[np.lexsort((docs[top], -key[top]))][:want]
    head = top[:RERANK]
    boosted = rerank(m, query, leaves, docs[head], scores[head])
    best = sorted(zip(boosted, head.tolist()), key=lambda t: (-(tier[t[1]] * step + t[0]), int(docs[t[1]])))
    rest = top[RERANK:]
    ids = np.concatenate([docs[np.array([i for _, i in best], dtype=np.int64)], docs[rest]])
    out = np.concatenate([np.array([float(b) for b, _ in best], dtype=np.float64),
                          scores[rest].astype(np.float64)])
    return ids[:last], out[:last]


def verbatim_tier(m: Matcher, query: Query, docs: np.ndarray) -> np.ndarray:
    """For each of ``docs`` (sorted), how many of the query's words stand
    in it as typed (text, title or heading; either script).  Only words the
    parser could match otherwise count: a word the segmenter cut
    (创业担保贷款 -> 创业 担保 贷款), which also matches its pieces apart,
    and a word widened by synonyms, which also matches a synonym alone; a
    word matched only as typed (扶贫, a "quoted phrase") is held by every
    match and changes no order.  Ranking sorts by this tier first, so the
    typed string comes first, other things equal or not; proximity and BM25
    order within it."""
    tier = np.zeros(len(docs), dtype=np.int64)
    for node in tier_nodes(query):
        tier += typed_holds(m, node, docs)
    return tier


def tier_nodes(query: Query) -> list:
    return [n for n in query.must if isinstance(n, AnyOf) or (isinstance(n, AllOf) and n.whole)]


def ranking_keys(m: Matcher, query: Query, docs: np.ndarray, scores: np.ndarray, step: float,
                 want: int) -> tuple[np.ndarray, np.ndarray]:
    """(tier, tier * step + score) of each of ``docs``: exact for every
    document that can be among the ``want`` best, an upper bound for the
    rest, all below those.  A typed word of three or more characters is
    confirmed (its bigrams' positions) only where needed: its candidates
    (its bigrams together) count as holding it, and the best of them by that
    bound are checked a batch at a time until no unchecked one can reach the
    ``want``-th best exact key.  A broad word's first search checks a few
    hundred paragraphs, not all that hold its bigrams (就業扶貧: 560,000 at
    1M; its first search 456 -> 162 ms, 扶贫车间 甘肃 127 -> 101 ms); the
    answer is what ``verbatim_tier`` over all would give (tests/test_ranking.py
    compares them)."""
    score = scores.astype(np.float64)
    nodes = tier_nodes(query)
    tier = np.zeros(len(docs), dtype=np.int64)
    unsure = []  # (node, which docs are its unconfirmed candidates)
    for node in nodes:
        ids, sure = typed_candidates(m, node)
        inside = holds(ids, docs)
        tier += inside
        if not sure and inside.any():
            unsure.append((node, inside))
    key = tier * step + score
    if not unsure:
        return tier, key
    rest = np.flatnonzero(np.logical_or.reduce([inside for _, inside in unsure]))  # keys still bounds
    sure_keys = np.delete(key, rest)
    best = _top(sure_keys, want)  # the want best exact keys so far
    batch = max(want, 64)
    while len(rest):
        bounds = key[rest]
        if len(best) >= want and bounds.max() < best.min():
            break
        if len(rest) > batch:
            part = np.argpartition(-bounds, batch - 1)
            idx, rest = np.sort(rest[part[:batch]]), rest[part[batch:]]
        else:
            idx, rest = np.sort(rest), rest[:0]
        for node, inside in unsure:
            at = idx[inside[idx]]
            if len(at):
                tier[at[~typed_holds(m, node, docs[at])]] -= 1
        key[idx] = tier[idx] * step + score[idx]
        best = _top(np.concatenate([best, key[idx]]), want)
    return tier, key


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` largest of ``values`` (all of them if fewer), in no order."""
    if len(values) <= n:
        return values
    return np.partition(values, len(values) - n)[len(values) - n:]


def typed_candidates(m: Matcher, node) -> tuple[np.ndarray, bool]:
    """The paragraphs that may hold ``node`` as typed (a cut word whole, the
    typed word of a synonym group, any alternative of an OR), and whether
    all of them do."""
    if isinstance(node, Literal):
        return m.literal_candidates(node.text)
    if isinstance(node, Token):
        return m.token(node.text)[0], True
    if isinstance(node, AllOf) and node.whole:
        return m.literal_candidates(node.whole)
    if isinstance(node, AnyOf):
        if node.expanded:
            return typed_candidates(m, node.options[0])
        parts = [typed_candidates(m, n) for n in node.options]
        return union([ids for ids, _ in parts]), all(sure for _, sure in parts)
    return m.eval(node), True  # a phrase, or a run of latin and Chinese: matched only as typed


def typed_holds(m: Matcher, node, docs: np.ndarray) -> np.ndarray:
    """For each of ``docs`` (sorted), whether it holds ``node`` as typed."""
    if isinstance(node, Literal):
        return m.literal_holds(node.text, docs)
    if isinstance(node, AllOf) and node.whole:
        return m.literal_holds(node.whole, docs)
    if isinstance(node, AnyOf):
        if node.expanded:
            return typed_holds(m, node.options[0], docs)
        out = np.zeros(len(docs), dtype=bool)
        for option in node.options:
            out |= typed_holds(m, option, docs)
        return out
    return holds(typed_candidates(m, node)[0], docs)


def bm25(m: Matcher, query: Query, docs: np.ndarray) -> np.ndarray:
    """BM25 of the required parts of the query, summed."""
    snap = m.snap
    norm = K1 * (1 - B + B * snap.text_len[docs] / snap.avg_len)
    scores = np.zeros(len(docs), dtype=np.float32)
    for node in query.must:
        scores += _score(m, node, docs, norm)
    return scores


def _score(m: Matcher, node, docs: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """A word scores BM25 over its matches, plus a share of its idf where
    the header holds it; alternatives score their best, and words found
    only through a synonym count less than the word typed."""
    if isinstance(node, AnyOf):
        best = None
        for i, option in enumerate(node.options):
            s = _score(m, option, docs, norm)
            if node.expanded and i:
                s *= SYNONYM_WEIGHT
            best = s if best is None else np.maximum(best, s)
        return best
    if isinstance(node, (AllOf, Phrase)):
        return sum((_score(m, n, docs, norm) for n in node.parts), np.zeros(len(docs), dtype=np.float32))
    ids, tf = m.literal(node.text) if isinstance(node, Literal) else m.token(node.text)
    if len(ids) == 0:
        return np.zeros(len(docs), dtype=np.float32)
    n = max(m.snap.n_live, 1)
    df = min(len(ids), n)  # posting lists still hold deleted paragraphs until their segment is merged
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    f = lookup(ids, tf, docs)
    return idf * f * (K1 + 1) / (f + norm) + HEADER_WEIGHT * idf * m.in_header(node, docs)


def rerank(m: Matcher, query: Query, leaves, docs, scores) -> list[float]:
    """Scores of the best candidates raised by how close the query's words
    stand in the text, and by the whole query standing there as typed.
    Where the words and the whole query are Chinese literals, where they
    stand comes from the text's bigram positions; else from the stored
    text, folded."""
    if len(leaves) < 2:  # no proximity, and no whole query to find
        return [float(s) for s in scores.tolist()]
    whole = "".join(fold(query.raw).split())
    units = proximity_groups(query)
    located = _located(units, leaves)
    found = _by_position(m, located, whole, docs)
    out = []
    for d, s in zip(docs.tolist(), scores.tolist()):
        if found is not None:
            per_leaf, has_whole = found(d)
        else:
            folded = fold(m.snap.stored(d).text)
            per_leaf = [leaf_spans(folded, leaf) for leaf in located]
            has_whole = bool(whole) and whole in folded
        spans_of = dict(zip(located, per_leaf))
        bonus = PROXIMITY_BONUS * spans_proximity([unit_spans(u, spans_of) for u in units])
        if has_whole:
            bonus += WHOLE_BONUS
        out.append(float(s) * (1 + bonus))
    return out


def proximity_groups(query: Query) -> list:
    """The units whose closeness counts: each required word of the query
    (each piece, where jieba cut a typed word into several); a word with
    synonyms is one unit that any of its forms fills."""
    out: list = []
    for node in query.must:
        out += list(node.parts) if isinstance(node, (AllOf, Phrase)) else [node]
    return out


def _located(units: list, leaves: list) -> list:
    """What must be found in a text to place ``units``: the query's leaves,
    and the whole of each word jieba cut (its pieces count where it does
    not stand whole)."""
    out = list(leaves)
    def walk(node):
        if isinstance(node, AllOf) and node.whole and Literal(node.whole) not in out:
            out.append(Literal(node.whole))
        for child in getattr(node, "options", ()) + getattr(node, "parts", ()):
            walk(child)
    for u in units:
        walk(u)
    return out


def unit_spans(node, spans_of: dict) -> list[tuple[int, int]]:
    """Where one unit of ``proximity_groups`` stands, from ``spans_of``
    (leaf -> its spans): any form of a word with synonyms; a cut word
    whole where it stands whole, else its pieces."""
    if isinstance(node, AnyOf):
        return sorted(sp for option in node.options for sp in unit_spans(option, spans_of))
    if isinstance(node, AllOf):
        whole = spans_of.get(Literal(node.whole), []) if node.whole else []
        return whole or sorted(sp for part in node.parts for sp in unit_spans(part, spans_of))
    if isinstance(node, Phrase):
        return sorted(sp for part in node.parts for sp in unit_spans(part, spans_of))
    return spans_of.get(node, [])


def _is_chinese(text: str) -> bool:
    return len(text) >= 2 and CJK_RUN.fullmatch(text) is not None


def _by_position(m: Matcher, leaves, whole: str, docs: np.ndarray):
    """A function doc -> (each leaf's spans, whether the whole query
    stands there), the spans from the text's bigram positions; None where
    a leaf is not a Chinese literal (a latin word, one character), which
    positions cannot place."""
    if not all(isinstance(leaf, Literal) and _is_chinese(leaf.text) for leaf in leaves):
        return None
    docs = np.sort(docs.astype(np.int64))
    starts = [_starts_by_doc(literal_starts(m.postings, "text_grams", leaf.text, docs)) for leaf in leaves]
    with_whole = _holding_whole(m, whole, docs)

    def found(d: int):
        per_leaf = [_spans(st.get(d, ()), len(leaf.text)) for st, leaf in zip(starts, leaves)]
        return per_leaf, d in with_whole
    return found


def _holding_whole(m: Matcher, whole: str, docs: np.ndarray) -> set[int]:
    """Which of ``docs`` (sorted) hold the whole query as typed: from
    positions where it is Chinese; else the stored text of those that hold
    each of its runs of Chinese characters."""
    if not whole:
        return set()
    if _is_chinese(whole):
        return set((literal_starts(m.postings, "text_grams", whole, docs) >> 32).tolist())
    for run in CJK_RUN.findall(whole):
        if len(run) >= 2 and len(docs):
            docs = distinct(literal_starts(m.postings, "text_grams", run, docs) >> 32)
    return {d for d in docs.tolist() if whole in fold(m.snap.stored(d).text)}


def _starts_by_doc(keys: np.ndarray) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for k in keys.tolist():
        out.setdefault(k >> 32, []).append(k & 0xFFFFFFFF)
    return out


def _spans(starts, n: int) -> list[tuple[int, int]]:
    """Occurrences that do not overlap, first first (as ``str.find`` finds them)."""
    out, end = [], -1
    for s in starts:
        if s >= end:
            out.append((s, s + n))
            end = s + n
    return out


def proximity(folded: str, leaves: list) -> float:
    """1.0 when the query's words stand side by side, towards 0 as they
    scatter: their total length over the smallest window holding them all."""
    return spans_proximity([leaf_spans(folded, leaf) for leaf in leaves])


def spans_proximity(per_leaf: list) -> float:
    """``proximity`` of each leaf's spans (sorted, not overlapping)."""
    if len(per_leaf) < 2 or any(not s for s in per_leaf):
        return 0.0
    events = sorted((s, e, k) for k, spans in enumerate(per_leaf) for s, e in spans)
    need, have, best, lo = len(per_leaf), {}, None, 0
    for i, (_, e, k) in enumerate(events):
        have[k] = have.get(k, 0) + 1
        while len(have) == need:
            ls, _, lk = events[lo]
            window = max(ev[1] for ev in events[lo:i + 1]) - ls
            best = window if best is None else min(best, window)
            have[lk] -= 1
            if not have[lk]:
                del have[lk]
            lo += 1
    total = sum(min(e - s for s, e in spans) for spans in per_leaf)
    return min(1.0, total / best) if best else 0.0
