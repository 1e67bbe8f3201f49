"""``zhsearch serve`` start-up and its access log."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the kernel's socket buffer bound")
def test_a_stream_waits_for_a_slow_client_once_a_megabyte_is_unsent():
    """waitress keeps the bytes of a response in one buffer until it has
    taken ``OUTBUF_BYTES`` (a buffer's memory is not given back before), and
    makes the app wait once that much is unsent: with waitress's default
    (16 MB) an export's server held 16 MB more all along.  A client that
    reads 64 KB and pauses: the app gets no further than that bound and the
    sockets' buffers ahead of it; all the bytes arrive once it reads on."""
    import socket
    import threading
    import time

    from web.serve import OUTBUF_BYTES, make_server

    piece = b"x" * 65536
    made = [0]
    # what the kernel may hold: the server's send buffer at most, the client's receive buffer
    kernel = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2]) + 2 * 65536
    if OUTBUF_BYTES + len(piece) + kernel >= 16 << 20:
        pytest.skip("this kernel's socket buffers are too large to tell 1 MB ahead from 16")

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        for _ in range(640):  # 40 MB
            made[0] += len(piece)
            yield piece

    sock = socket.create_server(("127.0.0.1", 0))
    server = make_server(app, sock, threads=1)
    threading.Thread(target=server.run, daemon=True).start()
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    try:
        client.connect(sock.getsockname())
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = len(client.recv(65536))
        time.sleep(1.5)  # ample for the app to make 40 MB were it not held back
        ahead = made[0]
        assert ahead <= OUTBUF_BYTES + len(piece) + kernel  # waitress's default: 16 MB ahead and more
        while chunk := client.recv(1 << 20):
            got += len(chunk)
        assert made[0] == 640 * 65536 and got > made[0]  # every byte, after the headers
    finally:
        client.close()
        server.close()
        server.task_dispatcher.shutdown()
