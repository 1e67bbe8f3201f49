"""The benchmark corpus generator: deterministic, and ingestible."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from search.text.analysis import fold  # noqa: E402
from search.ingest import iter_source_files, read_file  # noqa: E402


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "CORPUS.json"}


def test_deterministic(tmp_path):
    a = corpus.generate(600, tmp_path / "a", seed=7, procs=1)
    b = corpus.generate(600, tmp_path / "b", seed=7, procs=2)
    c = corpus.generate(600, tmp_path / "c", seed=8, procs=1)
    assert a["paragraphs"] == b["paragraphs"] == c["paragraphs"] == 600
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_ingested_by_read_file(tmp_path):
    corpus.generate(1200, tmp_path, seed=3, procs=1)
    files = list(iter_source_files([str(tmp_path)]))
    assert any(f.suffix == ".jsonl" for f in files) and any(f.suffix == ".txt" for f in files)
    articles = [a for f in files for a in read_file(f)]
    paragraphs = [p for a in articles for p in a.paragraphs]
    assert len(paragraphs) > 1000
    assert all(a.date and 2015 <= int(a.date[:4]) <= 2022 for a in articles)
    provinces = {p for para in paragraphs for p in para.province}
    assert len(provinces) >= 20  # place names from all over the country
    assert any(para.years for para in paragraphs)
    assert any(para.measures for para in paragraphs)
    lengths = sorted(len(p.text) for p in paragraphs)
    assert 50 <= lengths[len(lengths) // 2] <= 400
    def is_traditional(text):  # a CJK character that folds to another
        return any(c != f for c, f in zip(text, fold(text)) if "\u4e00" <= c <= "\u9fff")

    traditional = [a for a in articles if is_traditional(a.title + a.paragraphs[0].text)]
    assert 0.2 < len(traditional) / len(articles) < 0.5
    # pinyin debris in the source text is cleaned away by ingestion
    raw = "".join(p.read_text(encoding="utf-8") for p in files)
    assert "(" in raw
    assert not any("(dòng)" in p.text for p in paragraphs)
