"""A literal of three characters or more is confirmed by the positions of
the cheapest cover of its bigrams (``matching.cover``), its candidates the
paragraphs holding that cover's bigrams, not every bigram of it: the
paragraphs found, how often each holds it, and where, must be what the
text says, on texts made of few characters (every bigram of a literal often
stands in a paragraph apart from the others: the near misses) and on a
literal whose rare middle bigram the cover takes instead of common ones."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine.matching import COVER_STEP, cover, literal_in, literal_starts
from search.engine.searcher import Searcher
from search.indexing import build_index
from search.text.analysis import fold, index_words

ALPHABET = "中央经济工作会议发展"  # few characters: their bigrams recur, in and out of order
SEED = 21


def _texts() -> list[str]:
    rnd = random.Random(SEED)
    out = []
    for i in range(400):
        n = rnd.randrange(4, 60)
        text = "".join(rnd.choice(ALPHABET) if rnd.random() > 0.08 else "，" for _ in range(n))
        if i % 7 == 0:  # the whole phrase, so that long literals are found too
            at = rnd.randrange(len(text) + 1)
            text = text[:at] + "中央经济工作会议" + text[at:]
        out.append(text)
    return out


TEXTS = _texts()


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("literal-cover")
    path = folder / "gen.jsonl"
    path.write_text("".join(
        json.dumps({"id": f"g{i}", "title": TEXTS[-1 - i][:12], "date": "2020-01-01", "text": t},
                   ensure_ascii=False) + "\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    build_index([str(path)], str(folder / "index"), rebuild=True, procs=1)
    s = Searcher(str(folder / "index"))
    yield s
    s.close()


def _starts(text: str, word: str) -> list[int]:
    return [i for i in range(len(text) - len(word) + 1) if text.startswith(word, i)]


def _truth(s: Searcher, word: str) -> dict[int, list[int]]:
    """docnum -> where the folded text holds ``word`` (overlapping ones too)."""
    snap = s._snap
    out = {}
    for d in snap.all_live.tolist():
        at = _starts(fold(snap.stored(d).text), word)
        if at:
            out[d] = at
    return out


def _check(s: Searcher, word: str) -> int:
    p = s._snap.postings
    truth = _truth(s, word)
    ids, tf = literal_in(p, "text_grams", "text", word)
    assert ids.tolist() == sorted(truth)
    words = dict(zip(*(a.tolist() for a in p.ids_tf("text", word))))
    for d, f in zip(ids.tolist(), tf.tolist()):  # jieba's count where it made it a word, else every start
        assert f == words.get(d, len(truth[d])), (word, d)
    docs = s._snap.all_live.astype(np.int64)
    keys = literal_starts(p, "text_grams", word, docs)
    assert [(int(k >> 32), int(k & 0xFFFFFFFF)) for k in keys.tolist()] == \
        [(d, i) for d in sorted(truth) for i in truth[d]]
    return len(truth)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ALPHABET, min_size=3, max_size=9))
def test_literals_found_by_their_cover_are_what_the_texts_hold(index, word):
    _check(index, word)


def test_the_cover_takes_rare_middle_bigrams_and_every_character():
    """中央经济工作会议: the first and last bigrams always, the rare ones between
    rather than the common (a cost of their documents plus COVER_STEP each);
    with every bigram equally common, the fewest that cover it."""
    class Fake:
        def __init__(self, df):
            self.df = df

        def doc_freq(self, grams, bigram):
            return self.df.get(bigram, 0)

    word = "中央经济工作会议"
    common = {b: 30_000 for b in ("中央", "经济", "工作", "会议")}
    rare = {"央经": 600, "济工": 1_200, "作会": 1_500}
    got = cover(Fake({**common, **rare}), "text_grams", word)
    assert sorted(got) == [0, 1, 3, 5, 6] and got[0] == 1  # rarest first
    flat = {b: 100 for b in [word[i:i + 2] for i in range(len(word) - 1)]}
    assert sorted(cover(Fake(flat), "text_grams", word)) == [0, 2, 4, 6]
    # the near miss: middle bigrams as common as the rest cost one lookup more each
    near = {**common, **{b: 30_000 - COVER_STEP // 2 for b in rare}}
    assert sorted(cover(Fake(near), "text_grams", word)) == [0, 2, 4, 6]
    assert cover(Fake({**common, "央经": 0}), "text_grams", word) == []  # a bigram no text holds
    for k in range(2, 9):  # every character covered, no two chosen more than two apart
        w = word[:k]
        got = sorted(cover(Fake({**common, **rare}), "text_grams", w))
        assert got[0] == 0 and got[-1] == k - 2 and all(b - a <= 2 for a, b in zip(got, got[1:]))


def test_the_generated_texts_hold_long_literals_and_their_near_misses(index):
    """The phrase itself, and a literal whose every bigram stands in some
    texts that do not hold it (their words apart)."""
    assert _check(index, "中央经济工作会议") >= len(TEXTS) // 7
    p = index._snap.postings
    word = "会议发展中"
    holding_bigrams = set(range(len(TEXTS)))
    for i in range(len(word) - 1):
        holding_bigrams &= set(p.ids_tf("text_grams", word[i:i + 2])[0].tolist())
    assert len(holding_bigrams) > _check(index, word)  # near misses among the candidates
    assert any(len(w) >= 3 for t in TEXTS for w in index_words(t))  # jieba's words take the word-list path too
