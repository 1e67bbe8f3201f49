"""Issue 22's walk in a real browser (Chromium, headless, against the real
server): where the keyboard focus goes after a filter changes in place, the
heading that instant search keeps in step, facet values that act as check
boxes, one live region a page, and the year chart at 1280 and 375 pixels."""

from __future__ import annotations

import pytest

from test_browser import DESKTOP, PHONE, browser, shoot  # noqa: F401
from test_browser_analysis import open_tab

from playwright.sync_api import expect  # noqa: E402


def focused(page) -> str:
    """The focused element: its tag, id and class."""
    return page.evaluate("() => { const e = document.activeElement; return e.tagName + '#' + e.id + '.' + e.className; }")


def test_removing_a_chip_or_clicking_a_bar_keeps_the_focus_in_the_results(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser, DESKTOP)
    page.goto(live_server + "/?q=扶贫&province=甘肃")
    page.locator(".active-filters .chip").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".active-filters .chip")).to_have_count(0)
    assert not focused(page).startswith("BODY"), focused(page)
    assert "summary" in focused(page)
    # a year bar: after the click the same bar (now chosen) has the focus
    bar = page.locator(".chart-year a.bar").first
    value = bar.get_attribute("data-value")
    bar.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".active-filters .chip")).to_have_count(1)
    assert page.evaluate("() => document.activeElement.getAttribute('data-value')") == value
    context.close()
    assert problems == []


def test_instant_search_keeps_the_heading_in_step(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser, DESKTOP)
    page.goto(live_server + "/?q=扶贫")
    expect(page.locator("h1#results-title")).to_have_text("“扶贫”的搜索结果")
    page.locator("#q").fill("就业")
    expect(page.locator("h1#results-title")).to_have_text("“就业”的搜索结果")
    expect(page).to_have_title("就业 - 就业扶贫文章搜索")
    context.close()
    assert problems == []


def test_space_ticks_a_facet_value_as_a_check_box(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser, DESKTOP)
    page.goto(live_server + "/?q=扶贫")
    value = page.locator('.facet[data-facet="province"] .facet-value').first
    expect(value).to_have_attribute("role", "checkbox")
    expect(value).to_have_attribute("aria-checked", "false")
    name = value.locator(".facet-label").text_content()
    value.focus()
    page.keyboard.press("Space")
    chosen = page.locator('.facet[data-facet="province"] .facet-value.selected')
    expect(chosen).to_have_count(1)
    expect(chosen).to_have_attribute("aria-checked", "true")
    expect(chosen.locator(".facet-label")).to_have_text(name)
    context.close()
    assert problems == []


def test_skip_link_leads_to_the_results_and_a_page_has_one_live_region(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser, DESKTOP)
    page.goto(live_server + "/?q=扶贫")
    skip = page.locator('a.skip-link[href="#results"]')
    expect(skip).to_have_count(1)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert "results" in focused(page)
    page.locator(".hit h3 a").first.click()
    expect(page.locator('[role="status"]')).to_have_count(1)
    # copying a citation is announced there, once
    page.locator(".article > .cite summary").click()
    page.locator(".article > .cite button.copy").click()
    expect(page.locator("#announce")).to_have_text("引文已复制")
    context.close()
    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_year_chart_labels_keep_one_size(browser, live_server, viewport):  # noqa: F811
    context, page, problems = open_tab(browser, viewport)
    sizes = set()
    for url in ("/?q=扶贫", "/?q=扶贫车间", "/?q=就业&province=甘肃"):
        page.goto(live_server + url)
        label = page.locator(".chart-year .bar-label").first
        if label.count():
            sizes.add(round(label.bounding_box()["height"]))
        shoot(page, f"i22-chart-{viewport['width']}-{len(sizes)}")
    assert len(sizes) == 1, sizes
    expect(page.locator(".chart-year .unknown")).to_have_count(1)
    context.close()
    assert problems == []


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_tick_two_hits_and_export_only_those(browser, live_server, js):  # noqa: F811
    import csv

    context, page, problems = open_tab(browser, DESKTOP, js=js)
    page.goto(live_server + "/?q=扶贫车间")
    boxes = page.locator(".pick-box")
    chosen = [boxes.nth(2).get_attribute("value"), boxes.nth(5).get_attribute("value")]
    boxes.nth(2).check()
    boxes.nth(5).check()
    with page.expect_download() as info:
        page.locator('.pick-actions button[value="csv"]').click()
    with open(info.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["para_id"] for r in rows] == chosen
    context.close()
    assert problems == []


def test_printed_results_and_article_have_no_navigation_and_one_reference_list(browser, live_server):  # noqa: F811
    context, page, problems = open_tab(browser, DESKTOP)
    page.goto(live_server + "/?q=扶贫车间")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".facets", ".pagination", ".pick-actions", ".cite", ".charts"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".print-refs")).to_be_visible()
    shoot(page, "i20-print-results")
    page.emulate_media(media="screen")
    expect(page.locator(".print-refs")).to_be_hidden()
    page.locator(".hit h3 a").first.click()
    page.emulate_media(media="print")
    expect(page.locator(".cite").first).to_be_hidden()
    expect(page.locator(".print-refs")).to_have_count(1)
    expect(page.locator(".print-refs")).to_be_visible()
    shoot(page, "i20-print-article")
    context.close()
    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_trends_page_compares_queries_and_related_words_open(browser, live_server, viewport, js):  # noqa: F811
    context, page, problems = open_tab(browser, viewport, js=js)
    page.goto(live_server + "/?q=扶贫车间")
    page.locator("a", has_text="看趋势").click()
    expect(page.locator(".trend-line")).to_have_count(1)
    page.locator('.trends-form input[name="q"]').nth(1).fill("公益性岗位")
    page.locator(".trends-form button").click()
    expect(page.locator(".trend-line")).to_have_count(2)
    expect(page.locator(".trend-table")).to_be_visible()
    shoot(page, f"i20-trends-{viewport['width']}-{'js' if js else 'nojs'}")
    page.locator(".scale-links a", has_text="段落数").click()
    expect(page.locator('.scale-links [aria-current="true"]')).to_have_text("段落数")
    # related words beside the results: loaded in place with JavaScript, a page of their own without
    page.goto(live_server + "/?q=劳务输出")
    page.locator("details.related > summary").click()
    if js:
        expect(page.locator("details.related .terms-table")).to_be_visible()
    else:
        page.locator("details.related a").click()
        expect(page.locator(".terms-table")).to_be_visible()
    shoot(page, f"i20-terms-{viewport['width']}-{'js' if js else 'nojs'}")
    context.close()
    assert problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_concordance_from_the_results_sorted_by_left_context(browser, live_server, viewport, js):  # noqa: F811
    context, page, problems = open_tab(browser, viewport, js=js)
    page.goto(live_server + "/?q=扶贫车间")
    page.locator("a", has_text="看语境").click()
    rows = page.locator("table.kwic tbody tr")
    expect(rows.first).to_be_visible()
    n = rows.count()
    assert n > 1
    # the match column is one column: every match starts at the same x (read at
    # one moment, once the fonts are in: a font arriving between two reads moves
    # the whole column, which is no misalignment)
    page.evaluate("() => document.fonts.ready")
    xs = set(page.evaluate("() => [...document.querySelectorAll('table.kwic tbody tr td.match')]"
                           ".map(td => Math.round(td.getBoundingClientRect().x))"))
    assert len(xs) == 1, xs
    # a clipped left context shows the characters next to the match, not its start
    cell = rows.first.locator("td.left")
    assert page.evaluate("(td) => { const b = td.querySelector('bdi').getBoundingClientRect(), c = td.getBoundingClientRect();"
                         " return Math.abs(b.right - c.right) < 12 || b.width <= c.width; }", cell.element_handle())
    page.locator(".sort a", has_text="左侧语境").click()
    expect(page.locator('.sort [aria-current="true"]')).to_have_text("左侧语境")
    shoot(page, f"i20-kwic-{viewport['width']}-{'js' if js else 'nojs'}")
    context.close()
    assert problems == []
