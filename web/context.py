"""What a request handler works with: the app's searcher and its URLs."""

from __future__ import annotations

from flask import current_app, request, url_for

from search.engine.results import request_from_params
from search.present.urls import Urls


def get_searcher():
    """The searcher of the app handling the current request."""
    return current_app.extensions["searcher"]


def urls_for(endpoint: str, absolute: bool = False) -> Urls:
    """URLs of searches at ``endpoint`` and of article pages, honouring a
    mount point; ``absolute``: with this server's scheme and host, for files
    that leave it (exports)."""
    def at(name: str, **values) -> str:
        return url_for(name, _external=absolute, **values)

    return Urls(search_base=at(endpoint), doc_base=at("pages.doc_page", doc_id="-")[:-1],
                reprints_base=at("pages.reprints_page", para_id="-")[:-1])


def run_search(endpoint: str, explain: bool = False):
    """Run the search the current request's query string asks for (with
    ``explain``, each hit says why it ranks where it does, whatever the
    query string says); returns the typed result and the URLs for ``endpoint``."""
    req = request_from_params(request.args.getlist)
    req.explain = req.explain or explain
    return get_searcher().search(req), urls_for(endpoint)
