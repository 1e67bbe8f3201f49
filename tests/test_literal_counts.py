"""BM25 reads a literal's matches in the text and counts those in the
header (title, heading) without merging the two lists
(``Matcher.scoring``): the counts and scores must be those of the merged
list (``Matcher.literal``), header-only paragraphs included."""

from __future__ import annotations

import json

import pytest

from search.engine.matching import Matcher
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index
from search.query.nodes import Literal
from search.text.synonyms import Synonyms

ITEMS = [  # (title, text): 联播快讯 in titles only, in texts only, in both
    ("国内联播快讯", "今年全省新建高标准农田一百万亩,粮食产量再创新高。"),
    ("国内联播快讯", "多地启动冬季供暖,保障群众温暖过冬。"),
    ("国内联播快讯", "联播快讯:长江经济带生态保护取得新进展。"),
    ("国际联播快讯", "联合国大会通过决议,呼吁加强气候合作。"),
    ("地方新闻", "本台联播快讯栏目今天播出了一组报道,聚焦高质量发展。"),
    ("地方新闻", "高质量发展是全面建设社会主义现代化国家的首要任务。"),
    ("地方新闻", "联播节目今天报道了各地的快讯。"),  # the near miss: its words apart
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("literal-counts")
    path = folder / "news.jsonl"
    path.write_text("".join(
        json.dumps({"id": f"a{i}", "title": title, "date": f"2020-01-{i + 1:02d}", "text": text},
                   ensure_ascii=False) + "\n" for i, (title, text) in enumerate(ITEMS)), encoding="utf-8")
    build_index([str(path)], str(folder / "index"), rebuild=True, procs=1)
    return str(folder / "index")


def searched(index: str, q: str) -> list:
    s = Searcher(index, synonyms=Synonyms(), per_article=None)  # nothing cached
    try:
        return [(h.para_id, h.score) for h in s.search(SearchRequest(q=q, size=20)).hits]
    finally:
        s.close()


@pytest.mark.parametrize("word", ["联播快讯", "快讯", "联播", "国内", "高质量发展", "质量", "没有的词"])
def test_scoring_counts_what_the_merged_list_holds(index, word):
    s = Searcher(index)
    try:
        m = Matcher(s._snap)
        either, ids, tf = m.scoring(Literal(word))  # nothing cached yet: counted, not merged
        merged, merged_tf = m.literal(word)
        assert either == len(merged)
        assert ids.tolist() == merged[merged_tf > 0].tolist() and tf.tolist() == merged_tf[merged_tf > 0].tolist()
        assert m.scoring(Literal(word))[0] == either  # and once the merged list is kept
    finally:
        s.close()


def test_header_only_paragraphs_are_counted(index):
    """The near miss of a count of the text's matches alone: 联播快讯 is in
    four titles and two texts, five paragraphs in all."""
    s = Searcher(index)
    try:
        either, ids, _ = Matcher(s._snap).scoring(Literal("联播快讯"))
    finally:
        s.close()
    assert (either, len(ids)) == (5, 2)


@pytest.mark.parametrize("q", ["联播快讯", "联播 快讯", "快讯 质量", "高质量发展"])
def test_scores_are_those_of_the_merged_list(index, q, monkeypatch):
    got = searched(index, q)

    def merged(self, leaf):
        ids, tf = self.token(leaf.text) if leaf.is_token else self.literal(leaf.text)
        return len(ids), ids, tf

    monkeypatch.setattr(Matcher, "scoring", merged)
    assert searched(index, q) == got and got
