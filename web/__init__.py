"""The web layer: search pages and the JSON API over the search library.

``create_app`` is the application factory; everything the app needs (the
searcher, the configuration) is passed in, so tests can replace any part.
"""

from __future__ import annotations

from flask import Flask, abort, request

from web import errors, guard
from web.context import get_searcher
from web.api import bp as api_bp
from web.exports import bp as exports_bp
from web.pages import bp as pages_bp

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(index_dir: str | None = None, searcher=None, config: dict | None = None) -> Flask:
    """Build the app over ``searcher``, or over a serving Searcher opened on
    ``index_dir`` (raises ``IndexMissing``/``IndexVersionError``/``IndexDamaged``
    if it can't, unless ``config["WAIT_FOR_INDEX"]``: then every answer
    is a 503 saying why until a good state opens).  ``config["VERIFY_EVERY"]``:
    seconds between the background checks of the files served."""
    app = Flask(__name__)
    app.response_class = guard.Response  # text that cannot be UTF-8 is replaced, not a 500
    app.wsgi_app = guard.RequestGuard(app.wsgi_app)
    app.config.update(INDEX_DIR=index_dir)
    app.config.update(config or {})
    app.url_map.merge_slashes = False  # /docs//x is no article (a 404), not a redirect to one
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \u escapes
    app.json.sort_keys = False  # keep the order api.md shows
    if searcher is None:
        from search.engine.searcher import RANK_CACHE, Searcher

        searcher = Searcher(app.config["INDEX_DIR"], serving=True, wait=app.config.get("WAIT_FOR_INDEX", False),
                            rank_cache=app.config.get("RANK_CACHE", RANK_CACHE))
        searcher.verify_every = app.config.get("VERIFY_EVERY", searcher.verify_every)
    app.extensions["searcher"] = searcher

    app.jinja_env.filters["shorten"] = shorten
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(exports_bp)
    errors.register(app)
    app.before_request(guard.refuse_marked_requests)
    app.before_request(_refresh_index)
    app.after_request(_security_headers)
    return app


def _refresh_index() -> None:
    """Pick up a new state of the index; while none can be served (the one
    served is damaged), answer 503 with the reason (``/healthz`` says it
    its own way; the static files need no index)."""
    searcher = get_searcher()
    searcher.refresh()
    why = searcher.unavailable()
    if why and request.endpoint not in ("api.healthz", "static"):
        abort(503, description=why)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


SHORT_QUERY_CHARS = 60


def shorten(text: str, limit: int = SHORT_QUERY_CHARS) -> str:
    """A query as a heading or a title shows it: whole up to ``limit``
    characters, else its beginning and the count of the rest."""
    text = text or ""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(共 {len(text)} 字)"
