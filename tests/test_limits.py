"""Parameters no request may get past: digits that are not ASCII, too many
values, too long a query or URL, a Host that is no host name; and text
that is not Unicode, from an article or an argument (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from search.engine.results import MAX_QUERY_CHARS, MAX_VALUES, SearchRequest, request_from_params
from search.facets import BadRequest
from web import SECURITY_HEADERS
from web.guard import MAX_URL_BYTES

from conftest import ROOT

NON_ASCII_DIGITS = ["²", "٢", "５", "１０", "²²²²", "٢٠١٩", "２０１９", "߂"]


def assert_our_error(r, status, json_body=True):
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    for name in SECURITY_HEADERS:
        assert name in r.headers
    if json_body:
        assert r.mimetype == "application/json"
        err = r.get_json()["error"]
        assert err["code"] and err["message"]
    else:
        assert r.mimetype == "text/html" and "<html" in r.get_data(as_text=True)


@pytest.mark.parametrize("digits", NON_ASCII_DIGITS)
@pytest.mark.parametrize("name", ["size", "page", "year"])
def test_digits_that_are_not_ascii_are_a_400(client, name, digits):
    assert_our_error(client.get("/api/search", query_string={"q": "扶贫", name: digits}), 400)
    assert_our_error(client.get("/", query_string={"q": "扶贫", name: digits}), 400, json_body=False)
    if name != "year":
        assert_our_error(client.get("/api/docs", query_string={name: digits}), 400)


@pytest.mark.parametrize("option", ["--year", "--limit", "--page"])
def test_cli_refuses_digits_that_are_not_ascii(seed_index, option):
    for digits in ("²²²²", "５", "٢٠١٩"):
        r = subprocess.run([sys.executable, "-m", "search", "search", "扶贫", "--index", seed_index, option, digits],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (option, digits, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_distinct_values_of_a_facet_are_limited(client):
    years = [("year", str(1980 + i)) for i in range(MAX_VALUES)]
    assert client.get("/api/search?" + urlencode([("q", "扶贫"), *years])).status_code == 200
    over = years + [("year", str(1980 + MAX_VALUES))]
    r = client.get("/api/search?" + urlencode([("q", "扶贫"), *over]))
    assert_our_error(r, 400)
    assert str(MAX_VALUES) in r.get_json()["error"]["message"]
    sources = [("source", f"来源{i}") for i in range(MAX_VALUES + 1)]
    assert_our_error(client.get("/api/search?" + urlencode(sources)), 400)
    with pytest.raises(BadRequest):
        SearchRequest(q="x", source=[f"s{i}" for i in range(MAX_VALUES + 1)]).validate()


def test_many_repeats_of_one_value_are_one_value_and_quick(client):
    import time

    t0 = time.perf_counter()
    r = client.get("/api/search?q=扶贫&" + "&".join(["year=2019"] * 900))
    assert r.status_code == 200 and r.get_json()["facets"]["year"]
    assert time.perf_counter() - t0 < 5
    req = request_from_params(lambda name: ["2019"] * 900 if name == "year" else [])
    assert req.filters["year"] == [2019]


def test_parsing_many_values_is_linear():
    import time

    def parse(n):
        values = [f"来源{i}" for i in range(n)]
        t0 = time.perf_counter()
        for _ in range(20):
            from search.engine.results import _facet_values
            from search.facets import BY_NAME
            _facet_values(BY_NAME["source"], values[:MAX_VALUES] * (n // MAX_VALUES))
        return time.perf_counter() - t0

    small, large = parse(100), parse(900)
    assert large < small * 30  # 9x the values: about 9x the time, not 81x


def test_query_and_url_length_limits(client):
    q = "扶" * MAX_QUERY_CHARS
    assert client.get("/api/search", query_string={"q": q}).status_code == 200
    r = client.get("/api/search", query_string={"q": q + "贫"})
    assert_our_error(r, 400)
    assert str(MAX_QUERY_CHARS) in r.get_json()["error"]["message"]
    long_url = "/api/search?q=x&pad=" + "a" * MAX_URL_BYTES
    assert_our_error(client.get(long_url), 414)
    assert_our_error(client.get("/?q=x&pad=" + "a" * MAX_URL_BYTES), 414, json_body=False)


@pytest.mark.parametrize("host", ["a" * 64 + ".example.com", "a..b", "-x-", "x" * 300, "例子.中国"])
def test_a_host_that_is_no_host_name_is_a_400_not_a_500(client, host):
    assert_our_error(client.get("/api/search?q=x", headers={"Host": host}), 400)
    assert_our_error(client.get("/?q=x", headers={"Host": host}), 400, json_body=False)
    assert_our_error(client.get("/docs/x", headers={"Host": host}), 400, json_body=False)
    assert client.get("/api/search?q=x", headers={"Host": "localhost:5000"}).status_code == 200


def test_security_headers_include_the_new_policies(client):
    r = client.get("/")
    assert "form-action 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in r.headers["Permissions-Policy"]


# -- text that is not Unicode -----------------------------------------------


@pytest.fixture(scope="module")
def surrogate_index(tmp_path_factory):
    from search.indexing import build_index

    folder = tmp_path_factory.mktemp("surrogates")
    lines = ['{"id": "bad", "title": "标题\\udc80", "source": "来源\\ud800", "text": "\\ud800 甘肃扶贫车间三"}',
             '{"id": "good", "text": "四川扶贫车间四"}']
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ix = tmp_path_factory.mktemp("surrogates_ix")
    build_index([str(folder)], str(ix), rebuild=True, procs=1)
    return str(ix)


def test_lone_surrogates_are_replaced_at_ingestion(tmp_path):
    from search.ingest.readers import jsonl_to_reading

    reading = jsonl_to_reading('{"text": "\\ud800 扶贫车间三", "title": "t\\udfff"}', "x.jsonl")
    assert reading.records[0].text == "\ufffd 扶贫车间三" and reading.records[0].title == "t\ufffd"
    assert any("2 character(s)" in p for p in reading.problems)


def test_an_article_with_lone_surrogates_answers_everywhere(surrogate_index):
    from web import create_app

    c = create_app(surrogate_index, config={"TESTING": True}).test_client()
    for url in ("/api/search?q=扶贫车间", "/?q=扶贫车间", "/api/docs", "/docs", "/api/docs/bad", "/docs/bad",
                "/api/search?q=扶贫&source=来源%EF%BF%BD"):
        r = c.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        r.get_data().decode("utf-8")  # strict
    a = c.get("/api/search?q=扶贫车间").get_json()
    assert a["total"] == 2 and any("\ufffd" in h["text"] for h in a["hits"])


def test_answers_never_carry_a_lone_surrogate(client):
    # the Python API and the pages alike, whatever the caller hands in
    r = client.get("/api/search", query_string={"q": "扶贫"})
    assert r.status_code == 200
    from web.guard import Response

    assert Response("a\ud800b").get_data() == "a\ufffdb".encode()
    req = SearchRequest(q="扶贫\udcff", source=["x\ud800"])
    assert req.q == "扶贫\ufffd" and req.filters["source"] == ["x\ufffd"]


def test_cli_json_is_utf8_whatever_the_arguments(seed_index):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    for arg in (b"\xff\xfe", b"\xe6\x89\xb6\xff", b"--source=\xff"):
        argv = [sys.executable.encode(), b"-m", b"search", b"search", arg, b"--index", seed_index.encode(), b"--json"]
        if arg.startswith(b"--"):
            argv.insert(4, b"")
        r = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=120, env=env)
        assert r.returncode in (0, 4), r.stderr
        out = r.stdout.decode("utf-8")  # strict
        if r.returncode == 0:
            assert json.loads(out)["query"] is not None
