"""Structure: title, source, date, doc_id, headings, paragraphs, columns."""

from pathlib import Path

import pytest

from search.ingest import read_file
from search.ingest.structure import derive_title, file_doc_id, is_heading, parse_date, sections

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix):
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return read_file(path)


@pytest.mark.parametrize("text, iso", [
    ("2019-04-29 14:51:00  來源:中國組織人事報", "2019-04-29"),
    ("中國產業經濟信息網   時間:2022-02-21", "2022-02-21"),
    ("四川日报    2018年08月23日", "2018-08-23"),
    ("２０２０／５／６", "2020-05-06"),
    ("2019-02-30", None),
    ("培训2000人次", None),
])
def test_dates_become_iso(text, iso):
    assert parse_date(text) == iso


def test_seed_metadata():
    expect = {
        "002": ("甘肅堅決打贏深度貧困地區人社扶貧攻堅戰", "中國組織人事報", "2019-04-29"),
        "003": ("陜西:“四個聚焦”讓脫貧群眾就業穩有錢賺", "陜西日報", "2022-02-21"),
        "004": ("全省首个藏区就业扶贫公共实训基地落成", "四川日报", "2018-08-23"),
    }
    for prefix, meta in expect.items():
        [article] = seed(prefix)
        assert (article.title, article.source, article.date) == meta
        assert article.doc_id == next(SEEDS.glob(f"{prefix}_*.txt")).stem


def test_seed_without_date_or_headline_invents_neither():
    [article] = seed("001")
    assert article.date is None and article.source is None
    assert article.title is None  # no headline on the page: none made up from its first words
    assert article.paragraphs[0].text.startswith("近日,四川省南充市通过搭建")  # still a paragraph


def test_magazine_column_becomes_one_article_per_item():
    items = seed("000")
    assert [a.doc_id for a in items] == [f"000_e724c7f9a0258902.{n}" for n in range(1, 5)]
    assert [a.title for a in items] == [
        "雅安市人社部門以技能培訓助力就業扶貧為重點",
        "樂山市人社局局長吳勇、市就業局局長趙川",
        "廣元市大力強化陣地建設推進就業扶貧,取得了良好成效",
        "為確保精準扶貧幫到難處,幫到實處",
    ]
    for item in items:
        assert item.date is None and item.source is None
        [paragraph] = item.paragraphs
        assert paragraph.text.endswith("(本刊通訊員)")
        assert "市州動態" not in item.title
    assert items[0].skipped == ["市州動態"]


def test_seed_002_headings_join_label_and_subtitle():
    [article] = seed("002")
    headings = list(dict.fromkeys(p.heading for p in article.paragraphs))
    assert headings == [
        None,
        "技能培訓+勞務輸轉 一條龍服務讓貧困勞動力走出大山",
        "扶貧車間+公益性崗位 人社干部把就業崗位送上門",
        "保障兜底+定點幫扶 確保不漏一村不落一人",
    ]
    assert article.paragraphs[0].text == "“蘭州牛肉面,讓我脫了貧。”"
    assert article.paragraphs[-1].text == "春雪止,春風來,隴原上春意漸濃,生機勃勃。"
    assert len(article.paragraphs) == 36
    assert [p.para_no for p in article.paragraphs] == list(range(1, 37))


def test_seed_003_headings_and_source_line():
    [article] = seed("003")
    assert len(article.paragraphs) == 21
    assert article.paragraphs[1].heading == "聚焦“穩輸出”外出務工人數超上年"
    assert article.paragraphs[-1].heading == "聚焦“優服務” 讓群眾無后顧之憂"
    assert "轉自:陜西日報" in article.skipped


def test_seed_004_subtitle_heads_the_first_section():
    [article] = seed("004")
    assert article.paragraphs[0].heading == "青羊区携手得荣县探索就业脱贫新路"
    assert article.paragraphs[0].text.startswith("8月22日,甘孜州得荣县瓦卡镇")
    assert {p.heading for p in article.paragraphs} == {
        "青羊区携手得荣县探索就业脱贫新路", "直击 基地年训将达2000人次",
        "十年 对口帮扶解决就业岗位近2000个", "今年 超标准拨付帮扶资金1030万元"}
    assert len(article.paragraphs) == 18
    assert "□文弦" in article.skipped


def test_seed_001_headings():
    [article] = seed("001")
    assert len(article.paragraphs) == 15
    assert article.paragraphs[2].heading == "发扬“拔河精神” 确保真扶贫"
    assert article.paragraphs[-1].text.endswith("(唐敏易青海)")


@pytest.mark.parametrize("line, heading", [
    ("技能培訓+勞務輸轉", True), ("直击 基地年训将达2000人次", True),
    ("一、加强技能培训", True), ("“蘭州牛肉面,讓我脫了貧。”", False),
    ("達哇就是扶貧車間的受益者之一。", False), ("(唐敏易青海)", False), ("2020", False),
    ("具体做法如下:", False), ("这是一段超过三十个字却没有句末标点的很长很长很长很长很长的正文内容", False),
])
def test_heading_test(line, heading):
    assert is_heading(line) is heading


def test_trailing_heading_like_line_is_kept_as_a_paragraph():
    assert sections(["标题一", "正文。", "已安置110人"]) == [("标题一", "正文。"), ("标题一", "已安置110人")]


def test_derived_title_is_a_short_lead():
    assert derive_title("近日,扶贫车间开工。其余。") == "扶贫车间开工"
    long = "9月13日," + "很长" * 30 + "。"
    assert derive_title(long).endswith("…") and len(derive_title(long)) == 31


def test_doc_id_is_the_stem_or_a_hash(tmp_path):
    assert file_doc_id(Path("a/000_e724c7f9a0258902.txt")) == "000_e724c7f9a0258902"
    hashed = file_doc_id(Path("甘肃 扶贫.txt"))
    assert len(hashed) == 16 and all(c in "0123456789abcdef" for c in hashed)
