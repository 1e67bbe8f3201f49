"""Related words (相关词, issue 20 item 3): the words most over-represented
in a search's hits against the archive, each count checked by brute force
over the ingested paragraphs; the page and the API are twins."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from apipages import all_hits

from search.engine import terms as related
from search.text.analysis import cut_words, fold


def words_of(text: str) -> set[str]:
    return {w for w, _, _ in cut_words(fold(text))}


@pytest.fixture(scope="module")
def paragraphs(app):
    """Every paragraph of the seed index, as the API gives them."""
    client = app.test_client()
    out = []
    for doc in client.get("/api/docs?size=100").get_json()["docs"]:
        out += client.get(f"/api/docs/{doc['doc_id']}").get_json()["paragraphs"]
    return out


@pytest.mark.parametrize("q", ["扶贫车间", "劳务输出", "公益性岗位"])
def test_counts_are_the_paragraphs_holding_each_word(client, paragraphs, q):
    answer = client.get("/api/terms", query_string={"q": q}).get_json()
    hits = all_hits(client, q=q)
    assert answer["hits"] == len(hits) and answer["read"] == len(hits), "few hits: every one read"
    assert answer["terms"], "the seeds have words that keep company with each of these"
    hit_words = [words_of(h["text"]) for h in hits]
    all_words = [words_of(p["text"]) for p in paragraphs]
    n, total = len(paragraphs), len(hits)
    for t in answer["terms"]:
        w = t["word"]
        assert t["hits"] == sum(w in ws for ws in hit_words) >= related.MIN_HITS
        assert t["archive"] == sum(w in ws for ws in all_words)
        assert t["hits"] / total > (t["archive"] - t["hits"]) / (n - total), "over-represented"
        assert len(w) >= 2 and w not in related.stopwords() and w not in words_of(q)
        assert parse_qs(urlsplit(t["url"]).query)["q"] == [f"{q} {w}"]
    scores = [t["score"] for t in answer["terms"]]
    assert scores == sorted(scores, reverse=True)


def test_the_rarest_company_outranks_the_commonest_word():
    """G²: a word in every hit and few other paragraphs outranks one in as
    many hits but everywhere else too (a near miss: same hit count)."""
    texts = ["扶贫车间吸纳务工", "扶贫车间吸纳就业", "扶贫车间吸纳农户"] * 4
    df = {"吸纳": 14, "扶贫": 900}
    found = related.significant(texts, len(texts), 1000, lambda ws: [df.get(w, len(texts)) for w in ws], exclude={"车间"})
    words = [t.word for t in found]
    assert "吸纳" in words and ("扶贫" not in words or words.index("吸纳") < words.index("扶贫"))
    assert "车间" not in words


def test_g2_is_zero_where_proportions_agree_and_grows_with_the_gap():
    assert related.g2(10, 100, 100, 1000) == pytest.approx(0.0, abs=1e-9)
    assert 0 < related.g2(20, 100, 100, 1000) < related.g2(40, 100, 100, 1000)
    # by hand: 2·Σ o·ln(o/e) over the four cells of 20 of 100 against 100 of 1,000
    n, holding = 1100, 120
    cells = [(20, 100 * holding / n), (80, 100 * (n - holding) / n), (100, 1000 * holding / n),
             (900, 1000 * (n - holding) / n)]
    assert related.g2(20, 100, 100, 1000) == pytest.approx(2 * sum(o * np.log(o / e) for o, e in cells))
    assert related.g2(0, 100, 0, 1000) == 0.0, "a word nowhere: no empty cell counted"


def test_a_large_search_reads_an_even_sample_and_scales_it():
    docs = np.arange(10_000, dtype=np.int32)
    picked = related.sample(docs, 100)
    assert len(picked) == 100 and picked[0] == 0 and picked[-1] == 9_999
    assert np.array_equal(picked, related.sample(docs, 100)), "the same every time"
    assert np.array_equal(related.sample(docs[:50], 100), docs[:50])
    found = related.significant(["就业帮扶车间", "就业帮扶车间"], 2000, 100_000, lambda ws: [2000] * len(ws), exclude=set())
    assert {t.word: t.hits for t in found}.get("帮扶") == 2000, "2 of 2 read, of 2,000 hits"


def test_the_page_is_the_apis_twin_and_the_results_link_it(client):
    api = client.get("/api/terms?q=劳务输出").get_json()
    body = client.get("/terms?q=劳务输出").get_data(as_text=True)
    words = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td>(\d+)</td><td>(\d+)</td>', body)
    assert [(w, int(h), int(a)) for w, h, a in words] == [(t["word"], t["hits"], t["archive"]) for t in api["terms"]]
    results = client.get("/?q=劳务输出").get_data(as_text=True)
    assert 'data-terms="/terms?q=' in results
    assert client.get("/api/terms?q=劳务输出&province=火星").status_code == 400


def test_archive_counts_looked_up_together_are_those_looked_up_one_by_one(seed_index, paragraphs):
    """``Postings.doc_freqs`` (the related words' batch lookup) against
    ``doc_freq`` per word, words the index lacks included (counted 0)."""
    from search.engine.searcher import Searcher

    words = sorted(set().union(*(words_of(p["text"]) for p in paragraphs[:40])))
    words += ["没有这个词语", "扶贫车间吸纳", ""]
    with Searcher(seed_index)._using() as snap:
        together = snap.postings.doc_freqs("text", words).tolist()
        alone = [snap.postings.doc_freq("text", w) for w in words]
    assert together == alone and together[-3:] == [0, 0, 0] and max(together) > 1
