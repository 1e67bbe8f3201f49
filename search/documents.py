"""Stored paragraphs as the answers show them: a hit (with its snippet), a
whole article, a page of the article list."""

from __future__ import annotations

from search.highlight import mark_hit
from search.model import Article
from search.query import Query
from search.results import ArticleSummary, Hit
from search.snapshot import Snapshot


def hit(snap: Snapshot, docnum: int, score: float, query: Query) -> Hit:
    rec = snap.stored(docnum)
    marked = mark_hit(query, rec.text, rec.heading, rec.title)
    return Hit(
        doc_id=rec.doc_id, para_id=rec.para_id, para_no=rec.para_no, title=rec.title,
        source=rec.source, date=rec.date, heading=rec.heading, province=rec.province,
        years=rec.years, measures=rec.measures, text=rec.text,
        snippet=marked.snippet, score=float(score),
        heading_snippet=marked.heading, title_snippet=marked.title, matched_in=marked.matched_in,
    )


def article(snap: Snapshot, doc_id: str) -> Article | None:
    """The live paragraphs of ``doc_id`` as one article, or None."""
    ids = [d for d in snap.postings.ids_tf("doc_id", doc_id)[0].tolist() if snap.live[d]]
    records = sorted((snap.stored(d) for d in ids), key=lambda r: r.para_no)
    if not records:
        return None
    first = records[0]
    return Article(
        doc_id=doc_id, title=first.title, source=first.source, date=first.date, url=first.url,
        path=first.path or None, province=list(first.doc_province),
        paragraphs=[r.paragraph() for r in records],
    )


def articles(snap: Snapshot, page: int, size: int) -> tuple[int, list[ArticleSummary]]:
    """Articles, newest first (undated last), a page at a time."""
    out = []
    for docnum in snap.article_heads[(page - 1) * size: page * size].tolist():
        rec = snap.stored(docnum)
        out.append(ArticleSummary(doc_id=rec.doc_id, title=rec.title, source=rec.source, date=rec.date,
                                  province=list(rec.doc_province), paragraphs=rec.n_paragraphs))
    return int(len(snap.article_heads)), out
