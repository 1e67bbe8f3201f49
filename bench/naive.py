#!/usr/bin/env python3
"""The naive baseline: what a user would build with plain Whoosh.

One document per paragraph, ``jieba.analyse.ChineseAnalyzer`` on the text
(stored), KEYWORD fields for the facets, ``groupedby`` facets, highlights by
re-analysing each hit (``hit.highlights``).  The same ingestion as zhsearch
(``read_file``) feeds it, on one writer process, as the Whoosh docs show.
Capped by time: indexing stops after ``--index-cap`` seconds (the rate is
reported and the queries run on what was indexed), a query slower than
``--query-cap`` seconds is timed once and not repeated.

    python bench/naive.py CORPUS_DIR INDEX_DIR --queries mix.json --out result.json
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields

    return fields.Schema(
        para_id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=ChineseAnalyzer(), stored=True),
        text=fields.TEXT(analyzer=ChineseAnalyzer(), stored=True),
        province=fields.KEYWORD(stored=True, commas=True),
        year=fields.KEYWORD(stored=True, commas=True),
        measure=fields.KEYWORD(stored=True, commas=True),
        date=fields.ID(stored=True, sortable=True),
    )


def build(corpus: Path, index_dir: Path, cap: float) -> dict:
    import jieba
    from whoosh import index as windex

    from search.ingest import iter_source_files, read_file

    jieba.setLogLevel(logging.WARNING)
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    ix = windex.create_in(str(index_dir), schema())
    w = ix.writer(limitmb=256)
    n, capped = 0, False
    for path in iter_source_files([str(corpus)]):
        for a in read_file(path):
            for p in a.paragraphs:
                w.add_document(para_id=f"{a.doc_id}-{p.para_no}", title=a.title or "", text=p.text,
                               province=",".join(p.province), year=",".join(map(str, p.years)),
                               measure=",".join(p.measures), date=a.date or "")
                n += 1
        if time.perf_counter() - t0 > cap:
            capped = True
            break
    t_add = time.perf_counter() - t0
    w.commit()
    secs = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in index_dir.iterdir())
    return {"paragraphs": n, "seconds": round(secs, 2), "adding_seconds": round(t_add, 2),
            "paragraphs_per_s": round(n / secs, 1), "capped": capped, "index_bytes": size}


def run_queries(index_dir: Path, mix: list[dict], rounds: int, cap: float) -> dict:
    from whoosh import index as windex
    from whoosh import query as Q
    from whoosh.qparser import QueryParser
    from whoosh.sorting import FieldFacet

    ix = windex.open_dir(str(index_dir))
    facets = {f: FieldFacet(f, allow_overlap=True) for f in ("province", "year", "measure")}
    parser = QueryParser("text", ix.schema)
    samples: list[float] = []
    per_query = []
    with ix.searcher() as s:
        for item in mix:
            qtext = item.get("q", "")
            q = parser.parse(qtext.replace('"', " ")) if qtext.strip() else Q.Every()
            if '"' in qtext:
                q = parser.parse(qtext)
            flt = []
            for f, key in (("province", "province"), ("year", "year"), ("measure", "measure")):
                vals = item.get(key) or []
                if vals:
                    flt.append(Q.Or([Q.Term(f, str(v)) for v in vals]))
            filt = Q.And(flt) if flt else None
            times = []
            for r in range(rounds + 1):  # one warm-up
                t = time.perf_counter()
                res = s.search(q, limit=10, filter=filt, groupedby=facets, terms=True)
                for f in facets:
                    res.groups(f)
                for hit in res[:10]:
                    hit.highlights("text")
                dt = (time.perf_counter() - t) * 1000
                if r > 0 or dt > cap * 1000:
                    times.append(dt)
                if dt > cap * 1000:
                    break
            samples.extend(times)
            per_query.append({"name": item["name"], "ms": round(sorted(times)[len(times) // 2], 1),
                              "total": len(res)})
    return {"samples_ms": samples, "per_query": per_query}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("index")
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--index-cap", type=float, default=420)
    ap.add_argument("--query-cap", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    out = {"index": build(Path(a.corpus), Path(a.index), a.index_cap)}
    mix = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    out["queries"] = run_queries(Path(a.index), mix, a.rounds, a.query_cap)
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
