"""What a request handler works with: the app's searcher and its URL bases."""

from __future__ import annotations

from flask import current_app, request, url_for

from search.results import request_from_params


def get_searcher():
    """The searcher of the app handling the current request."""
    return current_app.extensions["searcher"]


def doc_base() -> str:
    """The URL prefix of article pages (``/docs/``), honouring a mount point."""
    return url_for("pages.doc_page", doc_id="-")[:-1]


def search_for(endpoint: str):
    """Run the search the current request's query string asks for; returns
    the request and the view model with URLs built on ``endpoint``."""
    from web.view import search_view

    searcher = get_searcher()
    req = request_from_params(request.args.getlist)
    result = searcher.search(req)
    return req, search_view(result, url_for(endpoint), searcher.measure_labels, doc_base())
