"""Issue 11 in a real browser (Chromium, headless, against the real
server): export, charts, years, the article list and page, citations,
error pages and accessibility; with and without JavaScript, at 1280 and
375 pixels.  Screenshots go to tests/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request

import pytest

from test_browser import DESKTOP, PHONE, browser, shoot, total  # noqa: F401

from playwright.sync_api import expect  # noqa: E402

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request):
    return request.param


@pytest.fixture(params=list(VIEWPORTS))
def size(request):
    return request.param


def open_tab(browser, viewport=DESKTOP, js=True, **kw):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN", java_script_enabled=js, accept_downloads=True, **kw)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return context, tab, problems


def facet_counts(page, name: str) -> dict[str, int]:
    """A facet's values and counts as the page lists them (even in a closed panel)."""
    links = page.locator(f'.facet[data-facet="{name}"] .facet-value')
    return {links.nth(i).locator(".facet-label").text_content(): int(links.nth(i).locator(".count").text_content())
            for i in range(links.count())}


def api_hits(base: str, qs: str) -> list[dict]:
    hits, page = [], 1
    while True:
        with urllib.request.urlopen(f"{base}/api/search?{qs}&size=100&page={page}") as r:
            body = json.load(r)
        hits += body["hits"]
        if not body["next_url"]:
            return hits
        page += 1


def test_export_links_download_every_hit_in_the_api_order(browser, live_server, js):  # noqa: F811
    context, page, problems = open_tab(browser, js=js)
    qs = "q=%E6%89%B6%E8%B4%AB&province=%E7%94%98%E8%82%83&sort=date_asc"
    page.goto(f"{live_server}/?{qs}")
    expected = api_hits(live_server, qs)
    assert len(expected) == total(page) > 10  # more than a page
    link = page.locator(".export-links a", has_text="CSV")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("zhsearch_扶贫_甘肃_") and download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["para_id"] for r in rows] == [h["para_id"] for h in expected]
    assert [r["text"] for r in rows] == [h["text"] for h in expected]
    with page.expect_download() as info:
        page.locator(".export-links a", has_text="JSONL").click()
    lines = [json.loads(x) for x in open(info.value.path(), encoding="utf-8").read().splitlines()]
    assert lines == [{**h, "url": live_server + h["url"]} for h in expected]  # whole URLs in a file
    shoot(page, f"i11-export-{'js' if js else 'nojs'}", full_page=False)
    context.close()
    assert problems == []


def chart_counts(page, kind: str) -> dict[str, int]:
    links = page.locator(f".chart-{kind} a")
    return {links.nth(i).get_attribute("data-value"): int(links.nth(i).get_attribute("data-count"))
            for i in range(links.count())}


def test_charts_show_the_facet_counts_and_filter_when_clicked(browser, live_server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    page.goto(live_server + "/?q=扶贫")
    years = facet_counts(page, "year")
    bars = chart_counts(page, "year")
    assert {("不详" if k == "年份不详" else k): v for k, v in years.items()} == bars
    provinces = facet_counts(page, "province")
    assert chart_counts(page, "provinces") == provinces
    # each tile and bar names its count for a screen reader
    tile = page.locator(".chart-provinces a").first
    assert re.fullmatch(r".+:\d+ 段", tile.locator("title").text_content())
    expect(page.locator(".chart-provinces svg")).to_be_visible()
    shoot(page, f"i11-charts-{size}-{'js' if js else 'nojs'}")
    name, count = min(provinces.items(), key=lambda kv: kv[1])
    page.locator(f'.chart-provinces a[data-value="{name}"]').click()
    expect(page).to_have_url(re.compile("province="))
    expect(page.locator(".summary .total")).to_have_text(str(count))
    expect(page.locator(".active-filters .chip")).to_contain_text(name)
    year = next(iter(chart_counts(page, "year")))  # a year the filtered chart shows
    page.locator(f'.chart-year a[data-value="{year}"]').click()
    expect(page).to_have_url(re.compile("year="))
    expect(page.locator(".active-filters .chip")).to_have_count(2)
    context.close()
    assert problems == []


def test_years_newest_first_unknown_last_and_a_range(browser, live_server, js):  # noqa: F811
    context, page, problems = open_tab(browser, js=js)
    page.goto(live_server + "/")
    expect(page.locator(".sort .current")).to_have_text("最新")  # browsing: newest first
    dates = [d for d in page.locator(".hit time").all_inner_texts()]
    assert dates == sorted(dates, reverse=True)
    labels = list(facet_counts(page, "year"))
    assert labels[-1] == "年份不详"
    assert labels[:-1] == sorted(labels[:-1], reverse=True)
    unknown = facet_counts(page, "year")["年份不详"]
    more = page.locator('.facet[data-facet="year"] details.more summary')
    if more.count():
        more.click()
    page.locator('.facet[data-facet="year"] .facet-value', has_text="年份不详").click()
    expect(page.locator(".summary .total")).to_have_text(str(unknown))
    expect(page).to_have_url(re.compile("year=none"))
    for tags in page.locator(".hit").all_inner_texts():
        assert not re.search(r"\d{4}年", tags.split("\n")[-1])
    page.goto(live_server + "/?q=扶贫")
    page.fill("#year_from", "2017")
    page.fill("#year_to", "2018")
    page.locator('.facet[data-facet="year"] .range-form button').click()
    expect(page).to_have_url(re.compile(r"year_from=2017&year_to=2018"))
    expect(page.locator(".active-filters .chip")).to_contain_text("2017–2018")
    assert set(facet_counts(page, "year")) <= {"2017", "2018"}
    shoot(page, f"i11-years-{'js' if js else 'nojs'}", full_page=False)
    context.close()
    assert problems == []


def test_article_list_article_search_and_the_way_back(browser, live_server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    start = live_server + "/?q=%E6%89%B6%E8%B4%AB&province=%E7%94%98%E8%82%83&sort=date_desc&size=3&page=2"
    page.goto(start)
    page.locator(".site-nav a", has_text="文章列表").click()
    expect(page).to_have_url(live_server + "/docs")
    expect(page.locator("h1")).to_have_text("文章列表")
    dates = page.locator(".doc-list time").all_inner_texts()
    assert dates == sorted(dates, reverse=True)
    page.locator('.facet[data-facet="province"] .facet-value', has_text="甘肃").click()
    expect(page).to_have_url(re.compile(r"/docs\?province="))
    expect(page.locator(".doc-list .hit")).to_have_count(int(page.locator(".summary .total").inner_text()))
    shoot(page, f"i11-docs-{size}-{'js' if js else 'nojs'}")
    # from a search, deep in its pages, to an article and back
    page.goto(start)
    page.locator(".hit h3 a").first.click()
    expect(page.locator(".article .tags").first).to_be_visible()
    page.fill("#find", "牛肉面")
    page.locator(".find-form button").click()
    expect(page.locator(".find-result")).to_contain_text("段含“牛肉面”")
    expect(page.locator(".para.found").first).to_be_visible()
    shoot(page, f"i11-article-{size}-{'js' if js else 'nojs'}", full_page=False)
    page.locator("a.back").click()
    expect(page).to_have_url(start)
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("2")
    expect(page.locator("#q")).to_have_value("扶贫")
    page.go_back()
    page.locator("a.everywhere").click()
    expect(page).to_have_url(re.compile(r"/\?q=%E7%89%9B%E8%82%89%E9%9D%A2$"))
    context.close()
    assert problems == []


def test_citations_disclose_and_copy(browser, live_server, js):  # noqa: F811
    context, page, problems = open_tab(browser, js=js, permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/?q=扶贫车间&province=甘肃")
    cite = page.locator(".hit .cite").first
    expect(cite.locator(".cite-text")).to_be_hidden()
    cite.locator("summary").click()
    text = cite.locator(".cite-text").inner_text()
    assert re.fullmatch(r".+\[(N|EB/OL)\]\. .+: 第\d+段\.( \S+\.)?", text), text
    button = cite.locator("button.copy")
    if js:
        expect(button).to_be_visible()
        button.click()
        expect(cite.locator(".copy-status")).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == text
    else:
        expect(button).to_be_hidden()
    page.locator(".hit h3 a").first.click()
    page.locator(".article > .cite summary").click()
    assert "[N]" in page.locator("#cite-article").inner_text() or "[EB/OL]" in page.locator("#cite-article").inner_text()
    context.close()
    assert problems == []


def test_error_pages_are_chinese_and_keep_the_query(browser, live_server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    for url, words in [("/?q=%E6%89%B6%E8%B4%AB&page=0", "页码应为 1 到 10000"),
                       ("/?q=%E6%89%B6%E8%B4%AB&year=19", "四位数字"),
                       ("/?q=%E6%89%B6%E8%B4%AB&province=%E7%81%AB%E6%98%9F", "没有这个省份")]:
        response = page.goto(live_server + url)
        assert response.status == 400
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator(".error-page")).to_contain_text(words)
        assert not re.search(r"must|unknown", page.locator("main").inner_text())
        expect(page.locator("#q")).to_have_value("扶贫")
    page.locator("#q").fill("就业")
    page.locator("#q").press("Enter")
    expect(page.locator(".summary")).to_contain_text("就业")
    page.goto(live_server + "/docs/no-such-article?q=%E6%89%B6%E8%B4%AB")
    expect(page.locator("h1")).to_have_text("没有找到这个页面")
    expect(page.locator("#q")).to_have_value("扶贫")
    shoot(page, f"i11-error-{size}-{'js' if js else 'nojs'}")
    context.close()
    # the 4xx answers themselves are the only console errors
    assert all("status of 4" in p for p in problems), problems


def test_one_h1_aria_live_on_the_summary_autofocus_only_at_home(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser)
    for path in ["/", "/?q=扶贫", "/docs", "/docs?year=2018"]:
        page.goto(live_server + path)
        expect(page.locator("h1")).to_have_count(1)
        assert page.locator("[autofocus]").count() == (1 if path == "/" else 0), path
    page.goto(live_server + "/?q=扶贫")
    live = page.locator("[aria-live]")
    expect(live).to_have_count(1)
    assert live.get_attribute("id") == "summary"
    # the live region survives an update, with new words in it
    handle = live.element_handle()
    page.locator("#q").fill("扶贫车间")
    expect(page.locator("#summary")).to_contain_text("扶贫车间")
    assert page.evaluate("(el) => el.isConnected", handle)
    page.goto(live_server + "/?q=扶贫")
    page.keyboard.press("Tab")  # skip link
    for _ in range(90):  # the keyboard reaches the export and tool links and a chart tile (past two facets' year bars)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.chart-provinces') !== null"):
            break
    else:
        pytest.fail("no chart tile reached with Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("province="))
    context.close()
    assert problems == []


def test_phone_filter_panel_stays_open_while_picking(browser, live_server, js):  # noqa: F811
    context, page, problems = open_tab(browser, PHONE, js=js)
    page.goto(live_server + "/?q=扶贫")
    panel = page.locator(".facet-panel")
    if js:
        expect(panel).not_to_have_attribute("open", "")
        panel.locator("> summary").click()
    expect(panel.locator('.facet[data-facet="province"]')).to_be_visible()
    names = list(facet_counts(page, "province"))[:2]
    for i, name in enumerate(names, 1):
        page.locator('.facet[data-facet="province"] .facet-value', has_text=name).click()
        expect(page.locator('.facet[data-facet="province"] .facet-value.selected')).to_have_count(i)
        expect(page.locator('.facet[data-facet="province"]')).to_be_visible()  # still open
    shoot(page, f"i11-phone-panel-{'js' if js else 'nojs'}")
    context.close()
    assert problems == []


def test_publication_year_chart_and_articles_grouped(browser, live_server, js, size):  # noqa: F811
    context, page, problems = open_tab(browser, VIEWPORTS[size], js=js)
    page.goto(live_server + "/?q=扶贫")
    published = facet_counts(page, "published")
    bars = chart_counts(page, "published")
    assert {("不详" if k == "日期不详" else k): v for k, v in published.items()} == bars and len(bars) >= 3
    api = json.load(urllib.request.urlopen(live_server + "/api/search?q=%E6%89%B6%E8%B4%AB"))
    expect(page.locator(".summary .articles")).to_have_text(str(api["articles"]))
    year, count = next((k, v) for k, v in bars.items() if k != "不详")
    page.locator(f'.chart-published a[data-value="{year}"]').click()
    expect(page).to_have_url(re.compile(f"published={year}"))
    expect(page.locator(".summary .total")).to_have_text(str(count))
    expect(page.locator(".active-filters .chip")).to_contain_text(year)
    page.locator(".group-toggle").click()
    expect(page).to_have_url(re.compile("group=article"))
    grouped = json.load(urllib.request.urlopen(
        f"{live_server}/api/search?q=%E6%89%B6%E8%B4%AB&published={year}&group=article"))
    expect(page.locator(".article-group")).to_have_count(len(grouped["hits"]))
    expect(page.locator(".article-group .group-paragraph")).to_have_count(
        sum(len(g["paragraphs"]) for g in grouped["hits"]))
    shoot(page, f"record-grouped-{size}-{'js' if js else 'nojs'}")
    page.locator(".article-group .para-link").first.click()
    expect(page).to_have_url(re.compile(r"/docs/.+#p\d+"))
    context.close()
    assert problems == []
