"""``/api/export``: every hit of a search, streamed as CSV or JSONL, or
cited as RIS or BibTeX (one entry an article); or only the paragraphs named
by repeated ``para_id=`` (the hits a user ticked).

The rows come from ``Searcher.iter_hits`` a chunk at a time and go out as
they are made, so the server holds a chunk, never the whole answer."""

from __future__ import annotations

import ctypes
import sys
from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint, Response, request, stream_with_context
from werkzeug.exceptions import NotFound

from search.engine.results import BadRequest, request_from_params
from search.engine.results import MAX_REPEATS
from search.present.serialize import (EXPORTERS, EXPORT_FORMATS, EXTENSIONS, MEDIA_TYPES, export_bibtex,
                                      export_name, export_ris)
from web.context import get_searcher, urls_for

bp = Blueprint("exports", __name__)

@bp.get("/api/export")
def export():
    fmt = (request.args.getlist("format") or [""])[-1].strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise BadRequest("format must be one of " + ", ".join(EXPORT_FORMATS))
    req = request_from_params(request.args.getlist)
    chosen = [p.strip() for p in request.args.getlist("para_id") if p.strip()]
    if len(chosen) > MAX_REPEATS:
        raise BadRequest(f"para_id may be given at most {MAX_REPEATS} times")
    article = (request.args.getlist("doc_id") or [""])[-1].strip()
    if chosen:  # the ticked hits, in the order given, marked as the search marked them
        hits = iter(get_searcher().hits_by_id(chosen, req.q))
    elif article:  # one article: its paragraphs, and as a reference the article itself
        found = get_searcher().article(article)
        if found is None:
            raise NotFound(f"no article {article!r}")
        hits = iter(get_searcher().hits_by_id([f"{article}-{p.para_no}" for p in found.paragraphs]))
        if fmt in ("ris", "bibtex"):
            body = (export_ris if fmt == "ris" else export_bibtex)(hits, None, paragraphs=False)
            return attachment(body, fmt, f"zhsearch_{article}.{EXTENSIONS[fmt]}")
    else:
        give_back_freed_memory()
        hits = get_searcher().iter_hits(req, snippets=fmt == "jsonl")
    first = next(hits, None)  # a bad request fails here, as a 400, before anything is sent
    urls = urls_for("api.search", absolute=True)  # a file read away from the server needs whole addresses
    body = EXPORTERS[fmt](_chain(first, hits), urls, req.q)
    return attachment(body, fmt, export_name(req, fmt), every_hit=not (chosen or article))


def give_back_freed_memory() -> None:
    """Hand the free pages of glibc's malloc arenas back to the system
    (``malloc_trim``), before and after an export of every hit: the
    matching and ranking of all its hits make arrays of some MB each, in
    the arena of whichever thread answers, beside what earlier requests
    freed and left there (at 1M, q=的: the server's peak 7-8 MB lower in one
    process, bench/README.md); after it, what the export freed goes too.
    A few ms against an export's seconds; searches do not pay it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc's; another C library has none
    except (OSError, AttributeError):
        return None


def attachment(body, fmt: str, filename: str, every_hit: bool = False) -> Response:
    response = Response(stream_with_context(_encoded(body, every_hit)),
                        content_type=MEDIA_TYPES[fmt] + "; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def _chain(first, rest):
    if first is not None:
        yield first
        yield from rest


def _encoded(pieces, every_hit: bool = False):
    try:
        for piece in pieces:
            yield piece.encode("utf-8")
    finally:  # also when the client went away mid-way
        if every_hit:
            give_back_freed_memory()


def content_disposition(filename: str) -> str:
    """An attachment named ``filename``: an ASCII fallback for old clients
    and the UTF-8 name (RFC 5987/6266) for every current browser."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
