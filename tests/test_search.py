"""Searching the seed archive through the Python API, checked against what a
reader sees in the paragraphs themselves (brute force over the ingested
paragraphs, never hard-coded results)."""

from __future__ import annotations

import random
from collections import Counter
from html.parser import HTMLParser

import pytest

from search.text.analysis import CJK_RUN, fold
from search.engine.highlight import mark_html
from search.query.parse import parse
from search.store import header_of
from search.ingest import iter_source_files, read_file
from search.engine.results import BadRequest, SearchRequest
from search.engine.searcher import Searcher
from search.facets import NONE

from conftest import SEEDS


@pytest.fixture(scope="module")
def searcher(seed_index):
    s = Searcher(seed_index)
    yield s
    s.close()


@pytest.fixture(scope="module")
def paragraphs():
    """Every ingested seed paragraph, keyed by para_id."""
    out = {}
    for path in iter_source_files([str(SEEDS)]):
        for art in read_file(path):
            for p in art.paragraphs:
                p.title = header_of(art, p)  # a word in the title or heading finds the paragraph too
                p.sources = [art.source] if art.source else []
                p.published = [int(art.date[:4])] if art.date else []  # the article's publication year
                out[f"{art.doc_id}-{p.para_no}"] = p
    return out


def all_hits(searcher, **kw):
    req = SearchRequest(size=100, **kw)
    result = searcher.search(req)
    ids = [h.para_id for h in result.hits]
    while len(ids) < result.total:
        req.page += 1
        ids += [h.para_id for h in searcher.search(req).hits]
    return result, ids


def anywhere(paragraphs, *literals):
    """Paragraphs whose text, article title or heading holds every literal."""
    return {pid for pid, p in paragraphs.items()
            if all(fold(x) in fold(p.text) or fold(x) in fold(p.title) for x in literals)}


def containing(paragraphs, *literals):
    """Paragraphs whose text, article title or heading holds every literal,
    and whose own text holds one of them (a hit holds a query word in its text)."""
    return {pid for pid, p in paragraphs.items()
            if all(fold(x) in fold(p.text) or fold(x) in fold(p.title) for x in literals)
            and any(fold(x) in fold(p.text) for x in literals)}


def test_every_paragraph_is_indexed(searcher, paragraphs):
    result, ids = all_hits(searcher, q="")
    assert result.total == len(paragraphs)
    assert set(ids) == set(paragraphs)


@pytest.mark.parametrize("q", ["扶贫车间", "扶貧車間", "就業扶貧", "就业扶贫", "拉麵", "公益性崗位", "技能培训"])
def test_a_word_finds_exactly_the_paragraphs_holding_it(searcher, paragraphs, q):
    _, ids = all_hits(searcher, q=f'"{q}"')
    assert set(ids) == containing(paragraphs, q)
    assert ids, f"{q} should be in the seeds"


def test_simplified_and_traditional_queries_find_the_same(searcher):
    _, a = all_hits(searcher, q="扶贫车间")
    _, b = all_hits(searcher, q="扶貧車間")
    _, c = all_hits(searcher, q="扶貧车间")
    assert a and a == b == c


def test_random_literal_substrings_find_their_paragraph(searcher, paragraphs):
    rng = random.Random(20261122)
    pids = sorted(paragraphs)
    for _ in range(300):
        pid = rng.choice(pids)
        runs = [m.group() for m in CJK_RUN.finditer(paragraphs[pid].text) if len(m.group()) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        n = rng.randint(2, min(6, len(run)))
        start = rng.randrange(0, len(run) - n + 1)
        sub = run[start:start + n]
        for variant in (sub, fold(sub)):
            _, ids = all_hits(searcher, q=variant)
            assert pid in ids, f"{variant!r} occurs in {pid} but does not find it"


def test_words_are_anded_and_exclusion_works(searcher, paragraphs):
    _, both = all_hits(searcher, q="扶贫车间 甘肃")
    assert set(both) <= anywhere(paragraphs, "甘肃")
    # 甘肃 in the article's title is enough: the Gansu article's workshop paragraphs
    assert containing(paragraphs, "扶贫车间", "甘肃") <= set(both)
    _, without = all_hits(searcher, q="扶贫 -甘肃")
    assert not set(without) & anywhere(paragraphs, "甘肃")
    _, either = all_hits(searcher, q="护林员 OR 保洁员")
    assert set(either) == containing(paragraphs, "护林员") | containing(paragraphs, "保洁员")


def test_synonyms_widen_a_word(searcher, paragraphs):
    _, ids = all_hits(searcher, q="扶贫车间")
    assert containing(paragraphs, "帮扶车间") <= set(ids)
    assert containing(paragraphs, "扶贫车间") <= set(ids)


def test_best_paragraph_first(searcher):
    top = searcher.search(SearchRequest(q="扶贫车间")).hits[0]
    assert fold(top.text).count("扶贫车间") >= 2


def test_words_close_together_rank_above_scattered(searcher):
    hits = searcher.search(SearchRequest(q="劳务 输转", size=5)).hits
    assert "勞務輸轉" in hits[0].text or "劳务输转" in hits[0].text


class _Snippet(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.marks, self.tags, self._in = "", [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in = tag == "mark"
        if self._in:
            self.marks.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        self.text += data
        if self._in:
            self.marks[-1] += data


@pytest.mark.parametrize("q", ["扶贫车间", "就業扶貧 甘肅", "拉麵", "贫困劳动力", "公益性崗位", "2018"])
def test_snippets_are_escaped_text_of_the_paragraph_with_marked_matches(searcher, q):
    for hit in searcher.search(SearchRequest(q=q, size=20)).hits:
        parsed = _Snippet()
        parsed.feed(hit.snippet.html())
        assert set(parsed.tags) <= {"mark"}
        assert parsed.text.strip("…") in hit.text
        assert len(parsed.text) <= 260
        leaves = [leaf.text for leaf in parse(q, searcher.synonyms).positive_leaves()]
        if not parsed.marks:  # found by its title or heading only
            context = fold(f"{hit.title} {hit.heading or ''}")
            assert any(leaf in context for leaf in leaves), f"no match marked in {hit.para_id}"
        for m in parsed.marks:
            rest = fold(m)
            for leaf in sorted(leaves, key=len, reverse=True):
                rest = rest.replace(leaf, "")
            assert rest == "", f"{m!r} is marked but is no match of {q!r}"


def test_snippet_keeps_the_original_script(searcher):
    hit = searcher.search(SearchRequest(q="扶贫车间", province=["甘肃"])).hits[0]
    assert "<mark>扶貧車間</mark>" in hit.snippet.html()


# facet -> the paragraph attribute holding its values (the oracle does not read search.facets)
ATTRS = {"province": "province", "year": "years", "measure": "measures", "source": "sources",
         "published": "published"}


def chosen(p, facet, selected) -> bool:
    """Whether paragraph ``p`` holds one of the ``selected`` values (sources
    compare folded: one publisher in either script)."""
    values = held(p, facet)
    if facet == "source":
        return bool({fold(v) for v in values} & {fold(v) for v in selected})
    return bool(set(values) & set(selected))


def held(p, facet) -> list:
    """The values of ``facet`` paragraph ``p`` holds; a paragraph of no
    known year (or of an undated article) is counted and found as "none"."""
    values = list(getattr(p, ATTRS[facet]))
    return values or ["none"] if facet in ("year", "published") else values


def brute_facets(paragraphs, ids, req):
    """Disjunctive facet counts over the paragraphs ``ids``, by brute force."""
    out = {facet: {} for facet in ATTRS}
    for pid in ids:
        p = paragraphs[pid]
        for facet, attr in ATTRS.items():
            if all(not req.selected(other) or chosen(p, other, req.selected(other))
                   for other in ATTRS if other != facet):
                for v in held(p, facet):
                    out[facet][v] = out[facet].get(v, 0) + 1
    return out


def test_facet_counts_equal_brute_force(searcher, paragraphs):
    rng = random.Random(7)
    provinces = sorted({v for p in paragraphs.values() for v in p.province})
    years = sorted({v for p in paragraphs.values() for v in p.years})
    measures = sorted({v for p in paragraphs.values() for v in p.measures})
    sources = sorted({v for p in paragraphs.values() for v in p.sources})
    published = sorted({v for p in paragraphs.values() for v in p.published})
    assert len(sources) >= 3 and len(published) >= 3
    for q in ["", "扶贫", "就业", "培训", "贫困劳动力", "甘肅", "南充"]:
        for _ in range(8):
            req = SearchRequest(q=q, size=100,
                                province=rng.sample(provinces, k=rng.randint(0, min(2, len(provinces)))),
                                year=rng.sample(years + ["none"], k=rng.randint(0, min(2, len(years)))),
                                measure=rng.sample(measures, k=rng.randint(0, min(2, len(measures)))),
                                # sources asked for in either script
                                source=[rng.choice([s, fold(s)]) for s in rng.sample(sources, k=rng.randint(0, 2))],
                                published=rng.sample(published + ["none"], k=rng.randint(0, 2)))
            result = searcher.search(req)
            _, matched = all_hits(searcher, q=q)
            expect = brute_facets(paragraphs, matched, req)
            got = {f: {v.value: v.count for v in vals} for f, vals in result.facets.items()}
            assert got == expect, (q, req)
            # the hits are the matches that pass every filter
            hit_ids = [pid for pid in matched if all(
                not req.selected(facet) or chosen(paragraphs[pid], facet, req.selected(facet)) for facet in ATTRS)]
            assert result.total == len(hit_ids)


def test_facet_lists_are_sorted_by_count_and_years_newest_first(searcher):
    facets = searcher.search(SearchRequest(q="")).facets
    for name, values in facets.items():
        assert all(v.count > 0 for v in values)
        if name in ("year", "published"):  # the year unknown last
            years = [v.value for v in values]
            assert years[-1] == "none"
            assert years[:-1] == sorted(years[:-1], reverse=True) and len(years) > 3
        else:
            counts = [v.count for v in values]
            assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("q", ["", "扶贫", "培训"])
def test_year_range_and_year_none_against_brute_force(searcher, paragraphs, q):
    _, matched = all_hits(searcher, q=q)
    for lo, hi in [(2017, 2019), (None, 2017), (2020, None), (2018, 2018)]:
        req = SearchRequest(q=q, size=100, ranges={"year": (lo, hi)})
        want = [pid for pid in matched if any((lo is None or y >= lo) and (hi is None or y <= hi)
                                              for y in paragraphs[pid].years)]
        result = searcher.search(req)
        assert result.total == len(want) > 0, (q, lo, hi)
        # the range narrows the year list itself: no year outside it, no "none"
        assert all((lo is None or v.value >= lo) and (hi is None or v.value <= hi) for v in result.facets["year"])
    unknown = [pid for pid in matched if not paragraphs[pid].years]
    result = searcher.search(SearchRequest(q=q, year=["none"], size=100))
    assert result.total == len(unknown) > 0
    assert all(h.facets["year"] == [] for h in result.hits)
    # a near miss: a year and none together are either, not both
    both = searcher.search(SearchRequest(q=q, year=["none", 2018], size=100))
    assert both.total == len(unknown) + len([pid for pid in matched if 2018 in paragraphs[pid].years])


@pytest.mark.parametrize("q", ["", "扶贫", "培训"])
def test_published_range_and_none_against_brute_force(searcher, paragraphs, q):
    _, matched = all_hits(searcher, q=q)
    by_year = {}
    for pid in matched:
        by_year.setdefault(held(paragraphs[pid], "published")[0], []).append(pid)
    years = sorted(y for y in by_year if y != "none")
    assert len(years) >= 2
    for lo, hi in [(years[0], years[0]), (years[0] + 1, None), (None, years[-1] - 1), (years[0], years[-1])]:
        want = [pid for pid in matched if any((lo is None or y >= lo) and (hi is None or y <= hi)
                                              for y in paragraphs[pid].published)]
        result = searcher.search(SearchRequest(q=q, size=100, ranges={"published": (lo, hi)}))
        assert result.total == len(want), (q, lo, hi)
        assert all(h.facets["published"] is not None and (lo is None or h.facets["published"] >= lo)
                   and (hi is None or h.facets["published"] <= hi) for h in result.hits)
        assert {v.value for v in result.facets["published"]} == {y for y in years if (lo is None or y >= lo)
                                                                 and (hi is None or y <= hi)}
    # one year: exactly the paragraphs of the articles published that year, a year either side left out
    y = years[-1]
    result = searcher.search(SearchRequest(q=q, published=[y], size=100))
    assert result.total == len(by_year[y]) and all(h.facets["published"] == y for h in result.hits)
    undated = searcher.search(SearchRequest(q=q, published=["none"], size=100))
    assert undated.total == len(by_year.get("none", []))
    assert all(h.date is None and h.facets["published"] is None for h in undated.hits)


def test_year_range_the_wrong_way_round_is_swapped(searcher):
    from search.engine.results import BadRequest, request_from_params
    req = request_from_params(lambda n: {"year_from": ["2020"], "year_to": ["2018"]}.get(n, []))
    assert req.range("year") == (2018, 2020)
    with pytest.raises(BadRequest):
        request_from_params(lambda n: {"year_from": ["none"]}.get(n, []))


@pytest.mark.parametrize("q,province", [("扶贫", []), ("", []), ("", ["四川"])])
def test_sort_by_date_puts_undated_last(searcher, q, province):
    for sort in ("date_desc", "date_asc"):
        res = searcher.search(SearchRequest(q=q, province=province, sort=sort, size=100))
        assert len(res.hits) == min(res.total, 100) and all(not province or set(h.facets["province"]) & set(province)
                                                            for h in res.hits)
        dates = [h.date for h in res.hits]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=sort == "date_desc")
        assert dates[:len(dated)] == dated  # undated ones come after


def test_pagination_partitions_the_results(searcher):
    total = searcher.search(SearchRequest(q="扶贫", size=5)).total
    seen = []
    for page in range(1, total // 5 + 2):
        seen += [h.para_id for h in searcher.search(SearchRequest(q="扶贫", size=5, page=page)).hits]
    assert len(seen) == len(set(seen)) == total


def test_unknown_measure_is_a_bad_request(searcher):
    with pytest.raises(BadRequest):
        searcher.search(SearchRequest(q="扶贫", measure=["nonsense"]))


@pytest.mark.parametrize("q", ['"', "OR", "NOT", "-", '"扶贫', "扶贫\x00", "<script>alert(1)</script>",
                               "扶" * 10000, "(((", "\u202e扶贫", "𠀀𠀁", "AND OR NOT", "ＯＲ"])
def test_odd_queries_never_raise(searcher, q):
    res = searcher.search(SearchRequest(q=q))
    for h in res.hits:
        assert "<script" not in h.snippet.html()


def test_article_and_listing(searcher, paragraphs):
    total, docs = searcher.articles(1, 100)
    assert total == len(docs) and total >= 5
    art = searcher.article(docs[0].doc_id)
    assert [p.para_no for p in art.paragraphs] == list(range(1, len(art.paragraphs) + 1))
    assert searcher.article("no-such-doc") is None


def mark(searcher, text, q):
    """The article page's marking of ``q`` in ``text``."""
    return mark_html(text, searcher.query(q))


def test_mark_marks_query_words_in_the_original_script(searcher):
    assert mark(searcher, "甘肅扶貧車間<b>", "扶贫车间") == "甘肅<mark>扶貧車間</mark>&lt;b&gt;"


def test_a_typed_word_is_marked_whole_where_it_stands_whole(searcher):
    # 扶贫车间 is cut into 扶贫 + 车间 for matching; where the paragraph holds
    # the whole word, only that is marked, not every lone 扶贫 around it
    text = "全省扶貧車間建設暨就業扶貧現場推進會"
    assert mark(searcher, text, "扶贫车间") == "全省<mark>扶貧車間</mark>建設暨就業扶貧現場推進會"
    # where it does not stand whole, its pieces are marked
    assert mark(searcher, "扶貧工作與車間建設", "扶贫车间") == "<mark>扶貧</mark>工作與<mark>車間</mark>建設"


def test_article_listing_is_newest_first_and_counts_paragraphs(searcher, paragraphs):
    total, docs = searcher.articles(1, 100)
    dates = [d.date for d in docs]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[:len(dated)] == dated
    assert sum(d.paragraphs for d in docs) == len(paragraphs)
    assert searcher.stats() == {"documents": total, "paragraphs": len(paragraphs)}


def test_a_lone_character_finds_paragraphs_holding_it(searcher, paragraphs):
    _, ids = all_hits(searcher, q="車")
    assert ids and set(ids) <= containing(paragraphs, "车")
    assert containing(paragraphs, "车间") <= set(ids)


@pytest.mark.parametrize("typed, written", [
    ("瞭解惠農", "了解惠農"),  # 瞭: OpenCC lists it as its own first target, 了 second
    ("了解惠农", "了解惠農"),
    ("扶貧車間", "扶贫车间"),
    ("扶贫车间", "扶貧車間"),
    ("勞務輸轉", "劳务输转"),
])
def test_traditional_and_simplified_probes_find_each_other(searcher, paragraphs, typed, written):
    result, ids = all_hits(searcher, q=f'"{typed}"')  # quoted: no synonyms
    assert set(ids) == containing(paragraphs, written) != set()
    assert set(ids) == set(all_hits(searcher, q=f'"{written}"')[1])


def test_the_article_page_marks_no_piece_of_a_word_it_does_not_hold(searcher):
    # 公益性岗位 is cut into 公益性 + 岗位; a paragraph holding 岗位 alone does
    # not hold the word, so nothing is marked (it would tell the reader a lie)
    assert mark(searcher, "要把崗位送到家門口", "公益性岗位") == "要把崗位送到家門口"
    assert mark(searcher, "开发公益性崗位", "公益性岗位") == "开发<mark>公益性崗位</mark>"


def test_hits_and_year_chart_equal_brute_force_over_every_seed_paragraph(searcher, paragraphs):
    """Random queries of one or two literals, pieces of the paragraphs'
    texts and of their titles and headings, against brute force over the
    ingested seeds: a hit holds every literal in its text, title or heading,
    and one of them in its own text; the total and the year chart count
    exactly those paragraphs."""
    rng = random.Random(19)
    sources = sorted({p.title for p in paragraphs.values()}) + [p.text for p in paragraphs.values()]
    runs = [r for s in sources for r in CJK_RUN.findall(fold(s)) if len(r) >= 2]

    def piece():
        run = rng.choice(runs)
        k = rng.randint(2, min(4, len(run)))
        i = rng.randrange(len(run) - k + 1)
        return run[i:i + k]

    header_only = 0
    for _ in range(80):
        lits = [piece() for _ in range(rng.choice([1, 2, 2]))]
        result, got = all_hits(searcher, q=" ".join(f'"{x}"' for x in lits))
        want = containing(paragraphs, *lits)
        assert set(got) == want and result.total == len(want), lits
        header_only += len(anywhere(paragraphs, *lits) - want)
        years = Counter(y for pid in want for y in (paragraphs[pid].years or [NONE]))
        assert {v.value: v.count for v in result.facets["year"]} == dict(years), lits
    assert header_only > 0  # the near misses were there to be let through


def test_the_first_search_finds_everything_made_when_the_index_opened(seed_index, monkeypatch):
    """What every search reads besides the postings (reprint groups, date
    orders, the facets' tallies over the archive) is made when the
    searcher opens, so a user's first search pays none of
    it: making any of them again during the first searches fails here."""
    from search.engine import reprints

    s = Searcher(seed_index)
    try:
        def made_late(*a, **k):
            raise AssertionError("made by a search, not when the index opened")

        monkeypatch.setattr(reprints.Reprints, "__init__", made_late)
        snap = s._snap
        orders = dict(snap._orders)
        for req in [SearchRequest(q="扶贫"), SearchRequest(q="", sort="date_desc", province=["甘肃"]),
                    SearchRequest(q="", sort="date_asc"), SearchRequest(q="就业 培训", year=[2019])]:
            assert s.search(req).total > 0
        assert snap._orders.keys() == orders.keys() and all(snap._orders[k] is orders[k] for k in orders)
        for col in snap.facets.values():
            assert col._universe[0] is snap.all_live
    finally:
        s.close()


@pytest.mark.parametrize("sort", ["date_desc", "date_asc"])
def test_a_filtered_browse_lists_the_whole_browse_order_filtered(searcher, sort):
    """Browsing with a filter lists, page after page, the paragraphs of the
    unfiltered browse (every paragraph by date, then index order) that the
    filter lets through, in that order: asked in turn and again (each
    choice's mask is kept for the next request making it), with the
    counts of the unfiltered facets taken among those paragraphs only."""
    every = [h for p in range(1, 1000) for h in searcher.search(SearchRequest(q="", sort=sort, page=p, size=100)).hits]
    assert len(every) == searcher.search(SearchRequest(q="")).total
    for province in [["四川"], ["甘肃"], ["四川"], ["甘肃", "四川"], ["甘肃"]]:
        want = [h.para_id for h in every if set(h.facets["province"]) & set(province)]
        got, page = [], 1
        while True:
            res = searcher.search(SearchRequest(q="", sort=sort, province=province, page=page, size=9))
            got += [h.para_id for h in res.hits]
            if page * 9 >= res.total:
                break
            page += 1
        assert got == want and len(want) > 9
        years = Counter(y for h in every if set(h.facets["province"]) & set(province) for y in h.facets["year"])
        assert {fv.value: fv.count for fv in res.facets["year"] if fv.value != NONE} == dict(years)


def test_a_servers_ranked_heads_give_the_same_answers_and_spare_ranking(seed_index, searcher, monkeypatch):
    """A server keeps the ranked heads of the requests it answered
    (``rank_cache``) and their hits: the same request again, its next page,
    another size, answer as a searcher that keeps none, and the request
    asked again neither ranks nor reads its hits.  The near misses: another filter, another sort, another query
    (one that shares the first's words) rank afresh and answer as theirs."""
    from search.engine import ranking
    from search.engine.searcher import RANK_CACHE

    def answer(s, req):
        r = s.search(req)
        return r.total, [(h.para_id, h.score, h.more_in_article, h.snippet.html()) for h in r.hits], r.facets

    reqs = [SearchRequest(q="扶贫", size=5), SearchRequest(q="扶贫", size=5, page=2),
            SearchRequest(q="扶贫", size=7, page=3), SearchRequest(q="扶贫", size=3, province=["甘肃"]),
            SearchRequest(q="扶贫", size=3, province=["四川"]), SearchRequest(q="扶贫", size=3, province=["四川"], page=2),
            SearchRequest(q="扶贫", year=[2019]), SearchRequest(q="扶贫", sort="date_desc"),
            SearchRequest(q="扶贫 就业"), SearchRequest(q="扶贫 -就业"), SearchRequest(q="扶贫", collapse="reprints")]
    cached = Searcher(seed_index, rank_cache=RANK_CACHE)
    try:
        for _ in range(2):
            for req in reqs:
                assert answer(cached, req) == answer(searcher, req)
        calls = []
        rank = ranking.rank
        monkeypatch.setattr(ranking, "rank", lambda *a, **k: calls.append(a[1].raw) or rank(*a, **k))
        cached.search(SearchRequest(q="扶贫", size=5, page=2))
        assert calls == []
        cached.search(SearchRequest(q="扶贫", province=["四川"]))
        cached.search(SearchRequest(q="扶贫 OR 就业"))
        assert set(calls) == {"扶贫", "扶贫 OR 就业"}
        # nor read nor mark its hits again: a query not asked before does
        from search.engine.snapshot import Snapshot

        reads, stored = [], Snapshot.stored
        monkeypatch.setattr(Snapshot, "stored", lambda self, d: reads.append(d) or stored(self, d))
        cached.search(SearchRequest(q="扶贫", size=5, page=2))
        assert reads == []
        cached.search(SearchRequest(q="培训", size=5))
        assert len(reads) == 5
    finally:
        cached.close()
