"""The JSON API (api.md) through the Flask test client, over the seed index."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from apipages import all_hits
from hostile import HOSTILE_QUERIES, HOSTILE_RAW

QUERY = "扶贫"  # occurs in every seed article


def search(client, *pairs, **params):
    """GET /api/search with ``pairs`` (repeatable parameters) and ``params``."""
    r = client.get("/api/search", query_string=urlencode([*pairs, *params.items()]))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/json"
    return r.get_json()


def facet(answer, name):
    return {v["value"]: v for v in answer["facets"][name]}


def test_search_answer_has_the_documented_shape(client):
    a = search(client, q=QUERY)
    assert {"query", "total", "page", "size", "took_ms", "hits", "facets"} <= set(a)
    assert a["query"] == QUERY and a["page"] == 1 and a["size"] == 10
    assert a["total"] > 10 and len(a["hits"]) == 10
    assert isinstance(a["took_ms"], (int, float)) and a["took_ms"] >= 0
    hit = a["hits"][0]
    for key in ("doc_id", "para_id", "para_no", "title", "source", "date", "url", "province", "years",
                "measures", "text", "snippet", "score"):
        assert key in hit
    assert hit["url"] == f"/docs/{hit['doc_id']}#p{hit['para_no']}"
    assert "<mark>" in hit["snippet"]
    assert set(a["facets"]) == {"province", "year", "measure", "source", "published"}


def test_json_is_utf8_without_escapes(client):
    r = client.get("/api/search", query_string={"q": QUERY})
    assert r.content_type.startswith("application/json")
    body = r.data.decode("utf-8")
    assert "\\u" not in body and QUERY in body


def test_facet_values_carry_count_selected_and_toggle_url(client):
    a = search(client, q=QUERY)
    provinces = a["facets"]["province"]
    assert provinces, "the seeds name provinces"
    counts = [v["count"] for v in provinces]
    assert counts == sorted(counts, reverse=True) and min(counts) > 0
    first = provinces[0]
    assert first["selected"] is False
    chosen = client.get(first["url"]).get_json()
    assert first["url"].startswith("/api/search?")
    assert chosen["total"] == first["count"]
    again = facet(chosen, "province")[first["value"]]
    assert again["selected"] is True
    # toggling a selected value removes it again
    assert client.get(again["url"]).get_json()["total"] == a["total"]
    labels = [v.get("label") for v in a["facets"]["measure"]]
    assert all(labels), "measure values carry their Chinese label"


def test_repeated_facet_values_are_ored_and_facets_anded(client):
    a = search(client, q=QUERY)
    provinces = a["facets"]["province"]
    assert len(provinces) >= 2, "the seeds cover several provinces"
    p1, p2 = provinces[0], provinces[1]
    one = search(client, q=QUERY, province=p1["value"])
    both = search(client, ("province", p1["value"]), ("province", p2["value"]), q=QUERY)
    assert one["total"] == p1["count"]
    assert max(p1["count"], p2["count"]) <= both["total"] <= p1["count"] + p2["count"]
    for hit in both["hits"]:
        assert {p1["value"], p2["value"]} & set(hit["province"])
    # AND across facets: a year within one province
    year = one["facets"]["year"][0]
    narrowed = search(client, q=QUERY, province=p1["value"], year=year["value"])
    assert narrowed["total"] == year["count"]
    for hit in narrowed["hits"]:
        assert p1["value"] in hit["province"] and year["value"] in hit["years"]


def test_facet_counts_are_disjunctive(client):
    a = search(client, q=QUERY)
    p1, p2 = a["facets"]["province"][:2]
    filtered = search(client, q=QUERY, province=p1["value"])
    # the province facet ignores its own filter: the other provinces still show their counts
    assert facet(filtered, "province")[p2["value"]]["count"] == p2["count"]
    assert facet(filtered, "province")[p1["value"]]["selected"] is True
    # the other facets apply it: no year counts more paragraphs than the filtered total
    assert all(v["count"] <= filtered["total"] for v in filtered["facets"]["year"])


def test_pagination(client):
    first = search(client, q=QUERY, size=3)
    second = search(client, q=QUERY, size=3, page=2)
    assert second["page"] == 2 and second["size"] == 3 and len(second["hits"]) == 3
    assert not {h["para_id"] for h in first["hits"]} & {h["para_id"] for h in second["hits"]}
    assert first["next_url"] and client.get(first["next_url"]).get_json()["hits"] == second["hits"]
    assert first["prev_url"] is None
    beyond = search(client, q=QUERY, size=100, page=first["total"])
    assert beyond["hits"] == [] and beyond["total"] == first["total"]


def test_empty_query_browses_every_paragraph(client):
    every = search(client)
    assert every["total"] == client.get("/healthz").get_json()["paragraphs"]


def test_sort_by_date(client):
    for sort, reverse in (("date_desc", True), ("date_asc", False)):
        dates = [h["date"] for h in search(client, q=QUERY, sort=sort, size=100)["hits"] if h["date"]]
        assert dates == sorted(dates, reverse=reverse)


@pytest.mark.parametrize(
    "params, words",
    [
        ({"size": "0"}, "size"),
        ({"size": "101"}, "size"),
        ({"size": "ten"}, "size"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"year": "19"}, "year"),
        ({"year": "二〇一八"}, "year"),
        ({"sort": "random"}, "sort"),
        ({"measure": "no_such_measure"}, "measure"),
        ({"province": "火星"}, "province"),
    ],
)
def test_bad_parameters_are_400_json(client, params, words):
    r = client.get("/api/search", query_string={"q": QUERY, **params})
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "bad_request" and words in err["message"]


def test_docs_list_and_one_doc(client):
    r = client.get("/api/docs", query_string={"size": 2})
    listing = r.get_json()
    health = client.get("/healthz").get_json()
    assert listing["total"] == health["documents"] >= 5  # one per seed file at least
    assert listing["page"] == 1 and listing["size"] == 2 and len(listing["docs"]) == 2
    entry = listing["docs"][0]
    assert {"doc_id", "title", "source", "date", "province", "paragraphs"} <= set(entry)
    doc = client.get(f"/api/docs/{entry['doc_id']}").get_json()
    assert doc["doc_id"] == entry["doc_id"] and doc["title"] == entry["title"]
    assert len(doc["paragraphs"]) == entry["paragraphs"]
    para = doc["paragraphs"][0]
    assert {"para_id", "para_no", "heading", "text", "province", "years", "measures"} <= set(para)
    assert para["para_id"] == f"{doc['doc_id']}-{para['para_no']}"
    assert "path" not in doc, "local file paths stay on the server"
    page2 = client.get("/api/docs", query_string={"size": 2, "page": 2}).get_json()["docs"]
    assert {d["doc_id"] for d in page2}.isdisjoint(d["doc_id"] for d in listing["docs"])
    assert client.get("/api/docs?size=500").status_code == 400


def test_every_hit_leads_to_its_paragraph(client):
    for hit in search(client, q=QUERY, size=20)["hits"]:
        doc = client.get(f"/api/docs/{hit['doc_id']}").get_json()
        texts = {p["para_no"]: p["text"] for p in doc["paragraphs"]}
        assert texts[hit["para_no"]] == hit["text"]


@pytest.mark.parametrize("path", ["/api/docs/no-such-doc", "/api/nothing-here", "/api/docs/%00", "/api",
                                  "/api?q=x"])
def test_not_found_is_404_json(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_a_path_that_only_starts_like_the_api_is_a_page(client):
    r = client.get("/apis")
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_wrong_method_is_405_json(client):
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"


def test_healthz(client):
    h = client.get("/healthz").get_json()
    assert h["status"] == "ok" and h["documents"] >= 5 and h["paragraphs"] > h["documents"]
    assert h["refresh_failures"] == 0 and h["last_refresh_error"] is None


def test_security_headers(client):
    r = client.get("/api/search")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_never_5xx(client, q):
    r = client.get("/api/search", query_string={"q": q})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.get_json()["query"] == q


@pytest.mark.parametrize("raw", HOSTILE_RAW, ids=range(len(HOSTILE_RAW)))
def test_hostile_raw_parameters_never_5xx(client, raw):
    for path in ("/api/search", "/"):
        r = client.get(f"{path}?{raw}")
        assert r.status_code < 500, (path, raw, r.status_code)
    assert client.get(f"/api/search?{raw}").mimetype == "application/json"


def test_unknown_values_follow_one_rule(client):
    """A value outside a facet's closed vocabulary (provinces, measures) is
    refused with the values it knows; a value the facet could hold but no
    paragraph holds (a year, a publisher) is accepted and finds nothing."""
    for name, value in (("province", "火星"), ("measure", "nonsense")):
        r = client.get("/api/search", query_string={"q": QUERY, name: value})
        assert r.status_code == 400
        message = r.get_json()["error"]["message"]
        assert "known:" in message and ("甘肃" in message if name == "province" else "workshop" in message)
    for name, value in (("year", "1985"), ("source", "没有这家报纸")):
        answer = search(client, q=QUERY, **{name: value})
        assert answer["total"] == 0 and [f["value"] for f in answer["filters"]] == [int(value) if name == "year" else value]
    # a province as people write it (full name, traditional) is one it knows
    assert search(client, q=QUERY, province="甘肅省")["total"] == search(client, q=QUERY, province="甘肃")["total"] > 0


def test_a_reversed_year_range_is_the_years_between(client):
    straight = search(client, q=QUERY, year_from=2016, year_to=2019)
    reversed_ = search(client, q=QUERY, year_from=2019, year_to=2016)
    assert reversed_["total"] == straight["total"] > 0
    assert [h["para_id"] for h in reversed_["hits"]] == [h["para_id"] for h in straight["hits"]]
    assert [f["range"] for f in reversed_["filters"]] == [{"from": 2016, "to": 2019}]


def test_past_the_last_page_prev_url_is_the_last_page(client):
    first = search(client, q=QUERY, size=10)
    last = -(-first["total"] // 10)
    beyond = search(client, q=QUERY, size=10, page=last + 5)
    assert beyond["hits"] == []
    back = client.get(beyond["prev_url"]).get_json()
    assert back["page"] == last and back["hits"], "prev_url of a page past the end leads to hits"
    # near miss: the page after the first still goes back one page
    assert client.get(search(client, q=QUERY, size=10, page=2)["prev_url"]).get_json()["page"] == 1


@pytest.mark.parametrize("sort", ["date_desc", "date_asc"])
def test_date_order_keeps_an_articles_paragraphs_in_reading_order(client, sort):
    hits = all_hits(client, q="就业", sort=sort)
    assert len({h["doc_id"] for h in hits}) > 1
    runs = []  # (doc_id, [para_no ...]) in the order the hits come
    for h in hits:
        if runs and runs[-1][0] == h["doc_id"]:
            runs[-1][1].append(h["para_no"])
        else:
            runs.append((h["doc_id"], [h["para_no"]]))
    assert len(runs) == len({d for d, _ in runs}), "an article's hits come together"
    assert all(nos == sorted(nos) for _, nos in runs), "in reading order"
    dated = [h["date"] for h in hits if h["date"]]
    assert dated == sorted(dated, reverse=sort == "date_desc")


@pytest.mark.parametrize("q", ['"' * 20_000, "扶贫 " * 3_000])
@pytest.mark.parametrize("filters", [[], [("province", "甘肃"), ("year", "2018"), ("year_from", "2016")]])
def test_a_long_query_is_not_repeated_in_every_facet_link(client, q, filters):
    """A 60 KB request gave 1.6 MB: the query in each facet value's URL.
    Beyond the answer's hits (the paragraphs' own text), an answer stays
    within twice the request."""
    qs = urlencode([("q", q), *filters])
    a = search(client, *[("q", q), *filters])
    rest = json.dumps({k: v for k, v in a.items() if k != "hits"}, ensure_ascii=False).encode()
    assert len(rest) < 2 * len(qs) + 20_000
    values = [v for vs in a["facets"].values() for v in vs]
    assert values and all(v["url"] is None for v in values)
    assert len(a["filters"]) == len(filters) and all(f["remove_url"] is None for f in a["filters"])
    if a["total"] > a["size"]:
        assert a["next_url"] is not None  # the few page links stay


def test_a_query_below_the_link_limit_keeps_every_link(client):
    from search.present.serialize import LINKED_URL_BYTES

    def own_size(q):  # the search's URL as the answer writes its links
        return len("/api/search?" + urlencode([("q", q), ("province", "甘肃")]))

    q = "扶贫 " * 10
    while own_size(q + "扶贫 ") <= LINKED_URL_BYTES:
        q += "扶贫 "
    a = search(client, ("q", q), ("province", "甘肃"))
    assert all(v["url"] for vs in a["facets"].values() for v in vs) and a["filters"][0]["remove_url"]
    a = search(client, ("q", q + "扶贫 "), ("province", "甘肃"))
    assert all(v["url"] is None for vs in a["facets"].values() for v in vs) and not a["filters"][0]["remove_url"]


@pytest.mark.parametrize("params", [
    {"q": "扶贫"},
    {"q": "扶贫 就业", "province": ["甘肃"], "sort": "date_desc", "page": "3", "size": "20"},
    {"q": "a&b=c 扶贫", "province": ["甘肃", "四川"], "year_from": "2015", "year_to": "2019", "measure": ["training"],
     "collapse": "reprints", "group": "article"},
    {"q": "", "year": ["2019", "2020"], "source": ["人民日报"], "published_from": "2019"},
])
def test_the_facet_values_toggle_urls_are_the_toggled_requests_own(params):
    """Each facet value's URL is built from the parameters the values share
    (``Urls.search_toggled``): it must be the URL of the request toggled,
    on page 1, whatever else the request holds (a chosen value toggled
    off, one more toggled on, ranges, sort, size, group, a query needing
    escapes, a value a lone surrogate spoils)."""
    from search.engine.results import request_from_params
    from search.facets import FACETS
    from search.present.urls import Urls

    req = request_from_params(lambda name: [params[name]] if isinstance(params.get(name), str)
                              else list(params.get(name, [])))
    urls = Urls()
    for f in FACETS:
        values = list(req.selected(f.name)) + {"province": ["河南", "甘肃"], "year": [2018], "measure": ["labor_transfer"],
                                              "source": ["新华社", "x\ud800y"]}.get(f.name, [])
        assert urls.search_toggled(req, f.name, values) == [urls.search(req.toggled(f.name, v)) for v in values]
        assert all("page=" not in u for u in urls.search_toggled(req, f.name, values))
