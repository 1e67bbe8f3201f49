"""The ingestion pipeline for one file: read, clean, structure, label."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from search.ingest import clean, structure
from search.ingest.measures import measures_in
from search.ingest.places import label_provinces
from search.ingest.readers import RawRecord, read_records
from search.ingest.years import year_of, years_in
from search.model import Article, Paragraph

log = logging.getLogger("search.ingest")

# what ``dropped`` names as the rule for lines no furniture.tsv rule dropped
METADATA_RULE = "metadata: byline, date or source line (read, then dropped)"
HTML_RULE = "HTML: navigation, header/footer or link-dense element"
COLUMN_RULE = "column name of a magazine column"


def read_file(path, problems: list[str] | None = None) -> list[Article]:
    """Every article in one file, cleaned and labelled.  Raises IngestError
    when the file cannot be read; what a user should know of a file that
    was read (a .jsonl line that could not be, no paragraph at all, lines
    too long for a paragraph) is appended to ``problems``."""
    path = Path(path)
    reading = read_records(path)
    articles = [a for record in reading.records for a in build_articles(record, path)]
    for article in articles:
        label(article)
    found = reading.problems + file_warnings(path, articles)
    for problem in found:
        log.info(problem)  # callers show them: `zhsearch index` and `inspect` print each once
    if problems is not None:
        problems.extend(found)
    return articles


def file_warnings(path: Path, articles: list[Article]) -> list[str]:
    """What a user should know of a file that was read but is not whole in
    the index: it gave no paragraph, or lines too long to be one."""
    out = []
    if not any(a.paragraphs for a in articles):
        out.append(f"{path}: no paragraph: the file holds no text, or every line was dropped as page "
                   "furniture or metadata (`zhsearch inspect` shows which rule dropped each)")
    split = sum(a.long_lines_split for a in articles)
    if split:
        cut = sum(a.long_lines_cut for a in articles)
        out.append(f"{path}: {split} line(s) longer than {structure.PARAGRAPH_MAX} characters split into "
                   "paragraphs at sentence ends" + (f", {cut} of them cut mid-sentence (no sentence end)"
                                                   if cut else ""))
    return out


def build_articles(record: RawRecord, path: Path) -> list[Article]:
    """One record's articles (several for a magazine column), unlabelled."""
    text, private_use = clean.drop_private_use(record.text)
    hint, in_title = clean.drop_private_use(record.title or "")
    private_use += in_title
    lines = [clean.normalize_line(line) for line in text.splitlines()]
    content, furniture = clean.sort_furniture(lines)
    meta, content, meta_lines = structure.take_metadata(content)
    doc_id = structure.record_doc_id(record.id, path, record.line_no)
    chrome = [d.line for d in furniture if d.kind == "line"]
    dropped = ([clean.Dropped(line, HTML_RULE, "html") for line in record.furniture]
               + _in_reading_order(lines, [clean.Dropped(line, METADATA_RULE, "metadata")
                                           for line in meta_lines] + furniture))
    base = Article(
        doc_id=doc_id, title=None,
        source=record.source or meta.source,
        date=(structure.parse_date(record.date or "") or meta.date
              or structure.date_in_chrome(chrome)),
        url=record.url, path=str(path),
        skipped=[d.line for d in dropped],
        dropped=[d.to_dict() for d in dropped],
        private_use_dropped=private_use,
        issuer=record.issuer, doc_number=record.doc_number,
    )
    items = None if record.title else structure.column_items(content)
    if items is not None:
        return [_column_item(base, n, item, column=content[0])
                for n, item in enumerate(items, 1)]
    title, body = structure.take_title(content, hint or None)
    body, long_lines = structure.split_long_lines(body)
    base.long_lines_split, base.long_lines_cut = long_lines.split, long_lines.cut
    base.title = title  # None: the page shows no headline, and none is made up
    base.paragraphs = [Paragraph(para_no=n, text=text, heading=heading)
                       for n, (heading, text) in enumerate(structure.sections(body), 1)]
    return [base]


def _in_reading_order(lines: list[str], dropped: list[clean.Dropped]) -> list[clean.Dropped]:
    """The dropped lines in the order they stand in the file."""
    left: dict[str, list[clean.Dropped]] = defaultdict(list)
    for d in dropped:
        left[d.line].append(d)
    ordered = []
    for line in lines:
        if left.get(line):
            ordered.append(left[line].pop(0))
    return ordered


def _column_item(base: Article, n: int, item: str, column: str) -> Article:
    """One news item of a magazine column: its own article, titled from its
    lead; the column name and furniture are listed as skipped on the first."""
    return Article(
        doc_id=f"{base.doc_id}.{n}",
        title=structure.derive_title(item),
        source=base.source, date=base.date, url=base.url, path=base.path,
        paragraphs=[Paragraph(para_no=1, text=item)],
        skipped=[column] + base.skipped if n == 1 else [],
        dropped=[{"line": column, "rule": COLUMN_RULE}] + base.dropped if n == 1 else [],
    )


def label(article: Article) -> None:
    """Fill in provinces, years and measures of an article's paragraphs."""
    texts = [p.text for p in article.paragraphs]
    article.province, per_paragraph = label_provinces(article.title, texts, article.source)
    year = year_of(article.date)
    for paragraph, provinces in zip(article.paragraphs, per_paragraph):
        paragraph.province = list(provinces)
        paragraph.years = years_in(paragraph.text, year)
        paragraph.measures = measures_in(paragraph.text)
