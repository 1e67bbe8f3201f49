"""Reprints (转载, issue 20 item 4): a paragraph whose normalized text
(script, width, case, spaces, punctuation aside) stands in two articles or
more forms a group; hits say "另见 N 篇"; ``collapse=reprints`` counts each
group once, keeping the earliest publication, in the total, the facets, the
trends and the exports.  Checked against brute-force groups of normalized
texts, with near misses: one character changed, a short line, a repeat
within one article, one quotation under two lead-ins."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from search.text.fingerprint import MIN_CHARS, normalized

SHARED = "甘肃省临夏州建成各类扶贫车间110多家，吸纳就业6000余人，其中建档立卡贫困劳动力2800多人，人均月增收两千元。"
SHARED_TRAD = "甘肅省臨夏州建成各類扶貧車間110多家,吸納就業6000餘人,其中建檔立卡貧困勞動力2800多人,人均月增收兩千元"
ONE_CHAR_OFF = SHARED.replace("6000", "6001")
OTHER = "四川省广元市新建就业扶贫基地78个，扶贫车间62个，实现贫困劳动者就地就近就业6265人，人均年收入明显增加。"
SHORT = "扶贫车间吸纳就业。"
QUOTATION = ("要把扶贫车间建在群众家门口，让贫困劳动力足不出村就能实现就业，既照顾家庭又增加收入，稳定脱贫不返贫；"
             "各地要加大政策支持力度，落实场地租金、物流运输和岗位补贴，培育更多带动能力强的经营主体，让车间留得住、办得好。")
QUOTED_BY_SPEAKER = "讲话指出，" + QUOTATION
QUOTED_BY_ARTICLE = "文章强调，" + QUOTATION

ARTICLES = [
    {"id": "a", "title": "甲报道", "source": "甲报", "date": "2019-05-01", "text": f"{SHARED}\n{OTHER}\n{SHORT}"},
    {"id": "b", "title": "乙转载", "source": "乙报", "date": "2019-03-01", "text": f"{SHARED_TRAD}\n{SHORT}"},
    {"id": "c", "title": "丙转载", "source": "丙报", "date": "2020-01-01", "text": f"导语扶贫车间。\n{SHARED}"},
    {"id": "d", "title": "丁改写", "source": "丁报", "date": "2018-01-01", "text": f"{ONE_CHAR_OFF}\n{OTHER}\n{OTHER}"},
    {"id": "e", "title": "戊无日期", "source": "戊报", "text": f"{SHARED}"},
    # one long quotation in two reports, each with its own lead-in: nearly the same text, not a reprint
    {"id": "f", "title": "己讲话", "source": "己报", "date": "2019-06-01", "text": QUOTED_BY_SPEAKER},
    {"id": "g", "title": "庚评论", "source": "庚报", "date": "2020-06-01", "text": QUOTED_BY_ARTICLE},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from search.indexing import build_index
    from web import create_app

    folder = tmp_path_factory.mktemp("reprints")
    (folder / "reprints.jsonl").write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES) + "\n",
                                          encoding="utf-8")
    index = tmp_path_factory.mktemp("reprints_index")
    build_index([str(folder)], str(index), rebuild=True, procs=1)
    return create_app(str(index), config={"TESTING": True}).test_client()


def hits(client, **params):
    return client.get("/api/search", query_string={"size": 100, **params}).get_json()


def brute_groups(all_hits):
    """Normalized text -> the articles holding it, for texts of two articles or more."""
    by_text = defaultdict(set)
    for h in all_hits:
        norm = normalized(h["text"])
        if len(norm) >= MIN_CHARS:
            by_text[norm].add(h["doc_id"])
    return {t: docs for t, docs in by_text.items() if len(docs) > 1}


def test_groups_are_the_same_normalized_text_in_several_articles(client):
    every = hits(client)["hits"]
    groups = brute_groups(every)
    assert set(map(frozenset, groups.values())) == {frozenset("abce"), frozenset("ad")}
    for h in every:
        docs = groups.get(normalized(h["text"]), set())
        expected = len(docs - {h["doc_id"]})
        assert (h["reprints"] or {}).get("count", 0) == expected, (h["para_id"], h["text"][:12])
    # near misses: one character changed, a line too short, a repeat inside one article
    off = next(h for h in every if h["text"] == ONE_CHAR_OFF)
    assert off["reprints"] is None
    assert all(h["reprints"] is None for h in every if h["text"].rstrip("。") == SHORT.rstrip("。"))
    # a quotation under two lead-ins: texts that are only nearly the same are not joined (docs/architecture.md)
    quoted = [h for h in every if h["doc_id"] in "fg"]
    assert len(quoted) == 2 and all(h["reprints"] is None for h in quoted)


def test_grouped_by_article_each_paragraph_says_where_else_it_stands(client):
    every = hits(client)["hits"]
    expected = {h["para_id"]: (h["reprints"] or {}).get("count", 0) for h in every}
    assert any(expected.values())
    grouped = hits(client, group="article")["hits"]
    seen = {}
    for g in grouped:
        assert (g["reprints"] or {}).get("count", 0) == expected[g["para_id"]]
        seen.update({p["para_id"]: (p["reprints"] or {}).get("count", 0) for p in g["paragraphs"]})
    assert seen == expected, "every paragraph listed under its article, its count as ungrouped"
    body = client.get("/?group=article&q=临夏州").get_data(as_text=True)
    assert body.count('class="reprints"') == sum(1 for h in hits(client, q="临夏州")["hits"] if h["reprints"])


def test_the_reprints_page_lists_the_others_earliest_first(client):
    hit = next(h for h in hits(client, q="临夏州")["hits"] if h["doc_id"] == "a")
    answer = client.get(hit["reprints"]["url"].replace("/reprints/", "/api/reprints/")).get_json()
    assert [p["doc_id"] for p in answer["paragraphs"]] == ["b", "c", "e"] and answer["count"] == 3
    body = client.get(hit["reprints"]["url"]).get_data(as_text=True)
    assert body.index("乙转载") < body.index("丙转载") < body.index("戊无日期")
    assert client.get("/reprints/no-such-1").status_code == 404


def test_collapse_counts_each_text_once_keeping_the_earliest(client):
    plain, collapsed = hits(client, q="临夏州"), hits(client, q="临夏州", collapse="reprints")
    assert plain["total"] == 5 and collapsed["total"] == 2, "a+b+c+e are one text; d differs by a character"
    assert {h["doc_id"] for h in collapsed["hits"]} == {"b", "d"}, "the earliest of the group (b, March 2019)"
    assert {v["value"]: v["count"] for v in collapsed["facets"]["source"]} == {"乙报": 1, "丁报": 1}
    # the exports and the trends count alike
    rows = client.get("/api/export?format=jsonl&q=临夏州&collapse=reprints").get_data(as_text=True).splitlines()
    assert len(rows) == 2
    trend = client.get("/api/trends?q=临夏州&collapse=reprints").get_json()["series"][0]
    assert trend["total"] == 2 and {p["year"]: p["paragraphs"] for p in trend["points"]} == {2019: 1, 2018: 1}
    # a filter applies after the collapse: the group's kept paragraph is b's
    assert hits(client, q="临夏州", collapse="reprints", source="甲报")["total"] == 0
    assert client.get("/api/search?q=临夏州&collapse=articles").status_code == 400


def test_the_page_shows_another_n_and_toggles_the_collapse(client):
    body = client.get("/?q=临夏州").get_data(as_text=True)
    assert "另见 3 篇" in body and "合并转载" in body
    body = client.get("/?q=临夏州&collapse=reprints").get_data(as_text=True)
    assert "转载已合并" in body and "显示全部转载" in body


def test_the_command_line_collapses_as_the_api_does(client, tmp_path_factory):
    import subprocess
    import sys
    from pathlib import Path

    index = client.application.config["INDEX_DIR"]
    root = Path(__file__).resolve().parent.parent
    for extra, expected in (([], 5), (["--collapse", "reprints"], 2)):
        r = subprocess.run([sys.executable, "-m", "search", "search", "临夏州", "--index", index, "--json", *extra],
                           cwd=root, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["total"] == expected


@pytest.mark.parametrize("params", [{}, {"q": "扶贫车间"}, {"q": "扶贫车间", "sort": "date_desc"}])
def test_the_export_counts_each_hits_reprints_as_the_search_does(client, params):
    # the export counts a chunk's reprints at once (Reprints.counts), the pages one hit at a time
    searched = {h["para_id"]: (h["reprints"] or {}).get("count", 0) for h in hits(client, **params)["hits"]}
    r = client.get("/api/export", query_string={"format": "jsonl", **params})
    exported = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert {h["para_id"]: (h["reprints"] or {}).get("count", 0) for h in exported} == searched
    groups = brute_groups(exported if not params else hits(client)["hits"])
    for h in exported:
        assert (h["reprints"] or {}).get("count", 0) == len(groups.get(normalized(h["text"]), set()) - {h["doc_id"]})
    counts = {h["text"]: (h["reprints"] or {}).get("count", 0) for h in exported}
    assert counts.get(SHARED) == 3 and counts.get(ONE_CHAR_OFF, 0) == 0  # near miss: one character changed
