"""``zhsearch search``: the API's search, printed for a person or as JSON."""

from __future__ import annotations

import json
import re
import sys

from search.index import IndexMissing, IndexVersionError
from search.results import BadRequest, request_from_params


def _terminal_marks(snippet_html: str, color: bool) -> str:
    from html import unescape

    on, off = ("\033[1;33m", "\033[0m") if color else ("【", "】")
    return unescape(re.sub(r"<mark>(.*?)</mark>", lambda m: on + m.group(1) + off, snippet_html))


def run_search(args) -> int:
    from search.searcher import Searcher

    params = {
        "q": [args.query],
        "province": args.province,
        "year": args.year,
        "measure": args.measure,
        "page": [str(args.page)],
        "size": [str(args.limit)],
        "sort": [args.sort],
    }
    try:
        req = request_from_params(lambda name: params.get(name, []))
        searcher = Searcher(args.index)
        result = searcher.search(req)
    except (BadRequest, IndexMissing, IndexVersionError) as e:
        print(f"zhsearch: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return 0
    color = sys.stdout.isatty()
    print(f"{result.total} paragraphs ({result.took_ms:.1f} ms)")
    for i, h in enumerate(result.hits, (req.page - 1) * req.size + 1):
        meta = " · ".join(x for x in (h.source, h.date, "、".join(h.province),
                                       "、".join(str(y) for y in h.years)) if x)
        print(f"\n{i}. {h.title}  [{h.para_id}]")
        if meta:
            print(f"   {meta}")
        print(f"   {_terminal_marks(h.snippet, color)}")
    return 0
