"""Every URL the answers carry, built by one object: the search at a base
path (``/`` for the page, ``/api/search`` for the JSON), and article pages."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlencode

from search.facets import FACETS
from search.engine.results import DEFAULT_SIZE, SearchRequest


class Urls:
    def __init__(self, search_base: str = "/api/search", doc_base: str = "/docs/", reprints_base: str = "/reprints/"):
        self.search_base = search_base
        self.doc_base = doc_base
        self.reprints_base = reprints_base

    def reprints(self, para_id: str, state: SearchRequest | None = None) -> str:
        """The page listing the other articles that print a paragraph's
        text; given the search it was reached from, it carries it, as
        ``doc`` does."""
        params = search_params(state) if state is not None else []
        return self.reprints_base + _quoted(para_id) + ("?" + urlencode(params) if params else "")

    def search(self, req: SearchRequest, base: str | None = None) -> str:
        """The URL of ``req``, leaving out parameters at their default."""
        params = search_params(req)
        base = self.search_base if base is None else base
        return base + ("?" + urlencode(params) if params else "")

    def doc(self, doc_id: str, para_no: int | None = None, q: str = "", state: SearchRequest | None = None) -> str:
        """An article page, at a paragraph, with the query's words marked;
        given the search it was reached from (``state``), it carries all of
        it (query, filters, sort, page), for its back link."""
        url = self.doc_base + _quoted(doc_id)
        params = search_params(state) if state is not None else [("q", q)] if q else []
        if params:
            url += "?" + urlencode(params)
        return url + (f"#p{para_no}" if para_no is not None else "")


@lru_cache(maxsize=4096)
def _quoted(doc_id: str) -> str:
    """A doc_id in a URL path (an export asks for it once a paragraph)."""
    return quote(doc_id, safe="")


def search_params(req: SearchRequest, keep_page: bool = True) -> list[tuple[str, str]]:
    """The query parameters of ``req`` (defaults left out)."""
    params: list[tuple[str, str]] = []
    if req.q:
        params.append(("q", req.q))
    for f in FACETS:
        params.extend((f.name, str(v)) for v in req.selected(f.name))
        bounds = req.range(f.name)
        if bounds is not None:
            params.extend((name, str(b)) for name, b in zip(f.range_params, bounds) if b is not None)
    if req.sort != "relevance":
        params.append(("sort", req.sort))
    if req.collapse:
        params.append(("collapse", req.collapse))
    if req.group:
        params.append(("group", req.group))
    if req.size != DEFAULT_SIZE:
        params.append(("size", str(req.size)))
    if keep_page and req.page != 1:
        params.append(("page", str(req.page)))
    return params
