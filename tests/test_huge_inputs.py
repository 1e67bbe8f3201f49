"""Inputs far from a news page: a whole article on one line, a line that
holds page furniture beside real text, a file that gives no paragraph.
Nothing is lost silently and no paragraph grows without bound."""

from __future__ import annotations

import json
import subprocess
import sys

from search.indexing import build_index
from search.ingest import read_file
from search.ingest.clean import FURNITURE_LINE_MAX, sort_furniture
from search.ingest.structure import PARAGRAPH_MAX, split_long_lines
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher

from conftest import ROOT

SENTENCE = "甘肃省临夏州建设扶贫车间吸纳贫困劳动力就业,带动群众增收致富。"


def test_a_long_line_is_cut_at_sentence_ends_into_bounded_paragraphs():
    line = SENTENCE * 200  # 6,400 characters, 200 sentences
    pieces, seen = split_long_lines([line, "短的一行。"])
    assert (seen.split, seen.cut) == (1, 0)
    assert pieces[-1] == "短的一行。"
    assert all(len(p) <= PARAGRAPH_MAX for p in pieces)
    assert all(p.endswith("。") for p in pieces[:-1])  # whole sentences only
    assert "".join(pieces[:-1]) == line  # nothing lost, nothing doubled
    # a line at the limit is left alone (the near miss)
    assert split_long_lines(["扶" * PARAGRAPH_MAX]) == (["扶" * PARAGRAPH_MAX], split_long_lines([])[1])


def test_a_long_line_with_no_sentence_end_is_cut_and_counted():
    line = "扶贫车间" * 1200  # 4,800 characters and no sentence end
    pieces, seen = split_long_lines([line])
    assert (seen.split, seen.cut) == (1, 1) and seen.longest == len(line)
    assert [len(p) for p in pieces] == [PARAGRAPH_MAX, PARAGRAPH_MAX, 800]
    assert "".join(pieces) == line


def test_a_line_of_megabytes_without_a_sentence_end_is_read_through(tmp_path):
    # Cutting such a line must not rescan it from every position: before,
    # a line this long did not finish within hours.
    line = "扶贫车间带动就业" * 90_000  # 720,000 characters, about 2 MB
    src = tmp_path / "one-line.txt"
    src.write_text(line + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "search", "inspect", "--json", str(src)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    (article,) = json.loads(r.stdout)
    texts = [p["text"] for p in article["paragraphs"]]
    assert len(texts) == len(line) // PARAGRAPH_MAX and all(len(t) == PARAGRAPH_MAX for t in texts)
    assert "".join(texts) == line
    assert article["long_lines_cut"] == 1 and "cut mid-sentence" in r.stderr


def _peak_rss_kb_of_index(src, index_dir) -> int:
    code = ("import resource, sys; from search.indexing import build_index; "
            "build_index([sys.argv[1]], sys.argv[2], procs=1); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    r = subprocess.run([sys.executable, "-c", code, str(src), str(index_dir)], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return int(r.stdout.split()[-1])


def test_indexing_a_large_one_line_file_holds_no_more_than_a_few_paragraphs_analysed(tmp_path):
    # The (term, position) pairs of a whole article took hundreds of bytes
    # a character: 4 GB for a 50 MB line.  Against a small file's peak, a
    # 5 MB line may add its text and the segment's postings, not those pairs.
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(SENTENCE * 10 + "\n", encoding="utf-8")
    large.write_text(SENTENCE * (5_000_000 // len(SENTENCE.encode())) + "\n", encoding="utf-8")
    base = _peak_rss_kb_of_index(small, tmp_path / "ix-small")
    peak = _peak_rss_kb_of_index(large, tmp_path / "ix-large")
    assert peak - base < 200_000, (base, peak)


def test_furniture_rules_never_drop_a_long_line_whole():
    crumb = "当前位置:首页 > 新闻中心 > 正文"
    short_kept, short_dropped = sort_furniture([crumb])
    assert short_kept == [] and short_dropped  # a breadcrumb alone is furniture
    long_line = crumb + " " + SENTENCE * 30
    assert len(long_line) > FURNITURE_LINE_MAX
    kept, dropped = sort_furniture([long_line])
    assert kept == [long_line] and dropped == []


def test_a_one_line_file_is_indexed_as_many_paragraphs_with_a_warning(tmp_path):
    src = tmp_path / "one-line.txt"
    src.write_text("当前位置:首页 > 新闻中心 > 正文 " + SENTENCE * 300 + "\n", encoding="utf-8")
    problems: list[str] = []
    (article,) = read_file(src, problems)
    assert len(article.paragraphs) >= 5 and all(len(p.text) <= PARAGRAPH_MAX for p in article.paragraphs)
    assert article.long_lines_split == 1 and article.long_lines_cut == 0
    assert any("split into paragraphs" in p for p in problems)
    summary = build_index([str(src)], tmp_path / "ix", procs=1)
    assert summary.paragraphs.added == len(article.paragraphs)
    assert any("split into paragraphs" in w for w in summary.warnings) and "1 warning(s)" in summary.line()
    s = Searcher(str(tmp_path / "ix"))
    try:
        hit = s.search(SearchRequest(q="扶贫车间")).hits[0]
        assert len(hit.text) <= PARAGRAPH_MAX
    finally:
        s.close()


def test_a_file_that_gives_no_paragraph_says_so(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "chrome.txt").write_text("当前位置:首页 > 新闻中心 > 正文\n【纠错】\n", encoding="utf-8")
    (folder / "good.txt").write_text("扶贫车间开工\n" + SENTENCE + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "search", "index", str(folder), "--index", str(tmp_path / "ix")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "chrome.txt" in warnings[0] and "no paragraph" in warnings[0]
    assert "1 warning(s)" in r.stdout
    shown = subprocess.run([sys.executable, "-m", "search", "inspect", str(folder / "chrome.txt")],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "no paragraph" in shown.stderr
