"""Reprints (转载) and articles without a headline in a real browser
(Chromium, headless, against the real server), with and without
JavaScript, at 1280 and 375 pixels: the 另见 N 篇 link and the page it
opens, the 合并转载 toggle with its counts checked against brute force, and
an untitled article on the results, the article list, the article page,
the trends and the concordance.  Screenshots go to tests/screenshots/."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conftest import serve
from test_browser import DESKTOP, PHONE, browser, shoot, total  # noqa: F401
from test_browser_analysis import api_hits, open_tab

from playwright.sync_api import expect  # noqa: E402

from search.text.fingerprint import MIN_CHARS, normalized
from search.text.lead import first_words

SHARED = "甘肃省临夏州建成各类扶贫车间110多家，吸纳就业6000余人，其中建档立卡贫困劳动力2800多人，人均月增收两千元。"
SHARED_TRAD = "甘肅省臨夏州建成各類扶貧車間110多家,吸納就業6000餘人,其中建檔立卡貧困勞動力2800多人,人均月增收兩千元"
OTHER = "四川省广元市新建就业扶贫基地78个，扶贫车间62个，实现贫困劳动者就地就近就业6265人，人均年收入明显增加。"
LEAD_TEXT = "近日，临夏州东乡县的扶贫车间里机器轰鸣，一批留守妇女在家门口实现了就业，收入稳定增长。"
ARTICLES = [
    {"id": "a", "title": "临夏州扶贫车间吸纳就业的调查报告(上篇):车间建在家门口,群众就业有门路", "source": "甘肃日报",
     "date": "2019-05-01", "text": f"{SHARED}\n{OTHER}"},
    {"id": "b", "title": "乙转载", "source": "中國組織人事報", "date": "2019-03-01", "text": SHARED_TRAD},
    {"id": "u", "source": "丙网", "date": "2019-06-01", "text": f"{LEAD_TEXT}\n{SHARED}\n当地临夏州扶贫车间还开发了公益性岗位。"},
    {"id": "v", "text": f"{LEAD_TEXT}"},  # no title, source or date
]
LEAD = first_words(LEAD_TEXT)
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from search.indexing import build_index

    folder = tmp_path_factory.mktemp("browser_reprints")
    (folder / "a.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES),
                                    encoding="utf-8")
    build_index([str(folder / "a.jsonl")], str(folder / "index"), rebuild=True, procs=1)
    yield from serve(str(folder / "index"), tmp_path_factory)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    return request.param


@pytest.fixture(params=list(VIEWPORTS))
def size(request):
    return request.param


def fits(page) -> None:
    """Nothing sticks out sideways: the page scrolls only down.  Measured
    once the page has loaded: after a link is followed, its text can be
    there before its style sheet is, and a reader sees nothing meanwhile."""
    page.wait_for_load_state("load")
    # the page's width, and the first elements past the screen's right edge, to say which
    wide = page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth ? [] :
        ['scrollWidth ' + document.documentElement.scrollWidth].concat([...document.body.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth)
        .slice(0, 5).map(e => e.tagName + '.' + e.className))""")
    assert wide == [], f"wider than the screen: {wide}"


def brute_collapsed(hits) -> int:
    """Hits left when each text printed in several articles counts once."""
    docs = defaultdict(set)
    for h in hits:
        norm = normalized(h["text"])
        if len(norm) >= MIN_CHARS:
            docs[norm].add(h["doc_id"])
    seen, left = set(), 0
    for h in hits:
        norm = normalized(h["text"])
        if len(docs.get(norm, ())) > 1:
            if norm in seen:
                continue
            seen.add(norm)
        left += 1
    return left


def test_another_n_opens_the_others_earliest_first(browser, server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    page.goto(server + "/?q=临夏州&sort=date_asc")
    hit = page.locator(".hit", has=page.locator("a.reprints")).first
    link = hit.locator("a.reprints")
    expect(link).to_have_text("另见 2 篇")
    expect(link).to_be_visible()
    fits(page)
    shoot(page, f"i20-reprints-hits-{size}-{'js' if js else 'nojs'}")
    link.click()
    expect(page.locator("h1")).to_have_text("同一段文字还见于 2 篇文章")
    items = page.locator(".reprint-list li")
    expect(items).to_have_count(2)
    dates = [items.nth(i).locator(".meta").inner_text() for i in range(2)]
    assert "2019-05-01" in dates[0] and "2019-06-01" in dates[1], "earliest first"
    # the untitled article is listed by its first words, marked
    expect(items.nth(1).locator(".untitled")).to_have_text("无标题")
    expect(items.nth(1).locator(".lead")).to_have_text(LEAD)
    # the text in its own script, the query marked; the way back to the search
    expect(page.locator(".reprint-text mark").first).to_have_text("臨夏州")
    expect(page.locator("a.back")).to_have_text("← 返回“临夏州”的搜索结果")
    fits(page)
    shoot(page, f"i20-reprints-page-{size}-{'js' if js else 'nojs'}")
    items.nth(1).locator("a").click()
    expect(page.locator("h1 .lead")).to_have_text(LEAD)
    expect(page.locator("#p2 mark").first).to_have_text("临夏州")
    page.go_back()
    page.locator("a.back").click()
    expect(page.locator(".hit").first.locator("a.reprints")).to_have_text("另见 2 篇")
    assert "sort=date_asc" in page.url
    context.close()
    assert problems == []


def test_the_collapse_toggle_counts_each_text_once(browser, server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    page.goto(server + "/?q=临夏州")
    every = api_hits(server, "q=%E4%B8%B4%E5%A4%8F%E5%B7%9E")  # 临夏州
    assert total(page) == len(every) == 6
    page.locator(".collapse-toggle a", has_text="合并转载").click()
    expect(page.locator(".collapse-toggle")).to_contain_text("转载已合并")
    expect(page.locator(".summary .total")).to_have_text(str(brute_collapsed(every)))
    assert brute_collapsed(every) == 3
    # the earliest publication is the one kept: the traditional-script reprint of 2019-03-01
    texts = page.locator(".hit .snippet").all_inner_texts()
    assert any("甘肅省臨夏州" in t for t in texts) and not any("甘肃省临夏州建成" in t for t in texts)
    fits(page)
    shoot(page, f"i20-collapsed-{size}-{'js' if js else 'nojs'}")
    page.locator(".collapse-toggle a", has_text="显示全部转载").click()
    expect(page.locator(".summary .total")).to_have_text(str(len(every)))
    context.close()
    assert problems == []


def test_an_untitled_article_walks_through_every_page(browser, server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    tag = "js" if js else "nojs"
    page.goto(server + "/?q=扶贫车间")
    untitled = page.locator(".hit h3", has=page.locator(".untitled"))
    expect(untitled.first.locator(".lead")).to_have_text(LEAD)
    # a lighter style than a headline: the reader never takes the words for one
    weights = page.evaluate("""() => { const lead = document.querySelector('.hit h3 .lead');
        const head = [...document.querySelectorAll('.hit h3 a')].find(a => !a.querySelector('.untitled'));
        return [getComputedStyle(lead).fontWeight, getComputedStyle(head).fontWeight]; }""")
    assert int(weights[0]) < int(weights[1]), weights
    fits(page)
    shoot(page, f"i20-untitled-results-{size}-{tag}")
    page.goto(server + "/docs")
    expect(page.locator(".doc-title .untitled")).to_have_count(2)
    fits(page)
    shoot(page, f"i20-untitled-docs-{size}-{tag}")
    page.locator(".doc-title a", has=page.locator(".untitled")).first.click()
    expect(page.locator("h1 .untitled")).to_have_text("无标题")
    assert page.title().startswith(f"〔无标题〕{LEAD}")
    fits(page)
    shoot(page, f"i20-untitled-article-{size}-{tag}")
    for name, path in (("trends", "/trends?q=临夏州&q=扶贫车间"), ("kwic", "/kwic?q=临夏州")):
        page.goto(server + path)
        expect(page.locator("h1")).to_be_visible()
        fits(page)
        if name == "kwic":
            # each line's date and source in view, not behind the table's sideways scroll
            right = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.kwic td.where')]
                .map(td => td.getBoundingClientRect().right))""")
            assert right <= page.viewport_size["width"], right
        shoot(page, f"i20-untitled-{name}-{size}-{tag}")
    context.close()
    assert problems == []
