"""``zhsearch export --opensearch DIR``."""

from __future__ import annotations

import os

from search.cli import exits, fail
from search.store import IndexUnavailable


def run(args) -> int:
    from search.export import export

    try:
        info = export(args.index, args.opensearch)
    except IndexUnavailable as e:
        return fail(str(e), exits.NO_INDEX)
    print(f"exported {info['paragraphs']} paragraphs to {os.path.join(args.opensearch, 'mapping.json')} "
          f"and {len(info['files'])} bulk file(s)")
    return exits.OK
