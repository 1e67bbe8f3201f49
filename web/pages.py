"""The HTML pages: the search page ``/`` and the article page ``/docs/<doc_id>``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import escape

from search.results import SearchRequest
from web.context import get_searcher, search_for
from web.view import article_view, request_url

bp = Blueprint("pages", __name__)


@bp.get("/")
def search_page():
    req, view = search_for("pages.search_page")
    json_url = request_url(url_for("api.search"), req)
    return render_template("search.html", view=view, json_url=json_url)


@bp.get("/docs/<doc_id>")
def doc_page(doc_id: str):
    searcher = get_searcher()
    article = searcher.article(doc_id)
    if article is None:
        abort(404, description=f"没有编号为 {doc_id} 的文章")
    q = request.args.get("q", "")
    mark = searcher.mark if q.strip() else (lambda text, _q: str(escape(text)))
    back_url = request_url(url_for("pages.search_page"), SearchRequest(q=q))
    return render_template("doc.html", doc=article_view(article, q, mark, back_url))
