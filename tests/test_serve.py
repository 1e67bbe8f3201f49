"""``zhsearch serve`` start-up and its access log."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from web.accesslog import AccessLog


def test_serve_without_an_index_says_so_and_exits_4(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "search", "serve", "--index", str(tmp_path / "none"), "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert r.returncode == 4  # no usable index (search.cli.exits)
    assert "zhsearch index" in r.stderr


def test_access_log_line_per_request(caplog):
    def app(environ, start_response):
        start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
        return [b"no"]

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/docs/\xe6\x89\xb6", "QUERY_STRING": "q=%E6%89%B6"}
    with caplog.at_level(logging.INFO, logger="zhsearch.access"):
        body = b"".join(AccessLog(app)(environ, lambda status, headers, exc_info=None: None))
    assert body == b"no"
    (line,) = [r.getMessage() for r in caplog.records]
    method, target, status, ms = line.split(" ")
    assert (method, target, status) == ("GET", "/docs/%E6%89%B6?q=%E6%89%B6", "404")
    assert ms.endswith("ms") and float(ms[:-2]) >= 0
