#!/usr/bin/env python3
"""How many paragraphs of an index are nearly, but not exactly, the same
text as a paragraph of another article: the figures behind the decision
on near-duplicate reprints (docs/architecture.md, "Reprints").

    .venv/bin/python bench/near_duplicates.py /tmp/xw/index [--threshold 0.9] [--examples 40]

Every live paragraph of 30 normalized characters or more (what the exact
groups take, ``search.text.fingerprint``) is reduced to its distinct
normalized texts; each gets a MinHash of its character 5-shingles (64
hashes, universal hashing of a rolling hash of the code points), the
signatures are banded (8 bands of 8 rows: a pair of Jaccard 0.9 is a
candidate with probability 0.999, one of 0.5 with 0.03), and every
candidate pair is checked by its exact Jaccard.  Pairs are counted where
the two texts stand in different articles.  Prints the counts by Jaccard,
how the pairs differ (numbers only, a few characters, a longer insertion),
how far apart their articles were published, and examples as diffs."""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.store import Index  # noqa: E402
from search.text.fingerprint import MIN_CHARS, normalized  # noqa: E402

K = 5  # characters a shingle
HASHES, BANDS = 64, 8
ROWS = HASHES // BANDS
PRIME = np.uint64(4294967311)  # above 2**32: universal hashing of 32-bit shingle hashes


def shingles(norm: str) -> np.ndarray:
    """The distinct 32-bit hashes of ``norm``'s character K-grams."""
    cp = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(len(cp) - K + 1, dtype=np.uint64)
    for i in range(K):  # a polynomial hash of the K code points, kept to 32 bits
        h = (h * np.uint64(1_000_003) + cp[i:len(cp) - K + 1 + i]) & np.uint64(0xFFFFFFFF)
    return np.unique(h)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--examples", type=int, default=40)
    args = ap.parse_args()
    t0 = time.perf_counter()
    reader = Index.open(args.index).reader()
    texts: dict[str, list] = {}  # normalized text -> [(doc_id, date, para_id)]
    n_para = 0
    for rec in reader.iter_stored():
        n_para += 1
        norm = normalized(rec.text)
        if len(norm) >= MIN_CHARS:
            texts.setdefault(norm, []).append((rec.doc_id, rec.date or "", rec.para_id))
    norms = list(texts)
    print(f"{n_para:,} paragraphs, {sum(len(v) for v in texts.values()):,} of {MIN_CHARS}+ normalized characters, "
          f"{len(norms):,} distinct texts ({time.perf_counter() - t0:.0f} s)")
    rng = np.random.default_rng(0)
    a = rng.integers(1, 2**32, HASHES, dtype=np.uint64)
    b = rng.integers(0, 2**32, HASHES, dtype=np.uint64)
    sig = np.empty((len(norms), HASHES), dtype=np.uint64)
    sets = []
    t1 = time.perf_counter()
    for i, norm in enumerate(norms):
        s = shingles(norm)
        sets.append(s)
        sig[i] = ((s[:, None] * a[None, :] + b[None, :]) % PRIME).min(axis=0)
    print(f"MinHash of {len(norms):,} texts: {time.perf_counter() - t1:.0f} s "
          f"({(time.perf_counter() - t1) / len(norms) * 1e6:.0f} µs a text)")
    t2 = time.perf_counter()
    candidates: set[tuple[int, int]] = set()
    big = 0
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        cols = sig[:, band * ROWS:(band + 1) * ROWS]
        for i in range(len(norms)):
            buckets[cols[i].tobytes()].append(i)
        for ids in buckets.values():
            if len(ids) > 1:
                if len(ids) > 200:
                    big += 1
                    continue  # a bucket of boilerplate: counted apart
                candidates.update((x, y) for j, x in enumerate(ids) for y in ids[j + 1:])
    print(f"LSH: {len(candidates):,} candidate pairs, {big} buckets of over 200 texts skipped "
          f"({time.perf_counter() - t2:.0f} s)")
    pairs = []
    for x, y in candidates:
        inter = len(np.intersect1d(sets[x], sets[y], assume_unique=True))
        j = inter / (len(sets[x]) + len(sets[y]) - inter)
        docs_x, docs_y = {d for d, _, _ in texts[norms[x]]}, {d for d, _, _ in texts[norms[y]]}
        if len(docs_x | docs_y) > 1:  # not one article repeating itself
            pairs.append((j, x, y))
    bins = Counter()
    for j, _, _ in pairs:
        bins["≥0.95" if j >= 0.95 else "0.90-0.95" if j >= 0.9 else "0.80-0.90" if j >= 0.8 else "<0.80"] += 1
    print("pairs of distinct texts in different articles, by Jaccard of 5-shingles:", dict(sorted(bins.items())))
    near = [(j, x, y) for j, x, y in pairs if j >= args.threshold]
    paras = set()
    for _, x, y in near:
        paras.update(p for _, _, p in texts[norms[x]] + texts[norms[y]])
    exact_paras = sum(len(v) for v in texts.values() if len({d for d, _, _ in v}) > 1)
    print(f"J ≥ {args.threshold}: {len(near):,} pairs, {len(paras):,} paragraphs "
          f"({len(paras) / n_para:.2%} of all); exact groups already join {exact_paras:,} paragraphs")
    kinds, gaps, week = Counter(), Counter(), Counter()
    for j, x, y in near:
        kind = kind_of(norms[x], norms[y])
        kinds[kind] += 1
        dx = min(d for _, d, _ in texts[norms[x]]) or "?"
        dy = min(d for _, d, _ in texts[norms[y]]) or "?"
        gaps[gap(dx, dy)] += 1
        if gap(dx, dy) in ("0 same day", "1-7"):
            week[kind] += 1
    print("how they differ:", dict(kinds.most_common()))
    print("days between their first publications:", dict(sorted(gaps.items())))
    print("of those within a week, how they differ:", dict(week.most_common()))
    random.Random(0).shuffle(near)
    for j, x, y in near[:args.examples]:
        print(f"\n--- J={j:.3f} {kind_of(norms[x], norms[y])}: {texts[norms[x]][0][2]} {texts[norms[x]][0][1]} "
              f"| {texts[norms[y]][0][2]} {texts[norms[y]][0][1]}")
        print(diff(norms[x], norms[y]))


LEAD = 12  # characters of a paragraph's head where a quotation's attribution stands


def kind_of(p: str, q: str) -> str:
    """What separates two normalized texts: only digits (or numbers
    written in characters), only the first ``LEAD`` characters (the
    attribution of a quotation), a few characters (at most 3 changed, in at
    most 2 places), a span of 10 or more inserted or removed, or else
    several edits."""
    ops = [op for op in difflib.SequenceMatcher(None, p, q, autojunk=False).get_opcodes() if op[0] != "equal"]
    changed = [p[i1:i2] + q[j1:j2] for _, i1, i2, j1, j2 in ops]
    if all(re.fullmatch(r"[0-9.]*", c) for c in changed):
        return "numbers"
    if all(re.fullmatch(r"[〇一二三四五六七八九十百0-9.]*", c) for c in changed):
        return "numbers in words"
    if all(i2 <= LEAD and j2 <= LEAD for _, i1, i2, j1, j2 in ops):
        return "the lead-in only"  # 习近平指出 / 文章强调 / 全会认为 before the same words
    if len(ops) <= 2 and sum(len(c) for c in changed) <= 3:
        return "a few characters"
    if any(tag in ("insert", "delete") and max(i2 - i1, j2 - j1) >= 10 for tag, i1, i2, j1, j2 in ops):
        return "a span added or dropped"
    return "several edits"


def gap(d1: str, d2: str) -> str:
    if "?" in (d1, d2):
        return "undated"
    from datetime import date

    days = abs((date.fromisoformat(d1[:10]) - date.fromisoformat(d2[:10])).days)
    return "0 same day" if days == 0 else "1-7" if days <= 7 else "8-365" if days <= 365 else ">365"


def diff(p: str, q: str) -> str:
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, p, q, autojunk=False).get_opcodes():
        out.append(p[i1:i2] if tag == "equal" else f"[-{p[i1:i2]}-]{{+{q[j1:j2]}+}}")
    return "".join(out)


if __name__ == "__main__":
    main()
