"""The HTML pages: the search page ``/`` and the article page ``/docs/<doc_id>``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import escape

from search.results import SearchRequest, request_from_params
from web.context import doc_base, get_searcher
from web.view import article_view, request_url, search_view

bp = Blueprint("pages", __name__)


@bp.get("/")
def search_page():
    searcher = get_searcher()
    req = request_from_params(request.args.getlist)
    result = searcher.search(req)
    view = search_view(result, url_for("pages.search_page"), searcher.measure_labels, doc_base())
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
