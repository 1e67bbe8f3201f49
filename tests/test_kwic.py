"""The concordance (语境, issue 20 item 2): every occurrence of the query in
its hits, checked against a scan of the hits' texts; the context, the sorts,
the pages and the exports; the page is the API's twin."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from apipages import all_hits

from search.text.analysis import fold


def scan(text: str, forms: list[str]) -> list[tuple[int, int]]:
    """Where any of ``forms`` stands in ``text`` (folded), overlaps merged."""
    folded = fold(text)
    spans = sorted((i, i + len(f)) for f in forms for i in (m.start() for m in re.finditer(re.escape(fold(f)), folded)))
    out = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def kwic(client, **params):
    r = client.get("/api/kwic", query_string={"size": 500, **params})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


@pytest.mark.parametrize("q, quoted", [("扶贫车间", False), ('"扶贫车间"', True), ("公益性岗位", False)])
def test_every_occurrence_in_the_hits_with_its_context(client, q, quoted):
    hits = all_hits(client, q=q)
    expanded = client.get("/api/search", query_string={"q": q}).get_json()["expanded"]
    word = q.strip('"')
    forms = [word] + ([] if quoted else expanded.get(word, []))
    expected = [(h["para_id"], h["text"][max(0, s - 30):s], h["text"][s:e], h["text"][e:e + 30])
                for h in hits for s, e in scan(h["text"], forms)]
    answer = kwic(client, q=q)
    got = [(ln["para_id"], ln["left"], ln["match"], ln["right"]) for ln in answer["lines"]]
    assert got == expected and answer["total"] == len(expected) > 0 and not answer["truncated"]
    if quoted:  # near miss: the quoted word is never widened, so its synonyms give no line
        assert all(fold(m) == fold(word) for _, _, m, _ in got)


def test_context_width_and_the_script_as_written(client):
    lines = kwic(client, q="扶贫车间", context=5)["lines"]
    assert all(len(ln["left"]) <= 5 and len(ln["right"]) <= 5 for ln in lines)
    assert any(ln["match"] == "扶貧車間" for ln in lines), "traditional text keeps its script"


@pytest.mark.parametrize("sort", ["left", "right", "date", "source"])
def test_sorts(client, sort):
    base = kwic(client, q="扶贫车间")["lines"]
    lines = kwic(client, q="扶贫车间", sort=sort)["lines"]
    assert sorted(map(json.dumps, lines)) == sorted(map(json.dumps, base)), "the same lines"
    if sort == "left":
        keys = [ln["left"][::-1] for ln in lines]
    elif sort == "right":
        keys = [ln["right"] for ln in lines]
    elif sort == "date":
        keys = [(ln["date"] is None, [-ord(c) for c in ln["date"] or ""]) for ln in lines]
    else:
        keys = [(ln["source"] is None, ln["source"] or "") for ln in lines]
    assert keys == sorted(keys)


def test_pages_and_exports_hold_every_line(client):
    every = kwic(client, q="扶贫车间")["lines"]
    paged = kwic(client, q="扶贫车间", size=5, page=2)
    assert paged["lines"] == every[5:10] and paged["total"] == len(every)
    r = client.get("/api/kwic?q=扶贫车间&format=csv")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["para_id"], row["match"]) for row in rows] == [(ln["para_id"], ln["match"]) for ln in every]
    jsonl = [json.loads(x) for x in client.get("/api/kwic?q=扶贫车间&format=jsonl").get_data(as_text=True).splitlines()]
    # an export's URLs are whole, to be followed away from the server
    assert jsonl == [{**ln, "url": "http://localhost" + ln["url"]} for ln in every]
    for bad in ("context=0", "context=999", "sort=relevance", "format=xlsx", "size=0"):
        assert client.get(f"/api/kwic?q=扶贫车间&{bad}").status_code == 400, bad


def test_filters_narrow_the_lines(client):
    """The filtered concordance holds the unfiltered one's lines of the
    filtered hits, in the filtered search's order (which re-ranks its own
    best candidates: ranking.RERANK)."""
    every = kwic(client, q="就业")["lines"]
    hits = {h["para_id"] for h in all_hits(client, q="就业") if "甘肃" in h["province"]}
    narrowed = client.get("/api/kwic", query_string={"q": "就业", "province": "甘肃", "size": 500}).get_json()["lines"]
    line = lambda ln: json.dumps(ln, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(line, narrowed)) == sorted(line(ln) for ln in every if ln["para_id"] in hits)
    assert 0 < len(narrowed) < len(every)
    order = [h["para_id"] for h in all_hits(client, q="就业", province="甘肃")]
    assert list(dict.fromkeys(ln["para_id"] for ln in narrowed)) == [p for p in order if p in {ln["para_id"] for ln in narrowed}]


def test_the_page_is_the_apis_twin_and_the_results_link_it(client):
    api = kwic(client, q="扶贫车间", size=50)["lines"]
    body = client.get("/kwic?q=扶贫车间").get_data(as_text=True)
    import html
    rows = re.findall(r'<td class="left"><bdi dir="ltr">(.*?)</bdi></td><td class="match"><a href="[^"]+">(.*?)</a></td><td class="right">(.*?)</td>', body)
    assert [tuple(map(html.unescape, r)) for r in rows] == [(ln["left"], ln["match"], ln["right"]) for ln in api]
    results = client.get("/?q=扶贫车间").get_data(as_text=True)
    assert re.search(r'<a href="/kwic\?q=[^"]+">看语境</a>', results)
