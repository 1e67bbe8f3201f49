"""Shared fixtures: an index built from seeds/ once per session, and the
Flask app and test client over it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def three_copies(tmp_path_factory) -> Path:
    """A folder holding seeds/ three times over (fifteen articles): enough
    for a writer bounded at a few thousand postings to make several
    segments."""
    import shutil

    src = tmp_path_factory.mktemp("three_copies")
    for k in range(3):
        shutil.copytree(SEEDS, src / str(k))
    return src


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> str:
    """Path of an index built from seeds/ (once per test session)."""
    from search.indexing import build_index

    index_dir = tmp_path_factory.mktemp("seed_index")
    build_index([str(SEEDS)], str(index_dir), rebuild=True, procs=1)
    return str(index_dir)


@pytest.fixture(scope="session")
def app(seed_index):
    """The web app over the seed index."""
    from web import create_app

    return create_app(seed_index, config={"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout:.0f}s")


MARKUP_ARTICLE = {
    "id": "markup",
    "title": '<script>alert("title")</script>扶贫车间<img src=x onerror=alert(1)>',
    "source": "<b>来源</b>",
    "date": "2019-05-01",
    "url": "javascript:alert(1)",
    "text": "甘肃省扶贫车间吸纳就业<script>alert('text')</script>。\n"
    "<img src=x onerror=alert(2)>公益性岗位&amp;扶贫车间</p><style>body{display:none}</style>",
}


@pytest.fixture(scope="session")
def markup_index(tmp_path_factory) -> str:
    """An index of one article whose text, title and source hold markup."""
    from search.indexing import build_index

    folder = tmp_path_factory.mktemp("markup")
    (folder / "markup.jsonl").write_text(json.dumps(MARKUP_ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")
    build_index([str(folder / "markup.jsonl")], str(folder / "index"), rebuild=True, procs=1)
    return str(folder / "index")


@pytest.fixture(scope="session")
def live_server(seed_index, tmp_path_factory):
    """The real server (``python -m search serve``) over the seed index, on a
    free local port: yields its base URL; its stderr (the access log) is in
    ``live_server.log``."""
    yield from serve(seed_index, tmp_path_factory)


@pytest.fixture(scope="session")
def markup_server(markup_index, tmp_path_factory):
    """The real server over ``markup_index``."""
    yield from serve(markup_index, tmp_path_factory)


def serve(index_dir: str, tmp_path_factory):
    """Run ``python -m search serve`` over ``index_dir`` until the generator closes."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "stderr.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search", "serve", "--index", index_dir, "--port", str(port), "--threads", "4"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base + "/healthz", proc)
            yield LiveServer(base, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


class LiveServer(str):
    """A base URL that also knows where the server's log is."""

    def __new__(cls, base: str, log_path: Path):
        self = super().__new__(cls, base)
        self.log_path = log_path
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def searcher_for_fuzz(seed_index):
    from search.engine.searcher import Searcher

    s = Searcher(seed_index)
    yield s
    s.close()


def drop_furniture(lines: list[str]) -> tuple[list[str], list[str]]:
    """Normalised lines split into (content, furniture), as ingestion sorts them."""
    from search.ingest.clean import sort_furniture

    content, dropped = sort_furniture(lines)
    return content, [d.line for d in dropped]
