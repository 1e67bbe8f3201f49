"""Citations: GB/T 7714-2015 for the pages (a newspaper article [N], one
online [N/OL] with its address and the date it was read, 第N段 where a
page number would stand), and RIS / BibTeX that reference managers read,
checked with a parser of each format."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import bibtexparser
import rispy

from search.present.cite import bibtex, citation, ris, works

READ = date(2024, 5, 1)


def test_a_newspaper_article():
    assert citation("甘肅堅決打贏深度貧困地區人社扶貧攻堅戰", "中國組織人事報", "2019-04-29", None) == \
        "甘肅堅決打贏深度貧困地區人社扶貧攻堅戰[N]. 中國組織人事報, 2019-04-29."


def test_a_paragraph_of_a_newspaper_article():
    assert citation("题名", "人民日报", "2019-04-29", None, para_no=7) == "题名[N]. 人民日报, 2019-04-29: 第7段."


def test_an_online_article_is_n_ol_with_its_address_and_the_date_it_was_read():
    got = citation("题名", "中国政府网", "2018-01-02", "http://www.gov.cn/x.htm", para_no=3, accessed=READ)
    assert got == "题名[N/OL]. 中国政府网, 2018-01-02: 第3段[2024-05-01]. http://www.gov.cn/x.htm."
    assert citation("题名", "中国政府网", "2018-01-02", "https://www.gov.cn/x.htm", accessed=READ) == \
        "题名[N/OL]. 中国政府网, 2018-01-02[2024-05-01]. https://www.gov.cn/x.htm."


def test_missing_elements_are_left_out_with_their_punctuation():
    assert citation("题名。", None, None, None) == "题名[N]."
    assert citation("题名", None, "2018-01-02", None) == "题名[N]. 2018-01-02."
    # no headline: a supplied title in brackets, never a bare 无题 (a title some works bear)
    assert citation(None, "报", None, None) == "[无题名][N]. 报."
    assert citation("  ", None, "2018-01-02", "http://a.cn/1", accessed=READ) == \
        "[无题名][N/OL]. 2018-01-02[2024-05-01]. http://a.cn/1."
    assert citation("无题", "报", None, None) == "无题[N]. 报.", "a work titled 无题 keeps its title"
    # a file path is no address: no [N/OL], no access date
    assert citation("题名", "报", None, "/data/a.txt", para_no=1) == "题名[N]. 报: 第1段."
    assert citation("题名", None, None, "http://a.cn/1", para_no=2, accessed=READ) == "题名[N/OL]. 第2段[2024-05-01]. http://a.cn/1."
    assert citation("题名", None, None, "http://a.cn/1", accessed=READ) == "题名[N/OL][2024-05-01]. http://a.cn/1."


def hit(doc_id="a1", para_no=1, title="甘肅扶貧車間{吸纳}就业 50% & more", source="中國組織人事報", date_="2019-04-29",
        url="http://www.example.cn/a?x=1&y=2#top", **kw):
    return SimpleNamespace(doc_id=doc_id, para_no=para_no, title=title, source=source, date=date_, article_url=url,
                           facets={"province": kw.get("province", ["甘肃"]), "measure": kw.get("measures", ["workshop"])},
                           issuer=kw.get("issuer"), doc_number=kw.get("doc_number"))


HITS = [hit(para_no=7), hit(para_no=3), hit(doc_id="b/2", title="无来源", source=None, date_=None, url=None, para_no=1),
        hit(doc_id="gov", title="关于做好就业扶贫工作的意见", source="中国政府网", issuer="人力资源社会保障部",
            doc_number="人社部发〔2016〕119号", para_no=2)]


def test_ris_is_one_record_an_article_that_rispy_reads():
    text = ris(works(HITS), accessed=READ, labels={"workshop": "扶贫车间"})
    records = rispy.loads(text)
    assert len(records) == 3, "two hits of one article are one reference"
    first, second, gov = records
    assert first["type_of_reference"] == "NEWS" and first["title"] == HITS[0].title
    assert first["secondary_title"] == "中國組織人事報" and first["date"] == "2019/04/29/"
    assert first["urls"] == [HITS[0].article_url] and first["access_date"] == "2024/05/01/"
    assert "第3、7段" in first["notes"][0] and "扶贫车间" in first["keywords"]
    assert "urls" not in second and "date" not in second and "secondary_title" not in second
    assert gov["type_of_reference"] == "GOVDOC" and gov["authors"] == ["人力资源社会保障部"]
    assert "人社部发〔2016〕119号" in gov["notes"][0]


def test_bibtex_is_one_entry_an_article_that_bibtexparser_reads():
    text = bibtex(works(HITS), accessed=READ)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    entries = library.entries
    assert [e.entry_type for e in entries] == ["article", "online", "article"]
    first = {f.key: f.value for f in entries[0].fields}
    # LaTeX's special characters escaped in text, the URL kept as it is
    assert first["title"] == r"甘肅扶貧車間\{吸纳\}就业 50\% \& more"
    assert first["url"] == HITS[0].article_url and first["urldate"] == "2024-05-01"
    assert first["journaltitle"] == "中國組織人事報" and first["date"] == "2019-04-29"
    assert "第3、7段" in first["note"]
    keys = [e.key for e in entries]
    assert len(set(keys)) == 3 and all(re.fullmatch(r"[A-Za-z0-9_.-]+", k) for k in keys)
    gov = {f.key: f.value for f in entries[2].fields}
    assert gov["author"] == "{人力资源社会保障部}" and gov["number"] == "人社部发〔2016〕119号"


def test_works_keep_the_order_of_first_appearance_and_each_paragraph_once():
    got = works([hit(para_no=2), hit(doc_id="z"), hit(para_no=2), hit(para_no=1)])
    assert [w.doc_id for w in got] == ["a1", "z"] and got[0].paragraphs == [2, 1]
    assert works([hit(para_no=2)], paragraphs=False)[0].paragraphs == []


def test_an_untitled_article_is_cited_by_a_supplied_title_never_by_its_first_words():
    """The pages show an untitled article's first words in the title's place
    (marked); a citation must not pass them off as its title."""
    lead = "近日，甘肃省临夏州建成各类扶贫车间110多家…"
    untitled = hit(doc_id="u", title=None, url=None, lead=lead)
    untitled.lead = lead
    (record,) = rispy.loads(ris(works([untitled]), accessed=READ))
    assert record["title"] == "[无题名]"
    (entry,) = bibtexparser.parse_string(bibtex(works([untitled]), accessed=READ)).entries
    assert {f.key: f.value for f in entry.fields}["title"] == "[无题名]"
    for text in (ris(works([untitled])), bibtex(works([untitled]))):
        assert "临夏州" not in text
