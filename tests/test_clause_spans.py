"""Where a hit's clauses are marked (``highlight.clause_spans``): a word
jieba cut (``AllOf``) standing whole somewhere is marked by its whole's
spans without its pieces looked up; that shortcut gives what the node's
own ``find`` gives, whatever the texts, the pieces and the whole."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from search.engine import highlight
from search.query.nodes import AllOf, Literal, Query, Token

CHARS = "甲乙丙丁 a1"


def by_find(query: Query, folded: dict) -> dict:
    """``clause_spans`` as every node's ``find`` gives it (no shortcut)."""
    out = {name: [] for name in folded}
    for node in query.must:
        found = node.find(folded)
        for name in folded:
            out[name].append(highlight.merge(found.spans.get(name, [])) if found else [])
    return out


texts = st.text(alphabet=CHARS, max_size=30)
pieces = st.text(alphabet="甲乙丙丁", max_size=3)


@st.composite
def cut_words(draw):
    """An AllOf as parse makes one (parts cut from the whole), or one whose
    parts are not all inside its whole, or hold a latin word, or no whole."""
    whole = draw(st.text(alphabet="甲乙丙丁", min_size=1, max_size=5))
    kind = draw(st.sampled_from(["cut", "outside", "token", "no whole", "empty part"]))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(whole) - 1)), max_size=3)))
    parts = [whole[a:b] for a, b in zip([0] + cuts, cuts + [len(whole)]) if whole[a:b]]
    parts = [Literal(p) for p in parts]
    if kind == "outside":
        parts.append(Literal(draw(pieces.filter(lambda p: p and p not in whole))))
    elif kind == "token":
        parts.append(Token("a1"))
    elif kind == "empty part":
        parts.append(Literal(""))
    return AllOf(tuple(parts), "" if kind == "no whole" else whole)


@settings(max_examples=600, deadline=None)
@given(st.lists(cut_words(), min_size=1, max_size=3), texts, texts, texts)
def test_a_cut_word_is_marked_as_its_find_marks_it(nodes, text, heading, title):
    query = Query("q", list(nodes))
    folded = {"text": text, "heading": heading, "title": title}
    assert highlight.clause_spans(query, folded) == by_find(query, folded)


def test_the_whole_wins_where_it_stands_and_the_pieces_elsewhere():
    """A hit: 公益性岗位 whole in the text marks the whole there and none of
    its pieces in the title; a near miss: the whole nowhere, its pieces
    apart are marked where they stand."""
    node = AllOf((Literal("公益性"), Literal("岗位")), "公益性岗位")
    query = Query("公益性岗位", [node])
    whole = highlight.clause_spans(query, {"text": "开发公益性岗位", "heading": "", "title": "岗位与公益性"})
    assert whole == {"text": [[(2, 7)]], "heading": [[]], "title": [[]]}
    apart = highlight.clause_spans(query, {"text": "公益性的岗位", "heading": "", "title": "岗位与公益性"})
    assert apart == {"text": [[(0, 3), (4, 6)]], "heading": [[]], "title": [[(0, 2), (3, 6)]]}
