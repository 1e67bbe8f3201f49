"""``zhsearch serve``: the web app under waitress, a production WSGI server,
in one or more worker processes.

Why waitress, configured as here (README "Serving"): gunicorn gives
pre-forked workers but rejects raw UTF-8 in the request line with its own
HTML page (so does waitress out of the box: "Bad URI", plain text); both
let a server subclass own the parser and the error answers, and waitress
is pure Python, already pinned and needs no more than a socket shared by
forked processes for workers.  So:

- ``_Parser`` percent-encodes the bytes above 0x7f in the request line
  before waitress reads it, as browsers do: ``curl '…?q=扶贫车间'`` is
  the search for 扶贫车间, bytes that are not UTF-8 become U+FFFD;
- ``_ErrorTask`` writes every error waitress produces itself (a request
  line it cannot parse, headers too large, a bad Content-Length, an
  exception that escaped the app) as our JSON error with our security
  headers for ``/api/`` and ``/healthz``, a Chinese page elsewhere;
- ``_Channel`` and ``_Server`` bound how long a connection may hold one
  of a worker's slots without a request to answer (``HEAD_SECONDS`` for
  a request's line and headers, ``IDLE_SECONDS`` between the requests of
  a kept-alive connection), and, when every slot is taken, free those
  that waited longest, so that clients that never finish their headers
  cannot shut out those that do;
- ``--workers N`` binds the socket once, loads the index, jieba and
  pypinyin and warms the code paths in the parent, then forks N processes
  that accept on it, each taking over the parent's Searcher with files of
  its own (so their pages are shared, and each picks up a new generation
  by itself, per request); the parent restarts a worker that dies and
  stops them all on SIGTERM or Ctrl-C.  A worker that dies is reported
  with its signal (a fault prints its traceback) and replaced, later each
  time while workers keep dying; one that cannot open the index answers
  503 saying why (and tries again when the folder changes) rather than
  exiting to be restarted in a loop.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import logging
import os
import re
import signal
import socket
import sys
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from web.accesslog import AccessLog

log = logging.getLogger("zhsearch.serve")

MAX_HEADER_BYTES = 256 * 1024 + 8 * 1024  # request line and headers; the app's URL limit is 200 KB
HEAD_SECONDS = 5  # from a request's first byte (or the connection's opening) to the end of its headers
IDLE_SECONDS = 15  # a kept-alive connection's wait for its next request
CONNECTIONS = 100  # slots per worker (waitress's default); a full set frees the longest-waiting tenth
# A response's bytes go into one in-memory buffer of waitress's until it has
# taken this many (then a new one): a buffer whose bytes were sent keeps its
# memory until then, while a client that keeps up never lets it spill to a
# file.  Waitress's 16 MB made an export's server 16 MB larger all along (a
# sawtooth of 16 MB per 16 MB sent); 1 MB (its spill size) keeps 1 MB.  The
# same bound makes the app wait for a slow client once 1 MB is unsent (with
# 16 MB, what passed 1 MB went to a temporary file) (bench/README.md,
# "Exports: waitress's output buffer").
OUTBUF_BYTES = 1 << 20
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # no request line holds one (RFC 9112 3)
_API_PATH = re.compile(rb"^[A-Za-z]+ +(?:https?://[^/ ]*)?/(?:api/|api[ ?]|healthz)")


def _percent_encode_high_bytes(line: bytes) -> bytes:
    return _HIGH_BYTE.sub(lambda m: b"%%%02X" % m.group()[0], line)


class _Parser(HTTPRequestParser):
    """waitress's parser, taking raw UTF-8 (any byte above 0x7f) in the
    request line as if it had been percent-encoded."""

    head = b""

    def received(self, data):
        if not self.head:
            self.head = bytes(data[:64])  # to answer an error on /api/ in JSON, however early
        return super().received(data)

    def parse_header(self, header_plus):
        end = header_plus.find(b"\r\n")
        if end > 0 and _CONTROL.search(header_plus, 0, end):
            raise ParsingError("a control character in the request line")
        if end > 0 and _HIGH_BYTE.search(header_plus, 0, end):
            header_plus = _percent_encode_high_bytes(header_plus[:end]) + header_plus[end:]
        super().parse_header(header_plus)
        if self.version == "1.1" and "HOST" not in self.headers:
            raise ParsingError("an HTTP/1.1 request without Host (RFC 9112 3.2)")


ERROR_MESSAGES = {  # what the server's own errors say, by status
    400: ("bad_request", "请求有误", "the request could not be parsed"),
    414: ("uri_too_long", "网址太长", "the URL is too long"),
    431: ("headers_too_large", "请求头太大", "the request line and headers are too large"),
    413: ("request_too_large", "请求太大", "the request body is too large"),
    500: ("internal_error", "服务器出错了", "internal server error"),
    501: ("not_implemented", "不支持这种请求", "not implemented"),
}

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body><main><h1>{title}</h1><p>{status} · 请检查网址后再试。</p><p><a href="/">返回搜索</a></p></main></body></html>
"""


def error_answer(status: int, path_is_api: bool) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of an error the server answers by itself."""
    from web import SECURITY_HEADERS

    code, title, message = ERROR_MESSAGES.get(status, ("error", "出错了", "error"))
    if path_is_api:
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")
        ctype = "application/json"
    else:
        body = _PAGE.format(title=title, status=status).encode("utf-8")
        ctype = "text/html; charset=utf-8"
    return [("Content-Type", ctype), *SECURITY_HEADERS.items()], body


class _ErrorTask(ErrorTask):
    def execute(self):
        req = self.request
        status = getattr(req.error, "code", 400)
        # what the client sent first (for headers too large, waitress makes up a path)
        api = bool(_API_PATH.match(getattr(req, "head", b"") or getattr(req, "first_line", b"") or b""))
        headers, body = error_answer(status, api)
        self.status = f"{status} {req.error.reason}"
        self.response_headers.extend(headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    parser_class = _Parser
    error_task_class = _ErrorTask
    answered = False  # a request of this connection was read whole (it may idle longer)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting_since = self.creation_time  # for its first request's first byte

    def received(self, data):
        if data and self.request is None:
            self.waiting_since = time.time()  # a request starts
        pending = len(self.requests)
        try:
            return super().received(data)
        finally:
            if len(self.requests) > pending:
                self.answered = True

    def service(self):
        try:
            return super().service()
        finally:
            if self.request is None:  # answered: the wait for the next request starts
                self.waiting_since = time.time()

    def overdue(self, now: float) -> bool:
        """Holding a slot without a request to answer for too long: its
        request's line and headers unfinished after HEAD_SECONDS, or no
        request since the last answer for IDLE_SECONDS."""
        if self.requests or self.will_close:
            return False
        if self.request is not None or not self.answered:
            return now - self.waiting_since > HEAD_SECONDS
        return now - self.waiting_since > IDLE_SECONDS


class _Server(TcpWSGIServer):
    channel_class = _Channel

    def maintenance(self, now):
        for channel in list(self.active_channels.values()):
            if channel.overdue(now):
                channel.will_close = True  # closed by the loop, as waitress's own idle timeout does

    def readable(self):
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self._free_slots()
        return super().readable()

    def _free_slots(self) -> None:
        """Every slot is taken: close the connections (a tenth of the slots)
        that have waited longest for a request, none that one is being
        answered on, so that a new client gets in."""
        waiting = [c for c in self.active_channels.values() if not c.requests and not c.will_close]
        waiting.sort(key=lambda c: c.waiting_since)
        for channel in waiting[:max(1, self.adj.connection_limit // 10)]:
            channel.will_close = True


def make_server(app, sock: socket.socket, threads: int) -> _Server:
    """A waitress server of ``app`` accepting on ``sock`` (already bound)."""
    adj = Adjustments(sockets=[sock], threads=threads, ident="zhsearch",
                      max_request_header_size=MAX_HEADER_BYTES, connection_limit=CONNECTIONS,
                      cleanup_interval=1,  # how often maintenance looks for overdue connections
                      outbuf_high_watermark=OUTBUF_BYTES)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
    return _Server(app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False, sockinfo=sockinfo)


def run_server(index_dir: str, host: str = "127.0.0.1", port: int = 5000, threads: int = 8,
               workers: int | None = None, verify_every: float | None = None) -> int:
    from search.query.suggest import warm as warm_suggestions
    from web import create_app

    workers = max(1, workers or os.cpu_count() or 1)
    _release_freed_memory()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" chatter
    # The index, jieba's dictionary (the Searcher loads it) and pypinyin's
    # tables are loaded once, here, before forking: the workers share
    # their pages, and none of them loads anything before answering.
    config = {} if verify_every is None else {"VERIFY_EVERY": verify_every}
    app = create_app(index_dir, config=config)  # raises IndexUnavailable: the CLI says why
    warm_suggestions()  # else the first search that finds nothing would load them
    _warm_up(app)
    sock = socket.create_server((host, port), backlog=1024)
    print(f"zhsearch: serving {index_dir} on http://{host}:{port}/ with {workers} worker(s) "
          "(Ctrl-C to stop)", file=sys.stderr, flush=True)
    if workers == 1:
        app.extensions["searcher"].watch()
        _serve(app, sock, threads)
        return 0
    return _supervise(app, index_dir, sock, threads, workers, config)


# 样例; not /docs, whose first page is data work, not first-time costs
WARM_UP = ("/api/search?q=%E6%A0%B7%E4%BE%8B", "/?q=%E6%A0%B7%E4%BE%8B")


def _warm_up(app) -> None:
    """A search through the API and the pages, once, before forking: the
    code's first-time costs (templates compiled, patterns built, modules
    imported on first use) are paid here, not in some user's first request to each worker.  The
    answers' data is not carried over: a forked worker's snapshot starts
    with empty caches."""
    client = app.test_client()
    for url in WARM_UP:
        client.get(url)


def _serve(app, sock: socket.socket, threads: int) -> None:
    try:
        make_server(AccessLog(app), sock, threads).run()
    except KeyboardInterrupt:
        pass


RESTART_PAUSE = (0.5, 30.0)  # before replacing a worker: doubled for each death in the last minute, at most


def _supervise(app, index_dir: str, sock: socket.socket, threads: int, workers: int, config: dict) -> int:
    """Fork ``workers`` processes serving ``sock`` over ``app``; restart
    one that dies (over the index opened anew), pausing longer while
    workers keep dying; stop them all on SIGTERM, SIGINT or SIGHUP."""
    from web import create_app

    children: set[int] = set()
    deaths: list[float] = []  # when workers died, over the last minute
    due: list[float] = []  # when to start the replacements
    stopping = False
    gc.freeze()  # what is loaded now stays out of the collector's sight: its pages stay shared

    def spawn(inherited) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                faulthandler.enable()  # a fault (SIGBUS, SIGSEGV) prints where it happened
                _die_with_parent()
                if inherited is not None:
                    inherited.extensions["searcher"].after_fork()
                worker_app = inherited or create_app(index_dir, config={**config, "WAIT_FOR_INDEX": True})
                worker_app.extensions["searcher"].watch()  # checking before any request comes
                _serve(worker_app, sock, threads)
            except BaseException as e:  # noqa: BLE001 - reported, then the parent restarts us
                print(f"zhsearch: worker {os.getpid()} stopped: {type(e).__name__}: {e}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        children.add(pid)

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, stop)
    for _ in range(workers):
        spawn(app)
    # The parent serves nothing: it lets go of the index's files (a later
    # merge can then free their space); a worker started again opens the
    # index itself.
    app.extensions["searcher"].close()
    app = None
    while children or due:
        if stopping:
            for pid in children:
                _kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while children and time.monotonic() < deadline:
                for pid, _ in _reap():
                    children.discard(pid)
                time.sleep(0.05)
            for pid in children:
                _kill(pid, signal.SIGKILL)
            break
        now = time.monotonic()
        for pid, status in _reap():
            if pid not in children:
                continue
            children.remove(pid)
            deaths[:] = [t for t in deaths if now - t < 60] + [now]
            pause = min(RESTART_PAUSE[1], RESTART_PAUSE[0] * 2 ** (len(deaths) - 1))
            log.error("worker %d %s; starting another in %.1f s", pid, _ending(status), pause)
            due.append(now + pause)
        for when in [t for t in due if t <= now]:
            due.remove(when)
            spawn(None)
        time.sleep(0.1)
    sock.close()
    return 0


def _ending(status: int) -> str:
    """How a worker ended, from its exit code (negative: the signal)."""
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with status {status}"


def _reap() -> list[tuple[int, int]]:
    """Workers that ended since the last call: (pid, exit code)."""
    ended = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        ended.append((pid, os.waitstatus_to_exitcode(status)))
    return ended


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the parent ends, however it ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _release_freed_memory() -> None:
    """Keep the server's memory near what it uses.  glibc gives every thread
    that allocates an arena of its own, and by default raises the size above
    which it maps large blocks (numpy's arrays of a broad query) to the
    largest freed so far, after which such blocks stay in the arenas once
    freed, so waitress's threads held half as much again as one thread
    needs.  Two arenas, and blocks of 16 MB and more always mapped (so
    returned when freed), keep it near that for a little latency; a smaller
    bound saves little more and costs more (figures in bench/README.md)."""
    import ctypes

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)  # the process's own C library
        m_mmap_threshold, m_arena_max = -3, -8  # from glibc's malloc.h
        libc.mallopt(m_arena_max, 2)
        libc.mallopt(m_mmap_threshold, 16 << 20)
    except (OSError, AttributeError):
        pass  # another C library: its defaults stand
