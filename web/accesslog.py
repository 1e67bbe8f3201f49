"""One log line per request: method, path and query, status, milliseconds."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

log = logging.getLogger("zhsearch.access")


class AccessLog:
    """WSGI middleware that logs each request once its response is sent."""

    def __init__(self, app, logger: logging.Logger = log):
        self.app = app
        self.log = logger

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        body = self.app(environ, recording_start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
            ms = (time.perf_counter() - started) * 1000
            self.log.info("%s %s %s %.1fms", environ.get("REQUEST_METHOD", "-"), _target(environ), status[0], ms)


def _target(environ) -> str:
    # PATH_INFO arrives decoded as latin-1 (PEP 3333): re-quote it for one clean line.
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = quote(path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING", "")
    return path + ("?" + query if query else "")
