"""``/api/export``: every hit of a search, streamed as CSV or JSONL.

The rows come from ``Searcher.iter_hits`` a chunk at a time and go out as
they are made, so the server holds a chunk, never the whole answer."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request, stream_with_context

from search.engine.results import BadRequest, request_from_params
from search.present.serialize import EXPORT_FORMATS, export_csv, export_jsonl, export_name
from web.context import get_searcher, urls_for

bp = Blueprint("exports", __name__)

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@bp.get("/api/export")
def export():
    fmt = (request.args.getlist("format") or [""])[-1].strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise BadRequest("format must be csv or jsonl")
    req = request_from_params(request.args.getlist)
    hits = get_searcher().iter_hits(req, snippets=fmt == "jsonl")
    first = next(hits, None)  # a bad request fails here, as a 400, before anything is sent
    urls = urls_for("api.search")
    hits = _chain(first, hits)
    body = export_csv(hits, urls) if fmt == "csv" else export_jsonl(hits, urls, req.q)
    response = Response(stream_with_context(_encoded(body)), mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = content_disposition(export_name(req, fmt))
    response.headers["Cache-Control"] = "no-store"
    return response


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest


def _encoded(pieces):
    for piece in pieces:
        yield piece.encode("utf-8")


def content_disposition(filename: str) -> str:
    """An attachment named ``filename``: an ASCII fallback for old clients
    and the UTF-8 name (RFC 5987/6266) for every current browser."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
