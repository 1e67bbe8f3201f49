"""``zhsearch export --opensearch DIR``: the archive as an OpenSearch /
Elasticsearch index: ``mapping.json`` (settings and mappings, the body of
``PUT /zhsearch``) and ``bulk-0001.ndjson`` ... (``POST /_bulk`` bodies:
an action line and a document line per paragraph, at most ~50 MB a file).

The cluster gets the text already folded (traditional to simplified) and cut
into words by the same chain the local index uses, so it needs no Chinese
plugin: ``text_tokens`` is whitespace-analysed.  Literal substrings are
matched through the ``text.grams`` subfield (CJK bigrams of the folded text,
built by the cluster from ``text_folded``); see ``docs/scaling.md``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

INDEX = "zhsearch"
MAX_FILE_BYTES = 50 * 1000 * 1000


def mapping() -> dict:
    """Index settings and mappings."""
    return {
        "settings": {
            "index": {"number_of_shards": 1, "number_of_replicas": 1, "max_ngram_diff": 0},
            "analysis": {
                "tokenizer": {
                    "cjk_bigram": {"type": "ngram", "min_gram": 2, "max_gram": 2,
                                   "token_chars": ["letter", "digit"]},
                },
                "analyzer": {
                    # pre-folded, pre-segmented words: split on spaces only
                    "zh_words": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                    # literal matching: overlapping bigrams of the folded text
                    "zh_bigrams": {"type": "custom", "tokenizer": "cjk_bigram", "filter": ["lowercase"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "para_id": {"type": "keyword"},
                "doc_id": {"type": "keyword"},
                "para_no": {"type": "integer"},
                "text": {"type": "text", "index": False},  # original script, for display and highlights
                "text_folded": {
                    "type": "text", "analyzer": "zh_bigrams", "term_vector": "with_positions_offsets",
                },
                "text_tokens": {"type": "text", "analyzer": "zh_words", "similarity": "BM25"},
                "title": {"type": "text", "index": False},
                "title_tokens": {"type": "text", "analyzer": "zh_words"},
                "heading": {"type": "keyword", "index": False},
                "source": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "date": {"type": "date", "format": "strict_date"},
                "province": {"type": "keyword"},
                "years": {"type": "integer"},
                "measures": {"type": "keyword"},
            },
        },
    }


def _tokens(text: str) -> str:
    from search.analysis import cut_words, fold

    return " ".join(w for w, _, _ in cut_words(fold(text or "")))


def document(stored: dict) -> dict:
    """The cluster document of one paragraph, from its stored Whoosh fields."""
    from search.analysis import fold

    data = stored.get("data") or {}
    text = stored.get("text") or ""
    title = data.get("doc_title") or stored.get("title") or ""
    heading = data.get("heading")
    date = data.get("date")
    return {
        "para_id": stored["para_id"],
        "doc_id": stored.get("doc_id"),
        "para_no": data.get("para_no"),
        "text": text,
        "text_folded": fold(text),
        "text_tokens": _tokens(text),
        "title": title,
        "title_tokens": _tokens(" ".join(x for x in (title, heading) if x)),
        "heading": heading,
        "source": data.get("source"),
        "url": data.get("url"),
        "date": date[:10] if date else None,
        "province": list(data.get("province") or []),
        "years": [int(y) for y in data.get("years") or []],
        "measures": list(data.get("measures") or []),
    }


def iter_paragraphs(index_dir: str):
    """Stored fields of every live paragraph, each once."""
    from whoosh import index as windex

    ix = windex.open_dir(str(index_dir), indexname="MAIN")
    with ix.reader() as r:
        for docnum, stored in r.iter_docs():  # live documents only
            yield stored


class _BulkWriter:
    def __init__(self, out_dir: Path, limit: int = MAX_FILE_BYTES):
        self.out_dir, self.limit = out_dir, limit
        self.n_files, self.size, self.f = 0, 0, None
        self.files: list[str] = []

    def _next(self):
        if self.f:
            self.f.close()
        self.n_files += 1
        name = f"bulk-{self.n_files:04d}.ndjson"
        self.files.append(name)
        self.f = open(self.out_dir / name, "w", encoding="utf-8", newline="\n")
        self.size = 0

    def add(self, doc: dict) -> None:
        action = json.dumps({"index": {"_index": INDEX, "_id": doc["para_id"]}}, ensure_ascii=False)
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        chunk = action + "\n" + body + "\n"
        n = len(chunk.encode("utf-8"))
        if self.f is None or (self.size and self.size + n > self.limit):
            self._next()
        self.f.write(chunk)
        self.size += n

    def close(self):
        if self.f:
            self.f.close()


def export(index_dir: str, out_dir: str, limit: int = MAX_FILE_BYTES) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("bulk-*.ndjson"):
        old.unlink()
    (out / "mapping.json").write_text(json.dumps(mapping(), ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    w = _BulkWriter(out, limit)
    n = 0
    try:
        for stored in iter_paragraphs(index_dir):
            w.add(document(stored))
            n += 1
    finally:
        w.close()
    return {"paragraphs": n, "files": w.files}


def run_export(index_dir: str, out_dir: str) -> int:
    """CLI entry: 0 done, 1 no index there."""
    from whoosh import index as windex

    if not windex.exists_in(str(index_dir), indexname="MAIN"):
        print(f"zhsearch: no index in {index_dir}: build one with `zhsearch index`", file=sys.stderr)
        return 1
    info = export(index_dir, out_dir)
    print(f"exported {info['paragraphs']} paragraphs to {os.path.join(out_dir, 'mapping.json')} "
          f"and {len(info['files'])} bulk file(s)")
    return 0
