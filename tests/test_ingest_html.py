"""HTML pages: the reader that runs trafilatura and then our rules (search/ingest/html.py),
the suffixes read as HTML by their bytes, the byline's date and publisher, policy
documents' information table, list pages, and pages that must not lose their text."""

from __future__ import annotations

import csv

import pytest

import corpora
from search.ingest import iter_source_files, read_file
from search.ingest.html import ListPage, byline, html_to_record, url_date
from search.ingest.structure import without_media_tag
from search.model import IngestError, ListPageSkipped

PROSE = "".join(f"第{i}段，扶贫车间吸纳了本村的贫困劳动力，每人每月增收两千元。" for i in range(1, 4))


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def article(byline: str = "", after: str = "", title: str = "甘肃扶贫车间吸纳就业") -> str:
    paragraphs = "".join(f"<p>{PROSE}第{i}次。</p>" for i in range(4))
    return page(f"<div class='nav'><a href='/'>首页</a> <a href='/x'>财经</a></div>"
                f"<h1>{title}</h1><div class='info'>{byline}</div>"
                f"<div class='content'>{paragraphs}</div>{after}",
                head=f"<title>{title}_网易财经</title>")


# -- suffixes read by their bytes

@pytest.mark.parametrize("name", ["VIDE1.shtml", "a.php", "b.asp", "c.aspx", "d.jsp", "e.xhtml", "noext"])
def test_news_site_extensions_are_read_as_html_when_the_bytes_are(tmp_path, name):
    path = tmp_path / name
    path.write_text(article(), encoding="utf-8")
    assert list(iter_source_files([str(tmp_path)])) == [path]
    [got] = read_file(path)
    assert got.title == "甘肃扶贫车间吸纳就业" and got.paragraphs


def test_a_php_file_that_is_not_html_is_refused_and_not_walked(tmp_path):
    path = tmp_path / "script.php"
    path.write_text("<?php echo 'hi'; ?>\n", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    assert list(iter_source_files([str(tmp_path)])) == []
    with pytest.raises(IngestError, match="unsupported type '.php'"):
        list(iter_source_files([str(path)]))


# -- pages that must keep their text

def test_a_page_wrapped_in_a_cleaneval_text_element_gives_its_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(f"<text id='1' title='x'>\n<p>{PROSE}</p>\n<p>{PROSE}又一段。</p></text>",
                    encoding="utf-8")
    [got] = read_file(path)
    assert "".join(p.text for p in got.paragraphs).count("扶贫车间") == 6


def test_a_gb2312_forum_page_gives_its_first_post(tmp_path):
    path = tmp_path / "thread.html"
    posts = "".join(f"<table><tr><td class='postcontent'>{PROSE}楼层{i}。</td></tr></table>"
                    for i in range(3))
    html = page(posts, head="<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>")
    path.write_bytes(html.encode("gb2312"))
    [got] = read_file(path)
    text = "".join(p.text for p in got.paragraphs)
    assert "楼层0" in text and "楼层1" not in text and "楼层2" not in text


def test_a_page_of_several_posts_is_its_first_post():
    # a blog's front page: each post with its title, date and footer; the
    # first is the page's article, the older ones go with their titles
    posts = "".join(f"<tr><td><table><tr><td class='post-title'>第{i}篇的标题</td><td>2005-06-1{i}</td></tr>"
                    f"<tr><td class='post-body'>{PROSE}第{i}篇。</td></tr>"
                    f"<tr><td class='post-footer'>由海姑娘张贴 共 {i} 篇评论</td></tr></table></td></tr>"
                    for i in range(3))
    text = html_to_record(page(f"<table>{posts}</table>", head="<title>海姑娘的博客</title>")).text
    assert "第0篇。" in text and "第1篇" not in text and "第2篇" not in text
    # near miss: one post, its text in two classed parts that are not two posts, stays whole
    html = page(f"<div class='post-body'>{PROSE}第0篇。</div><div class='post-text'>{PROSE}作者附记。</div>",
                head="<title>海姑娘的博客</title>")
    text = html_to_record(html).text
    assert "第0篇。" in text and "作者附记。" in text


def test_a_forum_threads_reply_index_is_not_its_text(tmp_path):
    index = "".join(f"<li><a href='t{i}'>{t}</a>【<a href='u{i}'>网友{i}</a>】08-1{i} 16:0{i} {i}98字 [43/{i}]</li>"
                    for i, t in enumerate(["旅行中，谁忽悠了你？", "参与旅行社的一般都是弱势群体……",
                                           "这个我没有,当时没照.我们一行人从故宫出来后不知道怎么乘车"]))
    html = page(f"<h1>导游为什么热衷于购物</h1><p>{PROSE}</p><p>| 回复线索：</p><ul>{index}</ul>",
                head="<title>导游为什么热衷于购物</title>")
    path = tmp_path / "thread.html"
    path.write_text(html, encoding="utf-8")
    [got] = read_file(path)
    text = "".join(p.text for p in got.paragraphs)
    assert PROSE in text and "忽悠" not in text and "故宫" not in text
    # near miss: a sentence that names a post's author in brackets, no time after, stays
    path.write_text(page(f"<h1>导游为什么热衷于购物</h1><p>{PROSE}</p>"
                         f"<p>转自网友【梅骏】的帖子，他说08-11 16:00最热。</p>",
                         head="<title>导游为什么热衷于购物</title>"), encoding="utf-8")
    [got] = read_file(path)
    assert "梅骏" in "".join(p.text for p in got.paragraphs)


def test_a_page_on_one_very_long_line_keeps_its_paragraphs(tmp_path):
    path = tmp_path / "long.html"
    path.write_text(article().replace("\n", ""), encoding="utf-8")
    [got] = read_file(path)
    assert len(got.paragraphs) == 4


def test_a_body_whose_class_names_a_nav_bar_still_gives_its_article():
    # <body class="u-has-nav-bar"> says the page has a bar, not that the body is one
    html = article().replace("<body>", "<body class='u-header-sticky u-has-nav-bar'>")
    assert html_to_record(html).text.count("扶贫车间") == 12
    # near miss: a div of that class inside the body is furniture still
    html = article(after=f"<div class='u-has-nav-bar'><p>{PROSE}导航栏</p></div>")
    assert "导航栏" not in html_to_record(html).text


def test_an_unterminated_attribute_of_20_mb_is_read_in_one_pass():
    html = page(f"<p>{PROSE}</p><a href=\"" + "x" * 20_000_000)
    record = html_to_record(html)
    assert record.text.startswith("第1段")
    assert "xxxxxxxx" not in record.text  # the attribute is not text


# -- date and publisher from the byline, never from elsewhere

def test_the_byline_by_the_headline_gives_date_and_publisher():
    record = html_to_record(article("2015-07-04 10:21:03　来源: <a href='#'>网易财经</a>(北京)"))
    assert (record.date, record.source) == ("2015-07-04", "网易财经")


def test_a_related_articles_date_and_source_and_a_copyright_year_are_not_taken():
    after = ("<div class='related'><p>相关新闻：另一家企业增资 2015-06-30 来源: 不要绝望</p></div>"
             "<div class='copyright'>Copyright © 1997-2015 网易公司版权所有</div>")
    record = html_to_record(article(after=after))
    assert record.date is None and record.source is None


def test_a_source_in_the_text_is_not_a_publisher():
    text = page("<h1>扶贫车间开工</h1>" + f"<p>{PROSE}</p>" * 8
                + "<p>来源：群众反映，问题已经解决。</p>")
    assert html_to_record(text).source is None


@pytest.mark.parametrize("url, date", [
    ("http://news.xinhuanet.com/2019-04/17/c_1124378127.htm", "2019-04-17"),
    ("http://www.gov.cn/zhengce/2020-01/15/content_5469163.htm", "2020-01-15"),
    ("http://www.stats.gov.cn/tjsj/zxfb/202001/t20200115_1723140.html", "2020-01-15"),
    ("http://finance.people.com.cn/n1/201702/24/c1004-29106186.html", "2017-02-24"),
    # near misses: an article id, a phone number, a month that does not exist
    ("http://www.gov.cn/zhengce/content/content_5338761.htm", None),
    ("http://example.cn/contact/tel-20191512345.html", None),
    ("http://example.cn/2019-13/45/a.html", None),
])
def test_url_dates(url, date):
    assert url_date(url) == date


def test_the_date_in_the_pages_address_when_it_shows_none():
    head = "<link rel='canonical' href='http://news.example.cn/2019-04/17/c_1.htm'>"
    html = article().replace("</head>", head + "</head>")
    assert html_to_record(html).date == "2019-04-17"


def test_a_meta_publication_date_wins_over_the_address():
    head = ("<meta property='article:published_time' content='2020-07-04T10:00:00+08:00'>"
            "<link rel='canonical' href='http://news.example.cn/2019-04/17/c_1.htm'>")
    assert html_to_record(article().replace("</head>", head + "</head>")).date == "2020-07-04"


# -- policy documents

POLICY_TABLE = """<table><tr><td><b>索 引 号：</b></td><td>000014349/2018-00204</td>
<td><b>主题分类：</b></td><td>综合政务</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2018年10月27日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">国务院办公厅关于推进扶贫车间建设的通知</td></tr>
<tr><td><b>发文字号：</b></td><td>国办函〔2018〕71号</td><td><b>发布日期：</b></td><td>2018年11月09日</td></tr>
</table>"""


def test_a_policy_documents_table_gives_title_date_issuer_and_number():
    html = page(f"<div class='wrap'><table><tr><td>{POLICY_TABLE}</td></tr></table>"
                f"<table><tr><td><p>各省、自治区、直辖市人民政府：</p><p>{PROSE}</p></td></tr></table></div>")
    record = html_to_record(html)
    assert record.title == "国务院办公厅关于推进扶贫车间建设的通知"
    assert record.date == "2018-10-27"  # 成文日期, not 发布日期
    assert (record.issuer, record.doc_number) == ("国务院办公厅", "国办函〔2018〕71号")
    assert "索" not in record.text and "000014349" not in record.text
    assert "各省" in record.text


def test_a_table_with_one_date_label_is_not_a_policy_table():
    html = page(f"<table><tr><td>发布日期：</td><td>2018年11月09日</td></tr></table><h1>扶贫车间开工</h1><p>{PROSE}</p>")
    record = html_to_record(html)
    assert record.issuer is None and record.doc_number is None and record.title == "扶贫车间开工"


# -- list pages

def test_a_page_of_links_is_skipped_as_a_list(tmp_path):
    links = "".join(f"<li><a href='/n/{i}.html'>第{i}条新闻的标题在这里</a><span>2020-07-0{i % 9 + 1}</span></li>"
                    for i in range(60))
    path = tmp_path / "index.html"
    path.write_text(page(f"<ul>{links}</ul>", head="<title>新闻中心</title>"), encoding="utf-8")
    with pytest.raises(ListPageSkipped, match="list page skipped"):
        read_file(path)
    with pytest.raises(ListPage):
        html_to_record(path.read_text(encoding="utf-8"))


def test_a_channel_page_of_linked_teasers_is_a_list_though_its_teasers_have_sentences():
    # a channel's front page: every headline and its one-sentence teaser linked
    teasers = "".join(f"<li><a href='/n/{i}.html'>第{i}条新闻的标题</a>"
                      f"<a href='/n/{i}.html'>县里开了第{i}个车间。</a></li>" for i in range(40))
    html = page(f"<ul>{teasers}</ul>", head="<title>新闻中心</title>")
    with pytest.raises(ListPage):
        html_to_record(html)
    # near miss: an undated article whose own sentences stand outside links, beside
    # as long a block of related links, is an article
    related = "".join(f"<li><a href='/n/{i}.html'>第{i}条相关新闻的标题</a></li>" for i in range(40))
    own = "".join(f"<p>{PROSE}第{k}次。</p>" for k in range(3))
    html = page(f"<h1>甘肃扶贫车间吸纳就业</h1>{own}<ul class='related'>{related}</ul>",
                head="<title>甘肃扶贫车间吸纳就业</title>")
    assert "扶贫车间" in html_to_record(html).text


def _front(address: str, title: str, byline: str = "") -> str:
    # a front page's featured stories: sentences in paragraphs, few of them linked
    stories = "".join(f"<h2><a href='/n/{i}.html'>第{i}条新闻</a></h2><p>{PROSE}</p>" for i in range(4))
    return page(f"<h1>{title}</h1><div class='info'>{byline}</div><div class='content'>{stories}</div>",
                head=f"<title>{title}</title><link rel='canonical' href='{address}'>")


@pytest.mark.parametrize("address, title", [
    ("https://www.example.com/", "机器之心"),
    ("https://www.example.com/index.shtml", "新闻中心"),
    ("https://www.example.com/zhongwen/simp", "BBC News, 中文 - 主页"),
    ("https://www.example.com/news/", "财经频道首页"),
])
def test_a_front_page_with_prose_is_a_list(address, title):
    with pytest.raises(ListPage, match="front page"):
        html_to_record(_front(address, title))


@pytest.mark.parametrize("address, title, byline", [
    # near misses: an article's own address; a headline naming a front page;
    # a dated byline (a site whose every page gives the root as its address)
    ("https://www.example.com/news/2020/0704/123.shtml", "机器之心", ""),
    ("https://www.example.com/news/", "县政府网站首页改版上线", ""),
    ("https://www.example.com/", "甘肃扶贫车间吸纳就业", "2020-07-04 10:21:03 来源：甘肃日报"),
])
def test_an_article_at_its_own_address_is_no_front_page(address, title, byline):
    assert "扶贫车间" in html_to_record(_front(address, title, byline)).text


def test_a_feed_of_news_flashes_each_with_its_source_is_a_list():
    flashes = "".join(f"<p>某公司发布第{i}款产品，支持多种语言，面向开发者开放。来源：科技网{i % 3}</p>"
                      for i in range(12))
    html = page(f"<h1>每日快讯</h1><div class='content'>{flashes}</div>", head="<title>每日快讯</title>")
    with pytest.raises(ListPage, match="feed"):
        html_to_record(html)
    # near miss: an article quoting a few sources of its figures
    sourced = "".join(f"<p>{PROSE}数据来源：国家统计局</p>" for _ in range(3)) + f"<p>{PROSE}</p>" * 9
    html = page(f"<h1>每日快讯</h1><div class='content'>{sourced}</div>", head="<title>每日快讯</title>")
    assert "扶贫车间" in html_to_record(html).text


def test_a_feed_of_timed_flashes_on_a_page_of_links_is_a_list():
    flashes = "".join(f"<p>08:{i:02d}:00</p><p><a href='/n/{i}.html'>【某公司发布第{i}款产品】据报道，该公司宣布产品面向开发者开放。"
                      f"</a></p>" for i in range(8))
    html = page(f"<h1>财经快讯</h1><div class='content'>{flashes}</div>", head="<title>财经快讯</title>")
    with pytest.raises(ListPage, match="feed"):
        html_to_record(html)
    # near miss: a live report, its times above its own text (few links)
    live = "".join(f"<p>08:{i:02d}:00</p><p>{PROSE}</p>" for i in range(8))
    html = page(f"<h1>财经快讯</h1><div class='content'>{live}</div>", head="<title>财经快讯</title>")
    assert "扶贫车间" in html_to_record(html).text


def test_a_sites_calendar_line_does_not_make_a_page_of_links_an_article():
    # a date with its weekday alone in the page's header is the site's calendar
    links = "".join(f"<li><a href='/n/{i}.html'>第{i}条新闻的标题在这里</a></li>" for i in range(40))
    header = "<div class='top'><div>今日要闻</div><div>2020年07月04日 星期六</div></div>"
    html = page(f"{header}<ul>{links}</ul>", head="<title>新闻中心</title>")
    with pytest.raises(ListPage):
        html_to_record(html)
    # near miss: the same line right under a short item's headline is its byline
    short = "<p>县里的扶贫车间今天开工。</p>"
    html = page(f"<h1>甘肃扶贫车间开工</h1><div>2020年07月04日 星期六</div>{short}<ul>{links}</ul>",
                head="<title>甘肃扶贫车间开工</title>")
    record = html_to_record(html)
    assert record.date == "2020-07-04" and "扶贫车间" in record.text


@pytest.mark.parametrize("lines, headline, date", [
    (["甘肃扶贫车间吸纳就业", "2020年07月04日 星期六", PROSE], True, "2020-07-04"),
    (["甘肃扶贫车间吸纳就业", "2020年07月04日 星期六 来源：甘肃日报", PROSE], True, "2020-07-04"),
    (["今日要闻", "2020年07月04日 星期六", PROSE], False, None),  # under a page's first line
    (["甘肃扶贫车间吸纳就业", "作者：李明", "| 2020年07月04日 星期六", PROSE], True, None),
    (["2020年07月04日 星期六", "甘肃扶贫车间吸纳就业", PROSE], True, None),  # above the headline
])
def test_a_calendar_line_is_a_byline_only_right_under_the_headline(lines, headline, date):
    anchor = 1 if lines[1] == "甘肃扶贫车间吸纳就业" else 0
    assert byline(lines, anchor, {PROSE}, headline).date == date


@pytest.mark.parametrize("title, listed", [
    ("扶贫车间 - 搜索结果 - 某问答网", True),
    ("“扶贫车间”的搜索结果", True),
    ("Search results for 扶贫 | 某网", True),
    # near misses: headlines about search results
    ("谷歌调整搜索结果 - 某科技网", False),
    ("百度搜索结果页改版上线", False),
])
def test_a_sites_search_results_are_a_list_though_the_first_reads_as_an_article(title, listed):
    # the first result's answer shown in full, the others as teasers
    results = f"<div class='result'><h2>{title.split(' - ')[0]}</h2>" + "".join(
        f"<p>{PROSE}第{k}次。</p>" for k in range(3)) + "</div>"
    html = page(results, head=f"<title>{title}</title>")
    if listed:
        with pytest.raises(ListPage, match="search results"):
            html_to_record(html)
    else:
        assert "扶贫车间" in html_to_record(html).text


@pytest.mark.parametrize("row", ["j_thread_list clearfix", "threadlist_title", "thread-list-item"])
def test_a_forums_board_is_a_list_though_its_threads_have_sentences(row):
    threads = "".join(f"<li class='{row}'><span>{i}</span><a href='/p/{i}'>第{i}个帖子：县里的扶贫车间开工了。</a>"
                      f"<div>楼主的话，车间里每人每月增收两千元。</div><span>网友{i} 16:0{i % 10}</span></li>"
                      for i in range(12))
    html = page(f"<h1>扶贫吧</h1><ul>{threads}</ul>", head="<title>扶贫吧-某论坛</title>")
    with pytest.raises(ListPage, match="forum"):
        html_to_record(html)


def test_a_blogs_threaded_comments_or_a_few_hot_threads_are_no_board():
    # near misses: comments classed thread-odd/thread-even under a post; a sidebar of 9 threads
    comments = "".join(f"<li class='comment thread-{'odd' if i % 2 else 'even'}'><p>网友{i}：说得好。</p></li>"
                       for i in range(20))
    assert "扶贫车间" in html_to_record(article(after=f"<ol>{comments}</ol>")).text
    hot = "".join(f"<li class='threadlist_title'><a href='/p/{i}'>第{i}个热帖</a></li>" for i in range(9))
    assert "扶贫车间" in html_to_record(article(after=f"<ul>{hot}</ul>")).text


def test_an_article_with_a_list_of_related_links_is_not_a_list():
    links = "".join(f"<li><a href='/n/{i}.html'>第{i}条相关新闻的标题</a></li>" for i in range(60))
    record = html_to_record(article(after=f"<ul class='related'>{links}</ul>"))
    assert "扶贫车间" in record.text


# -- headlines

@pytest.mark.parametrize("title, want", [
    ("[视频]习近平会见外国领导人", "习近平会见外国领导人"),
    ("【视频】国务院常务会议", "国务院常务会议"),
    # near misses: a column name in brackets is part of the headline; a tag alone stays
    ("【中国稳健前行】坚定实施扩大内需战略", "【中国稳健前行】坚定实施扩大内需战略"),
    ("[视频]", "[视频]"),
])
def test_media_tag_before_a_headline(title, want):
    assert without_media_tag(title) == want


# -- real pages

def test_state_council_policy_pages_give_their_real_title_and_number():
    folder = corpora.pages_dir_or_skip() / "govcn_policy_pages_2019"
    with open(folder / "index.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 60
    wrong = []
    for row in rows:
        [got] = read_file(folder / row["file"])
        if (got.title, got.doc_number) != (row["title"], row["release_number"]) or not got.date:
            wrong.append((row["file"], got.title, got.doc_number, got.date))
        assert got.title != "索 引 号："
    assert not wrong


def test_every_netease_money_page_has_the_date_of_its_byline():
    # (the publisher, where its 来源 line shows one: tests/test_shared_pages.py)
    folder = corpora.pages_dir_or_skip() / "cx-extractor_money163"
    missing = []
    for path in sorted(folder.glob("*.html")):
        try:
            [got] = read_file(path)
        except ListPageSkipped:
            missing.append(path.name + " (skipped as a list)")
            continue
        if not (got.date and got.date.startswith("2015-")):
            missing.append(path.name)
    assert not missing


# -- a page without a headline

HEADLESS = page(f"<div class='content'><p>{PROSE}</p><p>{PROSE}再一段。</p></div>")


def test_a_page_without_a_headline_has_no_title_and_nothing_breaks(tmp_path):
    from search.indexing import build_index
    from web import create_app

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "headless.html").write_text(HEADLESS, encoding="utf-8")
    (tmp_path / "pages" / "titled.html").write_text(article(), encoding="utf-8")
    [got] = read_file(tmp_path / "pages" / "headless.html")
    assert got.title is None  # not its first words made into a title
    summary = build_index([str(tmp_path / "pages")], str(tmp_path / "index"), rebuild=True, procs=1)
    assert not summary.failures and summary.articles.added == 2
    client = create_app(str(tmp_path / "index"), config={"TESTING": True}).test_client()
    hits = client.get("/api/search", query_string={"q": "扶贫车间"}).get_json()["hits"]
    assert {h["doc_id"]: h["title"] for h in hits} == {"headless": None, "titled": "甘肃扶贫车间吸纳就业"}
    doc = client.get("/api/docs/headless").get_json()
    assert doc["title"] is None
    for url in ("/?q=扶贫车间", "/docs", "/docs/headless", "/api/export?q=扶贫车间&format=csv"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "None" not in r.get_data(as_text=True), url
    body = client.get("/docs/headless").get_data(as_text=True)
    assert 'class="untitled"' in body and "第1段" in body


def test_list_pages_are_counted_apart_by_index_and_inspect(tmp_path, capsys):
    from search.indexing import build_index
    from search.cli.inspect import inspect

    links = "".join(f"<li><a href='/n/{i}.html'>第{i}条新闻的标题在这里</a></li>" for i in range(60))
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "index.shtml").write_text(page(f"<ul>{links}</ul>"), encoding="utf-8")
    (tmp_path / "pages" / "story.shtml").write_text(article(), encoding="utf-8")
    summary = build_index([str(tmp_path / "pages")], str(tmp_path / "index"), rebuild=True, procs=1)
    assert summary.failures == [] and summary.articles.added == 1
    assert [p.rsplit("/", 1)[-1] for p in summary.list_pages] == ["index.shtml"]
    assert "1 list page(s) skipped" in summary.line()
    assert inspect([str(tmp_path / "pages")], as_json=True) == 0  # a list page is no failure
    err = capsys.readouterr().err
    assert "index.shtml: list page skipped" in err and "1 list page(s) skipped" in err


@pytest.mark.parametrize("line, date", [
    ("maomaobear 2015-06-19 11:20:11 0人参与评论", "2015-06-19"),  # a date with its time of day
    ("发布于AI新闻资讯 · 1 分钟阅读 · Apr 22, 2025", "2025-04-22"),
    # near misses: a date without a time beside words; a month and year only
    ("maomaobear 2015-06-19 0人参与评论", None),
    ("作者 · 1 分钟阅读 · Apr 2025", None),
])
def test_an_unlabelled_byline_date_by_the_headline(line, date):
    assert byline(["甘肃扶贫车间吸纳就业", line, PROSE], 0, {PROSE}).date == date


def test_a_date_with_its_time_after_the_text_is_not_the_pages():
    after = "<div class='comment'><p>网友甲 2015-07-09 08:00:01 说得好</p></div>"
    assert html_to_record(article(after=after)).date is None


def test_no_heldout_article_page_is_lost_and_most_list_pages_are_skipped():
    # the dev article pages: tests/test_shared_pages.py
    pages = corpora.pages_dir_or_skip()
    lost, lists, skipped = [], 0, 0
    for path, label in corpora.load_labels().items():
        if label["kind"] == "article" and label["split"] == "dev":
            continue
        articles, error = corpora.read_page(pages, path)
        if label["kind"] == "article" and not any(a.paragraphs for a in articles):
            lost.append(f"{path}: {error}")
        if label["kind"] == "list":
            lists += 1
            skipped += bool(error and "list page skipped" in error)
    assert not lost
    assert skipped >= 25 and lists == 25  # a ratchet: all 25 list pages are told today


def test_a_date_only_in_structured_data_is_taken_and_one_only_in_the_text_is_not():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
          ' "datePublished": "2020-02-12T10:00:00+08:00"}</script>')
    assert html_to_record(article().replace("</head>", ld + "</head>")).date == "2020-02-12"
    # near miss: the same date shown only in a reader's comment below the text
    after = "<div class='comment'><p>网友 2020-02-12 10:00:00 顶</p></div>"
    assert html_to_record(article(after=after)).date is None


@pytest.mark.parametrize("line, source", [
    ("中時電子報 2018-09-16 10:20", "中時電子報"),  # a name beside the date
    # near misses: words of the byline beside its date
    ("建立 2016-05-21 10:20", None),
    ("最新更新： 2016-03-19 10:20", None),
])
def test_an_unlabelled_publisher_beside_the_byline_date(line, source):
    assert byline(["甘肃扶贫车间吸纳就业", line, PROSE], 0, {PROSE}).source == source


def test_an_article_laid_out_twice_on_its_page_is_read_once():
    # desktop and phone layouts of one page, each with the whole article
    paragraphs = "".join(f"<p>{PROSE}第{i}次。</p>" for i in range(4))
    html = page(f"<h1>甘肃扶贫车间吸纳就业</h1><div class='pc'>{paragraphs}</div>"
                f"<div class='mobile'>{paragraphs}</div>", head="<title>甘肃扶贫车间吸纳就业</title>")
    text = html_to_record(html).text
    assert text.count("第0次") == 1 and text.count("第3次") == 1
    # near miss: a short line said twice (好。, an agenda's 地点 row) is the article's own, and stays
    html = page(f"<h1>甘肃扶贫车间吸纳就业</h1><div>{paragraphs}<p>好。</p><p>{PROSE}</p><p>好。</p></div>",
                head="<title>甘肃扶贫车间吸纳就业</title>")
    assert html_to_record(html).text.count("好。") == 2


# -- dates of pages without a byline by the headline

def test_a_us_style_date_with_am_pm_is_month_first():
    assert html_to_record(article("作者：  来源：  发布日期： 9/17/2004 5:54:13 AM")).date == "2004-09-17"
    # near misses: no year is no date; without AM/PM 7/5/2005 is not read month
    # first by our rule (htmldate, after it, reads it day first)
    assert html_to_record(article("发布日期： 9/17 5:54 AM")).date is None
    assert html_to_record(article("发布日期： 7/5/2005 21:23:57")).date != "2005-07-05"


def test_a_forum_threads_first_post_dates_the_page():
    posts = "".join(f"<p>{PROSE}</p><p>〓 留言板 发布时间 2005/05/{d} 22:11:42 by 网友{d} 〓</p>"
                    for d in (17, 18, 19))
    html = page(f"<div class='crumb'>首页 &gt; 留言板</div>{posts}", head="<title>留言板</title>")
    assert html_to_record(html).date == "2005-05-17"
    # near miss: a date without the label (a post's text naming a day) dates nothing
    html = page(f"<p>{PROSE}</p><p>我们约在 2005/05/17 22:11 见面。</p>", head="<title>留言板</title>")
    assert html_to_record(html).date is None


def test_the_address_of_a_cleaneval_text_wrapper_dates_the_page():
    html = (f"<text id='http://blog.example.cn/someone/archive/2005/09/07/543698.aspx' title='评'>"
            f"<p>{PROSE}</p><p>{PROSE}</p></text>")
    assert html_to_record(html).date == "2005-09-07"
    # near miss: an id that is no address
    assert html_to_record(html.replace("http://", "")).date is None


def test_an_e_papers_edition_date_in_an_element_named_for_it():
    form = "<form action='/search'><span id='paperdate'>2022年02月13日</span></form>"
    html = article().replace("<body>", "<body>" + form)
    assert html_to_record(html).date == "2022-02-13"
    # near miss: a list of links each with its own date element dates nothing
    items = "".join(f"<li><a href='/{d}'>另一条消息</a><span class='date'>2022-02-{d}</span></li>"
                    for d in (10, 11, 12))
    assert html_to_record(article(after=f"<ul class='list'>{items}</ul>")).date is None


def test_the_headline_is_the_longest_heading_the_page_title_carries():
    html = page(f"<h1>松花江网</h1><h2>土豆不土 土豆无土</h2><p>{PROSE}</p>",
                head="<title>土豆不土 土豆无土 松花江网</title>")
    assert html_to_record(html).title == "土豆不土 土豆无土"
    # near miss: a longer heading that the page title does not carry is not the headline
    html = page(f"<h1>土豆不土 土豆无土</h1><h2>新春走基层系列报道专题汇总</h2><p>{PROSE}</p>",
                head="<title>土豆不土 土豆无土 松花江网</title>")
    assert html_to_record(html).title == "土豆不土 土豆无土"


# -- the article's text: the library's choice, our lines

def test_a_sentence_whose_references_are_links_is_text_and_a_nav_line_is_not():
    refs = "".join(f"<a href='/v{i}'>({i})明白神的旨意（罗12:{i}）</a>；" for i in range(3))
    body = f"<p>{PROSE}</p><p>3.花时间背诵经文，这将对你的灵命长进起特殊的作用：{refs}</p><p>{PROSE}</p>"
    assert "花时间背诵经文" in html_to_record(page(body)).text
    # near miss: links with a few words between them are navigation
    nav = "".join(f"<a href='/c{i}'>第{i}频道新闻</a> 更多 " for i in range(5))
    assert "频道新闻" not in html_to_record(page(f"<p>{PROSE}</p><p>{nav}</p><p>{PROSE}</p>")).text


def test_lines_the_library_drops_inside_the_article_are_kept():
    # trafilatura leaves out a layout table's cell between the paragraphs
    aims = "<table><tr><td>学习目的<br>1.认识读经的重要性；<br>2.学会祷告的方法。</td></tr></table>"
    paragraphs = "".join(f"<p>{PROSE}第{i}次。</p>" for i in range(4))
    html = page(f"<h1>新生活</h1><div class='content'>{paragraphs[:len(paragraphs) // 2]}{aims}"
                f"{paragraphs[len(paragraphs) // 2:]}</div><div class='footer'>网站地图 联系我们</div>",
                head="<title>新生活</title>")
    text = html_to_record(html).text
    assert "学习目的" in text and "学会祷告的方法" in text
    assert "网站地图" not in text  # near miss: past the article's last paragraph, nothing is added


def test_an_article_body_whose_class_also_names_a_share_pop_up_is_text():
    paragraphs = "".join(f"<p>{PROSE}第{i}次。</p>" for i in range(4))
    html = page(f"<h1>扶贫车间</h1><div class='BSHARE_POP blkContainerSblkCon artibody'>{paragraphs}</div>"
                f"<div class='share'><p>分享到微博，分享到微信。</p></div>", head="<title>扶贫车间</title>")
    text = html_to_record(html).text
    assert text.count("第3次") == 1
    assert "分享到微博" not in text  # near miss: a share bar is furniture still
