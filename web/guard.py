"""What no request may do to the app, checked before it runs.

- A URL longer than ``MAX_URL_BYTES`` is refused (414) before any
  parameter is parsed.
- A ``Host`` header that is not a host name (a label over 63 characters,
  characters no host holds) is refused (400); until then the request
  carries a harmless host, so that building URLs for the error page
  cannot fail.
- Text that cannot be written as UTF-8 (a lone surrogate from an index
  built before ingestion replaced them) is written as U+FFFD instead of
  failing the whole answer.

Errors are raised inside the Flask app, so their answers are the app's
own: JSON with the security headers on ``/api/``, a Chinese page
elsewhere.  The server's own errors (a request it cannot parse) are
``web.serve``'s.
"""

from __future__ import annotations

import re

from flask import Response as FlaskResponse
from flask import request
from werkzeug.exceptions import HTTPException

from search.text.scrub import scrub

MAX_URL_BYTES = 200 * 1024  # path and query string, percent-encoded (README "Limits"): a 20,000-character query fits
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?(?::[0-9]{{1,5}})?"
                   r"|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")
_MARK = "zhsearch.refused"


class UriTooLong(HTTPException):
    code = 414
    description = f"the URL is longer than {MAX_URL_BYTES} bytes"


class BadHost(HTTPException):
    code = 400
    description = "the Host header is not a host name"


class RequestGuard:
    """WSGI middleware: marks requests the app must refuse (see the module)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        target = len(environ.get("PATH_INFO", "").encode("latin-1", "replace")) + len(environ.get("QUERY_STRING", ""))
        if target > MAX_URL_BYTES:
            environ[_MARK] = UriTooLong()
        host = environ.get("HTTP_HOST")
        if host is not None and (len(host) > 255 or not _HOST.fullmatch(host)):
            environ[_MARK] = environ.get(_MARK) or BadHost()
            environ["HTTP_HOST"] = environ.get("SERVER_NAME") or "localhost"
            if not _HOST.fullmatch(environ["HTTP_HOST"]):
                environ["HTTP_HOST"] = "localhost"
        return self.app(environ, start_response)


def refuse_marked_requests() -> None:
    """``before_request``: raise the error the guard marked, if any."""
    refused = request.environ.get(_MARK)
    if refused is not None:
        raise refused


class Response(FlaskResponse):
    """A response whose text is always encodable as UTF-8."""

    def set_data(self, value) -> None:
        if isinstance(value, str):
            value = scrub(value)
        super().set_data(value)
