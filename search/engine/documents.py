"""Stored paragraphs as the answers show them: a hit (with its snippet), a
whole article, a page of the article list."""

from __future__ import annotations

import numpy as np

from search.engine.docsets import holds
from search.facets import shown_all
from search.engine.highlight import mark_hit
from search.model import Article
from search.query.parse import Query
from search.engine.results import ArticleSummary, Hit
from search.engine.snapshot import Snapshot


def hit(snap: Snapshot, docnum: int, score: float, query: Query) -> Hit:
    rec = snap.stored(docnum)
    return hit_of(rec, score, query, marks(rec, query, snap.kept_fold(docnum)) if query is not None else None)


def marks(rec, query: Query, folded_text: str | None = None):
    """Where ``query`` matched in a stored paragraph (``highlight.Marked``);
    ``folded_text``: its text folded, where the caller has it."""
    return mark_hit(query, rec.text, rec.heading, rec.title, folded_text=folded_text)


def hit_of(rec, score: float, query: Query | None, marked=None) -> Hit:
    """A stored paragraph as a hit; with no ``query``, no snippets (None).
    ``marked``: its ``marks`` for ``query``, where the caller has them."""
    if marked is None and query is not None:
        marked = marks(rec, query)
    return Hit(
        doc_id=rec.doc_id, para_id=rec.para_id, para_no=rec.para_no, title=rec.title,
        source=rec.source, date=rec.date, heading=rec.heading,
        facets=shown_all(rec, rec), text=rec.text,
        snippet=marked.snippet if marked else None, score=float(score), article_url=rec.url,
        heading_snippet=marked.heading if marked else None, title_snippet=marked.title if marked else None,
        # a list of its own: the marks may be kept for the next search (Searcher._hit)
        matched_in=list(marked.matched_in) if marked else [], issuer=rec.issuer, doc_number=rec.doc_number,
        lead=rec.lead,
    )


def article_docnums(snap: Snapshot, doc_id: str) -> np.ndarray:
    """The live paragraphs of ``doc_id``."""
    ids = snap.postings.ids("doc_id", doc_id)
    return ids[snap.live[ids]] if len(ids) else ids


def article(snap: Snapshot, doc_id: str) -> Article | None:
    """The live paragraphs of ``doc_id`` as one article, or None."""
    ids = article_docnums(snap, doc_id).tolist()
    records = sorted((snap.stored(d) for d in ids), key=lambda r: r.para_no)
    if not records:
        return None
    first = records[0]
    return Article(
        doc_id=doc_id, title=first.title, source=first.source, date=first.date, url=first.url,
        issuer=first.issuer, doc_number=first.doc_number, path=first.path or None, province=list(first.doc_province),
        paragraphs=[r.paragraph() for r in records],
    )


def articles(snap: Snapshot, page: int, size: int, within: np.ndarray | None = None) -> tuple[int, list[ArticleSummary]]:
    """Articles, newest first (undated last), a page at a time; with
    ``within`` (docnums, ascending), only those holding one of its paragraphs."""
    heads = snap.article_heads
    if within is not None:
        # the articles of ``within``: ascending, as ``within`` is
        heads = heads[holds(snap.article_no[within], snap.article_no[heads])]
    out = []
    for docnum in heads[(page - 1) * size: page * size].tolist():
        rec = snap.stored(docnum)
        out.append(ArticleSummary(doc_id=rec.doc_id, title=rec.title, source=rec.source, date=rec.date,
                                  province=list(rec.doc_province), paragraphs=rec.n_paragraphs, url=rec.url,
                                  issuer=rec.issuer, doc_number=rec.doc_number, lead=rec.lead))
    return int(len(heads)), out
