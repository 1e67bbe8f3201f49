"""The HTML pages: the search page ``/``, the article list ``/docs`` and
the article page ``/docs/<doc_id>``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from search.present.cite import citation
from search.engine.highlight import mark_html
from search.engine.results import SearchRequest, request_from_params
from search.present.urls import Urls, search_params
from web.context import get_searcher, run_search, urls_for
from search.present.serialize import terms_json
from web.kwic import kwic_view
from web.trends import trends_view
from web.view import article_view, articles_view, search_view

bp = Blueprint("pages", __name__)


@bp.get("/")
def search_page():
    result, urls = run_search("pages.search_page", explain=True)  # behind each hit's 为什么排在这里
    json_url = urls.search(result.request, base=url_for("api.search"))
    view = search_view(result, urls, export_base=url_for("exports.export"), terms_base=url_for("pages.terms_page"),
                       trends_base=url_for("pages.trends_page"), kwic_base=url_for("pages.kwic_page"))
    return render_template("search.html", view=view, json_url=json_url)


@bp.get("/trends")
def trends_page():
    """Paragraphs and articles per publication year for up to six queries: the twin of ``/api/trends``."""
    view = trends_view((request.args.getlist("scale") or ["per10k"])[-1])
    return render_template("trends.html", view=view)


@bp.get("/reprints/<para_id>")
def reprints_page(para_id: str):
    """The other articles that print a paragraph's text (转载)."""
    searcher = get_searcher()
    others = searcher.reprints_of(para_id)
    if others is None:
        abort(404, description=f"没有编号为 {para_id} 的段落")
    state = request_from_params(request.args.getlist)  # the search this page was reached from
    query = searcher.query(state.q) if state.q.strip() else None
    original = searcher.hits_by_id([para_id])[0]
    urls = urls_for("pages.search_page")
    return render_template("reprints.html", original=original, others=others, state=state,
                           doc_url=lambda h: urls.doc(h.doc_id, h.para_no, state=state),
                           text_html=mark_html(original.text, query), back_url=urls.search(state),
                           json_url=url_for("api.reprints", para_id=para_id))


@bp.get("/kwic")
def kwic_page():
    """Every occurrence of the query in its hits, in context: the twin of ``/api/kwic``."""
    return render_template("kwic.html", view=kwic_view())


@bp.get("/terms")
def terms_page():
    """The words that keep company with a search: the twin of ``/api/terms``."""
    req = request_from_params(request.args.getlist)
    urls = urls_for("pages.search_page")
    view = terms_json(req, get_searcher().terms(req), urls)
    view["back_url"] = urls.search(req)
    view["json_url"] = Urls(search_base=url_for("api.terms")).search(req)
    return render_template("terms.html", view=view)


@bp.get("/docs")
def docs_page():
    """The articles, newest first, filtered by the facets: the twin of ``/api/docs``."""
    req = request_from_params(request.args.getlist)
    searcher = get_searcher()
    total, items = searcher.articles(req.page, req.size, req)
    facets = searcher.article_facets(req)  # the values to filter by, counted in articles, as the list
    urls = Urls(search_base=url_for("pages.docs_page"), doc_base=url_for("pages.doc_page", doc_id="-")[:-1])
    view = articles_view(req, total, items, facets, urls)
    view["json_url"] = Urls(search_base=url_for("api.docs")).search(req)
    return render_template("docs.html", view=view)


@bp.get("/docs/<doc_id>")
def doc_page(doc_id: str):
    searcher = get_searcher()
    article = searcher.article(doc_id)
    if article is None:
        abort(404, description=f"没有编号为 {doc_id} 的文章")
    state = request_from_params(request.args.getlist)  # the search this page was reached from
    find = request.args.get("find", "").strip()  # words searched for within the article
    marked = find or state.q
    query = searcher.query(marked) if marked.strip() else None
    found = searcher.find_in_article(doc_id, find) if find else None
    search_urls = urls_for("pages.search_page")
    back_url = search_urls.search(state)
    view = article_view(article, state.q, lambda text: mark_html(text, query), back_url)
    view.update(
        find=find, found=found,
        everywhere_url=search_urls.search(SearchRequest(q=find)) if find else None,
        state_params=search_params(state),  # kept by the in-article search form
        citation=citation(article.title, article.source, article.date, article.url,
                          issuer=article.issuer, doc_number=article.doc_number),
        from_search=bool(request.args),
    )
    for section in view["sections"]:
        for p in section["paragraphs"]:
            p["citation"] = citation(article.title, article.source, article.date, article.url, p["para_no"],
                                     issuer=article.issuer, doc_number=article.doc_number)
            p["found"] = found is not None and p["para_no"] in found
    return render_template("doc.html", doc=view)
