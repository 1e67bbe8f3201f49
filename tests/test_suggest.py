"""Zero hits is not a dead end: suggestions that find something, each with
its count, in the API and as links on the page; none when something was
found."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.query.suggest import replace_word


@pytest.fixture(scope="module")
def searcher(seed_index):
    s = Searcher(seed_index)
    yield s
    s.close()


def tips(searcher, q, **filters):
    result = searcher.search(SearchRequest(q=q, **filters))
    return result, [(s.request.q, {k: v for k, v in s.request.filters.items() if v}, s.count, s.why)
                    for s in result.suggestions]


@pytest.mark.parametrize("typo, meant", [
    ("扶贫车问", "扶贫车间"),  # one character off
    ("扶貧車問", "扶貧車间"),  # typed in traditional: the characters kept keep their script
    ("公益性岗为", "公益性岗位"),  # same sound (wei)
    ("福贫车间", "扶贫车间"),  # same sound, first character
    ("劳务输初", "劳务输出"),
])
def test_a_word_not_in_the_index_gets_its_near_neighbours(searcher, typo, meant):
    result, got = tips(searcher, typo)
    assert result.total == 0
    assert got and got[0][0] == meant
    for q, filters, count, why in got:
        assert count == searcher.search(SearchRequest(q=q)).total > 0  # each with its true count
        assert why


def test_the_query_without_its_filters_is_suggested_with_its_count(searcher):
    result, got = tips(searcher, "扶贫车间", province=["北京"])
    assert result.total == 0
    assert got[0] == ("扶贫车间", {}, searcher.search(SearchRequest(q="扶贫车间")).total, "去掉筛选条件")


def test_no_suggestions_when_something_was_found_or_nothing_would_be(searcher):
    assert tips(searcher, "扶贫车间")[1] == []  # the near-miss: found, nothing to suggest
    assert tips(searcher, "没有这样的词语组合")[1] == []
    assert tips(searcher, "拔河精神 扶贫车问")[1] == []  # corrected, it would still find nothing


def test_replace_word_keeps_the_rest_of_the_query():
    assert replace_word("甘肅 扶貧車問 -培訓", "扶贫车问", "扶贫车间") == "甘肅 扶貧車间 -培訓"
    assert replace_word('"扶貧車問"', "扶贫车问", "扶贫车间") == '"扶貧車间"'


def test_api_and_page_show_suggestions_as_links(client):
    a = client.get("/api/search", query_string={"q": "扶贫车问"}).get_json()
    assert a["total"] == 0 and a["suggestions"][0]["q"] == "扶贫车间"
    first = a["suggestions"][0]
    assert {"q", "params", "count", "why"} <= set(first) and first["params"] == {"q": "扶贫车间"}
    assert client.get("/api/search", query_string={"q": "扶贫车间"}).get_json()["suggestions"] == []
    page = client.get("/", query_string={"q": "扶贫车问"}).get_data(as_text=True)
    block = re.search(r'<ul class="suggestions">(.*?)</ul>', page, re.S).group(1)
    href = htmllib.unescape(re.search(r'href="([^"]+)"', block).group(1))
    assert f'{first["count"]} 条' in block
    found = client.get(href).get_data(as_text=True)
    assert int(re.search(r'class="total">(\d+)<', found).group(1)) == first["count"]
