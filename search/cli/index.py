"""``zhsearch index [SOURCE ...] [--index DIR] [--rebuild]``."""

from __future__ import annotations

import sys

from search.cli import default_sources, exits, fail
from search.indexing import build_index
from search.store import IndexLocked, IndexUnavailable


def run(args) -> int:
    try:
        summary = build_index(args.sources or default_sources(), args.index, rebuild=args.rebuild,
                              procs=args.procs, progress=sys.stderr.isatty())
    except IndexLocked as e:
        return fail(str(e), exits.BUSY)
    except IndexUnavailable as e:
        return fail(str(e), exits.NO_INDEX)
    for path, reason in summary.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    for path in summary.list_pages:
        print(f"skipped: {path}: a list page (links, no article)", file=sys.stderr)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(summary.line())
    return exits.PARTIAL if summary.failures else exits.OK
