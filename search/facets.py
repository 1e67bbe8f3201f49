"""The facets, declared once.

A facet is a label of every paragraph that searches are narrowed by and
counted over: its province, the years it speaks of, the measures it
reports, its article's source.  Each is one :class:`Facet` in ``FACETS``,
which every layer reads:

- ingestion's labels are read by ``values`` (what a paragraph holds, as
  written);
- the index stores each paragraph's values in one column: for a facet
  whose values are known before indexing (``known``), a bit mask of their
  places in its :class:`Vocabulary`, so a paragraph may hold several (at
  most 64 distinct values); for a facet with values nobody can list in
  advance (publishers), one value a paragraph, stored as a stable code of
  its key, with the names as written kept in the index metadata;
- requests name it by ``name`` (``?province=``, ``--province``), and
  ``parse`` checks and normalises what was asked;
- answers list it under ``name``, in ``order``, with ``label`` for the
  pages; ``title`` heads it on the pages;
- hits, articles and exports show what a paragraph holds under ``field``
  (``shown``): a list, or for a single-valued facet the value or null; a
  facet of the paragraph's own (``scope``) is a tag beside each paragraph,
  one of its article's is shown with the article's metadata.

Adding a facet is adding a row here and, if ingestion does not label it
yet, the code that derives its values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from search.text.analysis import fold
from search.model import Article, Paragraph

BITS, ORDINAL = "bits", "ordinal"  # how a facet's values are stored
MAX_BITS = 64
PARAGRAPH, ARTICLE = "paragraph", "article"  # whose values a facet's are
NONE = "none"  # the value of a paragraph that holds none of a facet's values (``?year=none``)
YEARS = tuple(range(1980, 1980 + MAX_BITS))  # the years a paragraph can be labelled with


class BadRequest(ValueError):
    """A parameter that is not valid; ``str(e)`` says which and why."""


class Vocabulary:
    """The values of a bit-mask facet, each at its bit.  Values are only
    ever added, so the masks an index holds stay valid."""

    def __init__(self, keys=()):
        self.keys: list = []
        self._bits: dict = {}
        for k in keys:
            self.add(k)

    def __len__(self) -> int:
        return len(self.keys)

    def bit(self, key) -> int | None:
        return self._bits.get(key)

    def add(self, key) -> int:
        bit = self._bits.get(key)
        if bit is None:
            if len(self.keys) >= MAX_BITS:
                raise ValueError(f"a bit-mask facet holds at most {MAX_BITS} values (new: {key!r})")
            bit = self._bits[key] = len(self.keys)
            self.keys.append(key)
        return bit

    def mask(self, keys) -> int:
        """The signed 64-bit mask of ``keys`` (keys it does not hold are left out)."""
        m = 0
        for k in keys:
            bit = self._bits.get(k)
            if bit is not None:
                m |= 1 << bit
        return m - (1 << 64) if m >= (1 << 63) else m


def ordinal_code(key) -> int:
    """The stored code of a single-valued facet's key: a stable 63-bit hash
    (never 0, which means "no value"), the same in every process, so worker
    processes need no shared vocabulary."""
    h = int.from_bytes(hashlib.blake2b(str(key).encode("utf-8"), digest_size=8).digest(), "big") >> 1
    return h or 1


@dataclass(frozen=True)
class Facet:
    name: str  # request parameter, JSON key, CLI flag
    title: str  # heading on the pages
    values: Callable[[Article, Paragraph], list]  # a paragraph's values, as written
    key: Callable  # value -> what makes two spellings one value
    parse: Callable[[str], object]  # a requested value -> value (raises BadRequest)
    known: Callable[[], list] | None = None  # every value, for a bit-mask facet
    order: str = "count"  # "count": most frequent first; "newest": largest first
    metavar: str = "VALUE"
    none: str | None = None  # label of NONE (paragraphs without a value), if it may be asked for
    ranged: bool = False  # may be narrowed to a range: ``?{name}_from=&{name}_to=``
    labels: Callable[[], dict] | None = None  # value -> what the pages show, where that differs
    field: str = ""  # the key of hits, articles and export columns showing a paragraph's values ("": name)
    scope: str = PARAGRAPH  # PARAGRAPH: each paragraph's own; ARTICLE: its article's (one for all its paragraphs)
    unit: str = ""  # after a value on a tag (2018年)

    def __post_init__(self):
        if not self.field:
            object.__setattr__(self, "field", self.name)

    @property
    def single(self) -> bool:
        """One value a paragraph (shown as itself or null, not as a list)."""
        return self.storage == ORDINAL

    def shown(self, article, paragraph):
        """What hits, articles and exports show of this facet: the values
        ``article`` and ``paragraph`` hold (a stored record is both), as a
        list, or for a single-valued facet the value or None."""
        values = self.values(article, paragraph)
        if self.single:
            return values[0] if values else None
        return list(values)

    def listed(self, shown) -> list:
        """What ``shown`` gave, as a list."""
        return shown if isinstance(shown, list) else [] if shown is None else [shown]

    def tag(self, value) -> str:
        """A value as a tag on the pages."""
        return self.label(value) + self.unit

    @property
    def range_params(self) -> tuple[str, str]:
        """The request parameters of a ranged facet's bounds."""
        return f"{self.name}_from", f"{self.name}_to"

    @property
    def storage(self) -> str:
        return BITS if self.known is not None else ORDINAL

    @property
    def column(self) -> str:
        """The index column holding each paragraph's values."""
        return f"{self.name}_mask" if self.storage == BITS else f"{self.name}_code"

    def label(self, value) -> str:
        """What the pages show for a value."""
        if value == NONE and self.none:
            return self.none
        if self.labels is not None:
            return self.labels().get(value, str(value))
        return str(value)


# -- the values: how each facet reads a paragraph, and what a request may ask


def province_name(value: str) -> str:
    """What users type for a province, as the short simplified name."""
    v = fold(value.strip())
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if v.endswith(suffix) and len(v) > len(suffix) + 1:
            return v[: -len(suffix)]
    return v


def parse_province(raw: str) -> str:
    """A requested province: its short simplified name, which must be one of
    the provinces a paragraph can be labelled with.  A value outside a
    facet's closed vocabulary is refused with the list (as an unknown measure
    is); a value a facet could hold but no paragraph holds yet (a year, a
    publisher) is accepted and finds nothing."""
    name = province_name(raw)
    known = _provinces()
    if name not in known:
        raise BadRequest(f"unknown province {raw.strip()[:40]!r}; known: " + ", ".join(known))
    return name


def parse_year(raw: str) -> int:
    y = raw.strip()
    if not (len(y) == 4 and y.isascii() and y.isdigit()):
        raise BadRequest(f"year must be four digits or none, not {y[:20]!r}")
    return int(y)


def or_none(read: Callable) -> Callable:
    """``read`` for a facet whose NONE may be asked for: "none" stays NONE."""

    def read_or_none(raw):
        if isinstance(raw, str) and raw.strip().lower() == NONE:
            return NONE
        return read(raw)

    return read_or_none


def published_year(article) -> list[int]:
    """The publication year of an article dated ``yyyy-mm-dd`` (none when undated)."""
    date = article.date or ""
    return [int(date[:4])] if len(date) >= 4 and date[:4].isascii() and date[:4].isdigit() else []


def parse_measure(raw: str) -> str:
    key = raw.strip()
    labels = measure_labels()
    if key not in labels:
        raise BadRequest(f"unknown measure {key[:40]!r}; known: " + ", ".join(labels))
    return key


def source_key(value: str) -> str:
    """One key for every spelling of a publisher's name: folded (traditional
    and simplified alike), spaces dropped."""
    return "".join(fold(value).split())


@lru_cache(maxsize=1)
def measure_labels() -> dict[str, str]:
    """Measure key -> its Chinese name, from the measure rules file."""
    from search.ingest.measures import load_measures

    return {m.key: m.label for m in load_measures()}


def _nonempty(raw: str) -> str:
    return raw.strip()


def _provinces() -> list[str]:
    from search.ingest.places import PROVINCES

    return list(PROVINCES)


FACETS: tuple[Facet, ...] = (
    Facet("province", "省份", lambda a, p: p.province, key=province_name, parse=parse_province,
          known=_provinces, metavar="P"),
    Facet("year", "年份", lambda a, p: p.years, key=or_none(int), parse=or_none(parse_year),
          known=lambda: list(YEARS), order="newest", metavar="Y", none="年份不详", ranged=True,
          field="years", unit="年"),
    Facet("measure", "措施类型", lambda a, p: p.measures, key=str, parse=parse_measure,
          known=lambda: list(measure_labels()), labels=measure_labels, metavar="KEY", field="measures"),
    Facet("source", "来源", lambda a, p: [a.source] if a.source and a.source.strip() else [],
          key=source_key, parse=_nonempty, metavar="S", scope=ARTICLE),
    Facet("published", "发布年份", lambda a, p: published_year(a), key=or_none(int), parse=or_none(parse_year),
          order="newest", metavar="Y", none="日期不详", ranged=True, scope=ARTICLE, unit="年"),
)
BY_NAME = {f.name: f for f in FACETS}
_SHOWING = tuple((f.name, f.values, f.single) for f in FACETS)


def shown_all(article, paragraph) -> dict:
    """``{facet name: Facet.shown(article, paragraph)}`` for every facet, in
    one loop without the properties' calls: an export makes it for every
    hit, where it was a quarter of a hit's making."""
    out = {}
    for name, values, single in _SHOWING:
        v = values(article, paragraph)
        out[name] = (v[0] if v else None) if single else list(v)
    return out
