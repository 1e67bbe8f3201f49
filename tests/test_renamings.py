"""Names that changed: a renaming line of the synonyms file
(``小额担保贷款 → 创业担保贷款 (2015)``) makes a search on either name find
both, and the answer says which is the old name and which the new
(``renamed`` in the JSON, 旧称/新称 and the year on the page)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from search.datafiles import data_path
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher
from search.indexing import build_index
from search.present.serialize import search_json
from search.present.urls import Urls
from search.text.synonyms import Renaming, Synonyms


def synonyms(tmp_path: Path, text: str) -> Synonyms:
    path = tmp_path / "synonyms.txt"
    path.write_text(text, encoding="utf-8")
    return Synonyms(path)


def test_either_name_finds_the_other_and_knows_which_is_old(tmp_path):
    s = synonyms(tmp_path, "小额担保贷款 → 创业担保贷款 (2015)  # 国发〔2015〕23号\n")
    assert s("小额担保贷款") == ["创业担保贷款"] and s("创业担保贷款") == ["小额担保贷款"]
    assert s.renamings("创业担保贷款") == [Renaming("小额担保贷款", "old", 2015)]
    assert s.renamings("小额担保贷款") == [Renaming("创业担保贷款", "new", 2015)]
    assert s.renamings("担保贷款") == [] and s("担保贷款") == []  # a piece of either is not a name of it


def test_names_merged_into_one_find_it_but_not_each_other(tmp_path):
    s = synonyms(tmp_path, "新型农村合作医疗 城镇居民基本医疗保险 → 城乡居民基本医疗保险 (2016)\n")
    assert s("城乡居民基本医疗保险") == ["新型农村合作医疗", "城镇居民基本医疗保险"]
    assert s("新型农村合作医疗") == ["城乡居民基本医疗保险"]  # not the town residents' scheme
    assert s("城镇居民基本医疗保险") == ["城乡居民基本医疗保险"]


def test_renamings_join_the_groups_of_the_same_words(tmp_path):
    s = synonyms(tmp_path, "创业担保贷款 创业贷款\n小额担保贷款 -> 创业担保贷款 （2015）\n")
    assert s("创业担保贷款") == ["创业贷款", "小额担保贷款"]
    assert s("小额担保贷款") == ["创业担保贷款"]
    assert [r.kind for r in s.renamings("创业担保贷款")] == ["old"]  # 创业贷款 is a synonym, not a former name


def test_a_short_name_finds_its_name_and_is_told_apart_from_a_group(tmp_path, caplog):
    s = synonyms(tmp_path, "城乡居民基本养老保险 = 城乡居民养老保险\n城乡居民养老保险 城乡居民社保\n"
                           "甲乙 = 甲乙\n丙丁 戊己 = 庚\n")
    assert s("城乡居民基本养老保险") == ["城乡居民养老保险"]
    assert s("城乡居民养老保险") == ["城乡居民基本养老保险", "城乡居民社保"]
    assert s.same("城乡居民养老保险") == ["城乡居民基本养老保险"]  # not the group's other word
    assert s.same("城乡居民社保") == []
    with caplog.at_level(logging.WARNING, logger="search"):
        assert s.same("丙丁") == [] and s("庚") == []
    assert "synonyms.txt:3" in caplog.text and "synonyms.txt:4" in caplog.text


@pytest.mark.parametrize("line", ["甲乙 → 丙丁 → 戊己 (2015)", "→ 丙丁 (2015)", "甲乙 → (2015)", "甲乙 → 丙丁 戊己",
                                  "甲乙 → 甲乙"])
def test_a_malformed_renaming_is_reported_and_the_rest_still_works(tmp_path, caplog, line):
    s = synonyms(tmp_path, f"劳务输出 转移就业\n{line}\n小额担保贷款 → 创业担保贷款\n")
    with caplog.at_level(logging.WARNING, logger="search"):
        assert s("劳务输出") == ["转移就业"]
    assert "synonyms.txt:2" in caplog.text
    assert s.renamings("创业担保贷款") == [Renaming("小额担保贷款", "old", None)]  # no year given
    assert s("甲乙") == [] and s("丙丁") == []


def test_every_renaming_in_the_data_file_names_its_year_and_document():
    """Only renamings a document made: the comment above each names it and
    the year the line gives."""
    lines = data_path("synonyms.txt").read_text(encoding="utf-8").splitlines()
    found = 0
    for no, line in enumerate(lines):
        if "→" not in line or line.lstrip().startswith("#"):
            continue
        year = re.search(r"\((\d{4})\)", line).group(1)
        comment = []
        for above in reversed(lines[:no]):
            if "→" in above and not comment:  # renamings from one document share its comment
                continue
            if not above.startswith("#"):
                break
            comment.insert(0, above)
        text = " ".join(comment)
        assert year in text, f"line {no + 1}: the comment above should name the year {year}"
        assert re.search(r"《.+》|〔\d{4}〕|新华社", text), f"line {no + 1}: the comment should name the document"
        found += 1
    assert found >= 5


# -- on an index ------------------------------------------------------------------

RENAMING = "小额担保贷款 → 创业担保贷款 (2015)\n创业担保贷款 创业贷款\n"
TEXTS = {
    "old": ("2013年,县里发放小额担保贷款二百万元,扶持下岗职工自主创业。", "2013-04-02"),
    "new": ("2019年,县里发放创业担保贷款五百万元,扶持返乡农民工创业。", "2019-04-02"),
    "synonym": ("县里为创业者提供创业贷款贴息。", "2019-05-02"),
    "near": ("县里为小额贷款贴息,扶持创业。", "2019-06-02"),  # some pieces of both names, neither name
}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("renamings")
    path = folder / "news.jsonl"
    path.write_text("".join(json.dumps({"id": k, "title": f"新闻{k}", "date": d, "text": t}, ensure_ascii=False) + "\n"
                            for k, (t, d) in TEXTS.items()), encoding="utf-8")
    build_index([str(path)], str(folder / "index"), rebuild=True, procs=1)
    (folder / "synonyms.txt").write_text(RENAMING, encoding="utf-8")
    s = Searcher(str(folder / "index"), synonyms=Synonyms(folder / "synonyms.txt"))
    yield s
    s.close()


def found(searcher, q: str) -> set[str]:
    return {h.doc_id for h in searcher.search(SearchRequest(q=q, size=100)).hits}


def test_a_search_on_either_name_finds_both(renamed):
    assert found(renamed, "小额担保贷款") == {"old", "new"}
    assert found(renamed, "创业担保贷款") == {"old", "new", "synonym"}
    assert found(renamed, '"创业担保贷款"') == {"new"}  # quoted: the name as typed only
    assert found(renamed, '"小额担保贷款"') == {"old"}


def test_the_answer_says_which_is_the_old_name(renamed):
    res = renamed.search(SearchRequest(q="创业担保贷款"))
    body = search_json(res, Urls())
    assert body["expanded"] == {"创业担保贷款": ["小额担保贷款", "创业贷款"]}  # its shape unchanged (file order)
    assert body["renamed"] == {"创业担保贷款": [{"word": "小额担保贷款", "kind": "old", "year": 2015}]}
    body = search_json(renamed.search(SearchRequest(q="小额担保贷款 扶持")), Urls())
    assert body["renamed"] == {"小额担保贷款": [{"word": "创业担保贷款", "kind": "new", "year": 2015}]}
    assert search_json(renamed.search(SearchRequest(q='"小额担保贷款"')), Urls())["renamed"] == {}


def test_the_page_says_old_name_and_new_name(client):
    """On the seeds' app (the data file's synonyms): the 同时搜索了 line marks
    a renaming, not a plain synonym."""
    page = client.get("/", query_string={"q": "创业担保贷款"}).get_data(as_text=True)
    line = re.search(r'<p class="widened">(.*?)</p>', page, re.S).group(1)
    assert "小额担保贷款<span class=\"renamed\">(旧称,2015 年更名)</span>" in line
    assert "创业贷款<span" not in line  # a synonym is not a former name
    page = client.get("/", query_string={"q": "小额担保贷款"}).get_data(as_text=True)
    line = re.search(r'<p class="widened">(.*?)</p>', page, re.S).group(1)
    assert "创业担保贷款<span class=\"renamed\">(新称,2015 年起)</span>" in line
