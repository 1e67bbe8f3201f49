"""Where a hit matched: every hit marks what found it, in its text snippet,
its heading or its title (``matched_in``), and never a piece of a word as
if it were the word where the piece was not what matched."""

from __future__ import annotations

import random
import re

import pytest

from search.text.analysis import CJK_RUN, fold, segment
from search.engine.highlight import mark_hit
from search.ingest import iter_source_files, read_file
from search.query.parse import parse
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.text.synonyms import Synonyms

from conftest import SEEDS

MARK = re.compile(r"<mark>(.*?)</mark>")


@pytest.fixture(scope="module")
def searcher(seed_index):
    s = Searcher(seed_index)
    yield s
    s.close()


def marks(hit) -> list[str]:
    """Every marked string of a hit: snippet, heading, title."""
    out = MARK.findall(hit.snippet.html())
    for snip in (hit.heading_snippet, hit.title_snippet):
        if snip is not None:
            out += MARK.findall(snip.html())
    return out


def seed_queries(n_random: int = 150) -> list[str]:
    """Queries a reader could type on the seeds: the issue's, jieba's words of
    every title and heading, random literal pieces of texts, headings and
    titles, two-word queries, quoted and traditional forms."""
    fixed = ["扶贫车间", "扶貧車間", "拔河精神", '"就業扶貧公共實訓基地"', "公益性岗位", "劳务输出", '"劳务输出"',
             "创业担保贷款", "转移就业 贫困劳动力", "瞭解惠農", "就业扶贫", "技能培训", "扶贫 -车间",
             "甘肃 OR 陕西", "人社干部", "送上门", "2018", "公益性岗位 扶贫车间", "扶贫车间 甘肃"]
    rng = random.Random(10)
    titles, headings, texts = set(), set(), []
    for path in iter_source_files([str(SEEDS)]):
        for art in read_file(path):
            if art.title:
                titles.add(art.title)
            for p in art.paragraphs:
                texts.append(p.text)
                if p.heading:
                    headings.add(p.heading)
    words = sorted({w for t in sorted(titles | headings) for run in CJK_RUN.findall(t)
                    for w in segment(run) if len(w) >= 2})
    qs = fixed + words
    sources = sorted(titles) + sorted(headings) + texts
    for _ in range(n_random):
        runs = [r for r in CJK_RUN.findall(rng.choice(sources)) if len(r) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        k = rng.randint(2, min(6, len(run)))
        i = rng.randrange(len(run) - k + 1)
        piece = run[i:i + k]
        qs.append(rng.choice([piece, f'"{piece}"', piece + " " + rng.choice(words)]))
    return list(dict.fromkeys(qs))


def test_every_hit_of_every_query_carries_a_mark(searcher):
    queries = seed_queries()
    assert len(queries) > 200
    hits = unmarked = 0
    for q in queries:
        req = SearchRequest(q=q, size=100)
        result = searcher.search(req)
        while True:
            for h in result.hits:
                hits += 1
                if not marks(h):
                    unmarked += 1
                    pytest.fail(f"{q!r}: {h.para_id} shows no mark ({h.matched_in})")
                assert h.matched_in, (q, h.para_id)
                # matched_in says exactly where the marks are
                assert ("text" in h.matched_in) == ("<mark>" in h.snippet.html()) or not h.snippet.spans
                assert ("heading" in h.matched_in) == (h.heading_snippet is not None)
                assert ("title" in h.matched_in) == (h.title_snippet is not None)
            if req.page * req.size >= result.total:
                break
            req = req.replace(page=req.page + 1)
            result = searcher.search(req)
    print(f"{hits} hits of {len(queries)} queries, every one marked")
    assert hits > 1200 and unmarked == 0  # hits hold a word in their text: fewer than when titles sufficed


def test_a_heading_match_is_marked_in_the_heading_and_not_as_stray_pieces(searcher):
    """heading:公益性岗位: paragraph 18 of the Gansu article has 崗位 in its
    text, but it was found by its heading 扶貧車間+公益性崗位: the heading
    is marked, the stray 崗位 is not.  Unscoped, the word finds only the
    paragraphs whose own text holds it."""
    def found(q):
        return {h.para_no: h for h in searcher.search(SearchRequest(q=q, size=100)).hits
                if h.heading and "公益性崗位" in h.heading}
    assert 18 not in found("公益性岗位")  # its text lacks the word
    hits = found("heading:公益性岗位 OR 公益性岗位")
    h = hits[18]
    assert "崗位" in h.text and "公益性" not in h.text
    assert h.matched_in == ["heading"]
    assert "<mark>" not in h.snippet.html()
    assert h.heading_snippet.html().startswith("扶貧車間+<mark>公益性崗位</mark> ")
    assert h.title_snippet is None
    # the near-miss: where the text holds the word, the text is marked too
    h = hits[26]
    assert h.matched_in == ["text", "heading"]
    assert "<mark>公益性崗位</mark>" in h.snippet.html()


@pytest.mark.parametrize("q", ["扶贫车间", "拔河精神", '"就業扶貧公共實訓基地"'])
def test_hits_found_through_heading_or_title_mark_it(searcher, q):
    result = searcher.search(SearchRequest(q=q, size=100))
    assert result.total
    for h in result.hits:
        if "text" not in h.matched_in:
            assert (h.heading_snippet or h.title_snippet) is not None
            assert "<mark>" in (h.heading_snippet or h.title_snippet).html()


# -- the rule on small hand-written cases ------------------------------------------

def marked(q: str, text: str, heading: str | None = None, title: str = "标题", synonyms=None):
    m = mark_hit(parse(q, synonyms or (lambda w: [])), text, heading, title)
    return m, MARK.findall(m.snippet.html())


def test_a_cut_word_standing_whole_anywhere_marks_only_the_whole():
    m, text_marks = marked("公益性岗位", "还要把岗位送到家门口。", heading="扶贫车间+公益性岗位")
    assert text_marks == [] and m.matched_in == ["heading"]
    m, text_marks = marked("公益性岗位", "开发公益性岗位,把岗位送到家门口。")
    assert text_marks == ["公益性岗位"] and m.matched_in == ["text"]


def test_pieces_are_marked_where_only_the_pieces_matched():
    m, text_marks = marked("创业担保贷款", "创业园为贷款提供担保。")
    assert text_marks == ["创业", "贷款", "担保"] and m.matched_in == ["text"]
    m, text_marks = marked("创业担保贷款", "发放贷款。", heading="创业担保中心")
    assert text_marks == ["贷款"] and m.matched_in == ["text", "heading"]
    assert MARK.findall(m.heading.html()) == ["创业担保"]


def test_a_synonym_standing_whole_wins_over_pieces_of_the_typed_word():
    syn = Synonyms()
    m, text_marks = marked("公益性岗位", "开发公益岗,把岗位送到家门口,公益性质。", synonyms=syn)
    assert text_marks == ["公益岗"]


def test_marks_are_in_the_original_script_of_title_and_heading():
    m, _ = marked("扶贫车间", "无关的段落。", heading="扶貧車間+公益性崗位", title="甘肅扶貧車間")
    assert m.matched_in == ["heading", "title"]
    assert m.heading.html() == "<mark>扶貧車間</mark>+公益性崗位"
    assert m.title.html() == "甘肅<mark>扶貧車間</mark>"
    assert fold(m.title.text) == "甘肃扶贫车间"


# -- what the API, the command line and the page show -------------------------------

def test_api_and_cli_json_say_where_each_hit_matched(client, seed_index):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    a = client.get("/api/search", query_string={"q": "扶贫车间", "size": 100}).get_json()
    by_id = {h["para_id"]: h for h in a["hits"]}
    for h in a["hits"]:
        assert {"matched_in", "heading_snippet", "title_snippet", "snippet"} <= set(h)
        assert "<mark>" in h["snippet"] + (h["heading_snippet"] or "") + (h["title_snippet"] or "")
    assert all("text" in h["matched_in"] for h in a["hits"])  # a hit holds the word in its text
    scoped = client.get("/api/search", query_string={"q": "heading:扶贫车间", "size": 100}).get_json()
    heading_only = [h for h in scoped["hits"] if h["matched_in"] == ["heading"]]
    assert len(heading_only) >= 3 and len(heading_only) == len(scoped["hits"])
    for h in heading_only:
        assert h["heading_snippet"].startswith("<mark>扶貧車間</mark>+公益性崗位")
        assert "<mark>" not in h["snippet"] and h["title_snippet"] is None
    cli = subprocess.run([sys.executable, "-m", "search", "search", "扶贫车间", "--index", seed_index, "--json",
                          "--limit", "100"], cwd=ROOT, capture_output=True, text=True, check=True)
    for h in json.loads(cli.stdout)["hits"]:
        mine = by_id[h["para_id"]]
        assert (h["matched_in"], h["heading_snippet"], h["title_snippet"], h["snippet"]) == \
            (mine["matched_in"], mine["heading_snippet"], mine["title_snippet"], mine["snippet"])


def test_page_marks_heading_and_says_matched_in_heading(client):
    html = client.get("/", query_string={"q": "heading:公益性岗位 OR 公益性岗位", "size": 100}).get_data(as_text=True)
    items = re.findall(r'<li class="hit">(.*?)</li>', html, re.S)
    heading_only = [i for i in items if "匹配于小标题" in i]
    assert heading_only and len(heading_only) < len(items)
    for item in heading_only:
        assert '<p class="heading">扶貧車間+<mark>公益性崗位</mark>' in item
        snippet = re.search(r'<p class="snippet">(.*?)</p>', item, re.S).group(1)
        assert "<mark>" not in snippet
    for item in items:
        if "匹配于" not in item:  # the near-miss: a text match says nothing more
            assert "<mark>" in re.search(r'<p class="snippet">(.*?)</p>', item, re.S).group(1)


def test_page_marks_the_title_where_the_title_matched(client):
    html = client.get("/", query_string={"q": '"就業扶貧公共實訓基地" OR title:"就業扶貧公共實訓基地"', "size": 100}
                      ).get_data(as_text=True)
    items = re.findall(r'<li class="hit">(.*?)</li>', html, re.S)
    assert items and all(re.search(r"<h3><a [^>]*>全省首个藏区<mark>就业扶贫公共实训基地</mark>落成</a>", i)
                         for i in items)
    title_only = [i for i in items if "匹配于标题" in i]
    assert 0 < len(title_only) < len(items)


def _clause_spans_by_find(query, folded):
    """``highlight.clause_spans`` as every node's ``find`` gives it (the
    words' shortcut left out), overlapping spans merged the long way."""
    def merged(spans):
        out = []
        for s, e in sorted(spans):
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return out

    out = {name: [] for name in folded}
    for node in query.must:
        found = node.find(folded)
        for name in folded:
            out[name].append(merged(found.spans.get(name, [])) if found else [])
    return out


def test_the_marks_of_words_are_those_their_find_gives():
    """Marking a hit takes a shortcut for a query's plain words (no Found
    made, a field's lone span not sorted): over generated texts and queries
    (words, phrases, OR, NOT, latin words and numbers, fields, synonyms),
    the spans are those every node's ``find`` gives, merged; a word that
    stands next to itself (扶贫扶贫) is one mark."""
    from search.engine.highlight import clause_spans

    rng = random.Random(7)
    chars = "扶贫车间就业创业返乡 ab12、。"
    groups = {"扶贫": ["脱贫"], "车间": ["工厂"]}
    wide = lambda w: list(groups.get(w, []))  # noqa: E731
    items = ["扶贫", "车间", "就业", '"扶贫车间"', "ab", "12", "返乡创业", "OR", "-创业", "title:扶贫", "贫车"]
    assert clause_spans(parse("扶贫"), {"text": "扶贫扶贫", "title": "", "heading": "扶"})["text"] == [[(0, 4)]]
    for _ in range(400):
        q = parse(" ".join(rng.choice(items) for _ in range(rng.randint(1, 4))), wide if rng.random() < 0.5 else None)
        folded = {name: fold("".join(rng.choice(chars) for _ in range(rng.randint(0, 40))))
                  for name in ("text", "heading", "title")}
        assert clause_spans(q, folded) == _clause_spans_by_find(q, folded)


def test_a_snippets_html_is_escaped_as_written_whatever_it_holds():
    """``marked_html`` cuts a text holding nothing to escape as it is, and
    escapes one holding &, < or >: over generated texts and marks, the HTML
    is the text's pieces escaped, each mark in <mark>; a quote stays as written."""
    from html import escape

    from search.engine.highlight import marked_html

    def by_escaping(text, spans, start, end):
        out, pos = [], start
        for s, e in spans:
            s, e = max(s, start), min(e, end)
            if s < e:
                out += [escape(text[pos:s], quote=False), "<mark>" + escape(text[s:e], quote=False) + "</mark>"]
                pos = e
        return "".join(out + [escape(text[pos:end], quote=False)])

    rng = random.Random(11)
    assert marked_html('扶贫<b>"车间"&', [(0, 2), (5, 7)]) == '<mark>扶贫</mark>&lt;b&gt;<mark>"车</mark>间"&amp;'
    for _ in range(500):
        text = "".join(rng.choice('扶贫车间 ab"' + ("<>&" if rng.random() < 0.5 else "")) for _ in range(rng.randint(0, 30)))
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 2 * rng.randint(0, 3))))
        spans = list(zip(cuts[::2], cuts[1::2]))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        assert marked_html(text, spans, start, end) == by_escaping(text, spans, start, end)
