"""The view model: what a search result looks like to a person or a script.

One function turns a :class:`SearchResult` into plain data (dicts, lists,
strings) that both the search page and ``/api/search`` show: facet values
with ``selected`` and the ``url`` that toggles them, the active filters with
the URL that removes each, sort links and pagination.  URLs are built for a
given endpoint path (``/`` for the page, ``/api/search`` for the JSON), so
every state of either is a plain link to the same kind of answer.
"""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import urlencode

from search.results import MAX_PAGE, FacetValue, SearchRequest, SearchResult

FACETS = (("province", "省份"), ("year", "年份"), ("measure", "措施类型"))
SORTS = (("relevance", "相关度"), ("date_desc", "最新"), ("date_asc", "最早"))
DEFAULT_SIZE = SearchRequest().size


def request_url(base: str, req: SearchRequest) -> str:
    """The URL of ``req`` at ``base``, leaving out parameters at their default."""
    params: list[tuple[str, str]] = []
    if req.q:
        params.append(("q", req.q))
    for name, _ in FACETS:
        params.extend((name, str(v)) for v in getattr(req, name))
    if req.sort != "relevance":
        params.append(("sort", req.sort))
    if req.size != DEFAULT_SIZE:
        params.append(("size", str(req.size)))
    if req.page != 1:
        params.append(("page", str(req.page)))
    return base + ("?" + urlencode(params) if params else "")


def _toggled(req: SearchRequest, facet: str, value) -> SearchRequest:
    chosen = list(getattr(req, facet))
    chosen = [v for v in chosen if v != value] if value in chosen else chosen + [value]
    return replace(req, **{facet: chosen}, page=1)


def _label(facet: str, value, labels: dict[str, str]) -> str:
    if facet == "measure":
        return labels.get(value, str(value))
    return str(value)


def _facet_values(result: SearchResult, facet: str, base: str, labels: dict[str, str]) -> list[dict]:
    req = result.request
    chosen = getattr(req, facet)
    values = list(result.facets.get(facet, []))
    shown = {v.value for v in values}
    # A chosen value with no hits left still needs its link to be unchosen.
    values += [FacetValue(v, 0) for v in chosen if v not in shown]
    return [
        {
            "value": v.value,
            "label": v.label or _label(facet, v.value, labels),
            "count": v.count,
            "selected": v.value in chosen,
            "url": request_url(base, _toggled(req, facet, v.value)),
        }
        for v in values
    ]


def _filters(req: SearchRequest, base: str, labels: dict[str, str]) -> list[dict]:
    return [
        {
            "facet": facet,
            "title": title,
            "value": value,
            "label": _label(facet, value, labels),
            "remove_url": request_url(base, _toggled(req, facet, value)),
        }
        for facet, title in FACETS
        for value in getattr(req, facet)
    ]


def _pagination(result: SearchResult, base: str, window: int = 2) -> dict:
    req = result.request
    pages = max(1, min(MAX_PAGE, math.ceil(result.total / req.size)))

    def url(n: int) -> str:
        return request_url(base, replace(req, page=n))

    numbers = sorted({1, pages, *range(max(1, req.page - window), min(pages, req.page + window) + 1)})
    links: list[dict] = []
    for n in numbers:
        if links and n - links[-1]["number"] > 1:
            links.append({"number": None, "url": None, "current": False})  # a gap: …
        links.append({"number": n, "url": url(n), "current": n == req.page})
    return {
        "page": req.page,
        "pages": pages,
        "prev_url": url(req.page - 1) if req.page > 1 else None,
        "next_url": url(req.page + 1) if req.page < pages else None,
        "links": links if pages > 1 else [],
    }


def search_view(result: SearchResult, base: str, measure_labels: dict[str, str], doc_base: str = "/docs/") -> dict:
    """Everything the search page shows, and the JSON API returns, for ``result``."""
    req = result.request
    hits = []
    for h in result.hits:
        hit = h.to_dict()
        hit["measure_labels"] = [measure_labels.get(m, m) for m in h.measures]
        hit["page_url"] = f"{doc_base}{h.doc_id}" + ("?" + urlencode({"q": req.q}) if req.q else "") + f"#p{h.para_no}"
        hits.append(hit)
    filters = _filters(req, base, measure_labels)
    return {
        "query": req.q,
        "total": result.total,
        "page": req.page,
        "size": req.size,
        "sort": req.sort,
        "took_ms": round(result.took_ms, 2),
        "hits": hits,
        "facets": [
            {"name": name, "title": title, "values": _facet_values(result, name, base, measure_labels)}
            for name, title in FACETS
        ],
        "filters": filters,
        "clear_filters_url": request_url(base, replace(req, province=[], year=[], measure=[], page=1)) if filters else None,
        "sorts": [
            {"key": key, "label": label, "selected": key == req.sort, "url": request_url(base, replace(req, sort=key, page=1))}
            for key, label in SORTS
        ],
        "pagination": _pagination(result, base),
        "form_params": _form_params(req),
    }


def _form_params(req: SearchRequest) -> list[tuple[str, str]]:
    """What a new query typed into the search box keeps: filters, sort, size."""
    params = [(f["facet"], str(f["value"])) for f in _filters(req, "", {})]
    if req.sort != "relevance":
        params.append(("sort", req.sort))
    if req.size != DEFAULT_SIZE:
        params.append(("size", str(req.size)))
    return params


def api_search_json(view: dict) -> dict:
    """The ``/api/search`` answer (``api.md``): the view's data in the API's shape."""
    out = {k: view[k] for k in ("query", "total", "page", "size", "sort", "took_ms")}
    out["hits"] = [{k: v for k, v in h.items() if k not in ("measure_labels", "page_url")} for h in view["hits"]]
    out["facets"] = {f["name"]: f["values"] for f in view["facets"]}
    out["filters"] = view["filters"]
    out["next_url"] = view["pagination"]["next_url"]
    out["prev_url"] = view["pagination"]["prev_url"]
    return out


def article_view(article, q: str, mark, back_url: str) -> dict:
    """The article page: its metadata and its paragraphs grouped under their
    section headings, each paragraph's text as safe HTML (``mark`` escapes it
    and marks the query's matches)."""
    sections: list[dict] = []
    for p in article.paragraphs:
        if not sections or sections[-1]["heading"] != p.heading:
            sections.append({"heading": p.heading, "paragraphs": []})
        sections[-1]["paragraphs"].append({"para_no": p.para_no, "html": mark(p.text, q)})
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "date": article.date,
        "url": article.url if _is_web_url(article.url) else None,
        "province": list(article.province),
        "query": q,
        "back_url": back_url,
        "sections": sections,
    }


def api_article_json(article) -> dict:
    """The ``/api/docs/<doc_id>`` answer (``api.md``)."""
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "date": article.date,
        "url": article.url,
        "province": list(article.province),
        "paragraphs": [
            {"para_id": f"{article.doc_id}-{p.para_no}", **p.to_dict()}
            for p in article.paragraphs
        ],
    }


def _is_web_url(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))
