"""The proximity re-rank places the query's words by the text's bigram
positions; it must give the scores that finding them in the stored text,
folded, gives (the way it was done before, kept for latin words)."""

from __future__ import annotations

import numpy as np
import pytest

from search.engine import ranking
from search.text.analysis import fold
from search.engine.highlight import leaf_spans
from search.engine.matching import Matcher
from search.engine.searcher import Searcher


@pytest.fixture(scope="module")
def searcher(seed_index):
    s = Searcher(seed_index)
    yield s
    s.close()


def _by_text(m, query, leaves, docs):
    whole = "".join(fold(query.raw).split())
    out = []
    for d in docs.tolist():
        folded = fold(m.snap.stored(d).text)
        per_leaf = [leaf_spans(folded, leaf) for leaf in leaves]
        out.append((per_leaf, bool(whole) and whole in folded))
    return out


@pytest.mark.parametrize("q", ["劳务 输转", "扶贫车间 甘肃", "就業 扶貧", "贫困 劳动力 就业", "哈哈 哈哈哈",
                               "技能 培训", "扶贫车间", "车间 扶贫", "扶贫 OR 就业", "扶贫 -甘肃", '"扶贫" 车间'])
def test_positions_place_words_as_the_text_does(searcher, q):
    query = searcher.query(q)
    leaves = query.positive_leaves()
    with searcher._using() as snap:
        m = Matcher(snap)
        docs = m.match(query)[:200]
        found = ranking._by_position(m, leaves, "".join(fold(query.raw).split()), docs)
        assert found is not None
        want = _by_text(m, query, leaves, docs)
        assert [found(d) for d in docs.tolist()] == want
        if len(leaves) > 1:  # some candidates have the words apart (the near miss), some together
            prox = [ranking.spans_proximity(p) for p, _ in want]
            assert len(docs) == 0 or min(prox) < 1.0


def test_latin_words_fall_back_to_the_text(searcher):
    query = searcher.query("2018 扶贫")
    with searcher._using() as snap:
        m = Matcher(snap)
        docs = m.match(query)
        assert len(docs) and ranking._by_position(m, query.positive_leaves(), "2018扶贫", docs) is None
        scores = np.ones(len(docs), dtype=np.float32)
        assert len(ranking.rerank(m, query, query.positive_leaves(), docs, scores)) == len(docs)
