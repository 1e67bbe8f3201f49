"""``zhsearch serve [--index DIR] [--host H] [--port N] [--workers N]``."""

from __future__ import annotations

from search.cli import exits, fail
from search.store import IndexUnavailable


def run(args) -> int:
    from web.serve import run_server

    try:
        return run_server(args.index, host=args.host, port=args.port, threads=args.threads,
                          workers=args.workers, verify_every=args.verify_every)
    except IndexUnavailable as e:
        return fail(str(e), exits.NO_INDEX)
