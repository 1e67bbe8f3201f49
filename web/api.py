"""The JSON API (``api.md``): ``/api/search``, ``/api/trends``, ``/api/kwic``, ``/api/terms``, ``/api/docs``,
``/api/docs/<doc_id>`` and ``/healthz``."""

from __future__ import annotations

import os

from flask import Blueprint, Response, abort, jsonify, request

from search.engine.results import BadRequest, request_from_params
from search.present.serialize import (article_json, articles_json, export_name, hit_json, kwic_csv, kwic_jsonl, search_json,
                                      terms_json, trends_csv)
from web.exports import attachment
from web.kwic import kwic_answer
from web.trends import trends_answer
from web.context import get_searcher, run_search, urls_for

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    result, urls = run_search("api.search")
    return jsonify(search_json(result, urls))


@bp.get("/api/trends")
def trends():
    answer = trends_answer()
    if (request.args.getlist("format") or [""])[-1] == "csv":
        response = Response(trends_csv(answer), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = "attachment; filename=\"zhsearch_trends.csv\""
        return response
    return jsonify(answer)


@bp.get("/api/kwic")
def kwic():
    answer, found, req = kwic_answer()
    fmt = (request.args.getlist("format") or [""])[-1].strip()
    if fmt in ("csv", "jsonl"):
        urls = urls_for("pages.search_page", absolute=True)
        body = (kwic_csv if fmt == "csv" else kwic_jsonl)(found, urls)
        return attachment(body, fmt, export_name(req, fmt).replace("zhsearch_", "zhsearch_kwic_", 1))
    if fmt:
        raise BadRequest("format must be csv or jsonl")
    return jsonify(answer)


@bp.get("/api/terms")
def terms():
    req = request_from_params(request.args.getlist)
    return jsonify(terms_json(req, get_searcher().terms(req), urls_for("pages.search_page")))


@bp.get("/api/reprints/<para_id>")
def reprints(para_id: str):
    """The paragraphs of other articles printing ``para_id``'s text, earliest first."""
    others = get_searcher().reprints_of(para_id)
    if others is None:
        abort(404, description=f"no paragraph {para_id!r}")
    urls = urls_for("api.search")
    return jsonify({"para_id": para_id, "count": len({h.doc_id for h in others}),
                    "paragraphs": [{k: v for k, v in hit_json(h, urls).items() if not k.endswith("snippet")}
                                   for h in others]})


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
