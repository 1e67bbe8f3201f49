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
    # A、B等 is a list (等: there are more); the near misses: a word standing before the list, whose
    # first item's start is not marked; 等 inside a word (高等教育) is no 等
    ("湖南通过劳务输出、医疗救助等措施推进精准扶贫。", "劳务输出", "list"),
    ("国家推出社会化企业扶贫、光伏扶贫等办法。", "光伏扶贫", "list"),
    ("其定点扶贫的广西环江县、贵州水城县等4个贫困县已全部脱贫。", "定点扶贫", None),
    ("学校推进教育扶贫、职业院校高等教育改革。", "教育扶贫", None),
    # quoted items in a row closed by 等; the near miss: the same two quoted names, no 等
    ("内蒙古采取“电商扶贫”“产业扶贫”等不同办法帮助农牧民。", "电商扶贫", "list"),
    ("内蒙古推进“电商扶贫”“产业扶贫”两项工作帮助农牧民。", "电商扶贫", None),
    # three quoted items in a row are a list without 等 (the topics of a session); the near miss: two
    ("会议围绕“巩固脱贫成果”“加大易地扶贫搬迁后续扶持力度”“建立长效机制”三个专题讨论。", "后续扶持", "list"),
    ("会议围绕“巩固脱贫成果”“加大易地扶贫搬迁后续扶持力度”两个专题讨论。", "后续扶持", None),
    # A、B和C is a list of three; the near miss: A和B
    ("今年加大就业扶贫、产业扶贫和搬迁后续扶持力度。", "后续扶持", "list"),
    ("今年加大就业扶贫和搬迁后续扶持力度。", "后续扶持", None),
    # an item of a sentence of ；-clauses; the near miss: one ；
    ("要坚持精准方略；坚持扶贫同扶志扶智相结合；坚持开发式扶贫。", "扶志", "list"),
    ("要坚持扶贫同扶志扶智相结合；激发群众内生动力。", "扶志", None),
    # a ；-item is a clause (up to CLAUSE_ITEM_CHARS: a year's targets); the near miss: a clause
    # that goes on to say what the figure means
    ("主要预期目标是：国内生产总值增长6%左右；城镇新增就业1100万人以上，城镇调查失业率5.5%左右，"
     "城镇登记失业率4.5%以内；居民消费价格涨幅3%左右。", "调查失业率", "list"),
    ("主要数据是：国内生产总值增长6%左右；3月份全国城镇调查失业率为5.2%，比上月下降0.3个百分点，"
     "其中25至59岁劳动力失业率为4.6%，为近年来最低，就业形势持续向好；居民消费价格上涨3%。", "调查失业率", None),
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


def _index(folder, rows, name: str = "index", **searcher_kw) -> Searcher:
    """A searcher over ``rows`` (id, text), paragraphs of articles of one
    title and date, indexed into ``folder / name`` from ``folder / "a.jsonl"``."""
    src = folder / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "县里的新闻", "date": "2019-01-01", "text": t},
                                      ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8")
    build_index([str(src)], str(folder / name), rebuild=True, procs=1)
    return Searcher(str(folder / name), per_article=None, **searcher_kw)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("about")
    s = _index(folder, ROWS)
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
    monkeypatch.setattr(ranking, "PASSING_NO_BOOSTS", False)  # (nor its verbatim share withheld)
    assert [h.doc_id for h in searcher.search(SearchRequest(q="健康扶贫")).hits] == ["listed", "about"]


def test_a_figure_beside_the_word_earns_the_figures_boost(tmp_path):
    """A sentence holding the query word and a number: the paragraph
    reports something.  The near miss: the number stands in another
    sentence."""
    rows = [("figure", "今年县里推进健康扶贫,为三千二百户贫困户代缴医保费用。村里新修了路。"),
            ("elsewhere", "今年县里推进健康扶贫,为贫困户代缴医保费用。村里新修了3条路。")]
    rows += [(f"f{i}", FILLER * 2) for i in range(6)]
    s = _index(tmp_path, rows)
    try:
        hits = s.search(SearchRequest(q="健康扶贫", explain=True)).hits
        got = {h.doc_id: {r["rule"]: r["value"] for r in h.explain}["figures"] for h in hits}
        assert got == {"figure": 0.0, "elsewhere": 0.0}  # 三千二百 is not a figure in digits
        rows[0] = ("figure", "今年县里推进健康扶贫,为3200户贫困户代缴医保费用。村里新修了路。")
        s2 = _index(tmp_path, rows, "index2")
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
    (tmp_path / "synonyms.txt").write_text(SAME, encoding="utf-8")
    s = _index(tmp_path, rows, synonyms=Synonyms(tmp_path / "synonyms.txt"))
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
    s = _index(tmp_path, rows)
    try:
        hits = s.search(SearchRequest(q="教育扶贫", explain=True)).hits
        why = {h.doc_id: {r["rule"]: r for r in h.explain}["in_passing"] for h in hits}
        assert why["listed"]["value"] == pytest.approx(-ranking.PASSING_PENALTY)
        assert "教育扶贫 列举项" in why["listed"]["why"]
        assert why["said"]["value"] == 0
    finally:
        s.close()


def test_words_close_only_inside_a_name_earn_no_closeness(tmp_path, monkeypatch):
    """Both words only inside a meeting's name (an attendance line): they
    stand side by side because the name holds them, so proximity and the
    whole query earn nothing, besides the in_passing cut.  The near misses:
    the words said together in a sentence; one word in the name, the other
    said in a sentence (not every word in passing: closeness counts)."""
    rows = [("attended", "副总理出席全国易地扶贫搬迁后续扶持工作现场会并讲话。"),
            ("said", "县里做好易地扶贫搬迁后续扶持,为搬迁群众建起工厂,家门口就能上班。"),
            ("one", "副总理出席全国易地扶贫搬迁工作会议,要求各地做好后续扶持,让搬迁群众稳得住。")]
    rows += [(f"f{i}", FILLER * 2) for i in range(6)]
    s = _index(tmp_path, rows)
    try:
        def rules():
            return {h.doc_id: {r["rule"]: r for r in h.explain}
                    for h in s.search(SearchRequest(q="易地扶贫搬迁 后续扶持", explain=True)).hits}
        why = rules()
        assert why["attended"]["in_passing"]["value"] == pytest.approx(-ranking.PASSING_PENALTY)
        assert why["attended"]["proximity"]["value"] == 0 and why["attended"]["whole_query"]["value"] == 0
        assert "靠近不计" in why["attended"]["proximity"]["why"]
        assert why["said"]["proximity"]["value"] > 0 and why["said"]["whole_query"]["value"] == ranking.WHOLE_BONUS
        assert why["one"]["in_passing"]["value"] == pytest.approx(-ranking.PASSING_PENALTY / 2)
        assert why["one"]["proximity"]["value"] > 0 and "靠近不计" not in why["one"]["proximity"]["why"]
        monkeypatch.setattr(ranking, "PASSING_NOT_CLOSE", False)  # without the rule the name earns both
        loose = rules()["attended"]
        assert loose["proximity"]["value"] > 0 and loose["whole_query"]["value"] == ranking.WHOLE_BONUS
    finally:
        s.close()


def test_a_cut_word_typed_only_in_the_title_is_support(tmp_path, monkeypatch):
    """产业扶贫 (jieba: 产业 扶贫) typed in the article's title over a
    paragraph that never says 产业: the title supports the word
    (HEADER_WEIGHT of its verbatim share), the paragraph does not say it.
    The near misses: the text holds the pieces apart under the same title
    (the typed word in the title counts in full, as before); the text holds
    the word as typed."""
    title = "河南：小资金激活 助产业扶贫"
    rows = [("title_only", title, "兰考县拿出金融扶贫资金,农业合作社每拿到十万元贷款就吸收一个贫困村民就业。"),
            ("pieces", title, "兰考县发展特色产业,拿出金融扶贫资金,农业合作社每拿到十万元贷款就吸收一个贫困村民就业。"),
            ("typed", "县里的新闻", "兰考县推进产业扶贫,拿出资金,农业合作社每拿到十万元贷款就吸收一个贫困村民就业。")]
    rows += [(f"f{i}", "县里的新闻", FILLER * 2) for i in range(6)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": t, "date": "2019-01-01", "text": x}, ensure_ascii=False) + "\n"
                           for i, t, x in rows), encoding="utf-8")
    build_index([str(src)], str(tmp_path / "index"), rebuild=True, procs=1)
    s = Searcher(str(tmp_path / "index"), per_article=None)
    try:
        def rules():
            return {h.doc_id: {r["rule"]: r for r in h.explain}
                    for h in s.search(SearchRequest(q="产业扶贫 合作社", explain=True)).hits}
        why = rules()
        assert set(why) == {"title_only", "pieces", "typed"}
        full = why["typed"]["verbatim"]["value"]
        assert full > 0 and why["pieces"]["verbatim"]["value"] == full
        assert why["title_only"]["verbatim"]["value"] == pytest.approx(full * ranking.HEADER_WEIGHT)
        assert "产业扶贫 只在标题/小标题中" in why["title_only"]["verbatim"]["why"]
        assert "只在标题" not in why["pieces"]["verbatim"]["why"]
        monkeypatch.setattr(ranking, "TITLE_TYPED_AS_SUPPORT", False)  # without the rule the title counts in full
        assert rules()["title_only"]["verbatim"]["value"] == full
    finally:
        s.close()


def _rules(tmp_path, rows, q):
    rows = rows + [(f"f{i}", FILLER * 2) for i in range(6)]
    s = _index(tmp_path, rows)

    def rules():
        return {h.doc_id: {r["rule"]: r for r in h.explain} for h in s.search(SearchRequest(q=q, explain=True)).hits}
    return s, rules


# a long paragraph on skills training that names poor workers once, as a group it also serves
TRAINING = ("会议确定了职业技能提升行动的措施。今年要大规模开展职业技能培训，全年培训一千五百万人次以上，"
            "培训重点面向企业职工，兼顾高校毕业生和贫困劳动力。支持企业开展职工技能培训和转岗培训，"
            "加强高危行业从业人员安全技能培训。从失业保险基金结余中拿出资金设立专项账户，统筹用于职业技能提升行动，"
            "强化资金监管。深化放管服改革，支持职业院校、企业、社会培训机构开展培训，加强培训质量监管，"
            "提高培训的针对性和实效性，让劳动者真正学到本事，企业招得到用得好技术工人。")


def test_a_word_named_once_in_a_long_paragraph_about_the_others_is_in_passing(tmp_path, monkeypatch):
    """贫困劳动力 once in a paragraph of ONCE_CHARS or more where 技能培训
    stands three times: the paragraph is about training in general and
    names poor workers among those it serves.  The near misses: the same
    sentences cut short (under ONCE_CHARS: a short story says little else);
    the long paragraph with 技能培训 once too (about neither more than the
    other)."""
    assert len(TRAINING) >= ranking.ONCE_CHARS
    short = "今年要大规模开展职业技能培训，培训重点面向企业职工，兼顾高校毕业生和贫困劳动力。加强安全技能培训。"
    balanced = TRAINING.replace("支持企业开展职工技能培训和转岗培训，加强高危行业从业人员安全技能培训。", "")
    balanced += "各地还组织专场招聘会，帮助求职者找到合适岗位，用人单位也积极参加，现场气氛热烈，求职者纷纷投递简历。"
    assert len(short) < ranking.ONCE_CHARS <= len(balanced) and balanced.count("技能培训") == 1
    s, rules = _rules(tmp_path, [("long", TRAINING), ("short", short), ("balanced", balanced)], "技能培训 贫困劳动力")
    try:
        why = rules()
        assert why["long"]["in_passing"]["value"] == pytest.approx(-ranking.PASSING_PENALTY / 2)
        assert "贫困劳动力 长段中只提一次" in why["long"]["in_passing"]["why"]
        assert why["short"]["in_passing"]["value"] == 0 and why["balanced"]["in_passing"]["value"] == 0
        monkeypatch.setattr(ranking, "ONCE_IN_LONG", False)  # without the rule the long paragraph is not cut
        assert rules()["long"]["in_passing"]["value"] == 0
    finally:
        s.close()


def test_a_word_only_in_passing_earns_no_verbatim_share_nor_figures(tmp_path, monkeypatch):
    """贫困劳动力 typed as typed but only as an item of a list of groups:
    it earns no verbatim share, and the figure in its sentence (the
    list's subsidy) does not count for figures; the in_passing cut stays.
    The near misses: the same paragraphs with poor workers the sentence's
    subject."""
    rows = [("listed", "县里组织技能培训。今年为职工、农民工、贫困劳动力等发放培训补贴3000万元。"),
            ("said", "县里组织技能培训。今年为贫困劳动力发放培训补贴3000万元,人人学到手艺。")]
    s, rules = _rules(tmp_path, rows, "技能培训 贫困劳动力")
    try:
        why = rules()
        full = why["said"]["verbatim"]["value"]
        assert full == pytest.approx(ranking.VERBATIM_BONUS)  # both typed words stand as typed
        assert why["listed"]["verbatim"]["value"] == pytest.approx(full / 2)
        assert "贫困劳动力 只顺带提及,不计" in why["listed"]["verbatim"]["why"]
        assert why["said"]["figures"]["value"] == ranking.FIGURES_BONUS
        assert why["listed"]["figures"]["value"] == 0 and "不计" in why["listed"]["figures"]["why"]
        assert "列举项" in why["listed"]["in_passing"]["why"]
        monkeypatch.setattr(ranking, "PASSING_NO_BOOSTS", False)  # without the rule the listed word earns both
        loose = rules()["listed"]
        assert loose["verbatim"]["value"] == pytest.approx(full) and loose["figures"]["value"] == ranking.FIGURES_BONUS
    finally:
        s.close()


PLACES = ["四川", "河南", "安徽", "贵州", "湖南", "湖北", "江西", "广西", "甘肃", "重庆", "云南", "陕西", "山西", "河北",
          "山东", "黑龙江", "吉林", "辽宁", "内蒙古", "宁夏", "青海", "新疆", "西藏", "海南", "福建", "浙江", "江苏",
          "广东", "天津", "北京", "上海", "台湾"]


def test_a_window_whose_best_were_cut_reads_the_candidates_after_it(tmp_path, monkeypatch):
    """More short lines using 劳务输出大省 as a descriptor than the window
    holds (RERANK): each is cut (x0.65, an attribute) below the longer
    paragraph about labour export, whose BM25 put it after all of them, so
    it was never read.  The window's best cut below the best candidate after
    it: the next WIDEN are read too and the paragraph comes first.  The near
    miss: without the cut lines (the same paragraph, a window of lines that
    say something) nothing is widened."""
    assert len(PLACES) > ranking.RERANK
    about = ("县里把劳务输出作为脱贫的主要办法,人社部门同沿海企业签订用工协议,组织村民成批外出务工,派专人跟踪服务,"
             "帮助他们适应新岗位,解决住宿和子女上学的难题,外出务工的群众收入明显增加,许多家庭盖起了新房。")
    rows = [(f"a{i}", f"{p}是劳务输出大省,春节后{p}的务工人员乘专列返岗。") for i, p in enumerate(PLACES)]
    rows += [("about", about)] + [(f"f{i}", FILLER * 4) for i in range(10)]
    s = _index(tmp_path, rows)
    try:
        hits = s.search(SearchRequest(q="劳务输出", explain=True)).hits
        assert hits[0].doc_id == "about"
        why = {r["rule"]: r for r in hits[0].explain}
        assert "重排窗口扩大" in why["ties"]["why"] and why["in_passing"]["value"] == 0
        assert all({r["rule"]: r for r in h.explain}["in_passing"]["value"] < 0 for h in hits[1:])
        monkeypatch.setattr(ranking, "WIDEN_CUT", False)  # without the rule: after every cut line
        ids = [h.doc_id for h in s.search(SearchRequest(q="劳务输出", size=40)).hits]
        assert ids.index("about") > ranking.RERANK
    finally:
        s.close()
    said = [(f"a{i}", f"{p}组织劳务输出,春节后{p}的务工人员乘专列返岗。") for i, p in enumerate(PLACES)]
    s = _index(tmp_path, said + rows[len(PLACES):], "index2")
    try:
        hits = s.search(SearchRequest(q="劳务输出", size=40, explain=True)).hits
        assert not any("重排窗口扩大" in {r["rule"]: r for r in h.explain}["ties"]["why"] for h in hits)
        assert [h.doc_id for h in hits].index("about") > ranking.RERANK
    finally:
        s.close()
