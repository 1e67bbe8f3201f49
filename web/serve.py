"""``zhsearch serve``: the web app under waitress, a production WSGI server."""

from __future__ import annotations

import logging
import sys

from web.accesslog import AccessLog


def run_server(index_dir: str, host: str = "127.0.0.1", port: int = 5000, threads: int = 8) -> int:
    import waitress

    from web import create_app

    _release_freed_memory()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" chatter
    app = create_app(index_dir)  # raises IndexUnavailable: the CLI says why
    print(f"zhsearch: serving {index_dir} on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    waitress.serve(AccessLog(app), host=host, port=port, threads=threads, ident="zhsearch")
    return 0


def _release_freed_memory() -> None:
    """Keep the server's memory near what it uses.  glibc gives every thread
    that allocates an arena of its own, and by default raises the size above
    which it maps large blocks (numpy's arrays of a broad query) to the
    largest freed so far, after which such blocks stay in the arenas once
    freed: with waitress's threads that held ~450 MB where one thread needs
    ~300 at a million paragraphs.  Two arenas, and blocks of 16 MB and more
    always mapped (so returned when freed): at a million paragraphs, 340 MB
    at most under 8 clients against 515-525 MB with glibc's defaults, for
    ~8% more latency (HTTP p50 51 against 45-48 ms, runs interleaved); a
    1 MB bound held 325 MB but cost more."""
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
