#!/usr/bin/env python3
"""What the related words (相关词, ``GET /api/terms``) cost, stage by stage,
on an index that exists (the real archive, or a bench run's):

    .venv/bin/python bench/terms.py /tmp/xw/index 的 中国 发展 扶贫

For each query: its hits, the hits read (``terms.SAMPLE`` at most), the
first run in this process and the median of ``--rounds`` warm runs of
``Searcher.terms`` whole; then the warm median of each stage (matching,
reading the sample's records, cutting their words, looking up the words'
archive counts and scoring).  Only the matching grows with the hits and
the archive; the other stages read a sample of fixed size."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.engine import facet_counts  # noqa: E402
from search.engine import terms as related  # noqa: E402
from search.engine.matching import Matcher  # noqa: E402
from search.engine.results import SearchRequest  # noqa: E402
from search.engine.searcher import Searcher, _matching, _passing  # noqa: E402
from search.text.analysis import fold, han_words  # noqa: E402


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def stages(searcher: Searcher, q: str) -> dict[str, float]:
    req = SearchRequest(q=q)
    out = {}
    with searcher._pinned() as snap:
        t = time.perf_counter()
        m = Matcher(snap)
        matches = _matching(snap, m, searcher.query(q), req)
        docs = _passing(matches, facet_counts.filter_masks(snap.facets, req, matches))
        out["match"] = ms(t)
        t = time.perf_counter()
        texts = [r.text for r in snap.reader.stored_many(related.sample(docs).tolist())]
        out["read"] = ms(t)
        t = time.perf_counter()
        held = Counter()
        for text in texts:
            held.update(set(han_words(fold(text))))
        out["words"] = ms(t)
        t = time.perf_counter()
        related.significant(texts, len(docs), snap.n_live,
                            lambda ws: snap.postings.doc_freqs("text", ws), set())
        out["whole significant()"] = ms(t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("queries", nargs="+")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    searcher = Searcher(args.index)
    print(f"{searcher.stats()}")
    print("| query | hits | read | first run ms | warm p50 ms | warm max ms | match | read | words | significant() |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for q in args.queries:
        req = SearchRequest(q=q)
        t = time.perf_counter()
        found = searcher.terms(req)
        first = ms(t)
        warm = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            searcher.terms(req)
            warm.append(ms(t))
        parts = [stages(searcher, q) for _ in range(args.rounds)]
        med = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
        print(f"| {q} | {found.hits:,} | {found.read:,} | {first:.0f} | {statistics.median(warm):.0f} | "
              f"{max(warm):.0f} | {med['match']:.0f} | {med['read']:.0f} | {med['words']:.0f} | "
              f"{med['whole significant()']:.0f} |")


if __name__ == "__main__":
    main()
