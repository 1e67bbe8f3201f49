"""The analysis chain: folding keeps positions; one chain for index and query."""

from search.text.analysis import bigrams, cut_words, fold
from search.store.schema import Analyzed, bigram_analyzer, word_analyzer


def test_fold_maps_traditional_to_simplified_and_keeps_length():
    text = "甘肅堅決打贏深度貧困地區人社扶貧攻堅戰 陜西 ＡＢＣ１２３"
    folded = fold(text)
    assert folded == "甘肃坚决打赢深度贫困地区人社扶贫攻坚战 陕西 abc123"
    assert len(folded) == len(text)


def test_fold_is_idempotent():
    text = "就業扶貧車間、勞務輸轉、公益性崗位"
    assert fold(fold(text)) == fold(text)


def test_word_offsets_are_offsets_of_the_original_text():
    text = "扶貧車間吸納就業"
    for word, s, e in cut_words(fold(text)):
        assert fold(text[s:e]) == word
    toks = [(t.text, t.pos) for t in word_analyzer()(text, positions=True)]
    assert [w for w, _ in toks][-1] == "就业" and [p for _, p in toks] == list(range(len(toks)))


def test_pre_analyzed_terms_pass_through_unchanged():
    ana = word_analyzer()
    text = "甘肅臨夏州扶貧車間"
    direct = [(t.text, t.pos) for t in ana(text, positions=True)]
    assert [(t.text, t.pos) for t in ana(Analyzed(ana.terms(text)), positions=True)] == direct


def test_latin_words_and_numbers_are_kept_and_lowercased():
    words = [w for w, _, _ in cut_words(fold("CT機 2018年 Hello"))]
    assert "ct" in words and "2018" in words and "hello" in words


def test_bigram_positions_are_character_offsets():
    toks = [(t.text, t.pos) for t in bigram_analyzer()("的就業扶貧", positions=True)]
    assert toks == [("的就", 0), ("就业", 1), ("业扶", 2), ("扶贫", 3)]
    assert bigrams("a车b") == [("车", 1)]


def test_every_character_opencc_maps_is_folded():
    """Every single character OpenCC's TS table maps to another one is
    folded, also where the table lists the character itself first (瞭 -> 瞭 了):
    index and query fold alike, so nothing is lost."""
    from pathlib import Path

    import opencc

    from search.text.analysis import ts_target

    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    kept = []
    for line in table.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        target = ts_target(src, dst.split()) if len(src) == 1 else None
        if target and fold(src) == src:
            kept.append(src)
    assert kept == []
    assert fold("瞭解 彷彿 祇有 覆蓋") == "了解 仿佛 只有 复盖"
    assert fold("了解") == "了解"  # the near-miss: a simplified character stays


def test_fold_is_idempotent_over_the_whole_table():
    from search.text.analysis import fold_table

    chars = "".join(chr(c) for c in fold_table()) + "".join(fold_table().values())
    assert fold(fold(chars)) == fold(chars)


def test_jiebas_dictionary_read_back_from_our_cache_is_jiebas(tmp_path, monkeypatch):
    """The server and every command load jieba's dictionary from our cache
    (0.2 s against jieba's 0.7-1.0): the same words and counts as jieba's
    own load; a damaged cache is ignored and written again."""
    import tempfile

    import jieba

    from search.text import analysis

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ref = jieba.Tokenizer()
    ref.initialize()
    analysis.load_segmenter.cache_clear()
    try:
        first = analysis.load_segmenter()  # jieba's load, then our cache written
        (cache,) = tmp_path.glob("zhsearch-jieba-*.cache")
        analysis.load_segmenter.cache_clear()
        second = analysis.load_segmenter()  # from our cache
        assert second.FREQ == ref.FREQ and second.total == ref.total and second.initialized
        assert list(second.cut("就业扶贫车间技能培训")) == list(ref.cut("就业扶贫车间技能培训"))
        raw = cache.read_bytes()
        cache.write_bytes(raw[: len(raw) // 2])  # cut short
        analysis.load_segmenter.cache_clear()
        third = analysis.load_segmenter()
        assert third.FREQ == ref.FREQ and cache.read_bytes() == raw, "read from jieba, cache written anew"
        assert first.FREQ == ref.FREQ
    finally:
        analysis.load_segmenter.cache_clear()
