"""What a search asks and what it answers: typed objects shared by the
Python API, the command line and the web layer.  They hold no URLs and no
HTML; ``search.present.serialize`` turns them into the JSON of ``api.md``."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.facets import BY_NAME, FACETS, NONE, BadRequest
from search.engine.highlight import Snippet
from search.text.scrub import scrub

SORTS = ("relevance", "date_desc", "date_asc")
GROUPS = ("article",)  # what hits may be grouped by (``group=``)
GROUP_HITS = 10  # matching paragraphs listed under one article of a grouped search
DEFAULT_SIZE = 10
MAX_SIZE = 100
MAX_PAGE = 10_000
# Limits on what one request may ask (README "Limits"): beyond them a 400
# that names the limit, so no request can tie a worker up.
MAX_VALUES = 50  # distinct values of one facet parameter
MAX_REPEATS = 1_000  # values of one parameter, repeats included
MAX_QUERY_CHARS = 20_000  # characters of the query (api.md: 10,000 must be searched)

__all__ = ["BadRequest", "SORTS", "GROUPS", "SearchRequest", "Hit", "FacetValue", "Suggestion", "SearchResult",
           "ArticleGroup", "request_from_params"]


COLLAPSES = ("", "reprints")


class SearchRequest:
    """A query, the facet values chosen (``filters``: facet name -> values),
    the ranges a ranged facet is narrowed to (``ranges``: facet name ->
    (lowest, highest), either may be None), a page and a sort.  Facets may
    also be given by name: ``SearchRequest(q="扶贫", province=["甘肃"])``."""

    __slots__ = ("q", "filters", "page", "size", "sort", "ranges", "collapse", "explain", "group")

    def __init__(self, q: str = "", filters: dict | None = None, page: int = 1,
                 size: int = DEFAULT_SIZE, sort: str = "relevance", ranges: dict | None = None,
                 collapse: str = "", explain: bool = False, group: str | None = None, **by_facet):
        unknown = set(by_facet) - set(BY_NAME)
        if unknown:
            raise TypeError(f"unknown facet(s): {', '.join(sorted(unknown))}")
        merged = {**(filters or {}), **by_facet}
        self.q = scrub(q) if isinstance(q, str) else q  # answers must encode as UTF-8
        self.filters = {f.name: [scrub(v) if isinstance(v, str) else v for v in merged.get(f.name) or []]
                        for f in FACETS}
        self.page, self.size, self.sort, self.group = page, size, sort, group or None
        self.collapse = collapse  # "reprints": a text printed in several articles counts once
        self.explain = explain  # each hit says why it ranks where it does (ranking.RULES)
        self.ranges = {name: tuple(r) for name, r in (ranges or {}).items()
                       if r is not None and any(b is not None for b in r)}

    def validate(self) -> None:
        """Raise BadRequest for a chosen value no facet could hold (an
        unknown measure key, a year that is not four digits)."""
        if not isinstance(self.q, str) or len(self.q) > MAX_QUERY_CHARS:
            raise BadRequest(f"q must be text of at most {MAX_QUERY_CHARS} characters")
        for f in FACETS:
            chosen = self.filters[f.name]
            if len(chosen) > MAX_VALUES:
                raise BadRequest(f"{f.name} may hold at most {MAX_VALUES} different values")
            for v in chosen:
                f.parse(str(v))
        if self.sort not in SORTS:
            raise BadRequest("sort must be one of " + ", ".join(SORTS))
        if self.collapse not in COLLAPSES:
            raise BadRequest("collapse must be reprints or left out")
        if self.group is not None and self.group not in GROUPS:
            raise BadRequest("group must be " + " or ".join(GROUPS))
        for name, (lo, hi) in self.ranges.items():
            f = BY_NAME.get(name)
            if f is None or not f.ranged:
                raise BadRequest(f"{name} cannot be given a range")
            for b in (lo, hi):
                if b is not None and f.parse(str(b)) == NONE:
                    raise BadRequest(f"a range of {name} takes values, not none")
            if lo is not None and hi is not None and lo > hi:
                raise BadRequest(f"{name}_from must not be after {name}_to")

    def range(self, facet: str) -> tuple | None:
        """The (lowest, highest) ``facet`` is narrowed to, or None."""
        return self.ranges.get(facet)

    def selected(self, facet: str) -> list:
        return self.filters[facet]

    def replace(self, **changes) -> "SearchRequest":
        """A copy with some fields changed; facet names may be given too."""
        filters = {k: list(v) for k, v in self.filters.items()}
        for name in list(changes):
            if name in BY_NAME:
                filters[name] = list(changes.pop(name))
        args = {"q": self.q, "page": self.page, "size": self.size, "sort": self.sort, "filters": filters,
                "ranges": dict(self.ranges), "collapse": self.collapse, "explain": self.explain,
                "group": self.group}
        args.update(changes)
        return SearchRequest(**args)

    def toggled(self, facet: str, value) -> "SearchRequest":
        """The request with ``value`` chosen in ``facet`` if it was not, and
        unchosen if it was; back to the first page."""
        chosen = self.filters[facet]
        new = [v for v in chosen if v != value] if value in chosen else chosen + [value]
        return self.replace(**{facet: new}, page=1)

    def without_filters(self) -> "SearchRequest":
        return self.replace(filters={}, ranges={}, page=1)

    def __eq__(self, other) -> bool:
        return isinstance(other, SearchRequest) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self) -> str:
        chosen = {k: v for k, v in self.filters.items() if v}
        ranges = f", ranges={self.ranges!r}" if self.ranges else ""
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in ("collapse", "group") if getattr(self, k))
        return (f"SearchRequest(q={self.q!r}, filters={chosen!r}{ranges}, page={self.page}, "
                f"size={self.size}, sort={self.sort!r}{extra})")


@dataclass
class Hit:
    """One matching paragraph."""

    doc_id: str
    para_id: str
    para_no: int
    title: str
    source: str | None
    date: str | None
    heading: str | None
    facets: dict  # facet name -> what the paragraph holds (``Facet.shown``), for every facet
    text: str
    snippet: Snippet  # where in ``text`` the matches are, and the window shown (None in an export's CSV)
    score: float
    article_url: str | None = None  # where the article was published, when known (for citing)
    heading_snippet: Snippet | None = None  # the whole heading, its matches marked; None: none there
    title_snippet: Snippet | None = None  # the whole title, likewise
    matched_in: list[str] = field(default_factory=list)  # of "text", "heading", "title"
    reprints: int = 0  # other articles printing the same text (search.engine.reprints)
    explain: list[dict] | None = None  # when asked: each ranking rule's {"rule", "value", "why"}, in order
    issuer: str | None = None  # 发文机关, for a policy document
    doc_number: str | None = None  # 发文字号
    # on a capped first page (search.engine.per_article), on the last hit shown of its
    # article: how many more of that article's paragraphs match
    more_in_article: int = 0
    lead: str | None = None  # the article's first words, where it has no title (the pages show them, marked)


@dataclass
class FacetValue:
    value: str | int  # as stored and shown (a measure's key, a source as written)
    count: int
    selected: bool = False


@dataclass
class Suggestion:
    """A search that would find something where the one asked found nothing."""

    request: SearchRequest
    count: int  # its number of hits
    why: str  # what changed, in words (Chinese, shown on the page)


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]  # facet name -> values with a count, in the facet's order
    expanded: dict[str, list[str]] = field(default_factory=dict)  # typed word -> synonyms added
    # typed word -> the added words that are its old or new names (search.text.synonyms.Renaming)
    renamed: dict[str, list] = field(default_factory=dict)
    suggestions: list[Suggestion] = field(default_factory=list)  # when nothing was found
    articles: int = 0  # distinct articles among all hits
    groups: list["ArticleGroup"] | None = None  # with group="article": the page's articles, best first


@dataclass
class ArticleGroup:
    """One article of a grouped search: its best paragraph, how many of its
    paragraphs match, and those paragraphs in reading order (at most
    ``GROUP_HITS``: the first ones, and the best one among them)."""

    best: Hit
    matches: int
    hits: list[Hit]


@dataclass
class ArticleSummary:
    doc_id: str
    title: str
    source: str | None
    date: str | None
    province: list[str] = field(default_factory=list)
    paragraphs: int = 0
    url: str | None = None  # where it was published
    issuer: str | None = None
    doc_number: str | None = None
    lead: str | None = None  # as Hit.lead


def _one_int(name: str, values: list[str], default: int, lo: int, hi: int) -> int:
    if not values or values[-1] == "":
        return default
    raw = values[-1].strip()
    if not (raw.isascii() and raw.isdigit()) or not (lo <= int(raw) <= hi):
        raise BadRequest(f"{name} must be {lo} to {hi}")
    return int(raw)


def _scrubbed(get):
    return lambda name: [scrub(v) for v in get(name)]


def _facet_values(facet, raws: list[str]) -> list:
    """The distinct values asked of one facet, in the order given; time
    linear in their number, and at most MAX_VALUES of them."""
    if len(raws) > MAX_REPEATS:
        raise BadRequest(f"{facet.name} may be given at most {MAX_REPEATS} times")
    values: dict = {}  # value -> None: distinct, in order
    for raw in dict.fromkeys(raws):  # each spelling parsed once
        if raw.strip():
            try:
                value = facet.parse(raw)
            except BadRequest as e:  # say which parameter, where the message does not
                raise BadRequest(str(e) if str(e).startswith(facet.name) else f"{facet.name}: {e}") from None
            values.setdefault(value, None)
            if len(values) > MAX_VALUES:
                raise BadRequest(f"{facet.name} may hold at most {MAX_VALUES} different values")
    return list(values)


def request_from_params(get) -> SearchRequest:
    """Build a request from query parameters; ``get(name)`` returns the list
    of values given for a name (empty when absent), as Flask's
    ``request.args.getlist`` does.  Raises :class:`BadRequest`."""
    get = _scrubbed(get)
    q = (get("q") or [""])[-1]
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(f"q must be at most {MAX_QUERY_CHARS} characters (it has {len(q)})")
    filters = {f.name: _facet_values(f, get(f.name)) for f in FACETS}
    sort = (get("sort") or ["relevance"])[-1] or "relevance"
    if sort not in SORTS:
        raise BadRequest("sort must be one of " + ", ".join(SORTS))
    group = (get("group") or [""])[-1].strip() or None
    ranges = {}
    for f in FACETS:
        if f.ranged:
            lo, hi = (_bound(f, name, get(name)) for name in f.range_params)
            if lo is not None and hi is not None and lo > hi:
                lo, hi = hi, lo  # 2020 to 2018 means the years between, as a reader would take it
            if (lo, hi) != (None, None):
                ranges[f.name] = (lo, hi)
    req = SearchRequest(
        q=q, filters=filters, ranges=ranges,
        page=_one_int("page", get("page"), 1, 1, MAX_PAGE),
        size=_one_int("size", get("size"), DEFAULT_SIZE, 1, MAX_SIZE),
        sort=sort, explain=_flag("explain", get("explain")), group=group,
        collapse=(get("collapse") or [""])[-1].strip(),
    )
    req.validate()
    return req


def _flag(name: str, values: list[str]) -> bool:
    raw = values[-1].strip().lower() if values else ""
    if raw not in ("", "0", "1", "true", "false"):
        raise BadRequest(f"{name} must be 0 or 1")
    return raw in ("1", "true")


def _bound(facet, name: str, values: list[str]):
    """One bound of a range: the last value given, or None."""
    raw = values[-1].strip() if values else ""
    if not raw:
        return None
    try:
        value = facet.parse(raw)
    except BadRequest as e:
        raise BadRequest(f"{name}: {e}") from None
    if value == NONE:
        raise BadRequest(f"{name} must be a value, not none")
    return value
