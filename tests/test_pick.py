"""Choosing hits to export or cite (issue 20): the results page is a plain
form of check boxes, ``/api/export`` takes ``para_id=`` for the ticked ones
and ``format=ris|bibtex`` for citations, an article page offers its own
reference; the printed page keeps the works cited, once."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlencode

import bibtexparser
import rispy


def get(client, **params):
    pairs = [(k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]
    r = client.get("/api/export", query_string=urlencode(pairs))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r


def test_ticked_paragraphs_only_in_the_order_given(client):
    hits = client.get("/api/search?q=扶贫车间&size=20").get_json()["hits"]
    assert len(hits) > 6
    chosen = [hits[5]["para_id"], hits[0]["para_id"], hits[-1]["para_id"]]
    rows = list(csv.DictReader(io.StringIO(get(client, format="csv", q="扶贫车间", para_id=chosen).get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["para_id"] for r in rows] == chosen
    lines = get(client, format="jsonl", q="扶贫车间", para_id=chosen + [chosen[0], "no-such-9", "x"]).get_data(as_text=True).splitlines()
    got = [json.loads(line) for line in lines]
    assert [h["para_id"] for h in got] == chosen, "each once; names of no paragraph left out"
    assert all(any("<mark>" in (h[k] or "") for k in ("snippet", "heading_snippet", "title_snippet")) for h in got), \
        "marked as the search marked them"
    # near miss: without para_id, the export is every hit of the search
    every = get(client, format="jsonl", q="扶贫车间").get_data(as_text=True).splitlines()
    assert len(every) == client.get("/api/search?q=扶贫车间").get_json()["total"] > len(chosen)


def test_every_hit_cited_as_one_reference_an_article(client):
    answer = client.get("/api/search?q=扶贫车间&size=100").get_json()
    articles = {h["doc_id"] for h in answer["hits"]}
    r = get(client, format="ris", q="扶贫车间")
    assert r.headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert r.headers["Content-Disposition"].endswith(".ris")
    records = rispy.loads(r.get_data(as_text=True))
    assert len(records) == len(articles) > 1
    # an untitled article (API title null) is cited with GB/T 7714's [无题名], never an empty TI
    titles = {h["doc_id"]: h["title"] or "[无题名]" for h in answer["hits"]}
    assert {rec["title"] for rec in records} == set(titles.values())
    for rec in records:
        doc_id = rec["notes"][0].rsplit("zhsearch: ", 1)[1]
        numbers = sorted(h["para_no"] for h in answer["hits"] if h["doc_id"] == doc_id)
        assert "第" + "、".join(map(str, numbers)) + "段" in rec["notes"][0]
    library = bibtexparser.parse_string(get(client, format="bibtex", q="扶贫车间").get_data(as_text=True))
    assert not library.failed_blocks and len(library.entries) == len(articles)


def test_an_article_page_offers_its_reference(client):
    doc_id = client.get("/api/docs").get_json()["docs"][0]["doc_id"]
    body = client.get(f"/docs/{doc_id}").get_data(as_text=True)
    link = re.search(r'href="(/api/export\?format=ris&amp;doc_id=[^"]+)"', body).group(1).replace("&amp;", "&")
    (record,) = rispy.loads(client.get(link).get_data(as_text=True))
    assert record["title"] == client.get(f"/api/docs/{doc_id}").get_json()["title"]
    assert "段" not in record["notes"][0], "the article itself, no paragraph picked"
    assert client.get("/api/export?format=ris&doc_id=no-such").status_code == 404


def test_the_results_page_is_a_form_of_check_boxes(client):
    body = client.get("/?q=扶贫车间").get_data(as_text=True)
    form = re.search(r'<form class="pick" id="pick" action="/api/export" method="get">(.*?)</form>', body, re.S).group(1)
    boxes = re.findall(r'<input class="pick-box" type="checkbox" name="para_id" value="([^"]+)"', form)
    assert boxes == [h["para_id"] for h in client.get("/api/search?q=扶贫车间").get_json()["hits"]]
    assert re.findall(r'<button type="submit" name="format" value="(\w+)"', form) == ["csv", "jsonl", "ris", "bibtex"]
    assert '<input type="hidden" name="q" value="扶贫车间">' in form
    # printed: the works of the page's hits, each once
    refs = re.search(r'<section class="print-only print-refs"[^>]*>.*?<ol>(.*?)</ol>', body, re.S).group(1)
    hits = client.get("/api/search?q=扶贫车间").get_json()["hits"]
    assert refs.count("<li>") == len({h["doc_id"] for h in hits})
