"""Cleaning: pinyin annotations, stray markup and page furniture."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.ingest import read_file
from search.ingest.clean import drop_mojibake, matching_rule, normalize_line, strip_pinyin

from conftest import ROOT, drop_furniture


def is_furniture(line: str) -> bool:
    """Whether a page-furniture rule for whole lines drops ``line``."""
    return matching_rule("line", line) is not None

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PINYIN_LEFT = r"[(（]?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]"


@pytest.mark.parametrize("raw, clean", [
    ("市州動(dòng)態(tài)", "市州動態"),
    ("技能培訓(xùn)", "技能培訓"),
    ("中（zhōng）国", "中国"),
    ("活動?;顒(dòng)最后", "活動?;顒最后"),  # after characters already lost
    ("一串串?dāng)?shù)字", "一串串??字"),  # the "(" was lost too
    ("就業(yè)", "就業"),
    ("我們(men)的(de)", "我們的"),  # toneless syllables right after a character
])
def test_pinyin_annotations_go(raw, clean):
    assert strip_pinyin(raw) == clean


@pytest.mark.parametrize("text", [
    "(本刊通訊員)", "行動計劃(2018-2020)", "臨夏州、甘南州和天祝縣(兩州一縣)",
    "人力資源服務產業園(成都人才園)", "(唐敏易青海)", "基地78個(其中國家級就業扶貧基地4個)",
    "購置(CT)機", "方案(a)", "第(3)條", "x(de)", "秦工(qin)".upper(),
])
def test_ordinary_parentheses_stay(text):
    assert strip_pinyin(text) == text


def test_stray_markup_is_cut_and_the_text_kept():
    assert normalize_line("  你不要擔心我?!?/p>") == "你不要擔心我?!?"
    assert normalize_line("扶贫车间<b>开工</b>了</p>") == "扶贫车间开工了"


def test_white_space_is_collapsed_and_trimmed():
    assert normalize_line("\u3000\u3000四川日报    2018年08月23日 \xa0") == "四川日报 2018年08月23日"


@pytest.mark.parametrize("line", [
    "您所在的位置:康巴传媒网 >> 新闻 >> 党政要闻 >> 浏览文章",
    "鄉村干部報網", "微信公眾號", "官方微博", "責編:車婧", "责任编辑:王五",
    "【版權及免責聲明】凡本網所屬版權作品,轉載時須獲得授權并注明來源。",
    "版權所有:中國產業經濟信息網京ICP備11041399號-2京公網安備11010502035964",
    "• 上一篇:跨区域发展出新果", "• 下一篇:省第十五届民运会甘孜州筹委会召开第三次会议",
    "青羊·得荣就业扶贫公共实训基地揭牌仪式现场。(青轩 供图)",
    "图为扶贫车间里的工人。", "□文弦", "1", "?", "？", "12",
    "绍兴县| 嘉禾县| 永州市| 庐江县| 唐河县|",
])
def test_furniture_lines_are_dropped(line):
    content, furniture = drop_furniture([normalize_line(line)])
    assert content == [] and furniture == [normalize_line(line)]


@pytest.mark.parametrize("line", [
    "技能培訓+勞務輸轉", "發揚“拔河精神” 確保真扶貧", "2000余名贫困劳动力进场登记。",
    "“蘭州牛肉面,讓我脫了貧。”", "织密就业保障网", "记者从省人社厅获悉,今年全省新建扶贫车间30个。",
])
def test_content_lines_stay(line):
    assert drop_furniture([line]) == ([line], [])


def test_further_reading_block_is_furniture_to_the_end():
    lines = ["正文一段。", "延伸閱讀", "• 陜西出臺13項政策", "記者12日從陜西省人社廳獲悉……", "2017-06-14", "微信公眾號"]
    content, furniture = drop_furniture(lines)
    assert content == ["正文一段。"]
    assert furniture == lines[1:]


def _seed_texts():
    for path in sorted(SEEDS.glob("*.txt")):
        for article in read_file(path):
            yield article, [article.title or ""] + [p.text for p in article.paragraphs] + [
                p.heading or "" for p in article.paragraphs]


def test_no_pinyin_annotation_is_left_in_any_seed():
    import re
    for article, texts in _seed_texts():
        for text in texts:
            assert not re.search(PINYIN_LEFT, text), (article.doc_id, text)


@pytest.mark.parametrize("furniture", [
    "鄉村干部報網", "微信公眾號", "官方微博", "責編", "版權", "ICP", "延伸閱讀", "上一篇", "下一篇",
    "供图", "您所在的位置", "□文弦", "绍兴县|", "/p>", "來源:", "轉自:", "十項鐵規", "旅游扶貧工作推進會",
    "2017-05-14",
])
def test_no_furniture_reaches_a_seed_paragraph(furniture):
    for article, texts in _seed_texts():
        for text in texts:
            assert furniture not in text, (article.doc_id, text)


def test_mojibake_runs_of_a_seed_are_dropped_and_counted_the_paragraph_kept():
    [article] = read_file(SEEDS / "002_a069ebe764e74859.txt")
    texts = [p.text for p in article.paragraphs]
    assert any(t.startswith("轉機發生在2016年") and "開到家門口參加了半個多月的拉面培訓" in t for t in texts)
    for run in ("?!懊赓M", "??h", "?稣匍_", "?诠S"):
        assert run in article.mojibake_dropped
        assert not any(run in t for t in texts)
    assert "還在天水、平全省扶貧車間" in "".join(texts)  # the words around a run stay


@pytest.mark.parametrize("line, runs", [
    ("開到家門口?!懊赓M參加了培訓", ["?!懊赓M"]),
    ("天??h從建檔立卡貧困人口", ["??h"]),
    ("還在天水、平?稣匍_全省扶貧車間建設", ["?稣匍_"]),
    ("和鄉親們?诠S同吃同住", ["?诠S"]),
    ("狀況有了很大改善?!案匾氖?,我可以照顧妻子", ["?!案匾氖?"]),
    # near misses: a real question mark, in half-width or after a question word,
    # rare but real characters after one, an interrobang, Latin text
    ("你吃了吗?我吃了。", []),
    ("这是真的?淼淼说好。", []),
    ("这是真的?鑫鑫公司成立了", []),
    ("真的?!太好了", []),
    ("他问:为什么?因为下雨。", []),
    ("价格是多少?5元。", []),
    ("型号A?B型已停产", []),
    ("Is it OK?是的。", []),
    ("淼淼和鑫鑫在犇犇牧场上班", []),
    ("需要结构性把人变穷???从而很清闲??", []),
    ("NASA发言人斯蒂芬妮?席尔霍尔茨说", []),  # a dot lost in a name: the name's characters stay
])
def test_mojibake_runs_and_near_misses(line, runs):
    kept, found = drop_mojibake(line)
    assert found == runs
    if runs:
        assert "?" not in kept and len(kept) == len(line) - sum(map(len, runs))
    else:
        assert kept == line


def test_inspect_counts_mojibake_in_text_and_json():
    seed = str(SEEDS / "002_a069ebe764e74859.txt")
    human = subprocess.run([sys.executable, "-m", "search", "inspect", seed], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert "mojibake runs dropped: 10" in human.stdout
    assert "10 run(s) of mojibake" in human.stderr
    shown = subprocess.run([sys.executable, "-m", "search", "inspect", "--json", seed], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    (article,) = json.loads(shown.stdout)
    assert len(article["mojibake_dropped"]) == 10 and "?稣匍_" in article["mojibake_dropped"]
    clean = subprocess.run([sys.executable, "-m", "search", "inspect", "--json", str(SEEDS / "001_fa7baa90aaf98045.txt")],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0 and "mojibake" not in clean.stderr
    assert [a["mojibake_dropped"] for a in json.loads(clean.stdout)] == [[]]


@pytest.mark.parametrize("line", [
    "中国江西网 > 新闻 > 赣州新闻 > 正文",
    "首页 » 扶贫 » 正文",
    "首页 / 新闻中心 / 脱贫攻坚",
    "首页 机构概况 政务公开 新闻动态 办事服务 互动交流",
    "网站首页 新闻 政务",
    "机构概况 政务公开 新闻动态 办事服务 互动交流",
])
def test_breadcrumbs_and_menu_lines_are_furniture(line):
    assert drop_furniture([line]) == ([], [line])


@pytest.mark.parametrize("line, furniture", [
    # a header's links ending in a teaser label
    ("热点排行 进入财经社区 相关新闻:", True),
    ("扶贫车间的相关新闻:", False),  # near miss: no links before the label
    # a blog post's footer
    ("由海姑娘张贴 @ 2005-06-14 03:25:55 (370) 共 11 篇评论 发表评论 >>>", True),
    ("截至发稿，这条微博下已有网友从全国各地留言，共 3000 条评论", False),  # near miss: a sentence
    # a wiki's maintenance notices
    ("本条目存在以下问题，请协助改善本条目或在讨论页针对议题发表看法。", True),
    ("维基百科不是不经筛选的资讯收集处。请帮助改进这个条目，使用中立的语气。", True),
    ("此条目需要补充更多来源。 (2020年4月17日)", True),
    ("维基百科，自由的百科全书", True),
    ("本条例自公布之日起施行。", False),  # near miss: a law's own 本条
    ("本条目录所列的扶贫产品，由各县推荐。", False),
])
def test_page_furniture_of_blogs_wikis_and_portals(line, furniture):
    folded = normalize_line(line)
    assert drop_furniture([folded]) == (([], [folded]) if furniture else ([folded], []))


@pytest.mark.parametrize("line", [
    "培训+招聘 就业有门路",
    "稳就业 保民生 促增收 强保障",  # four slogans: a heading, not a menu
    "2018/2019/2020年度",
])
def test_headings_with_spaces_or_slashes_stay(line):
    assert drop_furniture([line]) == ([line], [])


def test_a_long_spam_line_of_place_names_is_dropped_without_backtracking():
    # a spam line whose items vary in length and end in "| ": the old pattern
    # backtracked exponentially on it (ingestion hung on a generated corpus)
    import signal

    line = "| ".join(["绍兴县", "宁洱哈尼族彝族自治县", "凉山彝族自治州", "历史", "禄劝彝族苗族自治县"] * 8) + "|  "

    def too_slow(*_):
        raise TimeoutError("furniture rules backtrack on a spam line")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        assert is_furniture(line)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_private_use_code_points_are_dropped_and_counted(tmp_path):
    from search.ingest.clean import drop_private_use

    assert drop_private_use("堅守崗位\ue014。\U000f0001就業") == ("堅守崗位。就業", 2)
    assert drop_private_use("扶貧車間「」") == ("扶貧車間「」", 0)  # the near-miss: other symbols stay
    path = tmp_path / "pua.txt"
    body = "甘肅省建設扶貧車間754個,吸納建檔立卡貧困勞動力就業,人社幹部把就業崗位送到群眾家門口。"
    path.write_text(f"扶貧車間\ue2a2開工了\n\n{body}\ue776{body}\n", encoding="utf-8")
    (article,) = read_file(path)
    assert article.private_use_dropped == 2
    assert not any("\ue000" <= c <= "\uf8ff" for p in article.paragraphs for c in p.text + (p.heading or ""))


def test_seeds_reach_the_index_without_private_use_code_points():
    dropped = 0
    for path in sorted(SEEDS.iterdir()):
        for article in read_file(path):
            dropped += article.private_use_dropped
            for p in article.paragraphs:
                assert not any("\ue000" <= c <= "\uf8ff" for c in p.text + (p.heading or "") + (article.title or ""))
    assert dropped == 7  # U+E014 U+E2A2 U+E2AE U+E3E1 U+E479 U+E634 U+E776 in seeds 002 and 003


def test_inspect_counts_private_use_code_points(capsys):
    from search.cli.inspect import inspect as run

    run([str(SEEDS / "002_a069ebe764e74859.txt")], as_json=True)
    import json

    (article,) = json.loads(capsys.readouterr().out)
    assert article["private_use_dropped"] == 5
