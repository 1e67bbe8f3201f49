"""Years: explicit years, plan periods, relative words; never guessed."""

from pathlib import Path

import pytest

from search.ingest import read_file
from search.ingest.years import years_in

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize("text, article_year, years", [
    ("2017年,雅安市人社部門以技能培訓助力就業扶貧。", None, [2017]),
    ("2021年3月,洋县人社局在摸底排查中发现。", None, [2021]),
    ("出臺《脫貧攻堅就業扶貧三年行動計劃(2018-2020)》", None, [2018, 2019, 2020]),
    ("2018年至2020年,全省共培训10万人。", None, [2018, 2019, 2020]),
    ("到2020年,實現技能培訓全覆蓋。", None, [2020]),
    ("截至2018年底,代繳養老保險3.4億元。", None, [2018]),
    ("二〇一八年,全县脱贫。", None, [2018]),
    ("２０１９年，全省新建扶贫车间。", None, [2019]),
    ("去年,我自己在深圳開了家拉面館。", 2019, [2018]),
    ("今年3月,青羊區召開聯席會議。", 2018, [2018]),
    ("前年开始,明年完成。", 2020, [2018, 2021]),
    ("去年以来,陕西省充分发挥就业服务平台作用。", 2022, [2021]),
    ("去年,我自己在深圳開了家拉面館。", None, []),  # no date: nothing resolved
    ("请说明年度计划。", 2020, []),
    ("截至年底,全县脱贫。", 2020, [2020]),  # 年初 / 年底 / 年末 alone: the article's year
    ("年末,全县贫困人口清零。", 2021, [2021]),
    ("青年初次创业。", 2020, []),  # near miss: 青年 then 初次
    ("更新于Sept. 3, 2024", None, [2024]),
    ("年培訓能力達到2000人次,占地近1000平方米。", 2018, []),
    ("全省共发放创业担保贷款2038万元,每人2400元。", None, []),
    ("版權事宜請聯系:010-65363056。", None, []),
    ("目前,已建成就業扶貧示范村。", 2019, []),  # nothing tells: empty, no inheritance
    ("1930年代的老厂房, 2050年远景目标", None, []),  # outside 1949-2035
    ("2019-04-29 發布", None, [2019]),
    ("河北雄安新区总体规划(2018—2035年)", None, [2018, 2035]),  # both ends of a long span
    ("类似于1999/2000年的泡沫", None, [1999, 2000]),
    ("发布于AI新闻资讯 · 1 分钟阅读 · Apr 22, 2025", None, [2025]),
    ("Published 22 April 2025", None, [2025]),
    # near misses: two numbers that 年 does not close, a model number, a count
    ("规格为2018-2035毫米", None, []),
    ("芯片型号Apr2025和A2000", None, []),
    ("共有2000、2010名学员", None, []),
])
def test_years_in(text, article_year, years):
    assert years_in(text, article_year) == years


def test_seed_years_follow_the_article_date():
    [article] = read_file(next(SEEDS.glob("002_*.txt")))
    by_start = {p.text[:6]: p.years for p in article.paragraphs}
    assert by_start["轉機發生在2"] == [2016, 2018]  # 2016年 and 去年 of a 2019 article
    assert by_start["截至2018"] == [2018]
    assert by_start["為確保貧困群"] == [2017, 2018, 2019, 2020]
    assert by_start["一系列政策措"] == []


def test_seed_without_date_resolves_no_relative_year():
    items = read_file(next(SEEDS.glob("000_*.txt")))
    assert items[3].paragraphs[0].years == []  # 今年 twice, but the column shows no date
    assert items[0].paragraphs[0].years == [2017]


def test_seed_004_relative_years():
    [article] = read_file(next(SEEDS.glob("004_*.txt")))
    assert article.paragraphs[2].years == [2017]  # 去年3月 in a 2018 article
    assert article.paragraphs[0].years == []  # 2000人次, 1000平方米 are not years


@pytest.mark.parametrize("text, years", [
    ("“十三五”期间,该县累计帮助1986人就业。", [2016, 2017, 2018, 2019, 2020]),
    ("十二五以来成效明显。", [2011, 2012, 2013, 2014, 2015]),
    ("編制“十四五”規劃。", [2021, 2022, 2023, 2024, 2025]),
    ("全村二十三五保户。", []),  # a number, not a plan name
])
def test_named_plan_periods_give_every_year_of_the_period(text, years):
    assert years_in(text) == years


@pytest.mark.parametrize("text, years", [
    ("今年35歲的周二灑曾經是個貧困戶。", []),
    ("今年已经六十多岁的老李在公益岗位上班。", []),
    ("去年36岁的她返乡创业。", []),
    ("今年3月,他被聘为护林员。", [2019]),  # a month, not an age
])
def test_an_age_is_not_a_year(text, years):
    assert years_in(text, 2019) == years
