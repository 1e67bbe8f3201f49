"""The view model of the pages: the API's JSON (``search.serialize``) with
URLs built for the page, plus what only a page shows (sort links, page
numbers, the hidden fields of the search form, each hit's article link and
measure names).  Templates only render it."""

from __future__ import annotations

from search.facets import FACETS, BY_NAME
from search.query import quote_words
from search.results import SearchResult
from search.serialize import pages, search_json
from search.urls import Urls, search_params

SORTS = (("relevance", "相关度"), ("date_desc", "最新"), ("date_asc", "最早"))


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


def search_view(result: SearchResult, urls: Urls) -> dict:
    """Everything the search page shows for ``result``."""
    req = result.request
    view = search_json(result, urls)
    measure = BY_NAME["measure"]
    for h in view["hits"]:
        h["measure_labels"] = [measure.label(m) for m in h["measures"]]
        h["page_url"] = urls.doc(h["doc_id"], h["para_no"], req.q)
        h["matched_where"] = matched_where(h["matched_in"])
    view["facets"] = [{"name": f.name, "title": f.title, "values": view["facets"][f.name]} for f in FACETS]
    view["clear_filters_url"] = urls.search(req.without_filters()) if view["filters"] else None
    view["sorts"] = [
        {"key": key, "label": label, "selected": key == req.sort, "url": urls.search(req.replace(sort=key, page=1))}
        for key, label in SORTS
    ]
    view["pagination"] = _pagination(result, urls)
    view["widened"] = widened(result, urls)
    # what a new query typed into the search box keeps: filters, sort, size
    view["form_params"] = [(k, v) for k, v in search_params(req, keep_page=False) if k != "q"]
    return view


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
    and marks the query's matches)."""
    sections: list[dict] = []
    for p in article.paragraphs:
        if not sections or sections[-1]["heading"] != p.heading:
            sections.append({"heading": p.heading, "paragraphs": []})
        sections[-1]["paragraphs"].append({"para_no": p.para_no, "html": mark(p.text)})
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


def _is_web_url(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))
