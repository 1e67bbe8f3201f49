"""Fields in the query (title:, heading:, text:, source:, issuer:, docno:)
and the rule that a hit holds a query word in its own text, on a small
index where each word stands in one field only, each rule beside a near
miss; and query nodes printing back as the query they were parsed from."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from search.indexing import build_index
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.query.parse import parse

ARTICLES = [
    # 扶贫车间 in the title only; 护林员 in a heading and its paragraph
    {"id": "a", "title": "甘肃扶贫车间调查", "source": "甘肃日报", "date": "2019-05-01",
     "text": "当地举办培训班,讲授缝纫技术,学员结业后就近上岗。\n护林员上岗\n村里选聘护林员,每人每年增收八千元。"},
    # 扶贫车间 in a heading, and in the text of the heading's second paragraph only
    {"id": "b", "title": "培训安排", "source": "人民日报", "date": "2020-05-01",
     "text": "今年培训班开到了村口,群众不出村就能学技术。\n扶贫车间建设\n村里新建的车间吸纳了四十名群众就业。\n"
             "扶贫车间吸纳群众就业,工资按月发放。"},
    # 扶贫车间 and 护林员 in the text only; the publisher in traditional script
    {"id": "c", "title": "社区工厂", "source": "中國組織人事報", "date": "2018-05-01",
     "text": "镇上的扶贫车间开工了,护林员的家属也来上班。"},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fields")
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    build_index([str(src)], str(tmp / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp / "index"))
    yield s
    s.close()


def ids(searcher, q, **kw) -> list[str]:
    result = searcher.search(SearchRequest(q=q, size=100, **kw))
    assert result.total == len(result.hits)
    return [h.para_id for h in result.hits]


def found(searcher, q) -> set[str]:
    return set(ids(searcher, q))


A, B, C = ["a-1", "a-2"], ["b-1", "b-2", "b-3"], ["c-1"]


def test_the_paragraphs_are_as_the_tests_assume(searcher):
    art = searcher.article("b")
    assert [p.heading for p in art.paragraphs] == [None, "扶贫车间建设", "扶贫车间建设"]
    assert searcher.article("a").paragraphs[1].heading == "护林员上岗"


@pytest.mark.parametrize("q", ["title:扶贫车间", 'title:"扶貧車間"', "TITLE:扶貧车间", "title：扶贫车间"])
def test_title_finds_every_paragraph_of_the_articles_so_titled(searcher, q):
    # near misses: b holds the word in a heading, c in its text
    assert found(searcher, q) == set(A)


def test_heading_and_text_are_fields_of_their_own(searcher):
    assert found(searcher, "heading:扶贫车间") == {"b-2", "b-3"}  # not a (title), not c (text)
    assert found(searcher, "heading:扶貧車間建設") == {"b-2", "b-3"}
    assert found(searcher, "heading:护林员") == {"a-2"}  # c holds it in its text
    assert found(searcher, "text:扶贫车间") == {"b-3", "c-1"}  # b-2 under the heading lacks it
    assert found(searcher, 'text:"扶贫车间" heading:扶贫车间') == {"b-3"}


def test_source_holds_the_value_in_either_script(searcher):
    assert found(searcher, "source:组织人事报") == set(C)
    assert found(searcher, "source:中国组织人事报") == set(C)
    assert found(searcher, 'source:"人民日報"') == set(B)
    assert found(searcher, "source:日报") == set(A + B)
    assert found(searcher, "source:新华社") == set()


def test_fields_combine_with_and_or_not(searcher):
    assert found(searcher, "title:扶贫车间 OR source:组织人事报") == set(A + C)
    assert found(searcher, "护林员 -heading:护林员") == {"c-1"}
    assert found(searcher, "NOT title:甘肃 护林员") == {"c-1"}
    assert found(searcher, "title:甘肃 护林员") == {"a-2"}
    assert found(searcher, "-source:人民日报 培训班") == {"a-1"}
    assert found(searcher, "title:甘肃 title:车间") == set(A)
    assert found(searcher, "title:甘肃 title:人民") == set()


def test_a_hit_holds_a_query_word_in_its_own_text(searcher):
    # 扶贫车间 stands in a's title and b-2's heading, not in their text
    assert found(searcher, "扶贫车间") == {"b-3", "c-1"}
    assert found(searcher, '"扶贫车间"') == {"b-3", "c-1"}
    # beside a word of the text, the title or heading satisfies the other word
    assert found(searcher, "扶贫车间 培训班") == {"a-1"}  # near miss: a-2 lacks 培训班
    assert found(searcher, "扶贫车间 群众就业") == {"b-2", "b-3"}  # b-2: heading + text
    # an alternative scoped to a field is held where it matched
    assert found(searcher, "heading:护林员 OR 培训班") == {"a-1", "a-2", "b-1"}


def test_field_hits_are_marked_in_their_field_only(searcher):
    hit = searcher.search(SearchRequest(q="title:扶贫车间")).hits[0]
    assert hit.matched_in == ["title"]
    assert "<mark>扶贫车间</mark>" in hit.title_snippet.html() and "<mark>" not in hit.snippet.html()
    hit = next(h for h in searcher.search(SearchRequest(q="heading:扶贫车间")).hits if h.para_id == "b-3")
    assert hit.matched_in == ["heading"]  # the text holds the word too, but the query asked for the heading
    assert "<mark>" not in hit.snippet.html()


def test_a_query_of_fields_alone_lists_articles_newest_first_in_reading_order(searcher):
    assert ids(searcher, "title:扶贫车间 OR source:组织人事报 OR source:人民日报") == B + A + C


@pytest.mark.parametrize("q", ["issuer:国务院", "docno:国发〔2019〕1号", "docno:", "title:", 'title:""'])
def test_issuer_and_docno_parse_and_an_empty_field_is_searched_as_text(searcher, q):
    result = searcher.search(SearchRequest(q=q))
    assert result.total == 0 or not q.startswith(("issuer", "docno:国"))


def test_issuer_and_docno_match_what_the_stored_article_holds(tmp_path, monkeypatch):
    """The stored record does not hold issuer and doc_number yet (another
    change stores them): where it does, the fields match them."""
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"))
    try:
        snap = s._snap
        stored = snap.stored

        class WithPolicy:
            def __init__(self, rec):
                self.__dict__.update(rec.__dict__)
                self.issuer = "國務院辦公廳" if rec.doc_id == "b" else None
                self.doc_number = "国办发〔2020〕7号" if rec.doc_id == "b" else None

        monkeypatch.setattr(snap, "stored", lambda d: WithPolicy(stored(d)))
        assert found(s, "issuer:国务院办公厅") == set(B)
        assert found(s, "issuer:国务院 培训班") == {"b-1"}
        assert found(s, "docno:〔2020〕7号") == set(B)
        assert found(s, "docno:〔2020〕8号") == set()
    finally:
        s.close()


# -- printing back ------------------------------------------------------------------

WORDS = ["扶贫车间", "甘肃", "扶貧", "劳务输出", "2018", "培训班", "就业扶贫", "covid", "公益性岗位"]
item = st.builds(lambda neg, field, quoted, w: neg + field + (f'"{w}"' if quoted else w),
                 st.sampled_from(["", "-"]), st.sampled_from(["", "title:", "heading:", "text:", "source:"]),
                 st.booleans(), st.sampled_from(WORDS))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(item, st.sampled_from([" ", " OR "])), min_size=1, max_size=4))
def test_a_query_prints_back_as_a_query_parsed_the_same(searcher, parts):
    q = "".join(a + sep for a, sep in parts).strip().removesuffix(" OR").strip()
    parsed = parse(q, searcher.synonyms)
    again = parse(str(parsed), searcher.synonyms)
    assert again.clauses == parsed.clauses, (q, str(parsed))
