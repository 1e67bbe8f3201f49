"""How matching paragraphs are ordered.

Relevance is BM25 over the query's words (the match set's own document
frequency for literals; lengths normalised with b 0.6, a text shorter than
the average counted as average), with a word standing in the paragraph's
header (article title or section heading) counted as support (0.3 of its
idf), words found only through a synonym below the word typed.  The score is
raised by a bounded verbatim boost (the typed words standing as typed) and,
for the best RERANK candidates, re-scored by what their texts say: the
query's words standing close together (not merely as neighbouring items of
a list) and the whole query as typed raise it; words mentioned only in
passing (an enumeration's item, inside a meeting's, body's or ceremony's
name, as an attribute: 劳务输出大省, once in a long paragraph about the
query's other words) cut it; words all mentioned in passing earn no
closeness, and one in passing beside words said no verbatim share nor
figures (issue 23).  The re-scored candidates come
first, as a rescoring window does (read 30 further, once, where the
window's best were cut below the first candidate after it).  Equal scores are decided by how many of
the query's words the text holds, its length, then its date; index order
only after all that, so pages never overlap.  Browsing (no query) and the
date sorts order by date.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date, timedelta

import numpy as np

from search.text.analysis import CJK_RUN, fold
from search.engine.highlight import leaf_spans
from search.engine.docsets import as_index, distinct, holds, lookup
from search.engine.matching import Matcher, literal_starts
from search.query.nodes import AllOf, AnyOf, InField, Leaf, Literal, Node, Query, occurrences
from search.engine.results import SearchRequest

K1, B = 1.2, 0.6  # b below the usual 0.75: a one-line lead is not worth more for being short (issue 23)
LENGTH_FLOOR = 1.0  # of the average length: shorter texts are normalised as if this long
HEADER_WEIGHT = 0.3  # share of a word's idf earned by standing in the title/heading
SYNONYM_WEIGHT = 0.6  # a word found through a synonym, against the word typed
RERANK = 30  # best candidates re-scored by the boosts (60 before issue 23: the same top 10 on the judged questions, and their texts are read now)
WIDEN = 30  # the next candidates read too where one of the window's best FIRST_PAGE was cut below them
FIRST_PAGE = 10
ABOUT = 30  # of them, the best whose texts are read for what they are about (``about``)
PROXIMITY_BONUS = 0.5  # at most, for the query's words side by side
WHOLE_BONUS = 0.2  # for the whole query standing in the text as typed
NEWER_BONUS = 0.1  # at most, for the newest article (the rule is off unless enabled)
VERBATIM_BONUS = 0.7  # at most, for every typed word standing as typed
PASSING_PENALTY = 0.35  # the score × (1 - this) when every query word is mentioned only in passing
FIGURES_BONUS = 0.25  # for a figure in a sentence holding a query word
INFORMATIVE = 300  # characters: ties prefer the longer text, up to this


# ---------------------------------------------------------------------------
# The rules, in order (as Meilisearch's ranking rules).  Stages:
#   bucket  an integer per hit; hits sort by it first, in the list's order
#   score   an additive score (BM25: the words, their header and synonym shares)
#   boost   a fraction the score is multiplied by (1 + the fractions) for the
#           best RERANK candidates of a relevance sort
#   penalty the same, but the score is multiplied by (1 + its value), a
#           negative fraction, after the boosts: a cut the boosts cannot undo
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
    verbatim: float = 0.0  # share of the typed words (those that can match otherwise) standing as typed
    verbatim_words: tuple = ()  # which
    passing: float = 0.0  # share of the query's words mentioned only in passing (``in_passing``)
    passing_words: tuple = ()  # (word, kind) of each
    held: int = 0  # how many of the query's words stand in the text (not only the title or heading)
    length: int = 0  # the text's length in characters, up to INFORMATIVE
    figures: bool = False  # a sentence holding a query word gives a figure (a number)
    read: bool = True  # the text was read (the best ABOUT candidates): passing, length, list proximity
    verbatim_header: tuple = ()  # typed words held as typed only in the title or heading, the text lacking a piece
    closeness_in_passing: bool = False  # proximity and the whole query not earned: every word only in passing
    passing_typed: tuple = ()  # typed words standing as typed only in passing: no verbatim share (PASSING_NO_BOOSTS)
    figures_in_passing: bool = False  # the only figures stand beside words mentioned in passing: not counted
    widened: bool = False  # read because the window's best were cut below it (WIDEN_CUT)

    @property
    def recency(self) -> float:
        lo, hi = self.days
        return 0.0 if not self.day or hi <= lo else (self.day - lo) / (hi - lo)


RULES = [
    # the words' frequency and rarity; a word in the title or heading earns
    # HEADER_WEIGHT of its idf, one found only through a synonym SYNONYM_WEIGHT;
    # lengths normalised with B, a text shorter than LENGTH_FLOOR of the
    # average as if that long
    Rule("bm25", "score", "词频与稀有度"),
    # a typed word standing as typed (a cut word whole, a widened word as
    # typed): a bounded boost, not a tier above everything, so that a list
    # naming the full term once does not outrank the paragraphs about it
    Rule("verbatim", "boost", "按原样出现的词", max_bonus=VERBATIM_BONUS,
         bonus=lambda f: VERBATIM_BONUS * f.verbatim),
    Rule("proximity", "boost", "搜索词在正文中彼此靠近", max_bonus=PROXIMITY_BONUS,
         bonus=lambda f: PROXIMITY_BONUS * f.proximity),
    Rule("whole_query", "boost", "整个查询按输入原样出现在正文", max_bonus=WHOLE_BONUS,
         bonus=lambda f: WHOLE_BONUS if f.whole else 0.0),
    # a word standing only as an enumeration's item, in a name or as an
    # attribute (``in_passing``): the paragraph is about something else
    Rule("in_passing", "penalty", "搜索词只顺带提及(列举项、名称中、作修饰语、长段中只提一次)",
         bonus=lambda f: -PASSING_PENALTY * f.passing),
    # a sentence holding a query word gives a figure: the paragraph reports
    # something (how many, how much, when), not only names the topic
    Rule("figures", "boost", "含搜索词的句子给出数字", max_bonus=FIGURES_BONUS,
         bonus=lambda f: FIGURES_BONUS if f.figures else 0.0),
    Rule("newer", "boost", "文章较新", enabled=False, max_bonus=NEWER_BONUS,
         bonus=lambda f: NEWER_BONUS * f.recency),
    # equal scores: more of the query's words in the text itself, then the
    # longer text (up to INFORMATIVE characters), then the newer
    Rule("ties", "tie", "分数相同时:正文含搜索词多者、正文较长者、较新者在前"),
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
    # even one the boost rules raised; the score of a candidate is BM25 with
    # the verbatim boost (its typed words confirmed lazily: only where it can
    # reach the page), the best RERANK re-scored with every boost
    step = (1 + sum(r.max_bonus for r in enabled("boost"))) * float(scores.max(initial=0.0)) + 1.0
    buckets = enabled("bucket")
    # no bucket rule (the default): no tier of zeros (an export ranks every hit: a million, 8 MB saved)
    tier = bucket_values(m, query, docs, buckets) if buckets else None

    def lifted(i: int, score: float):
        return -(tier[i] * step + score) if tier is not None else -(0 * step + score)

    def keyed(want: int):
        """(held, plain, top): how many typed words each candidate holds
        as typed (exact for the ``want`` best), its score before the boosts
        of the window, and the ``want`` best in key order (every hit, for
        an export)."""
        held = None
        if RULES_BY_NAME["verbatim"].enabled:
            held, key = ranking_keys(m, query, docs, scores, step, want)
        else:
            key = scores.astype(np.float64)
        if tier is not None:
            key = tier * step + key
            plain = key - tier * step
        else:  # 0 * step + key is key, bit for bit
            plain = key
        if want < len(docs):  # every document tied with the last one wanted, so pages never overlap
            neg = -key
            cutoff = np.partition(neg, want - 1)[want - 1]
            top = np.flatnonzero(neg <= cutoff)
            del neg
            top = top[np.lexsort((docs[top], -key[top]))][:want]
        else:  # every document (an export): the same order, sorted in place, not
            # through copies of every hit's docnum and key (5-8 MB each at 700k);
            # key is negated and back, bit for bit
            np.negative(key, out=key)
            top = np.lexsort((docs, key))
            np.negative(key, out=key)
        return held, plain, top

    # exact keys for the window and the first candidate after it (whether to
    # widen it); for the widened window only where it is widened, which few
    # questions do: confirming the typed words of 60 candidates on every search
    # cost the slowest first runs most (bench/README.md, 2fffbfd).  The ``want``
    # best exact keys stand above every bound, so the first 31 are the same
    held, plain, top = keyed(max(last, RERANK + (1 if WIDEN_CUT else 0)))
    head = top[:RERANK]
    bonuses = boost_bonuses(m, query, leaves, docs[head], None if held is None else held[head])
    boosted = [combined(float(s), b) for s, b in zip(scores[head].tolist(), bonuses)]

    def order(rows):
        return sorted(rows, key=lambda t: (lifted(t[1], t[0]),) + tie_key(t[2]) + (int(docs[t[1]]),))
    ranked = order(zip(boosted, head.tolist(), bonuses))
    if WIDEN_CUT and len(top) > RERANK and len(ranked) >= FIRST_PAGE:
        # one of the best FIRST_PAGE was cut (a mention in passing) below the best
        # candidate not read: read the next WIDEN too, so that a page of 劳务输出大省
        # lines cut to x0.65 does not stand above paragraphs on labour export no one
        # read.  Decided on the window alone, whatever page is asked: pages never overlap
        nxt = int(top[RERANK])
        if lifted(ranked[FIRST_PAGE - 1][1], ranked[FIRST_PAGE - 1][0]) > lifted(nxt, float(plain[nxt])):
            if len(top) < min(len(docs), RERANK + WIDEN):  # the next WIDEN's keys exact too
                held, plain, top = keyed(max(last, RERANK + WIDEN))
            more = top[RERANK:RERANK + WIDEN]
            extra = boost_bonuses(m, query, leaves, docs[more], None if held is None else held[more])
            for b in extra:
                if b.features is not None:
                    b.features.widened = True
            ranked = order(ranked + list(zip([combined(float(s), b) for s, b in zip(scores[more].tolist(), extra)],
                                             more.tolist(), extra)))
    del held
    read_n = len(ranked)  # the re-scored window: the rest follow by BM25 x verbatim
    if arrays:  # the re-ranked head, then the rest in key order, as arrays
        # written into arrays of the page's size, not concatenated from copies
        k = len(ranked)  # == the window read: the rest is top[k:]
        head_at = np.array([i for _, i, _ in ranked], dtype=np.int64)[first:last]
        head_score = np.array([s for s, _, _ in ranked], dtype=np.float64)[first:last]
        tail = top[k:][max(first - k, 0):max(last - k, 0)]
        h = len(head_at)
        del scores
        score = np.empty(h + len(tail), dtype=np.float64)
        score[:h] = head_score
        np.take(plain, tail, out=score[h:], mode="clip")  # "raise" would buffer a copy
        del plain  # before the docnums are made
        chosen = np.empty(len(score), dtype=docs.dtype)
        chosen[:h] = docs[head_at]
        np.take(docs, tail, out=chosen[h:], mode="clip")  # tail is in range
        return chosen, score, []
    ranked += [(float(plain[i]), i, tail_bonuses(float(scores[i]), float(plain[i])))
               for i in top[read_n:].tolist()]
    ranked = ranked[first:last]
    why = []
    if explain:
        exact = bucket_values(m, query, np.sort(docs[[i for _, i, _ in ranked]]), buckets, detail=True)
        typed = typed_words_held(m, query, docs[[i for _, i, _ in ranked]])
        for _, i, b in ranked:
            if getattr(b, "features", None) is not None:
                b.features.verbatim_words = typed.get(int(docs[i]), (0.0, ()))[1]
        for s, i, b in ranked:
            d = int(docs[i])
            why.append(exact[d] + [_bm25_detail(m, query, d)] + _boost_detail(b) + [_ties(b), _tie(d)])
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
    norm = length_norm(snap, one)
    r, text_only = Scorer(m), Scorer(m, header=False)
    parts = [(str(n), float(n.score(r, one, norm)[0])) for n in query.must]
    header = sum(parts_ for _, parts_ in parts) - float(sum(n.score(text_only, one, norm)[0] for n in query.must))
    why = RULES_BY_NAME["bm25"].why + ":" + " · ".join(f"{w.replace(chr(34), '')} {v:.3f}" for w, v in parts if v)
    if header > 1e-6:
        why += f";其中标题/小标题 {header:.3f}"
    return {"rule": "bm25", "value": round(float(bm25(m, query, one)[0]), 4), "why": why}


def _boost_detail(bonuses: dict | None) -> list[dict]:
    out = []
    for r in [r for r in RULES if r.enabled and r.stage in ("boost", "penalty")]:  # in the list's order
        if bonuses is None or r.name not in bonuses:
            out.append({"rule": r.name, "value": 0.0, "why": f"{r.why}:排在前 {RERANK} 名之外,未计算"})
        else:
            b = bonuses.get(r.name, 0.0)
            why = f"{r.why}:分数 ×{1 + b:.3f}" if b else f"{r.why}:否"
            # + 0.0: a cut of nothing (-0.35 x 0) reads 0.0, not -0.0
            out.append({"rule": r.name, "value": round(b, 4) + 0.0, "why": why + _about_detail(r.name, bonuses)})
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
    if not nodes:  # zeros that take no memory (an export ranks every hit)
        return np.broadcast_to(np.int32(0), (len(docs),)), score
    tier = np.zeros(len(docs), dtype=np.int32)  # a count of words: int32 is half the memory
    unsure = []  # (node, which docs are its unconfirmed candidates)
    for node in nodes:
        inside, sure = node.typed_inside(m, docs)
        tier += inside
        if not sure and inside.any():
            unsure.append((node, inside))
    key = verbatim_key(tier, score, len(nodes))
    if not unsure:
        return tier, key
    unconfirmed = unsure[0][1]
    for _, inside in unsure[1:]:
        unconfirmed = unconfirmed | inside
    rest = unconfirmed.nonzero()[0]  # keys still bounds
    sure_keys = key[~unconfirmed]
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
        key[idx] = verbatim_key(tier[idx], score[idx], len(nodes))
        best = _top(np.concatenate([best, key[idx]]), want)
    return tier, key


def verbatim_key(tier: np.ndarray, score: np.ndarray, nodes: int) -> np.ndarray:
    """A score with the verbatim boost: × (1 + VERBATIM_BONUS · the share
    of the ``nodes`` typed words held as typed)."""
    if not nodes:
        return score
    return score * (1 + VERBATIM_BONUS * tier / nodes)


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` largest of ``values`` (all of them if fewer), in no order."""
    if len(values) <= n:
        return values
    return np.partition(values, len(values) - n)[len(values) - n:]


def bm25(m: Matcher, query: Query, docs: np.ndarray) -> np.ndarray:
    """BM25 of the required parts of the query, summed."""
    norm = length_norm(m.snap, docs)
    scores = np.zeros(len(docs), dtype=np.float32)
    r = Scorer(m)
    for node in query.must:
        scores += node.score(r, docs, norm)
    return scores


def length_norm(snap, docs: np.ndarray) -> np.ndarray:
    """BM25's length part, K1 (1 - B + B len / avg), each length at least
    LENGTH_FLOOR of the average: below that, a text's shortness says
    nothing of how much of it is about the query (a one-line lead holds
    its one mention in ten words), so it earns nothing."""
    length = np.maximum(snap.text_len[as_index(docs)], LENGTH_FLOOR * snap.avg_len)
    return K1 * (1 - B + B * length / snap.avg_len)


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
        either, ids, tf = m.scoring(leaf)  # ids, tf: the text's matches
        if either == 0:
            return np.zeros(len(docs), dtype=np.float32)
        n = max(m.snap.n_live, 1)
        df = min(either, n)  # posting lists still hold deleted paragraphs until their segment is merged
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        f = lookup(ids, tf, docs)
        text = idf * f * (K1 + 1) / (f + norm)
        return text + HEADER_WEIGHT * idf * m.in_header(leaf, docs) if self.header else text


def rerank(m: Matcher, query: Query, leaves, docs, scores) -> list[float]:
    """Scores of the best candidates raised by the boost rules."""
    bonuses = boost_bonuses(m, query, leaves, docs)
    return [combined(float(s), b) for s, b in zip(scores.tolist(), bonuses)]


class Bonuses(dict):
    """Each boost rule's bonus of one candidate (rule -> fraction), with
    the ``Features`` they were read from (None for a candidate below the
    best RERANK, whose verbatim boost alone was computed)."""

    features: Features | None = None


def boost_bonuses(m: Matcher, query: Query, leaves, docs, held: np.ndarray | None = None) -> list[dict[str, float]]:
    """For each of ``docs``, each enabled boost rule's bonus: how close the
    query's words stand in the text, whether the whole query stands there
    as typed, ... (``Features``).  Where the words and the whole query are
    Chinese literals, where they stand comes from the text's bigram
    positions; else from the stored text, folded.  The rules about what
    the paragraph is about read its folded text (``about``).  ``held``: how
    many typed words each of ``docs`` holds as typed, where the caller knows
    (``ranking_keys``); else found here."""
    rules = enabled("boost") + enabled("penalty")
    if not rules:
        return [Bonuses() for _ in range(len(docs))]
    days = m.snap.day_range()
    nodes = len(tier_nodes(query))
    if held is not None:
        typed = {d: (h / nodes if nodes else 0.0, ()) for d, h in zip(docs.tolist(), held.tolist())}
    else:
        typed = typed_words_held(m, query, docs)
    units = proximity_groups(query)
    if len(leaves) < 2:  # no proximity, and no whole query to find
        found, whole = None, ""
        located = _located(query.must, leaves)
    else:
        whole = "".join(fold(query.raw).split())
        located = _located(query.must, leaves)
        # the best ABOUT candidates' texts are read for the rules about what a
        # paragraph is about: finding the words in them costs less than decoding
        # their positions; the rest are placed by positions
        rest = docs[ABOUT:] if SPANS_FROM_TEXT else docs
        found = _by_position(m, located, whole, rest) if len(rest) else None
    words = [n for n in query.must if n.units()]  # the query's words, for the rules about the text
    cut = [n for n in tier_nodes(query) if getattr(n, "whole", "")]  # typed words jieba cut (产业扶贫 -> 产业 扶贫)
    out = []
    doclist = docs.tolist()
    day_of = m.snap.day[docs].tolist()
    named = [(r.name, r.bonus) for r in rules]
    several = len(leaves) >= 2
    close = clause_proximity if LIST_PROXIMITY else None
    # each unit and word read from the leaves' spans by number, its node's
    # structure walked once per query (``_spans_plan``), not per candidate:
    # no query node hashed per candidate (a leaf: its spans, ``Leaf.unit_spans``)
    number = {leaf: i for i, leaf in enumerate(located)}  # the last of equal leaves, as dict(zip()) keeps
    unit_plan = [_spans_plan(u, number) for u in units]
    word_plan = [_spans_plan(w, number) for w in words]
    planned = all(p is not None for p in unit_plan + word_plan)
    # each cut word's pieces by number, for ``_typed_in_header_only``
    cut_at = [(n, [number.get(p, -1) for p in n.parts]) for n in cut]
    # the enabled rules those of RULES as they stand (the same bonus functions, in order)
    stock = [(name, bonus) for name, bonus in named] == _STOCK
    # the whole query where it is one of the located literals: its spans are its occurrences
    whole_at = number.get(Literal(whole), -1) if whole else -1
    if planned:
        unit_at = [p for p in unit_plan if type(p) is int]
        plain = len(unit_at) == len(unit_plan) and all(type(p) is int for p in word_plan)
        word_at = word_plan
    # the texts to read, read and folded together (``Snapshot.texts_facts``)
    facts_of = m.snap.texts_facts([d for k, d in enumerate(doclist) if k < ABOUT or found is None], TextFacts)
    new = object.__new__
    for k, d in enumerate(doclist):
        read = k < ABOUT
        facts = facts_of[d] if read or found is None else None
        if found is not None and not (read and SPANS_FROM_TEXT):
            per_leaf, has_whole = found(d)
        else:
            text = facts.text
            per_leaf = [leaf.spans(text) for leaf in located]  # ``highlight.leaf_spans``
            has_whole = bool(per_leaf[whole_at]) if whole_at >= 0 else bool(whole) and whole in text
        if not planned:
            spans_of = dict(zip(located, per_leaf))
            per_unit = [u.unit_spans(spans_of) for u in units]
            per_word = [sorted(w.unit_spans(spans_of)) for w in words]
        elif plain:
            spans_of = None
            per_unit = [per_leaf[i] if i >= 0 else [] for i in unit_at]
            per_word = [sorted(per_leaf[i]) if i >= 0 else [] for i in word_at]
        else:
            spans_of = None
            per_unit = [(per_leaf[p] if p >= 0 else []) if type(p) is int else p(per_leaf) for p in unit_plan]
            per_word = [(sorted(per_leaf[p]) if p >= 0 else []) if type(p) is int else sorted(p(per_leaf))
                        for p in word_plan]
        # ``Features(0.0, False, day, days, read=read)``, its other fields their
        # defaults (class attributes, immutable), without the dataclass's __init__
        f = new(Features)
        f.day, f.days, f.read = day_of[k], days, read
        if several:
            f.proximity = close(facts, per_unit) if close is not None and read else spans_proximity(per_unit)
            f.whole = has_whole
        else:
            f.proximity, f.whole = 0.0, False
        if read:
            about(f, facts, units, per_unit, whole, words, per_word,
                  per_leaf[whole_at] if whole_at >= 0 and (found is None or SPANS_FROM_TEXT) else None)
        else:
            f.held = sum(bool(s) for s in per_word)
        f.verbatim, f.verbatim_words = typed.get(d, _UNTYPED)
        if read and f.verbatim and f.passing_typed:
            f.verbatim = max(0.0, f.verbatim - len(f.passing_typed) / nodes)
        if read and f.verbatim and TITLE_TYPED_AS_SUPPORT:
            f.verbatim_header = _typed_in_header_only(m, cut_at, facts.text, per_leaf, d) if cut else ()
            f.verbatim -= (1 - HEADER_WEIGHT) * len(f.verbatim_header) / nodes
        if stock:  # the rules' own bonuses, in their order, read here without a call each
            b = Bonuses(verbatim=VERBATIM_BONUS * f.verbatim, proximity=PROXIMITY_BONUS * f.proximity,
                        whole_query=WHOLE_BONUS if f.whole else 0.0, figures=FIGURES_BONUS if f.figures else 0.0,
                        in_passing=-PASSING_PENALTY * f.passing)
        else:
            b = Bonuses({name: bonus(f) for name, bonus in named})
        b.features = f
        out.append(b)
    return out


_UNTYPED = (0.0, ())
# the boost and penalty rules as RULES enables them: ``boost_bonuses`` reads their
# bonuses inline where a query's rules are these (no rule switched, no bonus replaced)
# (None, never equal, should RULES enable others by default: the inline reading is of these five)
_STOCK = [(r.name, r.bonus) for r in enabled("boost") + enabled("penalty")]
if [name for name, _ in _STOCK] != ["verbatim", "proximity", "whole_query", "figures", "in_passing"]:
    _STOCK = None


def _spans_plan(node, number: dict):
    """How ``node.unit_spans(dict(zip(located, per_leaf)))`` is read from
    ``per_leaf`` by number (``number``: leaf -> its index in ``located``):
    an index (-1: not located, no spans) where it is a leaf, else a
    function of ``per_leaf`` walking the node's structure as its
    ``unit_spans`` does; None for a kind of node whose ``unit_spans`` this
    does not know (read through the dict, per candidate)."""
    own = type(node).unit_spans
    if own is Leaf.unit_spans:
        return number.get(node, -1)
    if own is InField.unit_spans:
        return _spans_plan(node.node, number)
    if own is Node.unit_spans or own is AnyOf.unit_spans:  # every child's (an AnyOf's children are its options)
        parts = [_spans_plan(c, number) for c in node.children()]
        if any(p is None for p in parts):
            return None
        return _merged(parts)
    if own is AllOf.unit_spans:
        parts = [_spans_plan(c, number) for c in node.children()]
        if any(p is None for p in parts):
            return None
        merged = _merged(parts)
        at = number.get(Literal(node.whole), -1) if node.whole else -1
        if at < 0:
            return merged

        def whole_or_parts(per_leaf):
            return per_leaf[at] or merged(per_leaf)
        return whole_or_parts
    return None


def _merged(parts: list):
    """A function of ``per_leaf``: the spans of every one of ``parts`` (plans), sorted."""
    at = [p for p in parts if type(p) is int and p >= 0]
    funcs = [p for p in parts if type(p) is not int]

    def merged(per_leaf):
        out = []
        for i in at:
            out += per_leaf[i]
        for fn in funcs:
            out += fn(per_leaf)
        out.sort()
        return out
    return merged


def _typed_in_header_only(m: Matcher, cut_at: list, folded: str, per_leaf: list, d: int) -> tuple:
    """The typed words jieba cut that ``d`` holds as typed only in its
    title or heading while its text lacks the word and one of its pieces
    (河南：小资金激活 助产业扶贫 over a paragraph on 金融扶贫 loans to a
    农业合作社, which never says 产业): the title supports the word, as
    BM25 counts it (HEADER_WEIGHT), not the paragraph's saying it.
    ``cut_at``: each cut word and its pieces' numbers in ``per_leaf`` (-1:
    not located)."""
    out = []
    for n, at in cut_at:
        if n.whole in folded or all(i >= 0 and per_leaf[i] for i in at):
            continue
        if holds(m.in_headers(n.whole), np.array([d], dtype=np.int64))[0]:
            out.append(_word(n))
    return tuple(out)


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


def _by_piece(marks: list[int], ends: list[int]) -> dict[int, list[int]]:
    """``marks`` grouped by the clause (or sentence) each stands in: the
    number of ``ends`` before it, in order."""
    by_piece: dict[int, list[int]] = {}
    for j in marks:
        k = bisect_left(ends, j)
        piece = by_piece.get(k)
        if piece is None:
            by_piece[k] = [j]
        else:
            piece.append(j)
    return by_piece


def spans_proximity(per_leaf: list) -> float:
    """``proximity`` of each leaf's spans (sorted, not overlapping)."""
    if len(per_leaf) < 2 or any(not s for s in per_leaf):
        return 0.0
    total = sum(min(e - s for s, e in spans) for spans in per_leaf)
    events = sorted((s, e, k) for k, spans in enumerate(per_leaf) for s, e in spans)
    ends = [e for _, e, _ in events]  # a window's end: the max of a slice of these (in C, not a generator)
    need, have, best, lo = len(per_leaf), {}, None, 0
    for i, (_, e, k) in enumerate(events):
        have[k] = have.get(k, 0) + 1
        while len(have) == need:
            ls, _, lk = events[lo]
            window = max(ends[lo:i + 1]) - ls
            if window <= total:  # side by side: no window can make it more than 1.0
                return 1.0
            best = window if best is None else min(best, window)
            have[lk] -= 1
            if not have[lk]:
                del have[lk]
            lo += 1
    return min(1.0, total / best) if best else 0.0


# ---------------------------------------------------------------------------
# What a paragraph is about (issue 23): read from the candidates' folded
# texts (``Snapshot.text_facts``), for the best RERANK of a relevance sort.
# A query word that stands only as one item of an enumeration (a 、-list,
# a slogan formula), only inside the name of a meeting or body (not a
# 《document》's title: that is what the document is about),
# or only as an attribute of a place (劳务输出大省) is mentioned in
# passing: the paragraph is about something else.

CLAUSE_MARKS = set("，。；：！？,;:!?\n")  # a clause ends at these (an enumeration's 、 does not)
SENTENCE_MARKS = set("。！？!?\n")
LIST_MARK, ITEM_MARKS = "、", "；;"
LIST_ITEMS = 3  # a clause of this many 、-separated items, or a sentence of this many ；-separated ones, is a list
# the ends of names of meetings, bodies and campaigns: a word followed by
# one of these within NAME_REACH characters of its clause stands in a name
NAME_ENDS = ("会议", "大会", "座谈会", "推进会", "现场会", "交流会", "研讨会", "工作会", "论坛", "峰会", "博览会",
             "发布会", "表彰会", "领导小组", "办公室", "委员会", "培训班", "联席会",
             # ceremonies and galas are events as meetings are: “最美生态护林员”发布仪式
             "仪式", "典礼", "晚会", "开幕式", "闭幕式")
NAME_REACH = 12
# a word used as an attribute of a place or unit: 劳务输出大省, 产粮大县
ATTRIBUTE_ENDS = ("大省", "大县", "大市", "大镇", "大村", "大国", "强省", "强县", "示范县", "示范市", "示范区",
                  "重点县", "重点省")
# or standing right before a county or province it describes (劳务输出县, 劳务输出省份), not before a
# word that begins with the character (县城, 县委, 省级, 省委书记)
_PLACE_AFTER = re.compile("(?:县|省份|省)(?![城域级委长里内外直属市区政府财])")
_PLACE_FIRST = frozenset("县省")  # what a match of _PLACE_AFTER begins with
PASSING = {"list": "列举项", "name": "名称中", "attribute": "作修饰语", "once": "长段中只提一次"}
# a word that stands once in a long paragraph whose other query words stand twice or more is
# named in passing: the paragraph is about them (the State Council's 241 characters on skills
# training, 技能培训 three times, that 兼顾就业重点群体和贫困劳动力 once)
ONCE_CHARS = 200
ONCE_OTHER = 2


ITEM_CHARS = 30  # an enumeration's item is short: a longer stretch between its marks says something
# a ；-separated item is a clause with its own verb and figures, not a name: 国内生产总值增长6%－6.5%；
# 城镇新增就业1100万人以上，城镇调查失业率5.5%左右，城镇登记失业率4.5%以内；居民消费价格涨幅3%左右；…
# (a year's targets, 38-45 characters an item) is a list, as a 、-list of names is
CLAUSE_ITEM_CHARS = 50
# how the sentences of a speech's list of tasks begin: 要…。要…。要…。, 一是…二是…
DIRECTIVES = ("要", "坚持", "加强", "着力", "推动", "推进", "加快", "强化", "深化", "完善", "健全")
ORDINALS = tuple(f"{n}是" for n in "一二三四五六七八九十") + tuple(f"第{n}" for n in "一二三四五六七八九十")
# a speech's run of tasks joined by commas (坚持政府主导，深化东西部协作，动员全社会参与，把扶贫同扶志扶智
# 相结合，…): a sentence whose first clause is followed by COMMA_ITEMS short clauses or more (each at most
# COMMA_CHARS), at least half of them opening with a verb of a task (TASK_VERBS); those clauses are its
# items.  The first clause is not one: it frames the sentence (脱贫攻坚既要扶智也要扶志，…), and a word
# there is what the rest elaborates.  A story's run of short clauses (赣州以市场需求为导向，瞄准…，引入…，
# 形成电商扶贫合作社，让…) opens them with anything: it is told, not listed.
COMMA_ITEMS = 4
COMMA_CHARS = 20
TASK_VERBS = DIRECTIVES + ("把", "大力", "进一步", "发挥", "动员", "激发", "提高", "提升", "确保", "实施", "促进",
                           "巩固", "做好", "抓好", "统筹", "落实", "注重", "支持", "鼓励", "引导", "扩大", "增强",
                           "构建", "建立", "培育", "打造", "保障", "聚焦", "瞄准", "加大", "坚决", "全面", "积极",
                           "切实", "持续", "不断", "更加", "防止", "防范", "严格", "扎实", "优化", "拓宽", "提倡")


class TextFacts:
    """What the rules about a paragraph's subject read of its folded text,
    worked out once per paragraph (and kept with it on the snapshot,
    ``Snapshot.text_facts``): the stretches that are items of an
    enumeration, and where those items meet.

    Every item and every meeting of items but quoted ones lies inside one
    sentence (an ordinal list's are found over the text, rare as they are,
    beside the quoted): a sentence's are worked out when an occurrence of
    a query word in it asks (``listed``, ``meetings``), not the whole
    text's up front.  The rules ask of the sentences holding the query's
    words, a paragraph's other sentences are never looked at (over the
    bench's mix, ~1,000 of the candidates' 3,549: bench/README.md, rankread)."""

    __slots__ = ("text", "kinds", "ends", "_marks", "_sentences", "_openings", "_spread")

    def __init__(self, folded: str):
        self.text = folded
        self.kinds: dict = {}  # (start, end) -> passing_kind, as asked
        self.ends = [m.start() for m in _SENTENCE_END.finditer(folded)]  # where its sentences end
        self._sentences: dict = {}  # sentence number -> (its items, its items' meetings), as asked
        self._openings = None  # how many sentences open with each kind of opening, when first asked
        self._spread = None  # (items, meetings) not bound to one sentence: quoted, ordinal clauses
        # which marks the text holds at all, looked for once (in C): a sentence is searched
        # for those only.  1: a 、; 2: a ；; 4: COMMA_ITEMS commas; 8: quoted items or 二是;
        # 16: a 《 (a document's title, ``_passing_kind``)
        self._marks = ((LIST_MARK in folded) | ((";" in folded or "；" in folded) << 1)
                       | ((folded.count(",") + folded.count("，") >= COMMA_ITEMS) << 2)
                       | ((("”“" in folded and QUOTED_ETC) or ("二是" in folded and CLAUSE_ORDINALS)) << 3)
                       | (("《" in folded) << 4))

    def listed(self, s: int, e: int) -> bool:
        """Whether ``[s, e)`` lies inside one item of an enumeration: one
        of the sentence that holds ``s`` (an item of another sentence
        begins after ``s`` or ends at that sentence's end, before ``e``)."""
        k = bisect_left(self.ends, s)
        made = self._sentences.get(k)
        for a, b in (made if made is not None else self._sentence(k))[0]:
            if a <= s and b >= e:
                return True
        if self._marks & 8:
            return any(a <= s and b >= e for a, b in (self._spread or self._spread_items())[0])
        return False

    def meetings(self, s: int, e: int) -> list[int]:
        """Where two items of an enumeration meet inside ``[s, e)``, in
        order.  A meeting is a 、 or a ；, inside its sentence, or a quoted
        item's end: the sentences holding a 、 or a ； there are looked at."""
        out: list[int] = []
        marks = self._marks
        if marks & 3 and s < e:
            folded, ends = self.text, self.ends
            at = _MEETING.search(folded, s, e)
            while at is not None:
                k = bisect_left(ends, at.start())
                made = self._sentences.get(k)
                out += [b for b in (made if made is not None else self._sentence(k))[1] if s <= b < e]
                if k >= len(ends):
                    break
                at = _MEETING.search(folded, ends[k] + 1, e)
        if marks & 8:
            spread = [b for b in (self._spread or self._spread_items())[1] if s <= b < e]
            if spread:
                out = sorted(out + spread)
        return out

    def _sentence(self, k: int) -> tuple:
        """The items and meetings (sorted) of sentence ``k``: a clause of
        LIST_ITEMS 、-separated items or more, the sentence of as many
        ；-separated clauses, a run of short comma clauses after its first
        (or its ；-clause's), the sentence itself where it opens as others do."""
        folded, ends, marks = self.text, self.ends, self._marks
        lo = ends[k - 1] + 1 if k else 0
        hi = ends[k] if k < len(ends) else len(folded)
        items: list[tuple[int, int]] = []
        bounds: list[int] = []
        # each regular expression runs only where a cheap look for its marks
        # (``find``, ``count``, in C) says it can find what a rule needs
        if marks & 1 and folded.find(LIST_MARK, lo, hi) >= 0:
            # the sentence cut at its clause marks (``re.split``, in C, no match
            # object per mark): each clause holding a 、 is looked at
            start = lo
            for clause in _CLAUSE_ENDS.split(folded[lo:hi]):
                end = start + len(clause)
                if LIST_MARK in clause:
                    at, i = [], folded.find(LIST_MARK, start, end)
                    while i >= 0:
                        at.append(i)
                        i = folded.find(LIST_MARK, i + 1, end)
                    _list_piece(folded, at, start, end, True, items, bounds)
                start = end + 1
        semicolons = [m.start() for m in _ITEM_MARKS.finditer(folded, lo, hi)] if marks & 2 else []
        if len(semicolons) >= LIST_ITEMS - 1:
            _list_piece(folded, semicolons, lo, hi, False, items, bounds)
        commas = marks & 4 and folded.count(",", lo, hi) + folded.count("，", lo, hi)
        if commas >= COMMA_ITEMS and not semicolons:
            # one piece, the sentence: its clauses after the first all short, each the
            # length of a piece between its commas (``str.split``, in C), before the
            # task verbs are looked for (the general case below: the same items)
            seg = folded[lo:hi]
            pieces = (seg.replace(",", "，") if "," in seg else seg).split("，")
            if max(map(len, pieces[1:])) <= COMMA_CHARS:
                edges, a = [], lo + len(pieces[0])
                for piece in pieces[1:]:
                    edges.append(a)
                    a += len(piece) + 1
                edges.append(hi)
                clauses = list(zip(edges, edges[1:]))
                if 2 * sum(bool(_TASK.match(folded, a + 1)) for a, _ in clauses) >= len(clauses):
                    items += [(a + 1, b) for a, b in clauses]
        elif commas >= COMMA_ITEMS:
            commas = [c.start() for c in _COMMA.finditer(folded, lo, hi)]
            for j, at in _by_piece(commas, semicolons).items():
                if len(at) < COMMA_ITEMS:
                    continue
                edges = at + [semicolons[j] if j < len(semicolons) else hi]
                clauses = list(zip(edges, edges[1:]))
                if (all(b - a - 1 <= COMMA_CHARS for a, b in clauses)
                        and 2 * sum(bool(_TASK.match(folded, a + 1)) for a, _ in clauses) >= len(clauses)):
                    items += [(a + 1, b) for a, b in clauses]
        # sentences that begin alike (要…。要…。要…。), or an ordinal list (一是…二是…): a
        # sentence is looked at only where its first character can open one
        if folded[lo:lo + 1] in _OPENS:
            kind = _opening(folded, lo)
            if kind and (self._openings or self._count_openings())[kind] >= (2 if kind == "ordinal" else LIST_ITEMS):
                items.append((lo, hi))
        if bounds:
            bounds.sort()
        made = self._sentences[k] = (items, bounds) if items or bounds else _NOTHING
        return made

    def _count_openings(self) -> dict:
        kinds: dict[str, int] = {}
        folded = self.text
        for start in [0] + [e + 1 for e in self.ends]:
            if folded[start:start + 1] in _OPENS:
                kind = _opening(folded, start)
                if kind:
                    kinds[kind] = kinds.get(kind, 0) + 1
        self._openings = kinds
        return kinds

    def _spread_items(self) -> tuple:
        folded = self.text
        items: list[tuple[int, int]] = []
        bounds: list[int] = []
        # quoted items in a row closed by 等 (采取“电商扶贫”“产业扶贫”等不同办法), or three
        # of them (会议围绕“…”“…”“…”六个专题进行讨论)
        if QUOTED_ETC and "”“" in folded:
            for run in _QUOTED_RUN.finditer(folded):
                for q in _QUOTED.finditer(folded, run.start(), run.end()):
                    items.append((q.start(), q.end()))
                    bounds.append(q.end())
        # an ordinal list within one sentence: 一是…，二是…，三是…
        if CLAUSE_ORDINALS and "二是" in folded:
            sentence_ends = self.ends
            by_sentence: dict[int, list[int]] = {}
            for o in _ORDINAL_CLAUSE.finditer(folded):
                by_sentence.setdefault(bisect_left(sentence_ends, o.start(1)), []).append(o.start(1))
            for k, at in by_sentence.items():
                if len(at) >= 2:
                    end = sentence_ends[k] if k < len(sentence_ends) else len(folded)
                    items += [(a, b - 1 if b != end else b) for a, b in zip(at, at[1:] + [end])]
        bounds.sort()
        made = self._spread = (items, bounds)
        return made


_NOTHING = ((), ())  # a sentence without items


def _list_piece(folded: str, at: list, start: int, end: int, listing: bool, items: list, bounds: list) -> None:
    """The items and meetings of the 、-list of one clause ``[start, end)``
    (``listing``: its 、s ``at``), or of the ；-list of one sentence (its ；s)."""
    if len(at) < LIST_ITEMS - 2:  # not even with a conjunction
        return
    # A、B和C: a conjunction after the last 、 adds an item
    if len(at) < LIST_ITEMS - 1 and not (listing and _CONJUNCTION.search(folded, at[-1] + 1, end)):
        if PAIR_ETC and listing:
            _pair_etc(folded, start, at[0], end, items, bounds)
        return
    bounds += at
    a = start - 1
    longest = ITEM_CHARS if listing else CLAUSE_ITEM_CHARS
    for b in at:  # a short stretch between two marks, or a mark and an end
        if b - a - 1 <= longest:
            items.append((a + 1, b))
        a = b
    if end - a - 1 <= longest:
        items.append((a + 1, end))


def _pair_etc(folded: str, lo: int, mark: int, hi: int, items: list, bounds: list) -> None:
    """A、B等 (通过劳务输出、医疗救助等措施): two items and 等, which says
    there are more, is an enumeration.  Its second item ends at 等; its
    first is taken as long as the second (and two characters more) back
    from the 、, since where it begins is not marked: a word standing
    before the list (其定点扶贫的广西环江县、贵州水城县等) is not in it."""
    found = _ETC.search(folded, mark + 2, hi)
    if not found or found.start() - mark - 1 > ITEM_CHARS:
        return
    etc = found.start()
    n = etc - mark - 1
    items += [(max(mark - n - 2, lo), mark), (mark + 1, etc)]
    bounds.append(mark)


def _opening(folded: str, start: int) -> str | None:
    """How the sentence starting at ``start`` opens: "ordinal", a directive, or None."""
    o = _OPENING.match(folded, start)
    if not o:
        return None
    return "ordinal" if o.group(1) in ORDINALS else o.group(1)

_CONJUNCTION = re.compile("和|及|与")
QUOTED_ETC = True  # quoted items in a row, closed by 等 or three of them, are an enumeration's items
_QUOTED_RUN = re.compile("(?:“[^“”，。；]{1,%d}”、?){2,}(?=等)|(?:“[^“”，。；]{1,%d}”、?){3,}" % (30, 30))
_QUOTED = re.compile("“[^“”]*”")
# 等 closing a list, not inside a word (高等教育, 平等, 同等, 一等奖, 等待, 等级)
_ETC = re.compile("(?<![高平同相对均初中上下次头特优超一二三四])等(?![待级候于同价])")
# 一是 … 二是 … opening a sentence's clauses (第一, 第二 are not counted here: 第一书记)
_ORDINAL_CLAUSE = re.compile("(?:^|[,;:，；：。])[“\"　 ]*(" + "|".join(f"{n}是" for n in "一二三四五六七八九十") + ")")
CLAUSE_ORDINALS = True
_COMMA = re.compile("[，,]")
_TASK = re.compile("[“\"　 ]*(?:" + "|".join(TASK_VERBS) + ")")
_PIECE_END = re.compile("[。！？!?\n；;]")  # a sentence, or a ；-clause of one, ends
_LIST_MARKS = re.compile(LIST_MARK)
_ITEM_MARKS = re.compile("[" + ITEM_MARKS + "]")
_MEETING = re.compile("[" + LIST_MARK + ITEM_MARKS + "]")  # where two items of a list meet (``TextFacts.crosses``)
_CLAUSE_ENDS = re.compile("[" + "".join(sorted(CLAUSE_MARKS)) + "]")
_SENTENCE_END = re.compile("[" + "".join(sorted(SENTENCE_MARKS)) + "]")
# a sentence's opening (any quote or space, then the word), matched where a sentence starts
_OPENING = re.compile("[“\"　 ]*(" + "|".join(ORDINALS + DIRECTIVES) + ")")  # at a sentence's start
_OPENS = frozenset("“\"　 " + "".join(w[0] for w in ORDINALS + DIRECTIVES))  # what _OPENING's match can begin with


def _facts(text) -> TextFacts:
    return text if isinstance(text, TextFacts) else TextFacts(text)


def _crosses(bounds: list[int], s: int, e: int) -> bool:
    k = bisect_left(bounds, s)
    return k < len(bounds) and bounds[k] < e


def passing_kind(text, s: int, e: int) -> str | None:
    """How the occurrence ``[s, e)`` of a query word in ``text`` (folded,
    or its ``TextFacts``) is a mention in passing: "list" (inside one item
    of an enumeration: a clause of LIST_ITEMS 、-separated items or more,
    each at most ITEM_CHARS long, a sentence of as many ；-separated
    clauses, each at most CLAUSE_ITEM_CHARS; or one of a speech's tasks that begin alike), "name" (inside the
    name of a meeting or a body; not a 《document》's title, which names
    the document's subject), "attribute" (劳务输出大省),
    or None (the paragraph says something with it)."""
    facts = _facts(text)
    known = facts.kinds.get((s, e), 0)
    if known != 0:
        return known
    kind = facts.kinds[(s, e)] = _passing_kind(facts, s, e)
    return kind


def _passing_kind(facts: TextFacts, s: int, e: int) -> str | None:
    folded = facts.text
    if folded.startswith(ATTRIBUTE_ENDS, e) or (folded[e:e + 1] in _PLACE_FIRST and _PLACE_AFTER.match(folded, e)):
        return "attribute"
    # ``facts.listed(s, e)``, without the call
    k = bisect_left(facts.ends, s)
    made = facts._sentences.get(k)
    for a, b in (made if made is not None else facts._sentence(k))[0]:
        if a <= s and b >= e:
            return "list"
    marks = facts._marks
    if marks & 8 and any(a <= s and b >= e for a, b in (facts._spread or facts._spread_items())[0]):
        return "list"
    opened = folded.rfind("《", 0, s) if marks & 16 else -1  # a 《 in its clause not closed before it
    if opened >= 0 and folded.find("》", opened, s) < 0 and not CLAUSE_MARKS.intersection(folded[opened:s]):
        # a document's title says what the document is about: a paragraph
        # issuing or quoting 《关于促进残疾人就业的意见》 is about that (the
        # judged questions: 7 of 7 such paragraphs graded 2), unlike a meeting
        # an official attended (issue 23)
        return None
    # the regular expression only where a name's last character stands within its reach
    if _NAME_LAST_AT.search(folded, e, e + NAME_REACH + 4) and _NAME_AFTER.match(folded, e, e + NAME_REACH + 4):
        return "name"
    return None


# a name's end within NAME_REACH characters after a word, no clause mark nor 、 between
_NAME_AFTER = re.compile("[^" + "".join(sorted(CLAUSE_MARKS)).replace("\n", "\\n") + LIST_MARK + "]{0,%d}(?:%s)"
                         % (NAME_REACH, "|".join(NAME_ENDS)))
_NAME_LAST = frozenset(w[-1] for w in NAME_ENDS)  # what a match of _NAME_AFTER ends with
_NAME_LAST_AT = re.compile("[" + "".join(sorted(_NAME_LAST)) + "]")  # one of them (a search in C: no slice, no str per character)


def in_passing(text, per_unit: list) -> list:
    """For each unit's spans in ``text`` (folded, or its ``TextFacts``): the
    kind of passing mention if every occurrence is one (None if any is not,
    or the unit is not in the text)."""
    facts = _facts(text)
    known = facts.kinds  # ``passing_kind``'s, read here without a call per occurrence
    out = []
    for spans in per_unit:
        first = None
        for span in spans:  # a span is its own key, (start, end)
            kind = known.get(span, 0)
            if kind == 0:
                kind = known[span] = _passing_kind(facts, span[0], span[1])
            if kind is None:  # one occurrence that says something is enough
                first = None
                break
            if first is None:
                first = kind
        out.append(first)
    return out


def clause_proximity(text, per_unit: list) -> float:
    """``spans_proximity``, but a window that holds the meeting of two items
    of an enumeration does not count: neighbouring items of a list stand
    close without being said together.  The windows are looked at
    narrowest first, and the first that holds no meeting gives the
    closeness: the text's lists are worked out only around it (most often
    the narrowest, inside one sentence), not over all the text between the
    first word and the last."""
    if len(per_unit) < 2 or any(not s for s in per_unit):
        return 0.0
    facts = _facts(text)
    total = sum([min([e - s for s, e in spans]) for spans in per_unit])
    events = [(s, e, k) for k, spans in enumerate(per_unit) for s, e in spans]
    events.sort()
    need = len(per_unit)
    if need == 2:
        # two units: a narrowest window is two neighbouring occurrences of different
        # units (a run from an occurrence of one unit to the next of the other is no
        # narrower from its first than from its last); the value is the narrowest
        # width without a meeting, so where this one holds none, no other is looked at
        best = None
        ps, pe, pk = events[0]
        for s, e, k in events:
            if k != pk:
                end = e if e > pe else pe
                if best is None or end - ps < best:
                    best, start, stop = end - ps, ps, end
            ps, pe, pk = s, e, k
        if not facts.meetings(start, stop):
            return 1.0 if best <= total else min(1.0, total / best)
    ends = [e for _, e, _ in events]
    # for each first event, the shortest run of events from it that holds every
    # unit: its end moves only forward as the first does (two pointers, not the
    # run found afresh from each first event: bench/README.md, speed6); how many
    # of events[i:j] each unit has in a list, ``have`` the units present
    windows = []
    count = [0] * need
    have = j = 0
    n = len(events)
    for i in range(n):
        while have < need and j < n:
            k = events[j][2]
            if not count[k]:
                have += 1
            count[k] += 1
            j += 1
        if have < need:
            break
        start, _, k = events[i]
        end = max(ends[i:j])
        windows.append((end - start, start, end))
        count[k] -= 1
        if not count[k]:
            have -= 1
    # the narrowest first: most often it holds no meeting, and the rest need no order
    width, start, end = min(windows)
    if not facts.meetings(start, end):
        return 1.0 if width <= total else min(1.0, total / width)
    windows.sort()
    for width, start, end in windows:
        if not facts.meetings(start, end):
            # side by side: no window can make it more than 1.0
            return 1.0 if width <= total else min(1.0, total / width)
    return 0.0


SPANS_FROM_TEXT = True  # boost_bonuses places the words in the folded text, not by positions
LIST_PROXIMITY = True  # proximity and the whole query do not count between or inside enumeration items
PASSING_NOT_CLOSE = True  # nor where every query word is mentioned only in passing (issue 23, rank4)
PAIR_ETC = True  # A、B等 is an enumeration (``_pair_etc``)
TITLE_TYPED_AS_SUPPORT = True  # a cut word typed only in the title, a piece missing from the text: HEADER_WEIGHT of its verbatim share
ONCE_IN_LONG = True  # a word named once in a long paragraph about the query's other words is in passing (issue 23, rank5)
WIDEN_CUT = True  # the window widened once where its best were cut below the candidates after it (rank5)
PASSING_NO_BOOSTS = True  # a word mentioned only in passing, beside words said, earns no verbatim share nor figures (rank5)


def about(f: Features, facts: TextFacts, units: list, per_unit: list, whole: str, words: list,
          per_word: list, whole_spans: list | None = None) -> None:
    """Fill ``f``'s fields read from the candidate's folded text: how many
    of the query's words (``words``: its required clauses, each standing
    where ``per_word`` says) it holds, its informative length, the words it
    mentions only in passing, and (for several units) proximity and the
    whole query not earned by standing in one enumeration.  ``whole_spans``:
    the whole query's occurrences in the text where the caller has them."""
    folded = facts.text
    f.held = sum(map(bool, per_word))
    f.length = min(len(folded), INFORMATIVE)
    kinds = in_passing(facts, per_word)
    if ONCE_IN_LONG and len(words) >= 2 and len(folded) >= ONCE_CHARS:
        for i, spans in enumerate(per_word):
            if kinds[i] is None and len(spans) == 1 and any(
                    len(other) >= ONCE_OTHER for j, other in enumerate(per_word) if j != i):
                kinds[i] = "once"
    f.figures = figures(facts, per_word)
    if not any(kinds):  # every word said (most candidates): nothing in passing
        f.passing_words, f.passing = (), 0.0
    else:
        f.passing_words = tuple([(_word(w), k) for w, k in zip(words, kinds) if k])
        f.passing = len(f.passing_words) / len(words)
        if PASSING_NO_BOOSTS and len(f.passing_words) < len(words):
            # a word said only in passing beside words the paragraph does say is not the
            # paragraph saying the query: standing as typed in a list of the groups training
            # serves (职工、农民工、贫困劳动力等) earns it no verbatim share, and a figure in
            # that sentence (补贴性培训近1亿人次) reports on the list.  Every word in passing:
            # the cut (and no closeness) says it all
            f.passing_typed = tuple(_word(w) for w, k in zip(words, kinds)
                                    if k and w.tiered and w.typed_word() and fold(w.typed_word()) in folded)
            if f.figures:
                f.figures = figures(facts, [spans for spans, k in zip(per_word, kinds) if not k])
                f.figures_in_passing = not f.figures
        if PASSING_NOT_CLOSE and len(f.passing_words) == len(words) and (f.proximity or f.whole):
            # every word only in passing: they stand close because the name or the
            # list item holds them (全国易地扶贫搬迁后续扶持工作现场会), not because the
            # paragraph says them together
            f.proximity, f.whole, f.closeness_in_passing = 0.0, False, True
    if LIST_PROXIMITY and len(units) >= 2 and f.whole:
        if whole_spans is None:
            whole_spans = occurrences(folded, whole)
        f.whole = any(passing_kind(facts, s, e) != "list" for s, e in whole_spans)


_DIGIT = re.compile(r"\d")


def figures(facts: TextFacts, per_word: list) -> bool:
    """Whether a sentence holding an occurrence of a query word (``per_word``:
    each word's spans) gives a figure (digits): a digit searched for in
    each such sentence, found by bisection in the text's sentence ends
    (``TextFacts``).  A figure cannot run into a sentence from before it:
    a sentence ends at a mark."""
    text, ends = facts.text, facts.ends
    last = len(ends)
    asked_lo = asked_hi = -1
    search = _DIGIT.search
    for spans in per_word:
        for s, e in spans:
            k = bisect_left(ends, s)
            lo = ends[k - 1] + 1 if k else 0
            # most occurrences end in the sentence they begin in: no second bisection
            j = k if k == last or e <= ends[k] else bisect_left(ends, e)
            hi = ends[j] if j < last else len(text)
            if lo != asked_lo or hi != asked_hi:  # the next occurrence in the same sentence asks nothing new
                if search(text, lo, hi):
                    return True
                asked_lo, asked_hi = lo, hi
    return False


def _word(node) -> str:
    return str(node).replace('"', "")


def typed_words_held(m: Matcher, query: Query, docs: np.ndarray) -> dict[int, tuple[float, tuple]]:
    """docnum -> (share of the typed words held as typed, which), for the
    verbatim boost of the best candidates (``tier_nodes``)."""
    nodes = tier_nodes(query)
    if not nodes or not len(docs):
        return {}
    ordered = np.sort(np.asarray(docs, dtype=np.int64))
    held = [(_word(n), n.typed_holds(m, ordered)) for n in nodes]
    return {d: (sum(bool(h[k]) for _, h in held) / len(nodes), tuple(w for w, h in held if h[k]))
            for k, d in enumerate(ordered.tolist())}


def combined(score: float, bonuses: dict) -> float:
    """A score with its rules' fractions: × (1 + the boosts) × (1 + each penalty)."""
    out = score * (1 + sum(v for k, v in bonuses.items() if RULES_BY_NAME[k].stage == "boost"))
    for k, v in bonuses.items():
        if RULES_BY_NAME[k].stage == "penalty":
            out *= 1 + v
    return out


def tie_key(bonuses) -> tuple:
    """What orders equal scores (the ``ties`` rule): more of the query's
    words in the text itself, the longer text up to INFORMATIVE
    characters, the newer; index order only after that."""
    f = getattr(bonuses, "features", None)
    return (0, 0, 0) if f is None else (-f.held, -f.length, -f.day)


def tail_bonuses(score: float, plain: float) -> Bonuses:
    """The boosts of a candidate below the best RERANK: the verbatim boost alone."""
    if not RULES_BY_NAME["verbatim"].enabled:
        return Bonuses()
    return Bonuses({"verbatim": plain / score - 1 if score else 0.0})


def _about_detail(rule: str, bonuses) -> str:
    f = getattr(bonuses, "features", None)
    if f is None:
        return ""
    if rule == "verbatim" and f.verbatim_words:
        header = "".join(f";{w} 只在标题/小标题中,正文缺其一部分,按 {HEADER_WEIGHT:g} 计" for w in f.verbatim_header)
        passing = "".join(f";{w} 只顺带提及,不计" for w in f.passing_typed)
        return "(" + "、".join(f.verbatim_words) + header + passing + ")"
    if rule == "figures" and f.figures_in_passing:
        return "(数字只在顺带提及的词所在句中,不计)"
    if rule == "in_passing" and not f.read:
        return f"(排在前 {ABOUT} 名之外,未读正文)"
    if rule in ("proximity", "whole_query") and f.closeness_in_passing:
        return "(搜索词都只顺带提及,靠近不计)"
    if rule == "in_passing" and f.passing_words:
        return "(" + "、".join(f"{w} {PASSING[k]}" for w, k in f.passing_words) + ")"
    return ""


def _ties(bonuses) -> dict:
    f = getattr(bonuses, "features", None)
    rule = RULES_BY_NAME["ties"]
    if f is None:
        return {"rule": "ties", "value": None, "why": f"{rule.why}:排在前 {RERANK} 名之外,未计算"}
    when = (Date(1970, 1, 1) + timedelta(days=f.day - 1)).isoformat() if f.day else "无日期"
    length = (f"{f.length} 字" + ("以上" if f.length >= INFORMATIVE else "")) if f.read else f"排在前 {ABOUT} 名之外,长度未计"
    widened = f";前 {FIRST_PAGE} 名有被削减到其后候选之下的,重排窗口扩大到 {RERANK + WIDEN} 名" if f.widened else ""
    return {"rule": "ties", "value": [f.held, f.length, when if f.day else None],
            "why": f"{rule.why}:正文含 {f.held} 个搜索词,{length},{when}{widened}"}
