"""``zhsearch serve``: the web app under waitress, a production WSGI server."""

from __future__ import annotations

import logging
import sys

from web.accesslog import AccessLog


def run_server(index_dir: str, host: str = "127.0.0.1", port: int = 5000, threads: int = 8) -> int:
    import waitress

    from search.index import IndexMissing, IndexVersionError
    from web import create_app

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" chatter
    try:
        app = create_app(index_dir)
    except (IndexMissing, IndexVersionError) as e:
        print(f"zhsearch serve: {e}", file=sys.stderr)
        return 1
    _warm_up(app)
    print(f"zhsearch: serving {index_dir} on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    waitress.serve(AccessLog(app), host=host, port=port, threads=threads, ident="zhsearch")
    return 0


def _warm_up(app) -> None:
    """Run one search before the first user does, so the segmenter's
    dictionary is loaded and the first answer is as quick as the rest."""
    from search.results import SearchRequest

    app.extensions["searcher"].search(SearchRequest(q="就业扶贫", size=1))
