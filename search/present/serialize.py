"""The JSON shapes of ``api.md``, built in one place from the typed
results: ``/api/search`` and ``zhsearch search --json`` both print
``search_json``, so they cannot drift apart."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import date as Date

from search.facets import FACETS, BY_NAME
from search.model import Article
from search.engine.results import MAX_PAGE, ArticleSummary, FacetValue, Hit, SearchRequest, SearchResult, Suggestion
from search.present.urls import Urls


def hit_json(hit: Hit, urls: Urls, q: str = "") -> dict:
    """A hit as the API gives it; ``q`` (the query) goes into the link to
    the rest of the article's hits."""
    return {
        "doc_id": hit.doc_id,
        "para_id": hit.para_id,
        "para_no": hit.para_no,
        "title": hit.title,
        "source": hit.source,
        "date": hit.date,
        "url": urls.doc(hit.doc_id, hit.para_no),
        "heading": hit.heading,
        "province": hit.province,
        "years": hit.years,
        "measures": hit.measures,
        "text": hit.text,
        "snippet": hit.snippet.html(),
        "heading_snippet": hit.heading_snippet.html() if hit.heading_snippet else None,
        "title_snippet": hit.title_snippet.html() if hit.title_snippet else None,
        "matched_in": list(hit.matched_in),
        "score": round(hit.score, 4),
        "more_in_article": ({"count": hit.more_in_article, "url": urls.doc(hit.doc_id, q=q)}
                            if hit.more_in_article else None),
    }


def facet_values_json(result: SearchResult, facet: str, urls: Urls) -> list[dict]:
    """A facet's values with their counts, labels and the URL that toggles
    each; a chosen value with no hits left is listed too (count 0), so it
    can be unchosen."""
    req = result.request
    f = BY_NAME[facet]
    values = list(result.facets.get(facet, []))
    shown = {f.key(v.value) for v in values}
    values += [FacetValue(v, 0, True) for v in req.selected(facet) if f.key(v) not in shown]
    return [
        {
            "value": v.value,
            "label": f.label(v.value),
            "count": v.count,
            "selected": v.selected,
            "url": urls.search(req.toggled(facet, _chosen_form(req, facet, v.value))),
        }
        for v in values
    ]


def _chosen_form(req: SearchRequest, facet: str, value):
    """The value as the request chose it, where it chose it in another
    spelling (中国组织人事报 for 中國組織人事報), so toggling removes it."""
    f = BY_NAME[facet]
    return next((v for v in req.selected(facet) if f.key(v) == f.key(value)), value)


def filters_json(req: SearchRequest, urls: Urls) -> list[dict]:
    """The chosen facet values and ranges, each with the URL that removes it."""
    out = [
        {
            "facet": f.name,
            "title": f.title,
            "value": value,
            "label": f.label(value),
            "remove_url": urls.search(req.toggled(f.name, value)),
        }
        for f in FACETS
        for value in req.selected(f.name)
    ]
    for f in FACETS:
        bounds = req.range(f.name)
        if bounds is not None:
            out.append({
                "facet": f.name,
                "title": f.title,
                "range": {"from": bounds[0], "to": bounds[1]},
                "label": range_label(bounds),
                "remove_url": urls.search(req.replace(ranges={k: v for k, v in req.ranges.items() if k != f.name}, page=1)),
            })
    return out


def range_label(bounds: tuple) -> str:
    lo, hi = bounds
    if lo is None:
        return f"{hi} 及以前"
    if hi is None:
        return f"{lo} 及以后"
    return f"{lo}–{hi}" if lo != hi else str(lo)


def pages(result: SearchResult) -> int:
    return max(1, min(MAX_PAGE, math.ceil(result.total / result.request.size)))


def search_json(result: SearchResult, urls: Urls) -> dict:
    """The ``/api/search`` answer."""
    req = result.request
    n_pages = pages(result)
    return {
        "query": req.q,
        "total": result.total,
        "page": req.page,
        "size": req.size,
        "sort": req.sort,
        "took_ms": round(result.took_ms, 2),
        "hits": [hit_json(h, urls, req.q) for h in result.hits],
        "expanded": {word: list(added) for word, added in result.expanded.items()},
        "renamed": {word: [{"word": r.word, "kind": r.kind, "year": r.year} for r in names]
                    for word, names in result.renamed.items()},
        "suggestions": [suggestion_json(s, urls) for s in result.suggestions],
        "facets": {f.name: facet_values_json(result, f.name, urls) for f in FACETS},
        "filters": filters_json(req, urls),
        "next_url": urls.search(req.replace(page=req.page + 1)) if req.page < n_pages else None,
        "prev_url": urls.search(req.replace(page=req.page - 1)) if req.page > 1 else None,
    }


def suggestion_json(s: Suggestion, urls: Urls) -> dict:
    """A search to try instead: its query, its parameters (facet values as
    lists), its number of hits, why it is offered, and its URL."""
    params: dict = {"q": s.request.q}
    params.update({f.name: list(s.request.selected(f.name)) for f in FACETS if s.request.selected(f.name)})
    return {"q": s.request.q, "params": params, "count": s.count, "why": s.why,
            "url": urls.search(s.request)}


def article_json(article: Article) -> dict:
    """The ``/api/docs/<doc_id>`` answer."""
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "date": article.date,
        "url": article.url,
        "province": list(article.province),
        "paragraphs": [{"para_id": f"{article.doc_id}-{p.para_no}", **p.to_dict()} for p in article.paragraphs],
    }


def articles_json(total: int, page: int, size: int, items: list[ArticleSummary]) -> dict:
    """The ``/api/docs`` answer."""
    return {
        "total": total, "page": page, "size": size,
        "docs": [{"doc_id": a.doc_id, "title": a.title, "source": a.source, "date": a.date,
                  "province": a.province, "paragraphs": a.paragraphs} for a in items],
    }


# -- the export (``/api/export``, ``zhsearch search --all --format``) -----------

EXPORT_FORMATS = ("csv", "jsonl")
CSV_COLUMNS = ("para_id", "doc_id", "title", "source", "date", "province", "years", "measures", "heading", "text", "url")
LIST_SEPARATOR = ";"  # between a CSV cell's values (provinces, years, measure keys)
CSV_BOM = "\ufeff"  # so that Excel reads the file as UTF-8
ROWS_PER_CHUNK = 200  # rows joined into one piece of the stream


def csv_row(hit: Hit, urls: Urls) -> list:
    """One paragraph as a CSV row (``CSV_COLUMNS``): the hit's fields as the
    API gives them, lists joined by ``LIST_SEPARATOR``, missing values empty."""
    return [hit.para_id, hit.doc_id, hit.title, hit.source or "", hit.date or "",
            LIST_SEPARATOR.join(hit.province), LIST_SEPARATOR.join(str(y) for y in hit.years),
            LIST_SEPARATOR.join(hit.measures), hit.heading or "", hit.text, urls.doc(hit.doc_id, hit.para_no)]


def export_csv(hits: Iterable[Hit], urls: Urls) -> Iterator[str]:
    """A CSV file in pieces: the byte order mark and the header, then the
    rows, ``ROWS_PER_CHUNK`` at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(CSV_BOM)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for hit in hits:
        writer.writerow(csv_row(hit, urls))
        n += 1
        if n % ROWS_PER_CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def export_jsonl(hits: Iterable[Hit], urls: Urls, q: str = "") -> Iterator[str]:
    """The hit objects of ``/api/search`` for the query ``q``, one a line, in pieces."""
    lines = []
    for hit in hits:
        lines.append(json.dumps(hit_json(hit, urls, q), ensure_ascii=False))
        if len(lines) == ROWS_PER_CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def export_name(req: SearchRequest, fmt: str, today: Date | None = None) -> str:
    """A file name saying what an export holds: the query (or 全部段落), the
    filters, the date it was made: ``扶贫车间_甘肃_2016-2020_2024-05-01.csv``."""
    parts = [req.q.strip() or "全部段落"]
    for f in FACETS:
        values = [f.label(v) for v in req.selected(f.name)]
        if values:
            parts.append("+".join(values))
        bounds = req.range(f.name)
        if bounds is not None:
            parts.append(range_label(bounds).replace(" ", ""))
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", "_".join(parts)).strip("._")[:80] or "export"
    return f"zhsearch_{name}_{(today or Date.today()).isoformat()}.{fmt}"
