"""Opening a state for searching asks the kernel to read its files into
the page cache (``search.store.readahead``): every byte of each file, in
steps the kernel honours whole, smallest files first, within a memory
budget, and never at the price of an error."""

from __future__ import annotations

import os

import pytest

from search.engine.snapshot import Snapshot
from search.store import Index, readahead
from search.store.integrity import segment_files


@pytest.fixture
def advised(monkeypatch):
    """The (name, offset, length) of every WILLNEED advice given."""
    calls = []
    names = {}
    real_open, real_close = os.open, os.close

    def fake_open(path, flags, *a):
        fd = real_open(path, flags, *a)
        names[fd] = os.path.basename(path)
        return fd

    def fake_advise(fd, offset, length, advice):
        assert advice == os.POSIX_FADV_WILLNEED
        calls.append((names[fd], offset, length))

    monkeypatch.setattr(readahead.os, "open", fake_open)
    monkeypatch.setattr(readahead.os, "posix_fadvise", fake_advise)
    monkeypatch.setattr(readahead.os, "close", real_close)
    return calls


def _files(tmp_path, sizes: dict[str, int]) -> list[str]:
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    return list(sizes)


def _covered(calls, name) -> int:
    """How many bytes from the start of ``name`` the advice covered without a gap."""
    end = 0
    for n, off, length in sorted(c for c in calls if c[0] == name):
        if off > end:
            break
        end = max(end, off + length)
    return end


def test_every_byte_of_each_file_is_advised_in_steps_no_larger_than_a_readahead_window(tmp_path, advised):
    big = 5 * readahead.CHUNK + 123  # not a whole number of steps
    names = _files(tmp_path, {"a.zpa": big, "b.col": 10})
    done = readahead.read_ahead(str(tmp_path), names, budget=1 << 30)
    assert sorted(done) == ["a.zpa", "b.col"]
    assert _covered(advised, "a.zpa") >= big and _covered(advised, "b.col") >= 10
    # one advice for the whole file would read one window of it (8 MB of 262 here)
    assert all(length <= readahead.CHUNK for _, _, length in advised)
    assert len([c for c in advised if c[0] == "a.zpa"]) == 6


def test_smallest_files_first_and_none_past_the_budget(tmp_path, advised):
    names = _files(tmp_path, {"stored.col": 3000, "terms.trm": 100, "day.col": 200, "postings.zpa": 2000})
    done = readahead.read_ahead(str(tmp_path), names, budget=2300)
    # 100 + 200 + 2000 fit; the stored records (3000) would pass the budget
    assert done == ["terms.trm", "day.col", "postings.zpa"]
    assert {n for n, _, _ in advised} == set(done)
    # near miss: one byte less and the arrays file no longer fits either
    advised.clear()
    assert readahead.read_ahead(str(tmp_path), names, budget=2299) == ["terms.trm", "day.col"]


def test_a_vanished_file_or_a_refused_advice_loses_nothing_but_speed(tmp_path, monkeypatch):
    names = _files(tmp_path, {"a.col": 10, "b.col": 20})
    assert readahead.read_ahead(str(tmp_path), names + ["gone.col"], budget=1 << 20) == ["a.col", "b.col"]

    def refuse(*a):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(readahead.os, "posix_fadvise", refuse)
    assert readahead.read_ahead(str(tmp_path), names, budget=1 << 20) == []
    monkeypatch.delattr(readahead.os, "posix_fadvise")
    assert readahead.read_ahead(str(tmp_path), names, budget=1 << 20) == []


def test_the_default_budget_is_a_share_of_the_memory_available(tmp_path, advised, monkeypatch):
    names = _files(tmp_path, {"a.col": 100, "b.col": 1000})
    monkeypatch.setattr(readahead, "available_memory", lambda: 2000)
    assert readahead.read_ahead(str(tmp_path), names) == ["a.col"]  # 1100 > 2000 x 0.5
    monkeypatch.setattr(readahead, "available_memory", lambda: None)  # unknown: no advice
    assert readahead.read_ahead(str(tmp_path), names) == []


def test_available_memory_reads_this_machine():
    got = readahead.available_memory()
    if not os.path.exists("/proc/meminfo"):
        assert got is None
    else:
        assert got is not None and got > 1 << 20


def test_opening_a_snapshot_reads_ahead_every_file_of_its_segments_whole(seed_index, advised, monkeypatch):
    monkeypatch.setattr(readahead, "available_memory", lambda: 1 << 40)
    snap = Snapshot(Index.open(seed_index))
    files = segment_files(seed_index, snap.reader.segment_ids())
    assert files and any(f.endswith(".zpa") for f in files) and any(f.endswith(".trm") for f in files)
    assert {n for n, _, _ in advised} == set(files)
    for f in files:
        assert _covered(advised, f) >= os.path.getsize(os.path.join(seed_index, f)), f
    # searching still answers (the advice is a hint, nothing reads through it)
    assert snap.n_live > 0


def _cgroup(tmp_path, line: str, files: dict[str, str]) -> tuple[str, str]:
    (tmp_path / "cgroup").write_text(line + "\n", encoding="utf-8")
    root = tmp_path / "sys"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text + "\n", encoding="ascii")
    return str(tmp_path / "cgroup"), str(root)


def test_a_control_groups_limit_bounds_the_room_v2(tmp_path):
    proc, root = _cgroup(tmp_path, "0::/box", {"box/memory.max": "1500000000", "box/memory.current": "400000000"})
    assert readahead.cgroup_room(proc, root) == 1_100_000_000
    proc, root = _cgroup(tmp_path, "0::/box", {"box/memory.max": "max", "box/memory.current": "400000000"})
    assert readahead.cgroup_room(proc, root) is None  # no limit: MemAvailable decides


def test_a_control_groups_limit_bounds_the_room_v1(tmp_path):
    lines = "4:memory:/box\n3:cpuset:/"
    proc, root = _cgroup(tmp_path, lines, {"memory/box/memory.limit_in_bytes": "2000000000",
                                           "memory/box/memory.usage_in_bytes": "2500000000"})
    assert readahead.cgroup_room(proc, root) == 0  # over its limit already: nothing read ahead
    # v1's "no limit" is a huge number, not "max"
    proc, root = _cgroup(tmp_path, lines, {"memory/box/memory.limit_in_bytes": "9223372036854771712",
                                           "memory/box/memory.usage_in_bytes": "1"})
    assert readahead.cgroup_room(proc, root) is None
    assert readahead.cgroup_room(str(tmp_path / "no-such-file"), root) is None


def test_the_smaller_of_the_machines_and_the_groups_room_is_the_memory_available(monkeypatch):
    monkeypatch.setattr(readahead, "cgroup_room", lambda: 1000)
    assert readahead.available_memory() == 1000  # a container: its limit, not the host's MemAvailable
    monkeypatch.setattr(readahead, "cgroup_room", lambda: 1 << 62)
    got = readahead.available_memory()
    assert got is not None and (got < 1 << 62 if os.path.exists("/proc/meminfo") else got == 1 << 62)
