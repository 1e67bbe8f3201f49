"""Ranking as a list of rules, explained: ``explain=1`` on /api/search,
``--explain`` on the command line and the page's 为什么排在这里 say each
rule's value for a hit, in the rules' order, and the order of the hits is
what those values say."""

from __future__ import annotations

import json
import math
import re
from datetime import date
import subprocess
import sys

import pytest

from search.engine import ranking
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index

from conftest import ROOT

QUERIES = ["扶贫车间 甘肃", "就业扶贫", "公益性岗位", "创业担保贷款", "技能培训 劳务输出", "扶贫 OR 就业", "劳务输出"]
DEFAULT = ["bm25", "verbatim", "proximity", "whole_query", "in_passing", "figures", "ties", "index_order"]
BOOSTS = ["verbatim", "proximity", "whole_query", "figures"]  # score × (1 + these) × (1 + in_passing, a cut)


def rules(hit: dict) -> dict:
    return {r["rule"]: r["value"] for r in hit["explain"]}


@pytest.fixture(scope="module")
def searcher(seed_index):
    s = Searcher(seed_index)
    yield s
    s.close()


@pytest.mark.parametrize("q", QUERIES)
def test_explain_reads_as_the_order_of_the_hits(client, searcher, q):
    a = client.get("/api/search", query_string={"q": q, "size": 50, "explain": 1}).get_json()
    assert a["hits"]
    for h in a["hits"]:
        # the first page holds at most two paragraphs of one article (search.engine.per_article)
        assert [r["rule"] for r in h["explain"] if r["rule"] != "per_article"] == DEFAULT
        assert all(isinstance(r["why"], str) and r["why"] for r in h["explain"])
        v = rules(h)
        # a rule that changed nothing reads 0.0, never -0.0 (a cut of nothing, as the page printed it)
        assert all(math.copysign(1, x) > 0 for x in v.values() if isinstance(x, float) and x == 0), v
        final = v["bm25"] * (1 + sum(v[b] for b in BOOSTS)) * (1 + v["in_passing"])
        assert final == pytest.approx(h["score"], rel=1e-3, abs=1e-3)  # the score is the rules' product
    hits = searcher.search(SearchRequest(q=q, size=50, explain=True)).hits
    assert [h.para_id for h in hits] == [h["para_id"] for h in a["hits"]]
    keys = [({r["rule"]: r["value"] for r in h.explain}, h.score) for h in hits]
    # the best RERANK candidates (re-scored by every rule, their ties computed) come before the rest, as a
    # rescoring window does; within each, the first rule that differs decides: the score BM25 and the boosts
    # and the penalty make, then the ties (words in the text, length, date), then index order
    for (b, b_score), (c, c_score) in zip(keys, keys[1:]):
        held_b, held_c = b.get("per_article", 0), c.get("per_article", 0)
        rescored_b, rescored_c = b["ties"] is not None, c["ties"] is not None
        # (after the paragraphs the cap held back come those ranked below them all, in rank order)
        assert held_b < held_c or rescored_b > rescored_c or (
            b_score > c_score or b_score == c_score and (
                tie(b) < tie(c) or tie(b) == tie(c) and b["index_order"] < c["index_order"])), (b, c)
    assert len({s for _, s in keys}) > 1  # something was ordered


def tie(v: dict) -> tuple:
    """The ties rule's value as it sorts: more words, longer, newer first."""
    if v["ties"] is None:  # below the re-scored candidates: not computed
        return (0, 0, "")
    held, length, when = v["ties"]
    return (-held, -length, -(date.fromisoformat(when).toordinal() if when else 0))  # undated last


def test_explain_is_only_given_when_asked(client):
    plain = client.get("/api/search", query_string={"q": "就业扶贫"}).get_json()
    asked = client.get("/api/search", query_string={"q": "就业扶贫", "explain": "1"}).get_json()
    assert "explain" not in plain["hits"][0]
    assert [h["para_id"] for h in plain["hits"]] == [h["para_id"] for h in asked["hits"]]
    r = client.get("/api/search", query_string={"q": "就业扶贫", "explain": "maybe"})
    assert r.status_code == 400 and "explain" in r.get_json()["error"]["message"]


def test_date_sorts_and_browsing_explain_the_date(client):
    a = client.get("/api/search", query_string={"q": "扶贫", "sort": "date_asc", "explain": 1}).get_json()
    dates = [h["explain"][0]["value"] for h in a["hits"]]
    assert [h["explain"][0]["rule"] for h in a["hits"]] == ["date_asc"] * len(dates)
    assert dates == [h["date"] for h in a["hits"]] and dates == sorted(dates)
    b = client.get("/api/search", query_string={"explain": 1}).get_json()
    assert b["hits"][0]["explain"][0]["rule"] == "date_desc"


def test_cli_explain_prints_what_the_api_gives(client, seed_index):
    api = client.get("/api/search", query_string={"q": "扶贫车间 甘肃", "explain": 1}).get_json()
    cli = subprocess.run([sys.executable, "-m", "search", "search", "扶贫车间 甘肃", "--index", seed_index,
                          "--explain", "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert [h["explain"] for h in json.loads(cli.stdout)["hits"]] == [h["explain"] for h in api["hits"]]
    text = subprocess.run([sys.executable, "-m", "search", "search", "扶贫车间 甘肃", "--index", seed_index,
                           "--explain", "--limit", "2"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert text.stdout.count("verbatim: ") == 2 and "bm25: " in text.stdout


def test_the_page_offers_the_explanation_behind_a_disclosure(client):
    html = client.get("/", query_string={"q": "扶贫车间 甘肃"}).get_data(as_text=True)
    items = html.split('<li class="hit">')[1:]
    assert items
    for item in items:
        block = re.search(r'<details class="explain"><summary>为什么排在这里</summary>(.*?)</details>', item, re.S)
        assert block and [r for r in re.findall(r"<code>(\w+)</code>", block.group(1)) if r != "per_article"] == DEFAULT


FILLER = "村里修了路,建了学校,办了医疗站,产业也发展起来了,群众的日子越过越红火。" * 3  # long: the lines are short


def test_a_new_rule_is_one_entry_and_newer_articles_can_be_preferred(tmp_path, monkeypatch):
    """Two short lines of equal score (both below the length floor), the
    older a few words longer: the ties rule ranks the longer, older one
    first; with the newer rule enabled (off by default) the newer one
    rises, and the explanation says why."""
    text = "村里新建的扶贫车间吸纳了四十名贫困群众就业。"
    rows = [("old", "2016-01-01", text + "厂房还在扩建。"), ("new", "2020-01-01", text)]
    rows += [(f"f{i}", "2018-01-01", FILLER) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "报道", "date": d, "text": t}, ensure_ascii=False) + "\n"
                           for i, d, t in rows), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"))
    try:
        req = SearchRequest(q="扶贫车间", explain=True)
        assert [h.doc_id for h in s.search(req).hits] == ["old", "new"]
        newer = next(r for r in ranking.RULES if r.name == "newer")
        assert not newer.enabled
        monkeypatch.setattr(newer, "enabled", True)
        hits = s.search(req).hits
        assert [h.doc_id for h in hits] == ["new", "old"]
        assert [r["rule"] for r in hits[0].explain] == ["per_article", "bm25", "verbatim", "proximity", "whole_query",
                                                        "in_passing", "figures", "newer", "ties", "index_order"]
        assert {r["rule"]: r["value"] for r in hits[0].explain}["newer"] > 0
        assert {r["rule"]: r["value"] for r in hits[1].explain}["newer"] == 0
    finally:
        s.close()


def test_equal_scores_are_ordered_by_words_length_and_date_not_index_order(tmp_path):
    """The ties rule: paragraphs of equal score (short lines below the
    length floor, one mention each) come longer first, then newer; index
    order (the order they were indexed in) decides nothing.  The near miss:
    a line holding the word twice scores above them all."""
    rows = [("short-new", "2020-01-01", "扶贫车间开工了。"),
            ("long-old", "2016-01-01", "扶贫车间开工了,村民在家门口上班。"),
            ("short-old", "2016-01-01", "扶贫车间开工啦。"),
            ("twice", "2015-01-01", "扶贫车间开工,又一个扶贫车间。")]
    filler = [(f"f{i}", "2018-01-01", FILLER) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "报道", "date": d, "text": t}, ensure_ascii=False) + "\n"
                           for i, d, t in rows + filler), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"))
    try:
        hits = s.search(SearchRequest(q="扶贫车间", explain=True)).hits
        assert [h.doc_id for h in hits] == ["twice", "long-old", "short-new", "short-old"]
        assert hits[1].score == hits[2].score == hits[3].score  # the ties rule decided, not the score
        ties = [{r["rule"]: r["value"] for r in h.explain}["ties"] for h in hits[1:]]
        assert ties[0][1] > ties[1][1] and ties[1][2] > ties[2][2]
    finally:
        s.close()
