"""Rules that decide an answer, each beside a near-miss: small indexes of
hand-written paragraphs where every piece of a query is present but not
as the query asks (bigrams apart, words in another order, words far
apart, a word only in the title).  Loosening any of these rules makes a
test here fail."""

from __future__ import annotations

import json

import pytest

from search.indexing import build_index
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher

FILLER = "当地干部群众齐心协力推进各项工作稳步开展取得明显成效。" * 3


def _index(tmp_path, articles) -> Searcher:
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    return Searcher(str(tmp_path / "index"))


def _article(id_, text, title="一篇报道"):
    return {"id": id_, "title": title, "date": "2019-05-01", "source": "测试日报", "text": text}


def _hits(searcher, q, **kw) -> list[str]:
    return [h.doc_id for h in searcher.search(SearchRequest(q=q, size=50, **kw)).hits]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adversarial")
    s = _index(tmp, [
        # a literal of four characters, and every one of its bigrams apart
        _article("whole", "村里新建的扶贫车间吸纳了四十名贫困群众就业。"),
        _article("bigrams-apart", "扶贫干部走访贫车村,看到新建的车间已经投产。"),
        # a mixed phrase, and its pieces in another order
        _article("phrase", "2018年扶贫工作取得决定性进展。"),
        _article("phrase-reordered", "前年扶贫工作起步,今年共有2018户脱贫。"),
        # words close together and far apart, same words, same length:
        # the far one comes first in the index, so a tie would rank it first
        _article("far", "扶贫车间。" + FILLER + "甘肃。"),
        _article("close", "扶贫车间,甘肃。" + FILLER),
        # a word only in the title, and an article whose title lacks it
        _article("title-only", "这里只讲培训班的课程安排。", title="公益性岗位托底安置"),
        _article("no-title", "这里只讲培训班的课程安排。", title="培训安排"),
    ])
    yield s
    s.close()


def test_a_literal_needs_its_characters_together(searcher):
    # "扶贫车间" quoted is one literal of four characters: the second
    # article holds 扶贫, 贫车 and 车间, but never side by side
    holders = {"whole", "far", "close"}  # the paragraphs that hold 扶贫车间
    assert set(_hits(searcher, '"扶贫车间"')) == holders
    assert set(_hits(searcher, '"贫车"')) == {"bigrams-apart"} | holders
    # a three-character literal is checked the same way
    assert set(_hits(searcher, '"贫车间"')) == holders


def test_an_unquoted_word_matches_its_pieces(searcher):
    # unquoted, 扶贫车间 is the words jieba cuts it into (扶贫, 车间): the
    # paragraph holding them apart matches too
    assert set(_hits(searcher, "扶贫车间")) == {"whole", "far", "close", "bigrams-apart"}


def test_a_phrase_needs_its_words_in_order(searcher):
    assert _hits(searcher, '"2018年扶贫"') == ["phrase"]
    # unquoted, the same words in another order do match
    assert set(_hits(searcher, "2018 年扶贫")) == {"phrase", "phrase-reordered"}


def test_words_close_together_rank_above_the_same_words_far_apart(searcher):
    assert _hits(searcher, "甘肃 扶贫车间")[:2] == ["close", "far"]
    # with one word, closeness means nothing: index order breaks the tie
    both = [d for d in _hits(searcher, "甘肃") if d in ("close", "far")]
    assert both == ["far", "close"]


def test_a_word_in_the_title_counts_beside_a_word_of_the_text(searcher):
    # 公益性岗位 stands only in the title of "title-only", 培训班 in its text:
    # the title satisfies one word; "no-title" holds 培训班 but not the title
    assert _hits(searcher, "公益性岗位 培训班") == ["title-only"]
    # near miss: a paragraph whose text holds no word of the query is no hit
    result = searcher.search(SearchRequest(q="公益性岗位"))
    assert result.total == 0 and result.hits == []
    # asked for by its field, the title finds the article's paragraphs
    assert _hits(searcher, "title:公益性岗位") == ["title-only"]


def test_the_typed_string_is_a_whole_query_bonus(tmp_path):
    """The whole query standing as typed outranks the same words in another order."""
    s = _index(tmp_path, [
        _article("reversed", "扶贫车间甘肃," + FILLER),
        _article("as-typed", "甘肃扶贫车间," + FILLER),
    ])
    try:
        assert _hits(s, "甘肃 扶贫车间") == ["as-typed", "reversed"]
    finally:
        s.close()
