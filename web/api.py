"""The JSON API (``api.md``): ``/api/search``, ``/api/docs``,
``/api/docs/<doc_id>`` and ``/healthz``."""

from __future__ import annotations

import os

from flask import Blueprint, abort, jsonify, request

from search.engine.results import request_from_params
from search.present.serialize import article_json, articles_json, search_json
from web.context import get_searcher, run_search

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    result, urls = run_search("api.search")
    return jsonify(search_json(result, urls))


@bp.get("/api/docs")
def docs():
    # page, size and the facets are read exactly as for a search; the query is not used
    req = request_from_params(lambda name: request.args.getlist(name) if name != "q" else [])
    total, items = get_searcher().articles(req.page, req.size, req)
    return jsonify(articles_json(total, req.page, req.size, items))


@bp.get("/api/docs/<doc_id>")
def doc(doc_id: str):
    article = get_searcher().article(doc_id)
    if article is None:
        abort(404, description=f"no article with doc_id {doc_id!r}")
    return jsonify(article_json(article))


@bp.get("/healthz")
def healthz():
    health = get_searcher().health()
    if health.get("unavailable"):  # the state served is damaged, or none opens: every answer is a 503
        return jsonify(status="unavailable", reason=health["unavailable"], **health, worker=os.getpid()), 503
    if health.get("damaged"):  # the newest generation was refused; searches use the last good one
        return jsonify(status="damaged", reason=health["damaged"], **health, worker=os.getpid()), 503
    return jsonify(status="ok", **health, worker=os.getpid())
