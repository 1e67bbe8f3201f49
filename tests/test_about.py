"""Ranking by what a paragraph is about (issue 23): a query word that
stands only as one item of an enumeration, only inside the name of a
meeting or body (not a 《document》's title), or only as an attribute of a place is mentioned
in passing (the ``in_passing`` rule), and two words that are neighbouring
items of a list are not said together (proximity).  Each rule beside its
near miss; the sentences are written for the test, not taken from a corpus."""

from __future__ import annotations

import json

import pytest

from search.engine import ranking
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index


def kind(text: str, word: str) -> str | None:
    at = text.index(word)
    return ranking.passing_kind(text, at, at + len(word))


@pytest.mark.parametrize("text,word,expected", [
    # an item of a 、-list of three or more; the near miss: a pair
    ("今年做好产业扶贫、就业扶贫、健康扶贫等工作。", "健康扶贫", "list"),
    ("今年健康扶贫、教育扶贫两项工作进展顺利。", "健康扶贫", None),
    # A、B和C is a list of three; the near miss: A和B
    ("今年加大就业扶贫、产业扶贫和搬迁后续扶持力度。", "后续扶持", "list"),
    ("今年加大就业扶贫和搬迁后续扶持力度。", "后续扶持", None),
    # an item of a sentence of ；-clauses; the near miss: one ；
    ("要坚持精准方略；坚持扶贫同扶志扶智相结合；坚持开发式扶贫。", "扶志", "list"),
    ("要坚持扶贫同扶志扶智相结合；激发群众内生动力。", "扶志", None),
    # one of a speech's tasks that begin alike; the near miss: two of them
    ("要抓好产业。要加强扶贫同扶志扶智相结合。要做好搬迁。", "扶志", "list"),
    ("要抓好产业。要加强扶贫同扶志扶智相结合，激发群众干劲。", "扶志", None),
    ("一是抓好产业。二是加强扶贫同扶志扶智相结合。", "扶志", "list"),
    # the ordinals may open the clauses of one sentence; the near miss: one ordinal alone
    ("意见从三个方面着力,一是落实纾困政策,二是做强创业孵化载体,三是完善监管。", "创业孵化", "list"),
    ("他说,一是要看到创业孵化的成效,孵化器越办越多。", "创业孵化", None),
    # one of a speech's tasks joined by commas (four or more short clauses after the first, most
    # opening with a task's verb); the near misses: the sentence's first clause, which the rest
    # elaborates; a story's run of short clauses; a sentence of three clauses
    ("会议强调，坚持政府主导，深化东西部协作，动员全社会参与，把扶贫同扶志扶智相结合，确保如期脱贫。", "扶志", "list"),
    ("脱贫攻坚既要扶智也要扶志，既要输血更要造血，建立造血机制，增强内生动力，防止返贫。", "扶志", None),
    ("从去年起，县里以市场为导向，瞄准特色产业，引入电商平台，形成电商扶贫合作社，让农产品有了销路。", "电商扶贫", None),
    ("会议强调，要加强扶贫同扶志扶智相结合，激发群众积极性，引导他们改变命运。", "扶志", None),
    # a long stretch between the marks says something: not an item
    ("村里组织座谈、走访、培训、还把扶贫同扶志扶智结合起来在每个村都办起了农民夜校并请来致富带头人讲课。", "夜校", None),
    ("村里组织座谈、走访、培训、夜校等活动。", "夜校", "list"),
    # inside a meeting's or a body's name; the near miss: the clause ends first
    ("副总理出席全国农民工工资拖欠治理工作会议。", "农民工", "name"),
    ("农民工工资拖欠问题基本解决，会议要求继续巩固。", "农民工", None),
    ("副总理出席全国残疾人就业工作会议。", "残疾人", "name"),
    # a ceremony's or a gala's name, as a meeting's; the near miss: the clause ends first
    ("电视台今晚播出“最美生态护林员”发布仪式。", "生态护林员", "name"),
    ("生态护林员每月巡山二十天，发布仪式上领到了工资卡。", "生态护林员", None),
    # a document's title says what the document is about: not in passing; the near miss: the
    # same words naming the meeting that adopted it
    ("两部门印发《关于促进残疾人就业的意见》。", "残疾人", None),
    ("两部门在全国残疾人就业工作会议上印发意见。", "残疾人", "name"),
    # an attribute of a place; the near miss: another word follows
    ("作为劳务输出大省，河南每年外出务工人数众多。", "劳务输出", "attribute"),
    ("今年劳务输出大幅增长，外出务工人数众多。", "劳务输出", None),
    # a county or province it describes; the near miss: a word that begins with 县 (县域)
    ("作为全国劳务输出县，这里每年外出务工十万人。", "劳务输出", "attribute"),
    ("劳务输出县域内组织有序，外出务工人数众多。", "劳务输出", None),
])
def test_a_mention_in_passing_and_its_near_miss(text, word, expected):
    assert kind(text, word) == expected


def spans(text: str, *words: str) -> list:
    return [[(text.index(w), text.index(w) + len(w))] for w in words]


def test_neighbouring_items_of_a_list_are_not_close():
    listed = "今年做好产业扶贫、扶志、扶智、健康扶贫等工作。"
    assert ranking.spans_proximity(spans(listed, "扶志", "扶智")) > 0.5  # what position alone would say
    assert ranking.clause_proximity(listed, spans(listed, "扶志", "扶智")) == 0.0
    pair = "今年把扶贫同扶志、扶智相结合，办起了夜校。"  # a pair, not a list: said together
    assert ranking.clause_proximity(pair, spans(pair, "扶志", "扶智")) == ranking.spans_proximity(spans(pair, "扶志", "扶智"))
    # the words again further on, said together: the closest window that does not
    # hold a meeting of the list's items counts (扶志和扶智: 4 characters of 5)
    both = listed + "要坚持扶志和扶智相结合。"
    every = [[(i, i + 2) for i in range(len(both)) if both.startswith(w, i)] for w in ("扶志", "扶智")]
    assert [len(x) for x in every] == [2, 2]
    assert ranking.clause_proximity(both, every) == 0.8
    assert ranking.clause_proximity(both, [every[0][:1], every[1][:1]]) == 0.0  # the list's alone


def test_words_side_by_side_anywhere_are_as_close_as_can_be():
    """Proximity is the words' length over the shortest window holding them:
    1.0 once they stand side by side anywhere (the search for a shorter window
    stops there), whatever stood apart before; the near miss, the words only
    apart, is that share exactly; words that overlap are side by side too."""
    def every(text, *words):
        return [[(i, i + len(w)) for i in range(len(text)) if text.startswith(w, i)] for w in words]

    apart = "扶贫工作队进村，开展扶志教育。"
    assert ranking.spans_proximity(every(apart, "扶贫", "扶志")) == 4 / 12
    assert ranking.clause_proximity(apart, every(apart, "扶贫", "扶志")) == 4 / 12
    together = apart + "扶贫扶志相结合。"
    assert ranking.spans_proximity(every(together, "扶贫", "扶志")) == 1.0
    assert ranking.clause_proximity(together, every(together, "扶贫", "扶志")) == 1.0
    listed = "要做好产业扶贫、就业扶贫、扶志扶智等工作，扶贫和扶志相结合。"  # the list's meeting is not counted
    assert ranking.clause_proximity(listed, every(listed, "扶贫", "扶志")) == 4 / 5
    assert ranking.spans_proximity(every(apart, "扶贫工", "贫工作")) == 1.0  # overlapping


# -- the rule decides the order ---------------------------------------------------------------

FILLER = "村里修了路,建了学校,办了医疗站,产业也发展起来了,群众的日子越过越红火。"
ROWS = [
    # the word twice, each time one item of a list: the higher BM25
    ("listed", "今年全县做好产业扶贫、就业扶贫、健康扶贫、教育扶贫、生态扶贫等工作,"
               "明年继续推进易地搬迁、健康扶贫、危房改造、饮水安全、道路硬化等任务,确保如期完成。"),
    # the word once, in a sentence saying what was done
    ("about", "今年县里推进健康扶贫,为贫困户代缴医保费用,大病报销比例提高到九成,"
              "村医每月上门随访,因病致贫的家庭明显减少,群众看病负担轻了不少。"),
] + [(f"f{i}", FILLER * 2) for i in range(6)]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("about")
    src = folder / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                      ensure_ascii=False) + "\n" for i, t in ROWS), encoding="utf-8")
    build_index([str(src)], str(folder / "index"), rebuild=True, procs=1)
    s = Searcher(str(folder / "index"), per_article=None)
    yield s
    s.close()


def test_a_word_only_listed_ranks_below_the_paragraph_about_it(searcher, monkeypatch):
    hits = searcher.search(SearchRequest(q="健康扶贫", explain=True)).hits
    assert [h.doc_id for h in hits] == ["about", "listed"]
    why = {h.doc_id: {r["rule"]: r for r in h.explain} for h in hits}
    assert why["listed"]["bm25"]["value"] > why["about"]["bm25"]["value"]  # BM25 alone would put the list first
    assert why["listed"]["in_passing"]["value"] == pytest.approx(-ranking.PASSING_PENALTY)
    assert "列举项" in why["listed"]["in_passing"]["why"]
    assert why["about"]["in_passing"]["value"] == 0
    monkeypatch.setattr(ranking, "PASSING_PENALTY", 0.0)  # without the rule the list wins
    assert [h.doc_id for h in searcher.search(SearchRequest(q="健康扶贫")).hits] == ["listed", "about"]


def test_a_figure_beside_the_word_earns_the_figures_boost(tmp_path):
    """A sentence holding the query word and a number: the paragraph
    reports something.  The near miss: the number stands in another
    sentence."""
    rows = [("figure", "今年县里推进健康扶贫,为三千二百户贫困户代缴医保费用。村里新修了路。"),
            ("elsewhere", "今年县里推进健康扶贫,为贫困户代缴医保费用。村里新修了3条路。")]
    rows += [(f"f{i}", FILLER * 2) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                      ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"), per_article=None)
    try:
        hits = s.search(SearchRequest(q="健康扶贫", explain=True)).hits
        got = {h.doc_id: {r["rule"]: r["value"] for r in h.explain}["figures"] for h in hits}
        assert got == {"figure": 0.0, "elsewhere": 0.0}  # 三千二百 is not a figure in digits
        rows[0] = ("figure", "今年县里推进健康扶贫,为3200户贫困户代缴医保费用。村里新修了路。")
        src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                          ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
        build_index([str(src)], str(tmp_path / "index2"), rebuild=True, procs=1)
        s2 = Searcher(str(tmp_path / "index2"), per_article=None)
        try:
            hits = s2.search(SearchRequest(q="健康扶贫", explain=True)).hits
            got = {h.doc_id: {r["rule"]: r["value"] for r in h.explain}["figures"] for h in hits}
            assert got == {"figure": ranking.FIGURES_BONUS, "elsewhere": 0.0}
            assert [h.doc_id for h in hits] == ["figure", "elsewhere"]
        finally:
            s2.close()
    finally:
        s.close()


# -- a synonym naming the same thing counts as the word typed ---------------------------------

SAME = ("公益性岗位 = 公益岗位 公益岗\n建档立卡贫困户 贫困户\n劳务输出 劳务输转\n小额担保贷款 → 创业担保贷款 (2015)\n")


@pytest.mark.parametrize("word,other,same", [
    ("公益性岗位", "公益岗位", True),  # a short name the file gives
    ("公益岗位", "公益性岗位", True),  # either way round
    ("公益岗位", "公益岗", True),  # two short names of one
    ("建档立卡贫困户", "贫困户", False),  # a group's word: wider, not the same name
    ("劳务输出", "劳务输转", False),
    ("创业担保贷款", "小额担保贷款", False),  # a renaming: found, the typed name first
])
def test_which_synonyms_name_the_same_thing(tmp_path, word, other, same):
    from search.query.parse import same_thing
    from search.text.synonyms import Synonyms

    path = tmp_path / "synonyms.txt"
    path.write_text(SAME, encoding="utf-8")
    assert same_thing(Synonyms(path), word, other) is same


def test_a_contraction_scores_as_the_word_typed_a_group_word_less(tmp_path, monkeypatch):
    """公益岗位 for 公益性岗位 is the same name: its BM25 at full weight and
    the verbatim boost, as the typed word; 劳务输转 for 劳务输出 is another
    word of its group: SYNONYM_WEIGHT of it, no verbatim boost."""
    from search.text.synonyms import Synonyms

    body = "今年县里开发{}三百个,安置贫困劳动力就近就业,每人每月补贴八百元。"
    rows = [("typed", body.format("公益性岗位")), ("short", body.format("公益岗位")),
            ("out", "今年县里劳务输出三百人,安置贫困劳动力外出就业,每人每月收入三千元。"),
            ("group", "今年县里劳务输转三百人,安置贫困劳动力外出就业,每人每月收入三千元。")]
    rows += [(f"f{i}", FILLER * 2) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                      ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    (tmp_path / "synonyms.txt").write_text(SAME, encoding="utf-8")
    s = Searcher(str(tmp_path / "index"), synonyms=Synonyms(tmp_path / "synonyms.txt"), per_article=None)
    try:
        def rules(q):
            return {h.doc_id: {r["rule"]: r["value"] for r in h.explain}
                    for h in s.search(SearchRequest(q=q, explain=True)).hits}
        short, group = rules("公益性岗位"), rules("劳务输出")
        assert short["short"]["verbatim"] == short["typed"]["verbatim"] > 0
        assert group["group"]["verbatim"] == 0 < group["out"]["verbatim"]
        monkeypatch.setattr(ranking.Scorer, "synonym_weight", ranking.SYNONYM_WEIGHT / 2)
        assert rules("公益性岗位")["short"]["bm25"] == pytest.approx(short["short"]["bm25"])  # not weighed
        assert rules("劳务输出")["group"]["bm25"] == pytest.approx(group["group"]["bm25"] / 2, rel=1e-3)
    finally:
        s.close()


def test_a_cut_word_is_judged_where_it_stands_whole(tmp_path):
    """教育扶贫, which jieba cuts into 教育 扶贫, standing whole only as an
    item of a list is mentioned in passing, though its pieces stand
    elsewhere in sentences of their own; the near miss: the whole word in
    a sentence."""
    rows = [("listed", "今年全县推进产业扶贫、教育扶贫、健康扶贫等工作。扶贫干部走访了每一户,教育局也派出了工作组。"),
            ("said", "今年全县推进教育扶贫,为贫困家庭学生发放补助。扶贫干部走访了每一户,教育局也派出了工作组。")]
    rows += [(f"f{i}", FILLER * 2) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                      ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"), per_article=None)
    try:
        hits = s.search(SearchRequest(q="教育扶贫", explain=True)).hits
        why = {h.doc_id: {r["rule"]: r for r in h.explain}["in_passing"] for h in hits}
        assert why["listed"]["value"] == pytest.approx(-ranking.PASSING_PENALTY)
        assert "教育扶贫 列举项" in why["listed"]["why"]
        assert why["said"]["value"] == 0
    finally:
        s.close()
