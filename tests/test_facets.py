"""The facet table (search/facets.py) as users meet it: the source facet
added through it reaches the API, the page, the CLI's JSON and the
counts, with one value for every spelling of a publisher."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from search.facets import FACETS, NONE
from search.indexing import build_index
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("facets")
    rows = [
        {"id": "a", "title": "甲", "source": "中国组织人事报", "date": "2019-01-02", "text": "扶贫车间吸纳就业。"},
        {"id": "b", "title": "乙", "source": "中國組織人事報", "date": "2019-01-03", "text": "扶贫车间带动增收。"},
        {"id": "c", "title": "丙", "source": "四川新闻网", "date": "2019-01-04", "text": "扶贫车间开工。"},
        {"id": "d", "title": "丁", "text": "扶贫车间建成投产。"},  # no source
        {"id": "e", "title": "戊", "source": "四川 新闻网", "text": "公益性岗位上岗。"},
    ]
    src = tmp / "a.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    build_index([str(src)], str(tmp / "ix"), rebuild=True, procs=1)
    s = Searcher(str(tmp / "ix"))
    yield s
    s.close()


def counts(result, facet="source"):
    return {v.value: v.count for v in result.facets[facet]}


def test_every_facet_is_answered(searcher):
    assert set(searcher.search(SearchRequest(q="扶贫车间")).facets) == {f.name for f in FACETS}


def test_spellings_of_one_publisher_are_one_value_shown_as_first_written(searcher):
    r = searcher.search(SearchRequest(q="扶贫车间"))
    assert r.total == 4
    # 中国组织人事报 and 中國組織人事報 are one publisher; the paragraph with no
    # source counts under no value; 四川 新闻网 (spaced) is 四川新闻网
    assert counts(r) == {"中国组织人事报": 2, "四川新闻网": 1}
    assert counts(searcher.search(SearchRequest(q=""))) == {"中国组织人事报": 2, "四川新闻网": 2}


@pytest.mark.parametrize("asked", ["中国组织人事报", "中國組織人事報", " 中國組織人事報 "])
def test_a_source_is_chosen_in_either_script(searcher, asked):
    r = searcher.search(SearchRequest(q="扶贫车间", source=[asked]))
    assert sorted(h.doc_id for h in r.hits) == ["a", "b"]
    # disjunctive: the source facet still shows the other publisher's count
    assert counts(r) == {"中国组织人事报": 2, "四川新闻网": 1}
    assert [v.value for v in r.facets["source"] if v.selected] == ["中国组织人事报"]


def test_sources_are_ored_and_anded_with_other_facets(searcher):
    both = searcher.search(SearchRequest(q="", source=["中国组织人事报", "四川新闻网"]))
    assert sorted(h.doc_id for h in both.hits) == ["a", "b", "c", "e"]
    narrowed = searcher.search(SearchRequest(q="", source=["四川新闻网"], measure=["workshop"]))
    assert [h.doc_id for h in narrowed.hits] == ["c"]


def test_an_unknown_source_finds_nothing_and_lists_itself_for_removal(client):
    r = client.get("/api/search", query_string={"q": "扶贫", "source": "不存在的报"}).get_json()
    assert r["total"] == 0
    chosen = [v for v in r["facets"]["source"] if v["selected"]]
    assert [(v["value"], v["count"]) for v in chosen] == [("不存在的报", 0)]
    assert "source" not in chosen[0]["url"]


def test_source_facet_on_the_api_and_the_page(client):
    api = client.get("/api/search", query_string={"q": "就业", "source": "陕西日报"}).get_json()
    assert api["total"] > 0 and all(h["source"] == "陜西日報" for h in api["hits"])
    chosen = [v for v in api["facets"]["source"] if v["selected"]]
    assert [v["value"] for v in chosen] == ["陜西日報"]
    # the toggle URL removes the value as it was asked for
    assert "source" not in chosen[0]["url"]
    assert api["filters"] == [{"facet": "source", "title": "来源", "value": "陕西日报", "label": "陕西日报",
                               "remove_url": "/api/search?q=%E5%B0%B1%E4%B8%9A"}]
    page = client.get("/", query_string={"q": "就业", "source": "陕西日报"}).get_data(as_text=True)
    assert 'data-facet="source"' in page and "<h2>来源</h2>" in page
    assert "来源:陕西日报" in page  # the active filter chip


@settings(max_examples=60, deadline=None)
@given(common=st.lists(st.integers(-2**63, 2**63 - 1), min_size=1, max_size=50),
       rare=st.lists(st.tuples(st.integers(0, 65_535), st.integers(-2**63, 2**63 - 1)), max_size=30))
def test_factorize_is_numpys_unique_with_inverse(common, rare):
    """Facet columns are factorized by looking the values of a sample (every
    4th of 262,144 here) up: values only off the sample (rare ones) must
    still be found."""
    import numpy as np

    from search.engine.facet_counts import factorize

    a = np.resize(np.array(common, dtype=np.int64), 65_536 * 4)
    for slot, value in rare:
        a[slot * 4 + 1] = value  # never a sampled position
    distinct, inverse = factorize(a)
    expect_distinct, expect_inverse = np.unique(a, return_inverse=True)
    assert distinct.tolist() == expect_distinct.tolist()
    assert inverse.ravel().tolist() == expect_inverse.ravel().tolist()


@settings(max_examples=100, deadline=None)
@given(masks=st.lists(st.integers(0, (1 << 40) - 1), min_size=1, max_size=80),
       codes=st.lists(st.integers(0, 6), min_size=80, max_size=80),
       picked=st.sets(st.integers(0, 79)), width=st.sampled_from([63, 10]))
def test_the_packed_tallies_are_each_columns_own(masks, codes, picked, width):
    """The tallies read from the columns' combinations packed side by side
    (``facet_counts.pack``) are each column's own tally, for any matches and
    filters; and columns of more combinations than fit are tallied one by one."""
    import numpy as np

    from search.engine import facet_counts as fc

    n = 80
    per_mask = np.array([masks[i % len(masks)] for i in range(n)], dtype=np.int64)
    columns = {"a": fc.MaskColumn(per_mask, [f"v{b}" for b in range(40)]),
               "b": fc.CodeColumn(np.array(codes, dtype=np.int64), {c: f"c{c}" for c in range(1, 7)}, str),
               "c": fc.MaskColumn(per_mask[::-1].copy(), [f"w{b}" for b in range(40)])}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fc, "PACKED_BITS", width)
        articles = fc.pack(columns, n, np.arange(n, dtype=np.int32) // 3)
    fits = sum(max(1, (c.size - 1).bit_length()) for c in columns.values()) <= width
    assert all((c.packed is not None) == fits for c in columns.values())
    widths = sum(max(1, (c.size - 1).bit_length()) for c in columns.values())
    assert (articles is not None) == (widths + (79 // 3).bit_length() <= width)  # article numbers up to 26
    if articles is not None:  # the article numbers beside the columns, each read back as it was
        array, shift, mask = articles
        assert ((array >> shift) & mask).tolist() == [i // 3 for i in range(n)]
        for col in columns.values():
            assert np.array_equal((array >> col.packed[1]) & col.packed[2], col.combo)
    docs = np.array(sorted(picked), dtype=np.int32)
    keep = docs % 3 != 0
    gathered: dict = {}
    kept, outside = {}, {}  # shared by the columns, as ``count`` shares them
    universe = np.arange(n, dtype=np.int32)
    most = universe[: n - 3]
    for col in columns.values():
        assert np.array_equal(fc._tally_of(col, docs, gathered), col.tally(docs))
        assert np.array_equal(fc._tally(col, docs, [keep], None, kept, gathered), col.tally(docs[keep]))
        assert np.array_equal(fc._tally(col, most, [], universe, outside, gathered), col.tally(most))
    assert len(gathered) == (3 if fits else 0)  # the docs, the kept, the universe's others: each read once
    # the filters read from the packed columns, and the tallies of what they keep
    # taken from the matches' entries read for them
    gathered, kept = {}, {}
    for col in columns.values():
        selector = np.array([(i * 7) % 3 == 0 for i in range(col.size)], dtype=bool)
        assert np.array_equal(fc._allows_of(col, docs, selector, gathered), col.allows(docs, selector))
        assert np.array_equal(fc._tally(col, docs, [keep], None, kept, gathered), col.tally(docs[keep]))
    assert len(gathered) == (2 if fits else 0)
    # and a bit-mask column's values counted from its tally: each value's paragraphs, NONE those of none
    col = columns["a"]
    naive = {f"v{b}": sum(1 for d in docs.tolist() if per_mask[d] >> b & 1) for b in range(40)}
    naive = [(v, n) for v, n in naive.items() if n]
    none = sum(1 for d in docs.tolist() if per_mask[d] == 0)
    assert col.counts(col.tally(docs), none=True) == naive + ([(NONE, none)] if none else [])
    assert col.counts(col.tally(docs)) == naive
