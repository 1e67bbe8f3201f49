"""The search page in a real browser: Debian's Chromium, headless, driven by
Playwright, against the real server (``python -m search serve``) on a free
local port.  Screenshots go to tests/screenshots/ (kept out of git)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHOTS = Path(__file__).resolve().parent / "screenshots"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

if not os.path.exists(CHROMIUM) and not IN_CI:
    pytest.skip(f"{CHROMIUM} is not installed (`make install-test` installs Debian's chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402  (CI must have it: no importorskip)


@pytest.fixture(scope="module")
def browser():
    # Playwright gives each launch a fresh, empty profile (--user-data-dir)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh tab that fails the test on any console error or page error."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("dialog", lambda d: (problems.append(f"dialog opened: {d.message}"), d.dismiss()))
    yield tab
    context.close()
    assert problems == [], problems


def total(page) -> int:
    return int(page.locator(".summary .total").inner_text())


def facet_counts(page, name: str) -> dict[str, int]:
    links = page.locator(f'.facet[data-facet="{name}"] .facet-value')
    return {
        links.nth(i).locator(".facet-label").inner_text(): int(links.nth(i).locator(".count").inner_text())
        for i in range(links.count())
    }


def shoot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_typing_traditional_shows_simplified_matches_marked(page, live_server):
    page.goto(live_server + "/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("就業扶貧", delay=60)
    expect(page).to_have_url(re.compile(r"\?q=%E5%B0%B1%E6%A5%AD%E6%89%B6%E8%B2%A7$"))
    expect(page.locator(".summary strong").first).to_have_text("就業扶貧")
    marks = page.locator(".hit .snippet mark")
    expect(marks.first).to_be_visible()
    assert "就业扶贫" in marks.all_inner_texts(), "simplified text matched by a traditional query"
    # the back button returns to the page before the typing
    page.go_back()
    expect(page).to_have_url(live_server + "/")
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator(".summary")).to_contain_text("全部段落")


def test_clicking_a_province_changes_counts_and_hits(page, live_server):
    page.goto(live_server + "/?q=扶贫")
    before_total = total(page)
    before_years = facet_counts(page, "year")
    provinces = facet_counts(page, "province")
    name, count = min(provinces.items(), key=lambda kv: kv[1])
    assert count < before_total
    page.locator('.facet[data-facet="province"] .facet-value', has_text=name).click()
    expect(page.locator(".summary .total")).to_have_text(str(count))
    expect(page.locator(".active-filters .chip")).to_contain_text(name)
    selected = page.locator('.facet[data-facet="province"] .facet-value.selected')
    expect(selected).to_have_count(1)
    expect(selected).to_contain_text(name)
    for tags in page.locator(".hit .tags").all_inner_texts():
        assert name in tags
    assert facet_counts(page, "year") != before_years
    # removing the filter brings the first numbers back
    page.locator(".active-filters .chip").first.click()
    expect(page.locator(".summary .total")).to_have_text(str(before_total))


def test_opening_a_hit_lands_on_its_paragraph(page, live_server):
    page.goto(live_server + "/?q=扶贫车间")
    link = page.locator(".hit h3 a").first
    href = link.get_attribute("href")
    para = re.search(r"#p(\d+)$", href).group(1)
    link.click()
    expect(page).to_have_url(re.compile(rf"/docs/[^?#]+\?q=[^#]+#p{para}$"))
    target = page.locator(f"#p{para}")
    expect(target).to_be_in_viewport()
    expect(target.locator("mark").first).to_be_visible()
    assert page.evaluate("document.querySelector(':target').id") == f"p{para}"
    page.locator("a.back").click()
    expect(page).to_have_url(re.compile(r"/\?q="))
    expect(page.locator("#q")).to_have_value("扶贫车间")


def test_paging_forward_and_back(page, live_server):
    page.goto(live_server + "/?q=扶贫&size=3")
    first_titles = page.locator(".hit h3").all_inner_texts()
    first_snippets = page.locator(".hit .snippet").all_inner_texts()
    page.locator(".pagination a.next").click()
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("2")
    assert page.locator(".hit .snippet").all_inner_texts() != first_snippets
    page.locator(".pagination a.next").click()
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("3")
    page.go_back()
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("2")
    page.locator(".pagination a.prev").click()
    expect(page.locator('.pagination [aria-current="page"]')).to_have_text("1")
    assert page.locator(".hit h3").all_inner_texts() == first_titles


def test_keyboard_slash_focuses_search_and_enter_searches(page, live_server):
    page.goto(live_server + "/?q=扶贫")
    page.locator(".hit h3 a").first.focus()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("公益性崗位")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=%E5%85%AC%E7%9B%8A%E6%80%A7%E5%B4%97%E4%BD%8D"))
    expect(page.locator(".summary strong").first).to_have_text("公益性崗位")


def test_hostile_query_stays_text(page, live_server):
    q = '<script>alert(1)</script>"><img src=x onerror=alert(2)> 扶贫'
    page.goto(live_server + "/")
    page.locator("#q").fill(q)
    page.keyboard.press("Enter")
    expect(page.locator(".summary strong").first).to_have_text(q)
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1


def test_no_javascript_flow(browser, live_server):
    """Every state is a plain URL: with JavaScript off, the form and links still work."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator("#q").fill("扶贫车间")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/\?q=%E6%89%B6%E8%B4%AB%E8%BD%A6%E9%97%B4"))
        expect(page.locator(".hit .snippet mark").first).to_be_visible()
        # without JavaScript the facet panel stays open on a phone
        province = page.locator('.facet[data-facet="province"] .facet-value').first
        expect(province).to_be_visible()
        count = province.locator(".count").inner_text()
        province.click()
        expect(page).to_have_url(re.compile(r"province="))
        expect(page.locator(".summary .total")).to_have_text(count)
        shoot(page, "nojs-phone")
    finally:
        context.close()


def test_markup_in_articles_never_runs(page, markup_server):
    page.goto(markup_server + "/?q=扶贫车间")
    expect(page.locator(".hit h3 a").first).to_contain_text('<script>alert("title")</script>扶贫车间')
    page.locator(".hit h3 a").first.click()
    expect(page.locator("h1")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(page.locator("article")).to_contain_text("<style>body{display:none}</style>")
    assert page.locator("article img, article script, article style, article b").count() == 0
    assert page.locator("a", has_text="原文链接").count() == 0, "a javascript: URL is not linked"
    shoot(page, "markup-article-desktop", full_page=False)


SCREENS = {
    "search": "/?q=扶贫车间",
    "facet": "/?q=就業扶貧&province=甘肃&year=2018",
    "empty": "/?q=没有这样的词语组合&province=甘肃",
    "article": None,  # the first hit of 扶贫车间, at its paragraph
}


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots(browser, live_server, width):
    """Pages as a person sees them at desktop and phone width (look at them)."""
    context = browser.new_context(viewport=width, locale="zh-CN")
    page = context.new_page()
    label = "desktop" if width is DESKTOP else "phone"
    try:
        for name, path in SCREENS.items():
            if path is None:
                page.goto(live_server + SCREENS["search"])
                page.locator(".hit h3 a").first.click()
                expect(page.locator(":target")).to_be_in_viewport()
            else:
                page.goto(live_server + path)
            shoot(page, f"{name}-{label}", full_page=False)
            # nothing may stick out sideways
            assert page.evaluate("document.documentElement.scrollWidth") <= width["width"], name
        if width is PHONE:
            page.goto(live_server + SCREENS["search"])
            expect(page.locator(".facet-panel")).not_to_have_attribute("open", "")
            page.locator(".facet-panel > summary").click()
            shoot(page, "facets-open-phone", full_page=False)
    finally:
        context.close()


def test_access_log_has_a_line_per_request(live_server):
    import urllib.request

    urllib.request.urlopen(live_server + "/api/search?q=%E6%89%B6%E8%B4%AB&size=1").read()
    line = r"GET /api/search\?q=%E6%89%B6%E8%B4%AB&size=1 200 \d+(\.\d+)?ms"
    # the server writes the line once the response is sent: it may land a moment after we read the body
    deadline = time.monotonic() + 5
    while not re.search(line, live_server.log()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert re.search(line, live_server.log())


def test_where_matched_widening_and_syntax_help(browser, live_server):
    """Issue 10 as a reader sees it: the heading marked and 匹配于小标题, the
    同时搜索了 line and its link, the syntax help under the search box."""
    for width, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = browser.new_context(viewport=width, locale="zh-CN")
        page = context.new_page()
        try:
            page.goto(live_server + "/?q=公益性岗位&size=20")
            # every hit holds the word in its text (the honest-hit rule); where its heading
            # holds it too, the heading is marked as well
            in_heading = page.locator(".hit", has=page.locator(".heading mark"))
            expect(in_heading.first).to_be_visible()
            expect(in_heading.first.locator(".heading mark")).to_have_text("公益性崗位")
            assert in_heading.first.locator(".snippet mark").count() > 0
            expect(page.locator(".matched-in")).to_have_count(0)
            line = page.locator(".widened")
            expect(line).to_contain_text("同时搜索了")
            expect(line).to_contain_text("公益岗位")
            shoot(page, f"matched-in-{label}", full_page=False)
            help_ = page.locator(".syntax-help")
            help_.locator("summary").click()
            expect(help_.locator("a").first).to_be_visible()
            shoot(page, f"syntax-help-{label}", full_page=False)
            assert page.evaluate("document.documentElement.scrollWidth") <= width["width"]
            help_.locator("a", has_text='"劳务输出"').click()
            expect(page.locator(".summary strong").first).to_have_text('"劳务输出"')
            expect(page.locator(".widened")).to_have_count(0)
            page.goto(live_server + "/?q=劳务输出")
            page.locator(".widened a").click()
            expect(page.locator(".summary strong").first).to_have_text('"劳务输出"')
            page.goto(live_server + "/?q=扶贫车问")
            expect(page.locator(".suggestions a").first).to_contain_text("扶贫车间")
            shoot(page, f"suggestions-{label}", full_page=False)
            page.locator(".suggestions a").first.click()
            expect(page.locator(".summary .total")).not_to_have_text("0")
        finally:
            context.close()


def test_why_a_hit_ranks_there_opens_under_it_and_field_examples_run(page, live_server):
    page.goto(live_server + "/?q=" + "扶贫车间 甘肃")
    first = page.locator(".hit").first
    why = first.locator("details.explain")
    expect(why.locator("summary")).to_have_text("为什么排在这里")
    expect(why.locator(".explain-rules")).to_be_hidden()
    why.locator("summary").click()
    rules = why.locator(".explain-rules li code")
    expect(rules.first).to_be_visible()
    assert rules.all_inner_texts() == ["per_article", "bm25", "verbatim", "proximity", "whole_query", "in_passing",
                                      "figures", "ties", "index_order"]
    shoot(page, "explain")
    # the syntax help's field example runs: title: lists the articles so titled
    page.locator(".syntax-help summary").click()
    page.locator(".syntax-help a", has_text="title:就业扶贫").click()
    expect(page.locator("#q")).to_have_value("title:就业扶贫")
    assert total(page) > 1
    titles = page.locator(".hit h3").all_inner_texts()
    assert titles and all("就业扶贫" in t or "就業扶貧" in t for t in titles)


def test_one_story_does_not_fill_the_page_and_its_other_paragraphs_are_one_click_away(page, live_server):
    """Issue 23, item 3: at most two hits of one article on the first page;
    本文另有 N 段 under the article's last one leads to the article, the
    query's words marked; the renamed name is marked 旧称 in the 同时搜索了 line."""
    page.goto(live_server + "/?q=扶贫车间&size=4")
    titles = [t.strip() for t in page.locator(".hit h3").all_inner_texts()]
    assert titles and max(titles.count(t) for t in titles) <= 2
    more = page.locator(".more-in-article a").first
    expect(more).to_have_text(re.compile(r"本文另有 \d+ 段"))
    shoot(page, "more-in-article", full_page=False)
    more.click()
    expect(page).to_have_url(re.compile(r"/docs/[^?]+\?q="))
    expect(page.locator("mark").first).to_be_visible()
    page.goto(live_server + "/?q=创业担保贷款")
    expect(page.locator(".widened .renamed")).to_have_text("(旧称,2015 年更名)")
