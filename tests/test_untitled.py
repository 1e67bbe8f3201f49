"""Articles that show no headline (issue 18 item 2, api.md): ``title`` is
null in every answer, and every page that shows a title shows, in its
place, the article's first words (its first paragraph's, whichever
paragraph the hit is), marked 无标题 and set apart from a headline;
citations supply ``[无题名]``, never the first words."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from search.text.lead import ELLIPSIS, LEAD_CHARS, first_words

FIRST = "近日，甘肃省临夏州建成各类扶贫车间110多家，吸纳就业6000余人，其中建档立卡贫困劳动力2800多人。"
SHARED = "四川省广元市新建就业扶贫基地78个，扶贫车间62个，实现贫困劳动者就地就近就业6265人，人均年收入明显增加。"
SECOND = "当地扶贫车间还开发了公益性岗位，帮助留守妇女在家门口就业，扶贫车间成为增收的重要渠道。"
ARTICLES = [
    {"id": "titled", "title": "广元扶贫车间见闻", "source": "甲报", "date": "2019-03-01", "text": SHARED},
    {"id": "untitled", "source": "乙报", "date": "2019-05-01", "text": f"{FIRST}\n{SHARED}\n{SECOND}"},
    {"id": "bare", "text": "扶贫车间。"},  # no title, no source, no date: one short sentence
]
LEAD = "近日，甘肃省临夏州建成各类扶贫车间110多家…"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    from search.indexing import build_index

    folder = tmp_path_factory.mktemp("untitled")
    (folder / "a.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES),
                                    encoding="utf-8")
    build_index([str(folder / "a.jsonl")], str(folder / "index"), rebuild=True, procs=1)
    return str(folder / "index")


@pytest.fixture(scope="module")
def client(index):
    from web import create_app

    return create_app(index, config={"TESTING": True}).test_client()


def body(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def shown_titles(page: str, tag: str) -> list[str]:
    """The text of each ``<tag>`` title link of a page, tags kept."""
    return [m for m in re.findall(rf"<{tag}[^>]*>\s*<a [^>]*>(.*?)</a>\s*</{tag}>", page, re.S)]


def stand_in(lead: str) -> str:
    return f'<span class="untitled">无标题</span> <span class="lead" title="这篇文章没有标题,这是它的开头">{html.escape(lead)}</span>'


def test_first_words_cut_at_a_clause_and_say_the_text_goes_on():
    assert first_words(FIRST) == LEAD
    assert first_words("扶贫车间。") == "扶贫车间。", "a whole short text as it is, no ellipsis"
    assert first_words("扶贫车间。还有下文。") == "扶贫车间" + ELLIPSIS
    # near misses of the clause cut: a mark too early is passed over for the limit
    early = "央视网消息：中共中央党史和文献研究院编辑的文选第一卷和第二卷近日出版发行，面向海内外。"
    assert first_words(early) == early[:LEAD_CHARS] + ELLIPSIS
    # never inside a number
    assert first_words("今年以来全省共建成扶贫车间一千二百多个吸纳就业人数达到123456人，成效明显") == \
        "今年以来全省共建成扶贫车间一千二百多个吸纳就业人数达到" + ELLIPSIS
    assert first_words("") is None and first_words("  \n ") is None


def test_the_api_keeps_title_null_and_adds_no_field(client):
    hits = client.get("/api/search?q=扶贫车间&size=100").get_json()["hits"]
    assert {h["doc_id"] for h in hits} == {"titled", "untitled", "bare"}
    for h in hits:
        assert h["title"] == ("广元扶贫车间见闻" if h["doc_id"] == "titled" else None)
        assert "lead" not in h and "近日" not in json.dumps(h["title"], ensure_ascii=False)
    docs = client.get("/api/docs").get_json()["docs"]
    assert {d["doc_id"]: d["title"] for d in docs} == {"titled": "广元扶贫车间见闻", "untitled": None, "bare": None}
    assert all("lead" not in d for d in docs)
    assert client.get("/api/docs/untitled").get_json()["title"] is None


def test_the_results_show_the_articles_first_words_marked_for_every_paragraph(client):
    page = body(client, "/?q=扶贫车间&size=100")
    titles = shown_titles(page, "h3")
    # each of the untitled article's three paragraphs shows paragraph 1's first words, not its own
    assert titles.count(stand_in(LEAD)) == 3
    assert stand_in("扶贫车间。") in titles
    assert "广元<mark>扶贫车间</mark>见闻" in titles, "a headline is shown as ever, its match marked"
    assert first_words(SECOND) not in page and first_words(SHARED) not in page
    grouped = shown_titles(body(client, "/?q=扶贫车间&group=article"), "h3")
    assert stand_in(LEAD) in grouped and stand_in("扶贫车间。") in grouped


def test_citations_of_an_untitled_hit_supply_a_title_in_brackets(client):
    page = body(client, "/?q=公益性岗位")
    cites = re.findall(r'<p class="cite-text"[^>]*>(.*?)</p>', page)
    assert cites and all(c.startswith("[无题名][N]. 乙报, 2019-05-01: 第3段") for c in cites)
    assert "临夏州" not in " ".join(cites)
    ris = client.get("/api/export?q=公益性岗位&format=ris").get_data(as_text=True)
    assert "TI  - [无题名]" in ris and "临夏州" not in ris


def test_the_article_list_the_article_page_and_the_reprints_page(client):
    docs = shown_titles(body(client, "/docs"), "h2")
    assert stand_in(LEAD) in docs and stand_in("扶贫车间。") in docs and "广元扶贫车间见闻" in docs
    article = body(client, "/docs/untitled")
    assert re.search(r"<h1>\s*" + re.escape(stand_in(LEAD)) + r"\s*</h1>", article)
    assert f"<title>〔无标题〕{html.escape(LEAD)} - " in article
    assert "<h1>广元扶贫车间见闻</h1>" in body(client, "/docs/titled")
    reprints = body(client, "/reprints/titled-1")
    assert stand_in(LEAD) in reprints and "无题" not in reprints.replace("无标题", "")
    back = body(client, "/reprints/untitled-2")
    assert "<title>转载:〔无标题〕" in back and "广元扶贫车间见闻</a>" in back


def test_the_command_line_marks_them_too(index):
    r = subprocess.run([sys.executable, "-m", "search", "search", "公益性岗位", "--index", index],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"1. 〔无标题〕{LEAD}  [untitled-3]" in r.stdout
