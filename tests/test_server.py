"""The real server (``zhsearch serve``), over raw sockets: what curl and
browsers send, what no client should send, and its worker processes."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from web import SECURITY_HEADERS

from conftest import ROOT, SEEDS, free_port, wait_until_serving


def raw(base: str, data: bytes, timeout: float = 20) -> tuple[int, dict, bytes]:
    host, port = base.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def get(target: bytes, *headers: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(h + b"\r\n" for h in headers) \
        + b"Connection: close\r\n\r\n"


def assert_ours(headers: dict, body: bytes, api: bool) -> None:
    for name in SECURITY_HEADERS:
        assert name.lower() in headers, name
    if api:
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body)["error"]["code"]
    else:
        assert headers["content-type"].startswith("text/html") and "<html".encode() in body


def test_raw_utf8_in_the_url_is_searched(live_server):
    status, headers, body = raw(str(live_server), get("/api/search?q=扶贫车间".encode()))
    assert status == 200, body[:300]
    answer = json.loads(body)
    assert answer["query"] == "扶贫车间" and answer["total"] > 0
    status, _, body = raw(str(live_server), get("/?q=扶贫车间".encode()))
    assert status == 200 and "扶贫车间".encode() in body
    status, _, body = raw(str(live_server), get(b"/api/search?q=\xff\xfe"))
    assert status == 200 and json.loads(body)["query"] in ("\ufffd\ufffd", "%FF%FE")  # as werkzeug reads %FF%FE
    status, headers, body = raw(str(live_server), get("/docs/没有这篇".encode()))
    assert status == 404
    assert_ours(headers, body, api=False)


@pytest.mark.parametrize("request_bytes, api", [
    (get(b"/api/search?q=" + b"a" * 300_000), True),
    (get(b"/?q=" + b"a" * 300_000), False),
    (get(b"/api/search?q=x&pad=" + b"a" * 210_000), True),
    (get(b"/api/search?q=x", b"X: " + b"a" * 300_000), True),
    (get(b"/api/search?q=x", b"Bad Header"), True),
    (get(b"/a b"), False),
    (b"\x00\x01garbage\r\n\r\n", False),
    (b"get /api/search HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n", True),
    (b"GET /api/search?q=x HTTP/1.1\r\nConnection: close\r\n\r\n", True),  # no Host
    (b"GET /?q=x HTTP/1.1\r\nConnection: close\r\n\r\n", False),
    (get(b"/api/search?q=a\x00b"), True),
    (get(b"/?q=a\x00b"), False),
    (get(b"/api/search?q=a\x1bb"), True),
    (get(b"/api/search?q=x", b"Host: " + b"a" * 64 + b".com"), True),
    (get(b"/?q=x", b"Host: " + b"a" * 64 + b".com"), False),
    (b"GET /api/search?q=x HTTP/1.1\r\nHost: " + b"a" * 64 + b".com\r\nConnection: close\r\n\r\n", True),
])
def test_what_the_server_refuses_is_our_error_with_our_headers(live_server, request_bytes, api):
    status, headers, body = raw(str(live_server), request_bytes)
    assert 400 <= status < 500, (status, body[:200])
    assert_ours(headers, body, api)


@pytest.mark.parametrize("request_bytes", [
    b"GET /api/search?q=x HTTP/1.0\r\n\r\n",  # HTTP/1.0 needs no Host
    get(b"/api/search?q=a%00b"),  # a NUL percent-encoded is the query's business
    b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tab: a\tb\r\nConnection: close\r\n\r\n",
])
def test_what_is_near_a_refused_request_is_answered(live_server, request_bytes):
    status, headers, body = raw(str(live_server), request_bytes)
    assert status == 200, body[:300]
    assert "query" in json.loads(body)


def test_every_worker_answers_a_search_that_finds_nothing(live_server):
    """Such a search suggests others (pypinyin): a worker forked while the
    module was half loaded answered 500 here."""
    import json
    import urllib.request
    from urllib.parse import quote

    for _ in range(6):  # the workers take turns
        with urllib.request.urlopen(f"{live_server}/api/search?q={quote('扶贫车问')}", timeout=30) as r:
            answer = json.loads(r.read())
        assert r.status == 200 and answer["total"] == 0
        assert any("扶贫车间" in s["q"] for s in answer["suggestions"])


def test_the_server_still_answers_after_the_bad_requests(live_server):
    with urllib.request.urlopen(str(live_server) + "/healthz", timeout=10) as r:
        assert json.loads(r.read())["status"] == "ok"


def two_workers(ix) -> tuple[subprocess.Popen, str]:
    """``zhsearch serve`` with two workers over ``ix``, and its address."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", str(ix), "--port", str(port),
                             "--workers", "2", "--threads", "2"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def test_two_workers_each_pick_up_a_new_generation(tmp_path):
    from search.indexing import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(SEEDS.iterdir())[:3]:
        shutil.copy(f, corpus / f.name)
    ix = tmp_path / "ix"
    build_index([str(corpus)], str(ix), procs=1)
    proc, base = two_workers(ix)

    def health():
        with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
            return json.loads(r.read())

    try:
        wait_until_serving(base + "/healthz", proc)
        before = health()["paragraphs"]
        seen = {}
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            h = health()
            seen[h["worker"]] = h["paragraphs"]
        assert len(seen) == 2, "two worker processes answer"
        for f in sorted(SEEDS.iterdir())[3:5]:
            shutil.copy(f, corpus / f.name)
        build_index([str(corpus)], str(ix), procs=1)
        new = {}
        deadline = time.monotonic() + 60
        while len(new) < 2 and time.monotonic() < deadline:
            h = health()
            if h["paragraphs"] != before:
                new[h["worker"]] = h["paragraphs"]
            time.sleep(0.05)
        assert set(new) == set(seen), "both workers answer with the new state"
        assert len(set(new.values())) == 1 and next(iter(new.values())) > before
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/healthz", timeout=2)  # the workers went with the server


def test_a_worker_that_dies_is_replaced_by_one_that_answers(tmp_path):
    """Workers start from the parent's loaded index; one started later (the
    first was killed) opens the index itself and answers the same."""
    import os
    import signal
    from urllib.parse import quote

    from search.indexing import build_index

    ix = tmp_path / "ix"
    build_index([str(SEEDS)], str(ix), procs=1)
    proc, base = two_workers(ix)

    def answers() -> tuple[set, set]:
        """The workers that answered /healthz, and the distinct answers to a
        search (each request may reach either worker), over 20 requests each."""
        workers, found = set(), set()
        for _ in range(20):
            with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
                workers.add(json.loads(r.read())["worker"])
            with urllib.request.urlopen(f"{base}/api/search?q={quote('扶贫车间')}&size=50", timeout=30) as r:
                a = json.loads(r.read())
            found.add((a["total"], tuple(hit["para_id"] for hit in a["hits"])))
        return workers, found

    try:
        wait_until_serving(base + "/healthz", proc)
        workers, found = answers()
        assert len(workers) == 2 and len(found) == 1
        assert next(iter(found))[0] > 0
        victim = next(iter(workers))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            after, found_after = answers()
            if len(after) == 2 and victim not in after:
                break
            time.sleep(0.2)
        assert len(after) == 2 and victim not in after, "a new worker took the killed one's place"
        assert found_after == found, "it answers as the others did"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def half_open(base: str, n: int) -> list[socket.socket]:
    """``n`` connections that start a request and never finish its headers."""
    host, port = base.rsplit("/", 1)[-1].split(":")
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        socks.append(s)
    return socks


def test_connections_that_never_finish_their_headers_do_not_shut_out_others(seed_index):
    """More half-open connections than both workers have slots for (waitress
    held each for 120 s): /healthz still answers while they stay open, and
    the server closes them itself.  The bound is generous, not a timing."""
    from web.serve import CONNECTIONS

    proc, base = two_workers(seed_index)
    socks = []
    try:
        wait_until_serving(base + "/healthz", proc)
        socks = half_open(base, 3 * CONNECTIONS)
        with urllib.request.urlopen(base + "/healthz", timeout=30) as r:
            assert json.loads(r.read())["status"] == "ok"
        closed = 0
        for s in socks[:20]:  # the first ones, whichever worker took them
            try:
                closed += s.recv(1024) == b""
            except (ConnectionResetError, socket.timeout):
                pass
        assert closed == 20, "the server closes a connection whose headers never end"
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait(timeout=20)


def test_a_kept_alive_connection_is_answered_after_a_pause(live_server):
    """Near the bound: a connection idle for a moment after an answer (not
    over the idle limit) still gets its next request answered."""
    host, port = str(live_server).rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        for _ in range(2):
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                data += s.recv(65536)
            assert data.startswith(b"HTTP/1.1 200")
            time.sleep(1)
