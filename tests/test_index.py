"""Keeping the index current: incremental by content hash, rebuild, failures
that lose nothing, version check, readers that never see half an update."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from search.indexing import build_index
from search.store import IndexVersionError
from search.engine.results import SearchRequest
from search.engine.searcher import Searcher

from conftest import ROOT, SEEDS


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def zhsearch(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def total(index_dir, q=""):
    s = Searcher(str(index_dir))
    try:
        return s.search(SearchRequest(q=q)).total
    finally:
        s.close()


def test_second_run_skips_unchanged_files(corpus, tmp_path):
    ix = tmp_path / "ix"
    first = build_index([str(corpus)], ix)
    assert first.articles.added >= 5 and first.paragraphs.added > 50 and not first.failures
    second = build_index([str(corpus)], ix)
    assert second.articles.skipped == first.articles.added
    assert second.paragraphs.skipped == first.paragraphs.added
    assert (second.articles.added, second.articles.replaced, second.articles.removed) == (0, 0, 0)
    assert total(ix) == first.paragraphs.added


def test_changed_file_is_replaced_and_vanished_file_removed(corpus, tmp_path):
    ix = tmp_path / "ix"
    first = build_index([str(corpus)], ix)
    before = total(ix)
    changed = corpus / "001_fa7baa90aaf98045.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n南充市新建扶贫车间一百个,吸纳贫困劳动力就业。\n",
                       encoding="utf-8")
    (corpus / "004_9843f1a0cb2600b1.txt").unlink()
    second = build_index([str(corpus)], ix)
    assert second.articles.replaced == 1
    assert second.articles.removed == 1 and second.paragraphs.removed > 0
    assert total(ix, '"南充市新建扶贫车间一百个"') == 1
    assert total(ix, '"得荣县瓦卡镇迎来多地客人"') == 0
    assert total(ix) == before - second.paragraphs.removed + second.paragraphs.added
    assert first.articles.added == second.articles.skipped + 2


def test_indexing_one_file_or_folder_leaves_the_others_alone(corpus, tmp_path):
    ix = tmp_path / "ix"
    first = build_index([str(corpus)], ix)
    # a sibling folder whose name extends the first one's
    sibling = tmp_path / "corpus2"
    sibling.mkdir()
    (sibling / "x.txt").write_text("标题\n\n甘肃省临夏州新建扶贫车间三十个。\n", encoding="utf-8")
    added = build_index([str(sibling)], ix)
    assert added.articles.added == 1 and added.articles.removed == 0 and added.articles.skipped == 0
    one = corpus / "001_fa7baa90aaf98045.txt"
    again = build_index([str(one)], ix)  # one indexed file, named alone: looked at alone
    assert (again.articles.skipped, again.articles.removed, again.articles.added) == (1, 0, 0)
    (sibling / "x.txt").unlink()
    gone = build_index([str(sibling)], ix)  # the sibling's vanished file goes, the corpus stays
    assert gone.articles.removed == 1 and gone.articles.skipped == 0
    assert total(ix) == first.paragraphs.added


def test_rebuild_starts_from_empty(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([str(corpus)], ix)
    again = build_index([str(corpus / "002_a069ebe764e74859.txt")], ix, rebuild=True)
    assert again.articles.added == 1
    assert total(ix) == again.paragraphs.added


def test_broken_files_are_reported_and_lose_nothing(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([str(corpus)], ix)
    before = total(ix)
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    (corpus / "empty.txt").write_bytes(b"")
    r = zhsearch("index", str(corpus), "--index", str(ix))
    assert r.returncode == 3, r.stderr
    assert "broken.txt" in r.stderr and "empty.txt" in r.stderr
    assert "failed" in r.stdout
    assert total(ix) == before


def test_cli_summary_line_and_usage_errors(corpus, tmp_path):
    r = zhsearch("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert r.returncode == 0, r.stderr
    line = r.stdout.strip().splitlines()[-1]
    assert line.startswith("articles: ") and "paragraphs: " in line and line.endswith(" s")
    assert zhsearch("index", "--no-such-flag").returncode == 2
    missing = zhsearch("index", str(tmp_path / "nope"), "--index", str(tmp_path / "ix"))
    assert missing.returncode == 3 and "nope" in missing.stderr


def test_an_index_of_another_version_asks_for_a_rebuild(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([str(corpus)], ix)
    meta = json.loads((ix / "zhsearch.json").read_text(encoding="utf-8"))
    meta["schema_version"] = 0
    (ix / "zhsearch.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexVersionError, match="--rebuild"):
        Searcher(str(ix))
    r = zhsearch("search", "扶贫", "--index", str(ix))
    assert r.returncode == 4 and "--rebuild" in r.stderr
    assert build_index([str(corpus)], ix, rebuild=True).articles.added >= 5


@pytest.fixture
def one_file(corpus, tmp_path):
    """An index of one seed file and a Searcher over it; the corpus is the
    rest, to add."""
    ix = tmp_path / "ix"
    build_index([str(corpus / "001_fa7baa90aaf98045.txt")], ix)
    s = Searcher(str(ix))
    yield ix, s
    s.close()


def test_a_searcher_sees_the_old_state_until_it_refreshes(corpus, one_file):
    ix, s = one_file
    before = s.search(SearchRequest(q="")).total
    build_index([str(corpus)], ix)
    assert s.search(SearchRequest(q="")).total == before  # the old state, whole
    assert s.refresh(min_interval=0)
    assert s.search(SearchRequest(q="")).total > before


def test_a_replaced_state_is_closed_once_no_search_holds_it(corpus, one_file):
    ix, s = one_file
    with s._using() as old:  # a search under way on the old state
        build_index([str(corpus)], ix)
        assert s.refresh(min_interval=0)
        assert not old.closed
    assert old.closed and not s._snap.closed


def test_a_failed_refresh_is_logged_counted_and_serving_goes_on(corpus, one_file, monkeypatch, caplog):
    import search.engine.searcher as searcher_module

    ix, s = one_file
    before = s.search(SearchRequest(q="")).total
    build_index([str(corpus)], ix)

    def broken(index_dir):
        raise OSError("disk on fire")

    monkeypatch.setattr(searcher_module.Index, "open", broken)
    assert not s.refresh(min_interval=0)
    assert s.search(SearchRequest(q="")).total == before  # the state it had
    health = s.health()
    assert health["refresh_failures"] == 1 and "disk on fire" in health["last_refresh_error"]
    assert any("disk on fire" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    monkeypatch.undo()
    assert s.refresh(min_interval=0) and s.search(SearchRequest(q="")).total > before


@pytest.mark.parametrize("rank_cache", [0, 512])
def test_after_a_refresh_answers_equal_a_fresh_searchers(corpus, tmp_path, rank_cache):
    """The refreshed searcher keeps what it read from unchanged segments;
    with documents deleted from them and new segments beside them, it must
    answer exactly as a searcher opened afresh (a server's too, whose
    ranked heads of the old state must not be served on the new one)."""
    ix = tmp_path / "ix"
    build_index([str(corpus)], ix, procs=1)
    queries = ["扶贫", "就業", '"扶贫车间"', "甘肃 OR 四川", "培训 -就业", ""]

    def answers(s):
        out = []
        for q in queries:
            for size in (50, 5):  # all the hits; a head shorter than them (the same length before and after)
                r = s.search(SearchRequest(q=q, size=size))
                out.append((r.total, [(h.para_id, round(h.score, 6)) for h in r.hits], r.facets))
        return out

    s = Searcher(str(ix), rank_cache=rank_cache)
    try:
        answers(s)  # fill the caches
        changed = corpus / "001_fa7baa90aaf98045.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + "\n南充市扶贫车间吸纳就业。\n", encoding="utf-8")
        (corpus / "new.txt").write_text("新文章\n\n甘肃省扶贫车间开展技能培训。\n", encoding="utf-8")
        build_index([str(corpus)], ix, procs=1)
        assert s.refresh(min_interval=0)
        fresh = Searcher(str(ix))
        try:
            assert answers(s) == answers(fresh)
        finally:
            fresh.close()
    finally:
        s.close()


def test_search_command_prints_hits_and_json(seed_index):
    r = zhsearch("search", "扶贫车间", "--index", seed_index, "--limit", "3")
    assert r.returncode == 0 and "扶貧車間" in r.stdout
    j = json.loads(zhsearch("search", "扶贫车间", "--index", seed_index, "--json").stdout)
    assert j["total"] > 0 and j["hits"][0]["snippet"].count("<mark>") >= 1
    bad = zhsearch("search", "扶贫", "--index", seed_index, "--measure", "bogus")
    assert bad.returncode == 2 and "bogus" in bad.stderr


def test_a_changed_file_that_no_longer_reads_keeps_its_old_version(corpus, tmp_path):
    ix = tmp_path / "ix"
    build_index([str(corpus)], ix)
    before = total(ix, '"得荣县瓦卡镇迎来多地客人"')
    (corpus / "004_9843f1a0cb2600b1.txt").write_bytes(b"\x00\xff\xfe garbage \x00" * 40)
    again = build_index([str(corpus)], ix)
    assert again.articles.failed == 1 and again.failures
    assert before > 0 and total(ix, '"得荣县瓦卡镇迎来多地客人"') == before


def test_building_in_worker_processes_gives_the_same_index(corpus, tmp_path):
    one = build_index([str(corpus)], tmp_path / "one", procs=1)
    two = build_index([str(corpus)], tmp_path / "two", procs=2)
    assert (one.articles, one.paragraphs) == (two.articles, two.paragraphs)
    for q in ("", "扶贫车间", "就業扶貧 甘肅"):
        a, b = Searcher(str(tmp_path / "one")), Searcher(str(tmp_path / "two"))
        try:
            ra, rb = a.search(SearchRequest(q=q, size=100)), b.search(SearchRequest(q=q, size=100))
            assert {h.para_id for h in ra.hits} == {h.para_id for h in rb.hits}
            assert ra.facets == rb.facets
        finally:
            a.close()
            b.close()


def test_a_search_during_a_rebuild_sees_the_live_index(corpus, tmp_path, monkeypatch):
    """A rebuild writes beside the live generation: until it commits, a
    reader finds what was there (not an empty index), then the rebuild."""
    import search.indexing as indexing

    ix = tmp_path / "ix"
    first = build_index([str(corpus)], ix, procs=1)
    seen = []
    write_here = indexing._write_here

    def looking_first(*args, **kwargs):
        seen.append(total(ix))
        return write_here(*args, **kwargs)

    monkeypatch.setattr(indexing, "_write_here", looking_first)
    again = build_index([str(corpus / "002_a069ebe764e74859.txt")], ix, rebuild=True, procs=1)
    assert seen == [first.paragraphs.added]
    assert total(ix) == again.paragraphs.added < first.paragraphs.added


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the indexer's workers")
def test_a_killed_rebuild_leaves_the_live_index_and_no_lock(corpus, tmp_path):
    """SIGKILL of `zhsearch index --rebuild` while its workers run: the index
    still holds what it held (and `check` says so), the workers die with
    it, and the next `zhsearch index` runs at once, saying it took the lock over."""
    import os
    import signal
    import time

    ix = tmp_path / "ix"
    before = build_index([str(corpus)], ix, procs=1).paragraphs.added
    many = tmp_path / "many"
    for n in range(40):
        shutil.copytree(corpus, many / f"c{n:02d}")
    proc = subprocess.Popen([sys.executable, "-m", "search", "index", str(many), "--index", str(ix),
                             "--rebuild", "--procs", "2"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    assert proc.poll() is None and len(workers) >= 2, "the indexer's workers never started"
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    again = zhsearch("index", str(corpus), "--index", str(ix))
    assert again.returncode == 0, again.stderr
    assert "another `zhsearch index`" not in again.stderr
    assert f"pid {proc.pid}" in again.stderr and "taken over" in again.stderr
    assert total(ix) == before
    check = zhsearch("check", "--index", str(ix))
    assert check.returncode == 0 and f"{before} paragraphs" in check.stdout + check.stderr
    time.sleep(0.5)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}") and "Z" not in open(f"/proc/{w}/stat").read().split()[2]]
    assert alive == []


def test_a_second_indexer_is_told_who_holds_the_lock(corpus, tmp_path):
    from search.store import Index, IndexLocked

    ix = tmp_path / "ix"
    build_index([str(corpus)], ix, procs=1)
    held = Index.open(ix).update()
    try:
        with pytest.raises(IndexLocked, match=r"another `zhsearch index` \(pid \d+\)"):
            build_index([str(corpus)], ix, procs=1)
    finally:
        held.cancel()
    assert build_index([str(corpus)], ix, procs=1).articles.skipped >= 5
