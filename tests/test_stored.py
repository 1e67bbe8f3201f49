"""The stored paragraph records (issue 12): every field comes back as it
was indexed, whichever reader reads it (one record, many, all), after
deletions, re-indexing and Whoosh's merges of old segments; an article's
fields are stored once, in its first paragraph's record, and a record
that names the wrong one is found by ``zhsearch check``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from search import indexing
from search.store import merge
from search.cli import main
from search.indexing import build_index, file_hash
from search.ingest import read_file
from search.text.lead import first_words
from search.model import Article, Paragraph
from search.text.scrub import printable_path
from search.store import Index, IndexDamaged, StoredParagraph, analyze_article
from search.store import index as store_index
from search.store import record
from search.store.schema import IndexVersionError, META_FILE


def expected_records(article: Article, file_hash: str, file_articles: int) -> list[dict]:
    """What the index must give back for each paragraph of ``article``
    (written out here, not by the code under test)."""
    return [dict(
        para_id=f"{article.doc_id}-{p.para_no}", doc_id=article.doc_id, path=article.path or "",
        para_no=p.para_no, text=p.text, heading=p.heading, title=article.title, source=article.source,
        date=article.date, url=article.url, issuer=article.issuer, doc_number=article.doc_number,
        province=list(p.province), years=list(p.years),
        measures=list(p.measures), doc_province=list(article.province), n_paragraphs=len(article.paragraphs),
        file_hash=file_hash, file_articles=file_articles,
        # every paragraph knows its untitled article's first words (made from the first paragraph when read)
        lead=None if article.title else first_words(article.paragraphs[0].text),
    ) for p in article.paragraphs]


def as_dict(rec: StoredParagraph) -> dict:
    assert type(rec) is StoredParagraph
    return dict(rec.__dict__)


def all_ways(index_dir) -> dict[str, dict]:
    """Every live record by para_id, read by ``iter_stored``; the same
    records read one at a time and by ``stored_many`` in a random order
    (a fresh reader each time, so no article head is cached) must agree."""
    index = Index.open(index_dir)
    r = index.reader()
    try:
        live = np.flatnonzero(r.postings.live_mask())
        by_iter = [as_dict(rec) for rec in r.iter_stored()]
    finally:
        r.close()
    assert len(by_iter) == len(live)
    r = index.reader()
    try:
        shuffled = live.copy()
        random.Random(7).shuffle(shuffled)
        many = r.stored_many(shuffled)
        by_many = {int(d): as_dict(rec) for d, rec in zip(shuffled.tolist(), many)}
    finally:
        r.close()
    r = index.reader()
    try:
        by_one = {int(d): as_dict(r.stored(d)) for d in shuffled.tolist()}
    finally:
        r.close()
    r = index.reader()
    try:  # the text alone, as ranking reads it (no article head read before)
        texts = {int(d): r.stored_text(d) for d in shuffled.tolist()}
        with pytest.raises(IndexError):
            r.stored_text(len(r.postings.live_mask()))  # one past the last document
    finally:
        r.close()
    r = index.reader()
    try:  # the texts of several at once, as ranking reads its candidates', some read twice
        rnd = random.Random(len(live))
        batches = [rnd.sample(shuffled.tolist(), rnd.randint(0, min(40, len(live)))) for _ in range(12)]
        assert [r.stored_texts(b) for b in batches] == [[texts[d] for d in b] for b in batches]
        with pytest.raises(IndexError):
            r.stored_texts([int(live[0]), len(r.postings.live_mask())])
        with pytest.raises(IndexError):
            r.stored_texts([-1])
        # whole records after their texts: article heads taken from the records just read
        after_texts = {int(d): as_dict(r.stored(d)) for d in shuffled.tolist()}
    finally:
        r.close()
    assert [texts[d] for d in live.tolist()] == [rec["text"] for rec in by_iter]
    assert [by_many[d] for d in live.tolist()] == by_iter
    assert [by_one[d] for d in live.tolist()] == by_iter
    assert [after_texts[d] for d in live.tolist()] == by_iter
    out = {rec["para_id"]: rec for rec in by_iter}
    assert len(out) == len(by_iter)
    return out


# ---------------------------------------------------------------------------
# Every field, written through the segment writer as indexing writes it.


def _articles() -> list[Article]:
    return [
        Article(doc_id="one", title="只有一段", paragraphs=[Paragraph(para_no=1, text="只有一段的文章。")]),
        Article(doc_id="trad", title="雅安市人社部門以技能培訓助力就業扶貧", source="四川日報", date="2017-03-01",
                url="https://example.org/扶貧?a=1&b=2", path="/tmp/某/文件.txt", province=["四川", "火星", "甘肃"],
                issuer="四川省人力資源和社會保障廳", doc_number="川人社發〔2017〕3號",
                paragraphs=[
                    Paragraph(para_no=1, text="聚焦產業發展。", heading="一、產業", province=["四川"],
                              years=[2017, 2018], measures=["training", "industry"]),
                    Paragraph(para_no=2, text="", heading=""),
                    Paragraph(para_no=3, text="帶設備、帶師資進村入戶 ABC 123", heading="一、產業",
                              province=["甘肃", "四川"], years=[2020], measures=["labor_transfer"]),
                    Paragraph(para_no=4, text="\u3000結尾\U00020000\n", heading=None,
                              province=["火星", "四川"], measures=["made_up", "training"]),
                ]),
        Article(doc_id="empty-fields", title="", source="", date="", url="", path="", province=[],
                paragraphs=[Paragraph(para_no=1, text=""), Paragraph(para_no=2, text="y", heading="小标题")]),  # an empty first
        Article(doc_id="long", title="很长的文章", paragraphs=[
            Paragraph(para_no=n, text=f"第{n}段。" * n, heading=f"第{n // 10}节" if n % 3 else None,
                      years=[2000 + n] if n % 2 else []) for n in range(1, 41)]),
        Article(doc_id="one-more", title="最后一篇，一段", source="新华社", date="2021-12-31",
                paragraphs=[Paragraph(para_no=1, text="最后。", province=["西藏"])]),
        Article(doc_id="untitled", title=None, source="甲报", paragraphs=[
            Paragraph(para_no=1, text="近日，甘肃省临夏州建成各类扶贫车间110多家，吸纳就业6000余人。"),
            Paragraph(para_no=2, text="第二段。")]),
    ]


def _write(index_dir: Path, groups: list[list[Article]]):
    """Each group of articles into a segment of its own, committed together."""
    index = Index.create(index_dir)
    index.meta.add_known_values()
    segments = []
    expected = []
    for group in groups:
        w = index.segment_writer()
        for a in group:
            w.add(a, index.meta, f"hash-{a.doc_id}", len(group), analyze_article(a))
            expected += expected_records(a, f"hash-{a.doc_id}", len(group))
        segments.append(w.finish())
    update = index.update()
    update.commit(segments, {})
    return expected


def test_every_field_round_trips(tmp_path):
    arts = _articles()
    expected = _write(tmp_path / "ix", [arts[:3], arts[3:]])
    got = all_ways(tmp_path / "ix")
    assert list(got.values()) == expected
    assert got["trad-2"]["text"] == "" and got["trad-2"]["heading"] == ""
    assert got["empty-fields-1"]["source"] == "" and got["one-1"]["source"] is None
    # an untitled article's first words reach its every paragraph; a titled one has none
    assert got["untitled-2"]["lead"] == got["untitled-1"]["lead"] == "近日，甘肃省临夏州建成各类扶贫车间110多家…"
    assert got["untitled-2"]["title"] is None and got["one-more-1"]["lead"] is None
    assert got["empty-fields-2"]["lead"] is None, "an empty first paragraph gives no first words"
    assert got["trad-4"]["text"] == "\u3000結尾\U00020000\n"
    assert got["trad-4"]["province"] == ["火星", "四川"] and got["trad-4"]["measures"] == ["made_up", "training"]
    assert got["trad-1"]["doc_province"] == ["四川", "火星", "甘肃"]
    assert Index.open(tmp_path / "ix").check() > 0


def test_record_layout_stores_article_fields_once(tmp_path):
    arts = _articles()
    _write(tmp_path / "ix", [arts])
    r = Index.open(tmp_path / "ix").reader()
    try:
        raw = store_index._raw_stored(r.postings.leaves[0][0])
        n = sum(len(a.paragraphs) for a in arts)
        datas = [raw(d) for d in range(n)]
    finally:
        r.close()
    backs = [d[0] for d in datas]
    assert backs == [b for a in arts for b in range(len(a.paragraphs))]
    heads = [d for d in datas if d[0] == 0]
    assert len(heads) == len(arts)
    assert all(len(d) == record.HEAD_LEN for d in heads)
    assert all(len(d) == record.PARA_LEN for d in datas if d[0])
    # the tuple's layout is the field lists: each field read here by its name's place
    def at(name):
        return 1 + (record.PARA_FIELDS + record.ARTICLE_FIELDS).index(name)

    # provinces and measures the vocabularies hold as their bit, others as themselves
    trad = [d for d in datas if d[0] == 0 and d[at("doc_id")] == "trad"][0]
    province, measures, doc_province = trad[at("province")], trad[at("measures")], trad[at("doc_province")]
    assert province == (province[0],) and type(province[0]) is int
    assert measures == (int(measures[0]), int(measures[1]))
    assert doc_province == (doc_province[0], "火星", doc_province[2]) and type(doc_province[0]) is int
    assert trad[at("issuer")] == "四川省人力資源和社會保障廳" and trad[at("doc_number")] == "川人社發〔2017〕3號"
    fourth = datas[datas.index(trad) + 3]
    assert fourth[at("province")][0] == "火星" and type(fourth[at("province")][1]) is int
    assert fourth[at("measures")][0] == "made_up"
    # nothing of the article (its title, say) in a paragraph after the first
    assert not any("很长的文章" in map(str, d) for d in datas if d[0])


def test_one_record_read_alone_needs_no_cache(tmp_path):
    arts = _articles()
    expected = _write(tmp_path / "ix", [arts])
    index = Index.open(tmp_path / "ix")
    for d in (len(expected) - 1, 5, 0):
        r = index.reader()
        try:
            assert as_dict(r.stored(d)) == expected[d]
        finally:
            r.close()


def test_a_head_distance_off_by_one_is_found(tmp_path, monkeypatch):
    """Loosen the rule (the distance back to the first paragraph one too
    many, or too few, for one paragraph): readers and ``check`` fail."""
    real = record.encode

    for shift in (1, -1):
        def off(rec, back, meta, shift=shift):
            if rec.doc_id == "long" and rec.para_no == 7:
                back += shift
            return real(rec, back, meta)

        monkeypatch.setattr(record, "encode", off)
        ix = tmp_path / f"ix{shift}"
        _write(ix, [_articles()])
        monkeypatch.setattr(record, "encode", real)
        with pytest.raises(IndexDamaged, match="damaged"):
            Index.open(ix).check()
        with pytest.raises(Exception):
            all_ways(ix)


def test_an_article_count_that_does_not_match_is_found(tmp_path, monkeypatch):
    real = record.encode

    def miscount(rec, back, meta):
        if rec.doc_id == "long":
            rec.n_paragraphs -= 1
        return real(rec, back, meta)

    monkeypatch.setattr(record, "encode", miscount)
    _write(tmp_path / "ix", [_articles()])
    monkeypatch.setattr(record, "encode", real)
    with pytest.raises(IndexDamaged, match="paragraphs"):
        Index.open(tmp_path / "ix").check()


def test_check_finds_a_record_that_decodes_but_is_not_a_record(tmp_path, monkeypatch, capsys):
    """A record whose bytes are what was written (the checksums agree) but
    whose content is not a record of this layout."""
    real = record.encode

    def garbage(rec, back, meta):
        return {"para_no": rec.para_no} if rec.doc_id == "trad" and rec.para_no == 3 else real(rec, back, meta)

    monkeypatch.setattr(record, "encode", garbage)
    _write(tmp_path / "ix", [_articles()])
    monkeypatch.setattr(record, "encode", real)
    with pytest.raises(IndexDamaged, match="not a stored paragraph record"):
        Index.open(tmp_path / "ix").check()
    assert main(["check", "--index", str(tmp_path / "ix")]) == 4
    assert "zhsearch index --rebuild" in capsys.readouterr().err


def test_an_index_of_the_previous_schema_asks_for_a_rebuild(tmp_path):
    _write(tmp_path / "ix", [_articles()])
    meta = json.loads((tmp_path / "ix" / META_FILE).read_text(encoding="utf-8"))
    meta["schema_version"] = 5
    (tmp_path / "ix" / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionError, match="zhsearch index --rebuild"):
        Index.open(tmp_path / "ix")


# ---------------------------------------------------------------------------
# Files added, changed, removed and re-indexed across generations, with
# Whoosh merging the old segments: every record is still the one indexed.


def _jsonl(folder: Path, name: str, seed: int, n_articles: int) -> None:
    rnd = random.Random(seed)
    words = ["扶贫车间", "就業扶貧", "劳务输出", "技能培训", "甘肃省", "四川", "2018年", "易地搬迁", "产业发展"]
    lines = []
    for a in range(n_articles):
        paras = ["".join(rnd.choice(words) for _ in range(rnd.randint(3, 12))) + "。"
                 for _ in range(rnd.randint(1, 4))]
        lines.append(json.dumps({
            "id": f"{name}-{a}-{seed}", "title": f"{rnd.choice(words)}的文章{seed}",
            "date": rnd.choice([None, "2019-05-01", "2020-01-02"]), "source": rnd.choice([None, "人民日报"]),
            "text": "\n".join(paras)}, ensure_ascii=False))
    (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _expected_folder(folder: Path) -> dict[str, dict]:
    out = {}
    for f in sorted(folder.glob("*.jsonl")):
        articles = read_file(f)
        path = printable_path(f.resolve())
        for a in articles:
            a.path = path
            for rec in expected_records(a, file_hash(f), len(articles)):
                out[rec["para_id"]] = rec
    return out


def test_records_after_deletions_reindexing_and_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(indexing, "SEGMENT_POSTINGS", 1)  # a segment per file: many small segments to merge
    monkeypatch.setattr(merge, "MERGE_MAX_BYTES", 0)  # and no run's new segments merged at its end: Whoosh merges them
    merged_with_deletions = []
    real_merge = store_index.merge_arrays

    def spy(storage, segment, sources):
        merged_with_deletions.append(sum(len(deleted) for _, _, deleted in sources))
        return real_merge(storage, segment, sources)

    monkeypatch.setattr(store_index, "merge_arrays", spy)
    in_workers = []
    real_workers = indexing._write_in_workers

    def workers(*args, **kwargs):
        in_workers.append(1)
        return real_workers(*args, **kwargs)

    monkeypatch.setattr(indexing, "_write_in_workers", workers)
    src, ix = tmp_path / "src", tmp_path / "ix"
    src.mkdir()
    rnd = random.Random(12)
    names = [f"f{i:02d}" for i in range(8)]
    for i, name in enumerate(names):
        _jsonl(src, name, i, rnd.randint(1, 3))
    seed = 100
    for generation in range(7):
        build_index([str(src)], ix, procs=2 if generation in (0, 3) else 1)
        assert all_ways(ix) == _expected_folder(src), f"generation {generation}"
        Index.open(ix).check()
        # change some files, remove one, add one
        for name in rnd.sample(sorted(p.stem for p in src.glob("*.jsonl")), 3):
            seed += 1
            _jsonl(src, name, seed, rnd.randint(1, 3))
        victims = sorted(src.glob("*.jsonl"))
        victims[rnd.randrange(len(victims))].unlink()
        seed += 1
        _jsonl(src, f"g{seed}", seed, rnd.randint(1, 3))
    build_index([str(src)], ix, procs=1)
    assert all_ways(ix) == _expected_folder(src)
    assert any(merged_with_deletions), merged_with_deletions  # Whoosh merged segments that had deletions
    assert in_workers  # one generation's segments were written by worker processes


def test_check_finds_a_province_the_metadata_does_not_name(tmp_path, monkeypatch):
    real = record.encode

    def unnamed(rec, back, meta):
        data = real(rec, back, meta)
        return data[:4] + ((63,),) + data[5:] if rec.doc_id == "long" and rec.para_no == 5 else data

    monkeypatch.setattr(record, "encode", unnamed)
    _write(tmp_path / "ix", [_articles()])
    monkeypatch.setattr(record, "encode", real)
    with pytest.raises(IndexDamaged, match="does not name"):
        Index.open(tmp_path / "ix").check()


def test_a_head_before_its_segment_is_never_another_segments_article(tmp_path, monkeypatch):
    real = record.encode

    def too_far(rec, back, meta):
        return real(rec, back + 2 if rec.doc_id == "long" and rec.para_no == 2 else back, meta)  # docnum 5: a head

    monkeypatch.setattr(record, "encode", too_far)
    arts = _articles()
    _write(tmp_path / "ix", [arts[:3], arts[3:]])  # "long" starts the second segment
    monkeypatch.setattr(record, "encode", real)
    r = Index.open(tmp_path / "ix").reader()
    try:
        live = np.flatnonzero(r.postings.live_mask())
        with pytest.raises(record.BadRecord, match="before its segment"):
            r.stored_many(live)  # the first segment's heads are cached by then
    finally:
        r.close()
    with pytest.raises(IndexDamaged):
        Index.open(tmp_path / "ix").check()


@pytest.mark.parametrize("bad, message", [
    (lambda data: data[:2] + (None,) + data[3:], "text is not a str"),
    (lambda data: (0,) + data[1:] if len(data) == record.PARA_LEN else data, "has 7 fields"),
    (lambda data: (-1,) + data[1:], "has 7 fields|has 19 fields"),
    (lambda data: ("1",) + data[1:], "not a stored paragraph record"),
    (lambda data: data[:-1], "not a stored paragraph record"),
])
def test_a_text_read_from_a_record_of_the_wrong_shape_is_named(tmp_path, monkeypatch, bad, message):
    """``stored_text`` and ``stored_texts`` refuse a record this layout did
    not write (the second paragraph of "long", docnum 5 of its segment)
    with the same message; the records beside it read as written."""
    real = record.encode

    def broken(rec, back, meta):
        data = real(rec, back, meta)
        return bad(data) if rec.doc_id == "long" and rec.para_no == 2 else data

    monkeypatch.setattr(record, "encode", broken)
    arts = _articles()
    _write(tmp_path / "ix", [arts[3:4]])
    monkeypatch.setattr(record, "encode", real)
    r = Index.open(tmp_path / "ix").reader()
    try:
        assert r.stored_texts([0, 2]) == [r.stored_text(0), r.stored_text(2)] == ["第1段。", "第3段。" * 3]
        with pytest.raises(record.BadRecord, match=message) as one:
            r.stored_text(1)
        with pytest.raises(record.BadRecord, match=message) as many:
            r.stored_texts([0, 1, 2])
        assert str(one.value) == str(many.value)
    finally:
        r.close()
