"""The years a paragraph's events refer to.

Counted: a year written with 年 (``2017年``, ``2021年3月``, ``到2020年``,
``二〇一八年``), a full date (``2019-04-29``), a span of years
(``(2018-2020)``, ``2018至2020年``: every year from the first to the last;
both ends of a longer one that 年 closes, ``2018—2035年``), a date in
English (``Apr 22, 2025``),
a named five-year plan period (``十三五``: 2016 to 2020, from
``search/data/plan_periods.tsv``), and 今年 / 去年 / 前年 / 明年 (and 年初 / 年底 / 年末 on their own) resolved
against the article's year, except where they give an age (``今年35岁``).  Only
years 1949 to 2035 count, so ``2000人次``, ``2038万元`` or a telephone
number never do.  Without a date the relative words give nothing, and a
paragraph that names no year gets none: nothing is guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from search.text.analysis import fold
from search.datafiles import read_tsv

FIRST_YEAR, LAST_YEAR = 1949, 2035
LONGEST_SPAN = 15  # a "span" longer than this is two numbers, not a plan period

_YEAR = r"(?:19[4-9]\d|20[0-3]\d)"
_WITH_NIAN = re.compile(rf"(?<!\d)({_YEAR})\s*年")
_DATE = re.compile(rf"(?<!\d)({_YEAR})[-/.](?:0?[1-9]|1[0-2])[-/.](?:[0-2]?\d|3[01])(?!\d)")
_SPAN = re.compile(rf"(?<![\d-])({_YEAR})\s*年?\s*(?:-|–|—|~|〜|至|到)\s*({_YEAR})(?![\d-])")
# two years that 年 closes (2018—2035年, 1999/2000年): both are years, even
# where they are too far apart for every year between to count
_YEAR_PAIR = re.compile(rf"(?<![\d-])({_YEAR})\s*(?:-|–|—|~|〜|至|到|/|、)\s*({_YEAR})\s*年")
# a date written in English on a page (Apr 22, 2025; 22 April 2025)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ENGLISH_DATE = re.compile(
    rf"(?<![a-z]){_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+({_YEAR})(?!\d)"
    rf"|(?<!\d)\d{{1,2}}\s+{_MONTH}\s+({_YEAR})(?!\d)")
_MONTH_NAME = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")  # what _MONTH opens with
_CHINESE_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")

# word -> offset from the article's year; the lookbehinds keep 说明年度,
# 过去年代 and the like out
_RELATIVE = {
    "今年": 0,
    "去年": -1,
    "前年": -2,
    "明年": 1,
}
_CN_NUMBER = "〇零一二两三四五六七八九十百"
# 今年35岁, 今年已经六十多岁: an age, not a reference to the year
_AGE = rf"(?:已经|已|刚|才|刚满|满|快|将近|不到)?\s*(?:\d+|[{_CN_NUMBER}]+)\s*(?:多|余|来)?\s*周?岁"
_RELATIVE_WORD = re.compile(
    r"(?<![说证表声阐查标注透])(今年|(?<!过)去年|(?<![一二三几多\d])前年|明年)"
    rf"(?!{_AGE})")


# 年初 / 年底 / 年末 on their own (截至年底, 年初以来): the article's year.  Not
# after another character (今年年底, 2019年年底, 每年年初, 青年初次 are read
# elsewhere or are not a year) except a word that leads a time: 至, 到, 于...
_YEAR_PART = re.compile(r"(?:(?<=[至到于在自从止])|(?<![\u3400-\u9fff\d]))年(初|底|末)")


@lru_cache(maxsize=1)
def plan_periods() -> tuple[tuple[str, re.Pattern, int, int], ...]:
    """``plan_periods.tsv``: (name folded, its pattern, first year, last
    year) a period.  A name inside a longer number (二十三五...) does not
    count."""
    periods = []
    for where, _, cols in read_tsv("plan_periods.tsv"):
        try:
            name, first, last = cols[0].strip(), int(cols[1]), int(cols[2])
        except (IndexError, ValueError):
            raise ValueError(f"{where}: expected NAME<TAB>FIRST<TAB>LAST") from None
        pattern = re.compile(rf"(?<![{_CN_NUMBER}\d]){re.escape(fold(name))}(?![{_CN_NUMBER}\d万千亿个名人%])")
        periods.append((fold(name), pattern, first, last))
    return tuple(periods)


def _in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


# The patterns open with a look behind, which keeps Python's regular
# expressions from skipping ahead to a literal: each is tried at every
# character.  What each needs is looked for first, by a plain substring
# search (a year in digits opens with 19 or 20; 年, 今年..., 年初..., a plan's
# name where the pattern names them) or a pattern that can skip ahead (an
# English month's name): on the 1M corpus's paragraphs, 2.7 times faster.


def _has_year_digits(folded: str) -> bool:
    return "19" in folded or "20" in folded


def explicit_years(folded: str) -> set[int]:
    years: set[int] = set()
    nian = "年" in folded
    if _has_year_digits(folded):
        if nian:
            years |= {int(m.group(1)) for m in _WITH_NIAN.finditer(folded)}
            years |= {int(y) for m in _YEAR_PAIR.finditer(folded) for y in m.groups()}
        years |= {int(m.group(1)) for m in _DATE.finditer(folded)}
        if _MONTH_NAME.search(folded):
            years |= {int(m.group(1) or m.group(2)) for m in _ENGLISH_DATE.finditer(folded)}
    if nian:
        years |= {int(m.group(1).translate(_CHINESE_DIGITS)) for m in _CHINESE_YEAR.finditer(folded)}
    return {y for y in years if _in_range(y)}


def span_years(folded: str) -> set[int]:
    years: set[int] = set()
    if not _has_year_digits(folded):
        return years
    for m in _SPAN.finditer(folded):
        first, last = int(m.group(1)), int(m.group(2))
        if 0 < last - first <= LONGEST_SPAN:
            years.update(range(first, last + 1))
    return years


def period_years(folded: str) -> set[int]:
    years: set[int] = set()
    for name, pattern, first, last in plan_periods():
        if name in folded and pattern.search(folded):
            years.update(range(first, last + 1))
    return years


def relative_years(folded: str, article_year: int | None) -> set[int]:
    if article_year is None or "年" not in folded:
        return set()
    years = set()
    if any(word in folded for word in _RELATIVE):
        years = {article_year + _RELATIVE[m.group(1)] for m in _RELATIVE_WORD.finditer(folded)}
    if ("年初" in folded or "年底" in folded or "年末" in folded) and _YEAR_PART.search(folded):
        years.add(article_year)
    return years


def years_in(text: str, article_year: int | None = None) -> list[int]:
    """Sorted years ``text`` refers to; ``article_year`` resolves 今年 etc."""
    folded = fold(text)
    years = (explicit_years(folded) | span_years(folded) | period_years(folded)
             | relative_years(folded, article_year))
    return sorted(y for y in years if _in_range(y))


def year_of(iso_date: str | None) -> int | None:
    return int(iso_date[:4]) if iso_date else None
