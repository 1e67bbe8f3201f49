"""What a request handler works with: the app's searcher and its URL bases."""

from __future__ import annotations

from flask import current_app, url_for


def get_searcher():
    """The searcher of the app handling the current request."""
    return current_app.extensions["searcher"]


def doc_base() -> str:
    """The URL prefix of article pages (``/docs/``), honouring a mount point."""
    return url_for("pages.doc_page", doc_id="-")[:-1]
