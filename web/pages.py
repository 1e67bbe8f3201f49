"""The HTML pages: the search page ``/`` and the article page ``/docs/<doc_id>``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from search.highlight import mark_html
from search.results import SearchRequest
from web.context import get_searcher, run_search, urls_for
from web.view import article_view, search_view

bp = Blueprint("pages", __name__)


@bp.get("/")
def search_page():
    result, urls = run_search("pages.search_page")
    json_url = urls.search(result.request, base=url_for("api.search"))
    return render_template("search.html", view=search_view(result, urls), json_url=json_url)


@bp.get("/docs/<doc_id>")
def doc_page(doc_id: str):
    searcher = get_searcher()
    article = searcher.article(doc_id)
    if article is None:
        abort(404, description=f"没有编号为 {doc_id} 的文章")
    q = request.args.get("q", "")
    groups = searcher.query(q).mark_groups() if q.strip() else []
    back_url = urls_for("pages.search_page").search(SearchRequest(q=q))
    return render_template("doc.html", doc=article_view(article, q, lambda text: mark_html(text, groups), back_url))
