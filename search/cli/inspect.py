"""``zhsearch inspect PATH ... [--json]``: what ingestion makes of files,
without indexing."""

from __future__ import annotations

import json
import sys

from search.cli.exits import OK as EXIT_OK, PARTIAL as EXIT_PARTIAL
from search.facets import ARTICLE, FACETS, PARAGRAPH
from search.ingest import iter_source_files, read_file
from search.model import Article, IngestError, ListPageSkipped


def run(args) -> int:
    return inspect(args.paths, as_json=args.json)


def inspect(paths: list[str], as_json: bool) -> int:
    """Print every article of ``paths``; unreadable sources are reported on
    stderr with the reason.  Exit 0 when all were read, 3 otherwise."""
    articles: list[Article] = []
    failed = lists = 0
    for source in paths:
        notes: list[str] = []
        try:
            files = list(iter_source_files([source], notes))
        except IngestError as e:
            failed += _report(e)
            continue
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
        for path in files:
            problems: list[str] = []
            try:
                articles.extend(read_file(path, problems))
            except ListPageSkipped as e:  # not an article, and not a failure
                print(f"skipped: {e.path}: {e.reason}", file=sys.stderr)
                lists += 1
            except IngestError as e:
                failed += _report(e)
            for problem in problems:
                print(f"warning: {problem}", file=sys.stderr)
    if as_json:
        json.dump([article_json(a) for a in articles], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for article in articles:
            print(format_article(article))
    if lists:
        print(f"{lists} list page(s) skipped", file=sys.stderr)
    return EXIT_PARTIAL if failed else EXIT_OK


def article_json(article: Article) -> dict:
    """An article as ``inspect --json`` lists it: its fields, with every
    facet's values (its own facets' at the top, each paragraph's under it)."""
    out = article.to_dict()
    out.update({f.field: f.shown(article, None) for f in FACETS if f.scope == ARTICLE})
    for p, d in zip(article.paragraphs, out["paragraphs"]):
        d.update({f.field: f.shown(article, p) for f in FACETS if f.scope == PARAGRAPH})
    return out


def _report(error: IngestError) -> int:
    print(f"error: {error.path}: {error.reason}", file=sys.stderr)
    return 1


def _labels(values) -> str:
    return ", ".join(str(v) for v in values) or "-"


def _shown(facet, article, paragraph) -> str:
    return _labels(facet.listed(facet.shown(article, paragraph)))


def format_article(article: Article) -> str:
    lines = [
        "=" * 72,
        f"doc_id:   {article.doc_id}",
        f"title:    {article.title if article.title is not None else '- (no headline)'}",
        f"source:   {article.source or '-'}",
        f"date:     {article.date or '-'}",
        f"issuer:   {article.issuer or '-'}",
        f"doc number: {article.doc_number or '-'}",
        f"province: {_labels(article.province)}",
        *(f"{f.field}: {_shown(f, article, None)}" for f in FACETS
          if f.scope == ARTICLE and f.field not in ("source", "date")),
        f"file:     {article.path}",
    ]
    if article.private_use_dropped:
        lines.append(f"private use code points dropped: {article.private_use_dropped}")
    if article.mojibake_dropped:
        lines.append(f"mojibake runs dropped: {len(article.mojibake_dropped)}: "
                     + "  ".join(article.mojibake_dropped))
    for p in article.paragraphs:
        lines.append("")
        lines.append(f"[{p.para_no}] heading: {p.heading or '-'}")
        lines.append("    " + " | ".join(f"{f.field}: {_shown(f, article, p)}" for f in FACETS if f.scope == PARAGRAPH))
        lines.append(f"    {p.text}")
    if article.skipped:
        lines.append("")
        lines.append(f"skipped ({len(article.skipped)} lines):")
        rules = [d["rule"] for d in article.dropped] if len(article.dropped) == len(article.skipped) \
            else [None] * len(article.skipped)
        lines.extend(f"  - {line}" + (f"    [{rule}]" if rule else "")
                     for line, rule in zip(article.skipped, rules))
    return "\n".join(lines)
