"""Structure: title, source, date, doc_id, headings, paragraphs, columns."""

from pathlib import Path

import pytest

from search.ingest import read_file
from search.ingest.structure import file_doc_id, is_heading, parse_date, sections
from search.text.lead import first_words

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
    # an item shows no headline of its own: none is made from its first sentence
    assert [a.title for a in items] == [None] * 4
    assert [first_words(a.paragraphs[0].text) for a in items] == [
        "2017年,雅安市人社部門以技能培訓助力就業扶貧為重點…",
        "9月13日,樂山市人社局局長吳勇、市就業局局長趙川…",
        "近年來,廣元市大力強化陣地建設推進就業扶貧…",
        "為確保精準扶貧幫到難處,幫到實處…",
    ]
    for item in items:
        assert item.date is None and item.source is None
        [paragraph] = item.paragraphs
        assert paragraph.text.endswith("(本刊通訊員)")
        assert not paragraph.text.startswith("市州動態")
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


def test_doc_id_is_the_stem_or_a_hash(tmp_path):
    assert file_doc_id(Path("a/000_e724c7f9a0258902.txt")) == "000_e724c7f9a0258902"
    hashed = file_doc_id(Path("甘肃 扶贫.txt"))
    assert len(hashed) == 16 and all(c in "0123456789abcdef" for c in hashed)


# --------------------------------------------------------------------------
# the headline of a page copied whole from a browser

BODY = "甘肃省临夏州建设扶贫车间吸纳贫困劳动力就业,带动群众增收致富,今年已有三千多人在家门口上班。"


def _page_title(tmp_path, *lines):
    src = tmp_path / "copy.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [article] = read_file(src)
    return article


@pytest.mark.parametrize("furniture", [
    "中国西藏网 > 扶贫", "首页 › 新闻 › 正文", "当前位置:首页 > 扶贫", "您的位置:首页 >> 正文",
    "河北新闻本网原创", "搜索", "EN", "• 首页", "当前版:03版", '<strike id="qc0qw"></strike>',
    "首页 | 新闻 | 关于我们", "新闻 体育 财经 娱乐 科技", "用微信扫描二维码",
])
def test_a_line_around_the_headline_is_never_the_title(tmp_path, furniture):
    article = _page_title(tmp_path, "登录", "注册", furniture, "临夏州扶贫车间吸纳三千人就业",
                          "2019-04-29 14:51 来源:甘肃日报", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    assert article.date == "2019-04-29" and article.source == "甘肃日报"
    assert [p.text for p in article.paragraphs] == [BODY]  # the page header went with its lines
    # with the furniture right above the dateline, it is still not the title
    article = _page_title(tmp_path, "临夏州扶贫车间吸纳三千人就业", furniture, "2019-04-29 14:51", BODY)
    assert article.title != furniture


def test_the_headline_is_found_over_bylines_and_account_names(tmp_path):
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业!", "石佳/甘肃日报", "",
                          "2019-09-24 09:10", "字号", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业!"  # a headline may end with ! or ?
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "陇上观察", "发布于扶贫频道 · 1 分钟阅读", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    # near miss: a short line alone above the body is taken, nothing longer being there
    article = _page_title(tmp_path, "车间开工啦", "2019-09-24 09:10", BODY)
    assert article.title == "车间开工啦"


def test_a_platform_mark_glued_to_the_headline_goes(tmp_path):
    article = _page_title(tmp_path, "登录", "原创临夏州扶贫车间吸纳三千人就业", "2019-09-24 09:10", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    article = _page_title(tmp_path, "原创 甘肃日报 2019-09-24 09:10", BODY)
    assert article.title != "原创 甘肃日报 2019-09-24 09:10"


def test_a_headline_given_in_words(tmp_path):
    article = _page_title(tmp_path, "原标题:临夏州扶贫车间吸纳三千人就业", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    article = _page_title(tmp_path, "新华社兰州4月17日电 题:临夏州扶贫车间吸纳三千人就业", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    article = _page_title(tmp_path, "标　　题:\t国务院办公厅关于做好就业扶贫工作的通知", "发文字号:国办发〔2019〕1号", BODY)
    assert article.title == "国务院办公厅关于做好就业扶贫工作的通知"
    # near miss: 题 inside a sentence is no headline
    article = _page_title(tmp_path, "临夏州扶贫车间吸纳三千人就业", "记者就这个问题:采访了当地干部。", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


def test_a_plain_article_keeps_its_first_line_as_headline(tmp_path):
    article = _page_title(tmp_path, "扶贫车间开工", BODY, "该省共建设扶贫车间754个。")
    assert article.title == "扶贫车间开工" and len(article.paragraphs) == 2


def test_a_copy_without_a_headline_has_no_title_never_its_menu(tmp_path):
    # api.md: no headline, no title (null); the pages show the first words, marked as such
    article = _page_title(tmp_path, "登录", "共创", "Matrix", "下载APP", BODY, "该省共建设扶贫车间754个。")
    assert article.title is None
    assert article.paragraphs[0].text == BODY, "the body is kept whole"


def test_a_one_line_text_stays_a_paragraph(tmp_path):
    # the near miss of a headline: with no body after it, the line is the text
    article = _page_title(tmp_path, "四川扶贫车间吸纳三千人")
    assert [p.text for p in article.paragraphs] == ["四川扶贫车间吸纳三千人"]
    article = _page_title(tmp_path, "登录", "四川扶贫车间吸纳三千人")
    assert [p.text for p in article.paragraphs][-1] == "四川扶贫车间吸纳三千人"


@pytest.mark.parametrize("headline", [
    "午间公告：甲股份中标乙项目；丙股份中标7亿元项目",  # two items joined by ；
    "运营商 5G 手机促销方式曝光，禁止提供购机补贴",  # two short words inside a headline
])
def test_headlines_that_look_like_a_clause_or_a_menu(tmp_path, headline):
    article = _page_title(tmp_path, "首页", headline, "2019-09-26 12:11 来源:证券时报网", BODY)
    assert article.title == headline
    # near misses: a clause that ends with ；, a menu of three short words
    assert _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业；", "2019-09-26 12:11", BODY).title is None
    assert _page_title(tmp_path, "新闻 体育 财经", "2019-09-26 12:11", BODY).title is None


@pytest.mark.parametrize("between", [
    "网易商业报道 http://biz.163.com 查看商业部落",  # the site's address
    "——热烈祝贺市政协五届一次会议开幕",  # the headline's subtitle
])
def test_an_address_or_a_subtitle_under_the_headline_is_passed_over(tmp_path, between):
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", between,
                          "2019-04-29 14:51 来源:甘肃日报", "车间一角", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    # near miss: alone above the body, it is still no headline
    assert _page_title(tmp_path, "首页", between, BODY).title is None


@pytest.mark.parametrize("line", [
    "拿出10万元来做房产投资，一来以钱生钱，二来为今后养老留条后路 蔡雪婧/摄",  # a photo's credit
    "一、培养目标",  # a numbered section heading
    "(二)主要任务和工作措施",
])
def test_a_caption_or_a_numbered_heading_is_no_headline(tmp_path, line):
    assert _page_title(tmp_path, "登录", "注册", line, BODY).title is None
    # near miss: a headline opening with a number is one (1-10月, 2019全球)
    assert _page_title(tmp_path, "登录", "1-10月德清县固定资产投资结构趋稳趋优", BODY).title == \
        "1-10月德清县固定资产投资结构趋稳趋优"


def test_a_forum_posts_label_before_its_subject_goes_and_来源于_is_a_source(tmp_path):
    article = _page_title(tmp_path, "首页 > 论坛", "主题： 你知道导游为什么那么热衷于让你去商场购物吗？",
                          "作者：芊草凡凡   时间：2005-08-22 19:13:18", BODY)
    assert article.title == "你知道导游为什么那么热衷于让你去商场购物吗？"
    article = _page_title(tmp_path, "现在位置： 首页 >> 东区新闻", "顺德区大良街道党工委委员一行开展调研工作",
                          "来源于：东区办事处", BODY)
    assert (article.title, article.source) == ("顺德区大良街道党工委委员一行开展调研工作", "东区办事处")
    # near miss: 主题 inside a headline stays
    assert _page_title(tmp_path, "登录", "主题教育走深走实：临夏州在行动", "2019-04-29 14:51", BODY).title == \
        "主题教育走深走实：临夏州在行动"


def test_a_notice_above_the_headline_is_not_the_body(tmp_path):
    notice = "我司杂志提供免费订阅，任何第三方平台的赠送或售卖行为均未获得我司授权，我司保留追究其法律责任的权利！"
    article = _page_title(tmp_path, "行业活动", "2019全球双峰会", "杂志声明", notice, "广告",
                          "临夏州扶贫车间吸纳三千人就业", "时间：2019-09-25 作者：网络整理", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    assert notice not in [p.text for p in article.paragraphs]
    # near miss: a 来源 line a few lines into the body does not move the headline
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-09-25 10:00", BODY,
                          "该省共建设扶贫车间754个。", "（来源：甘肃日报 2019-09-25）")
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


def test_an_ad_and_a_reading_time_between_headline_and_body_are_passed_over(tmp_path):
    article = _page_title(tmp_path, "新浪首页 > 读书频道 > 正文", "投身外交(3)", "罗银胜",
                          "连载：乔冠华才情人生 作者：罗银胜", "立刻注册新浪免费邮箱，激活1G空间", BODY)
    assert article.title == "投身外交(3)"
    article = _page_title(tmp_path, "法国报纸摘要", "临夏州扶贫车间吸纳三千人就业", "发表时间： 06/02/2022 - 13:48",
                          "音频 04:29", "作者： 安东尼", "7 分钟", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


def test_a_policy_pages_information_table_copied_as_text_gives_its_fields(tmp_path):
    # the State Council's table as a browser copies it: label, tab, value
    table = ["索 引 号：\t000014349/2018-00204\t主题分类：\t综合政务\\政务公开",
             "发文机关：\t国务院办公厅\t成文日期：\t2018年10月27日",
             "标　　题：\t国务院办公厅关于做好就业扶贫工作的通知",
             "发文字号：\t国办函〔2018〕71号\t发布日期：\t2018年11月09日", "主 题 词：\t\t\t"]
    article = _page_title(tmp_path, *table, "国务院办公厅关于做好就业扶贫工作的通知", "国办函〔2018〕71号",
                          "各省、自治区、直辖市人民政府：", BODY)
    assert article.title == "国务院办公厅关于做好就业扶贫工作的通知"
    assert article.date == "2018-10-27"  # 成文日期, not 发布日期
    assert (article.issuer, article.doc_number) == ("国务院办公厅", "国办函〔2018〕71号")
    assert article.source is None  # no 来源 shown: "发文" of 发文机关 is no publisher
    assert not any("索 引 号" in p.text or "成文日期" in p.text for p in article.paragraphs)
    # near miss: a text opening with two labelled lines holds no policy table
    article = _page_title(tmp_path, "标题：临夏州扶贫车间吸纳三千人就业", "发布日期：2019-04-29", BODY)
    assert article.issuer is None and article.doc_number is None and article.date == "2019-04-29"


def test_a_headline_with_latin_words_set_off_by_spaces_is_no_menu(tmp_path):
    article = _page_title(tmp_path, "首页 新闻 社区", "用 AI 秘书治好了我的「数字仓鼠症」——如何让 AI 劝自己阅读",
                          "作者 王明", "2019-04-29 14:51", BODY)
    assert article.title == "用 AI 秘书治好了我的「数字仓鼠症」——如何让 AI 劝自己阅读"
    # near miss: a menu with a Latin item is still a menu, not the headline
    article = _page_title(tmp_path, "临夏州扶贫车间吸纳三千人就业", "首页 新闻 NBA 体育 财经", "2019-04-29 14:51", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


def test_a_channel_label_above_a_headline_is_not_its_issuer(tmp_path):
    # 社会 ends like an issuing body (…会) and the headline opens with 和
    article = _page_title(tmp_path, "即时", "社会", "和男友口角锁门吞药 女坠楼不治", "建立时间：2016/05/21 11:44", BODY)
    assert article.title == "和男友口角锁门吞药 女坠楼不治"
    # near miss: an issuing body of three characters and more starts a policy title
    article = _page_title(tmp_path, "首页", "国务院", "关于做好就业扶贫工作的通知", "2019-04-29 14:51", BODY)
    assert article.title == "国务院关于做好就业扶贫工作的通知"


def test_a_policy_title_set_over_lines_is_read_whole(tmp_path):
    article = _page_title(tmp_path, "首页 > 国务院公报", "全国人民代表大会常务委员会", "关于批准财政部发行特别国债购买外汇及",
                          "调整2007年末国债余额限额的决议", "（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）",
                          BODY)
    assert article.title == "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议"
    # near miss: a column name above a headline is not joined to it
    article = _page_title(tmp_path, "首页", "扶贫车间专题报道", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


def test_a_page_copy_whose_headline_cannot_be_told_has_no_title(tmp_path):
    article = _page_title(tmp_path, "恢复默认设置", "麻辣博客", "游戏大厅", "天气预报", "我能做什么", "论坛首页",
                          "公告", BODY)
    assert article.title is None
    # near miss: a plain text's first line, right above its body, is its headline
    article = _page_title(tmp_path, "临夏州扶贫车间吸纳三千人就业", "记者 王明", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"


@pytest.mark.parametrize("tail", [
    ["扫码阅读全文 写评论已有0条评论", "大连银燕数据通告疑似笔误", "科创板开户交易24个月以上"],
    ["更多猛料！欢迎扫描左方二维码关注新浪新闻官方微信", "在中国的公园还有个好处，没有人会赶你走！"],
    ["相关内容", "《逆水寒》江湖最新鲜 用爱帮助稀有词条回家", "2019-09-040"],
    # teasers with no heading of their own, then the site's footer
    ["[上一篇] [下一篇]", "互联网新闻信息服务许可证32120170004"],
    ["标签： 扶贫 车间", "记住我的信息"],
    ["+1 【纠错】 责任编辑： 尹世杰 新闻", "大数据坑熟客技术之罪需规则规避", "上海：冬日暖景"],
    # the app's call, then another column's dated teasers (a date line above each)
    ["下载法广应用程序跟踪国际时事", "非洲", "其他同一栏目内容", "13/02/2022", "北京冬奥会面对奥米克戎的压力"],
    ["其他同一栏目内容", "13/02/2022", "北京冬奥会面对奥米克戎的压力", "12/02/2022", "法国国民议会推迟审议"],
    ["当年万人逃港事件，促使设立深圳经济特区", "交通运输部支持交邮融合推广农村物流品牌", "有没有牛市第二波，一文看懂当前A股",
     "股票频道恭候您的意见 - 联系我们 - 关于我们"],
    # a site search box's tabs and count, then a row of page tools
    ["网页", "新闻", "音乐", "购物", "说吧", "共找到 13,046 个相关新闻.",
     "页面功能 【我来说两句】 【热点排行】 【推荐】 【字体：大 中 小】 【打印】 【关闭】", "请各位遵纪守法并注意语言文明。"],
    ["【我来说两句】【推荐】【打印】【关闭】", "大连银燕数据通告疑似笔误"],
    # a wiki's 取自 line, its categories and footer
    ["取自“https://zh.wikipedia.org/w/index.php?title=临夏&oldid=70080359”", "分类：", "甘肃城市", "隐私政策"],
    ["本页面最后修订于2022年2月9日 (星期三) 08:16。", "本站的全部文字在知识共享 署名-相同方式共享 3.0协议之条款下提供"],
    # a blog post's footer (its author and the time it was posted), then the blog's other posts
    ["- 作者： 某甲 访问统计： 2005年08月30日, 星期二 13:22 加入收藏", "博客手拉手", "[2005-08-21] 为什么总要面对呢",
     "[2005-08-17] 周末去了一趟临夏"],
    ["作者:某乙 阅读(1660) 评论(5) 编辑 发表于:2005-07-31 12:30", "她的爸爸妈妈该懂。"],
])
def test_a_page_copys_tail_is_not_its_article(tmp_path, tail):
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "该省共建设扶贫车间754个。", *tail)
    assert [p.text for p in article.paragraphs] == [BODY, "该省共建设扶贫车间754个。"]
    assert article.province == ["甘肃"]  # 大连, 深圳 of the tail label nothing
    assert all(line in article.skipped for line in tail)


def test_a_papers_notice_against_reprints_ends_the_copy(tmp_path):
    body = BODY + "县人社局为每个车间配备就业指导员，定期上门了解用工需求。"
    notice = ["反侵权公告：", "根据《中华人民共和国著作权法》等法律法规，未经书面许可，擅自转载本报社作品的，将涉嫌侵犯著作权人合法权益。",
              "一、任何单位或个人使用本报社的原创内容，必须事先取得书面授权；", "友情链接", "萧山网"]
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          body, "该省共建设扶贫车间754个。", *notice)
    assert [p.text for p in article.paragraphs] == [body, "该省共建设扶贫车间754个。"]
    # near miss: an article reporting on an anti-piracy notice keeps its text
    article = _page_title(tmp_path, "首页", "报社发布反侵权公告", "2019-04-29 14:51 来源:甘肃日报",
                          body, "报社昨日发布反侵权公告，提醒各网站转载须经授权。")
    assert len(article.paragraphs) == 2


@pytest.mark.parametrize("mark", ["免责声明：", "版权声明", "【免责声明】", "[责任编辑:王明]"])
def test_a_disclaimer_heading_dropped_as_furniture_still_opens_the_tail(tmp_path, mark):
    # the heading line goes as furniture first; its notice and the teasers after it are the tail
    notice = "本网转载此文出于传递更多信息之目的，并不意味着赞同其观点或证实其描述，文章内容仅供参考。"
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "该省共建设扶贫车间754个。", mark, notice, "大连举行招聘会，岗位超过三千个。")
    assert [p.text for p in article.paragraphs] == [BODY, "该省共建设扶贫车间754个。"]
    assert article.province == ["甘肃"] and notice in article.skipped
    # near miss: a furniture line that opens no tail (a share button) leaves the text after it
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "分享到：", "该省共建设扶贫车间754个。")
    assert [p.text for p in article.paragraphs] == [BODY, "该省共建设扶贫车间754个。"]


def test_a_closing_editor_line_with_a_date_dates_the_copy_and_ends_it(tmp_path):
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", BODY, "该省共建设扶贫车间754个。",
                          "发布日期：2019-03-06 责任编辑：龙慧", "上海：冬日暖景", "飞瞰大凉山雪景")
    assert article.date == "2019-03-06"
    assert [p.text for p in article.paragraphs] == [BODY, "该省共建设扶贫车间754个。"]
    assert article.province == ["甘肃"]


def test_a_sentence_naming_its_author_and_a_time_is_no_post_footer(tmp_path):
    # near miss of a blog post's footer: no author's label, the text goes on
    line = "作者 王明 在 2019年4月29日 14:30 到达东乡县，走访了三个扶贫车间。"
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, line, "该省共建设扶贫车间754个。")
    assert [p.text for p in article.paragraphs] == [BODY, line, "该省共建设扶贫车间754个。"]


def test_an_articles_own_short_lines_at_its_end_stay(tmp_path):
    # near miss: two short closing lines (a caption, a credit) are not a run of teasers
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "图为扶贫车间里的工人在忙碌", "记者王明摄于临夏州东乡县")
    assert [p.text for p in article.paragraphs][-1] == "记者王明摄于临夏州东乡县"
    # ...nor does a sentence opening with 下载 and naming an app
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "下载量过万的应用由县人社局开发，群众在手机上就能找到岗位。", "该省共建设扶贫车间754个。")
    assert len(article.paragraphs) == 3
    # ...nor do two short lines above the tail (a run of three is its menu)
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "该省共建设扶贫车间754个。", "附图", "（完）", "相关新闻", "上海：冬日暖景")
    kept = {p.text for p in article.paragraphs} | {p.heading for p in article.paragraphs}
    assert {"附图", "（完）"} <= kept and "上海：冬日暖景" not in kept
    # ...nor a line holding one or two bracketed words
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51 来源:甘肃日报",
                          BODY, "【短评】车间办到家门口，群众就业不出村。", "该省共建设扶贫车间754个。")
    assert len(article.paragraphs) == 3
    # ...nor does a 联系我们 in the first paragraph end the article
    article = _page_title(tmp_path, "临夏州扶贫车间吸纳三千人就业", "2019-04-29 14:51",
                          "有意入驻扶贫车间的企业请联系我们。" + BODY, BODY)
    assert len(article.paragraphs) == 2


@pytest.mark.parametrize("dateline, date", [
    ("2019-09-05 11:10 游民星空[整理] 1", "2019-09-05"),  # the date opening a line of other things
    ("2019年09月11日 富达传媒 时政新闻 1665 0", "2019-09-11"),
    ("http://house.sina.com.cn 2005年03月31日03:18 北京娱乐信报", "2005-03-31"),  # with the time of day
    # near misses: a sentence opening with a date; a date with neither
    ("2018年3月20日，第十三届全国人大一次会议表决通过了这部法律", None),
    ("本报讯 据统计2019年9月5日的客流量", None),
])
def test_the_dateline_under_a_copys_headline(tmp_path, dateline, date):
    article = _page_title(tmp_path, "首页", "临夏州扶贫车间吸纳三千人就业", dateline, BODY)
    assert article.date == date


def test_a_posts_labelled_date_dates_a_copy_without_a_dateline(tmp_path):
    article = _page_title(tmp_path, "社区首页 > 奇闻异事", "级别：入学了", "积分：235",
                          "从原子弹爆炸原理想开去", BODY, "作者：cjy 发表于 2005-09-11 18:04:42", "该省共建设扶贫车间754个。")
    assert article.date == "2005-09-11"
    # near miss: a date in the text without a label dates nothing
    article = _page_title(tmp_path, "社区首页 > 奇闻异事", "级别：入学了", "积分：235",
                          "从原子弹爆炸原理想开去", BODY, "我们在2005-09-11那天见面，他说了很多。")
    assert article.date is None


@pytest.mark.parametrize("label, date", [
    ("发表时间： 06/02/2022 - 13:48", "2022-02-06"),  # a European outlet's Chinese page: day first
    ("发表时间：13/02/2022", "2022-02-13"),
    # near misses: the American form (month first, AM/PM) is not read day first;
    # a date without a label (the related articles' list) dates nothing
    ("发布日期： 9/7/2004 5:54:13 AM", None),
    ("13/02/2022", None),
])
def test_a_labelled_day_first_date_dates_a_copy(tmp_path, label, date):
    article = _page_title(tmp_path, "社区首页 > 奇闻异事", "级别：入学了", "积分：235",
                          "从原子弹爆炸原理想开去", BODY, label, "该省共建设扶贫车间754个。")
    assert article.date == date


def test_a_byline_with_empty_fields_and_a_date_we_do_not_read_still_marks_the_headline(tmp_path):
    byline = '作者： size="20" 来源： size="20" 发布日期： 9/17/2004 5:54:13 AM'
    article = _page_title(tmp_path, "个人专栏", "English", "孙丰：巴黎举行座谈会", byline,
                          "29日下午，党部在华侨文化中心举办座谈会。", "入会者首先致哀，并表达敬意！", BODY)
    assert article.title == "孙丰：巴黎举行座谈会" and article.source is None
    # near miss: a line with a date label but no date is no byline
    article = _page_title(tmp_path, "个人专栏", "English", "孙丰：巴黎举行座谈会", "发布日期：",
                          "29日下午，党部在华侨文化中心举办座谈会。", "入会者首先致哀，并表达敬意！", BODY)
    assert article.title != "孙丰：巴黎举行座谈会"


def test_a_members_figures_are_no_headline(tmp_path):
    article = _page_title(tmp_path, "专栏/同人连载", "【赛马娘】情人节赠礼", "同人连载 2022-02-14 03:01--阅读 · --喜欢",
                          "魑皇", "粉丝：23文章：11", "关注", BODY)
    assert article.title == "【赛马娘】情人节赠礼"
    # near miss: a headline of a name and words after a colon is one
    article = _page_title(tmp_path, "首页", "习近平：坚持人民至上", "2022-02-14 03:01", BODY)
    assert article.title == "习近平：坚持人民至上"


@pytest.mark.parametrize("byline", [
    "原创 kingname 未闻Code 前天",  # a day said in words
    "昨天 06:54",
    "36氪的朋友们·2025年04月22日 19:27",  # a date and time beside a name
])
def test_a_byline_without_a_label_marks_the_headline_above_it(tmp_path, byline):
    article = _page_title(tmp_path, "栏目", "临夏州扶贫车间吸纳三千人就业", byline, "Matrix 首页推荐", "摄影：产品经理", BODY)
    assert article.title == "临夏州扶贫车间吸纳三千人就业"
    # near miss: such a line alone above the body is never the headline
    assert _page_title(tmp_path, "登录", "注册", byline, BODY).title != byline
