"""Say what was searched: synonyms that widened a word are disclosed
(``expanded``, the 同时搜索了 line with a link to the search without them),
a quoted word is never widened, and the syntax help's examples run."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from search.query.parse import AnyOf, Literal, parse, quote_words
from search.text.synonyms import Synonyms

SYN = Synonyms()


def test_a_widened_word_lists_the_words_added():
    q = parse("劳务输出 甘肃", SYN)
    assert q.expanded() == {"劳务输出": ["劳务输转", "转移就业"]}
    assert isinstance(q.must[0], AnyOf) and q.must[0].expanded
    assert parse("勞務輸出", SYN).expanded() == {"勞務輸出": ["劳务输转", "转移就业"]}  # as typed
    assert parse("甘肃 扶贫", SYN).expanded() == {}  # the near-miss: no synonyms, nothing to say


@pytest.mark.parametrize("raw", ['"劳务输出"', "“劳务输出”", "「劳务输出」", '"勞務輸出" 甘肃'])
def test_a_quoted_word_is_never_widened(raw):
    q = parse(raw, SYN)
    assert q.expanded() == {}
    assert q.must[0] == Literal("劳务输出")


def test_quoting_the_widened_words_searches_without_synonyms():
    raw = "劳务输出 OR 扶贫车间 甘肃 -公益性岗位"
    q = parse(raw, SYN)
    assert set(q.expanded()) == {"劳务输出", "扶贫车间", "公益性岗位"}
    plain = quote_words(raw, q.expanded())
    assert plain == '"劳务输出" OR "扶贫车间" 甘肃 NOT "公益性岗位"'
    p = parse(plain, SYN)
    assert p.expanded() == {}
    assert p.must == [AnyOf((Literal("劳务输出"), Literal("扶贫车间"))), Literal("甘肃")]
    assert p.must_not == [Literal("公益性岗位")]


def api(client, **params):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200
    return r.get_json()


def test_api_says_what_was_widened(client):
    wide = api(client, q="劳务输出")
    exact = api(client, q='"劳务输出"')
    assert wide["expanded"] == {"劳务输出": ["劳务输转", "转移就业"]}
    assert exact["expanded"] == {}
    assert wide["total"] > exact["total"] > 0
    assert api(client, q="扶贫")["expanded"] == {}


def test_page_line_says_what_else_was_searched_and_links_to_the_typed_word_alone(client):
    page = client.get("/", query_string={"q": "劳务输出"}).get_data(as_text=True)
    line = re.search(r'<p class="widened">(.*?)</p>', page, re.S).group(1)
    assert "同时搜索了" in line and "劳务输出 → 劳务输转、转移就业" in line
    href = htmllib.unescape(re.search(r'href="([^"]+)"', line).group(1))
    narrowed = client.get(href).get_data(as_text=True)
    assert 'class="widened"' not in narrowed
    total = int(re.search(r'class="total">(\d+)<', narrowed).group(1))
    assert total == api(client, q='"劳务输出"')["total"]
    assert 'class="widened"' not in client.get("/", query_string={"q": "扶贫"}).get_data(as_text=True)


def test_syntax_help_is_one_click_from_the_box_and_its_examples_run(client):
    page = client.get("/").get_data(as_text=True)
    help_ = re.search(r'<details class="syntax-help">(.*?)</details>', page, re.S).group(1)
    assert "<summary>搜索语法</summary>" in help_
    links = [htmllib.unescape(h) for h in re.findall(r'href="([^"]+)"', help_)]
    assert len(links) >= 5
    for href in links:
        answer = client.get(href)
        assert answer.status_code == 200
        assert int(re.search(r'class="total">(\d+)<', answer.get_data(as_text=True)).group(1)) > 0, href
