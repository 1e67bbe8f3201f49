"""Measures: labels from the rules file, several per paragraph, none for a story."""

from pathlib import Path

import pytest

from search.ingest import load_measures, read_file
from search.ingest.measures import measures_in

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_the_ten_measure_types_in_file_order():
    measures = load_measures()
    assert [m.key for m in measures] == [
        "training", "labor_transfer", "workshop", "public_jobs", "entrepreneurship",
        "social_security", "paired_assistance", "employment_services", "industry", "education"]
    assert [m.label for m in measures][:3] == ["技能培训", "转移就业", "扶贫车间"]


@pytest.mark.parametrize("text, keys", [
    ("組織實施電工、焊工等技能培訓。", ["training"]),
    ("开展以工代训,先后兑现以工代训补贴11.26万元。", ["training"]),
    ("组织专车、专列“点对点”输送外出务工人员。", ["labor_transfer"]),
    ("全省共建设扶貧車間754個。", ["workshop"]),
    ("开发护林员、保洁员等公益性岗位。", ["public_jobs"]),
    ("发放创业担保贷款2038万元,带动就业5.14万人。", ["entrepreneurship"]),
    ("为40多万贫困人口代缴养老保险4000多万元。", ["social_security"]),
    ("发挥苏陕对口帮扶机制作用。", ["paired_assistance"]),
    ("对建档立卡贫困家庭的在校学生给予生活补助。", ["education"]),  # near miss: a pupil's allowance
    # schools that train the unemployed: training, not schooling (near miss: 免费就读技工院校 above)
    ("支持各类职业院校(含技工院校)、普通高等学校承担失业人员职业技能培训。", ["training"]),
    ("天津市与河北省开展津冀劳务对接，组织脱贫劳动力赴津就业。", ["labor_transfer", "paired_assistance"]),
    ("精心组织“春风行动”等线上线下招聘活动。", ["employment_services"]),
    ("培育农民专业合作社3.9万家。", ["industry"]),
    ("对“两后生”实施圆梦行动,免费就读技工院校。", ["education"]),
    ("建设扶贫车间,开发公益性岗位,为贫困人口代缴养老保险。", ["workshop", "public_jobs", "social_security"]),
])
def test_measures_in(text, keys):
    assert measures_in(text) == keys


@pytest.mark.parametrize("text", [
    "家住甘南州合作市佐蓋多瑪鄉仁多瑪村的達哇因家中沒養牛羊。",  # 合作市 is a city
    "攀枝花市醫保局黨支部每年都召開專題會議。",  # 医保局 is an agency
    "“蘭州牛肉面,讓我脫了貧。”",
    "春雪止,春風來,隴原上春意漸濃,生機勃勃。",
    "她无法外出打工,只能在家照顾父母。",
    "下一步将着力打造京津冀区域综合立体交通网络。",  # 津冀 inside 京津冀 is the region, no pairing
    "对符合条件的生活困难下岗失业人员，给予临时生活补助。",  # relief for the unemployed, not schooling
    "陕西省还充分发挥公益岗位保基本、兜底线的作用。".replace("公益岗位", "岗位"),
])
def test_a_story_or_a_false_friend_gets_no_measure(text):
    assert measures_in(text) == []


def test_traditional_and_simplified_match_alike():
    assert measures_in("轉移就業") == measures_in("转移就业") == ["labor_transfer"]


def test_seed_paragraphs_carry_expected_measures():
    [article] = read_file(next(SEEDS.glob("002_*.txt")))

    def measures_of(start):
        [p] = [p for p in article.paragraphs if p.text.startswith(start)]
        return set(p.measures)

    assert {"training", "labor_transfer", "social_security"} <= measures_of("周二灑一家的脫貧")
    assert "workshop" in measures_of("在甘南州,像諾樂")
    assert measures_of("此外,臨夏州在400") == {"public_jobs"}  # 就近就业 via public jobs is no workshop
    assert "social_security" in measures_of("截至2018年底,")
    assert measures_of("“蘭州牛肉面,讓我") == set()
    assert measures_of("不落一人,也要不漏") == set()


def test_measure_keys_are_only_those_of_the_file():
    keys = {m.key for m in load_measures()}
    for path in SEEDS.glob("*.txt"):
        for article in read_file(path):
            for paragraph in article.paragraphs:
                assert set(paragraph.measures) <= keys


@pytest.mark.parametrize("text, absent", [
    ("对年龄偏大、无法外出务工的贫困群众,开发公益性岗位。", "labor_transfer"),
    ("對不能外出就業的貧困勞動力開發公益崗位。", "labor_transfer"),
    ("对不便到外地务工的群众安排护林员岗位。", "labor_transfer"),
])
def test_a_negated_signal_does_not_count(text, absent):
    found = measures_in(text)
    assert absent not in found
    assert "public_jobs" in found


def test_negation_reaches_only_the_word_right_after_it():
    assert "labor_transfer" in measures_in("无法照顾家庭的顾虑打消后,他外出务工。")
    assert "labor_transfer" in measures_in("不仅组织外出务工,还开展培训。")


@pytest.mark.parametrize("text", [
    "在淄博设立劳务工作站。", "在北京设立勞務服務工作站。", "在济南设立劳务协作工作站。"])
def test_a_labour_workstation_is_labour_transfer(text):
    assert measures_in(text) == ["labor_transfer"]


@pytest.mark.parametrize("text, industry", [
    ("开展烹饪、家政、乡村旅游服务等培训班。", False),
    ("培训内容涵盖乡村旅游和农家乐经营。", False),
    ("村里发展乡村旅游,建设5家农家乐。", True),
])
def test_a_training_subject_is_not_an_industry(text, industry):
    assert ("industry" in measures_in(text)) is industry


@pytest.mark.parametrize("text, training", [
    ("对贫困劳动力开展技能培训。", True),
    ("组织农村妇女参加家政、护理等培训。", True),  # a caregiver's course is a skills measure
    ("药剂科注重药剂人员专业水平的培养,通过多方位的培训方式提升服务水平。", False),
    ("住院医师规范化培训制度全面启动。", False),
])
def test_training_of_a_hospitals_own_staff_is_not_a_skills_measure(text, training):
    assert ("training" in measures_in(text)) is training


@pytest.mark.parametrize("text, transfer", [
    ("帮助已外出贫困劳动力稳岗增收。", True),
    ("做好农民工稳岗就业工作。", True),
    ("加大稳岗支持力度,对不裁员的参保企业返还失业保险费。", False),  # employers' subsidy
    ("要加大援企稳岗力度。", False),
])
def test_job_retention_is_labour_transfer_only_for_migrant_workers(text, transfer):
    assert ("labor_transfer" in measures_in(text)) is transfer


@pytest.mark.parametrize("text, keys", [
    # words of any economic news: no measure without the poor, jobs or the countryside
    ("国内产业链、供应链面临巨大挑战，外需急剧萎缩。", []),
    ("为国家药品标准原研起草单位，是国内领先的生物医药龙头企业。", []),
    ("知识产权是经济可持续增长和创意创新产业发展的灵魂所在。", []),
    ("扩大优质农产品对华出口。", []),
    # near misses: the same words beside the poor, jobs or the countryside
    ("延伸产业链，带动贫困群众增收。", ["industry"]),
    ("对农副产品加工龙头企业给予重点扶持。", ["industry"]),
    ("推进农村产业发展，带动脱贫户就业。", ["industry"]),
    ("大宗农产品由农业合作组织统一收购。", ["industry"]),
])
def test_an_industry_word_of_any_economic_news_needs_its_context(text, keys):
    assert measures_in(text) == keys


@pytest.mark.parametrize("text, keys", [
    ("能协助完成数据分析、编程等职场任务，帮助学生解答难题。", []),  # 帮助学生 holds no 助学
    ("出国前更关心奖学金、助学金的发放与申请。", []),  # a student's interests, no needy pupil
    ("MBA 项目15万的学费，比较便宜。", []),
    ("纳税人的子女接受全日制学历教育的相关支出定额扣除。", []),
    # near misses: schooling support for the needy
    ("为家庭经济困难学生发放国家助学金。", ["education"]),
    ("免除建档立卡贫困家庭学生学费。", ["education"]),
    ("资助学生入学。", ["education"]),
])
def test_a_school_word_reports_schooling_support_only_for_the_needy(text, keys):
    assert measures_in(text) == keys


def test_one_pass_over_the_plain_words_finds_what_each_measures_pattern_finds():
    """A paragraph without a negation word is labelled through one pass over
    the fixed strings the plain words stand for (有组织(地)?输出: 有组织输出,
    有组织地输出), the other plain words as patterns: the measures found
    are those each measure's own pattern finds, on the seeds and on text
    made of the words' strings cut short, run together and mixed with
    filler (near misses: 有组织输 is no 有组织输出)."""
    import random

    from search.ingest.measures import _plain_found, _strings
    from search.text.analysis import fold

    measures = load_measures()
    strings = [s for m in measures for w in m.words if w.plain for s in (_strings(w.pattern.pattern) or [])]
    assert "有组织地输出" in strings and "资格证书" in strings and len(strings) > 150
    rng = random.Random(3)
    pieces = strings + [s[:-1] for s in strings] + [s[1:] for s in strings] + list("的了在和,。到赴务工外出5")
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    texts += [p.text for f in sorted(SEEDS.glob("*.txt")) for a in read_file(f) for p in a.paragraphs]
    checked = 0
    for text in texts:
        folded = fold(text)
        want = {k for k, m in enumerate(measures) if m.plain is not None and m.plain.search(folded)}
        assert _plain_found(folded) == want, text
        checked += bool(want)
    assert checked > 1000
