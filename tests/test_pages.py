"""The HTML pages through the Flask test client: what a person without
JavaScript sees and clicks."""

from __future__ import annotations

import html
import re

import pytest

from hostile import HOSTILE_QUERIES

QUERY = "扶贫"


def page(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def links(body, css_class):
    """The hrefs of the <a> elements with a class, in page order."""
    return [html.unescape(m) for m in re.findall(rf'<a class="{css_class}[^"]*" href="([^"]+)"', body)]


def test_home_page_has_a_focused_search_box(client):
    body = page(client, "/")
    assert 'lang="zh-CN"' in body
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', body)
    assert "全部段落" in body and "毫秒" in body


def test_query_in_traditional_finds_and_marks_hits(client):
    body = page(client, "/?q=就業扶貧")
    total = int(re.search(r'<strong class="total">(\d+)</strong>', body).group(1))
    assert total > 0
    assert "<mark>" in body
    assert re.search(r'href="/docs/[^"?#]+\?q=[^"#]+#p\d+"', body), "titles link to the paragraph"


def test_script_in_query_is_escaped(client):
    q = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
    r = client.get("/", query_string={"q": q})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body
    # the only scripts are our own file; no inline script or style is needed
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/app.js" defer>']
    assert "style=" not in body
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_script_in_query_is_escaped_on_article_page(client):
    doc_id = client.get("/api/docs").get_json()["docs"][0]["doc_id"]
    body = page(client, f"/docs/{doc_id}?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in body


def test_facet_links_toggle_filters_without_javascript(client):
    body = page(client, f"/?q={QUERY}")
    facet_links = links(body, "facet-value")
    province_links = [u for u in facet_links if "province=" in u]
    assert province_links
    chosen = page(client, province_links[0])
    assert 'class="facet-value selected"' in chosen and 'aria-current="true"' in chosen
    # the active filter is shown with a link that removes it
    (remove,) = links(chosen, "chip")
    assert "province=" not in remove
    assert page(client, remove).count("selected") == body.count("selected")
    # a second province adds to the first (OR)
    second = [u for u in links(chosen, "facet-value") if u.count("province=") == 2]
    assert second, "another province can be added to the chosen one"
    assert len(links(page(client, second[0]), "chip")) == 2


def test_new_query_keeps_filters_through_the_form(client):
    api = client.get(f"/api/search?q={QUERY}").get_json()
    province = api["facets"]["province"][0]["value"]
    body = page(client, f"/?q={QUERY}&province={province}&sort=date_desc")
    assert f'<input type="hidden" name="province" value="{province}">' in body
    assert '<input type="hidden" name="sort" value="date_desc">' in body


def test_sort_and_pagination_are_plain_links(client):
    body = page(client, f"/?q={QUERY}&size=3")
    assert '<span class="current" aria-current="true">相关度</span>' in body
    assert re.search(r'<a href="/\?q=[^"]+&amp;sort=date_desc&amp;size=3">最新</a>', body)
    nxt = re.search(r'<a class="next" href="([^"]+)"', body).group(1)
    second = page(client, html.unescape(nxt))
    assert '<span class="current" aria-current="page">2</span>' in second
    assert re.search(r'<ol class="hit-list" start="4">', second)


def test_empty_result_offers_to_drop_filters(client):
    api = client.get(f"/api/search?q={QUERY}").get_json()
    province = api["facets"]["province"][0]["value"]
    body = page(client, f"/?q=完全不存在的词语组合xyz&province={province}")
    assert "没有找到" in body
    assert "去掉“省份:" in body
    assert "去掉全部条件" in body


def test_empty_result_without_filters(client):
    body = page(client, "/?q=完全不存在的词语组合xyz")
    assert "没有找到" in body and "浏览全部段落" in body


def test_article_page_marks_query_and_anchors_paragraphs(client):
    # the best hit of an article with a title (the first page may begin with an untitled one's lead)
    hit = next(h for h in client.get("/api/search", query_string={"q": "就业扶贫"}).get_json()["hits"] if h["title"])
    body = page(client, f"/docs/{hit['doc_id']}?q=就業扶貧")
    assert f'id="p{hit["para_no"]}"' in body
    assert "<mark>" in body
    assert 'href="/?q=%E5%B0%B1%E6%A5%AD%E6%89%B6%E8%B2%A7"' in body, "a link back to the results"
    assert html.escape(hit["title"], quote=False) in body


def test_article_page_without_query_marks_nothing(client):
    doc_id = client.get("/api/docs").get_json()["docs"][0]["doc_id"]
    body = page(client, f"/docs/{doc_id}")
    assert "<mark>" not in body and 'id="p1"' in body


def test_unknown_article_is_a_friendly_404(client):
    body = page(client, "/docs/no-such-doc", status=404)
    assert "没有找到" in body and "回到搜索首页" in body


def test_bad_parameter_is_a_friendly_400(client):
    body = page(client, "/?q=扶贫&size=1000", status=400)
    assert "请求有误" in body


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_render(client, q):
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200
    assert "<script>alert" not in r.get_data(as_text=True)


@pytest.fixture(scope="module")
def markup_client(markup_index):
    from web import create_app

    return create_app(markup_index, config={"TESTING": True}).test_client()


def test_markup_inside_articles_is_shown_as_text(markup_client):
    body = page(markup_client, "/?q=扶贫车间")
    hit = markup_client.get("/api/search?q=扶贫车间").get_json()["hits"][0]
    doc = page(markup_client, f"/docs/{hit['doc_id']}?q=扶贫车间")
    for html_page in (body, doc):
        assert "<script>alert" not in html_page and "<img src=x" not in html_page
        assert "<style>" not in html_page and "<b>" not in html_page
        assert "&lt;script&gt;" in html_page
    assert 'href="javascript:' not in doc, "only http(s) links to the original"


def test_a_page_past_the_last_says_so_and_links_the_last(client):
    total = client.get("/api/search?q=扶贫&size=10").get_json()["total"]
    last = -(-total // 10)
    body = page(client, f"/?q=扶贫&page={last + 90}")
    assert f"只有 {last} 页" in body and "没有找到" not in body
    assert f'page={last}"' in body.replace("&amp;", "&")
    # near miss: the last page itself lists hits and no such message
    body = page(client, f"/?q=扶贫&page={last}")
    assert "只有" not in body and 'class="hit"' in body
    docs = page(client, "/docs?page=2&size=100")
    assert "只有 1 页" in docs and "没有符合条件的文章" not in docs


def test_a_very_long_query_does_not_repeat_itself_in_every_link(client):
    q = "扶贫车间 " * 3000
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "查询较长" in body
    # the query stands in the search box (and the JSON link) only: a few copies, not one per link
    assert len(body.encode()) < 4 * len(q.encode()) + 200_000
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert len(title) < 100 and title.endswith("(共 15000 字) - 就业扶贫文章搜索")
    # near miss: a query of ordinary length keeps every link
    body = page(client, "/?q=" + "扶贫车间 " * 20)
    assert "查询较长" not in body and links(body, "facet-value")


def test_the_year_chart_draws_unknown_apart_from_the_years(client):
    body = page(client, "/?q=扶贫")
    years = client.get("/api/search?q=扶贫").get_json()["facets"]["year"]
    unknown = next(v["count"] for v in years if v["value"] == "none")
    largest = max(v["count"] for v in years if v["value"] != "none")
    assert unknown > largest, "the seeds' case: most paragraphs name no year"
    heights = [int(h) for h in re.findall(r'class="bar[^"]*"[^>]*>\s*<title>[^<]*</title>\s*<rect [^>]*height="(\d+)"', body)]
    assert max(heights) == 110, "the largest year fills the chart, not the unknown count"
    assert re.search(r'class="unknown[^"]*"[^>]*data-value="不详" data-count="%d"' % unknown, body)


def test_syntax_help_shows_the_fields_with_runnable_examples(client):
    import html as html_lib
    import urllib.parse

    page = client.get("/").get_data(as_text=True)
    help_ = re.search(r'<details class="syntax-help">(.*?)</details>', page, re.S).group(1)
    assert "正文至少含有一个搜索词" in help_  # the honest-hit rule, stated
    links = [html_lib.unescape(u) for u in re.findall(r'href="([^"]+)"', help_)]
    shown = [urllib.parse.unquote(u) for u in links]
    for name in ("title:", "heading:", "text:", "source:"):
        assert any(name in u for u in shown), name
    assert "issuer:" in help_ and "docno:" in help_  # shown, not linked: the seeds hold no policy documents
    for u in links:
        assert client.get(u).status_code == 200, u
    from search.text.analysis import fold

    title = next(u for u, s in zip(links, shown) if "title:就业扶贫" in s)
    found = client.get("/api/search" + title[title.index("?"):] + "&size=100").get_json()
    assert found["total"] == len(found["hits"]) > 1
    assert all("就业扶贫" in fold(h["title"]) for h in found["hits"])
    assert any("就业扶贫" not in fold(h["text"]) for h in found["hits"])  # whole articles, not only the word's paragraphs
