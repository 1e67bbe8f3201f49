#!/usr/bin/env python3
"""What ``serve``'s checks of the files it serves cost, on an index a
bench run left (``search.store.integrity.Served``):

    .venv/bin/python bench/verify.py bench/corpus/index-p100000

Opening without and with the checksum of every file (three rounds,
interleaved), one pass unpaced and one at the background's pace, the
size checks, and search latency alone and during a paced pass."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.engine.results import SearchRequest  # noqa: E402
from search.engine.searcher import VERIFY_PACE, Searcher  # noqa: E402
from search.store.integrity import Pace  # noqa: E402

QUERIES = ["扶贫", "就业 培训", '"扶贫车间"', "甘肃 OR 四川", "劳务输出"]


def timed(f):
    t0 = time.perf_counter()
    r = f()
    return r, time.perf_counter() - t0


def latency(s: Searcher, n: int = 150) -> tuple[float, float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        s.search(SearchRequest(q=QUERIES[i % len(QUERIES)], page=1 + i % 3))
        out.append((time.perf_counter() - t0) * 1000)
    out.sort()
    return round(statistics.median(out), 1), round(out[int(len(out) * 0.95)], 1)


def main(ix: str) -> None:
    print(f"{ix}: {sum(p.stat().st_size for p in Path(ix).iterdir())} bytes")
    for _ in range(3):
        s, plain = timed(lambda: Searcher(ix))
        s.close()
        s, serving = timed(lambda: Searcher(ix, serving=True))
        print(f"open: {plain:.2f} s; serving (every file's CRC-32): {serving:.2f} s")
        s.close()
    s = Searcher(ix, serving=True)
    files = s._snap.files
    n = sum(f["size"] for f in files.files.values())
    _, w = timed(files.checksums)
    print(f"a pass over {len(files.files)} files, {n} bytes: {w:.2f} s unpaced ({n / w / 1e6:.0f} MB/s)")
    _, w = timed(lambda: files.checksums(Pace(VERIFY_PACE)))
    print(f"a pass at the background's pace ({VERIFY_PACE >> 20} MB/s): {w:.2f} s")
    _, w = timed(lambda: [files.sizes() for _ in range(1000)])
    print(f"sizes(): {w * 1000:.0f} us; ", end="")
    _, w = timed(lambda: [s._snap.cut_short() for _ in range(10000)])
    print(f"cut_short(): {w * 100:.1f} us")
    latency(s, 50)
    for _ in range(2):
        alone = latency(s)
        t = threading.Thread(target=lambda: files.checksums(Pace(VERIFY_PACE)))
        t.start()
        during = latency(s)
        t.join()
        print(f"search p50/p95 ms: alone {alone}, during a paced pass {during}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/corpus/index-p100000")
