"""BM25 reads a literal's matches in the text and counts those in the
header (title, heading) without merging the two lists
(``Matcher.scoring``): the counts and scores must be those of the merged
list (``Matcher.literal``), header-only paragraphs included."""

from __future__ import annotations

import json

import pytest

import numpy as np

from search.engine.matching import Matcher, candidates
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index
from search.query.nodes import Literal
from search.text.analysis import fold
from search.text.synonyms import Synonyms

ITEMS = [  # (title, text): 联播快讯 in titles only, in texts only, in both
    ("国内联播快讯", "今年全省新建高标准农田一百万亩,粮食产量再创新高。"),
    ("国内联播快讯", "多地启动冬季供暖,保障群众温暖过冬。"),
    ("国内联播快讯", "联播快讯:长江经济带生态保护取得新进展。"),
    ("国际联播快讯", "联合国大会通过决议,呼吁加强气候合作。"),
    ("地方新闻", "本台联播快讯栏目今天播出了一组报道,聚焦高质量发展。"),
    ("地方新闻", "高质量发展是全面建设社会主义现代化国家的首要任务。"),
    ("地方新闻", "联播节目今天报道了各地的快讯。"),  # the near miss: its words apart
    ("地方新闻", "推动高质量的服务,数量发展迅速。"),  # every bigram of 高质量发展, not the word
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


@pytest.mark.parametrize("word", ["联播快讯", "高质量发展", "国际联播快讯", "没有的词"])
def test_candidates_looked_up_among_a_few_are_those_of_the_lists_intersected(index, word):
    """A long word's candidates among the paragraphs asked about (every
    bigram of it in the field), looked up in each bigram's list where they
    are few, equal the lists intersected over the index; and the word is
    confirmed where, and only where, the paragraph's text or header holds
    it (高质量发展's bigrams all stand in one text, apart: the near miss)."""
    looked_up = []
    s = Searcher(index)
    try:
        m = Matcher(s._snap)
        docs = s._snap.all_live
        stored = [s._snap.stored(d) for d in docs.tolist()]
        truth = [word in fold(r.text) or word in fold(" ".join(x for x in (r.title, r.heading) if x)) for r in stored]
        for g in ("text_grams", "header_grams"):
            whole = candidates(m.postings, g, word)
            if word == "高质量发展" and g == "text_grams":
                assert len(whole) == 3  # the near miss among them
            rarest = min(m.postings.doc_freq(g, word[i:i + 2]) for i in range(len(word) - 1))
            for d in docs.tolist():  # one paragraph asked about: looked up, if fewer than any bigram's
                one = np.array([d], dtype=docs.dtype)
                assert m.candidates_among(g, word, one).tolist() == np.isin(one, whole).tolist()
                assert (m.cache.get(("candidates", g, word)) is None) == (rarest > 1)
                looked_up.append(rarest > 1)
            assert m.candidates_among(g, word, docs).tolist() == np.isin(docs, whole).tolist()  # all: intersected
            assert m.cache.get(("candidates", g, word)) is not None
        assert m.literal_holds(word, docs).tolist() == truth
        assert Matcher(Searcher(index)._snap).literal_holds(word, docs[:1]).tolist() == truth[:1]
    finally:
        s.close()
    if word == "高质量发展":  # two texts hold it; the third holds its bigrams only
        assert truth.count(True) == 2 and any(looked_up)
    if word == "联播快讯":
        assert all(looked_up)
