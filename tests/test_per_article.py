"""One story does not fill the page: ranked by relevance, the first page
holds at most two paragraphs of one article; the others follow it, and the
article's last hit shown says how many more it has (本文另有 N 段, linked).
Totals and facet counts still count every hit; the pages together list
every hit once; the date sorts and ``per_article=None`` keep the rank order."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from search.engine import per_article
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index
from search.text.synonyms import Synonyms

# One long report whose every paragraph is about 扶贫车间 (it would fill
# the page), and short reports that mention it once each.
LONG = [f"扶贫车间第{i}批开工,扶贫车间吸纳贫困劳动力{i + 20}人,扶贫车间带动增收。" for i in range(7)]
SHORT = {f"short{i}": f"县里的扶贫车间今年新招工人{i + 3}名,在家门口就业。" for i in range(5)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("per_article")
    rows = [{"id": "long", "title": "甘肃扶贫车间纪事", "date": "2019-05-01", "text": "\n".join(LONG)}]
    yield from capped_and_plain(folder, rows)


def capped_and_plain(folder, rows: list[dict]):
    """``rows`` and the five short items indexed in ``folder``: a searcher
    capping the first page per article and one listing the rank order."""
    path = folder / "news.jsonl"
    rows = rows + [{"id": k, "title": f"简讯{i}", "date": f"2019-06-{i + 1:02d}", "text": t}
                   for i, (k, t) in enumerate(SHORT.items())]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    build_index([str(path)], str(folder / "index"), rebuild=True, procs=1)
    no_synonyms = Synonyms(folder / "none.txt")
    capped = Searcher(str(folder / "index"), synonyms=no_synonyms)
    plain = Searcher(str(folder / "index"), synonyms=no_synonyms, per_article=None)
    yield capped, plain
    capped.close()
    plain.close()


def every_page(searcher, **kw) -> list:
    req = SearchRequest(q="扶贫车间", size=4, **kw)
    first = searcher.search(req)
    hits = list(first.hits)
    while len(hits) < first.total:
        req = req.replace(page=req.page + 1)
        hits += searcher.search(req).hits
    return hits


def test_the_rank_order_itself_puts_the_long_report_first(archive):
    """The near-miss: without the cap, the long report fills the first page."""
    _, plain = archive
    hits = plain.search(SearchRequest(q="扶贫车间", size=4)).hits
    assert [h.doc_id for h in hits] == ["long"] * 4
    assert all(h.more_in_article == 0 for h in hits)


def test_first_page_holds_two_paragraphs_of_one_article_and_says_how_many_more(archive):
    capped, plain = archive
    res = capped.search(SearchRequest(q="扶贫车间", size=4))
    docs = [h.doc_id for h in res.hits]
    assert docs[:2] == ["long", "long"] and docs.count("long") == 2
    assert len(set(docs[2:])) == 2 and "long" not in docs[2:]
    more = {h.para_id: h.more_in_article for h in res.hits}
    long_hits = [h for h in res.hits if h.doc_id == "long"]
    assert long_hits[-1].more_in_article == len(LONG) - 2 and long_hits[0].more_in_article == 0
    assert all(more[h.para_id] == 0 for h in res.hits if h.doc_id != "long")  # their only hit is shown
    # the best two of the long report, in the rank order's own order
    ranked = [h.para_id for h in plain.search(SearchRequest(q="扶贫车间", size=20)).hits if h.doc_id == "long"]
    assert [h.para_id for h in long_hits] == ranked[:2]


def test_total_and_facets_count_every_hit(archive):
    capped, plain = archive
    a, b = capped.search(SearchRequest(q="扶贫车间", size=4)), plain.search(SearchRequest(q="扶贫车间", size=4))
    assert a.total == b.total == len(LONG) + len(SHORT)
    assert a.facets == b.facets


def test_the_pages_list_every_hit_once_and_the_held_back_ones_next(archive):
    capped, plain = archive
    hits = every_page(capped)
    assert sorted(h.para_id for h in hits) == sorted(h.para_id for h in every_page(plain))
    assert len({h.para_id for h in hits}) == len(hits)
    # page 2 starts with the long report's paragraphs held back, best first
    held = [h.para_id for h in every_page(plain) if h.doc_id == "long"][2:]
    assert [h.para_id for h in hits[4:4 + len(held)]] == held[:len(hits) - 4]
    assert all(h.more_in_article == 0 for h in hits[4:])  # only the first page says it


def test_date_sorts_are_not_capped(archive):
    capped, plain = archive
    for sort in ("date_desc", "date_asc"):
        a = capped.search(SearchRequest(q="扶贫车间", size=4, sort=sort)).hits
        b = plain.search(SearchRequest(q="扶贫车间", size=4, sort=sort)).hits
        assert [h.para_id for h in a] == [h.para_id for h in b]
        assert all(h.more_in_article == 0 for h in a)


def test_when_articles_run_out_the_held_back_hits_fill_the_first_page(archive):
    capped, _ = archive
    res = capped.search(SearchRequest(q="扶贫车间 甘肃"))  # only the long report (甘肃 in its title)
    assert res.total == len(LONG) and len(res.hits) == len(LONG)
    assert all(h.more_in_article == 0 for h in res.hits)  # nothing left to link


def test_export_lists_the_pages_in_order(archive):
    capped, _ = archive
    exported = list(capped.iter_hits(SearchRequest(q="扶贫车间", size=4)))
    assert [h.para_id for h in exported] == [h.para_id for h in every_page(capped)]
    assert [h.more_in_article for h in exported[:4]] == [
        h.more_in_article for h in capped.search(SearchRequest(q="扶贫车间", size=4)).hits]


def test_page_says_how_many_more_and_links_the_article_with_the_query(client):
    body = client.get("/api/search", query_string={"q": "扶贫车间", "size": 4}).get_json()
    linked = [h for h in body["hits"] if h["more_in_article"]]
    assert linked, "the seeds' workshop reports hold more than two matching paragraphs"
    for h in body["hits"]:
        assert sum(x["doc_id"] == h["doc_id"] for x in body["hits"]) <= 2
    h = linked[0]
    total_in_article = client.get("/api/export", query_string={"q": "扶贫车间", "size": 4, "format": "jsonl"}).data.decode()
    n = sum(json.loads(line)["doc_id"] == h["doc_id"] for line in total_in_article.splitlines())
    shown = sum(x["doc_id"] == h["doc_id"] for x in body["hits"])
    assert h["more_in_article"]["count"] == n - shown
    assert h["more_in_article"]["url"].startswith(f"/docs/{h['doc_id']}?q=")
    page = client.get("/", query_string={"q": "扶贫车间", "size": 4}).get_data(as_text=True)
    m = re.search(r'<p class="more-in-article"><a href="([^"]+)">本文另有 (\d+) 段</a></p>', page)
    assert m and int(m.group(2)) == n - shown
    article = client.get(m.group(1).replace("&amp;", "&"))
    assert article.status_code == 200 and "<mark>" in article.get_data(as_text=True)


# -- the step itself, on generated rankings ------------------------------------------


@settings(max_examples=200, deadline=None)
@given(owners=st.lists(st.integers(0, 6), min_size=0, max_size=60), size=st.integers(1, 12),
       cap=st.integers(1, 3))
def test_any_ranking_gives_capped_first_page_and_a_permutation(owners, size, cap):
    # docnums 0..n-1 ranked in a shuffled order; article heads from `owners`
    n = len(owners)
    heads_of = sorted(set(owners))
    # lay the articles out in index order: article k's paragraphs after its head
    docnum_owner = sorted(range(n), key=lambda i: owners[i])
    owner_of = {d: owners[i] for d, i in enumerate(docnum_owner)}
    heads_by_docnum = np.array(sorted(min(d for d in range(n) if owner_of[d] == a) for a in heads_of), dtype=np.int64)
    ranking = list(range(n))[::-1]  # any fixed order will do

    def top(k):
        return ranking[:k], [float(n - i) for i in range(min(k, n))]

    pages = [per_article.page(top, n, heads_by_docnum, p, size, cap)[0] for p in range(1, -(-n // size) + 2)]
    listed = [d for pg in pages for d in pg]
    assert sorted(listed) == list(range(n))
    first = pages[0]
    counts = {}
    for d in first:
        counts[owner_of[d]] = counts.get(owner_of[d], 0) + 1
    if sum(min(owners.count(a), cap) for a in set(owners)) >= size:  # enough articles to fill it
        assert max(counts.values(), default=0) <= cap
    assert len(first) == min(size, n)
    # it passes over no hit it could have taken: each hit ranked above its
    # last one and left out belongs to an article already at the cap
    last = ranking.index(first[-1]) if first else -1
    for d in ranking[:last]:
        if d not in first:
            assert sum(owner_of[x] == owner_of[d] for x in first if ranking.index(x) < ranking.index(d)) == cap


def test_the_command_line_says_how_many_more_too(archive):
    import subprocess
    import sys

    from conftest import ROOT

    def search(*args):
        return subprocess.run([sys.executable, "-m", "search", "search", "扶贫车间", "--limit", "4",
                               "--index", archive[0].index_dir, *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=300).stdout

    out = search()
    assert f"本文另有 {len(LONG) - 2} 段 (long)" in out
    assert out.count("本文另有") == 1
    assert "本文另有" not in search("--sort", "date_desc")  # by date: the pages as they come


@settings(max_examples=200, deadline=None)
@given(owners=st.lists(st.integers(0, 6), min_size=0, max_size=60), size=st.integers(1, 12),
       cap=st.integers(1, 3), said=st.sets(st.integers(0, 59)),
       printed=st.lists(st.integers(-1, 3), min_size=60, max_size=60))
def test_paragraphs_restating_the_title_keep_the_pages_a_permutation(owners, size, cap, said, printed):
    """Passing over paragraphs that restate their title (any of them, here
    ``said``) and showing a reprinted text once (``printed``: each docnum's
    reprint group) still lists every hit once, at most ``cap`` of one
    article and one hit of a reprint group on the first page when the list
    allows, and an article's best hit is passed over only as a reprint."""
    n = len(owners)
    heads_of = sorted(set(owners))
    docnum_owner = sorted(range(n), key=lambda i: owners[i])
    owner_of = {d: owners[i] for d, i in enumerate(docnum_owner)}
    heads_by_docnum = np.array(sorted(min(d for d in range(n) if owner_of[d] == a) for a in heads_of), dtype=np.int64)
    ranking = list(range(n))[::-1]

    def top(k):
        return ranking[:k], [float(n - i) for i in range(min(k, n))]

    groups = np.array(printed[:n], dtype=np.int64)
    pages = [per_article.page(top, n, heads_by_docnum, p, size, cap, lambda d: d in said, groups)[0]
             for p in range(1, -(-n // size) + 2)]
    listed = [d for pg in pages for d in pg]
    assert sorted(listed) == list(range(n))
    first = pages[0]
    assert len(first) == min(size, n)
    best = {}
    for d in ranking:
        best.setdefault(owner_of[d], d)
    # when the page's picks filled it (``reach`` short of the list's end; else
    # held-back hits may have filled what the picks could not)
    _, _, reach = per_article.window(top, n, heads_by_docnum, size, cap, 0, size, lambda d: d in said, groups)
    if reach >= n:
        return
    chosen = first
    counts = {}
    for d in chosen:
        counts[owner_of[d]] = counts.get(owner_of[d], 0) + 1
    assert max(counts.values(), default=0) <= cap
    shown = [groups[d] for d in chosen if groups[d] >= 0]
    assert len(shown) == len(set(shown))  # each text once
    for d in chosen:  # an article shown shows its best, unless that is a reprint of a text shown
        b = best[owner_of[d]]
        assert b in chosen or (groups[b] >= 0 and groups[b] in shown)


def test_restating_the_title_and_its_near_misses():
    title = "习近平给大学生村官复信 对全国大学生村官提出殷切期望"
    lead = "本台消息:近日,习近平给大学生村官复信,对全国大学生村官提出殷切期望。复信全文如下。"
    assert per_article.restates(title, lead)
    # most of the title, not all: the paragraph goes on about something of its own
    assert not per_article.restates(title, "习近平给大学生村官复信后,各地村官纷纷表示要扎根基层。")
    # a column's name in 【】 is not part of what the headline says
    assert per_article.restates("【新春走基层】" + title, lead)
    # a title too short to be restated (a digest's name)
    assert not per_article.restates("联播快讯", "联播快讯:今天全国各地天气晴好。")
    # the title's pairs counted only side by side: the lead with a mark after every
    # second character holds every character of the title, none of its pairs but
    # those within the runs left (fewer than nine in ten of them)
    cut = "".join(c + ("," if k % 2 else "") for k, c in enumerate(lead))
    assert not per_article.restates(title, cut) and not per_article.restates(title, cut.replace(",", "_"))
    assert per_article.restates(title, lead.replace("近日", "近日_"))  # a mark outside the title's pairs


# An article whose lead repeats its headline, ranked second among the
# article's paragraphs, and a third paragraph saying something of its own.
HEADLINE = "县里扶贫车间吸纳贫困劳动力就业"
STORY = [
    "扶贫车间第一批开工,扶贫车间吸纳本村贫困劳动力三十人,扶贫车间带动全村增收,扶贫车间越办越红火。",
    "本台消息:县里扶贫车间吸纳贫困劳动力就业,扶贫车间越办越多。",
    "扶贫车间的工人每月收入两千元,扶贫车间还给留守妇女排了弹性工时。",
]


@pytest.fixture(scope="module")
def headline_archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("headline")
    rows = [{"id": "story", "title": HEADLINE, "date": "2019-05-01", "text": "\n".join(STORY)},
            # the near miss: the same paragraphs under a headline the lead does not restate
            # (told of another village: the same text twice would be a reprint, shown once)
            {"id": "plain", "title": "山村新事见闻录", "date": "2019-05-02",
             "text": "\n".join(p.replace("县里", "村里").replace("本村", "邻村").replace("两千", "三千") for p in STORY)}]
    yield from capped_and_plain(folder, rows)


def test_a_lead_restating_the_headline_gives_its_place_to_the_next_paragraph(headline_archive):
    capped, plain = headline_archive
    ranked = [(h.doc_id, h.para_no) for h in plain.search(SearchRequest(q="扶贫车间", size=20)).hits]
    story = [p for d, p in ranked if d == "story"]
    assert story == [1, 2, 3]  # the rank order: the lead second in its article
    assert [p for d, p in ranked if d == "plain"] == [1, 2, 3]
    res = capped.search(SearchRequest(q="扶贫车间", size=6, explain=True))
    shown = [h.para_no for h in res.hits if h.doc_id == "story"]
    assert shown == [1, 3]  # its best, then the paragraph saying something of its own
    assert [h for h in res.hits if h.doc_id == "story"][-1].more_in_article == 1
    # the near miss: under a headline the lead does not restate, the article's best two stay
    assert [h.para_no for h in res.hits if h.doc_id == "plain"] == [1, 2]
    # the lead follows the first page, and says why
    page2 = capped.search(SearchRequest(q="扶贫车间", size=6, page=2, explain=True)).hits
    lead = [h for h in page2 if (h.doc_id, h.para_no) == ("story", 2)][0]
    rule = lead.explain[0]
    assert rule["rule"] == "per_article" and rule["value"] == 1 and "复述文章标题" in rule["why"]


def test_a_text_printed_in_two_articles_is_shown_once_on_the_first_page(tmp_path):
    """The same paragraph in two articles (a reprint, 转载) takes one place
    on the first page, saying it is reprinted; the other copy follows the
    page. The near miss: the rank order itself lists both."""
    same = "扶贫车间吸纳贫困劳动力三十人,扶贫车间带动全村增收,扶贫车间越办越红火。"
    rows = [{"id": "a", "title": "甲县新闻", "date": "2019-05-01", "text": same},
            {"id": "b", "title": "乙县新闻", "date": "2019-05-02", "text": same}]
    rows += [{"id": k, "title": f"简讯{i}", "date": f"2019-06-{i + 1:02d}", "text": t}
             for i, (k, t) in enumerate(SHORT.items())]
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    build_index([str(path)], str(tmp_path / "index"), rebuild=True, procs=1)
    no_synonyms = Synonyms(tmp_path / "none.txt")
    capped = Searcher(str(tmp_path / "index"), synonyms=no_synonyms)
    plain = Searcher(str(tmp_path / "index"), synonyms=no_synonyms, per_article=None)
    try:
        ranked = [h.doc_id for h in plain.search(SearchRequest(q="扶贫车间", size=3)).hits]
        assert sorted(ranked[:2]) == ["a", "b"]  # the rank order: both copies first
        res = capped.search(SearchRequest(q="扶贫车间", size=3, explain=True))
        docs = [h.doc_id for h in res.hits]
        assert docs[0] in ("a", "b") and not {"a", "b"} <= set(docs)
        assert res.hits[0].reprints == 1
        nxt = capped.search(SearchRequest(q="扶贫车间", size=3, page=2, explain=True)).hits
        copy = nxt[0]
        assert copy.doc_id in ("a", "b") and copy.doc_id != docs[0]
        assert copy.explain[0]["value"] == 1 and "转载" in copy.explain[0]["why"]
    finally:
        capped.close()
        plain.close()


def test_a_paragraphs_article_read_by_its_number_is_the_one_the_heads_give(tmp_path):
    """``Snapshot.heads_of`` and ``article_bounds`` (two lookups a paragraph)
    give what a binary search of the live heads gives, where files were
    dropped and replaced (dead articles between live ones), for every live
    paragraph; and a snapshot where some article's first paragraph is dead
    while others of it live (what an index never writes) is told apart and
    searched the old way."""
    from search.engine.snapshot import Snapshot
    from search.store import Index

    files = []
    for f in range(4):
        path = tmp_path / f"f{f}.jsonl"
        rows = [{"id": f"a{f}-{k}", "title": f"标题{f}{k}", "date": "2020-01-01",
                 "text": "\n".join(f"第{f}份第{k}篇第{i}段,扶贫车间。" for i in range(1 + (f + k) % 3))}
                for k in range(3)]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        files.append(path)
    build_index([str(p) for p in files], str(tmp_path / "ix"), procs=1)
    files[1].write_text(files[1].read_text(encoding="utf-8").replace("扶贫", "就业"), encoding="utf-8")
    build_index([str(p) for p in files if p != files[2]], str(tmp_path / "ix"), procs=1)  # f2 dropped, f1 replaced
    snap = Snapshot(Index.open(str(tmp_path / "ix")))
    try:
        assert snap.whole_articles and not snap.live.all()  # dead articles, whole
        live = snap.all_live.astype(np.int64)
        heads = snap.heads_by_docnum

        def by_search(docnums):
            h = per_article.article_of(heads, docnums)
            nxt = np.searchsorted(heads, h, side="right")
            return h, [int(heads[i]) if i < len(heads) else None for i in nxt]

        for docnums in (live, live[::-1], live[-1:], live[:1]):
            h, ends = by_search(docnums)
            assert snap.heads_of(docnums).tolist() == h.tolist()
            fast_heads, fast_ends = snap.article_bounds(docnums)
            assert fast_heads.tolist() == h.tolist()
            # the ends may differ only where no live paragraph lies between them
            for a, b in zip(fast_ends.tolist(), ends):
                b = np.iinfo(np.int64).max if b is None else b
                assert a <= b and not ((live >= a) & (live < b)).any()
        # the articles a search's hits come from, counted from the packed entries its counts read
        from search.engine import facet_counts

        assert snap.packed_articles is not None
        for docs in (snap.all_live, snap.all_live[::2], snap.all_live[-3:], snap.all_live[:0]):
            gathered: dict = {}
            facet_counts._gather(snap.packed_articles[0], docs, gathered)
            assert (snap.articles_in(docs, gathered) == snap.articles_in(docs)
                    == len(set(snap.article_no[docs].tolist())))
        docs = live[::2]
        shown = live[::3][:10].tolist()
        assert (per_article.more_in_article(heads, docs, shown, snap.article_bounds)
                == per_article.more_in_article(heads, docs, shown))
        # the near miss: an article's first paragraph dead, its second live
        first = next(h for h in heads.tolist() if h + 1 < len(snap.live) and snap.live[h + 1] and h + 1 not in heads)
        second = first + 1
        snap.live = snap.live.copy()
        snap.live[first] = False
        snap.heads_by_docnum = heads = heads[heads != first]
        snap.all_live = np.flatnonzero(snap.live).astype(np.int32)
        snap.whole_articles = Snapshot.whole(snap)
        assert not snap.whole_articles
        assert snap.heads_of([second]).tolist() == per_article.article_of(heads, [second]).tolist()
    finally:
        snap.close()
