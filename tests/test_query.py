"""Parsing the query syntax of api.md; nothing raises."""

import pytest

from search.query.parse import AnyOf, Literal, Phrase, Token, cut_literals, parse


def test_words_are_anded():
    q = parse("扶贫车间 甘肃")
    assert len(q.must) == 2 and not q.must_not


def test_phrase_is_one_literal():
    q = parse('"扶贫车间"')
    assert q.must == [Literal("扶贫车间")]


def test_traditional_query_is_folded():
    assert parse('"扶貧車間"').must == [Literal("扶贫车间")]


def test_or_makes_alternatives():
    q = parse("护林员 OR 保洁员")
    assert len(q.must) == 1 and isinstance(q.must[0], AnyOf)


def test_minus_and_not_exclude():
    assert len(parse("扶贫 -甘肃").must_not) == 1
    assert len(parse("扶贫 NOT 甘肃").must_not) == 1


def test_single_characters_join_their_neighbours():
    assert cut_literals("业扶") == ["业扶"]
    assert all(len(w) >= 2 for w in cut_literals("的扶贫车间"))


def test_number_with_unit_requires_the_number():
    q = parse("2018年")
    assert q.must == [Token("2018")]


def test_synonyms_expand_a_word():
    q = parse("扶贫车间", synonyms=lambda w: ["帮扶车间"] if w == "扶贫车间" else [])
    node = q.must[0]
    assert isinstance(node, AnyOf) and Literal("帮扶车间") in node.options


def test_mixed_phrase_keeps_its_text():
    q = parse('"2018年 扶贫"')
    assert isinstance(q.must[0], Phrase)


@pytest.mark.parametrize("raw", ['"', '""', "OR", "NOT", "-", "- -", "OR OR OR", '"扶贫', "扶贫\"",
                                 "\x00\x01扶贫\x7f", "(((", "扶贫" * 5000, "AND", "“扶贫", "*", "NOT NOT 扶贫"])
def test_odd_queries_parse(raw):
    parse(raw)  # must not raise
