"""The view model of the pages: the API's JSON (``search.present.serialize``) with
URLs built for the page, plus what only a page shows (sort links, page
numbers, the hidden fields of the search form, each hit's article link and
measure names).  Templates only render it."""

from __future__ import annotations

from urllib.parse import urlencode

from search.text.lead import first_words
from search.present.cite import citation, is_web_url
from search.facets import FACETS, PARAGRAPH
from search.query.parse import quote_words
from search.engine.results import SearchRequest, SearchResult
from search.present.serialize import EXPORT_FORMATS, pages, paragraph_tags, search_json
from search.present.urls import Urls, search_params
from web.charts import charts

SORTS = (("relevance", "相关度"), ("date_desc", "最新"), ("date_asc", "最早"))
# A query longer than this is shown with results but without the links that
# would each repeat it (facets, charts, chips, sorts, pages, exports): a page
# holds about a hundred of them, and each would carry the whole query.
LINKED_QUERY_CHARS = 500
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
    beyond = req.page > n_pages and result.total > 0
    return {
        "page": req.page,
        "pages": n_pages,
        # a page past the end (an old bookmark, a hand-edited URL) says so and links the last one
        "beyond": {"last_url": url(n_pages), "pages": n_pages} if beyond else None,
        "prev_url": url(min(req.page - 1, n_pages)) if req.page > 1 else None,
        "next_url": url(req.page + 1) if req.page < n_pages else None,
        "links": links if n_pages > 1 else [],
    }


def search_view(result: SearchResult, urls: Urls, export_base: str | None = None,
                terms_base: str | None = None, trends_base: str | None = None, kwic_base: str | None = None) -> dict:
    """Everything the search page shows for ``result``; ``export_base`` is
    where ``/api/export`` is mounted; ``terms_base``, ``trends_base`` and
    ``kwic_base`` where the related words, the trends and the concordance are."""
    req = result.request
    view = search_json(result, urls, link_limit=None)  # a page links every value (its length is the page's business)
    for h, hit in zip(view["hits"], result.hits):
        _hit_view(h, hit, req, urls)
    for h, group in zip(view["hits"], result.groups or []):
        for p, hit in zip(h["paragraphs"], group.hits):
            _hit_view(p, hit, req, urls)
        h["article_url"] = urls.doc(h["doc_id"], state=req)
        h["lead"] = group.best.lead
    view["group_url"] = urls.search(req.replace(group=None if req.group else "article", page=1))
    view["facets"] = [{"name": f.name, "title": f.title, "values": view["facets"][f.name],
                       "range": _range_form(req, f, view["facets"][f.name]) if f.ranged else None} for f in FACETS]
    view["charts"] = charts(view["facets"])
    view["page_citations"] = list(dict.fromkeys(
        citation(h.title, h.source, h.date, h.article_url) for h in result.hits))
    view["is_home"] = req.replace(explain=False) == SearchRequest()
    view["export"] = export_links(req, export_base) if export_base and result.total else None
    view["kwic_url"] = (kwic_base + "?" + urlencode(search_params(req, keep_page=False))
                        if kwic_base and req.q.strip() and result.total else None)
    view["trends_url"] = (trends_base + "?" + urlencode(search_params(req, keep_page=False))
                          if trends_base and req.q.strip() else None)
    view["terms_url"] = (terms_base + "?" + urlencode(search_params(req, keep_page=False))
                         if terms_base and result.total else None)
    view["clear_filters_url"] = urls.search(req.without_filters()) if view["filters"] else None
    browsing = not req.q.strip()
    current = "date_desc" if browsing and req.sort == "relevance" else req.sort  # browsing lists newest first
    view["sorts"] = [
        {"key": key, "label": label, "selected": key == current, "url": urls.search(req.replace(sort=key, page=1))}
        for key, label in (BROWSE_SORTS if browsing else SORTS)
    ]
    view["pagination"] = _pagination(result, urls)
    on = req.collapse == "reprints"
    view["collapse"] = {"on": on, "url": urls.search(req.replace(collapse="" if on else "reprints", page=1))}
    view["widened"] = widened(result, urls)
    # what a new query typed into the search box keeps: filters, sort, size
    view["form_params"] = [(k, v) for k, v in search_params(req, keep_page=False) if k != "q"]
    view["long_query"] = len(req.q) > LINKED_QUERY_CHARS
    if view["long_query"]:
        _unlink(view)
    return view


def _unlink(view: dict) -> None:
    """Drop the links of a page whose query is too long to repeat in each."""
    for facet in view["facets"]:
        for v in facet["values"]:
            v["url"] = None
    charts = view["charts"]
    for chart in charts["bars"] + [charts["provinces"] or {}]:
        for item in chart.get("bars", []) + chart.get("tiles", []) + [chart.get("unknown") or {}]:
            item["url"] = None
    for h in view["hits"]:
        h["page_url"] = h["url"]  # the paragraph, without the search to return to
    for f in view["filters"]:
        f["remove_url"] = None
    for s in view["sorts"]:
        s["url"] = None
    view["pagination"].update(links=[], prev_url=None, next_url=None)
    view["collapse"]["url"] = view["group_url"] = None
    view["export"] = view["clear_filters_url"] = view["terms_url"] = view["trends_url"] = view["kwic_url"] = None
    view["suggestions"] = []
    if view["widened"]:
        view["widened"]["url"] = None


def _hit_view(h: dict, hit, req: SearchRequest, urls: Urls) -> None:
    """What the page shows of a hit besides its JSON: tags, the link to its
    paragraph, where it matched, its citation."""
    h["lead"] = hit.lead
    h["tags"] = paragraph_tags(hit.facets)
    h["page_url"] = urls.doc(h["doc_id"], h["para_no"], state=req)  # its back link returns here
    if h["reprints"]:
        h["reprints"] = {**h["reprints"], "url": urls.reprints(h["para_id"], state=req)}  # likewise
    h["matched_where"] = matched_where(h["matched_in"])
    h["citation"] = citation(h["title"], h["source"], h["date"], hit.article_url, h["para_no"],
                             issuer=hit.issuer, doc_number=hit.doc_number)


def export_links(req: SearchRequest, base: str) -> dict:
    """The export of every hit of ``req``, in each format."""
    params = [(k, v) for k, v in search_params(req, keep_page=False) if k != "size"]
    return {fmt: base + "?" + urlencode(params + [("format", fmt)]) for fmt in EXPORT_FORMATS}


def _range_form(req: SearchRequest, facet, values: list[dict]) -> dict:
    """The range form of a ranged facet: its bounds, the values listed (as
    placeholders), and the rest of the search as hidden fields."""
    lo, hi = req.range(facet.name) or (None, None)
    listed = [v["value"] for v in values if isinstance(v["value"], int)]
    known = facet.known() if facet.known is not None else [1000, 9999]  # a facet of any four-digit year
    return {
        "min": min(known), "max": max(known),
        "from_name": facet.range_params[0], "to_name": facet.range_params[1], "from": lo, "to": hi,
        "lowest": min(listed, default=""), "highest": max(listed, default=""),
        "params": [(k, v) for k, v in search_params(req.replace(ranges={}), keep_page=False)],
    }


def widened(result: SearchResult, urls: Urls) -> dict | None:
    """The 同时搜索了 line: each widened word with the words added (an old or
    new name of it says so: 旧称/新称 and the year of the renaming), and the
    URL of the same search without synonyms (the widened words quoted)."""
    if not result.expanded:
        return None
    req = result.request
    words = []
    for typed, added in result.expanded.items():
        names = {r.word: r for r in result.renamed.get(typed, [])}
        words.append({"typed": typed, "added": [{"word": w, "note": renaming_note(names.get(w))} for w in added]})
    return {
        "words": words,
        "url": urls.search(req.replace(q=quote_words(req.q, result.expanded), page=1)),
    }


def renaming_note(r) -> str | None:
    """旧称,2015 年更名 / 新称,2015 年起 for a renaming; None for a plain synonym."""
    if r is None:
        return None
    if r.kind == "old":
        return "旧称" + (f",{r.year} 年更名" if r.year else "")
    return "新称" + (f",{r.year} 年起" if r.year else "")


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
    sections: list[dict] = []
    for p in article.paragraphs:
        if not sections or sections[-1]["heading"] != p.heading:
            sections.append({"heading": p.heading, "paragraphs": []})
        shown = {f.name: f.shown(article, p) for f in FACETS if f.scope == PARAGRAPH}
        sections[-1]["paragraphs"].append({"para_no": p.para_no, "html": mark(p.text), "tags": paragraph_tags(shown)})
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        # a page without a headline shows its first words, marked as such
        "lead": None if article.title or not article.paragraphs else first_words(article.paragraphs[0].text),
        "source": article.source,
        "date": article.date,
        "issuer": article.issuer,
        "doc_number": article.doc_number,
        "url": article.url if is_web_url(article.url) else None,
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
                  "province": a.province, "paragraphs": a.paragraphs, "url": urls.doc(a.doc_id), "lead": a.lead}
                 for a in items],
        "facets": [{"name": f.name, "title": f.title, "values": facet_values_json(result, f.name, urls)}
                   for f in FACETS],
        "filters": filters_json(req, urls),
        "clear_filters_url": urls.search(req.without_filters()),
        "pagination": _pagination(result, urls),
    }
