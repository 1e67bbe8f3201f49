"""``zhsearch export --opensearch``: a valid mapping and bulk NDJSON with
every paragraph of the index exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.text.analysis import cut_words, fold
from search.cli import main
from search.export import export, mapping
from search.store import Index


@pytest.fixture(scope="module")
def exported(seed_index, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    assert main(["export", "--index", seed_index, "--opensearch", str(out)]) == 0
    return out


def _index_para_ids(index_dir):
    r = Index.open(index_dir).reader()
    try:
        return sorted(rec.para_id for rec in r.iter_stored())
    finally:
        r.close()


def _pairs(out: Path):
    files = sorted(out.glob("bulk-*.ndjson"))
    assert files and files[0].name == "bulk-0001.ndjson"
    for f in files:
        raw = f.read_bytes()
        assert raw.endswith(b"\n")  # the bulk API needs the final newline
        lines = raw.decode("utf-8").split("\n")[:-1]
        assert len(lines) % 2 == 0
        for i in range(0, len(lines), 2):
            yield json.loads(lines[i]), json.loads(lines[i + 1])


def test_mapping_parses(exported):
    m = json.loads((exported / "mapping.json").read_text(encoding="utf-8"))
    props = m["mappings"]["properties"]
    assert props["text_tokens"]["analyzer"] == "zh_words"
    assert m["settings"]["analysis"]["analyzer"]["zh_words"]["tokenizer"] == "whitespace"
    for f in ("province", "measures"):
        assert props[f]["type"] == "keyword"
    assert props["years"]["type"] == "integer" and props["published"]["type"] == "integer"
    assert props["source"]["type"] == props["issuer"]["type"] == "keyword"
    assert props["date"]["type"] == "date"
    assert m == json.loads(json.dumps(mapping()))


def test_every_paragraph_exactly_once(exported, seed_index):
    ids = []
    for action, doc in _pairs(exported):
        assert set(action) == {"index"}
        assert action["index"]["_index"] == "zhsearch"
        assert action["index"]["_id"] == doc["para_id"]
        ids.append(doc["para_id"])
    expected = _index_para_ids(seed_index)
    assert len(ids) == len(set(ids))
    assert sorted(ids) == expected and expected


def test_documents_carry_tokens_text_and_facets(exported):
    mapped = set(mapping()["mappings"]["properties"])
    for _, doc in _pairs(exported):
        assert set(doc) <= mapped  # the mapping is strict
        assert doc["text"]
        assert doc["text_folded"] == fold(doc["text"])
        assert doc["text_tokens"].split() == [w for w, _, _ in cut_words(fold(doc["text"]))]
        assert isinstance(doc["province"], list) and isinstance(doc["measures"], list)
        assert all(isinstance(y, int) for y in doc["years"])
        assert doc["date"] is None or len(doc["date"]) == 10
        assert doc["published"] == (int(doc["date"][:4]) if doc["date"] else None)
        assert doc["issuer"] is None and doc["doc_number"] is None  # no seed is a policy document


def test_files_split_by_size(seed_index, tmp_path):
    info = export(seed_index, str(tmp_path), limit=20_000)
    assert len(info["files"]) > 1
    ids = [doc["para_id"] for _, doc in _pairs(tmp_path)]
    assert len(ids) == info["paragraphs"] == len(set(ids))
    for f in tmp_path.glob("bulk-*.ndjson"):
        assert f.stat().st_size < 20_000 + 30_000  # one pair may overflow the limit


def test_no_index(tmp_path):
    assert main(["export", "--index", str(tmp_path / "none"), "--opensearch", str(tmp_path / "out")]) == 4
