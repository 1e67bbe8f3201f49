"""Running searches: matching, ranking, facets and snippets.

A :class:`Snapshot` is one committed state of the index with its columns
loaded as arrays; the :class:`Searcher` swaps in a new snapshot when the
index changes, so a search sees the old state or the new, never half of one.

Matching is set algebra on sorted arrays of document numbers; scoring is
BM25 computed over those arrays (the match set's own document frequency for
literals), with the article title and section heading counted above the
text and a proximity bonus for the best candidates; facet counts are
``bincount`` over each facet's distinct value combinations.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from html import escape

import numpy as np

from search.analysis import _jieba, fold
from search.highlight import group_spans, marked_html, merge, proximity, snippet
from search.index import Meta, open_index
from search.model import Article, Paragraph
from search.postings import EMPTY_IDS, POSTINGS_CACHE, ArrayLRU, Postings
from search.query import AllOf, AnyOf, Literal, Phrase, Query, Token, parse
from search.results import BadRequest, FacetValue, Hit, SearchRequest, SearchResult
from search.synonyms import Synonyms

K1, B = 1.2, 0.75
TITLE_WEIGHT = 0.6  # share of a word's idf earned by standing in the title/heading
SYNONYM_WEIGHT = 0.6  # a word found through a synonym, against the word typed
RERANK = 60  # best candidates re-scored for proximity
MAX_CHAR_TERMS = 2000  # bigrams unioned for a one-character literal
LITERAL_CACHE = 8_000_000  # documents held by the cache of literals' matches (8 bytes each)
FACETS = ("province", "year", "measure")
_YEAR_BITS = 64


@dataclass
class FacetColumn:
    """One facet: each document's combination id and what each combination holds."""

    combo: np.ndarray  # per docnum, index into masks
    masks: np.ndarray  # distinct bit masks (int64)
    bits: np.ndarray  # (len(masks), 64) 0/1 matrix

    @classmethod
    def from_masks(cls, per_doc: np.ndarray) -> "FacetColumn":
        masks, combo = np.unique(per_doc, return_inverse=True)
        shifts = np.arange(64, dtype=np.uint64)
        bits = ((masks.astype(np.uint64)[:, None] >> shifts) & np.uint64(1)).astype(np.int64)
        return cls(combo.astype(np.int32), masks, bits)

    def allows(self, docs: np.ndarray, selected_bits: int) -> np.ndarray:
        """Which of ``docs`` hold any selected value."""
        sel = np.int64(selected_bits - (1 << 64) if selected_bits >= (1 << 63) else selected_bits)
        ok = (self.masks & sel) != 0
        return ok[self.combo[docs]]

    def counts(self, docs: np.ndarray) -> np.ndarray:
        """How many of ``docs`` hold each bit (64 counts)."""
        per_combo = np.bincount(self.combo[docs], minlength=len(self.masks))
        return per_combo @ self.bits


class Snapshot:
    """One generation of the index, opened, with its arrays."""

    def __init__(self, ix, meta: Meta, cache: ArrayLRU | None = None):
        self.ix, self.meta = ix, meta
        self.generation = ix.latest_generation()
        self.searcher = ix.searcher()
        self.reader = self.searcher.reader()
        self.postings = Postings(self.reader, cache)
        p = self.postings
        self.live = p.live_mask()
        self.n_live = int(self.live.sum())
        self.day = p.numeric_column("day", "i").astype(np.int32)
        self.text_len = p.field_lengths("text")
        live_len = self.text_len[self.live]
        self.avg_len = float(live_len.mean()) if len(live_len) else 1.0
        self.facets = {
            "province": FacetColumn.from_masks(p.numeric_column("province_mask", "q")),
            "year": FacetColumn.from_masks(p.numeric_column("year_mask", "q")),
            "measure": FacetColumn.from_masks(p.numeric_column("measure_mask", "q")),
        }
        self.all_live = np.flatnonzero(self.live).astype(np.int32)
        # each article's first paragraph, newest article first (undated last)
        heads = np.flatnonzero(self.live & (p.numeric_column("para_no", "i") == 1))
        day = self.day[heads].astype(np.int64)
        self.article_heads = heads[np.lexsort((heads, -day, day == 0))]
        self.lock = threading.RLock()
        # literals' matches (after position checks), bounded like the postings cache
        self._literal_cache = ArrayLRU(LITERAL_CACHE)

    def close(self) -> None:
        self.searcher.close()

    def date_order(self, oldest_first: bool) -> np.ndarray:
        """Every live document by date (undated last), then index order."""
        key = "_order_asc" if oldest_first else "_order_desc"
        order = getattr(self, key, None)
        if order is None:
            docs = self.all_live
            day = self.day[docs].astype(np.int64)
            order = docs[np.lexsort((docs, day if oldest_first else -day, day == 0))]
            setattr(self, key, order)
        return order

    def stored(self, docnum: int) -> dict:
        return self.reader.stored_fields(int(docnum))


class Searcher:
    """Searches one index folder; the Python API the CLI and web app share."""

    def __init__(self, index_dir: str, synonyms: Synonyms | None = None):
        self.index_dir = str(index_dir)
        self.synonyms = synonyms or Synonyms()
        ix, meta = open_index(self.index_dir)
        self._postings_cache = ArrayLRU(POSTINGS_CACHE)  # per segment: outlives snapshots
        self._snap = Snapshot(ix, meta, self._postings_cache)
        _jieba()  # load the dictionary now, not in the first search
        self._swap_lock = threading.Lock()
        self._checked = time.monotonic()

    # -- life cycle -----------------------------------------------------------

    def refresh(self, min_interval: float = 0.5) -> bool:
        """Open the newest committed state if the index changed."""
        now = time.monotonic()
        if now - self._checked < min_interval:
            return False
        self._checked = now
        snap = self._snap
        try:
            if snap.ix.latest_generation() == snap.generation:
                return False
            ix, meta = open_index(self.index_dir)
            new = Snapshot(ix, meta, self._postings_cache)
        except Exception:
            return False  # keep serving the state we have
        with self._swap_lock:
            self._snap = new
        return True

    def close(self) -> None:
        self._snap.close()

    @cached_property
    def measure_labels(self) -> dict[str, str]:
        from search.ingest import load_measures

        return {m.key: m.label for m in load_measures()}

    @property
    def provinces(self) -> list[str]:
        return list(self._snap.meta.provinces)

    def stats(self) -> dict:
        snap = self._snap
        return {"documents": int(len(snap.article_heads)), "paragraphs": snap.n_live}

    # -- searching --------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        t0 = time.perf_counter()
        snap = self._snap
        selected = self._selected_bits(snap, req)
        query = parse(req.q, self.synonyms)
        with snap.lock:
            matches = self._match(snap, query)
            filters = {f: snap.facets[f].allows(matches, bits) for f, bits in selected.items()}
            keep = np.ones(len(matches), dtype=bool)
            for ok in filters.values():
                keep &= ok
            hits_docs = matches[keep]
            facets = self._facets(snap, req, matches, filters, selected)
            order, scores = self._rank(snap, query, hits_docs, req)
            hits = [self._hit(snap, d, s, query) for d, s in zip(order, scores)]
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(request=req, total=int(len(hits_docs)), took_ms=took, hits=hits, facets=facets)

    def _selected_bits(self, snap: Snapshot, req: SearchRequest) -> dict[str, int]:
        unknown = [m for m in req.measure if m not in self.measure_labels and m not in snap.meta.measures]
        if unknown:
            raise BadRequest(f"unknown measure {unknown[0]!r}; known: " + ", ".join(self.measure_labels))
        out: dict[str, int] = {}
        if req.province:
            names = {p: i for i, p in enumerate(snap.meta.provinces)}
            out["province"] = _bits(names.get(province_name(p)) for p in req.province)
        if req.year:
            out["year"] = _bits((y - snap.meta.year_base) if 0 <= y - snap.meta.year_base < _YEAR_BITS else None
                                for y in req.year)
        if req.measure:
            keys = {k: i for i, k in enumerate(snap.meta.measures)}
            out["measure"] = _bits(keys.get(m) for m in req.measure)
        return out

    # matching -------------------------------------------------------------------

    def _match(self, snap: Snapshot, query: Query) -> np.ndarray:
        if not query.must:
            docs = snap.all_live
        else:
            docs = None
            for node in query.must:
                ids = self._eval(snap, node)
                docs = ids if docs is None else intersect_sorted(docs, ids)
                if len(docs) == 0:
                    break
            docs = docs[snap.live[docs]]
        for node in query.must_not:
            if len(docs):
                docs = np.setdiff1d(docs, self._eval(snap, node), assume_unique=True)
        return docs.astype(np.int32)

    def _eval(self, snap: Snapshot, node) -> np.ndarray:
        if isinstance(node, Literal):
            return self._literal(snap, node.text)[0]
        if isinstance(node, Token):
            return self._token(snap, node.text)[0]
        if isinstance(node, AnyOf):
            parts = [self._eval(snap, n) for n in node.options]
            return np.unique(np.concatenate(parts)) if parts else EMPTY_IDS
        if isinstance(node, AllOf):
            docs = None
            for n in node.parts:
                ids = self._eval(snap, n)
                docs = ids if docs is None else intersect_sorted(docs, ids)
            return docs if docs is not None else EMPTY_IDS
        if isinstance(node, Phrase):
            return self._phrase(snap, node)
        return EMPTY_IDS

    def _literal(self, snap: Snapshot, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents whose text, title or heading holds ``text`` (folded),
        with how often the text holds it (0 where only the title does)."""
        hit = snap._literal_cache.get(text)
        if hit is None:
            ids, tf = self._literal_in(snap.postings, "grams", "text", text)
            hit = _with_title_only(ids, tf, self._in_titles(snap, text))
            snap._literal_cache.put(text, hit)
        return hit

    def _token(self, snap: Snapshot, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding a latin word or number in the text or title."""
        ids, tf = snap.postings.ids_tf("text", text)
        return _with_title_only(ids, tf, snap.postings.ids_tf("title", text)[0])

    def _in_titles(self, snap: Snapshot, text: str) -> np.ndarray:
        """Documents whose article title or section heading holds ``text``."""
        key = ("title", text)
        hit = snap._literal_cache.get(key)
        if hit is None:
            hit = self._literal_in(snap.postings, "tgrams", "title", text)[0]
            snap._literal_cache.put(key, hit)
        return hit

    @staticmethod
    def _literal_in(p: Postings, grams: str, words: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents whose ``grams`` field holds ``text`` literally, and how
        often; ``words`` is the word field of the same text."""
        n = len(text)
        if n == 1:
            # A lone character: where jieba made it a word, or where a bigram
            # starts with it (the end of a run of characters is not covered:
            # the literal guarantee is for two characters or more).
            terms = p.terms_with_prefix(grams, text, MAX_CHAR_TERMS)
            parts = [p.ids_tf(grams, t)[0] for t in terms] + [p.ids_tf(words, text)[0]]
            ids = np.unique(np.concatenate(parts)).astype(np.int32)
            return ids, np.ones(len(ids), dtype=np.float32)
        if n == 2:
            return p.ids_tf(grams, text)
        # candidates hold every bigram of the text (rarest first: the middle
        # bigrams of a compound are often far rarer than its parts); the
        # positions of every other bigram then confirm the literal
        lists = sorted((p.ids_tf(grams, g)[0] for g in dict.fromkeys(text[i:i + 2] for i in range(n - 1))), key=len)
        cand = lists[0]
        for ids in lists[1:]:
            if len(cand) == 0:
                break
            cand = intersect_sorted(cand, ids)
        if len(cand) == 0:
            return EMPTY_IDS, np.zeros(0, dtype=np.float32)
        offsets = sorted(set(range(0, n - 1, 2)) | {n - 2})
        # documents where jieba made the whole string one word need no check
        word_ids, word_tf = p.ids_tf(words, text)
        sure = np.isin(cand, word_ids, assume_unique=True)
        tf = np.ones(len(cand), dtype=np.float32)
        if len(word_ids):
            tf[sure] = word_tf[np.searchsorted(word_ids, cand[sure])]
        check = cand[~sure]
        if len(check) == 0:
            return cand, tf
        pos = [p.positions(grams, text[off:off + 2], check) for off in offsets]
        found = np.zeros(len(check), dtype=bool)
        counts = np.ones(len(check), dtype=np.float32)
        for i, d in enumerate(check.tolist()):
            starts = set(pos[0].get(d, ()))
            for k, off in enumerate(offsets[1:], 1):
                starts &= {q - off for q in pos[k].get(d, ())}
                if not starts:
                    break
            if starts:
                found[i] = True
                counts[i] = len(starts)
        keep = sure.copy()
        keep[~sure] = found
        tf[~sure] = counts
        return cand[keep], tf[keep]

    def _phrase(self, snap: Snapshot, node: Phrase) -> np.ndarray:
        docs = None
        for part in node.parts:
            ids = self._eval(snap, part)
            docs = ids if docs is None else intersect_sorted(docs, ids)
            if len(docs) == 0:
                return EMPTY_IDS
        docs = docs[snap.live[docs]]
        def holds(f) -> bool:
            title = " ".join(x for x in (f["data"]["doc_title"], f["data"]["heading"]) if x)
            return any(node.text in " ".join(fold(t).split()) for t in (f["text"], title))

        keep = [d for d in docs.tolist() if holds(snap.stored(d))]
        return np.asarray(keep, dtype=np.int32)

    # ranking ------------------------------------------------------------------

    def _rank(self, snap: Snapshot, query: Query, docs: np.ndarray, req: SearchRequest):
        first = (req.page - 1) * req.size
        last = first + req.size
        if first >= len(docs):
            return [], []
        leaves = query.positive_leaves()
        if not leaves:  # browsing: by date, from an order made once per snapshot
            ordered = snap.date_order(req.sort == "date_asc")
            if len(docs) < len(ordered):
                wanted = np.zeros(len(snap.live), dtype=bool)
                wanted[docs] = True
                ordered = ordered[wanted[ordered]]
            chosen = ordered[first:last]
            return chosen.tolist(), [0.0] * len(chosen)
        scores = self._bm25(snap, query, docs)
        if req.sort in ("date_desc", "date_asc"):
            day = snap.day[docs].astype(np.int64)
            undated = day == 0
            key_day = np.where(undated, 0, day if req.sort == "date_asc" else -day)
            # undated last, then by date, then by score, then in index order
            order = np.lexsort((docs, -scores, key_day, undated))
            chosen = order[first:last]
            return docs[chosen].tolist(), scores[chosen].tolist()
        want = max(last, RERANK)
        if want < len(docs):  # every document tied with the last one wanted, so pages never overlap
            cutoff = np.partition(-scores, want - 1)[want - 1]
            top = np.flatnonzero(-scores <= cutoff)
        else:
            top = np.arange(len(docs))
        top = top[np.lexsort((docs[top], -scores[top]))][:want]
        boosted = self._proximity(snap, query, leaves, docs[top[:RERANK]], scores[top[:RERANK]])
        head = sorted(zip(boosted, top[:RERANK].tolist()), key=lambda t: (-t[0], int(docs[t[1]])))
        ranked = [(s, i) for s, i in head] + [(float(scores[i]), i) for i in top[RERANK:].tolist()]
        ranked = ranked[first:last]
        return [int(docs[i]) for _, i in ranked], [s for s, _ in ranked]

    def _bm25(self, snap: Snapshot, query: Query, docs: np.ndarray) -> np.ndarray:
        """BM25 of the required parts of the query, summed."""
        norm = K1 * (1 - B + B * snap.text_len[docs] / snap.avg_len)
        scores = np.zeros(len(docs), dtype=np.float32)
        for node in query.must:
            scores += self._score(snap, node, docs, norm)
        return scores

    def _score(self, snap: Snapshot, node, docs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """A word scores BM25 over its matches, plus a share of its idf where
        the title or heading holds it; alternatives score their best, and
        words found only through a synonym count less than the word typed."""
        if isinstance(node, AnyOf):
            best = None
            for i, option in enumerate(node.options):
                s = self._score(snap, option, docs, norm)
                if node.expanded and i:
                    s *= SYNONYM_WEIGHT
                best = s if best is None else np.maximum(best, s)
            return best
        if isinstance(node, (AllOf, Phrase)):
            return sum((self._score(snap, n, docs, norm) for n in node.parts),
                       np.zeros(len(docs), dtype=np.float32))
        ids, tf = self._literal(snap, node.text) if isinstance(node, Literal) else self._token(snap, node.text)
        if len(ids) == 0:
            return np.zeros(len(docs), dtype=np.float32)
        n = max(snap.n_live, 1)
        df = min(len(ids), n)  # posting lists still hold deleted paragraphs until their segment is merged
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        idx = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
        f = np.where(ids[idx] == docs, tf[idx], 0).astype(np.float32)
        return idf * f * (K1 + 1) / (f + norm) + TITLE_WEIGHT * idf * self._in_title(snap, node, docs)

    def _in_title(self, snap: Snapshot, leaf, docs: np.ndarray) -> np.ndarray:
        if isinstance(leaf, Literal):
            ids = self._in_titles(snap, leaf.text)
        else:
            ids = snap.postings.ids_tf("title", leaf.text)[0]
        if len(ids) == 0:
            return np.zeros(len(docs), dtype=np.float32)
        idx = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
        return (ids[idx] == docs).astype(np.float32)

    def _proximity(self, snap, query: Query, leaves, docs, scores) -> list[float]:
        whole = "".join(fold(query.raw).split())
        out = []
        for d, s in zip(docs.tolist(), scores.tolist()):
            folded = fold(snap.stored(d)["text"])
            bonus = 0.5 * proximity(folded, leaves)
            if len(leaves) > 1 and whole and whole in folded:
                bonus += 0.5
            out.append(float(s) * (1 + bonus))
        return out

    # facets ---------------------------------------------------------------------

    def _facets(self, snap, req, matches, filters, selected) -> dict[str, list[FacetValue]]:
        out = {}
        for name in FACETS:
            keep = np.ones(len(matches), dtype=bool)
            for other, ok in filters.items():
                if other != name:
                    keep &= ok
            counts = snap.facets[name].counts(matches[keep])
            out[name] = self._facet_values(snap, name, counts, req)
        return out

    def _facet_values(self, snap, name, counts, req) -> list[FacetValue]:
        values = []
        for bit in np.flatnonzero(counts).tolist():
            c = int(counts[bit])
            if name == "province" and bit < len(snap.meta.provinces):
                v = snap.meta.provinces[bit]
                values.append(FacetValue(v, c, v in {province_name(p) for p in req.province}))
            elif name == "year":
                v = snap.meta.year_base + bit
                values.append(FacetValue(v, c, v in req.year))
            elif name == "measure" and bit < len(snap.meta.measures):
                v = snap.meta.measures[bit]
                values.append(FacetValue(v, c, v in req.measure, self.measure_labels.get(v, v)))
        values.sort(key=lambda fv: (-fv.count, str(fv.value)))
        return values

    # hits -------------------------------------------------------------------------

    def _hit(self, snap, docnum: int, score: float, query: Query) -> Hit:
        f = snap.stored(docnum)
        data = f["data"]
        text = f["text"]
        snip = snippet(text, fold(text), query.mark_groups())
        return Hit(
            doc_id=f["doc_id"], para_id=f["para_id"], para_no=data["para_no"], title=data["doc_title"],
            source=data["source"], date=data["date"], url=f"/docs/{f['doc_id']}#p{data['para_no']}",
            heading=data["heading"], province=data["province"], years=data["years"],
            measures=data["measures"], text=text, snippet=snip, score=float(score),
        )

    # articles -----------------------------------------------------------------------

    def article(self, doc_id: str) -> Article | None:
        snap = self._snap
        with snap.lock:
            ids = [d for d in snap.postings.ids_tf("doc_id", doc_id)[0].tolist() if snap.live[d]]
            stored = [snap.stored(d) for d in ids]
        if not stored:
            return None
        stored.sort(key=lambda f: f["data"]["para_no"])
        d0 = stored[0]["data"]
        return Article(
            doc_id=doc_id, title=d0["doc_title"], source=d0["source"], date=d0["date"], url=d0["url"],
            path=stored[0].get("path"), province=d0["doc_province"],
            paragraphs=[Paragraph(para_no=f["data"]["para_no"], text=f["text"], heading=f["data"]["heading"],
                                  province=f["data"]["province"], years=f["data"]["years"],
                                  measures=f["data"]["measures"]) for f in stored],
        )

    def articles(self, page: int = 1, size: int = 10) -> tuple[int, list[dict]]:
        """Articles, newest first (undated last), a page at a time."""
        snap = self._snap
        out = []
        with snap.lock:
            for docnum in snap.article_heads[(page - 1) * size: page * size].tolist():
                f = snap.stored(docnum)
                d = f["data"]
                out.append({"doc_id": f["doc_id"], "title": d["doc_title"], "source": d["source"],
                            "date": d["date"], "province": d["doc_province"], "paragraphs": d["n_paragraphs"]})
        return int(len(snap.article_heads)), out

    def mark(self, text: str, q: str) -> str:
        """The text, escaped, with the query's matches marked (article page)."""
        groups = parse(q, self.synonyms).mark_groups() if q else []
        if not groups:
            return escape(text, quote=False)
        spans = group_spans(fold(text), groups)
        return marked_html(text, merge([sp for group in spans for sp in group]))


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elements of both sorted, duplicate-free arrays: the shorter is looked
    up in the longer (``np.intersect1d`` would sort both together)."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _with_title_only(ids, tf, title_ids) -> tuple[np.ndarray, np.ndarray]:
    """Text matches (docnums, term frequency) joined by the documents that
    match by title or heading only, with a text frequency of 0."""
    extra = np.setdiff1d(title_ids, ids, assume_unique=True)
    if len(extra) == 0:
        return ids, tf
    order = np.argsort(np.concatenate([ids, extra]), kind="stable")
    return (np.concatenate([ids, extra])[order].astype(np.int32),
            np.concatenate([tf, np.zeros(len(extra), dtype=np.float32)])[order])


def province_name(value: str) -> str:
    """What users type for a province, as the short simplified name."""
    v = fold(value.strip())
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if v.endswith(suffix) and len(v) > len(suffix) + 1:
            return v[: -len(suffix)]
    return v


def _bits(indices) -> int:
    m = 0
    for i in indices:
        if i is not None and 0 <= i < 64:
            m |= 1 << i
    return m
