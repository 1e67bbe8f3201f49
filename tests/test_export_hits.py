"""The export of every hit (``/api/export``, ``zhsearch search --all
--format``): the same rows, in the same order, as the API's pages."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from urllib.parse import quote, unquote

import pytest

from apipages import all_hits

from search.engine.results import SearchRequest
from search.facets import measure_labels
from search.present.serialize import CSV_COLUMNS, LIST_SEPARATOR

from conftest import ROOT

SEARCHES = [
    {},
    {"q": "扶贫"},
    {"q": "就業扶貧", "sort": "date_asc"},
    {"q": "培训", "province": "四川"},
    {"q": "扶贫", "year": "none"},
    {"year_from": "2017", "year_to": "2019", "sort": "date_desc"},
    {"q": "扶贫车间 OR 公益性岗位", "measure": "workshop"},
    {"q": "扶贫", "published_from": "2019", "published_to": "2020"},
    {"published": "none"},
]


def api_pages(client, params: dict) -> list[dict]:
    """Every hit of a search, in pages of 7 (so that page boundaries are crossed)."""
    return all_hits(client, size=7, **params)


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode("utf-8")), "the CSV starts with a byte order mark (Excel)"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:])))
    assert tuple(rows[0]) == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, r)) for r in rows[1:]]


HOST = "http://localhost"  # the test client's: an export's URLs are whole, to be followed away from the server


def absolute(hit: dict) -> dict:
    """A hit as an export writes it: every link whole."""
    out = {**hit, "url": HOST + hit["url"]}
    for key in ("more_in_article", "reprints"):
        if out.get(key):
            out[key] = {**out[key], "url": HOST + out[key]["url"]}
    return out


def as_csv(hit: dict) -> dict:
    """What the CSV row of an API hit holds."""
    labels = measure_labels()
    return {
        "para_id": hit["para_id"], "doc_id": hit["doc_id"], "title": hit["title"] or "", "source": hit["source"] or "",
        "date": hit["date"] or "", "province": LIST_SEPARATOR.join(hit["province"]),
        "years": LIST_SEPARATOR.join(map(str, hit["years"])),
        "measures": LIST_SEPARATOR.join(labels[m] for m in hit["measures"]),
        "heading": hit["heading"] or "", "text": hit["text"], "url": HOST + hit["url"],
        "published": str(hit["published"]) if hit["published"] is not None else "",
        "issuer": hit["issuer"] or "", "doc_number": hit["doc_number"] or "",
    }


def test_csv_columns_are_the_fields_then_the_facets():
    # the paragraph's own facets before its heading and text, the article's after its URL
    assert CSV_COLUMNS == ("para_id", "doc_id", "title", "source", "date", "province", "years", "measures",
                           "heading", "text", "url", "published", "issuer", "doc_number")


@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "browse")
def test_csv_and_jsonl_equal_the_api_pages_row_by_row(client, params):
    expected = api_pages(client, params)
    assert expected, params
    # the pages are of 7: the export lists them in that order (the first page caps one article's paragraphs)
    r = client.get("/api/export", query_string={**params, "size": 7, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.is_streamed
    rows = csv_rows(r.data)
    assert len(rows) == len(expected)
    for row, hit in zip(rows, expected):
        assert row == as_csv(hit)
    r = client.get("/api/export", query_string={**params, "size": 7, "format": "jsonl"})
    assert r.status_code == 200 and r.mimetype == "application/x-ndjson"
    lines = r.data.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [absolute(h) for h in expected]  # the hit objects, keys and all


def test_the_file_name_says_what_it_holds(client):
    r = client.get("/api/export", query_string={"q": "扶贫车间", "province": "甘肃", "year_from": "2016",
                                                "format": "csv"})
    cd = r.headers["Content-Disposition"]
    r.close()
    assert cd.startswith("attachment; filename=")
    name = unquote(cd.split("filename*=UTF-8''", 1)[1])
    assert name == f"zhsearch_扶贫车间_甘肃_2016及以后_{date.today().isoformat()}.csv"
    assert quote("扶贫车间") in cd and cd.isascii()
    r = client.get("/api/export?format=jsonl")
    r.close()
    assert "全部段落" in unquote(r.headers["Content-Disposition"]) and r.headers["Content-Disposition"].endswith(".jsonl")


@pytest.mark.parametrize("fmt, media", [("csv", "text/csv"), ("jsonl", "application/x-ndjson")])
def test_the_media_type_names_its_charset_once(client, fmt, media):
    r = client.get("/api/export", query_string={"q": "扶贫车间", "format": fmt})
    assert r.headers["Content-Type"] == f"{media}; charset=utf-8"


def test_nothing_found_is_an_empty_file_with_a_header(client):
    r = client.get("/api/export", query_string={"q": "没有这样的词语组合", "format": "csv"})
    assert r.status_code == 200 and csv_rows(r.data) == []
    r = client.get("/api/export", query_string={"q": "没有这样的词语组合", "format": "jsonl"})
    assert r.status_code == 200 and r.data == b""


@pytest.mark.parametrize("qs", ["format=xlsx", "", "format=csv&year=19", "format=csv&measure=nope",
                                "format=jsonl&year_from=none", "format=csv&sort=best"])
def test_bad_export_requests_are_json_400s(client, qs):
    r = client.get("/api/export?" + qs)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_request"


def test_an_export_does_not_hold_up_searches(app):
    """The snapshot stays open for the whole export but is locked only per
    chunk: a search between two rows answers."""
    searcher = app.extensions["searcher"]
    hits = searcher.iter_hits(SearchRequest(q=""), snippets=False)
    first = next(hits)
    assert searcher.search(SearchRequest(q="扶贫")).total > 0
    rest = list(hits)
    assert 1 + len(rest) == searcher.search(SearchRequest(q="")).total
    assert first.snippet is None


def test_cli_writes_the_same_rows(seed_index, client):
    out = subprocess.run([sys.executable, "-m", "search", "search", "扶贫", "--index", seed_index, "--year-from", "2018",
                          "--all", "--format", "csv"], cwd=ROOT, capture_output=True, check=True).stdout
    # the same rows; the command line knows no server, so its URLs are the paths
    api = client.get("/api/export", query_string={"q": "扶贫", "year_from": "2018", "format": "csv"}).data
    assert out == api.replace(HOST.encode(), b"") and len(csv_rows(out)) > 3
    out = subprocess.run([sys.executable, "-m", "search", "search", "扶贫", "--index", seed_index, "--year", "none",
                          "--format", "jsonl"], cwd=ROOT, capture_output=True, check=True).stdout
    api = client.get("/api/export", query_string={"q": "扶贫", "year": "none", "format": "jsonl"}).data
    assert out == api.replace(HOST.encode(), b"") and out.count(b"\n") > 3
    bad = subprocess.run([sys.executable, "-m", "search", "search", "扶贫", "--index", seed_index, "--all"],
                         cwd=ROOT, capture_output=True)
    assert bad.returncode == 2 and b"--format" in bad.stderr


@pytest.mark.parametrize("sort", ["relevance", "date_desc", "date_asc"])
def test_the_export_lists_the_pages_in_order(seed_index, monkeypatch, sort):
    """``iter_hits``' order and scores are the pages' one after another
    (pages of the request's size: the first one capped per article as the
    pages are), past the re-ranked head (made short here so that most hits
    lie beyond it), across ties, and across the seams of the export's
    own pieces (the capped head, the chunks read; made short here): the
    export ranks every hit once, the pages each their own."""
    from search.engine import ranking, searcher
    from search.engine.searcher import Searcher

    monkeypatch.setattr(ranking, "RERANK", 5)
    monkeypatch.setattr(searcher, "EXPORT_RANK_PAGE", 9)
    monkeypatch.setattr(searcher, "EXPORT_CHUNK", 4)
    s = Searcher(seed_index)
    try:
        req = SearchRequest(q="扶贫 OR 就业", sort=sort, size=7)
        exported = [(h.para_id, h.score) for h in s.iter_hits(req, snippets=False)]
        paged, page = [], 1
        while True:
            res = s.search(SearchRequest(q="扶贫 OR 就业", sort=sort, page=page, size=7))
            paged += [(h.para_id, h.score) for h in res.hits]
            if page * 7 >= res.total:
                break
            page += 1
        assert len(exported) == res.total > 30
        assert exported == paged
        # the near miss: hits of equal score (and, sorted by date, of one
        # date) stand in the export as on the pages, by index order
        key = {h.para_id: h.score if sort == "relevance" else h.date
               for h in s.iter_hits(req, snippets=False)}
        assert sum(key[a[0]] == key[b[0]] for a, b in zip(exported, exported[1:])) >= 3
    finally:
        s.close()


def test_an_export_keeps_no_text_facts_of_its_head(seed_index, monkeypatch):
    """The export's capped head asks each paragraph after its article's
    best among the first EXPORT_RANK_PAGE hits whether it restates the
    article's title: thousands at a million, whose folded texts are read
    and not kept on the snapshot (kept, they grew the server by ~13 MB an
    export and pushed out what the searches keep, bench/README.md).  What
    the ranking reads of its best candidates is kept, as for a page; and
    a page keeps those it asks about (the near miss)."""
    from search.engine import per_article
    from search.engine.searcher import Searcher

    asked = []  # the paragraphs asked whether they restate their title
    passed_over = per_article.passed_over

    def asking(heads, order, n, restating):
        return passed_over(heads, order, n, lambda d: asked.append(d) or restating(d))

    monkeypatch.setattr(per_article, "passed_over", asking)
    req = SearchRequest(q="扶贫 OR 就业", size=3)

    def kept_after(work) -> set:
        s = Searcher(seed_index)
        try:
            work(s)
            with s._pinned() as snap:
                return set(snap._facts)
        finally:
            s.close()

    by_export = kept_after(lambda s: list(s.iter_hits(req, snippets=False)))
    by_page = kept_after(lambda s: s.search(req))
    head_only = set(asked) - by_page
    assert len(head_only) > 3 and by_export.isdisjoint(head_only)
    by_pages = kept_after(lambda s: [s.search(req.replace(page=n)) for n in (1, 2, 3)])
    assert by_pages & set(asked)  # the pages' restating paragraphs are kept


def test_an_export_of_every_hit_gives_back_freed_memory_before_and_after(client, monkeypatch):
    """glibc's free pages go back to the system before and after an export
    of every hit (``malloc_trim``: the server's peak lower, bench/README.md),
    also when the client stops reading mid-way; not for the hits a user ticked."""
    from web import exports

    calls = []
    monkeypatch.setattr(exports, "_malloc_trim", lambda: calls.append)
    r = client.get("/api/export", query_string={"q": "扶贫", "format": "csv"})
    assert len(csv_rows(r.data)) > 3 and calls == [0, 0]
    calls.clear()
    r = client.get("/api/export", query_string={"q": "扶贫", "format": "jsonl"}, buffered=False)
    next(iter(r.response))
    assert calls == [0]
    r.close()
    assert calls == [0, 0]
    first = json.loads(client.get("/api/export", query_string={"q": "扶贫", "format": "jsonl"}).data.splitlines()[0])
    calls.clear()
    r = client.get("/api/export", query_string={"para_id": first["para_id"], "format": "csv"})
    assert len(csv_rows(r.data)) == 1 and calls == []
