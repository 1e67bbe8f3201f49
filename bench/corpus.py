#!/usr/bin/env python3
"""Deterministic benchmark corpus: articles built from the seed articles.

    python bench/corpus.py --paragraphs 100000 --out bench/corpus/p100000-s1 --seed 1

The material is the seeds' own prose, cut into clauses, with its place names,
years and numbers turned into slots that are filled at random: place names
from every province of ``search/data/gazetteer.tsv``, years 2014-2022 with
今年/去年 relative to the article date, measure words from
``search/data/measures.tsv``.  Paragraphs are 50-400 characters like the
seeds'; about a third of the articles are in traditional script (opencc s2t,
precomputed per clause), and half of those carry the pinyin debris the seeds
show (``動(dòng)``).

Output: ``jsonl/NNNN.jsonl`` (one article a line, about 1,000 articles and
exactly ``PER_FILE`` paragraphs a file) and every 50th article as a ``.txt``
file under ``txt/`` (headline, date/source line, paragraphs), all readable by
``zhsearch index``.  The same seed and size give byte-identical files,
whatever the number of processes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def corpora_dir() -> Path | None:
    """The real corpora no one here wrote (``../shared/corpora``): the
    ZHSEARCH_CORPORA folder if set, else beside the repository, else
    /work/shared/corpora; None when none is there."""
    env = os.environ.get("ZHSEARCH_CORPORA")
    for c in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "corpora", Path("/work/shared/corpora")]:
        if c.is_dir():
            return c
    return None


PER_FILE = 8000  # paragraphs per .jsonl file (about 1,000 articles)
TXT_EVERY = 50  # every 50th article goes to a .txt file instead
YEARS = range(2014, 2023)
SOURCES = ["人民日报", "中国组织人事报", "四川日报", "甘肃日报", "中国就业网", "新华网",
           "农民日报", "经济日报", "光明日报", "中国劳动保障报", "人社部网站", "县融媒体中心"]
HEADINGS = ["一是聚焦产业发展", "二是聚焦劳务开发", "三是聚焦培训实效", "强化组织保障",
            "多措并举促就业", "精准对接稳增收", "搭建就业服务平台", "典型经验", "下一步工作打算",
            "主要做法", "工作成效", "创新机制激活力"]
_CJK = "\u4e00-\u9fff"
_PINYIN = re.compile(rf"([{_CJK}])\(([a-zàáǎāèéěēìíǐīòóǒōùúǔūǖǘǚǜü]+)\)")
_YEAR = re.compile(r"(?:19|20)\d\d年")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_CLAUSE = re.compile(r"[^，,；;。！？!?]+[，,；;。！？!?]?")
PLACE, YEAR, NUM = "\x01", "\x02", "\x03"


# ---------------------------------------------------------------------------
# Material: built once per process from the seeds and the data files.


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", "replace")


def _gazetteer():
    """{province: [names]} for city and county names (full and short forms),
    plus the province names themselves."""
    by_prov: dict[str, list[str]] = {}
    provinces: dict[str, list[str]] = {}
    for line in (ROOT / "search/data/gazetteer.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            continue
        name, level, prov = cols[0], cols[1], cols[2]
        form = cols[4] if len(cols) > 4 else "full"
        if len(name) < 2:
            continue
        if level == "province":
            provinces.setdefault(prov, []).append(name)
        elif form in ("full", "short"):
            by_prov.setdefault(prov, []).append(name)
    for p in provinces:
        by_prov.setdefault(p, list(provinces[p]))
    return provinces, by_prov


def _measure_words() -> list[str]:
    path = ROOT / "search/data/measures.tsv"
    words = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) >= 3 and cols[0] == "word" and re.fullmatch(rf"[{_CJK}]+", cols[2]):
                words.append(cols[2])
    return words or ["技能培训", "劳务输出", "扶贫车间", "公益性岗位", "返乡创业"]


class Material:
    def __init__(self):
        from search.text.analysis import fold

        self.provinces, self.places = _gazetteer()
        self.prov_names = sorted(self.provinces)
        all_names = sorted({n for v in self.places.values() for n in v if len(n) >= 3},
                           key=len, reverse=True)
        place_re = re.compile("|".join(map(re.escape, all_names)))
        self.pinyin: dict[str, str] = {}
        clauses: set[str] = set()
        lengths: list[int] = []
        titles: list[str] = []
        for f in sorted((ROOT / "seeds").iterdir()):
            if f.suffix.lower() not in (".txt", ".html", ".htm", ".jsonl"):
                continue
            raw = _decode(f.read_bytes())
            raw = re.sub(r"<[^>]+>", "\n", raw)
            for ch, py in _PINYIN.findall(raw):
                self.pinyin.setdefault(fold(ch), py)
            text = fold(_PINYIN.sub(r"\1", raw))
            for line in text.splitlines():
                line = line.strip()
                if 8 <= len(line) <= 40 and not re.search(r"[，,。；]", line) and re.search(f"[{_CJK}]{{6}}", line):
                    titles.append(line)
                if len(line) < 30 or not re.search(f"[{_CJK}]{{4}}", line):
                    continue
                lengths.append(min(400, max(50, len(line))))
                for c in _CLAUSE.findall(line):
                    c = c.strip()
                    if len(re.findall(f"[{_CJK}]", c)) < 4:
                        continue
                    c = place_re.sub(PLACE, c)
                    c = _YEAR.sub(YEAR, c)
                    c = _NUM.sub(NUM, c)
                    if c[-1] not in "，,；;。！？!?":
                        c += "，"
                    clauses.add(c.replace(",", "，").replace(";", "；"))
        self.clauses = sorted(clauses)
        self.lengths = sorted(lengths) or [120]
        self.titles = sorted(set(titles)) or ["就业扶贫工作取得明显成效"]
        self.measures = _measure_words()
        for i, w in enumerate(self.measures):  # measure words in clauses of their own
            self.clauses.append(f"积极开展{w}，" if i % 2 else f"{YEAR}全{PLACE}通过{w}带动{NUM}人实现就业，")
        self.clauses.append(f"{YEAR}以来，{PLACE}累计帮助{NUM}名贫困劳动力实现就业，")
        self.clauses.append(f"截至{YEAR}底，{PLACE}共建设扶贫车间{NUM}个，")
        # traditional forms, precomputed (opencc's convert is slow)
        import opencc

        cc = opencc.OpenCC("s2t")
        joined = cc.convert("\n".join(self.clauses))
        self.clauses_t = joined.split("\n")
        assert len(self.clauses_t) == len(self.clauses)
        self.titles_t = cc.convert("\n".join(self.titles)).split("\n")
        self.headings_t = cc.convert("\n".join(HEADINGS)).split("\n")
        self.place_t: dict[str, str] = {}
        names = sorted({n for v in self.places.values() for n in v})
        for n, t in zip(names, cc.convert("\n".join(names)).split("\n")):
            self.place_t[n] = t
        self.year_words_t = {"今年": cc.convert("今年"), "去年": cc.convert("去年")}


_MAT: Material | None = None


def material() -> Material:
    global _MAT
    if _MAT is None:
        _MAT = Material()
    return _MAT


# ---------------------------------------------------------------------------
# Articles.


def _fill(template: str, rng: random.Random, m: Material, prov: str, year: int, trad: bool) -> str:
    if PLACE not in template and YEAR not in template and NUM not in template:
        return template
    out = []
    for ch in template:
        if ch == PLACE:
            p = prov if rng.random() < 0.7 else rng.choice(m.prov_names)
            name = rng.choice(m.places[p])
            out.append(m.place_t.get(name, name) if trad else name)
        elif ch == YEAR:
            r = rng.random()
            if r < 0.15:
                out.append(m.year_words_t["今年"] if trad else "今年")
            elif r < 0.25:
                out.append(m.year_words_t["去年"] if trad else "去年")
            else:
                out.append(f"{rng.choice(YEARS) if r < 0.6 else min(year, max(YEARS))}年")
        elif ch == NUM:
            r = rng.random()
            out.append(str(rng.randint(2, 99) if r < 0.5 else rng.randint(100, 9999) if r < 0.85
                           else round(rng.uniform(1, 99), 2)))
        else:
            out.append(ch)
    return "".join(out)


def _debris(text: str, rng: random.Random, m: Material) -> str:
    if not m.pinyin:
        return text
    out = []
    for ch in text:
        out.append(ch)
        if rng.random() < 0.3:
            from search.text.analysis import fold

            py = m.pinyin.get(fold(ch))
            if py:
                out.append(f"({py})")
    return "".join(out)


def make_article(rng: random.Random, m: Material, n_par: int, ident: str) -> dict:
    prov = rng.choice(m.prov_names)
    year = rng.choice(range(2015, 2023))
    d = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    r = rng.random()
    trad = r < 1 / 3
    debris = trad and r < 1 / 6
    clauses = m.clauses_t if trad else m.clauses
    n_cl = len(clauses)
    paras: list[str] = []
    for i in range(n_par):
        target = rng.choice(m.lengths)
        parts, size = [], 0
        while size < target:
            c = _fill(clauses[rng.randrange(n_cl)], rng, m, prov, year, trad)
            parts.append(c)
            size += len(c)
        text = "".join(parts)
        if text[-1] in "，,；;":
            text = text[:-1] + "。"
        if debris:
            text = _debris(text, rng, m)
        paras.append(text)
    # a few section headings between paragraphs
    lines: list[str] = []
    for i, p in enumerate(paras):
        if i and n_par >= 5 and rng.random() < 0.12:
            hs = m.headings_t if trad else HEADINGS
            lines.append(hs[rng.randrange(len(hs))])
        lines.append(p)
    place = rng.choice(m.places[prov])
    if trad:
        place = m.place_t.get(place, place)
    titles = m.titles_t if trad else m.titles
    title = f"{place}：{titles[rng.randrange(len(titles))][:30]}"
    return {
        "id": ident,
        "title": title,
        "date": d.isoformat(),
        "source": rng.choice(SOURCES),
        "url": f"https://example.org/{ident}.html",
        "text": "\n".join(lines),
    }


def _paragraph_count(rng: random.Random) -> int:
    return max(1, min(30, int(rng.lognormvariate(1.9, 0.5))))  # ~8 on average


def write_file(args) -> tuple[int, int]:
    """Write jsonl file number ``file_no`` (and its .txt articles)."""
    out, seed, file_no, quota = args
    m = material()
    rng = random.Random(f"{seed}-{file_no}")
    out = Path(out)
    lines, made, k = [], 0, 0
    while made < quota:
        n = min(_paragraph_count(rng), quota - made)
        ident = f"s{seed}f{file_no:04d}a{k:04d}"
        art = make_article(rng, m, n, ident)
        if k % TXT_EVERY == TXT_EVERY - 1:
            txt = f"{art['title']}\n{art['date']}  来源:{art['source']}\n\n" + art["text"].replace("\n", "\n\n") + "\n"
            (out / "txt" / f"{ident}.txt").write_text(txt, encoding="utf-8")
        else:
            lines.append(json.dumps(art, ensure_ascii=False))
        made += n
        k += 1
    (out / "jsonl" / f"{file_no:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return made, k


def generate(paragraphs: int, out: str | Path, seed: int = 1, procs: int | None = None) -> dict:
    out = Path(out)
    (out / "jsonl").mkdir(parents=True, exist_ok=True)
    (out / "txt").mkdir(parents=True, exist_ok=True)
    n_files = max(1, -(-paragraphs // PER_FILE))
    jobs = [(str(out), seed, i + 1, min(PER_FILE, paragraphs - i * PER_FILE)) for i in range(n_files)]
    t0 = time.perf_counter()
    procs = procs or os.cpu_count() or 1
    if procs > 1 and n_files > 1:
        material()  # built once, inherited by the forked workers
        with mp.get_context("fork").Pool(procs) as pool:
            results = pool.map(write_file, jobs, chunksize=1)
    else:
        results = [write_file(j) for j in jobs]
    info = {"paragraphs": sum(r[0] for r in results), "articles": sum(r[1] for r in results),
            "files": n_files, "seed": seed, "seconds": round(time.perf_counter() - t0, 2)}
    (out / "CORPUS.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paragraphs", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--procs", type=int, default=None)
    a = ap.parse_args(argv)
    info = generate(a.paragraphs, a.out, a.seed, a.procs)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
