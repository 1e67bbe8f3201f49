"""Articles counted: ``articles`` in the answer and the summary,
``group=article`` (one entry per article, its matching paragraphs under
it, paged by articles), and the article list's facet counts in articles;
each compared with brute force over the seed paragraphs."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from apipages import all_hits

from search.ingest import iter_source_files, read_file
from search.text.analysis import fold

from search.facets import measure_labels

from conftest import SEEDS

LABELS = {("year", "none"): "年份不详", ("published", "none"): "日期不详"}

QUERIES = [{}, {"q": "扶贫"}, {"q": "就業扶貧"}, {"q": "培训", "province": "四川"}, {"q": "扶贫", "year": "none"},
           {"q": "扶贫车间 OR 公益性岗位"}, {"q": "没有这样的词语组合"}, {"published": "none"},
           {"q": "扶贫", "sort": "date_asc"}]


@pytest.fixture(scope="module")
def seed_articles():
    """doc_id -> the article, as ingestion reads it (the oracle's data)."""
    return {art.doc_id: art for path in iter_source_files([str(SEEDS)]) for art in read_file(path)}


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "browse")
def test_articles_is_the_number_of_distinct_articles_among_all_hits(client, params):
    hits = all_hits(client, **params)
    answer = client.get("/api/search", query_string={**params, "size": 1}).get_json()
    assert answer["articles"] == len({h["doc_id"] for h in hits})
    assert answer["total"] == len(hits)
    assert (answer["articles"] == 0) == (answer["total"] == 0)


def test_browse_counts_every_article(client, seed_articles):
    answer = client.get("/api/search").get_json()
    assert answer["articles"] == len(seed_articles) == client.get("/healthz").get_json()["documents"]


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "browse")
def test_group_by_article_against_the_paragraph_list(client, params):
    hits = all_hits(client, **params)
    first_seen: dict[str, int] = {}
    by_doc = defaultdict(list)
    for i, h in enumerate(hits):
        first_seen.setdefault(h["doc_id"], i)
        by_doc[h["doc_id"]].append(h)
    want_order = sorted(first_seen, key=first_seen.get)  # articles in the order of their best paragraph
    groups, page = [], 1
    while True:
        body = client.get("/api/search", query_string={**params, "group": "article", "size": 3, "page": page}).get_json()
        assert body["group"] == "article" and body["total"] == len(hits) and body["articles"] == len(want_order)
        assert len(body["hits"]) <= 3
        groups += body["hits"]
        if not body["next_url"]:
            break
        assert "group=article" in body["next_url"]
        page += 1
    assert [g["doc_id"] for g in groups] == want_order
    for g in groups:
        mine = by_doc[g["doc_id"]]
        assert g["para_id"] == mine[0]["para_id"]  # the best paragraph heads the entry
        assert g["matches"] == len(mine)
        reading = sorted(mine, key=lambda h: h["para_no"])
        if len(reading) > 10:  # the first nine, and the best one wherever it stands
            reading = sorted({h["para_id"]: h for h in reading[:9] + [mine[0]]}.values(), key=lambda h: h["para_no"])
        assert [p["para_id"] for p in g["paragraphs"]] == [h["para_id"] for h in reading]
        assert g["para_id"] in [p["para_id"] for p in g["paragraphs"]]
        assert all(p["snippet"] for p in g["paragraphs"])


def test_group_pages_past_the_last_article_are_empty_and_bad_group_is_400(client):
    body = client.get("/api/search", query_string={"q": "扶贫", "group": "article", "size": 100, "page": 2}).get_json()
    assert body["hits"] == [] and body["prev_url"]
    r = client.get("/api/search", query_string={"q": "扶贫", "group": "paragraph"})
    assert r.status_code == 400 and "group" in r.get_json()["error"]["message"]


def test_results_page_says_paragraphs_from_articles(client):
    for params in ({"q": "扶贫"}, {}):
        api = client.get("/api/search", query_string=params).get_json()
        body = client.get("/", query_string=params).get_data(as_text=True)
        m = re.search(r'共 <strong class="total">(\d+)</strong> 段,来自 <strong class="articles">(\d+)</strong> 篇文章', body)
        assert m and (int(m[1]), int(m[2])) == (api["total"], api["articles"])
        assert int(m[2]) < int(m[1])  # a near miss: paragraphs are not articles


def test_grouped_page_lists_articles_with_their_paragraphs(client):
    body = client.get("/?q=扶贫").get_data(as_text=True)
    toggle = re.search(r'<a class="group-toggle" href="([^"]+)">按文章合并</a>', body)
    assert toggle and "group=article" in toggle[1]
    grouped = client.get(toggle[1].replace("&amp;", "&")).get_data(as_text=True)
    api = client.get("/api/search", query_string={"q": "扶贫", "group": "article"}).get_json()
    docs = re.findall(r'<li class="hit article-group" data-doc="([^"]+)">', grouped)
    assert docs == [g["doc_id"] for g in api["hits"]] and docs
    assert len(re.findall(r'<li class="group-paragraph"', grouped)) == sum(len(g["paragraphs"]) for g in api["hits"])
    assert re.search(r'本文 \d+ 段匹配', grouped)
    assert re.search(r'<a class="group-toggle" href="[^"]+">按段落列出</a>', grouped)
    # the search form keeps the grouping for the next query
    assert re.search(r'<input type="hidden" name="group" value="article"', grouped)


def _paragraph_values(art, p) -> dict:
    """facet -> the values one paragraph holds (year "none": no known year;
    published "none": an undated article)."""
    return {
        "province": set(p.province),
        "year": set(p.years) or {"none"},
        "measure": set(p.measures),
        "source": {art.source} if art.source else set(),
        "published": {int(art.date[:4]) if art.date else "none"},
    }


@pytest.mark.parametrize("params", [{}, {"province": "甘肃"}, {"year": "none"}, {"published": "2019"},
                                    {"source": "四川日报"}, {"year": "none", "measure": "workshop"}])
def test_docs_facet_counts_count_articles(client, seed_articles, params):
    """An article is listed when one of its paragraphs passes every filter
    (as ``/api/docs`` lists it); a value counts the articles that adding it
    would list: those with a paragraph holding it that the other facets'
    filters let through."""
    body = client.get("/docs", query_string=params).get_data(as_text=True)
    assert "数字为文章篇数" in body
    listed = int(re.search(r'共 <strong class="total">(\d+)</strong> 篇文章', body)[1])
    paragraphs = {doc_id: [_paragraph_values(a, p) for p in a.paragraphs] for doc_id, a in seed_articles.items()}

    def passes(held, facets) -> bool:
        for f in facets:
            want = params[f]
            if f == "source":
                if not any(fold(want) == fold(v) for v in held[f]):
                    return False
            elif want not in {str(v) for v in held[f]}:
                return False
        return True

    assert listed == sum(1 for ps in paragraphs.values() if any(passes(h, params) for h in ps))
    api = client.get("/api/docs", query_string={**params, "size": 100}).get_json()
    assert api["total"] == listed
    for facet in ("province", "year", "measure", "source", "published"):
        section = re.search(rf'<section class="facet" data-facet="{facet}">(.*?)</section>', body, re.S)[1]
        shown = {label: int(n) for label, n in
                 re.findall(r'<span class="facet-label">([^<]+)</span> <span class="count">(\d+)</span>', section)}
        others = [f for f in params if f != facet]
        want = defaultdict(int)
        for ps in paragraphs.values():
            held = set().union(*(h[facet] for h in ps if passes(h, others)))
            for v in held:
                want[LABELS.get((facet, v), measure_labels().get(v, str(v)) if facet == "measure" else str(v))] += 1
        assert shown == dict(want), facet


def test_cli_counts_articles_and_groups_like_the_api(client, seed_index):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "search", "search", "扶贫", "--index", seed_index, *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)

    api = client.get("/api/search", query_string={"q": "扶贫", "group": "article", "size": 2}).get_json()
    r = cli("--group", "article", "--limit", "2", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["articles"] == api["articles"] and [g["doc_id"] for g in got["hits"]] == [g["doc_id"] for g in api["hits"]]
    assert [[p["para_id"] for p in g["paragraphs"]] for g in got["hits"]] == \
        [[p["para_id"] for p in g["paragraphs"]] for g in api["hits"]]
    human = cli("--group", "article", "--limit", "2").stdout
    assert human.startswith(f"{api['total']} paragraphs from {api['articles']} articles")
    assert human.count("paragraphs match") == len(api["hits"])
