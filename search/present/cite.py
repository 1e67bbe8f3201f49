"""Citations of articles and paragraphs in the form of GB/T 7714-2015
(信息与文献 参考文献著录规则).

An article with a web address is an electronic resource:
``题名[EB/OL]. 来源, (发布日期)[引用日期]. 网址.``; one without is a
newspaper article: ``题名[N]. 报纸名, 出版日期.``  A paragraph adds where
it stands, as a page number would: ``: 第7段``.  A policy document names
its issuer (发文机关) as the responsible author and its number (发文字号)
as other title information: ``国务院办公厅. 题名: 国办发〔2019〕12号[EB/OL]. ...``.
No author is invented (the archive keeps none), nor a date or a source the
article does not show.
"""

from __future__ import annotations

from datetime import date as Date


def citation(title: str, source: str | None, date: str | None, url: str | None,
             para_no: int | None = None, accessed: Date | None = None,
             issuer: str | None = None, doc_number: str | None = None) -> str:
    """The reference entry of an article, or of one of its paragraphs."""
    title = _clean(title) or "无题"
    if _clean(doc_number):
        title = f"{title}: {_clean(doc_number)}"
    if _clean(issuer):
        title = f"{_clean(issuer)}. {title}"
    where = f": 第{para_no}段" if para_no is not None else ""
    if url and url.lower().startswith(("http://", "https://")):
        published = f"({date})" if date else ""
        cited = f"[{(accessed or Date.today()).isoformat()}]"
        head = f"{title}[EB/OL]. " + (f"{_clean(source)}, " if source else "")
        return f"{head}{published}{cited}{where}. {url}."
    tail = ", ".join(x for x in (_clean(source), date) if x)
    return f"{title}[N]. {tail}{where}." if tail else f"{title}[N]{where}."


def _clean(text: str | None) -> str:
    """One line, no trailing full stop (the entry supplies its own)."""
    return " ".join((text or "").split()).rstrip(".。")
