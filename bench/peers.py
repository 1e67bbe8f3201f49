#!/usr/bin/env python3
"""Peers in the benchmark: SQLite FTS5 (stdlib ``sqlite3``) and tantivy
(``pip install -e '.[bench]'``), built over the same paragraphs and labels as
a zhsearch index and asked the same queries, for the same job: the total, the
top 10 with snippets, and the three facet counts over every hit.

The paragraphs and their labels are read back from the zhsearch index through
its public API (``Searcher.search`` browsing every page), so all three
systems hold exactly what ``zhsearch index`` made of the corpus.  Both peers
index the folded text cut into words by the product's own analysis
(``fold`` + jieba, as ``zhsearch export`` does for OpenSearch), space-joined,
under a whitespace tokenizer (tantivy) or ``unicode61`` (FTS5, which splits
on the spaces and keeps each run of CJK characters whole).

    python bench/peers.py build CORPUS_INDEX OUT_DIR     # both peers' indexes
    python bench/peers.py serve SYSTEM PATH              # JSON lines on stdin/stdout

``serve`` is the worker ``bench/run`` starts once per system: a fresh
process, so the first run of each query meets that system's cold caches; it
times each query itself (``time.perf_counter`` around the whole job).

Query semantics (see bench/README.md, "Peers"): words are AND'ed, each word
cut into the product's jieba words (all required), matched in the paragraph
or in its article title + section heading; ``"..."`` is a phrase of the
words (adjacent, in the text or in the title); ``OR`` and ``-word`` as in
zhsearch; the product's synonym file widens a word as it does in zhsearch.
zhsearch matches a Chinese word as a literal substring; the peers match
whole jieba tokens, so where jieba cut the paragraph differently from the
query the counts differ (the benchmark prints both).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FACETS = ("province", "year", "measure")
SIZE = 10
SNIPPET_CHARS = 150  # about zhsearch's snippet length
PAGE = 100  # the API's largest page (pages up to 10,000: a million paragraphs)


# Where the benchmark reaches past the public API (Searcher, SearchRequest,
# the CLI): the product's fold and word cutter, so the peers index exactly
# the words zhsearch's analysis makes, and (``parse``) its query parser and
# synonyms, so the peers are asked what zhsearch is asked.
def _analysis():
    from search.text.analysis import cut_words, fold

    return fold, cut_words


def have_tantivy() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def systems() -> list[str]:
    return ["zhsearch", "fts5"] + (["tantivy"] if have_tantivy() else [])


# ---------------------------------------------------------------------------
# The paragraphs, from the zhsearch index.


def paragraphs(index_dir: str | Path) -> list[dict]:
    """Every paragraph of a zhsearch index with its labels, newest first
    (browsing by date, 100 a page)."""
    from search.engine.results import SearchRequest
    from search.engine.searcher import Searcher

    s = Searcher(str(index_dir))
    out: list[dict] = []
    try:
        page = 1
        while True:
            res = s.search(SearchRequest(q="", page=page, size=PAGE, sort="date_desc"))
            for h in res.hits:
                out.append({"para_id": h.para_id, "title": h.title or "", "heading": h.heading or "",
                            "date": h.date or "", "text": h.text, "province": list(h.facets["province"]),
                            "years": [int(y) for y in h.facets["year"]], "measures": list(h.facets["measure"])})
            if page * PAGE >= res.total:
                break
            page += 1
        assert len(out) == res.total == len({p["para_id"] for p in out}), "paging lost or repeated paragraphs"
    finally:
        s.close()
    return out


def day_of(date: str) -> int:
    """Days since 1970 (0 when undated), for sorting newest first."""
    if not date:
        return 0
    import datetime as dt

    try:
        return (dt.date.fromisoformat(date[:10]) - dt.date(1970, 1, 1)).days
    except ValueError:
        return 0


def words(text: str) -> str:
    fold, cut_words = _analysis()
    return " ".join(w for w, _, _ in cut_words(fold(text or "")))


def _segment(p: dict) -> dict:
    return {**p, "text_tok": words(p["text"]),
            "title_tok": words(" ".join(x for x in (p["title"], p["heading"]) if x)), "day": day_of(p["date"])}


def segment(paras: list[dict], procs: int = 1) -> list[dict]:
    """Add ``text_tok`` (the paragraph's words) and ``title_tok`` (the
    article title's and the section heading's), space-joined, and ``day``."""
    if procs > 1 and len(paras) > 2000:
        with mp.get_context("fork").Pool(procs) as pool:
            return pool.map(_segment, paras, chunksize=500)
    return [_segment(p) for p in paras]


# ---------------------------------------------------------------------------
# Queries: the mix's syntax, for the peers.


def synonym_groups() -> dict[str, list[str]]:
    """The product's synonyms (folded word -> the words it adds)."""
    from search.text.synonyms import Synonyms

    return Synonyms().groups()


def parse(q: str, synonyms: dict[str, list[str]]) -> tuple[list, list]:
    """(must, must_not) of zhsearch's own parse of ``q`` (its syntax, its
    synonyms as ``synonyms`` gives them), for the peers: each clause a list
    of alternatives, each alternative ``("and", [words])`` (all required,
    anywhere) or ``("phrase", [words])`` (adjacent), in the words the peers
    index (``words``).  A word zhsearch requires as a literal is a phrase of
    its words; a typed word cut into pieces, all of its words; a synonym, a
    phrase."""
    from search.query.parse import AllOf, AnyOf, Phrase, parse as parse_query

    def alternatives(node) -> list:
        if isinstance(node, AnyOf):
            if node.expanded:  # the word typed, then its synonyms
                return alternatives(node.options[0]) + [
                    ("phrase", toks) for o in node.options[1:] if (toks := words(_text(o)).split())]
            return [a for o in node.options for a in alternatives(o)]
        toks = words(_text(node)).split()
        if not toks:
            return []
        if isinstance(node, AllOf):
            return [("and", toks)]
        return [("phrase" if isinstance(node, Phrase) or len(toks) > 1 else "and", toks)]

    def _text(node) -> str:
        if isinstance(node, AllOf):
            return node.whole or " ".join(_text(p) for p in node.parts)
        return node.text

    query = parse_query(q, lambda w: synonyms.get(w, []))
    must = [a for a in map(alternatives, query.must) if a]
    must_not = [a for a in map(alternatives, query.must_not) if a]
    return must, must_not


# ---------------------------------------------------------------------------
# Engines.  ``run(item)`` does the whole job for one query of the mix and
# returns {"total", "hits": [para_id], "snippets", "facets": {name: {value: count}}}.


class Zhsearch:
    name = "zhsearch"

    def __init__(self, index_dir: str):
        from search.engine.results import SearchRequest
        from search.engine.searcher import Searcher

        from search.facets import NONE

        from search.query.suggest import warm

        self._req = SearchRequest
        self._none = NONE
        try:  # as `zhsearch serve` opens it: a repeated question's ranked head kept (web/__init__.py)
            from search.engine.searcher import RANK_CACHE

            self.s = Searcher(str(index_dir), rank_cache=RANK_CACHE)
        except ImportError:  # a tree from before the cache
            self.s = Searcher(str(index_dir))
        warm()  # as `zhsearch serve` opens it: pypinyin's tables loaded before the first search
        import gc

        gc.freeze()  # as `zhsearch serve` does before forking its workers (web/serve.py, _supervise)

    def run(self, item: dict) -> dict:
        r = self.s.search(self._req(q=item.get("q", ""), province=item.get("province", []),
                                    year=item.get("year", []), measure=item.get("measure", []),
                                    sort=item.get("sort", "relevance"), size=SIZE))
        # the peers count the three facets of the mix; zhsearch also counts
        # sources and the paragraphs of no known year, which they leave out
        return {"total": r.total, "hits": [h.para_id for h in r.hits], "snippets": [h.snippet.html() for h in r.hits],
                "facets": {k: {str(v.value): v.count for v in vs if v.value != self._none}
                           for k, vs in r.facets.items() if k in FACETS}}

    def close(self):
        self.s.close()


# -- SQLite FTS5 ----------------------------------------------------------------


def build_fts5(paras: list[dict], path: Path) -> dict:
    t = time.perf_counter()
    path = Path(path)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(str(path))
    db.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE para(id INTEGER PRIMARY KEY, para_id TEXT, title TEXT, heading TEXT, date TEXT,
                          day INTEGER, text TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(text_tok, title_tok, tokenize='unicode61');
        CREATE TABLE f_province(id INTEGER, v TEXT);
        CREATE TABLE f_year(id INTEGER, v TEXT);
        CREATE TABLE f_measure(id INTEGER, v TEXT);
    """)
    with db:
        for i, p in enumerate(paras, 1):
            db.execute("INSERT INTO para VALUES (?,?,?,?,?,?,?)",
                       (i, p["para_id"], p["title"], p["heading"], p["date"], p["day"], p["text"]))
            db.execute("INSERT INTO fts(rowid, text_tok, title_tok) VALUES (?,?,?)", (i, p["text_tok"], p["title_tok"]))
            db.executemany("INSERT INTO f_province VALUES (?,?)", [(i, v) for v in p["province"]])
            db.executemany("INSERT INTO f_year VALUES (?,?)", [(i, str(v)) for v in p["years"]])
            db.executemany("INSERT INTO f_measure VALUES (?,?)", [(i, v) for v in p["measures"]])
    db.executescript("""
        INSERT INTO fts(fts) VALUES('optimize');
        CREATE INDEX para_day ON para(day DESC, id);
        CREATE INDEX f_province_v ON f_province(v, id); CREATE INDEX f_province_id ON f_province(id, v);
        CREATE INDEX f_year_v ON f_year(v, id); CREATE INDEX f_year_id ON f_year(id, v);
        CREATE INDEX f_measure_v ON f_measure(v, id); CREATE INDEX f_measure_id ON f_measure(id, v);
        ANALYZE;
    """)
    db.close()
    return {"seconds": round(time.perf_counter() - t, 1), "bytes": path.stat().st_size}


def _fts_expr(must: list, must_not: list) -> str:
    def lit(w: str) -> str:
        return '"' + w.replace('"', '""') + '"'

    def alt(a) -> str:
        kind, toks = a
        if kind == "phrase":
            return '"' + " ".join(t.replace('"', '""') for t in toks) + '"'
        return "(" + " AND ".join(lit(t) for t in toks) + ")"

    expr = " AND ".join("(" + " OR ".join(alt(a) for a in clause) + ")" for clause in must)
    for clause in must_not:
        expr += " NOT (" + " OR ".join(alt(a) for a in clause) + ")"
    return expr


class Fts5:
    """FTS5 over the words; the total, the top 10 by ``bm25`` (``ORDER BY
    rank``) with ``snippet()``, and the facets by ``GROUP BY`` over the
    matches (collected once into a temporary table)."""

    name = "fts5"

    def __init__(self, path: str, synonyms: dict | None = None):
        self.db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
        self.db.executescript("PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
                              "PRAGMA mmap_size=1073741824;")
        self.db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY)")
        self.n = self.db.execute("SELECT max(id) FROM para").fetchone()[0] or 0
        self.synonyms = synonym_groups() if synonyms is None else synonyms

    def run(self, item: dict) -> dict:
        db = self.db
        must, must_not = parse(item.get("q", ""), self.synonyms)
        filters = {f: [str(v) for v in item.get(k, [])] for f, k in
                   (("province", "province"), ("year", "year"), ("measure", "measure")) if item.get(k)}

        def cond(col: str, skip: str | None = None) -> tuple[str, list]:
            sql, args = [], []
            for f, vals in filters.items():
                if f != skip:
                    sql.append(f"{col} IN (SELECT id FROM f_{f} WHERE v IN ({','.join('?' * len(vals))}))")
                    args += vals
            return (" AND ".join(sql), args)

        if must:
            expr = _fts_expr(must, must_not)
            db.execute("DELETE FROM m")
            db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (expr,))
            src = "m"
            # "+": the filter checked on FTS5's matches in rank order; a bare
            # "rowid IN" makes FTS5 run the match once per listed rowid (30x slower)
            c, a = cond("+fts.rowid")
            rows = db.execute(
                "SELECT fts.rowid, snippet(fts, 0, '<b>', '</b>', '…', 24) FROM fts WHERE fts MATCH ?"
                + (" AND " + c if c else "") + " ORDER BY rank LIMIT ?", (expr, *a, SIZE)).fetchall()
        else:  # browsing: newest first
            src = "para"
            c, a = cond("id")
            rows = db.execute(f"SELECT id, substr(text, 1, {SNIPPET_CHARS}) FROM para"
                              + (" WHERE " + c if c else "") + " ORDER BY day DESC, id LIMIT ?", (*a, SIZE)).fetchall()
        c, a = cond(f"{src}.id")
        total = db.execute(f"SELECT count(*) FROM {src}" + (" WHERE " + c if c else ""), a).fetchone()[0]
        # few matches: they drive the join (CROSS JOIN; without statistics on
        # the temporary table the planner scans the whole label table, ~10 ms
        # a facet at 100k); many: the planner's scan of the label table wins
        few = src == "m" and db.execute("SELECT count(*) FROM m").fetchone()[0] * 5 < self.n
        join = "CROSS JOIN" if few else "JOIN"
        facets = {}
        for f in FACETS:
            c, a = cond(f"{src}.id", skip=f)
            facets[f] = dict(db.execute(f"SELECT f.v, count(*) FROM {src} {join} f_{f} f ON f.id = {src}.id"
                                        + (" WHERE " + c if c else "") + " GROUP BY f.v", a).fetchall())
        hits = []
        for rowid, _ in rows:  # the hits' fields, as a result page shows them
            hits.append(db.execute("SELECT para_id, title, heading, date, text FROM para WHERE id = ?",
                                   (rowid,)).fetchone()[0])
        return {"total": total, "hits": hits, "snippets": [s for _, s in rows], "facets": facets}

    def close(self):
        self.db.close()


# -- tantivy ----------------------------------------------------------------------


def _tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text_tok", stored=True, tokenizer_name="whitespace")
    sb.add_text_field("title_tok", stored=False, tokenizer_name="whitespace")
    sb.add_text_field("province", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("year", fast=True, indexed=True)
    sb.add_text_field("measure", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("day", fast=True, indexed=False)
    for f in ("para_id", "title", "heading", "date", "text"):
        sb.add_text_field(f, stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def build_tantivy(paras: list[dict], path: Path, threads: int = 1) -> dict:
    import tantivy

    t = time.perf_counter()
    path = Path(path)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    schema = _tantivy_schema()
    ix = tantivy.Index(schema, path=str(path))
    w = ix.writer(heap_size=max(50_000_000, 100_000_000 * threads), num_threads=threads)
    for p in paras:
        w.add_document(tantivy.Document(
            text_tok=p["text_tok"], title_tok=p["title_tok"], province=p["province"], year=p["years"],
            measure=p["measures"], day=p["day"], para_id=p["para_id"], title=p["title"],
            heading=p["heading"], date=p["date"], text=p["text"]))
    w.commit()
    w.wait_merging_threads()
    ix.reload()
    segs = ix.searcher().num_segments
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {"seconds": round(time.perf_counter() - t, 1), "bytes": size, "segments": segs}


class Tantivy:
    """tantivy over the words; each word a term in the text or the title,
    the top 10 by BM25 with ``SnippetGenerator``, the facets by terms
    aggregations over every hit (disjunctive: a facet's own filter left out)."""

    name = "tantivy"

    def __init__(self, path: str, synonyms: dict | None = None):
        import tantivy

        self.t = tantivy
        self.ix = tantivy.Index.open(str(path))
        self.schema = self.ix.schema
        self.searcher = self.ix.searcher()
        self.synonyms = synonym_groups() if synonyms is None else synonyms

    def _alt(self, a):
        T, Q, S = self.t, self.t.Query, self.schema
        kind, toks = a

        def either(make):
            return Q.boolean_query([(T.Occur.Should, make("text_tok")), (T.Occur.Should, make("title_tok"))])

        if kind == "phrase" and len(toks) > 1:
            return either(lambda f: Q.phrase_query(S, f, toks))
        parts = [either(lambda f, t=t: Q.term_query(S, f, t)) for t in toks]
        return parts[0] if len(parts) == 1 else Q.boolean_query([(T.Occur.Must, p) for p in parts])

    def _clause(self, clause):
        qs = [self._alt(a) for a in clause]
        return qs[0] if len(qs) == 1 else self.t.Query.boolean_query([(self.t.Occur.Should, q) for q in qs])

    def run(self, item: dict) -> dict:
        T, Q, S = self.t, self.t.Query, self.schema
        must, must_not = parse(item.get("q", ""), self.synonyms)
        text_q = [(T.Occur.Must, self._clause(c)) for c in must] + [(T.Occur.MustNot, self._clause(c)) for c in must_not]
        filters = {}
        for f, key in (("province", "province"), ("year", "year"), ("measure", "measure")):
            vals = item.get(key) or []
            if vals:
                filters[f] = Q.term_set_query(S, f, [int(v) for v in vals] if f == "year" else list(vals))

        def query(skip=None):
            parts = list(text_q) + [(T.Occur.Must, q) for f, q in filters.items() if f != skip]
            if not parts:
                return Q.all_query()
            if not must:
                parts.append((T.Occur.Must, Q.all_query()))
            return Q.boolean_query(parts)

        q = query()
        s = self.searcher
        if must:
            res = s.search(q, SIZE, count=True)
        else:  # browsing: newest first
            res = s.search(q, SIZE, count=True, order_by_field="day")
        docs = [s.doc(addr) for _, addr in res.hits]
        if must:
            gen = T.SnippetGenerator.create(s, q, S, "text_tok")
            gen.set_max_num_chars(SNIPPET_CHARS)
            snippets = [gen.snippet_from_doc(d).to_html() for d in docs]
        else:
            snippets = [d.get_first("text")[:SNIPPET_CHARS] for d in docs]
        aggs = {f: {"terms": {"field": f, "size": 1000}} for f in FACETS}
        facets = {}
        # one aggregation for the facets without a filter of their own, one
        # more for each facet that has one
        plain = {f: a for f, a in aggs.items() if f not in filters}
        if plain:
            out = s.aggregate(q, plain)
            for f in plain:
                facets[f] = {str(b["key"]): b["doc_count"] for b in out[f]["buckets"]}
        for f in filters:
            out = s.aggregate(query(skip=f), {f: aggs[f]})
            facets[f] = {str(b["key"]): b["doc_count"] for b in out[f]["buckets"]}
        return {"total": res.count, "hits": [d.get_first("para_id") for d in docs], "snippets": snippets,
                "facets": facets}

    def close(self):
        pass


def open_engine(system: str, path: str):
    return {"zhsearch": Zhsearch, "fts5": Fts5, "tantivy": Tantivy}[system](path)


# ---------------------------------------------------------------------------
# Building both peers from a zhsearch index.


def build(index_dir: str | Path, out: str | Path, procs: int = 1, which=("fts5", "tantivy")) -> dict:
    """Both peers' indexes under ``out`` from the paragraphs of a zhsearch
    index; returns what was built and how long it took."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    paras = paragraphs(index_dir)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    _analysis()[1]("预热")  # the dictionary loaded before the clock
    paras = segment(paras, procs)
    info = {"paragraphs": len(paras), "read_seconds": round(read_s, 1),
            "segment_seconds": round(time.perf_counter() - t, 1), "procs": procs, "paths": {}}
    if "fts5" in which:
        info["fts5"] = build_fts5(paras, out / "fts5.sqlite")
        info["paths"]["fts5"] = str(out / "fts5.sqlite")
    if "tantivy" in which and have_tantivy():
        import tantivy

        info["tantivy"] = build_tantivy(paras, out / "tantivy", threads=procs)
        info["tantivy"]["version"] = getattr(tantivy, "__version__", "")
        info["paths"]["tantivy"] = str(out / "tantivy")
    info["paths"]["zhsearch"] = str(index_dir)
    info["sqlite_version"] = sqlite3.sqlite_version
    return info


# ---------------------------------------------------------------------------
# The worker: one system in a fresh process, a query a line.


def serve(system: str, path: str) -> int:
    t = time.perf_counter()
    if system != "zhsearch":
        _analysis()[1]("预热")  # the jieba dictionary, as Searcher() loads it at opening
    eng = open_engine(system, path)
    print(json.dumps({"ready": True, "open_ms": round((time.perf_counter() - t) * 1000, 1)}), flush=True)
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("quit"):
            break
        t = time.perf_counter()
        r = eng.run(msg["item"])
        ms = (time.perf_counter() - t) * 1000
        r["ms"] = ms
        if not msg.get("details"):
            r = {"ms": ms, "total": r["total"]}
        print(json.dumps(r, ensure_ascii=False), flush=True)
    eng.close()
    return 0


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("index")
    b.add_argument("out")
    b.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    s = sub.add_parser("serve")
    s.add_argument("system", choices=["zhsearch", "fts5", "tantivy"])
    s.add_argument("path")
    a = ap.parse_args(argv)
    if a.cmd == "build":
        print(json.dumps(build(a.index, a.out, a.procs), ensure_ascii=False))
        return 0
    return serve(a.system, a.path)


if __name__ == "__main__":
    sys.exit(main())
