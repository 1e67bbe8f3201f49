"""``zhsearch check [--index DIR]``: verify the index as ``serve`` does at
start, and every file's checksum and every stored record besides."""

from __future__ import annotations

from search.cli import exits


def run(args) -> int:
    from search.store import Index

    index = Index.open(args.index)  # IndexUnavailable: one line, exit 4 (search.cli.main)
    files = index.check(full=True)
    snapshot_ok = _open_as_serve_does(args.index)
    print(f"{args.index}: ok ({files} files checked, {snapshot_ok} paragraphs)")
    return exits.OK


def _open_as_serve_does(index_dir: str) -> int:
    from search.engine.searcher import Searcher

    s = Searcher(index_dir)
    try:
        return s.stats()["paragraphs"]
    finally:
        s.close()
