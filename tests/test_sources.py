"""What ``zhsearch index`` does with sources that are not plain articles:
FIFOs, unsupported types, dangling links, names that are not UTF-8; and
doc_ids that two files would share (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from search.indexing import build_index
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher

from conftest import ROOT

ARTICLE = "甘肃省扶贫车间吸纳贫困劳动力就业。\n\n该省共建设扶贫车间754个。\n"


def zhsearch(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_a_fifo_is_skipped_not_waited_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    r = zhsearch("index", fifo, good, "--index", tmp_path / "ix", timeout=60)
    assert r.returncode == 3, r.stderr
    assert "pipe.txt" in r.stderr and "regular file" in r.stderr
    assert "paragraphs: 2 added" in r.stdout
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "in-folder.txt")
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    r = zhsearch("index", folder, "--index", tmp_path / "ix2", timeout=60)
    assert r.returncode == 0 and "paragraphs: 2 added" in r.stdout
    assert "in-folder.txt: not a regular file" in r.stderr  # skipped, and said so


@pytest.mark.parametrize("command", ["index", "inspect"])
def test_every_entry_a_folder_walk_skips_is_named_with_its_reason(tmp_path, command):
    folder = tmp_path / "src"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "sub" / "up").symlink_to(folder)
    (folder / "notes.md").write_text("x", encoding="utf-8")
    (folder / "scan.pdf").write_text("x", encoding="utf-8")
    (folder / ".draft.txt").write_text(ARTICLE, encoding="utf-8")
    args = ["--index", tmp_path / "ix"] if command == "index" else []
    r = zhsearch(command, folder, *args, timeout=120)
    assert r.returncode == 0, r.stderr
    warned = {line.split(": ", 2)[1].replace(str(folder), ""): line.split(": ", 2)[2]
              for line in r.stderr.splitlines() if line.startswith("warning: ")}
    assert "FIFO" in warned["/pipe.txt"] and "device" in warned["/zero.txt"]
    assert "loop" in warned["/loop1.txt"] and "loop" in warned["/loop2.txt"]
    assert "does not exist" in warned["/gone.txt"]
    assert "not followed" in warned["/sub/up"]
    assert "2 file(s) of other types" in warned[""] or "2 file(s) of other types" in r.stderr
    assert "1 hidden" in r.stderr
    assert "/a.txt" not in warned  # the file read is no warning (the near miss)
    if command == "index":
        assert "paragraphs: 2 added" in r.stdout and "8 warning(s)" in r.stdout


def test_a_plain_folder_gives_no_warning(tmp_path):
    folder = tmp_path / "src"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    summary = build_index([str(folder)], tmp_path / "ix")
    assert summary.warnings == [] and summary.paragraphs.added == 2


def test_a_pdf_named_explicitly_is_refused(tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + ARTICLE.encode())
    summary = build_index([str(pdf)], tmp_path / "ix")
    assert summary.articles.failed == 1 and summary.paragraphs.added == 0
    (path, reason), = summary.failures
    assert path.endswith("paper.pdf") and "unsupported" in reason


def test_a_dangling_link_is_reported_under_the_name_given(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone-target.txt")
    summary = build_index([str(link)], tmp_path / "ix")
    (path, reason), = summary.failures
    assert path == str(link) and "gone-target" not in path and "link" in reason


def test_a_file_name_that_is_not_utf8_is_indexed_and_reported_readably(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    name = os.fsdecode(b"bad-\xff\xfe.txt")
    (folder / name).write_text(ARTICLE, encoding="utf-8")
    summary = build_index([str(folder)], tmp_path / "ix")
    assert summary.paragraphs.added == 2 and not summary.failures
    (warning,) = summary.warnings
    assert "bad-\\xff\\xfe.txt" in warning and "not UTF-8" in warning
    again = build_index([str(folder)], tmp_path / "ix")
    assert again.paragraphs.skipped == 2 and again.paragraphs.added == 0
    r = zhsearch("index", os.fsdecode(b"/nonexistent/\xff.txt"), "--index", tmp_path / "ix3")
    assert r.returncode == 3 and "Traceback" not in r.stderr and "\\xff" in r.stderr
    s = Searcher(str(tmp_path / "ix"))
    try:
        hit = s.search(SearchRequest(q="扶贫车间")).hits[0]
        json.dumps(hit.doc_id).encode("utf-8")
    finally:
        s.close()


@pytest.mark.parametrize("procs", [1, 2])
def test_two_files_never_share_a_doc_id_and_ids_are_stable(tmp_path, procs):
    src = tmp_path / "src"
    for sub in ("a", "b", "c", "d"):
        (src / sub).mkdir(parents=True)
    (src / "a" / "report.txt").write_text("甲报告\n\n甘肃扶贫车间甲。\n", encoding="utf-8")
    (src / "b" / "report.txt").write_text("乙报告\n\n四川扶贫车间乙。\n", encoding="utf-8")
    (src / "c" / "x.jsonl").write_text(json.dumps({"id": "report", "title": "丙报告", "text": "云南扶贫车间丙。"},
                                                  ensure_ascii=False) + "\n", encoding="utf-8")
    (src / "d" / "y.txt").write_text("丁\n\n贵州扶贫车间丁。\n", encoding="utf-8")  # padding: 4 files use workers
    ix = tmp_path / "ix"
    build_index([str(src)], ix, procs=procs)

    def ids():
        s = Searcher(str(ix))
        try:
            hits = s.search(SearchRequest(q="扶贫车间", size=50)).hits
            return {h.text[-2]: (h.doc_id, h.para_no) for h in hits}, s
        finally:
            pass

    first, s = ids()
    try:
        assert len({d for d, _ in first.values()}) == 4, first
        assert first["甲"][0] == "report"  # the first in path order keeps the plain id
        for who in "甲乙丙":
            art = s.article(first[who][0])
            assert [p.text[-2] for p in art.paragraphs] == [who], (who, art)
    finally:
        s.close()
    (src / "b" / "report.txt").write_text("乙报告\n\n四川扶贫车间乙改。\n", encoding="utf-8")
    build_index([str(src)], ix, procs=procs)
    again, s = ids()
    s.close()
    assert again["甲"] == first["甲"] and again["丙"] == first["丙"]
    assert again["改"][0] == first["乙"][0]  # the changed file keeps its id
    build_index([str(src / "b")], ix, procs=procs)  # indexed alone: still not "report"
    alone, s = ids()
    s.close()
    assert alone["改"][0] == first["乙"][0]
