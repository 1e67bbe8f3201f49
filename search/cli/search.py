"""``zhsearch search QUERY``: the API's search, printed for a person or,
with ``--json``, as the API's own JSON (``search.present.serialize``), or every
hit as CSV or JSONL with ``--all --format`` (the rows of ``/api/export``)."""

from __future__ import annotations

import json
import re
import sys
from html import unescape

from search.cli import exits, fail
from search.facets import FACETS
from search.engine.results import BadRequest, request_from_params
from search.text.scrub import scrub
from search.store import REBUILD_HINT, IndexUnavailable


def _terminal_marks(snippet_html: str, color: bool) -> str:
    on, off = ("\033[1;33m", "\033[0m") if color else ("【", "】")
    return unescape(re.sub(r"<mark>(.*?)</mark>", lambda m: on + m.group(1) + off, snippet_html))


def run(args) -> int:
    from search.engine.searcher import Searcher
    from search.present.serialize import paragraph_tags, search_json
    from search.present.urls import Urls

    if args.all and not args.format:
        return fail("--all needs --format csv, jsonl, ris or bibtex", exits.USAGE)
    params = {"q": [args.query], "page": [args.page], "size": [args.limit], "sort": [args.sort],
              "explain": ["1" if args.explain else ""], "group": [args.group or ""],
              "collapse": [args.collapse or ""]}
    params.update({f.name: getattr(args, f.name) for f in FACETS})
    for f in FACETS:
        if f.ranged:
            params.update({name: [getattr(args, name)] for name in f.range_params if getattr(args, name)})
    try:
        req = request_from_params(lambda name: params.get(name, []))
    except BadRequest as e:
        return fail(str(e), exits.USAGE)
    try:
        searcher = Searcher(args.index)
    except IndexUnavailable as e:
        return fail(str(e), exits.NO_INDEX)
    if searcher.stats()["paragraphs"] == 0:
        return fail(f"the index in {args.index} is empty: add articles with `zhsearch index SOURCE` "
                    f"(or `{REBUILD_HINT} SOURCE`)", exits.NO_INDEX)
    if args.format:  # every hit, not a page
        return _export(searcher, req, args.format)
    try:
        result = searcher.search(req)
    except BadRequest as e:
        return fail(str(e), exits.USAGE)
    if args.json:
        print(scrub(json.dumps(search_json(result, Urls()), ensure_ascii=False, indent=1)))
        return exits.OK
    color = sys.stdout.isatty()
    print(f"{result.total} paragraphs from {result.articles} articles ({result.took_ms:.1f} ms)")
    for i, h in enumerate(result.hits, (req.page - 1) * req.size + 1):
        tags = "、".join(t["text"] for t in paragraph_tags(h.facets))
        meta = " · ".join(x for x in (h.source, h.date, tags) if x)
        title = h.title or f"〔无标题〕{h.lead or ''}"  # an article without a headline: its first words, marked
        print(f"\n{i}. {title}  [{h.para_id}]")
        if meta:
            print(f"   {meta}")
        if result.groups is None:
            print(f"   {_terminal_marks(h.snippet.html(), color)}")
            if h.more_in_article:
                print(f"   本文另有 {h.more_in_article} 段 ({h.doc_id})")
            for rule in h.explain or []:
                print(f"     {rule['rule']}: {rule['value']}  {rule['why']}")
            continue
        group = result.groups[i - 1 - (req.page - 1) * req.size]
        print(f"   {group.matches} paragraphs match")
        for p in group.hits:
            print(f"   [{p.para_no}] {_terminal_marks(p.snippet.html(), color)}")
    return exits.OK


def _export(searcher, req, fmt: str) -> int:
    from search.present.serialize import EXPORTERS
    from search.present.urls import Urls

    try:
        req.validate()
    except BadRequest as e:
        return fail(str(e), exits.USAGE)
    write = EXPORTERS[fmt]
    hits = searcher.iter_hits(req, snippets=fmt == "jsonl")
    out = sys.stdout.buffer
    try:
        for piece in write(hits, Urls(), req.q):
            out.write(piece.encode("utf-8"))
        out.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stderr.close()
    return exits.OK
