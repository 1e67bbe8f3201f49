"""The view model of the pages: the API's JSON (``search.present.serialize``) with
URLs built for the page, plus what only a page shows (sort links, page
numbers, the hidden fields of the search form, each hit's article link and
measure names).  Templates only render it."""

from __future__ import annotations

from urllib.parse import urlencode

from search.ingest.structure import derive_title
from search.present.cite import citation
from search.facets import FACETS, BY_NAME
from search.query.parse import quote_words
from search.engine.results import SearchRequest, SearchResult
from search.present.serialize import EXPORT_FORMATS, pages, search_json
from search.present.urls import Urls, search_params
from web.charts import charts

SORTS = (("relevance", "相关度"), ("date_desc", "最新"), ("date_asc", "最早"))
BROWSE_SORTS = (("date_desc", "最新"), ("date_asc", "最早"))  # no query: nothing to be relevant to


def _pagination(result: SearchResult, urls: Urls, window: int = 2) -> dict:
    req = result.request
    n_pages = pages(result)

    def url(n: int) -> str:
        return urls.search(req.replace(page=n))

    numbers = sorted({1, n_pages, *range(max(1, req.page - window), min(n_pages, req.page + window) + 1)})
    links: list[dict] = []
    for n in numbers:
        if links and n - links[-1]["number"] > 1:
            links.append({"number": None, "url": None, "current": False})  # a gap: …
        links.append({"number": n, "url": url(n), "current": n == req.page})
    return {
        "page": req.page,
        "pages": n_pages,
        "prev_url": url(req.page - 1) if req.page > 1 else None,
        "next_url": url(req.page + 1) if req.page < n_pages else None,
        "links": links if n_pages > 1 else [],
    }


def search_view(result: SearchResult, urls: Urls, export_base: str | None = None) -> dict:
    """Everything the search page shows for ``result``; ``export_base`` is
    where ``/api/export`` is mounted."""
    req = result.request
    view = search_json(result, urls)
    measure = BY_NAME["measure"]
    for h, hit in zip(view["hits"], result.hits):
        h["measure_labels"] = [measure.label(m) for m in h["measures"]]
        h["page_url"] = urls.doc(h["doc_id"], h["para_no"], state=req)  # its back link returns here
        h["matched_where"] = matched_where(h["matched_in"])
        h["citation"] = citation(h["title"], h["source"], h["date"], hit.article_url, h["para_no"])
    view["facets"] = [{"name": f.name, "title": f.title, "values": view["facets"][f.name],
                       "range": _range_form(req, f, view["facets"][f.name]) if f.ranged else None} for f in FACETS]
    view["charts"] = charts(view["facets"])
    view["is_home"] = req == SearchRequest()
    view["export"] = export_links(req, export_base) if export_base and result.total else None
    view["clear_filters_url"] = urls.search(req.without_filters()) if view["filters"] else None
    browsing = not req.q.strip()
    current = "date_desc" if browsing and req.sort == "relevance" else req.sort  # browsing lists newest first
    view["sorts"] = [
        {"key": key, "label": label, "selected": key == current, "url": urls.search(req.replace(sort=key, page=1))}
        for key, label in (BROWSE_SORTS if browsing else SORTS)
    ]
    view["pagination"] = _pagination(result, urls)
    view["widened"] = widened(result, urls)
    # what a new query typed into the search box keeps: filters, sort, size
    view["form_params"] = [(k, v) for k, v in search_params(req, keep_page=False) if k != "q"]
    return view


def export_links(req: SearchRequest, base: str) -> dict:
    """The export of every hit of ``req``, in each format."""
    params = [(k, v) for k, v in search_params(req, keep_page=False) if k != "size"]
    return {fmt: base + "?" + urlencode(params + [("format", fmt)]) for fmt in EXPORT_FORMATS}


def _range_form(req: SearchRequest, facet, values: list[dict]) -> dict:
    """The range form of a ranged facet: its bounds, the values listed (as
    placeholders), and the rest of the search as hidden fields."""
    lo, hi = req.range(facet.name) or (None, None)
    listed = [v["value"] for v in values if isinstance(v["value"], int)]
    return {
        "from_name": facet.range_params[0], "to_name": facet.range_params[1], "from": lo, "to": hi,
        "lowest": min(listed, default=""), "highest": max(listed, default=""),
        "params": [(k, v) for k, v in search_params(req.replace(ranges={}), keep_page=False)],
    }


def widened(result: SearchResult, urls: Urls) -> dict | None:
    """The 同时搜索了 line: each widened word with the words added, and the
    URL of the same search without synonyms (the widened words quoted)."""
    if not result.expanded:
        return None
    req = result.request
    return {
        "words": [{"typed": w, "added": added} for w, added in result.expanded.items()],
        "url": urls.search(req.replace(q=quote_words(req.q, result.expanded), page=1)),
    }


MATCHED_IN = {"heading": "小标题", "title": "标题"}


def matched_where(matched_in: list[str]) -> str | None:
    """The words a hit found only through its heading or title shows:
    匹配于小标题, 匹配于标题, 匹配于小标题和标题; None when its text matched."""
    if not matched_in or "text" in matched_in:
        return None
    return "匹配于" + "和".join(MATCHED_IN[f] for f in matched_in)


def article_view(article, q: str, mark, back_url: str) -> dict:
    """The article page: its metadata and its paragraphs grouped under their
    section headings, each paragraph's text as safe HTML (``mark`` escapes it
    and marks the query's matches) and its tags."""
    measure = BY_NAME["measure"]
    sections: list[dict] = []
    for p in article.paragraphs:
        if not sections or sections[-1]["heading"] != p.heading:
            sections.append({"heading": p.heading, "paragraphs": []})
        sections[-1]["paragraphs"].append({"para_no": p.para_no, "html": mark(p.text), "province": p.province,
                                           "years": p.years, "measure_labels": [measure.label(m) for m in p.measures]})
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        # a page without a headline shows its first words, marked as such
        "lead": None if article.title or not article.paragraphs else derive_title(article.paragraphs[0].text),
        "source": article.source,
        "date": article.date,
        "url": article.url if _is_web_url(article.url) else None,
        "province": list(article.province),
        "query": q,
        "back_url": back_url,
        "sections": sections,
    }


def articles_view(req: SearchRequest, total: int, items: list, facets: dict, urls: Urls) -> dict:
    """The article list: a page of articles, the facet values to filter by
    (each a link toggling it), the chosen ones, and the pages."""
    from search.present.serialize import facet_values_json, filters_json
    from search.engine.results import SearchResult

    result = SearchResult(request=req, total=total, took_ms=0.0, hits=[], facets=facets)
    return {
        "total": total,
        "page": req.page,
        "size": req.size,
        "docs": [{"doc_id": a.doc_id, "title": a.title, "source": a.source, "date": a.date,
                  "province": a.province, "paragraphs": a.paragraphs, "url": urls.doc(a.doc_id)} for a in items],
        "facets": [{"name": f.name, "title": f.title, "values": facet_values_json(result, f.name, urls)}
                   for f in FACETS if f.name in ("province", "year", "source")],
        "filters": filters_json(req, urls),
        "clear_filters_url": urls.search(req.without_filters()),
        "pagination": _pagination(result, urls),
    }


def _is_web_url(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))
