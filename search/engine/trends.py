"""Trends over publication years (趋势): how many paragraphs and articles a
search finds in each year its articles were published, raw and per 10,000
paragraphs published that year, so that a year in which the archive simply
holds more does not look like a year of more interest (CNKI's 计量可视化分析,
Google Books' Ngram Viewer normalise the same way).

A paragraph's publication year is its article's date (the ``day`` column);
a paragraph of an undated article is counted apart, as undated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PER = 10_000
MAX_QUERIES = 6
EPOCH = np.datetime64("1970-01-01", "D")


def years_of(day: np.ndarray) -> np.ndarray:
    """The calendar year of each stored ``day`` (days since 1970 plus one;
    0, no date, gives 0)."""
    dated = day > 0
    out = np.zeros(len(day), dtype=np.int32)
    if dated.any():
        out[dated] = (EPOCH + (day[dated].astype(np.int64) - 1)).astype("datetime64[Y]").astype(np.int64) + 1970
    return out


@dataclass
class YearCount:
    year: int
    paragraphs: int
    articles: int
    per_10k: float  # paragraphs per 10,000 paragraphs of the archive published that year


@dataclass
class Series:
    q: str
    total: int  # paragraphs found
    undated: int  # of them, in articles of no known date
    points: list[YearCount] = field(default_factory=list)


def series(q: str, docs: np.ndarray, year: np.ndarray, article: np.ndarray, archive: dict[int, int]) -> Series:
    """The counts per publication year of the paragraphs ``docs`` (sorted
    document numbers), given each document's ``year`` and ``article`` (its
    first paragraph's number) and the archive's paragraphs per year."""
    ys = year[docs]
    dated = ys > 0
    out = Series(q=q, total=int(len(docs)), undated=int((~dated).sum()))
    if not dated.any():
        return out
    ys, arts = ys[dated], article[docs][dated]
    years, paragraphs = np.unique(ys, return_counts=True)
    pairs = np.unique(np.stack([ys.astype(np.int64), arts.astype(np.int64)]), axis=1)
    articles = dict(zip(*np.unique(pairs[0], return_counts=True)))
    for y, n in zip(years.tolist(), paragraphs.tolist()):
        out.points.append(YearCount(y, n, int(articles[y]), round(PER * n / archive[y], 2)))
    return out


def archive_years(year: np.ndarray, live: np.ndarray) -> dict[int, int]:
    """Paragraphs published each year, over the live paragraphs."""
    ys = year[live]
    years, counts = np.unique(ys[ys > 0], return_counts=True)
    return dict(zip(years.tolist(), counts.tolist()))
