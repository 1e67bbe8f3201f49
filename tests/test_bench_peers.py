"""The benchmark's peers (bench/peers.py) compare like with like: over a
small generated corpus, SQLite FTS5 and tantivy hold the same paragraphs and
labels as the zhsearch index and, for words whose literal occurrences are
exactly jieba's tokens, find the same paragraphs with the same facet counts.
tantivy is optional (``pip install -e '.[bench]'``): skipped when absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402
import peers  # noqa: E402

from search.text.analysis import fold  # noqa: E402

# simple words of the corpus' vocabulary: places, common words, measure words
# (some of which jieba cuts differently inside longer words: 甘肃省, 就业扶贫)
WORDS = ["甘肃", "四川", "扶贫", "就业", "培训", "车间", "劳动力", "贫困户", "技能培训", "创业", "带动",
         "积极开展", "帮扶", "群众", "乡村", "精准", "外出", "转移", "对口", "建档立卡", "贷款", "公益性岗位",
         "基地", "合作社", "产业", "务工", "脱贫", "大茨滩村", "雅安市", "牛肉面"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("peers")
    corpus.generate(500, tmp / "corpus", seed=11, procs=1)
    subprocess.run([sys.executable, "-m", "search", "index", str(tmp / "corpus"), "--index", str(tmp / "ix"),
                    "--rebuild", "--procs", "1"], cwd=ROOT, check=True, capture_output=True)
    info = peers.build(tmp / "ix", tmp / "peers", procs=1)
    paras = peers.segment(peers.paragraphs(tmp / "ix"))
    return tmp, info, paras


def engines(tmp, info, which):
    if which == "tantivy" and not peers.have_tantivy():
        pytest.skip("tantivy not installed (pip install -e '.[bench]')")
    # the peer without synonyms, as the brute force below has none
    eng = peers.open_engine(which, info["paths"][which])
    eng.synonyms = {}
    return peers.Zhsearch(str(tmp / "ix")), eng


def sets(paras, word):
    """Paragraphs holding the word literally (zhsearch's meaning) and its
    jieba tokens (the peers'), in the text or the title + heading."""
    w = fold(word)
    literal = {p["para_id"] for p in paras
               if w in fold(p["text"]) or w in fold(" ".join(x for x in (p["title"], p["heading"]) if x))}
    if any(w not in fold(p["text"]) for p in paras if p["para_id"] in literal):
        # zhsearch's hits hold a query word in their own text; the peers' may
        # hold it in the title only: the semantics differ, nothing is compared
        literal = None
    cut = peers.words(word).split()  # the peers require every word of the query's cut
    token = {p["para_id"] for p in paras
             if all(t in p["text_tok"].split() or t in p["title_tok"].split() for t in cut)}
    return literal, token


def test_same_paragraphs_and_labels(built):
    tmp, info, paras = built
    assert info["paragraphs"] == len(paras) > 400
    zh = peers.Zhsearch(str(tmp / "ix"))
    browse = zh.run({"q": ""})
    assert browse["total"] == len(paras)
    for which in ["fts5"] + (["tantivy"] if peers.have_tantivy() else []):
        eng = peers.open_engine(which, info["paths"][which])
        for item in ({"q": ""}, {"q": "", "province": ["四川", "甘肃"], "sort": "date_desc"},
                     {"q": "", "year": [2019], "measure": ["training"]}):
            r, z = eng.run(item), zh.run(item)
            assert (r["total"], r["facets"]) == (z["total"], z["facets"]), (which, item)
        eng.close()
    zh.close()


@pytest.mark.parametrize("which", ["fts5", "tantivy"])
def test_word_counts_agree_where_semantics_agree(built, which):
    tmp, info, paras = built
    zh, eng = engines(tmp, info, which)
    widened = peers.synonym_groups()  # zhsearch widens these words: not compared
    agree = 0
    for word in WORDS:
        literal, token = sets(paras, word)
        got = eng.run({"q": word})
        # each system does what the README says it does
        assert got["total"] == len(token), (which, word)
        if len(peers.words(word).split()) == 1 and literal == token and fold(word) not in widened:
            z = zh.run({"q": word})
            assert z["total"] == got["total"] == len(literal), (which, word)
            assert z["facets"] == got["facets"], (which, word)
            assert set(got["hits"]) <= token and set(z["hits"]) <= literal
            agree += literal != set()
    assert agree >= 8  # the check is not vacuous
    # two words, a facet filter, an exclusion: AND / filters / NOT agree too
    for item in ({"q": "甘肃 就业"}, {"q": "扶贫", "province": ["甘肃"]}, {"q": "就业 -甘肃"}):
        lits = [sets(paras, w.lstrip("-")) for w in item["q"].split()]
        if all(a == b for a, b in lits):
            z, got = zh.run(item), eng.run(item)
            assert (z["total"], z["facets"]) == (got["total"], got["facets"]), (which, item)
    zh.close()
    eng.close()


@pytest.mark.parametrize("which", ["fts5", "tantivy"])
def test_phrase_and_or(built, which):
    tmp, info, paras = built
    _, eng = engines(tmp, info, which)
    a, b = eng.run({"q": "扶贫"})["total"], eng.run({"q": "就业"})["total"]
    both = eng.run({"q": "扶贫 就业"})["total"]
    either = eng.run({"q": "扶贫 OR 就业"})["total"]
    assert either == a + b - both
    assert eng.run({"q": "扶贫 -就业"})["total"] == a - both
    # a phrase: the words adjacent, never more than the words anywhere
    for text in ("就业扶贫", "扶贫车间", "劳务输出基地"):
        cut = f" {peers.words(text)} "
        phrase = eng.run({"q": f'"{text}"'})["total"]
        assert phrase == sum(1 for p in paras if cut in f" {p['text_tok']} " or cut in f" {p['title_tok']} "), text


def test_query_parse_synonyms():
    must, must_not = peers.parse("扶贫车间 甘肃 -培训", {"扶贫车间": ["帮扶车间"]})
    assert must[0][0][0] == "and" and must[0][1] == ("phrase", peers.words("帮扶车间").split())
    assert must[1] == [("and", ["甘肃"])]
    assert must_not == [[("and", ["培训"])]]
    must, _ = peers.parse('返乡创业 OR "公益性岗位"', {})
    assert len(must) == 1 and must[0][1][0] == "phrase"
