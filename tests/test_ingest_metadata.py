"""Issue 14: bylines, date lines and footers of pages from other sites.

Metadata lines are read (date, source) and then dropped; notices and
footers are furniture whatever their wording; a place named only in them
never labels an article; 今年, 年底... follow from a date read from a
byline; ``inspect`` says which rule dropped each line.  Every rule has a
near miss beside its hit.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.ingest import read_file
from search.ingest.clean import normalize_line, sort_furniture
from search.ingest.structure import read_metadata_line, take_metadata
from search.ingest.years import years_in
from search.cli.inspect import format_article

from conftest import drop_furniture

ROOT = Path(__file__).resolve().parent.parent
BODY = "县人社局在扶贫车间举办技能培训班,120名贫困劳动力参加。"


def article(tmp_path, text, name="a.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [art] = read_file(path)
    return art


# --------------------------------------------------------------------------
# metadata lines: read, then dropped


@pytest.mark.parametrize("line, date, source", [
    ("王某某 發布時間:2020-01-15 09:01:00來源: 新華社", "2020-01-15", "新華社"),
    ("发布时间:2021-06-30 10:19:00来源: 西藏日报", "2021-06-30", "西藏日报"),
    ("[来源:中国新闻网] [作者:某某] [编辑:昆明热线]", None, "中国新闻网"),
    ("選稿人員:某某 | 發布日期:2020/5/13 10:32:21 | 瀏覽次數: 1521", "2020-05-13", None),
    ("发布日期:2020.08.10 来源:甘肃日报", "2020-08-10", "甘肃日报"),
    ("時間:2020年5月13日 10:32 | 來源:中國張掖網", "2020-05-13", "中國張掖網"),
    ("2020-04-08 08:20:00 来源:民乐县人民政府网 作者:杨斌 责任编辑:康康 字号:T|T",
     "2020-04-08", "民乐县人民政府网"),
    ("公益中国 gy.china.com.cn 时间: 2020-04-07 责任编辑:信子维 |", "2020-04-07", None),
    ("(来源:新华网)", None, "新华网"),
])
def test_byline_forms_give_date_and_source(line, date, source):
    found = read_metadata_line(normalize_line(line), in_header=False)
    assert found is not None
    assert found.date == date
    if source:
        assert found.source == source


@pytest.mark.parametrize("line, date", [
    ("工人日报 2017年08月17日 星期一", "2017-08-17"),
    ("《 人民日报 》( 2020年07月06日 08 版)", "2020-07-06"),
    ("2017-06-13 新余市 王昊阳 车间 扶贫", "2017-06-13"),
])
def test_bare_date_lines_near_an_edge(line, date):
    assert read_metadata_line(line, in_header=True).date == date


@pytest.mark.parametrize("line", [
    "2020年5月13日,县人社局在广场举办招聘会,提供岗位1200个。",
    "资金来源:省级财政和东西部协作资金,共计3000万元,全部用于扶贫车间建设和贫困劳动力培训。",
    "2020年5月13日上午,记者来到县城的扶贫车间",
])
def test_content_lines_with_dates_are_not_bylines(line):
    assert read_metadata_line(line, in_header=True) is None


def test_bare_date_counts_only_near_the_top_or_bottom():
    lines = ["题目", "正文第一段。"] * 4 + ["2017年6月13日 新余市", "正文。"] * 3 + ["尾段。"] * 4
    meta, content, used = take_metadata(lines)
    assert meta.date is None and used == []


def test_byline_at_the_bottom_dates_the_article_and_is_no_paragraph(tmp_path):
    art = article(tmp_path, "扶贫车间开到家门口\n\n" + BODY + "\n\n今年全县新建扶贫车间30个。\n\n"
                  "選稿人員:某某 | 發布日期:2020/5/13 10:32:21 | 瀏覽次數: 1521\n")
    assert art.date == "2020-05-13"
    assert [p.years for p in art.paragraphs] == [[], [2020]]
    assert all("瀏覽" not in p.text for p in art.paragraphs)
    assert art.skipped == ["選稿人員:某某 | 發布日期:2020/5/13 10:32:21 | 瀏覽次數: 1521"]


def test_date_in_a_dropped_chrome_line(tmp_path):
    art = article(tmp_path, "扶贫车间助脱贫\n\n" + BODY + "\n\n当前:A2(2019年01月22日) 上一版 下一版\n")
    assert art.date == "2019-01-22"
    assert [p.text for p in art.paragraphs] == [BODY]


def test_a_date_in_further_reading_is_not_the_articles(tmp_path):
    art = article(tmp_path, "扶贫车间助脱贫\n\n" + BODY + "\n\n相关阅读\n\n2017-06-14 陕西出台13项政策\n")
    assert art.date is None


# --------------------------------------------------------------------------
# notices and footers


@pytest.mark.parametrize("line", [
    "凡注有“新华社”电头或标明“来源:新华社”的所有作品,版权均为新华社所有。",
    "凡本网注明“来源:西藏日报”或记者署名的文字、图片,版权均属于西藏日报社所有。任何媒体、网站或者个人,未经授权不得转载、链接、转贴或以其他方式复制发表。",
    "凡本網註明記者署名的文字、圖片,版權均屬於本網所有。",
    "任何媒体、网站或者个人,未经授权不得转载。",
    "转载请注明出处。本文仅代表作者观点,不代表本网观点。",
    "地址:北京市西城区某某路1号| 邮编:100029",
    "联系人:王老师 | 电话:400-123-4567 | E-mail:news@example.cn | QQ:123456",
    "電話:0931-1234567 傳真:0931-7654321",
    "【糾錯】", "更多精彩資訊>>>", "【責任編輯:施歌", "】",
    "新华社记者 刘军喜 摄", "司伟 苏长霞 摄", "新華社記者胡星、駱飛", "(通讯员 李文胜 冉斯琪)",
    "原标题:贵州天柱:“扶贫工厂”稳就业促增收", "文章来源:http://www.example.com/news/1.html",
    "新華網 正文", "人民网>>新疆频道", "位置:当前位置:首页 >> 财经", "小字号", "Qzone",
    "扫码关注中国小康网公众号", "中工网微博", "ID:chxk365", "中国报道网——中国报道杂志唯一官方网站",
    "新華社貴陽3月8日電 題:疫情“鎖不住”的山鄉脫貧夢", "上篇:",
])
def test_notices_and_footers_are_furniture(line):
    content, furniture = drop_furniture([normalize_line(line)])
    assert content == [], line


@pytest.mark.parametrize("line", [
    "该县注重保护绣娘的版权,帮助合作社注册了商标。",
    "凡是有劳动能力的贫困户,县里都安排了技能培训。",
    "招聘会地址设在县体育馆,现场提供岗位3000个。",
    "未经培训不得上岗,县里为每名护林员提供岗前培训。",
    "记者从省人社厅获悉,今年全省新建扶贫车间30个。",
    "新华社记者来到安置点,看到搬迁群众在扶贫车间工作。",
    "群众可拨打咨询电话12333了解就业扶贫政策。",
    "更多贫困劳动力在家门口实现了就业。",
    "张三摄影技术好,在合作社做电商。",
])
def test_content_that_mentions_the_same_words_stays(line):
    assert drop_furniture([line]) == ([line], [])


def test_breadcrumb_split_over_lines_goes_but_the_headline_stays():
    lines = ["您當前的位置 :", "中國張掖網", ">>", "2018專題", ">>", "致富經",
             "高臺縣11家扶貧車間吸納就業357人", "來源:中國張掖網"]
    content, _ = drop_furniture(lines)
    assert content == ["高臺縣11家扶貧車間吸納就業357人", "來源:中國張掖網"]


def test_a_lone_separator_does_not_take_a_sentence_with_it():
    lines = ["扶贫车间开到了家门口,群众挣钱顾家两不误。", ">>", "下一段说的是培训。"]
    assert drop_furniture(lines)[0] == [lines[0], lines[2]]


def test_a_quoted_word_may_open_a_headline(tmp_path):
    art = article(tmp_path, "“扶贫车间”助脱贫\n\n" + BODY + "\n")
    assert art.title == "“扶贫车间”助脱贫"
    quoted = article(tmp_path, "“在家门口上班,挣钱顾家两不误。”\n\n" + BODY + "\n", "b.txt")
    assert quoted.title != "“在家门口上班,挣钱顾家两不误。”"


# --------------------------------------------------------------------------
# places in furniture never label an article


def test_a_footers_place_never_labels_the_article(tmp_path):
    art = article(tmp_path, "\n\n".join([
        "乡镇扶贫车间吸纳百余人就业",
        "湖北省郧西县上津镇的扶贫车间里,50多名贫困群众在加工服装。",
        "上津镇今年新建扶贫车间3个,吸纳贫困劳动力120人就业。",
        "凡注有“本网”电头或标明“来源:本网”的所有作品,版权均为本网所有。",
        "地址:北京市西城区某某路1号| 邮编:100029",
        "联系人:王老师 | 电话:400-123-4567 | E-mail:news@example.cn | QQ:123456",
    ]))
    assert art.province == ["湖北"]
    assert all(p.province == ["湖北"] for p in art.paragraphs)
    assert len(art.paragraphs) == 2


def test_the_same_place_in_a_content_sentence_counts(tmp_path):
    """The near miss: 北京市西城区 in the article's own sentences is its place."""
    art = article(tmp_path, "\n\n".join([
        "西城区举办就业扶贫招聘会",
        "北京市西城区人社局举办就业扶贫招聘会,提供岗位3000个。",
        "地址:北京市西城区某某路1号| 邮编:100029",
    ]))
    assert art.province == ["北京"]


def test_a_navigation_channel_is_no_province(tmp_path):
    art = article(tmp_path, "人民网\n人民网>>新疆频道\n\n贫困劳动力外出务工力争规模不降低\n\n"
                  "人社部、财政部印发通知,要求帮助贫困劳动力外出务工。\n")
    assert art.province == []


# --------------------------------------------------------------------------
# years from the date a byline gave


@pytest.mark.parametrize("text, year, years", [
    ("截至年底,全县建成扶贫车间30个。", 2020, [2020]),
    ("年初以来,全县转移就业1.2万人。", 2020, [2020]),
    ("今年年底前完成培训。", 2020, [2020]),
    ("去年年底,全县建成扶贫车间30个。", 2020, [2019]),
    ("2018年年底,全县建成扶贫车间30个。", 2020, [2018]),
    ("每年年初,县里都举办招聘会。", 2020, []),
    ("青年初次就业可领补贴。", 2020, []),
    ("截至年底,全县建成扶贫车间30个。", None, []),
    ("今年全县新建扶贫车间30个。", None, []),
])
def test_year_parts_follow_the_date(text, year, years):
    assert years_in(text, year) == years


def test_relative_years_resolve_once_a_byline_gives_the_date(tmp_path):
    dated = article(tmp_path, "上津镇扶贫车间\n\n发布时间:2021-06-30 10:19:00来源: 湖北日报\n\n"
                    "今年上津镇新建扶贫车间3个,去年年底已有5个。\n")
    assert dated.date == "2021-06-30" and dated.source == "湖北日报"
    assert dated.paragraphs[0].years == [2020, 2021]
    undated = article(tmp_path, "上津镇扶贫车间\n\n今年上津镇新建扶贫车间3个,去年年底已有5个。\n", "b.txt")
    assert undated.date is None and undated.paragraphs[0].years == []


# --------------------------------------------------------------------------
# inspect shows the rule that dropped each line


def test_dropped_lines_carry_their_rule(tmp_path):
    _, dropped = sort_furniture(["扶贫车间", "【糾錯】", "相关阅读", "别的文章"])
    assert [(d.line, d.rule) for d in dropped] == [
        ("【糾錯】", "one-word page tools in brackets: 【纠错】"),
        ("相关阅读", "teasers of other articles (and the rest of the page)"),
        ("别的文章", "teasers of other articles (and the rest of the page)"),
    ]


def test_inspect_json_lists_dropped_lines_with_their_rules(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("扶贫车间助脱贫\n发布时间:2021-06-30 10:19:00来源: 西藏日报\n" + BODY
                    + "\n【糾錯】\n地址:北京市西城区某某路1号| 邮编:100029\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "search", "inspect", "--json", str(path)],
                         cwd=ROOT, capture_output=True, check=True).stdout
    [art] = json.loads(out)
    assert art["skipped"] == [d["line"] for d in art["dropped"]]
    rules = {d["line"]: d["rule"] for d in art["dropped"]}
    assert rules["发布时间:2021-06-30 10:19:00来源: 西藏日报"].startswith("metadata")
    assert rules["【糾錯】"] == "one-word page tools in brackets: 【纠错】"
    assert rules["地址:北京市西城区某某路1号| 邮编:100029"].startswith("contact footer")


def test_inspect_human_output_shows_the_rule(tmp_path):
    art = article(tmp_path, "扶贫车间助脱贫\n" + BODY + "\n【糾錯】\n")
    text = format_article(art)
    assert "【糾錯】    [one-word page tools in brackets: 【纠错】]" in text


@pytest.mark.parametrize("line, source", [
    ("2019-09-26 12:11来源：证券时报网作者：李在山", "证券时报网"),  # the next field's label ends the name
    ("来源：作者文集", "作者文集"),  # near miss: a name holding 作者 without a label's colon
    ('作者： size="20"   来源： size="20"   发布日期： 9/17/2004', None),  # an empty template field
])
def test_the_publisher_of_a_source_line(line, source):
    from search.ingest.structure import labelled_source
    found = labelled_source(line)
    assert (found[0] if found else None) == source


def test_a_credit_between_paragraphs_is_not_the_publisher():
    # 来源：Reuters under a photo, （来源：梨视频） under a video, mid-text: the
    # picture's credit; the line goes, the article has no publisher from it
    for credit in ("来源:Reuters", "(来源:梨视频)"):
        lines = [BODY] * 8 + [credit] + [BODY] * 8
        meta, content, used = take_metadata(lines)
        assert meta.source is None and used == [credit] and content == [BODY] * 16
    # near miss: the same line by the top of the text is the article's byline
    meta, _, _ = take_metadata(["来源:甘肃日报"] + [BODY] * 8)
    assert meta.source == "甘肃日报"


@pytest.mark.parametrize("line, source", [
    ("字母榜 · 2025年04月22日 17:09", "字母榜"),       # the separator joins name and date
    ("来源: 访问量: 199 发布日期: 2017-05-15", None),  # an empty field, then the next one's label
    ("最新更新： 2016/03/19 10:48", None),  # as the page writes it (a full-width colon)
    # near misses: a name after its label, a name glued to a label-free date
    ("来源:新华社 访问量:199", "新华社"),
    ("机器之心 2025年04月22日 17:09", "机器之心"),
])
def test_a_bylines_name_without_its_separators_and_never_a_label(line, source):
    found = read_metadata_line(line, in_header=True)
    assert (found.source if found else None) == source
