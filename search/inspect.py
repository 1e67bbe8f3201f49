"""``zhsearch inspect``: what ingestion makes of files, without indexing."""

from __future__ import annotations

import json
import sys

from search.ingest import iter_source_files, read_file
from search.model import Article, IngestError, ListPageSkipped

from search.cli.exits import OK as EXIT_OK, PARTIAL as EXIT_PARTIAL


def run(paths: list[str], as_json: bool) -> int:
    """Print every article of ``paths``; unreadable sources are reported on
    stderr with the reason.  Exit 0 when all were read, 3 otherwise."""
    articles: list[Article] = []
    failed = lists = 0
    for source in paths:
        try:
            files = list(iter_source_files([source]))
        except IngestError as e:
            failed += _report(e)
            continue
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
        json.dump([a.to_dict() for a in articles], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for article in articles:
            print(format_article(article))
    if lists:
        print(f"{lists} list page(s) skipped", file=sys.stderr)
    return EXIT_PARTIAL if failed else EXIT_OK


def _report(error: IngestError) -> int:
    print(f"error: {error.path}: {error.reason}", file=sys.stderr)
    return 1


def _labels(values) -> str:
    return ", ".join(str(v) for v in values) or "-"


def format_article(article: Article) -> str:
    lines = [
        "=" * 72,
        f"doc_id:   {article.doc_id}",
        f"title:    {article.title if article.title is not None else '- (no headline)'}",
        f"source:   {article.source or '-'}",
        f"date:     {article.date or '-'}",
        f"province: {_labels(article.province)}",
        f"file:     {article.path}",
    ]
    if article.issuer or article.doc_number:
        lines[5:5] = [f"issuer:   {article.issuer or '-'}", f"doc no.:  {article.doc_number or '-'}"]
    if article.private_use_dropped:
        lines.append(f"private use code points dropped: {article.private_use_dropped}")
    for p in article.paragraphs:
        lines.append("")
        lines.append(f"[{p.para_no}] heading: {p.heading or '-'}")
        lines.append(f"    province: {_labels(p.province)} | years: {_labels(p.years)}"
                     f" | measures: {_labels(p.measures)}")
        lines.append(f"    {p.text}")
    if article.skipped:
        lines.append("")
        lines.append(f"skipped ({len(article.skipped)} lines):")
        rules = [d["rule"] for d in article.dropped] if len(article.dropped) == len(article.skipped) \
            else [None] * len(article.skipped)
        lines.extend(f"  - {line}" + (f"    [{rule}]" if rule else "")
                     for line, rule in zip(article.skipped, rules))
    return "\n".join(lines)
