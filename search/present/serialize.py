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

from search.facets import ARTICLE, FACETS, BY_NAME, PARAGRAPH
from search.model import Article
from search.engine.results import MAX_PAGE, ArticleSummary, FacetValue, Hit, SearchRequest, SearchResult, Suggestion
from search.present import cite
from search.present.urls import Urls

# A search whose own URL is longer than this (a very long query) gets no URL
# per facet value and per filter, each of which would repeat it: the answer
# then stays within a few times the request's size.  ``next_url``,
# ``prev_url`` and the suggestions' URLs, a few at most, are always given.
LINKED_URL_BYTES = 2048

def hit_json(hit: Hit, urls: Urls, q: str = "") -> dict:
    """A hit as the API gives it; ``q`` (the query) goes into the link to
    the rest of the article's hits."""
    out = {
        "doc_id": hit.doc_id,
        "para_id": hit.para_id,
        "para_no": hit.para_no,
        "title": hit.title,
        "source": hit.source,
        "date": hit.date,
        "issuer": hit.issuer,
        "doc_number": hit.doc_number,
        "url": urls.doc(hit.doc_id, hit.para_no),
        "heading": hit.heading,
        **{f.field: hit.facets[f.name] for f in FACETS},
        "text": hit.text,
        "snippet": hit.snippet.html() if hit.snippet else None,
        "heading_snippet": hit.heading_snippet.html() if hit.heading_snippet else None,
        "title_snippet": hit.title_snippet.html() if hit.title_snippet else None,
        "matched_in": list(hit.matched_in),
        "score": round(hit.score, 4),
        "reprints": {"count": hit.reprints, "url": urls.reprints(hit.para_id)} if hit.reprints else None,
        "more_in_article": ({"count": hit.more_in_article, "url": urls.doc(hit.doc_id, q=q)}
                            if hit.more_in_article else None),
    }
    if hit.explain is not None:
        out["explain"] = hit.explain
    return out


def paragraph_tags(shown: dict) -> list[dict]:
    """The tags of a paragraph on the pages and the command line: the
    values of the facets of its own (``shown``: facet name ->
    ``Facet.shown``), in the table's order, each ``{"facet", "text"}``."""
    out = []
    for f in FACETS:
        if f.scope == PARAGRAPH:
            out.extend({"facet": f.name, "text": f.tag(v)} for v in f.listed(shown[f.name]))
    return out


def hits_json(result: SearchResult, urls: Urls) -> list[dict]:
    """The page's hits; grouped by article, each article's best paragraph
    with ``matches`` (its matching paragraphs) and ``paragraphs`` (those
    paragraphs' hits in reading order, at most ``GROUP_HITS``, the best
    one among them)."""
    q = result.request.q
    if result.groups is None:
        return [hit_json(h, urls, q) for h in result.hits]
    return [{**hit_json(g.best, urls, q), "matches": g.matches, "paragraphs": [hit_json(h, urls, q) for h in g.hits]}
            for g in result.groups]


def facet_values_json(result: SearchResult, facet: str, urls: Urls, linked: bool = True) -> list[dict]:
    """A facet's values with their counts, labels and the URL that toggles
    each (None unless ``linked``); a chosen value with no hits left is
    listed too (count 0), so it can be unchosen."""
    req = result.request
    f = BY_NAME[facet]
    values = list(result.facets.get(facet, []))
    shown = {f.key(v.value) for v in values}
    values += [FacetValue(v, 0, True) for v in req.selected(facet) if f.key(v) not in shown]
    chosen = req.selected(facet)
    links = (urls.search_toggled(req, facet, [_chosen_form(req, facet, v.value) if chosen else v.value for v in values])
             if linked else [None] * len(values))
    return [
        {
            "value": v.value,
            "label": f.label(v.value),
            "count": v.count,
            "selected": v.selected,
            "url": url,
        }
        for v, url in zip(values, links)
    ]


def _chosen_form(req: SearchRequest, facet: str, value):
    """The value as the request chose it, where it chose it in another
    spelling (中国组织人事报 for 中國組織人事報), so toggling removes it."""
    f = BY_NAME[facet]
    return next((v for v in req.selected(facet) if f.key(v) == f.key(value)), value)


def filters_json(req: SearchRequest, urls: Urls, linked: bool = True) -> list[dict]:
    """The chosen facet values and ranges, each with the URL that removes it
    (None unless ``linked``)."""
    out = [
        {
            "facet": f.name,
            "title": f.title,
            "value": value,
            "label": f.label(value),
            "remove_url": urls.search(req.toggled(f.name, value)) if linked else None,
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
                "remove_url": urls.search(req.replace(ranges={k: v for k, v in req.ranges.items() if k != f.name},
                                                      page=1)) if linked else None,
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
    """The number of pages: of hits, or of articles where they are grouped."""
    listed = result.articles if result.request.group else result.total
    return max(1, min(MAX_PAGE, math.ceil(listed / result.request.size)))


def search_json(result: SearchResult, urls: Urls, link_limit: int | None = LINKED_URL_BYTES) -> dict:
    """The ``/api/search`` answer; facet values and filters carry no URL when
    the search's own is longer than ``link_limit`` bytes (None: always)."""
    req = result.request
    n_pages = pages(result)
    linked = link_limit is None or len(urls.search(req)) <= link_limit
    return {
        "query": req.q,
        "total": result.total,
        "group": req.group,
        "page": req.page,
        "size": req.size,
        "sort": req.sort,
        "took_ms": round(result.took_ms, 2),
        "hits": hits_json(result, urls),
        "articles": result.articles,
        "expanded": {word: list(added) for word, added in result.expanded.items()},
        "renamed": {word: [{"word": r.word, "kind": r.kind, "year": r.year} for r in names]
                    for word, names in result.renamed.items()},
        "suggestions": [suggestion_json(s, urls) for s in result.suggestions],
        "facets": {f.name: facet_values_json(result, f.name, urls, linked) for f in FACETS},
        "filters": filters_json(req, urls, linked),
        "next_url": urls.search(req.replace(page=req.page + 1)) if req.page < n_pages else None,
        # past the last page, "previous" is the last page that holds hits
        "prev_url": urls.search(req.replace(page=min(req.page - 1, n_pages))) if req.page > 1 else None,
    }


def suggestion_json(s: Suggestion, urls: Urls) -> dict:
    """A search to try instead: its query, its parameters (facet values as
    lists), its number of hits, why it is offered, and its URL."""
    params: dict = {"q": s.request.q}
    params.update({f.name: list(s.request.selected(f.name)) for f in FACETS if s.request.selected(f.name)})
    return {"q": s.request.q, "params": params, "count": s.count, "why": s.why,
            "url": urls.search(s.request)}


def trends_json(req: SearchRequest, series: list, archive: dict[int, int], urls: Urls) -> dict:
    """The ``/api/trends`` answer: for each query (with ``req``'s filters),
    its paragraphs, articles and paragraphs per 10,000 of the year, per
    publication year; each point links to that year's search."""
    published = BY_NAME.get("published")

    def year_url(q: str, year: int) -> str | None:
        if published is None:
            return None
        ranges = {k: v for k, v in req.ranges.items() if k != "published"}
        return urls.search(req.replace(q=q, page=1, ranges=ranges, published=[year]))

    return {
        "queries": [s.q for s in series],
        "archive": [{"year": y, "paragraphs": n} for y, n in sorted(archive.items())],
        "series": [{"q": s.q, "total": s.total, "undated": s.undated,
                    "url": urls.search(req.replace(q=s.q, page=1)),
                    "points": [{"year": p.year, "paragraphs": p.paragraphs, "articles": p.articles,
                                "per_10k": p.per_10k, "url": year_url(s.q, p.year)} for p in s.points]}
                   for s in series],
    }


TRENDS_CSV_COLUMNS = ("query", "year", "paragraphs", "articles", "per_10k", "archive_paragraphs")


def trends_csv(answer: dict) -> str:
    """``trends_json``'s points as one CSV table (UTF-8 with BOM, for Excel)."""
    archive = {a["year"]: a["paragraphs"] for a in answer["archive"]}
    buf = io.StringIO()
    buf.write(CSV_BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(TRENDS_CSV_COLUMNS)
    for s in answer["series"]:
        for p in s["points"]:
            writer.writerow([s["q"], p["year"], p["paragraphs"], p["articles"], p["per_10k"], archive[p["year"]]])
    return buf.getvalue()


def kwic_json(req: SearchRequest, found: list, truncated: bool, context: int, sort: str, page: int, size: int,
              urls: Urls) -> dict:
    """The ``/api/kwic`` answer: a page of concordance lines, each with the
    URL of its paragraph."""
    start = (page - 1) * size
    return {
        "query": req.q, "total": len(found), "truncated": truncated, "context": context, "sort": sort,
        "page": page, "size": size,
        "lines": [kwic_line_json(ln, urls) for ln in found[start:start + size]],
    }


def kwic_line_json(ln, urls: Urls) -> dict:
    return {"para_id": ln.para_id, "left": ln.left, "match": ln.match, "right": ln.right, "date": ln.date,
            "source": ln.source, "title": ln.title, "url": urls.doc(ln.doc_id, ln.para_no)}


KWIC_CSV_COLUMNS = ("para_id", "left", "match", "right", "date", "source", "title", "url")


def kwic_csv(found: list, urls: Urls) -> Iterator[str]:
    """Every concordance line as CSV (UTF-8 with BOM), in pieces."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(CSV_BOM)
    writer.writerow(KWIC_CSV_COLUMNS)
    for n, ln in enumerate(found, 1):
        row = kwic_line_json(ln, urls)
        writer.writerow([row[c] or "" for c in KWIC_CSV_COLUMNS])
        if n % ROWS_PER_CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def kwic_jsonl(found: list, urls: Urls) -> Iterator[str]:
    for start in range(0, len(found), ROWS_PER_CHUNK):
        yield "".join(json.dumps(kwic_line_json(ln, urls), ensure_ascii=False) + "\n"
                      for ln in found[start:start + ROWS_PER_CHUNK])


def terms_json(req: SearchRequest, found, urls: Urls) -> dict:
    """The ``/api/terms`` answer: each related word with its counts and the
    URL of the search that adds it to the query."""
    return {
        "query": req.q,
        "hits": found.hits,
        "read": found.read,  # hits whose words were read (a sample, where fewer than hits)
        "terms": [{"word": t.word, "hits": t.hits, "archive": t.archive, "score": round(t.score, 2),
                   "url": urls.search(req.replace(q=f"{req.q.strip()} {t.word}".strip(), page=1))}
                  for t in found.terms],
    }


def article_fields(article: Article | ArticleSummary) -> dict:
    """What an article object says of the article itself (api.md: its
    ``doc_id``, ``title``, ``source``, ``date``, ``province``; ``issuer``
    and ``doc_number`` of a policy document, else null), with where it was
    published (``url``) and the values of the article facets: the same in
    ``/api/docs/<doc_id>`` and in each item of ``/api/docs``."""
    return {
        "doc_id": article.doc_id,
        "title": article.title,
        "source": article.source,
        "date": article.date,
        "url": article.url,
        "issuer": article.issuer,
        "doc_number": article.doc_number,
        "province": list(article.province),
        **{f.field: f.shown(article, None) for f in FACETS if f.scope == ARTICLE},
    }


def article_json(article: Article) -> dict:
    """The ``/api/docs/<doc_id>`` answer."""
    return {
        **article_fields(article),
        "paragraphs": [{"para_id": f"{article.doc_id}-{p.para_no}", "para_no": p.para_no, "text": p.text,
                        "heading": p.heading, **{f.field: f.shown(article, p) for f in FACETS if f.scope == PARAGRAPH}}
                       for p in article.paragraphs],
    }


def articles_json(total: int, page: int, size: int, items: list[ArticleSummary]) -> dict:
    """The ``/api/docs`` answer."""
    return {
        "total": total, "page": page, "size": size,
        "docs": [{**article_fields(a), "paragraphs": a.paragraphs} for a in items],
    }


# -- the export (``/api/export``, ``zhsearch search --all --format``) -----------

EXPORT_FORMATS = ("csv", "jsonl", "ris", "bibtex")
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson",
               "ris": "application/x-research-info-systems", "bibtex": "application/x-bibtex"}
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "ris": "ris", "bibtex": "bib"}
_LEADING = ("para_id", "doc_id", "title", "source", "date")
# the paragraph's facets before its text, its article's after (those not among the leading columns)
_CSV_FACETS = ([f for f in FACETS if f.scope == PARAGRAPH]
               + [f for f in FACETS if f.scope == ARTICLE and f.field not in _LEADING])
CSV_COLUMNS = (*_LEADING, *(f.field for f in _CSV_FACETS if f.scope == PARAGRAPH), "heading", "text", "url",
               *(f.field for f in _CSV_FACETS if f.scope == ARTICLE), "issuer", "doc_number")
LIST_SEPARATOR = ";"  # between a CSV cell's values (provinces, years, measures)
CSV_BOM = "\ufeff"  # so that Excel reads the file as UTF-8
ROWS_PER_CHUNK = 200  # rows joined into one piece of the stream
MAX_CELLS = 4096  # CSV cells an export keeps, by facet and values (emptied when full)


def csv_row(hit: Hit, urls: Urls, cells: dict | None = None) -> list:
    """One paragraph as a CSV row (``CSV_COLUMNS``): the hit's fields as the
    API gives them, facet values by their labels (a measure's name, not its
    key), lists joined by ``LIST_SEPARATOR``, missing values empty.
    ``cells`` keeps the cells made, by facet and values, for the next rows
    (a facet's label is looked up per value: for measures, a dict made anew
    each time)."""
    if cells is None:
        cells = {}
    facets = {}
    for f in _CSV_FACETS:
        shown = hit.facets[f.name]
        key = (f.name, tuple(shown) if isinstance(shown, list) else shown)
        cell = cells.get(key)
        if cell is None:
            if len(cells) >= MAX_CELLS:
                cells.clear()
            cell = cells[key] = _csv_cell(f, shown)
        facets[f.field] = cell
    row = {"para_id": hit.para_id, "doc_id": hit.doc_id, "title": hit.title, "source": hit.source or "",
           "date": hit.date or "", "heading": hit.heading or "", "text": hit.text,
           "url": urls.doc(hit.doc_id, hit.para_no), "issuer": hit.issuer or "", "doc_number": hit.doc_number or "",
           **facets}
    return [row[c] for c in CSV_COLUMNS]


def _csv_cell(facet, shown) -> str:
    return LIST_SEPARATOR.join(facet.label(v) for v in facet.listed(shown))


def export_csv(hits: Iterable[Hit], urls: Urls, q: str = "") -> Iterator[str]:
    """A CSV file in pieces: the byte order mark and the header, then the
    rows, ``ROWS_PER_CHUNK`` at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(CSV_BOM)
    writer.writerow(CSV_COLUMNS)
    n = 0
    cells: dict = {}
    for hit in hits:
        writer.writerow(csv_row(hit, urls, cells))
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


def export_ris(hits: Iterable[Hit], urls: Urls | None, q: str = "", paragraphs: bool = True) -> Iterator[str]:
    """The articles of ``hits`` as RIS records (``search.present.cite``),
    with the paragraphs that were hits in each one's note."""
    yield cite.ris(cite.works(hits, paragraphs), labels=BY_NAME["measure"].labels())


def export_bibtex(hits: Iterable[Hit], urls: Urls | None, q: str = "", paragraphs: bool = True) -> Iterator[str]:
    """The articles of ``hits`` as BibTeX entries."""
    yield cite.bibtex(cite.works(hits, paragraphs))


EXPORTERS = {"csv": export_csv, "jsonl": export_jsonl, "ris": export_ris, "bibtex": export_bibtex}


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
    return f"zhsearch_{name}_{(today or Date.today()).isoformat()}.{EXTENSIONS[fmt]}"
