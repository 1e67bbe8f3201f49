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
from pathlib import Path

from search.facets import FACETS

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
                "url": {"type": "keyword", "index": False},
                "date": {"type": "date", "format": "strict_date"},
                "issuer": {"type": "keyword"},
                "doc_number": {"type": "keyword"},
                # every facet, under the name hits show it: a facet of years is ordered newest first
                **{f.field: {"type": "integer" if f.order == "newest" else "keyword"} for f in FACETS},
            },
        },
    }


def _tokens(text: str) -> str:
    from search.text.analysis import cut_words, fold

    return " ".join(w for w, _, _ in cut_words(fold(text or "")))


def document(rec) -> dict:
    """The cluster document of one paragraph, from its stored record."""
    from search.text.analysis import fold

    return {
        "para_id": rec.para_id,
        "doc_id": rec.doc_id,
        "para_no": rec.para_no,
        "text": rec.text,
        "text_folded": fold(rec.text),
        "text_tokens": _tokens(rec.text),
        "title": rec.title,
        "title_tokens": _tokens(" ".join(x for x in (rec.title, rec.heading) if x)),
        "heading": rec.heading,
        "url": rec.url,
        "date": rec.date[:10] if rec.date else None,
        "issuer": rec.issuer,
        "doc_number": rec.doc_number,
        **{f.field: f.shown(rec, rec) for f in FACETS},
    }


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
    """Write the mapping and the bulk files; raises ``IndexUnavailable``
    (``search.store``) where there is no usable index."""
    from search.store import Index

    index = Index.open(index_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("bulk-*.ndjson"):
        old.unlink()
    (out / "mapping.json").write_text(json.dumps(mapping(), ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    w = _BulkWriter(out, limit)
    n = 0
    reader = index.reader()
    try:
        for rec in reader.iter_stored():
            w.add(document(rec))
            n += 1
    finally:
        w.close()
        reader.close()
    return {"paragraphs": n, "files": w.files}
