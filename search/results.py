"""What a search asks and what it answers: the shapes shared by the Python
API, the command line and the JSON API (``../shared/api.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field

SORTS = ("relevance", "date_desc", "date_asc")
MAX_SIZE = 100
MAX_PAGE = 10_000


class BadRequest(ValueError):
    """A parameter that is not valid; ``str(e)`` says which and why."""


@dataclass
class SearchRequest:
    q: str = ""
    province: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    measure: list[str] = field(default_factory=list)
    page: int = 1
    size: int = 10
    sort: str = "relevance"


@dataclass
class Hit:
    doc_id: str
    para_id: str
    para_no: int
    title: str
    source: str | None
    date: str | None
    url: str
    heading: str | None
    province: list[str]
    years: list[int]
    measures: list[str]
    text: str
    snippet: str  # HTML: escaped text, <mark> around matches
    score: float

    def to_dict(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "para_id": self.para_id,
            "para_no": self.para_no,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "heading": self.heading,
            "province": self.province,
            "years": self.years,
            "measures": self.measures,
            "text": self.text,
            "snippet": self.snippet,
            "score": round(self.score, 4),
        }


@dataclass
class FacetValue:
    value: str | int
    count: int
    selected: bool = False
    label: str | None = None  # measures: the Chinese name

    def to_dict(self) -> dict:
        d = {"value": self.value, "count": self.count, "selected": self.selected}
        if self.label is not None:
            d["label"] = self.label
        return d


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]  # "province", "year", "measure"

    def to_dict(self) -> dict:
        return {
            "query": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "size": self.request.size,
            "sort": self.request.sort,
            "took_ms": round(self.took_ms, 2),
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [v.to_dict() for v in vs] for k, vs in self.facets.items()},
        }


def _one_int(name: str, values: list[str], default: int, lo: int, hi: int) -> int:
    if not values or values[-1] == "":
        return default
    raw = values[-1].strip()
    if not raw.isdigit() or not (lo <= int(raw) <= hi):
        raise BadRequest(f"{name} must be {lo} to {hi}")
    return int(raw)


def request_from_params(get) -> SearchRequest:
    """Build a request from query parameters; ``get(name)`` returns the list
    of values given for a name (empty when absent), as Flask's
    ``request.args.getlist`` does.  Raises :class:`BadRequest`."""
    q = (get("q") or [""])[-1]
    years: list[int] = []
    for y in get("year"):
        y = y.strip()
        if not (len(y) == 4 and y.isdigit()):
            raise BadRequest(f"year must be four digits, not {y[:20]!r}")
        years.append(int(y))
    sort = (get("sort") or ["relevance"])[-1] or "relevance"
    if sort not in SORTS:
        raise BadRequest("sort must be one of " + ", ".join(SORTS))
    return SearchRequest(
        q=q,
        province=[p.strip() for p in get("province") if p.strip()],
        year=years,
        measure=[m.strip() for m in get("measure") if m.strip()],
        page=_one_int("page", get("page"), 1, 1, MAX_PAGE),
        size=_one_int("size", get("size"), 10, 1, MAX_SIZE),
        sort=sort,
    )
