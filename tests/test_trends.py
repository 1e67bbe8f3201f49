"""Trends over publication years (issue 20 item 1): each query's paragraphs,
articles and paragraphs per 10,000 of the year, per publication year,
compared with brute force over the hits and the archive; the page draws
them and links each point to that year's search."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict

import pytest

from apipages import all_hits


@pytest.fixture(scope="module")
def archive_years(app):
    """Paragraphs per publication year over the whole seed archive."""
    client = app.test_client()
    years = Counter()
    for doc in client.get("/api/docs?size=100").get_json()["docs"]:
        if doc["date"]:
            years[int(doc["date"][:4])] += doc["paragraphs"]
    return years


@pytest.mark.parametrize("filters", [{}, {"province": "甘肃"}, {"measure": "workshop"}])
def test_counts_per_year_equal_brute_force(client, archive_years, filters):
    queries = ["扶贫车间", "公益性岗位", "就业"]
    answer = client.get("/api/trends", query_string=[("q", q) for q in queries] + list(filters.items())).get_json()
    assert answer["queries"] == queries
    assert {a["year"]: a["paragraphs"] for a in answer["archive"]} == dict(archive_years)
    for series, q in zip(answer["series"], queries):
        hits = all_hits(client, q=q, **filters)
        paragraphs, articles = Counter(), defaultdict(set)
        for h in hits:
            if h["date"]:
                paragraphs[int(h["date"][:4])] += 1
                articles[int(h["date"][:4])].add(h["doc_id"])
        assert series["total"] == len(hits)
        assert series["undated"] == sum(1 for h in hits if not h["date"])
        assert {p["year"]: p["paragraphs"] for p in series["points"]} == dict(paragraphs)
        assert {p["year"]: p["articles"] for p in series["points"]} == {y: len(a) for y, a in articles.items()}
        for p in series["points"]:
            assert p["per_10k"] == round(10_000 * p["paragraphs"] / archive_years[p["year"]], 2)


def test_no_query_is_the_archive_itself(client, archive_years):
    (series,) = client.get("/api/trends").get_json()["series"]
    assert {p["year"]: p["paragraphs"] for p in series["points"]} == dict(archive_years)
    assert all(p["per_10k"] == 10_000 for p in series["points"])


def test_at_most_six_queries(client):
    assert client.get("/api/trends?" + "&".join(f"q=词{i}" for i in range(6))).status_code == 200
    r = client.get("/api/trends?" + "&".join(f"q=词{i}" for i in range(7)))
    assert r.status_code == 400 and "6" in r.get_json()["error"]["message"]


def test_csv_is_the_table(client):
    answer = client.get("/api/trends?q=扶贫车间&q=就业").get_json()
    r = client.get("/api/trends?q=扶贫车间&q=就业&format=csv")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["query"], int(row["year"]), int(row["paragraphs"])) for row in rows] == \
        [(s["q"], p["year"], p["paragraphs"]) for s in answer["series"] for p in s["points"]]


def test_the_page_draws_a_line_a_query_and_a_table_and_is_reached_from_results(client):
    body = client.get("/trends?q=扶贫车间&q=就业").get_data(as_text=True)
    assert len(re.findall(r'<path d="M', body)) == 2
    answer = client.get("/api/trends?q=扶贫车间&q=就业").get_json()
    years = [a["year"] for a in answer["archive"]]
    # a point every year the archive has paragraphs of, on each line; a year it has none of is a gap
    assert len(re.findall(r'class="point" data-year="\d+"', body)) == 2 * len(years)
    gaps = sum(1 for a, b in zip(years, years[1:]) if b > a + 1)
    assert len(re.findall(r' M[\d.]+,', body)) == 2 * gaps
    assert "下载 CSV" in body and "每万段" in body
    results = client.get("/?q=扶贫车间&province=甘肃").get_data(as_text=True)
    link = re.search(r'<a href="(/trends\?[^"]+)">看趋势</a>', results).group(1).replace("&amp;", "&")
    assert "q=" in link and "province=" in link
    assert client.get(link).status_code == 200
    assert "看趋势" not in client.get("/").get_data(as_text=True), "browsing has nothing to compare"
