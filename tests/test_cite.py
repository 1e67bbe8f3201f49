"""Citations (GB/T 7714-2015): a newspaper article [N], an online one
[EB/OL] with its address and the date it was read, 第N段 for a paragraph."""

from datetime import date

from search.present.cite import citation


def test_a_newspaper_article():
    assert citation("甘肅堅決打贏深度貧困地區人社扶貧攻堅戰", "中國組織人事報", "2019-04-29", None) == \
        "甘肅堅決打贏深度貧困地區人社扶貧攻堅戰[N]. 中國組織人事報, 2019-04-29."


def test_a_paragraph_of_a_newspaper_article():
    assert citation("题名", "人民日报", "2019-04-29", None, para_no=7) == "题名[N]. 人民日报, 2019-04-29: 第7段."


def test_an_online_article_has_its_address_and_the_date_it_was_read():
    got = citation("题名", "中国政府网", "2018-01-02", "http://www.gov.cn/x.htm", para_no=3, accessed=date(2024, 5, 1))
    assert got == "题名[EB/OL]. 中国政府网, (2018-01-02)[2024-05-01]: 第3段. http://www.gov.cn/x.htm."


def test_nothing_is_invented():
    assert citation("题名。", None, None, None) == "题名[N]."
    assert citation("题名", None, "2018-01-02", None) == "题名[N]. 2018-01-02."
    # a file path is no address
    assert citation("题名", "报", None, "/data/a.txt", para_no=1) == "题名[N]. 报: 第1段."
