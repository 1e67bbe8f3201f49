"""The concordance page and its API twin: parameters (``context``, ``sort``,
``page``, ``size``, ``format``) on top of a search's."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import request, url_for

from search.engine import kwic
from search.engine.results import BadRequest, request_from_params
from search.present.serialize import kwic_json
from search.present.urls import search_params
from web.context import get_searcher, urls_for

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _one(name: str, default: str) -> str:
    values = request.args.getlist(name)
    return values[-1].strip() if values and values[-1].strip() else default


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = _one(name, str(default))
    if not (raw.isascii() and raw.isdigit() and lo <= int(raw) <= hi):
        raise BadRequest(f"{name} must be {lo} to {hi}")
    return int(raw)


def kwic_answer() -> tuple[dict, list, object]:
    """The page of lines asked for, every line (for exports), and the request."""
    # ``sort``, ``page`` and ``size`` here are the lines' (``kwic.SORTS``), not the hits':
    # the hits are read by relevance, all of them
    req = request_from_params(lambda name: [] if name in ("sort", "page", "size") else request.args.getlist(name))
    context = _int("context", kwic.CONTEXT, 1, kwic.MAX_CONTEXT)
    sort = _one("sort", "hits")
    if sort not in kwic.SORTS:
        raise BadRequest("sort must be one of " + ", ".join(kwic.SORTS))
    size = _int("size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int("page", 1, 1, kwic.MAX_LINES)
    found, truncated = get_searcher().kwic(req, context, sort)
    answer = kwic_json(req, found, truncated, context, sort, page, size, urls_for("pages.search_page"))
    return answer, found, req


def kwic_view() -> dict:
    answer, _, req = kwic_answer()
    base = [(k, v) for k, v in search_params(req, keep_page=False) if k != "size"]
    extra = {"context": answer["context"], "sort": answer["sort"]}

    def url(endpoint: str, **changes) -> str:
        params = base + [(k, v) for k, v in {**extra, **changes}.items() if v is not None]
        return url_for(endpoint) + "?" + urlencode(params)

    n_pages = max(1, math.ceil(answer["total"] / answer["size"]))
    labels = {"hits": "结果顺序", "left": "左侧语境", "right": "右侧语境", "date": "日期", "source": "来源"}
    return {
        **answer,
        "pages": n_pages,
        "prev_url": url("pages.kwic_page", page=answer["page"] - 1) if answer["page"] > 1 else None,
        "next_url": url("pages.kwic_page", page=answer["page"] + 1) if answer["page"] < n_pages else None,
        "sorts": [{"key": k, "label": labels[k], "selected": k == answer["sort"], "url": url("pages.kwic_page", sort=k)}
                  for k in kwic.SORTS],
        "exports": {fmt: url("api.kwic", format=fmt) for fmt in ("csv", "jsonl")},
        "json_url": url("api.kwic", page=answer["page"]),
        "search_url": url_for("pages.search_page") + "?" + urlencode(search_params(req, keep_page=False)),
        "hidden": [(k, v) for k, v in base if k != "q"] + [("sort", answer["sort"])],
    }
