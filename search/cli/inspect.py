"""``zhsearch inspect PATH ... [--json]``."""

from __future__ import annotations


def run(args) -> int:
    from search.inspect import run as inspect

    return inspect(args.paths, as_json=args.json)
