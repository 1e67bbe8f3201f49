"""Property-based fuzzing (hypothesis): the query parser, the Python API,
/api/search, /api/docs and the HTML pages through Flask's test client.
Every answer is a 200 or our 4xx (JSON on /api/, HTML elsewhere) with the
security headers, within a bounded time.

``make test`` runs a few seconds of it (profile ``quick``); ``make fuzz``
runs the long one (``ZHSEARCH_FUZZ=long``: 10,000+ cases).  /api/export
is fuzzed like the others (``ENDPOINTS``)."""

from __future__ import annotations

import os
import time
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings, strategies as st

from search.engine.highlight import mark_html
from search.query.parse import parse
from search.engine.results import MAX_VALUES, SearchRequest
from search.facets import BadRequest
from web import SECURITY_HEADERS

settings.register_profile("quick", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("long", max_examples=2_500, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("ZHSEARCH_FUZZ", "quick"))

ENDPOINTS = ["/api/search", "/", "/api/docs", "/docs", "/api/export"]
PARAMS = ["q", "province", "year", "measure", "source", "page", "size", "sort", "format", "year_from", "year_to"]
SECONDS = 10.0

texts = st.text(alphabet=st.characters(codec=None, blacklist_categories=()), max_size=60)
chinese = st.text(alphabet=st.sampled_from("扶贫车间甘肃四川就業技能培训公益性岗位\"- OR NOT()"), max_size=30)
digits = st.sampled_from(["1", "10", "2019", "²", "٢٠١٩", "５", "１０", "-1", "0", "99999999999", "", "none"])
values = st.one_of(texts, chinese, digits, st.sampled_from(["甘肃", "甘肃省", "workshop", "relevance", "csv"]))


def encoded(value: str, raw: bool) -> str:
    if raw:  # percent-encoded bytes, as a client may send them, valid UTF-8 or not
        return "".join(f"%{b:02X}" for b in value.encode("utf-8", "surrogatepass"))
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


pairs = st.lists(st.tuples(st.sampled_from(PARAMS), values, st.booleans()), max_size=8)
repeated = st.tuples(st.sampled_from(["province", "year", "source", "measure"]),
                     st.integers(0, MAX_VALUES + 5), st.booleans())


def assert_ours(r, path: str) -> None:
    assert r.status_code == 200 or 400 <= r.status_code < 500, (path, r.status_code, r.get_data()[:300])
    for name in SECURITY_HEADERS:
        assert name in r.headers
    r.get_data().decode("utf-8")  # strict
    if r.status_code != 200:
        if path.startswith("/api/"):
            assert r.mimetype == "application/json" and r.get_json()["error"]["message"]
        else:
            assert r.mimetype == "text/html"


@given(q=st.one_of(texts, chinese))
def test_parser_never_fails(q):
    query = parse(q)
    mark_html(q, query)


@given(q=st.one_of(texts, chinese), page=st.integers(-2, 20), size=st.integers(-1, 120),
       sort=st.sampled_from(["relevance", "date_desc", "date_asc", "x"]),
       province=st.lists(values, max_size=4), source=st.lists(values, max_size=4))
def test_python_api_answers_or_says_bad_request(searcher_for_fuzz, q, page, size, sort, province, source):
    req = SearchRequest(q=q, page=max(page, 1), size=max(size, 1), sort=sort, province=province, source=source)
    try:
        result = searcher_for_fuzz.search(req)
    except BadRequest:
        return
    assert result.total >= len(result.hits)


@given(endpoint=st.sampled_from(ENDPOINTS), pairs=pairs, rep=repeated, junk=st.binary(max_size=20))
def test_every_answer_is_a_200_or_our_4xx(client, endpoint, pairs, rep, junk):
    name, times, raw = rep
    query = [f"{n}={encoded(v, r)}" for n, v, r in pairs]
    query += [f"{name}={encoded(str(1980 + i) if name == 'year' else f'v{i}', raw)}" for i in range(times)]
    query.append("x=" + "".join(f"%{b:02X}" for b in junk))
    path = endpoint + "?" + "&".join(query)
    t0 = time.perf_counter()
    r = client.get(path)
    assert time.perf_counter() - t0 < SECONDS
    assert_ours(r, endpoint)


@given(doc_id=texts)
def test_article_pages_answer_or_404(client, doc_id):
    for base in ("/docs/", "/api/docs/"):
        path = base + quote(doc_id.encode("utf-8", "surrogatepass"), safe="")
        r = client.get(path)
        assert_ours(r, base)


@given(size=st.integers(0, 250_000))
def test_oversized_urls(client, size):
    r = client.get("/api/search?q=" + "a" * size)
    assert_ours(r, "/api/search")
