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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date, timedelta

import numpy as np

from search.text.analysis import CJK_RUN, fold
from search.engine.highlight import leaf_spans
from search.engine.docsets import distinct, holds, lookup
from search.engine.matching import Matcher, literal_starts
from search.query.nodes import Query
from search.engine.results import SearchRequest

K1, B = 1.2, 0.75
HEADER_WEIGHT = 0.6  # share of a word's idf earned by standing in the title/heading
SYNONYM_WEIGHT = 0.6  # a word found through a synonym, against the word typed
RERANK = 60  # best candidates re-scored for proximity
PROXIMITY_BONUS = 0.5  # at most, for the query's words side by side
WHOLE_BONUS = 0.5  # for the whole query standing in the text as typed
NEWER_BONUS = 0.1  # at most, for the newest article (the rule is off unless enabled)


# ---------------------------------------------------------------------------
# The rules, in order (as Meilisearch's ranking rules).  Stages:
#   bucket  an integer per hit; hits sort by it first, in the list's order
#   score   an additive score (BM25: the words, their header and synonym shares)
#   boost   a fraction the score is multiplied by (1 + the fractions) for the
#           best RERANK candidates of a relevance sort
#   tie     what decides between equal hits: index order, so pages never overlap
# A boost rule gives ``bonus(features)`` of a candidate (``Features``) and
# ``max_bonus``, which keeps every bucket above any score.  Adding a rule
# is one entry here (and, for a new kind of evidence, one ``Features`` field).


@dataclass
class Rule:
    name: str
    stage: str
    why: str  # what the rule rewards, shown with its value (Chinese: the page shows it)
    enabled: bool = True
    max_bonus: float = 0.0
    bonus: Callable | None = None  # boost rules: Features -> a fraction of the score added
    values: Callable | None = None  # bucket rules but verbatim: (m, query, sorted docs) -> small integers


@dataclass
class Features:
    """What the boost rules read of one candidate."""

    proximity: float  # 1.0 when the query's words stand side by side, towards 0 as they scatter
    whole: bool  # the whole query stands in the text as typed
    day: int  # days since 1970 + 1 (0: undated)
    days: tuple  # the archive's (first, last) day, for recency

    @property
    def recency(self) -> float:
        lo, hi = self.days
        return 0.0 if not self.day or hi <= lo else (self.day - lo) / (hi - lo)


RULES = [
    # a typed word standing as typed: a cut word whole, a widened word as typed
    Rule("verbatim", "bucket", "按原样出现的词"),
    # the words' frequency and rarity; a word in the title or heading earns
    # HEADER_WEIGHT of its idf, one found only through a synonym SYNONYM_WEIGHT
    Rule("bm25", "score", "词频与稀有度"),
    Rule("proximity", "boost", "搜索词在正文中彼此靠近", max_bonus=PROXIMITY_BONUS,
         bonus=lambda f: PROXIMITY_BONUS * f.proximity),
    Rule("whole_query", "boost", "整个查询按输入原样出现在正文", max_bonus=WHOLE_BONUS,
         bonus=lambda f: WHOLE_BONUS if f.whole else 0.0),
    Rule("newer", "boost", "文章较新", enabled=False, max_bonus=NEWER_BONUS,
         bonus=lambda f: NEWER_BONUS * f.recency),
    Rule("index_order", "tie", "其余相同时按收录顺序"),
]


RULES_BY_NAME = {r.name: r for r in RULES}


def enabled(stage: str) -> list[Rule]:
    return [r for r in RULES if r.enabled and r.stage == stage]


def rank(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest,
         explain: bool = False) -> tuple[list[int], list[float], list[list[dict]]]:
    """The docnums and scores of the requested page of ``docs``, and with
    ``explain`` each one's rules in order ({"rule", "value", "why"}; else [])."""
    return _rank(m, query, docs, req, explain)


def ranked_arrays(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
    """``rank``'s docnums and scores of the requested page as two arrays
    (int32, float64; browsing: a view of the date order, and zeros that
    take no memory), not a Python object a hit: the export ranks every hit
    at once with it (a million hits: 12 MB, where lists take ~100)."""
    return _rank(m, query, docs, req, False, arrays=True)[:2]


def _rank(m: Matcher, query: Query, docs: np.ndarray, req: SearchRequest, explain: bool, arrays: bool = False):
    snap = m.snap
    first = (req.page - 1) * req.size
    last = first + req.size
    if first >= len(docs):
        return (np.zeros(0, np.int32), np.zeros(0), []) if arrays else ([], [], [])
    leaves = query.positive_leaves()
    if not leaves:  # browsing: by date, from an order made once per snapshot
        ordered = snap.in_date_order(docs, req.sort == "date_asc", last)
        if arrays:
            chosen = ordered[first:last]
            return chosen, np.broadcast_to(np.float64(0.0), chosen.shape), []
        chosen = ordered[first:last].tolist()
        why = [[_by_date(snap, d, req.sort == "date_asc"), _tie(d)] for d in chosen] if explain else []
        return chosen, [0.0] * len(chosen), why
    scores = bm25(m, query, docs)
    if req.sort in ("date_desc", "date_asc"):
        day = snap.day[docs].astype(np.int64)
        undated = day == 0
        key_day = np.where(undated, 0, day if req.sort == "date_asc" else -day)
        # undated last, then by date; articles of one date by their best
        # paragraph's score, and an article's paragraphs in reading order
        # (an article's paragraphs are consecutive documents)
        art = snap.article_no[docs]
        first_of, at = np.unique(art, return_inverse=True)
        best = np.full(len(first_of), -np.inf)
        np.maximum.at(best, at, scores)
        order = np.lexsort((docs, art, -best[at], key_day, undated))
        chosen = order[first:last]
        if arrays:
            return docs[chosen], scores[chosen].astype(np.float64), []
        why = [[_by_date(snap, int(docs[i]), req.sort == "date_asc"), _bm25_detail(m, query, int(docs[i])),
                _tie(int(docs[i]))] for i in chosen.tolist()] if explain else []
        return docs[chosen].tolist(), scores[chosen].tolist(), why
    # order by (buckets, score): the buckets in steps larger than any score,
    # even one the boost rules raised
    step = (1 + sum(r.max_bonus for r in enabled("boost"))) * float(scores.max(initial=0.0)) + 1.0
    want = max(last, RERANK)
    buckets = enabled("bucket")
    if [r.name for r in buckets] == ["verbatim"]:  # confirmed lazily: only where it can reach the page
        tier, key = ranking_keys(m, query, docs, scores, step, want)
    else:
        tier = bucket_values(m, query, docs, buckets)
        key = tier * step + scores.astype(np.float64)
    if want < len(docs):  # every document tied with the last one wanted, so pages never overlap
        cutoff = np.partition(-key, want - 1)[want - 1]
        top = np.flatnonzero(-key <= cutoff)
    else:
        top = np.arange(len(docs))
    top = top[np.lexsort((docs[top], -key[top]))][:want]
    head = top[:RERANK]
    bonuses = boost_bonuses(m, query, leaves, docs[head])
    boosted = [float(s) * (1 + sum(b.values())) for s, b in zip(scores[head].tolist(), bonuses)]
    ranked = sorted(zip(boosted, head.tolist(), bonuses),
                    key=lambda t: (-(tier[t[1]] * step + t[0]), int(docs[t[1]])))
    if arrays:  # the re-ranked head, then the rest in key order, as arrays
        at = np.concatenate([np.array([i for _, i, _ in ranked], dtype=np.int64), top[RERANK:]])[first:last]
        score = np.concatenate([np.array([s for s, _, _ in ranked], dtype=np.float64),
                                scores[top[RERANK:]].astype(np.float64)])[first:last]
        return docs[at], score, []
    ranked += [(float(scores[i]), i, None) for i in top[RERANK:].tolist()]
    ranked = ranked[first:last]
    why = []
    if explain:
        exact = bucket_values(m, query, np.sort(docs[[i for _, i, _ in ranked]]), buckets, detail=True)
        for s, i, b in ranked:
            d = int(docs[i])
            why.append(exact[d] + [_bm25_detail(m, query, d)] + _boost_detail(b) + [_tie(d)])
    return [int(docs[i]) for _, i, _ in ranked], [s for s, _, _ in ranked], why


def bucket_values(m: Matcher, query: Query, docs: np.ndarray, buckets: list[Rule], detail: bool = False):
    """Each of ``docs``' (sorted) buckets, exactly, as one integer that
    sorts as the rules in their order (mixed radix); with ``detail``, a
    dict docnum -> each rule's explanation."""
    values = []
    for r in buckets:
        if r.name == "verbatim":
            held = [(str(n), n.typed_holds(m, docs)) for n in tier_nodes(query)]
            v = np.sum([h for _, h in held], axis=0).astype(np.int64) if held else np.zeros(len(docs), np.int64)
            values.append((r, v, held))
        else:
            v = np.asarray(r.values(m, query, docs), dtype=np.int64)
            values.append((r, v, []))
    if detail:
        out = {}
        for k, d in enumerate(docs.tolist()):
            out[d] = [{"rule": r.name, "value": int(v[k]),
                       "why": r.why + ":" + ("、".join(w.replace('"', "") for w, h in held if h[k]) or "无")}
                      for r, v, held in values]
        return out
    total = np.zeros(len(docs), dtype=np.int64)
    for _, v, _ in values:
        total = total * (int(v.max(initial=0)) + 1) + v
    return total


def _bm25_detail(m: Matcher, query: Query, d: int) -> dict:
    """The BM25 rule of one hit: its score, each clause's share, and the
    part earned by the title or heading."""
    one = np.array([d], dtype=np.int32)
    snap = m.snap
    norm = K1 * (1 - B + B * snap.text_len[one] / snap.avg_len)
    r, text_only = Scorer(m), Scorer(m, header=False)
    parts = [(str(n), float(n.score(r, one, norm)[0])) for n in query.must]
    header = sum(parts_ for _, parts_ in parts) - float(sum(n.score(text_only, one, norm)[0] for n in query.must))
    why = RULES_BY_NAME["bm25"].why + ":" + " · ".join(f"{w.replace(chr(34), '')} {v:.3f}" for w, v in parts if v)
    if header > 1e-6:
        why += f";其中标题/小标题 {header:.3f}"
    return {"rule": "bm25", "value": round(float(bm25(m, query, one)[0]), 4), "why": why}


def _boost_detail(bonuses: dict | None) -> list[dict]:
    out = []
    for r in enabled("boost"):
        if bonuses is None:
            out.append({"rule": r.name, "value": 0.0, "why": f"{r.why}:排在前 {RERANK} 名之外,未计算"})
        else:
            b = bonuses.get(r.name, 0.0)
            out.append({"rule": r.name, "value": round(b, 4), "why": f"{r.why}:分数 ×{1 + b:.3f}" if b else f"{r.why}:否"})
    return out


def _tie(d: int) -> dict:
    return {"rule": "index_order", "value": d, "why": RULES_BY_NAME["index_order"].why}


def _by_date(snap, d: int, oldest_first: bool) -> dict:
    day = int(snap.day[d])
    when = (Date(1970, 1, 1) + timedelta(days=day - 1)).isoformat() if day else None
    return {"rule": "date_asc" if oldest_first else "date_desc", "value": when,
            "why": ("按日期从早到晚" if oldest_first else "按日期从新到旧") + ",无日期的排在最后"}


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
        tier += node.typed_holds(m, docs)
    return tier


def tier_nodes(query: Query) -> list:
    return [n for n in query.must if n.tiered]


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
        ids, sure = node.typed_candidates(m)
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
                tier[at[~node.typed_holds(m, docs[at])]] -= 1
        key[idx] = tier[idx] * step + score[idx]
        best = _top(np.concatenate([best, key[idx]]), want)
    return tier, key


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` largest of ``values`` (all of them if fewer), in no order."""
    if len(values) <= n:
        return values
    return np.partition(values, len(values) - n)[len(values) - n:]


def bm25(m: Matcher, query: Query, docs: np.ndarray) -> np.ndarray:
    """BM25 of the required parts of the query, summed."""
    snap = m.snap
    norm = K1 * (1 - B + B * snap.text_len[docs] / snap.avg_len)
    scores = np.zeros(len(docs), dtype=np.float32)
    r = Scorer(m)
    for node in query.must:
        scores += node.score(r, docs, norm)
    return scores


class Scorer:
    """What the query's nodes score with (``Node.score``): a word scores
    BM25 over its matches, plus a share of its idf where the header holds
    it; alternatives score their best, and words found only through a
    synonym count ``synonym_weight`` of the word typed."""

    synonym_weight = SYNONYM_WEIGHT

    def __init__(self, m: Matcher, header: bool = True):
        self.m = m
        self.header = header  # without: the text's share alone (the explanation's split)

    def leaf_score(self, leaf, docs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        m = self.m
        ids, tf = m.token(leaf.text) if leaf.is_token else m.literal(leaf.text)
        if len(ids) == 0:
            return np.zeros(len(docs), dtype=np.float32)
        n = max(m.snap.n_live, 1)
        df = min(len(ids), n)  # posting lists still hold deleted paragraphs until their segment is merged
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        f = lookup(ids, tf, docs)
        text = idf * f * (K1 + 1) / (f + norm)
        return text + HEADER_WEIGHT * idf * m.in_header(leaf, docs) if self.header else text


def rerank(m: Matcher, query: Query, leaves, docs, scores) -> list[float]:
    """Scores of the best candidates raised by the boost rules."""
    bonuses = boost_bonuses(m, query, leaves, docs)
    return [float(s) * (1 + sum(b.values())) for s, b in zip(scores.tolist(), bonuses)]


def boost_bonuses(m: Matcher, query: Query, leaves, docs) -> list[dict[str, float]]:
    """For each of ``docs``, each enabled boost rule's bonus: how close the
    query's words stand in the text, whether the whole query stands there
    as typed, ... (``Features``).  Where the words and the whole query are
    Chinese literals, where they stand comes from the text's bigram
    positions; else from the stored text, folded."""
    rules = enabled("boost")
    if not rules:
        return [{} for _ in range(len(docs))]
    days = m.snap.day_range()
    if len(leaves) < 2:  # no proximity, and no whole query to find
        feats = [Features(0.0, False, int(m.snap.day[d]), days) for d in docs.tolist()]
        return [{r.name: r.bonus(f) for r in rules} for f in feats]
    whole = "".join(fold(query.raw).split())
    units = proximity_groups(query)
    located = _located(units, leaves)
    found = _by_position(m, located, whole, docs)
    out = []
    for d in docs.tolist():
        if found is not None:
            per_leaf, has_whole = found(d)
        else:
            folded = fold(m.snap.stored(d).text)
            per_leaf = [leaf_spans(folded, leaf) for leaf in located]
            has_whole = bool(whole) and whole in folded
        spans_of = dict(zip(located, per_leaf))
        f = Features(spans_proximity([u.unit_spans(spans_of) for u in units]), has_whole, int(m.snap.day[d]), days)
        out.append({r.name: r.bonus(f) for r in rules})
    return out


def proximity_groups(query: Query) -> list:
    """The units whose closeness counts: each required word of the query
    (each piece, where jieba cut a typed word into several); a word with
    synonyms is one unit that any of its forms fills."""
    out: list = []
    for node in query.must:
        out += node.units()
    return out


def _located(units: list, leaves: list) -> list:
    """What must be found in a text to place ``units``: the query's leaves,
    and the whole of each word jieba cut (its pieces count where it does
    not stand whole)."""
    out = list(leaves)
    for u in units:
        u.wholes(out)
    return out


def _is_chinese(text: str) -> bool:
    return len(text) >= 2 and CJK_RUN.fullmatch(text) is not None


def _by_position(m: Matcher, leaves, whole: str, docs: np.ndarray):
    """A function doc -> (each leaf's spans, whether the whole query
    stands there), the spans from the text's bigram positions; None where
    a leaf is not a Chinese literal (a latin word, one character), which
    positions cannot place."""
    if not all(not leaf.is_token and _is_chinese(leaf.text) for leaf in leaves):
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
