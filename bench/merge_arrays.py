"""Time and memory of merging an index's segments' arrays files (.zpa) into
one, as ``zhsearch index`` and Whoosh's merges do: the merge of today
(``search.store.postings.merge_arrays``) or the per-term merge it replaced
(kept as the spec in tests/test_merge_arrays.py).

    python bench/merge_arrays.py new|old INDEX OUT [--delete-every N]

Reads INDEX's segments (never writes there): OUT gets links to their
arrays files and the merged file, ``merged_<new|old>.zpa`` (compare the two
with ``cmp``).  Peak RSS: run it under ``/usr/bin/time -v``."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from whoosh import index as windex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from search.store import arrays  # noqa: E402
from search.store.postings import merge_arrays  # noqa: E402


class Folder:
    def __init__(self, folder: str):
        self.folder = folder


class Merged:
    def __init__(self, name: str):
        self.name = name

    def make_filename(self, ext):
        return self.name + ext


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("way", choices=["new", "old"])
    ap.add_argument("index")
    ap.add_argument("out")
    ap.add_argument("--delete-every", type=int, default=0, help="delete every Nth document of each segment")
    a = ap.parse_args()
    segs = windex.open_dir(a.index, indexname="MAIN")._segments()
    os.makedirs(a.out, exist_ok=True)
    for s in segs:
        link = os.path.join(a.out, arrays.file_name(s))
        if not os.path.exists(link):
            os.symlink(os.path.abspath(os.path.join(a.index, arrays.file_name(s))), link)
    sources, base = [], 0
    for s in segs:
        n = s.doc_count_all()
        deleted = frozenset(range(0, n, a.delete_every)) if a.delete_every else frozenset()
        sources.append((s, base, deleted))
        base += n - len(deleted)
    t0, c0 = time.perf_counter(), time.process_time()
    if a.way == "old":
        from test_merge_arrays import _reference_merge
        _reference_merge(Folder(a.out), Merged("merged_old"), sources)
    else:
        merge_arrays(Folder(a.out), Merged("merged_new"), sources)
    print(f"{a.way}: {len(segs)} segments, {base} documents: wall {time.perf_counter() - t0:.2f} s, "
          f"CPU {time.process_time() - c0:.2f} s, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
