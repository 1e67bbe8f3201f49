"""A policy document's issuer (发文机关) and number (发文字号): read from
a JSON lines file, stored, and shown in hits, articles, exports, inspect,
the article page and its citation; ``null`` for an article without them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT

POLICY = {
    "id": "policy", "title": "关于进一步做好就业扶贫工作的通知", "date": "2019-03-01",
    "source": "人力资源社会保障部", "url": "https://example.gov.cn/zcwj/2019/policy.html",
    "issuer": "人力资源社会保障部办公厅", "doc_number": "人社厅发〔2019〕12号",
    "text": "各省、自治区、直辖市人力资源社会保障厅:\n扶贫车间吸纳贫困劳动力就业,要落实补贴政策。\n"
            "各地要加强公益性岗位开发管理。",
}
NEWS = {
    "id": "news", "title": "甘肃扶贫车间开工", "date": "2019-04-02", "source": "甘肃日报",
    "text": "甘肃省扶贫车间吸纳就业三千人。\n当地还开发了公益性岗位。",
}
BLANK = {"id": "blank", "title": "空白字段", "issuer": "  ", "doc_number": "", "text": "扶贫车间的另一篇报道。"}


@pytest.fixture(scope="module")
def policy_index(tmp_path_factory) -> str:
    from search.indexing import build_index

    folder = tmp_path_factory.mktemp("policy")
    (folder / "docs.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (POLICY, NEWS, BLANK)),
                                       encoding="utf-8")
    build_index([str(folder / "docs.jsonl")], str(folder / "index"), rebuild=True, procs=1)
    return str(folder / "index")


@pytest.fixture(scope="module")
def pclient(policy_index):
    from web import create_app

    return create_app(policy_index, config={"TESTING": True}).test_client()


def by_doc(hits) -> dict:
    out = {}
    for h in hits:
        out.setdefault(h["doc_id"], []).append(h)
    return out


def test_hits_carry_issuer_and_doc_number_or_null(pclient):
    hits = by_doc(pclient.get("/api/search?q=扶贫车间").get_json()["hits"])
    assert set(hits) == {"policy", "news", "blank"}
    assert all(h["issuer"] == POLICY["issuer"] and h["doc_number"] == POLICY["doc_number"] for h in hits["policy"])
    assert all(h["issuer"] is None and h["doc_number"] is None for h in hits["news"] + hits["blank"])


def test_article_object_carries_them(pclient):
    art = pclient.get("/api/docs/policy").get_json()
    assert art["issuer"] == "人力资源社会保障部办公厅" and art["doc_number"] == "人社厅发〔2019〕12号"
    assert art["published"] == 2019 and len(art["paragraphs"]) == 3
    news = pclient.get("/api/docs/news").get_json()
    assert news["issuer"] is None and news["doc_number"] is None


def test_article_list_items_are_the_article_objects_with_a_paragraph_count(pclient):
    """api.md: articles carry ``issuer`` and ``doc_number`` (null unless a
    policy document); an ``/api/docs`` item says of its article what
    ``/api/docs/<doc_id>`` says, its paragraphs counted instead of listed."""
    listing = pclient.get("/api/docs?size=100").get_json()
    items = {d["doc_id"]: d for d in listing["docs"]}
    assert set(items) == {"policy", "news", "blank"} and listing["total"] == 3
    for doc_id, item in items.items():
        whole = pclient.get(f"/api/docs/{doc_id}").get_json()
        assert item == {**whole, "paragraphs": len(whole["paragraphs"])}
    assert items["policy"]["issuer"] == POLICY["issuer"] and items["policy"]["doc_number"] == POLICY["doc_number"]
    assert items["news"]["issuer"] is None and items["news"]["doc_number"] is None
    assert items["blank"]["issuer"] is None and items["blank"]["doc_number"] is None, "blank fields are null"
    assert {"doc_id", "title", "source", "date", "province", "paragraphs", "issuer", "doc_number"} <= set(items["news"])


def test_exports_carry_them(pclient):
    r = pclient.get("/api/export", query_string={"q": "公益性岗位", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8")[1:])))
    got = {row["doc_id"]: (row["issuer"], row["doc_number"]) for row in rows}
    assert got == {"policy": ("人力资源社会保障部办公厅", "人社厅发〔2019〕12号"), "news": ("", "")}
    r = pclient.get("/api/export", query_string={"q": "公益性岗位", "format": "jsonl"})
    lines = {d["doc_id"]: d for d in map(json.loads, r.data.decode("utf-8").splitlines())}
    assert lines["policy"]["doc_number"] == "人社厅发〔2019〕12号" and lines["news"]["issuer"] is None


def test_article_page_shows_them_and_cites_the_number(pclient):
    body = pclient.get("/docs/policy").get_data(as_text=True)
    assert "发文机关:人力资源社会保障部办公厅" in body and "发文字号:人社厅发〔2019〕12号" in body
    # GB/T 7714: the issuer as the responsible author, the number after the title
    assert ("人力资源社会保障部办公厅. 关于进一步做好就业扶贫工作的通知: 人社厅发〔2019〕12号[EB/OL]. "
            "人力资源社会保障部, 2019-03-01[") in body
    news = pclient.get("/docs/news").get_data(as_text=True)
    assert "发文机关" not in news and "发文字号" not in news and "甘肃扶贫车间开工[N]. 甘肃日报, 2019-04-02" in news


def test_search_page_cites_the_number(pclient):
    body = pclient.get("/?q=补贴政策").get_data(as_text=True)
    assert "人社厅发〔2019〕12号[EB/OL]" in body and ": 第2段" in body


def test_inspect_shows_them(tmp_path):
    f = tmp_path / "docs.jsonl"
    f.write_text(json.dumps(POLICY, ensure_ascii=False) + "\n" + json.dumps(NEWS, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    run = [sys.executable, "-m", "search", "inspect"]
    out = subprocess.run(run + ["--json", str(f)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    policy, news = json.loads(out.stdout)
    assert (policy["issuer"], policy["doc_number"]) == (POLICY["issuer"], POLICY["doc_number"])
    assert (news["issuer"], news["doc_number"]) == (None, None)
    human = subprocess.run(run + [str(f)], cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    assert "issuer:   人力资源社会保障部办公厅" in human and "doc number: 人社厅发〔2019〕12号" in human
    assert human.count("issuer:   -") == 1
