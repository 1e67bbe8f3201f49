"""The fifth facet, ``published`` (the article's publication year, 发布年份),
through the API, the page, the command line and the exports, against the
seed articles' own dates read here (not through search.facets)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter

import pytest
from apipages import all_hits

from search.ingest import iter_source_files, read_file

from conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def published():
    """para_id -> the publication year of its article (None: undated)."""
    out = {}
    for path in iter_source_files([str(SEEDS)]):
        for art in read_file(path):
            for p in art.paragraphs:
                out[f"{art.doc_id}-{p.para_no}"] = int(art.date[:4]) if art.date else None
    return out


def test_hits_and_facet_counts_hold_the_publication_year(client, published):
    hits = all_hits(client)
    assert len(hits) == len(published)
    assert all(h["published"] == published[h["para_id"]] for h in hits)
    assert all(h["published"] == (int(h["date"][:4]) if h["date"] else None) for h in hits)
    facets = client.get("/api/search").get_json()["facets"]["published"]
    counts = Counter(published.values())
    assert [(v["value"], v["count"]) for v in facets] == (
        sorted(((y, n) for y, n in counts.items() if y is not None), reverse=True) + [("none", counts[None])])
    assert facets[-1]["label"] == "日期不详"


@pytest.mark.parametrize("params", [
    {"published": "2019"}, {"published": "none"}, {"published": ["2018", "2022"]},
    {"published_from": "2019"}, {"published_to": "2019"}, {"published_from": "2019", "published_to": "2019"},
    {"published_from": "2020", "published_to": "2022"}, {"q": "扶贫", "published": "2019"},
])
def test_published_filters_against_brute_force(client, published, params):
    want_values = params.get("published")
    want_values = [want_values] if isinstance(want_values, str) else want_values
    lo, hi = params.get("published_from"), params.get("published_to")

    def passes(year) -> bool:
        if want_values and not any((v == "none" and year is None) or (v != "none" and year == int(v))
                                   for v in want_values):
            return False
        if lo or hi:
            return year is not None and (not lo or year >= int(lo)) and (not hi or year <= int(hi))
        return True

    matched = {h["para_id"] for h in all_hits(client, q=params.get("q", ""))}
    want = {pid for pid in matched if passes(published[pid])}
    got = all_hits(client, **params)
    assert {h["para_id"] for h in got} == want and len(got) == len(want) > 0
    assert all(passes(h["published"]) for h in got)


def test_a_year_next_to_the_one_asked_is_not_found(client, published):
    # near misses: 2018 and 2020 hold articles of their own, none of 2019's paragraphs
    years = set(published.values())
    assert {2018, 2019} <= years
    got = {h["para_id"] for h in all_hits(client, published="2019")}
    assert got == {pid for pid, y in published.items() if y == 2019}
    assert not got & {pid for pid, y in published.items() if y in (2018, 2020, 2022)}


@pytest.mark.parametrize("qs", ["published=19", "published=２０１９", "published_from=none"])
def test_bad_published_values_are_a_clear_400(client, qs):
    r = client.get("/api/search?" + qs)
    assert r.status_code == 400 and "published" in r.get_json()["error"]["message"]


def test_page_charts_the_publication_year_and_filters_by_it(client, published):
    body = client.get("/").get_data(as_text=True)
    chart = re.search(r'<figure class="chart chart-bars chart-published".*?</figure>', body, re.S)
    assert chart, "the publication year is charted like the year"
    assert "按发布年份(段落数)" in chart.group(0)
    bars = dict(re.findall(r'data-value="([^"]+)" data-count="(\d+)"', chart.group(0)))
    counts = Counter(published.values())
    assert bars == {**{str(y): str(n) for y, n in counts.items() if y is not None}, "不详": str(counts[None])}
    link = re.search(r'<a href="([^"]+)" class="bar[^"]*"[^>]*data-value="2019"', chart.group(0)).group(1)
    assert "published=2019" in link
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    total = int(re.search(r'<strong class="total">(\d+)</strong>', page).group(1))
    assert total == counts[2019]
    assert 'data-facet="published"' in page and "发布年份" in page


def test_page_range_form_for_published(client):
    body = client.get("/?published_from=2019&published_to=2019").get_data(as_text=True)
    assert 'name="published_from"' in body and 'name="published_to"' in body
    # any four-digit year may be typed (an article of 1975), not only the years paragraphs are labelled with
    assert re.search(r'<input id="published_from"[^>]*min="1000" max="9999"', body)
    assert re.search(r'<input id="year_from"[^>]*min="1980" max="2043"', body)
    assert "发布年份" in body and "2019" in body


def cli(*args):
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_published_options_give_the_api_answer(client, seed_index):
    for args, params in [(["--published", "2019"], {"published": "2019"}),
                         (["--published-from", "2019", "--published-to", "2022"],
                          {"published_from": "2019", "published_to": "2022"}),
                         (["--published", "none"], {"published": "none"})]:
        r = cli("search", "扶贫", "--index", seed_index, "--json", *args)
        assert r.returncode == 0, r.stderr
        answer = json.loads(r.stdout)
        api = client.get("/api/search", query_string={"q": "扶贫", **params}).get_json()
        assert answer["total"] == api["total"] > 0
        assert [h["para_id"] for h in answer["hits"]] == [h["para_id"] for h in api["hits"]]
        assert answer["facets"]["published"] == api["facets"]["published"]
    r = cli("search", "扶贫", "--index", seed_index, "--published", "19")
    assert r.returncode == 2 and "published" in r.stderr


def test_exports_carry_the_publication_year(client, published):
    r = client.get("/api/export", query_string={"format": "csv", "published_to": "2019"})
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8")[1:])))
    assert rows and all(published[row["para_id"]] is not None and published[row["para_id"]] <= 2019 for row in rows)
    assert all(row["published"] == str(published[row["para_id"]]) for row in rows)
    r = client.get("/api/export", query_string={"format": "jsonl", "published": "none"})
    lines = [json.loads(line) for line in r.data.decode("utf-8").splitlines()]
    assert len(lines) == sum(1 for y in published.values() if y is None)
    assert all(line["published"] is None and line["date"] is None for line in lines)
    name = client.get("/api/export", query_string={"format": "csv", "published": "2019"}).headers["Content-Disposition"]
    assert "2019" in name


def test_cli_export_and_inspect_show_the_publication_year(seed_index, published):
    r = cli("search", "", "--index", seed_index, "--all", "--format", "csv", "--published", "2022")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert rows and {row["published"] for row in rows} == {"2022"}
    assert len(rows) == sum(1 for y in published.values() if y == 2022)
    seeds = [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    r = cli("inspect", "--json", *seeds)
    assert r.returncode == 0, r.stderr
    articles = json.loads(r.stdout)
    assert {a["published"] for a in articles} >= {None, 2019}
    assert all(a["published"] == (int(a["date"][:4]) if a["date"] else None) for a in articles)
    human = cli("inspect", *seeds).stdout
    assert human.count("published: 2019") == sum(1 for a in articles if a["published"] == 2019)
    assert human.count("published: -") == sum(1 for a in articles if a["published"] is None)
