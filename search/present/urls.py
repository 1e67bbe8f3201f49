"""Every URL the answers carry, built by one object: the search at a base
path (``/`` for the page, ``/api/search`` for the JSON), and article pages."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, quote_plus, urlencode

from search.facets import FACETS
from search.engine.results import DEFAULT_SIZE, SearchRequest
from search.text.scrub import scrub


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

    def search_toggled(self, req: SearchRequest, facet: str, values: list) -> list[str]:
        """``search(req.toggled(facet, v))`` for each of ``values``, the
        parameters the URLs share encoded once: an answer carries a URL
        for every value of every facet (hundreds), and building each as
        its own request was half the time of a search's JSON."""
        before, after = _encoded(req, facet)
        chosen = req.selected(facet)
        out = []
        for value in values:
            # as ``toggled`` does (then SearchRequest scrubs the values), with page 1
            new = [v for v in chosen if v != value] if value in chosen else chosen + [value]
            own = [_pair(facet, str(scrub(v) if isinstance(v, str) else v)) for v in new]
            parts = before + own + after if own else before + after
            out.append(self.search_base + ("?" + "&".join(parts) if parts else ""))
        return out

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


@lru_cache(maxsize=8192)
def _pair(name: str, value: str) -> str:
    """One parameter as ``urlencode`` writes it (the values of the facets
    come back in every answer: kept)."""
    return quote_plus(name) + "=" + quote_plus(value)


def _encoded(req: SearchRequest, facet: str) -> tuple[list[str], list[str]]:
    """``req``'s parameters on page 1, encoded, before and after the values
    chosen in ``facet`` (``search_params``' order)."""
    params = search_params(req, keep_page=False, without=facet)
    at = params.index(None)
    return [_pair(k, v) for k, v in params[:at]], [_pair(k, v) for k, v in params[at + 1:]]


def search_params(req: SearchRequest, keep_page: bool = True, without: str | None = None) -> list:
    """The query parameters of ``req`` (defaults left out); ``without``: a
    facet whose chosen values are left out, None standing in their place."""
    params: list = []
    if req.q:
        params.append(("q", req.q))
    for f in FACETS:
        if f.name == without:
            params.append(None)
        else:
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
