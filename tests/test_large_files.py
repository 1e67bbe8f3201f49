"""A large JSON lines file is read in parts spread over the worker
processes, so no process holds the whole file: the index is what reading
it whole gives, its problems are reported with the file's own line
numbers, and the memory of every process stays bounded (the large run:
``make test-large``, a file of several hundred MB).  So is a large text
file, its paragraphs those of the file read whole, each part an article."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import search.indexing as indexing
from search.indexing import build_index
from search.store import Index, merge

from conftest import ROOT, SEEDS

LARGE_MB = int(os.environ.get("ZHSEARCH_LARGE_MB", "0"))  # make test-large sets it
MEMORY_BUDGET = 1536 << 20  # bytes any one indexing process may hold (peak RSS)


def _paragraphs() -> list[str]:
    out = []
    for p in sorted(SEEDS.iterdir()):
        out += [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 20]
    return out


def write_jsonl(path: Path, target_bytes: int, bad_lines=(7,)) -> int:
    """Items of five seed paragraphs each, with ids and dates, until the file
    holds ``target_bytes``; the lines numbered in ``bad_lines`` are not
    JSON.  Returns how many items."""
    paras = _paragraphs()
    n = line_no = 0
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < target_bytes:
            line_no += 1
            if line_no in bad_lines:
                f.write("{not json\n")
                continue
            text = "\n".join(paras[(n * 5 + k) % len(paras)] for k in range(5))
            item = {"id": f"item{n}", "title": f"第{n}条 {paras[n % len(paras)][:12]}",
                    "date": f"{2014 + n % 9}-0{1 + n % 9}-1{n % 10}", "text": f"编号{n}。\n{text}"}
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_text(path: Path, target_bytes: int) -> int:
    """A long report as one text file: a headline, a line with its date and
    source, then numbered seed paragraphs under a section heading every 40,
    until the file holds ``target_bytes``.  Lines a page's furniture or tail
    rules drop are left out: what a text read whole keeps of its end after
    such a line differs from what it keeps read in parts (docs/architecture.md).
    Returns how many paragraphs."""
    from search.ingest.clean import matching_rule
    from search.ingest.structure import opens_notice, opens_tail

    paras = [p for p in _paragraphs()
             if not (opens_tail(p) or opens_notice(p) or matching_rule("block", p) or matching_rule("line", p))]
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("扶贫车间带动就业的调查\n2019-03-06 来源:新华社\n")
        while f.tell() < target_bytes:
            if n % 40 == 0:
                f.write(f"第{n // 40 + 1}部分 扶贫车间\n")
            f.write(f"编号{n}:{paras[n % len(paras)]}\n")
            n += 1
    return n


def records(index_dir) -> list[tuple]:
    r = Index.open(index_dir).reader()
    try:
        return sorted((s.doc_id, s.para_no, s.text, s.title, s.date, tuple(s.province), tuple(s.measures))
                      for s in r.iter_stored())
    finally:
        r.close()


def test_a_large_jsonl_read_in_parts_gives_the_index_read_whole(tmp_path, monkeypatch):
    src = tmp_path / "big.jsonl"
    items = write_jsonl(src, 300_000, bad_lines=(7, 120))
    whole = build_index([str(src)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "PART_BYTES", 20_000)
    parts = indexing._parts(str(src))
    assert len(parts) >= 10 and parts[0].start == 0 and parts[-1].end == src.stat().st_size
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    in_parts = build_index([str(src)], tmp_path / "parts", procs=2)
    assert in_parts.articles.added == whole.articles.added == items
    assert in_parts.paragraphs.added == whole.paragraphs.added
    assert records(tmp_path / "parts") == records(tmp_path / "whole")
    # the bad lines named by their line in the file, whichever part held them
    assert sorted(w for w in in_parts.warnings if "bad JSON" in w) == sorted(w for w in whole.warnings
                                                                             if "bad JSON" in w)
    assert any("line 120: bad JSON" in w for w in in_parts.warnings)
    again = build_index([str(src)], tmp_path / "parts", procs=2)
    assert (again.articles.skipped, again.paragraphs.skipped) == (items, whole.paragraphs.added)
    assert again.articles.added == again.articles.replaced == 0


def test_a_large_jsonl_is_spread_over_the_workers(tmp_path, monkeypatch):
    """Each worker writes a segment of its own (its share of the postings
    bound is far from reached here): two segments, so both workers read
    parts of the one file (read whole, one process would hold it all);
    the two are then joined into one."""
    src = tmp_path / "big.jsonl"
    write_jsonl(src, 200_000)
    monkeypatch.setattr(indexing, "PART_BYTES", 20_000)
    joined = []
    real_merge = merge.merge_segments

    def spy(ix, segments):
        joined.append(len(segments))
        return real_merge(ix, segments)

    monkeypatch.setattr(merge, "merge_segments", spy)
    build_index([str(src)], tmp_path / "ix", procs=2)
    assert joined == [2]
    r = Index.open(tmp_path / "ix").reader()
    try:
        assert len(r.segment_ids()) == 1
        assert r.postings.doc_count_all == build_index([str(src)], tmp_path / "one", procs=1).paragraphs.added
    finally:
        r.close()


def test_a_jsonl_with_no_usable_line_fails_in_parts_as_whole(tmp_path, monkeypatch):
    src = tmp_path / "bad.jsonl"
    src.write_text("{not json\n" * 5000, encoding="utf-8")
    whole = build_index([str(src)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "PART_BYTES", 4_000)
    in_parts = build_index([str(src)], tmp_path / "parts", procs=2)
    assert whole.failures and in_parts.failures == whole.failures
    assert "no usable line" in in_parts.failures[0][1]


def test_parts_reported_in_the_files_order_whatever_order_the_workers_finish():
    """Workers finish parts in any order (under load, a later part first):
    the file's failure names its first bad line and its warnings keep the
    file's order, as when the parts come back in order (the near miss)."""
    parts = [indexing.Part(0, 10, 1, 3), indexing.Part(10, 20, 401, 3), indexing.Part(20, 30, 801, 3)]

    def result(part, warnings, read=0):
        return (("f.jsonl", None, "f.jsonl", part), 0, 0, None, warnings, (False, 0, 0, read, 0, []))

    bad = {p.first_line: [f"f.jsonl: line {p.first_line}: bad JSON (x)"] for p in parts}
    for order in (parts, parts[::-1], [parts[1], parts[2], parts[0]]):
        gather = indexing._Gather()
        for p in order:
            gather.add(result(p, bad[p.first_line]))
        assert gather.files == [("f.jsonl", 0, 0, "no usable line in JSON lines file (line 1: bad JSON (x))", [])]
        # a file some of whose lines were read: its warnings in the file's order
        gather = indexing._Gather()
        for p in order:
            gather.add(result(p, bad[p.first_line], read=1))
        [(_, _, _, error, warnings)] = gather.files
        assert error is None and warnings[:3] == [w for p in parts for w in bad[p.first_line]]


def test_a_small_text_file_and_a_small_jsonl_are_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(indexing, "PART_BYTES", 10_000)
    small = tmp_path / "small.jsonl"
    write_jsonl(small, 900)
    assert indexing._parts(str(small)) is None
    txt = tmp_path / "a.txt"
    txt.write_text("标题\n" + "扶贫车间吸纳就业。\n" * 1500, encoding="utf-8")
    assert txt.stat().st_size > 2 * indexing.PART_BYTES  # a text file is read whole up to TEXT_WHOLE_MAX
    assert indexing._parts(str(txt)) is None
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", txt.stat().st_size)  # the near miss: at the limit
    assert indexing._parts(str(txt)) is None
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", txt.stat().st_size - 1)
    assert len(indexing._parts(str(txt))) == 5  # 42,003 bytes in parts of 10,000 (and the rest of a line)


def paragraphs_in_file_order(index_dir) -> list[tuple]:
    """(doc_id, para_no, text, heading, title, date, years, measures,
    province, the article's provinces) of every paragraph, in the order of
    the file they came from: a text read in parts gives ``<id>``, then
    ``<id>.<line>`` for each later part (``<id>.<line>-<byte>`` inside a
    line)."""
    r = Index.open(index_dir).reader()
    try:
        rows = [(s.doc_id, s.para_no, s.text, s.heading, s.title, s.date, tuple(s.years), tuple(s.measures),
                 tuple(s.province), tuple(s.doc_province)) for s in r.iter_stored()]
    finally:
        r.close()

    def place(row):
        doc_id, para_no = row[:2]
        line, _, byte = (doc_id.rpartition(".")[2] if "." in doc_id else "0").partition("-")
        return int(line), int(byte or 0), para_no

    return sorted(rows, key=place)


def test_a_large_text_read_in_parts_gives_the_paragraphs_read_whole(tmp_path, monkeypatch):
    """A text file over TEXT_WHOLE_MAX is read in parts cut at line ends,
    spread over the workers: every paragraph as the file read whole gives
    it (text, section heading, the file's headline, date, years, measures),
    each part after the first an article of its own (its id names its
    first line); a paragraph's provinces differ only where its article's
    do (a paragraph that names none takes its article's, and each part's
    are its own text's: docs/architecture.md, "Large files")."""
    src = tmp_path / "big.txt"
    write_text(src, 300_000)
    whole = build_index([str(src)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", 100_000)
    monkeypatch.setattr(indexing, "PART_BYTES", 20_000)
    parts = indexing._parts(str(src))
    assert len(parts) >= 10 and parts[0].start == 0 and parts[-1].end == src.stat().st_size
    data = src.read_bytes()
    assert all(a.end == b.start and data[a.end - 1:a.end] == b"\n" for a, b in zip(parts, parts[1:]))
    in_parts = build_index([str(src)], tmp_path / "parts", procs=2)
    assert whole.articles.added == 1 and in_parts.articles.added == len(parts)
    assert in_parts.paragraphs.added == whole.paragraphs.added
    assert any(f"read in {len(parts)} parts" in w for w in in_parts.warnings)
    mojibake = [w for w in whole.warnings if "mojibake" in w]  # the seeds hold some: counted over the parts
    assert mojibake and [w for w in in_parts.warnings if "mojibake" in w] == mojibake
    read_whole, read_in_parts = (paragraphs_in_file_order(tmp_path / d) for d in ("whole", "parts"))
    assert [r[2:8] for r in read_in_parts] == [r[2:8] for r in read_whole]
    assert read_whole[0][4:6] == ("扶贫车间带动就业的调查", "2019-03-06")
    assert sum(r[3] is not None for r in read_in_parts) > len(read_in_parts) * 0.9  # headings carried over parts
    assert {r[0] for r in read_in_parts} == {"big"} | {f"big.{p.first_line}" for p in parts[1:]}
    assert all((w[8] == p[8]) or (w[9] != p[9]) for w, p in zip(read_whole, read_in_parts))
    again = build_index([str(src)], tmp_path / "parts", procs=2)
    assert (again.articles.skipped, again.paragraphs.skipped) == (len(parts), whole.paragraphs.added)
    assert again.articles.added == again.articles.replaced == 0


def test_a_heading_is_looked_for_above_a_parts_start(tmp_path, monkeypatch):
    """The near miss of the test above: without looking above a part's
    start (TEXT_LOOK_BACK 0), the paragraphs at the head of each part lose
    the section heading they stand under."""
    from search.ingest import pipeline

    src = tmp_path / "big.txt"
    write_text(src, 120_000)
    build_index([str(src)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", 50_000)
    monkeypatch.setattr(indexing, "PART_BYTES", 20_000)
    monkeypatch.setattr(pipeline, "TEXT_LOOK_BACK", 0)
    build_index([str(src)], tmp_path / "parts", procs=1)
    read_whole, read_in_parts = (paragraphs_in_file_order(tmp_path / d) for d in ("whole", "parts"))
    assert [r[2] for r in read_in_parts] == [r[2] for r in read_whole]
    lost = [(w, p) for w, p in zip(read_whole, read_in_parts) if w[3] != p[3]]
    assert lost and all(p[3] is None and p[1] <= 40 for _, p in lost)


def test_a_line_longer_than_a_part_is_cut_between_characters(tmp_path, monkeypatch):
    """A text on one line (a book without line breaks) is cut after a 。
    or between two characters, never inside one: every character of it
    is indexed once, in paragraphs no longer than the limit."""
    from search.ingest.structure import PARAGRAPH_MAX

    line = "扶贫车间带动就业" * 7_500 + "。" + "扶贫车间" * 20_000  # one 。, 180,000 bytes in
    src = tmp_path / "one-line.txt"
    src.write_text(line, encoding="utf-8")
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", 100_000)
    monkeypatch.setattr(indexing, "PART_BYTES", 50_000)
    parts = indexing._parts(str(src))
    assert len(parts) >= 4 and not any(p.starts_line for p in parts[1:])
    assert any(src.read_bytes()[p.start - 3:p.start] == "。".encode() for p in parts[1:])  # after a 。 where one is near
    assert all(p.end - p.start <= 100_000 for p in parts)
    summary = build_index([str(src)], tmp_path / "ix", procs=2)
    assert summary.failures == [] and not any("U+FFFD" in w for w in summary.warnings)
    texts = [r[2] for r in paragraphs_in_file_order(tmp_path / "ix")]
    assert "".join(texts) == line and all(len(t) <= PARAGRAPH_MAX for t in texts)


def _peak_rss_of_index(src: Path, index_dir: Path) -> tuple[int, str]:
    """Runs `zhsearch index` in a subprocess; the largest peak RSS of it and
    of its workers (bytes), and what it printed."""
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run([sys.executable, '-m', 'search', 'index', sys.argv[1], '--index', sys.argv[2],"
            " '--procs', '2'], capture_output=True, text=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
            "print(r.returncode); print(r.stdout + r.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, str(src), str(index_dir)], cwd=ROOT,
                         capture_output=True, text=True, timeout=3600)
    peak, rc, text = out.stdout.split("\n", 2)
    assert rc == "0", text + out.stderr
    return int(peak), text


@pytest.mark.skipif(not LARGE_MB, reason="the large run: `make test-large` (ZHSEARCH_LARGE_MB=300)")
@pytest.mark.parametrize("kind", ["jsonl", "txt"])
def test_a_file_of_several_hundred_mb_indexes_within_the_memory_budget(tmp_path, kind):
    src = tmp_path / f"large.{kind}"
    (write_jsonl if kind == "jsonl" else write_text)(src, LARGE_MB << 20)
    peak, text = _peak_rss_of_index(src, tmp_path / "ix")
    print(f"{src.stat().st_size >> 20} MB: peak RSS {peak >> 20} MB; {text.strip().splitlines()[-1]}")
    assert peak < MEMORY_BUDGET, f"a process peaked at {peak >> 20} MB"


def test_a_jsonl_of_furniture_only_is_read_with_a_warning_in_parts_as_whole(tmp_path, monkeypatch):
    """Lines that are JSON but give no paragraph (every line page furniture)
    make a file that is read, with the warning that it gave no paragraph,
    not a failure, whether it is read whole or in parts."""
    src = tmp_path / "furniture.jsonl"
    src.write_text("".join(json.dumps({"id": f"f{n}", "title": "首页", "text": "返回顶部\n打印本页\n关闭窗口"},
                                      ensure_ascii=False) + "\n" for n in range(400)), encoding="utf-8")
    whole = build_index([str(src)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "PART_BYTES", 4_000)
    assert len(indexing._parts(str(src))) > 4
    in_parts = build_index([str(src)], tmp_path / "parts", procs=2)
    assert whole.failures == in_parts.failures == []
    assert whole.paragraphs.added == in_parts.paragraphs.added == 0
    assert [w for w in in_parts.warnings if "no paragraph" in w] == [w for w in whole.warnings if "no paragraph" in w]
    assert any("no paragraph" in w for w in in_parts.warnings)


def test_a_large_text_that_is_not_text_fails_in_parts_as_whole(tmp_path, monkeypatch):
    """Blanks only, or bytes that are not text: the file fails with the
    reason it fails for read whole, and the run's other files are indexed."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "blank.txt").write_text(" \n" * 30_000, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 data\n" * 8_000)
    (folder / "good.txt").write_text("扶贫车间开工\n近日,扶贫车间开工,吸纳贫困劳动力就业。\n", encoding="utf-8")
    whole = build_index([str(folder)], tmp_path / "whole", procs=1)
    monkeypatch.setattr(indexing, "TEXT_WHOLE_MAX", 20_000)
    monkeypatch.setattr(indexing, "PART_BYTES", 8_000)
    assert len(indexing._parts(str(folder / "blank.txt"))) > 4 and len(indexing._parts(str(folder / "binary.txt"))) > 4
    in_parts = build_index([str(folder)], tmp_path / "parts", procs=2)
    assert sorted(whole.failures) == sorted(in_parts.failures) and len(in_parts.failures) == 2
    assert {reason for _, reason in in_parts.failures} == {"empty file", "binary file (contains NUL bytes), not text"}
    assert in_parts.articles.added == whole.articles.added == 1
