"""Reading files: encodings, HTML, JSON lines, unreadable files, folders."""

import json
from pathlib import Path

import pytest

from search.ingest import SUPPORTED_SUFFIXES, iter_source_files, read_file
from search.ingest.html import html_to_record
from search.ingest.readers import decode
from search.model import IngestError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TEXT = "全省首个藏区就业扶贫公共实训基地落成\n\n四川日报 2018年08月23日\n\n8月22日,甘孜州得荣县召开就业扶贫推进会。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_in_every_supported_encoding_reads_the_same(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode(encoding))
    [article] = read_file(path)
    assert article.title == "全省首个藏区就业扶贫公共实训基地落成"
    assert article.paragraphs[0].text == "8月22日,甘孜州得荣县召开就业扶贫推进会。"


def test_traditional_text_in_gbk_family_keeps_its_script(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("甘肅堅決打贏攻堅戰\n\n技能培訓讓貧困勞動力走出大山。\n".encode("gb18030"))
    [article] = read_file(path)
    assert article.paragraphs[0].text == "技能培訓讓貧困勞動力走出大山。"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\n ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(1, 32)) * 20, "binary"),
])
def test_unreadable_file_raises_with_name_and_reason(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as err:
        read_file(path)
    assert err.value.path == str(path)
    assert reason in err.value.reason


def test_undecodable_bytes_are_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe\xfa" * 3 + "就业".encode("utf-8") + b"\x80\x80\xff")
    with pytest.raises(IngestError):
        read_file(path)


def test_decode_prefers_utf8_over_gb18030():
    assert decode("就業扶貧".encode("utf-8"), "x") == "就業扶貧"


def test_html_keeps_blocks_as_lines_and_drops_script_style_nav():
    record = html_to_record("""<html><head><title>标题 - 某某网</title>
        <style>p{color:red}</style><script>var x = "不要";</script></head>
        <body><nav>首页 > 新闻</nav><h1>就业扶贫车间开工</h1>
        <p>第一段,扶贫车间<b>正式</b>开工。</p><div>第二段。<br>第三段。</div></body></html>""")
    lines = [line for line in record.text.splitlines() if line]
    assert lines == ["就业扶贫车间开工", "第一段,扶贫车间正式开工。", "第二段。", "第三段。"]
    assert record.title == "就业扶贫车间开工"


def test_html_title_tag_is_the_hint_without_h1():
    record = html_to_record("<title>甘肃扶贫车间吸纳就业 - 中国就业网</title><p>正文。</p>")
    assert record.title == "甘肃扶贫车间吸纳就业"


def test_html_file_becomes_an_article(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<h1>扶贫车间开工</h1><p>来源:四川日报 2020-05-06</p>"
                    "<p>近日,扶贫车间开工,吸纳贫困劳动力就业。</p>", encoding="utf-8")
    [article] = read_file(path)
    assert (article.title, article.source, article.date) == ("扶贫车间开工", "四川日报", "2020-05-06")
    assert [p.text for p in article.paragraphs] == ["近日,扶贫车间开工,吸纳贫困劳动力就业。"]


def test_jsonl_one_article_a_line_with_metadata(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        {"id": "gs/2019 01", "title": "甘肃扶贫车间", "date": "2019-04-29", "source": "中国组织人事报",
         "url": "http://x", "text": "去年,甘肃建设扶贫车间754个。\n今年继续推进。"},
        {"text": "近日,洋县开展技能培训。"},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    first, second = read_file(path)
    assert first.doc_id == "gs-2019-01"
    assert (first.title, first.date, first.source, first.url) == ("甘肃扶贫车间", "2019-04-29", "中国组织人事报", "http://x")
    assert [p.years for p in first.paragraphs] == [[2018], [2019]]
    assert second.doc_id == "feed.2"
    assert second.date is None


@pytest.mark.parametrize("fields, date", [
    ({"date": "20120702"}, "2012-07-02"),
    ({"date": "2012.07.02"}, "2012-07-02"),
    ({"date": "2012年7月2日"}, "2012-07-02"),
    ({"date": "2012-07-02T19:06:13+08:00"}, "2012-07-02"),
    ({"pubtime": "2012-07-02 19:06:13"}, "2012-07-02"),
    ({"published": "2015/3/9"}, "2015-03-09"),
    ({"publish_time": "20150309"}, "2015-03-09"),
    ({"date": "", "pubtime": "2012-07-02 19:06:13"}, "2012-07-02"),
    ({"date": "20120702", "pubtime": "2013-01-01 08:00:00"}, "2012-07-02"),  # date wins
    # near misses: not a calendar date, a number that is no date, no date field
    ({"date": "20121332"}, None),
    ({"date": "12345678"}, None),
    ({"date": "2012070"}, None),
    ({"time": "2012-07-02"}, None),
])
def test_jsonl_dates_in_compact_forms_and_other_fields(tmp_path, fields, date):
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({**fields, "text": "甘肃建设扶贫车间754个。"}, ensure_ascii=False),
                    encoding="utf-8")
    [article] = read_file(path)
    assert article.date == date


def test_a_compact_number_in_the_text_is_no_date(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("扶贫车间开工\n20120702\n编号20120702的车间吸纳就业。\n", encoding="utf-8")
    [article] = read_file(path)
    assert article.date is None


@pytest.mark.parametrize("title, shown", [
    ("[视频]胡锦涛讲话单行本出版", "胡锦涛讲话单行本出版"),
    ("【组图】甘肃扶贫车间开工", "甘肃扶贫车间开工"),
    ("[视频][组图]甘肃扶贫车间开工", "甘肃扶贫车间开工"),
    ("视频]山西:干部住村助农增收", "山西:干部住村助农增收"),  # the archive's broken forms
    ("[视频【重读抗战家书】戴安澜的家书", "【重读抗战家书】戴安澜的家书"),
    # near misses: a column name, a tag word inside the headline, a tag alone
    ("【二十大代表风采】林丹:用心用情", "【二十大代表风采】林丹:用心用情"),
    ("图书馆扶贫车间开工", "图书馆扶贫车间开工"),
    ("[2019]甘肃扶贫车间", "[2019]甘肃扶贫车间"),
    ("[视频]", "[视频]"),
])
def test_a_channel_tag_leaves_the_title_and_is_kept_nowhere(tmp_path, title, shown):
    path = tmp_path / "feed.jsonl"
    text = f"{title}\n甘肃建设扶贫车间754个。"
    path.write_text(json.dumps({"title": title, "text": text}, ensure_ascii=False), encoding="utf-8")
    [article] = read_file(path)
    assert article.title == shown
    assert [p.text for p in article.paragraphs] == ["甘肃建设扶贫车间754个。"]  # its copy in the text goes


def test_jsonl_bad_lines_are_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "第一篇。"}\nnot json\n{"title": "no text"}\n[1]\n{"text": "第二篇。"}\n',
                    encoding="utf-8")
    problems = []
    articles = read_file(path, problems)
    assert [a.doc_id for a in articles] == ["feed.1", "feed.5"]
    assert len(problems) == 3
    assert "line 2" in problems[0] and "bad JSON" in problems[0]
    assert "line 3" in problems[1] and "text" in problems[1]


def test_jsonl_without_a_usable_line_fails(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text("oops\n{}\n", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_file(path)
    assert "no usable line" in err.value.reason


def test_iter_source_files_walks_folders_sorted_and_skips_hidden(tmp_path):
    for name in ["b.txt", "a.html", "sub/c.jsonl", ".hidden.txt", ".git/x.txt", "notes.md", "d.HTM"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_source_files([str(tmp_path)])]
    assert found == ["a.html", "b.txt", "d.HTM", "sub/c.jsonl"]
    assert SUPPORTED_SUFFIXES == (".txt", ".html", ".htm", ".jsonl")


def test_iter_source_files_yields_files_as_given_and_rejects_missing(tmp_path):
    seed = sorted(SEEDS.glob("*.txt"))[0]
    assert list(iter_source_files([str(seed)])) == [seed]
    with pytest.raises(IngestError) as err:
        list(iter_source_files([str(tmp_path / "nope")]))
    assert "no such file" in err.value.reason


def test_every_seed_is_read():
    files = list(iter_source_files([str(SEEDS)]))
    assert len(files) == 5
    for path in files:
        assert read_file(path)


def test_html_navigation_by_tag_class_id_and_link_density_is_dropped():
    record = html_to_record("""<body><header><a href="/">某某网</a></header>
        <div class="topnav"><ul><li><a href="/">首页</a></li><li><a href="/x">政务公开</a></li></ul></div>
        <div id="breadcrumb">当前 &gt; 新闻</div>
        <div class="bdsharebuttonbox">分享到 <a>微信</a></div>
        <div class="links"><a href="/a">另一篇文章的标题</a> | <a href="/b">第二篇</a></div>
        <article><header><h1>扶贫车间开工</h1></header>
        <p>第一段,扶贫车间在<a href="/p">阜平县</a>正式开工,吸纳贫困劳动力就业。</p></article>
        <aside>热门文章</aside><footer>关于我们</footer><div class="canvas">第二段。</div></body>""")
    lines = [line for line in record.text.splitlines() if line]
    assert lines == ["扶贫车间开工", "第一段,扶贫车间在阜平县正式开工,吸纳贫困劳动力就业。", "第二段。"]
    assert "首页" in record.furniture and "热门文章" in record.furniture
    assert record.title == "扶贫车间开工"


@pytest.mark.parametrize("html, title", [
    # no h1: a title element that the page title carries, not the page title
    ('<title>阜平县端稳饭碗-河北省人力资源和社会保障厅</title>'
     '<h2 class="title">阜平县端稳饭碗</h2><p>正文。</p>', "阜平县端稳饭碗"),
    # page title only: column and site names go, even after a bare dash
    ("<title>于都扶贫车间开进村_赣州新闻_中国江西网</title><p>正文。</p>", "于都扶贫车间开进村"),
    ('<head><meta name="SiteName" content="某某人社厅"><title>标题一则-某某人社厅</title></head>'
     "<p>正文。</p>", "标题一则"),
    ("<title>2018-2020年就业扶贫行动</title><p>正文。</p>", "2018-2020年就业扶贫行动"),
    ('<head><meta property="og:title" content="榕江县送工上岗 | 多彩贵州网">'
     "<title>多彩贵州网</title></head><p>正文。</p>", "榕江县送工上岗"),
])
def test_html_title_is_the_headline_without_site_name(html, title):
    assert html_to_record(html).title == title


def test_gbk_page_with_a_few_broken_bytes_is_read_and_the_bytes_reported(tmp_path):
    # an old GB2312 page whose CMS cut one character in two: the rest reads
    body = "".join(f"<p>第{n}段:县里组织贫困劳动力参加技能培训,帮助他们就近就业。</p>" for n in range(40))
    data = ("<html><head><meta charset=gb2312><title>技能培训</title></head><body>" + body).encode("gb18030")
    cut = data.index("就近".encode("gb18030"))
    data = data[:cut] + b"\xb0" + data[cut + 2:]
    path = tmp_path / "old.html"
    path.write_bytes(data)
    problems = []
    [article] = read_file(path, problems)
    assert any("县里组织贫困劳动力参加技能培训" in p.text for p in article.paragraphs)
    assert problems and "1 bad byte sequence(s) replaced" in problems[0]


def test_more_than_a_few_bad_bytes_is_still_refused(tmp_path):
    # near miss: one bad sequence in every 100 characters is not GBK with a slip
    chunk = "县里组织贫困劳动力参加技能培训,帮助他们就近就业。".encode("gb18030") * 4
    path = tmp_path / "mixed.txt"
    path.write_bytes((chunk + b"\xb0") * 40)
    with pytest.raises(IngestError):
        read_file(path)


def test_an_html_page_over_the_limit_is_refused_with_its_size_and_the_rest_indexed(tmp_path, monkeypatch):
    """An HTML page is parsed whole, in memory: one larger than
    HTML_MAX_BYTES is refused (named, with its size and what to do), by
    its size before it is read (.html) or once its bytes show it is HTML
    (a sniffed suffix), while the other files are indexed; a page just
    under the limit, and a text file over it, are read."""
    from search.indexing import build_index
    from search.ingest import readers

    monkeypatch.setattr(readers, "HTML_MAX_BYTES", 4000)
    para = "<p>近日,扶贫车间开工,吸纳贫困劳动力就业。</p>"  # 66 bytes in UTF-8
    page = "<html><body><h1>扶贫车间开工</h1>{}</body></html>"
    big = page.format(para * 70)  # over 4,000 bytes
    small = page.format(para * 55)  # under
    assert len(small.encode()) < 4000 < len(big.encode())
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "big.html").write_text(big, encoding="utf-8")
    (tmp_path / "src" / "big.shtml").write_text(big, encoding="utf-8")
    (tmp_path / "src" / "small.html").write_text(small, encoding="utf-8")
    (tmp_path / "src" / "long.txt").write_text("近日,扶贫车间开工,吸纳贫困劳动力就业。\n" * 120, encoding="utf-8")
    for name in ("big.html", "big.shtml"):
        with pytest.raises(IngestError) as err:
            read_file(tmp_path / "src" / name)
        size = f"{len(big.encode()) / 1024:.1f} KB"
        assert f"an HTML page of {size}: pages larger than 3.9 KB are not read" in err.value.reason
        assert ".txt" in err.value.reason
    assert read_file(tmp_path / "src" / "small.html")[0].paragraphs
    assert read_file(tmp_path / "src" / "long.txt")[0].paragraphs
    summary = build_index([str(tmp_path / "src")], tmp_path / "ix", procs=1)
    assert summary.articles.failed == 2 and summary.articles.added == 2
    assert sorted(p.rsplit("/", 1)[-1] for p, _ in summary.failures) == ["big.html", "big.shtml"]
