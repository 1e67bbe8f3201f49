"""A damaged index: ``zhsearch check`` finds it, every command says so in
one line with ``zhsearch index --rebuild``, the server refuses it and never
answers 200 with wrong results (issue 13)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.indexing import build_index
from search.engine.searcher import Searcher

from conftest import ROOT, SEEDS


def zhsearch(*args):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def good_index(tmp_path_factory):
    ix = tmp_path_factory.mktemp("good") / "ix"
    build_index([str(SEEDS)], str(ix), procs=1)
    return ix


def one(ix: Path, pattern: str) -> Path:
    (p,) = sorted(ix.glob(pattern))
    return p


def truncate(p: Path, size=None):
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2 if size is None else size])


def scramble(p: Path):
    data = bytearray(p.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        if i < len(data):
            data[i] ^= 0x5A
    p.write_bytes(bytes(data))


def edit_meta(ix: Path, change):
    p = ix / "zhsearch.json"
    raw = json.loads(p.read_text(encoding="utf-8"))
    change(raw)
    p.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")


def reorder_provinces(raw):
    keys = raw["facets"]["province"]["keys"]
    keys[0], keys[1] = keys[1], keys[0]


DAMAGE = {
    "postings truncated": lambda ix: truncate(one(ix, "*.pst")),
    "terms truncated": lambda ix: truncate(one(ix, "*.trm")),
    "stored truncated": lambda ix: truncate(one(ix, "*._stored.col")),
    "province column emptied": lambda ix: truncate(one(ix, "*.province_mask.col"), 0),
    "year column scrambled": lambda ix: scramble(one(ix, "*.year_mask.col")),
    "table of contents scrambled": lambda ix: scramble(one(ix, "_MAIN_*.toc")),
    "table of contents truncated": lambda ix: truncate(one(ix, "_MAIN_*.toc")),
    "metadata garbage": lambda ix: (ix / "zhsearch.json").write_bytes(b"\x00{garbage"),
    "metadata a list": lambda ix: (ix / "zhsearch.json").write_text("[1,2,3]"),
    "province list reordered": lambda ix: edit_meta(ix, reorder_provinces),
    "year list shifted": lambda ix: edit_meta(ix, lambda raw: raw["facets"]["year"].update(
        keys=[k + 20 for k in raw["facets"]["year"]["keys"]])),
    "segment file missing": lambda ix: one(ix, "*.source_code.col").unlink(),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damage_is_found_and_reported_in_one_line(good_index, tmp_path, case):
    ix = tmp_path / "ix"
    shutil.copytree(good_index, ix)
    DAMAGE[case](ix)
    with pytest.raises(Exception) as e:
        s = Searcher(str(ix))
        s.close()
    assert e.type.__name__ in ("IndexDamaged", "IndexVersionError"), e.value
    for args in (("check",), ("search", "扶贫", "--json")):
        r = zhsearch(*args, "--index", ix)
        assert r.returncode == 4, (case, args, r.stdout[:200], r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1
        assert str(ix) in r.stderr and "zhsearch index --rebuild" in r.stderr


def test_a_good_index_checks_ok(good_index):
    r = zhsearch("check", "--index", good_index)
    assert r.returncode == 0 and "ok" in r.stdout and "files checked" in r.stdout


def test_scrambled_postings_are_found_by_check(good_index, tmp_path):
    ix = tmp_path / "ix"
    shutil.copytree(good_index, ix)
    scramble(one(ix, "*.pst"))
    r = zhsearch("check", "--index", ix)
    assert r.returncode == 4 and "checksum" in r.stderr


def test_a_damaged_new_generation_is_refused_and_the_last_good_one_serves(good_index, tmp_path):
    from web import create_app

    ix, corpus = tmp_path / "ix", tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    build_index([str(corpus)], str(ix), procs=1)
    app = create_app(str(ix), config={"TESTING": True})
    c = app.test_client()
    before = c.get("/api/search?q=扶贫").get_json()["total"]
    (corpus / "new.txt").write_text("新文章\n\n甘肃扶贫车间新增。\n", encoding="utf-8")
    build_index([str(corpus)], str(ix), procs=1)
    truncate(one(ix, "*.province_mask.col") if len(list(ix.glob("*.province_mask.col"))) == 1
             else sorted(ix.glob("*.province_mask.col"), key=lambda p: p.stat().st_mtime)[-1], 0)
    app.extensions["searcher"]._checked = 0
    h = c.get("/healthz")
    assert h.status_code == 503 and h.get_json()["status"] == "damaged"
    assert "zhsearch index --rebuild" in h.get_json()["reason"]
    assert c.get("/api/search?q=扶贫").get_json()["total"] == before  # the last good generation
    build_index([str(corpus)], str(ix), rebuild=True, procs=1)
    fresh = create_app(str(ix), config={"TESTING": True}).test_client()
    assert fresh.get("/healthz").status_code == 200
    assert fresh.get("/api/search?q=扶贫").get_json()["total"] == before + 1
