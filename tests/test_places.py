"""Province labels: the hard cases of issue 2, section 6, and the seeds."""

from pathlib import Path

import pytest

from search.ingest.places import PROVINCES, SPAM_PROVINCES, evidence, gazetteer, label_provinces

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def provinces_of(title, *paragraphs, source=None):
    """Just the per-paragraph labels."""
    return label_provinces(title, list(paragraphs), source)[1]


def seed_lines(prefix):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


# ------------------------------------------------------------- the gazetteer


def test_provinces_are_the_34_short_names_in_adcode_order():
    assert len(PROVINCES) == 34
    assert PROVINCES[:3] == ["北京", "天津", "河北"]
    assert PROVINCES[-4:] == ["新疆", "台湾", "香港", "澳门"]


@pytest.mark.parametrize("name, province", [
    ("临夏回族自治州", "甘肃"), ("临夏州", "甘肃"), ("临夏", "甘肃"),
    ("积石山县", "甘肃"), ("积石山", "甘肃"), ("东乡县", "甘肃"),
    ("甘孜州", "四川"), ("甘孜", "四川"), ("阿坝州", "四川"), ("雅安", "四川"),
    ("得荣县", "四川"), ("青羊区", "四川"), ("高坪区", "四川"),
    ("广西", "广西"), ("内蒙古", "内蒙古"), ("甘肃省", "甘肃"), ("合作市", "甘肃"),
    ("共和县", "青海"), ("陇原", "甘肃"),
])
def test_the_forms_people_write_are_places(name, province):
    place = gazetteer().places[name]
    assert province in place.provinces


@pytest.mark.parametrize("word", ["共和", "合作", "东方", "新城", "和平", "长安",
                                  "城关", "通道", "会同", "振兴", "资源"])
def test_common_words_in_the_stoplist_are_not_places(word):
    assert word not in gazetteer().places


# --------------------------------------------- destinations and partners


def test_workers_placed_in_zhuhai_stay_in_shaanxi():
    assert provinces_of(
        "陜西:“四個聚焦”讓脫貧群眾就業穩有錢賺",
        "“我如今在珠海市一家專業修腳店打工,每月工資超過1萬元。”1月14日,洋縣脫貧群眾楊菊宏說。",
        "“我如今在珠海市一家專業修腳店打工,每月工資超過1萬元。”",
        "楊菊宏經學校推薦,就業於廣東省珠海市香洲區前山明珠南路鄭遠元專業修腳店。",
    ) == [["陕西"]] * 3


def test_xiamen_helping_a_gansu_county_stays_in_gansu():
    assert provinces_of(
        "甘肅堅決打贏深度貧困地區人社扶貧攻堅戰",
        "廈門集美區結對幫扶和政縣,羅云從去年開始就到那里掛職。",
        "還與廈門深入開展東西勞務扶貧協作,針對廈門企業用工需求開展定向培訓。",
        "待會兒要送一批老鄉去廈門,過幾天還有50多人要去。",
    ) == [["甘肃"]] * 3


def test_labour_bases_in_jiangsu_and_su_shaan_pairing_stay_in_shaanxi():
    assert provinces_of(
        "陕西:四个聚焦",
        "积极做好转移就业跟踪服务,先后在江苏省设立311个劳务输出基地。",
        "为了充分发挥苏陕对口帮扶机制作用,陕西省还承接产业向西部转移。",
    ) == [["陕西"]] * 2


def test_a_noodle_shop_in_shenzhen_stays_in_gansu():
    assert provinces_of(
        "甘肃人社扶贫",
        "后来我去杭州老乡开的拉面馆当了一年多学徒。去年,我自己在深圳开了家拉面馆。",
    ) == [["甘肃"]]


def test_yunnan_partners_of_derong_stay_in_sichuan():
    assert provinces_of(
        "全省首个藏区就业扶贫公共实训基地落成",
        "青羊区携手得荣县探索就业脱贫新路",
        "协助得荣县搭建外出务工通道,与香格里拉市、德钦县开展三方四地区域劳务供需合作。",
        "与香格里拉市、德钦县开展三方四地区域劳务供需合作,保障转移就业稳定空间。",
    ) == [["四川"]] * 3


# -------------------------------------------------- villages and common words


def test_gonghe_village_in_a_sichuan_story_is_not_qinghai():
    assert provinces_of(
        "市州动态",
        "9月13日,樂山市人社局一行來到沐川縣幸福鄉共和村開展大宣講活動。",
        "用于结对帮扶的幸福乡月坝、共和、松林、龙门等4个村开展卫生评比。",
    ) == [["四川"]] * 2


def test_gonghe_county_is_qinghai_only_with_its_suffix():
    assert provinces_of("", "共和县组织贫困劳动力参加技能培训。") == [["青海"]]
    assert provinces_of("", "中华人民共和国成立以来,共和村变化很大。") == [[]]


def test_nanbu_counts_as_a_county_only_in_a_nanchong_story():
    nanchong = provinces_of(
        "四川南充搭建就业扶贫服务平台",
        "营山推行的“就业促进五个一批”,南部开展的“工作流程三个清楚”。",
        "营山、顺庆、仪陇、南部等根据贫困劳动力“菜单”开展特色培训。",
        "南部县鼓励电商创业,发放各类创业担保贷款24个共计226万元。",
    )
    assert nanchong == [["四川"]] * 3
    assert provinces_of("湖南加快就业扶贫", "湖南南部山区建成扶贫车间120个。") == [["湖南"]]
    assert provinces_of("甘肃就业扶贫", "南部山区的贫困劳动力参加了培训。") == [["甘肃"]]


@pytest.mark.parametrize("sentence", [
    "陕西省还承接毛绒玩具等劳动密集型产业向西部转移。",
    "被佳县东方红家政服务有限公司聘用,成为一名保洁工。",
    "丹凤县龙驹寨街道凤冠新城易地搬迁安置社区搬迁群众刘淑霞说。",
    "全省培育农民专业合作社3.9万家,建立合作社就业扶贫车间。",
    "为企业提供人力资源服务,确保定向输出、精准到岗。",
])
def test_common_words_do_not_move_a_paragraph(sentence):
    assert provinces_of("陕西:四个聚焦", sentence) == [["陕西"]]


def test_common_words_alone_name_no_province():
    assert provinces_of("", "合作社吸纳就业,东方红公司在新城和平路开店,向西部转移。") == [[]]


# ---------------------------------------------- spam lines and national news


SPAM = ("绍兴县| 嘉禾县| 永州市| 庐江县| 唐河县| 吴旗县| 龙井市| 宝坻区| 嘉黎县| "
        "丹寨县| 修文县| 清徐县| 长治县| 萝北县| 天全县| 西和县| 阿城市|")


def test_the_spam_line_of_place_names_names_nothing():
    assert not evidence(SPAM).strong
    article, paragraphs = label_provinces(
        "深度贫困地区人社扶贫攻坚战",
        ["临夏州人社局培育牛肉拉面培训工种。", SPAM, "天全县| 西和县| 舟曲县| 武山县"])
    assert article == ["甘肃"]
    assert paragraphs == [["甘肃"]] * 3


def test_a_national_paragraph_takes_its_articles_province():
    assert provinces_of(
        "甘肅堅決打贏深度貧困地區人社扶貧攻堅戰",
        "去年,中共中央、國務院印發關於打贏脫貧攻堅戰三年行動的指導意見。",
    ) == [["甘肃"]]


def test_two_provinces_doing_their_own_work():
    article, paragraphs = label_provinces(
        "东西部就业扶贫经验交流",
        ["甘肃省开展技能培训,输转贫困劳动力8万人。",
         "四川省建设扶贫车间,吸纳贫困劳动力就业。",
         "两省将继续加强交流。"])
    assert article == ["四川", "甘肃"]
    assert paragraphs == [["甘肃"], ["四川"], ["四川", "甘肃"]]


def test_a_paragraph_about_another_provinces_own_work_moves():
    assert provinces_of(
        "甘肃就业扶贫",
        "临夏州开展技能培训。",
        "贵州省毕节市今年新建扶贫车间300个,吸纳贫困劳动力就业。",
    ) == [["甘肃"], ["贵州"]]


# ----------------------------------------------------- article province


def test_the_article_province_comes_from_the_body_when_the_title_names_none():
    article, _ = label_provinces(
        "全省首个藏区就业扶贫公共实训基地落成",
        ["8月22日,甘孜州得荣县瓦卡镇迎来多地客人。",
         "协助得荣县与香格里拉市、德钦县开展劳务合作。"])
    assert article == ["四川"]


def test_the_source_decides_when_the_text_names_nothing():
    article, paragraphs = label_provinces(
        "就业扶贫公共实训基地落成", ["基地年培训能力达到2000人次。"], source="四川日报")
    assert (article, paragraphs) == (["四川"], [["四川"]])
    # near miss: a bare county name in the source (民乐 of Gansu, or the music) names none
    assert label_provinces("新年音乐会", ["音乐会今晚举行。"], source="民乐之声")[0] == []


def test_pinyin_annotations_do_not_hide_a_place():
    assert provinces_of("市州動(dòng)態(tài)",
                        "2017年,雅(yǎ)安市人社部門以技能培訓(xùn)助力就業扶貧。") == [["四川"]]


# ------------------------------------------------------------------ seeds


@pytest.mark.parametrize("prefix, province", [
    ("001", "四川"), ("002", "甘肃"), ("003", "陕西"), ("004", "四川")])
def test_every_seed_line_gets_its_storys_province(prefix, province):
    lines = seed_lines(prefix)
    article, paragraphs = label_provinces(lines[0], lines[1:])
    assert article == [province]
    assert [p for p in paragraphs if p != [province]] == []


def test_each_item_of_the_magazine_column_is_sichuan():
    for item in seed_lines("000")[1:]:
        assert label_provinces("市州動態", [item]) == (["四川"], [["四川"]])


def test_seed_paragraphs_name_what_a_reader_sees():
    lines = seed_lines("002")
    gansu = evidence(next(l for l in lines if l.startswith("家住甘肅臨夏州")))
    assert set(gansu.strong) == {"甘肃"}
    zhuhai = evidence(next(l for l in seed_lines("003") if "香洲區" in l))
    assert set(zhuhai.strong) == {"陕西", "广东"}


# ------------------------------------------- cooperation pairs (闽宁, 苏陕...)


@pytest.mark.parametrize("pair", ["闽宁", "苏陕", "沪滇", "粤桂", "京蒙", "津甘", "浙川", "鲁渝"])
def test_a_cooperation_pair_is_no_place(pair):
    found = evidence(f"依托{pair}协作机制,开展劳务对接。")
    assert not found.strong and not found.weak and not found.elsewhere
    assert found.partner


def test_every_pair_names_two_mainland_provinces():
    pairs = [p for p in gazetteer().places.values() if p.level == "pair"]
    assert len(pairs) >= 8
    for pair in pairs:
        assert len(pair.provinces) == 2 and set(pair.provinces) <= set(PROVINCES[:31])


def test_a_pair_does_not_move_a_paragraph_to_either_partner():
    assert provinces_of("宁夏就业扶贫", "闽宁协作助力贫困群众稳定增收。") == [["宁夏"]]
    assert provinces_of("福建:东西部协作二十年", "闽宁协作助力贫困群众稳定增收。") == [["福建"]]
    assert provinces_of("陕西:四个聚焦", "苏陕扶贫车间吸纳就业300人。") == [["陕西"]]
    assert provinces_of("", "沪滇合作项目落地。") == [[]]


def test_a_place_named_after_a_pair_is_that_place():
    assert gazetteer().places["闽宁镇"].provinces == ("宁夏",)
    assert provinces_of("", "闽宁镇新建扶贫车间两个。") == [["宁夏"]]


def test_a_pair_does_not_decide_the_articles_province():
    article, paragraphs = label_provinces(
        "闽宁协作结硕果",
        ["闽宁协作开展以来,两地互派干部。", "西吉县新建扶贫车间12个。"])
    assert article == ["宁夏"]
    assert paragraphs == [["宁夏"], ["宁夏"]]


# ----------------------------------- outside employers, investors, destinations


@pytest.mark.parametrize("sentence", [
    "安置点的扶贫车间由江苏一家企业投资建设,吸纳搬迁群众就业。",
    "来自江苏的企业在安置社区办起了服装厂。",
    "村里的年轻人在苏州的工厂一个月能挣5000元。",
    "江苏省苏州市的企业在镇上建起扶贫车间。",
    "江苏、浙江等地的企业家来到村里考察。",
    "山东企业投资的蔬菜大棚吸纳贫困户务工。",
])
def test_an_outside_employer_does_not_move_a_paragraph(sentence):
    assert provinces_of("甘肃就业扶贫", "临夏州人社局开展技能培训。", sentence) == [["甘肃"]] * 2


def test_an_outside_employer_home_is_not_strong_evidence():
    found = evidence("社区车间由江苏一家企业投资建设。")
    assert not found.strong and found.elsewhere["江苏"] > 0


def test_the_subject_place_stays_with_an_outside_investor_named():
    assert provinces_of(
        "贵州就业扶贫",
        "走进安置社区的扶贫车间,妇女们正在赶制订单。车间由浙江一家企业投资建设。",
    ) == [["贵州"]]


def test_destinations_and_employers_do_not_decide_the_articles_province():
    article, paragraphs = label_provinces(
        "劳务协作架起就业桥",
        ["西吉县组织劳动力赴福建省福州、厦门、泉州等地务工。",
         "一家福建企业在当地投资兴建扶贫车间,来自福建的客商也来考察。"])
    assert article == ["宁夏"]
    assert paragraphs == [["宁夏"], ["宁夏"]]


def test_an_outside_provinces_own_work_still_moves_a_paragraph():
    assert provinces_of(
        "甘肃就业扶贫",
        "临夏州开展技能培训。",
        "江苏省今年新建扶贫车间300个,吸纳贫困劳动力就业。",
    ) == [["甘肃"], ["江苏"]]


# --------------------------------------- a paragraph that names nothing


@pytest.mark.parametrize("paragraph", [
    "下一步,将继续开展订单式技能培训。",
    "车间负责人介绍,目前吸纳搬迁群众186人就业。",
    "依托东西部协作机制,组织劳动力外出务工。",
])
def test_a_paragraph_naming_nothing_takes_its_articles_province(paragraph):
    assert provinces_of("贵州就业扶贫", "榕江县建成扶贫车间43个。", paragraph) == [["贵州"]] * 2
    assert provinces_of("就业扶贫", paragraph, source="宁夏日报") == [["宁夏"]]


@pytest.mark.parametrize("title", ["临夏州:江苏援建扶贫车间吸纳就业", "临夏州:江苏省对口帮扶见成效"])
def test_a_helping_province_in_the_title_is_not_the_story(title):
    article, paragraphs = label_provinces(title, ["积石山县新建扶贫车间12个。"])
    assert (article, paragraphs) == (["甘肃"], [["甘肃"]])


# ------------------------------------------- the paragraph's own place first


def test_a_paragraph_naming_a_city_of_another_province_is_labelled_by_it():
    # an article about Gansu whose title (here a Tibet site's) names Tibet:
    # a city the paragraph names labels it before the title's province
    assert provinces_of(
        "西藏扶贫",
        "临夏州今年新建扶贫车间120个,吸纳贫困劳动力就业。",
        "在临夏州积石山县,扶贫车间吸纳了三百多人。",
        "这些经验值得推广。",
    ) == [["甘肃"], ["甘肃"], ["西藏"]]


def test_partners_and_bare_county_names_still_take_the_articles_province():
    # near misses: a partner region, a bare county name shared or weak
    assert provinces_of("宁夏扶贫", "福建对口帮扶闽宁镇,建设扶贫车间。") == [["宁夏"]]
    assert provinces_of("甘肃就业扶贫", "组织劳动力到厦门务工,人均月收入4000元。") == [["甘肃"]]


def test_a_site_name_never_outweighs_what_the_text_names():
    article, paragraphs = label_provinces(
        "扶贫车间吸纳就业", ["临夏州今年新建扶贫车间120个。"], source="中国西藏网")
    assert (article, paragraphs) == (["甘肃"], [["甘肃"]])
    # the near miss: a text that names nothing takes the publication's province
    article, paragraphs = label_provinces("扶贫车间吸纳就业", ["车间今年新建120个。"], source="中国西藏网")
    assert (article, paragraphs) == (["西藏"], [["西藏"]])


def test_a_breadcrumb_of_a_page_copy_labels_nothing(tmp_path):
    from search.ingest import read_file

    src = tmp_path / "copy.txt"
    src.write_text("中国西藏网 > 扶贫\n临夏州扶贫车间吸纳三千人就业\n2019-04-29 14:51\n"
                   "临夏州今年新建扶贫车间120个,吸纳贫困劳动力就业,带动群众增收致富。\n"
                   "积石山县的扶贫车间吸纳了三百多人,人均月收入两千多元,群众在家门口上班。\n",
                   encoding="utf-8")
    [article] = read_file(src)
    assert article.province == ["甘肃"]
    assert [p.province for p in article.paragraphs] == [["甘肃"], ["甘肃"]]


@pytest.mark.parametrize("text, provinces", [
    ("这位加拿大大叔在广西南宁的南湖公园拍了一期视频。", ["广西"]),  # jieba reads 西南 across the names
    ("记者在江西南昌的公园里看到晨练的老人。", ["江西"]),
    # near misses: the province alone, and a province before a word that is no city of it
    ("广西南部的甘蔗长势良好。", ["广西"]),
    ("考察团从江西南下，到了广东。", ["广东", "江西"]),
])
def test_a_province_and_its_city_run_together(text, provinces):
    _, [paragraph] = label_provinces(None, [text])
    assert sorted(paragraph) == sorted(provinces)


def test_a_bare_county_name_alone_names_no_province():
    # 民乐 (民乐县, Gansu) as a kind of music, 磐石 (磐石市, Jilin) in a hymn
    article, paragraphs = label_provinces("新专辑发布", ["专辑里有嘻哈、摇滚、民乐等等各个门类。",
                                                     "众人同唱“永久磐石为我开”那首歌。"])
    assert article == [] and paragraphs == [[], []]
    # near miss: with its province named for sure elsewhere, the bare name confirms it
    article, _ = label_provinces("新专辑发布", ["专辑在甘肃张掖录制。", "民乐的乐手也来了。"])
    assert article == ["甘肃"]


def test_beijing_time_is_a_time_of_day_not_beijing():
    # 北京时间 opens the report of a space mission or a match abroad: the
    # time zone, read whole, labels nothing
    article, [paragraph] = label_provinces(
        "交会对接任务新闻发布会", ["北京时间6月24日12时55分，天宫一号与神舟九号再次成功交会对接。"])
    assert article == [] and paragraph == []
    # near miss: Beijing named as a place, even beside a time
    article, [paragraph] = label_provinces(
        "交会对接任务新闻发布会", ["6月24日下午，发布会在北京举行，时间定在两点。"])
    assert article == ["北京"] and paragraph == ["北京"]


def test_a_national_outlets_beijing_dateline_is_its_desk_not_the_place():
    # 央广网北京…消息 says where the national outlet filed from: a national
    # story (a military regulation) is about no province
    article, paragraphs = label_provinces(
        "中央军委主席签署命令 发布装备试验鉴定规定",
        ["央广网北京2月13日消息 中央军委主席签署命令，发布《军队装备试验鉴定规定》。",
         "《规定》共11章56条，规范了装备试验鉴定工作。"])
    assert article == [] and paragraphs == [[], []]
    article, [paragraph] = label_provinces(
        "国务院常务会议召开", ["新华社北京3月1日电 国务院总理主持召开国务院常务会议。"])
    assert article == [] and paragraph == []
    # near misses: a Beijing outlet's dateline, a national outlet's Beijing
    # story that names Beijing in its text, a national outlet filing elsewhere
    assert label_provinces("全市新建养老驿站", ["千龙网北京2月13日讯 全市今年将新建养老驿站。"])[0] == ["北京"]
    assert label_provinces("冬奥场馆开放", [
        "新华社北京2月13日电 北京市今年将开放冬奥场馆。"])[0] == ["北京"]
    assert label_provinces("牛肉面产业", ["新华社兰州3月1日电 今年牛肉面产业持续增长。"])[0] == ["甘肃"]


# ------------------------------------------ named regions (京津冀, 长三角...)


def test_an_article_about_a_named_region_is_about_its_provinces():
    # 京津冀 is Beijing, Tianjin and Hebei together: a researcher filtering
    # by 河北 expects the story; before, the three tied and none was given
    article, [paragraph] = label_provinces(
        "交通运输部：着力打造京津冀区域综合立体交通网络",
        ["目前京津冀交通一体化建设各项工作取得积极成效，下一步将实现区域内快速铁路覆盖所有地级市。"])
    assert article == ["北京", "天津", "河北"] and paragraph == ["北京", "天津", "河北"]
    article, _ = label_provinces("推进交通一体化", ["京津冀三地今年新开通城际铁路两条。", "三地联合发布时刻表。"])
    assert article == ["北京", "天津", "河北"]
    assert label_provinces("示范区揭牌", ["长三角生态绿色一体化发展示范区今天揭牌。"])[0] == [
        "上海", "江苏", "浙江", "安徽"]
    # near miss: three provinces named one by one in a national story do not
    # make a region (the article takes at most two that share it)
    article, _ = label_provinces("就业形势", ["北京、天津、河北、山西联合招聘。"])
    assert article == []


def test_a_province_named_beside_its_region_wins():
    # a Hebei story about 京津冀 coordination stays Hebei, as a 宁夏 story
    # about 闽宁协作 stays 宁夏
    article, [paragraph] = label_provinces("河北：推进京津冀协同发展", ["河北省今年推进京津冀交通一体化。"])
    assert article == ["河北"] and paragraph == ["河北"]
    article, _ = label_provinces("城市副中心建设", [
        "北京城市副中心今年新开工项目。", "北京市表示，副中心是京津冀协同发展的一部分。",
        "北京今年还将新建学校。"])
    assert article == ["北京"]


def test_national_news_naming_several_regions_is_about_none():
    # each region in turn: none shares the story
    article, paragraphs = label_provinces("国务院部署区域协调发展", [
        "推动京津冀协同发展。", "推进长三角一体化发展。", "建设粤港澳大湾区。"])
    assert article == []
    # each paragraph still names its own region
    assert paragraphs[0] == ["北京", "天津", "河北"]
    # two regions in one line name too many provinces: none
    article, [paragraph] = label_provinces("国务院部署区域协调发展", ["推动京津冀协同发展、长三角一体化发展。"])
    assert article == [] and paragraph == []
    # and so do two regions sharing a story's title
    assert label_provinces("京津冀与长三角对比", ["两地经济总量持续增长。"])[0] == []


def test_a_region_inside_one_province_is_that_province():
    # 珠三角 is nine cities of Guangdong, not a list of provinces
    assert label_provinces("珠三角九市制造业转型", ["珠三角制造业转型升级加快。"])[0] == ["广东"]
    assert gazetteer().places["珠三角"].level == "city"


def test_a_region_as_a_destination_is_not_the_story():
    article, [paragraph] = label_provinces("劳务输出", ["甘肃农民工到京津冀务工。"])
    assert article == ["甘肃"] and paragraph == ["甘肃"]


def test_every_region_names_mainland_provinces():
    regions = [p for p in gazetteer().places.values() if p.level == "region"]
    assert {"京津冀", "长三角"} <= {r.name for r in regions}
    for region in regions:
        assert len(region.provinces) >= 2 and set(region.provinces) <= set(PROVINCES)
        assert len(region.provinces) < SPAM_PROVINCES  # else no line naming it would count
