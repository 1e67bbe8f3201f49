"""The ingestion pipeline for one file: read, clean, structure, label."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from search.ingest import clean, structure
from search.ingest.measures import measures_in
from search.ingest.places import label_provinces
from search.ingest.readers import RawRecord, decode, read_jsonl_part, read_records, read_text_part
from search.ingest.years import year_of, years_in
from search.model import Article, IngestError, Paragraph

log = logging.getLogger("search.ingest")

# what ``dropped`` names as the rule for lines no furniture.tsv rule dropped
METADATA_RULE = "metadata: byline, date or source line (read, then dropped)"
HTML_RULE = "HTML: navigation, header/footer or link-dense element"
COLUMN_RULE = "column name of a magazine column"
TAIL_RULE = "page tail after the article: related articles, app and QR calls, comments, site footer"
FIRST_LINE_BODY = 4  # a text whose body starts further down than this is a page copied whole
HEADER_RULE = "page header above the headline: menus, breadcrumbs, site and channel names"
POLICY_RULE = "metadata: a policy document's information table (索引号, 发文机关, 成文日期...; read, then dropped)"


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


def read_part(path, start: int, end: int, first_line: int, problems: list[str]) -> list[Article]:
    """The articles of a part of a large JSON lines file (bytes
    ``start:end``, whole lines from ``first_line``), cleaned and labelled;
    the problems of its lines are appended to ``problems``, those of the
    whole file (``file_warnings``) are the caller's, once all parts are read."""
    path = Path(path)
    reading = read_jsonl_part(path, start, end, first_line)
    articles = [a for record in reading.records for a in build_articles(record, path)]
    for article in articles:
        label(article)
    problems.extend(reading.problems)
    return articles


# ---------------------------------------------------------------------------
# a large text file, read in parts (search.indexing cuts it at line ends)

# how far above a part's start its heading is looked for: the section
# heading over a part's first paragraphs stands in the part before
TEXT_LOOK_BACK = 64 << 10


@dataclass(frozen=True)
class TextHead:
    """What the first part of a large text file decides for every part, as
    reading the file whole decides it for the file: the headline, date,
    source and the like (the head of a page holds them), and the section
    heading in effect where the first part ends."""

    end: int  # where the first part ends (bytes)
    title: str | None = None
    source: str | None = None
    date: str | None = None
    url: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    heading: str | None = None
    pending: tuple[str, ...] = ()


def text_head(path, end: int, more: bool = True) -> TextHead:
    """The ``TextHead`` of a large text file whose first part is bytes
    ``0:end`` (no head at all when that part cannot be read: the part's
    own job reports why)."""
    path = Path(path)
    try:
        reading = read_text_part(path, 0, end)
    except IngestError:
        return TextHead(end)
    if not reading.records:
        return TextHead(end)
    articles, (heading, pending) = _build(reading.records[0], path, more)
    a = articles[0]
    return TextHead(end, a.title, a.source, a.date, a.url, a.issuer, a.doc_number, heading, pending)


def read_text_part_articles(path, part, problems: list[str]) -> list[Article]:
    """The article of one part of a large text file (``part``: bytes
    ``start:end``, number ``no`` of ``parts``, beginning at line
    ``first_line``, with the file's ``head``), cleaned and labelled.  The
    first part is read as the whole file would be (headline, header,
    metadata, tail); each other part is an article of its own, under the
    file's headline, date and source, its lines cleaned as the file's body
    lines are, its paragraphs under the heading in effect where it begins.
    Raises IngestError when the part cannot be read."""
    path = Path(path)
    reading = read_text_part(path, part.start, part.end)
    problems.extend(reading.problems)
    if not reading.records:
        return []
    more = part.no < part.parts
    if part.no == 1:
        articles = _build(reading.records[0], path, more)[0]
    else:
        articles = [_continued_article(reading.records[0].text, path, part, more)]
    for article in articles:
        label(article)
    return articles


def text_part_doc_id(path: Path, part) -> str:
    """A large text file's part's article id: the file's own for the first
    part, else ``<file id>.<line it begins>`` (``-<its first byte>`` added
    where it begins inside a line cut in parts)."""
    base = structure.file_doc_id(Path(path))
    if part.no == 1:
        return base
    return f"{base}.{part.first_line}" if part.starts_line else f"{base}.{part.first_line}-{part.start}"


def _continued_article(text: str, path: Path, part, more: bool) -> Article:
    head: TextHead = part.head
    body, dropped, mojibake, private_use, long_lines = _body_lines(text, last=not more)
    doc_id = text_part_doc_id(path, part)
    heading, pending = _heading_before(path, part)
    article = Article(
        doc_id=doc_id, title=head.title, source=head.source, date=head.date, url=head.url,
        issuer=head.issuer, doc_number=head.doc_number, path=str(path),
        skipped=[d.line for d in dropped], dropped=[d.to_dict() for d in dropped],
        private_use_dropped=private_use, mojibake_dropped=mojibake,
        long_lines_split=long_lines.split, long_lines_cut=long_lines.cut,
    )
    article.paragraphs = [Paragraph(para_no=n, text=t, heading=h)
                          for n, (h, t) in enumerate(structure.sections(body, heading, pending, more), 1)]
    return article


def _clean_lines(text: str) -> tuple[list[str], list, int]:
    """A text's lines with private use and mojibake dropped, normalised:
    (lines, the mojibake runs dropped, how many private use characters)."""
    text, private_use = clean.drop_private_use(text)
    lines, mojibake = [], []
    for line in text.splitlines():
        line, runs = clean.drop_mojibake(clean.normalize_line(line))
        lines.append(line)
        mojibake += runs
    return lines, mojibake, private_use


def _body_lines(text: str, last: bool):
    """A text's lines as the body of a file read whole has them: private
    use and mojibake dropped, normalised, page furniture and metadata lines
    (来源：, a date line, a byline) dropped, long lines cut.  Metadata is
    read as in the middle of the file, but for the last lines of its last
    part.  Returns (lines, dropped, mojibake runs, private use count,
    long lines)."""
    lines, mojibake, private_use = _clean_lines(text)
    content, furniture = clean.sort_furniture(lines)
    kept, meta_lines = [], []
    footer = len(content) - structure.FOOTER_LINES if last else len(content)
    for i, line in enumerate(content):
        if structure.read_metadata_line(line, in_header=i >= footer) is None:
            kept.append(line)
        else:
            meta_lines.append(line)
    dropped = _in_reading_order(lines, [clean.Dropped(line, METADATA_RULE, "metadata") for line in meta_lines]
                                + furniture)
    body, long_lines = structure.split_long_lines(kept)
    return body, dropped, mojibake, private_use, long_lines


def _heading_before(path: Path, part) -> tuple[str | None, tuple[str, ...]]:
    """The section heading in effect where ``part`` begins, and the heading
    lines waiting there for a paragraph: read from the first part's end
    (``TextHead``) on, or from ``TEXT_LOOK_BACK`` bytes above the part
    (from its first whole line); a heading further up than that is not
    seen (the part's first paragraphs then have none)."""
    head: TextHead = part.head
    lo = max(head.end, part.start - TEXT_LOOK_BACK)
    state = (head.heading, head.pending) if lo == head.end else (None, ())
    if lo >= part.start:
        return state
    try:
        with open(path, "rb") as f:
            data = os.pread(f.fileno(), part.start - lo, lo)
    except OSError:
        return state
    if lo > head.end:
        nl = data.find(b"\n")
        data = data[nl + 1:] if nl >= 0 else b""
    if not data.strip():
        return state
    try:
        text = decode(data, str(path))
    except IngestError:
        return state
    return structure.heading_after(_body_lines(text, last=False)[0], *state)


def file_warnings(path: Path, articles: list[Article]) -> list[str]:
    """What a user should know of a file that was read but is not whole in
    the index: it gave no paragraph, or lines too long to be one."""
    return warnings_of(path, any(a.paragraphs for a in articles), sum(a.long_lines_split for a in articles),
                       sum(a.long_lines_cut for a in articles), [run for a in articles for run in a.mojibake_dropped])


def warnings_of(path, any_paragraph: bool, split: int, cut: int, mojibake: list[str] = (),
                mojibake_runs: int | None = None) -> list[str]:
    """``file_warnings`` from a file's counts (summed over its parts:
    ``mojibake`` then holds the first runs dropped, ``mojibake_runs`` how many)."""
    out = []
    if not any_paragraph:
        out.append(f"{path}: no paragraph: the file holds no text, or every line was dropped as page "
                   "furniture or metadata (`zhsearch inspect` shows which rule dropped each)")
    runs = len(mojibake) if mojibake_runs is None else mojibake_runs
    if runs:
        shown = " ".join(mojibake[:3]) + (" ..." if runs > 3 else "")
        out.append(f"{path}: {runs} run(s) of mojibake (characters a bad conversion left, "
                   f"a ? inside Chinese words) dropped: {shown}")
    if split:
        out.append(f"{path}: {split} line(s) longer than {structure.PARAGRAPH_MAX} characters split into "
                   "paragraphs at sentence ends" + (f", {cut} of them cut mid-sentence (no sentence end)"
                                                   if cut else ""))
    return out


def build_articles(record: RawRecord, path: Path) -> list[Article]:
    """One record's articles (several for a magazine column), unlabelled."""
    return _build(record, path)[0]


def _build(record: RawRecord, path: Path, more: bool = False
           ) -> tuple[list[Article], tuple[str | None, tuple[str, ...]]]:
    """``build_articles``, and the section heading in effect where the
    text ends (and the heading lines that wait there for a paragraph).
    With ``more``, the text is the first part of a large text file, whose
    other parts follow: heading lines that end it are left to them."""
    lines, mojibake, private_use = _clean_lines(record.text)
    hint, in_title = clean.drop_private_use(structure.strip_channel_tag(record.title) or "")
    private_use += in_title
    content, furniture = clean.sort_furniture(lines)
    plain_text = path.suffix.lower() == ".txt"  # a page saved as text brings its header and tail along
    header: list[clean.Dropped] = []
    tail: list[clean.Dropped] = []
    under_headline: list[str] = []
    # a policy page copied as text: its information table gives the title,
    # the date (成文日期), the issuer and the document number, as in HTML
    policy, policy_lines = ({}, []) if hint or record.issuer or record.doc_number else structure.policy_rows(content)
    if policy_lines:
        content = [line for line in content if line not in policy_lines]
    if not hint:
        content, header, hint = _take_headline(content, lines, policy.get("title"))
        under_headline = content[:structure.DATELINE_LINES] if hint else []
        if plain_text:  # a page copied whole as text goes on past its article
            end = structure.article_end(content, _after_tail_marks(lines, furniture))
            tail = [clean.Dropped(line, TAIL_RULE, "tail") for line in content[end:]]
            content = content[:end]
    meta, content, meta_lines = structure.take_metadata(content)
    doc_id = structure.record_doc_id(record.id, path, record.line_no)
    chrome = [d.line for d in furniture if d.kind == "line"]
    dropped = ([clean.Dropped(line, HTML_RULE, "html") for line in record.furniture]
               + _in_reading_order(lines, [clean.Dropped(line, POLICY_RULE, "metadata") for line in policy_lines]
                                   + [clean.Dropped(line, METADATA_RULE, "metadata") for line in meta_lines]
                                   + furniture + header + tail))
    base = Article(
        doc_id=doc_id, title=None,
        source=record.source or meta.source,
        date=(structure.parse_record_date(record.date)
              or structure.parse_date(policy.get("written") or policy.get("published") or "") or meta.date
              or structure.date_in_chrome(chrome) or structure.dateline_date(under_headline)
              or (structure.labelled_date(lines) if plain_text else None)),
        url=record.url, issuer=record.issuer or policy.get("issuer"),
        doc_number=record.doc_number or policy.get("doc_number"), path=str(path),
        skipped=[d.line for d in dropped],
        dropped=[d.to_dict() for d in dropped],
        private_use_dropped=private_use,
        mojibake_dropped=mojibake,
    )
    items = None if record.title else structure.column_items(content)
    if items is not None:
        return [_column_item(base, n, item, column=content[0])
                for n, item in enumerate(items, 1)], (None, ())
    # a page copied whole whose headline could not be told: its first line
    # is its menu, not a headline (a plain text's first line, right above
    # its body, still is)
    copied_page = not record.title and not hint and structure.body_start(content) > FIRST_LINE_BODY
    title, body = structure.take_title(content, hint or None, first_line=not copied_page)
    body, long_lines = structure.split_long_lines(body)
    base.long_lines_split, base.long_lines_cut = long_lines.split, long_lines.cut
    base.title = title  # None: the page shows no headline, and none is made up
    base.paragraphs = [Paragraph(para_no=n, text=text, heading=heading)
                       for n, (heading, text) in enumerate(structure.sections(body, more=more), 1)]
    return [base], (structure.heading_after(body) if more else (None, ()))


def _after_tail_marks(lines: list[str], furniture: list[clean.Dropped]) -> set[str]:
    """The lines kept right after a furniture line that heads a copied
    page's notice (免责声明, 版权声明) or closes its article (责任编辑：):
    furniture goes first, so the tail is looked for without it, and this
    says where it stood.  Not every line that opens a tail: a footer's row
    of links (关于我们 | 联系我们) does too, but the site's links after it go
    by other rules, which a cut there would undo."""
    dropped = {d.line for d in furniture if d.kind == "line"}
    marks = {line for line in dropped if structure.opens_notice(line)}
    after, pending = set(), False
    for line in lines:
        if not line or line in dropped:
            pending = pending or line in marks
            continue
        if pending:
            after.add(line)
        pending = False
    return after


def _take_headline(content: list[str], lines: list[str], row: str | None = None
                   ) -> tuple[list[str], list[clean.Dropped], str | None]:
    """A page copied whole as text: its headline (as the title hint), and
    the lines above it (menus, breadcrumbs, site names) dropped, but for
    metadata lines, which are read as such.  Without a headline's place,
    the headline the text names (原标题:, 题: in a 新华社 dateline); a
    policy document's title row before all."""
    row = row or structure.title_row(content)
    if row:
        return content, [], row
    at = structure.find_headline(content)
    if at is None:
        return content, [], structure.headline_in_text(lines)  # 原标题 lines may be furniture
    start = structure.headline_start(content, at)
    above = content[:start]
    kept = [line for line in above if structure.read_metadata_line(line, in_header=True)]
    header = [clean.Dropped(line, HEADER_RULE, "header") for line in above
              if not structure.read_metadata_line(line, in_header=True)]
    return kept + content[at + 1:], header, "".join(structure.headline_text(line)
                                                    for line in content[start:at + 1])


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
    """One news item of a magazine column: its own article, untitled (an item
    shows no headline of its own: the pages show its first words, marked as
    such, rather than a sentence fragment posing as one); the column name and
    furniture are listed as skipped on the first."""
    return Article(
        doc_id=f"{base.doc_id}.{n}",
        title=None,
        source=base.source, date=base.date, url=base.url, issuer=base.issuer, doc_number=base.doc_number,
        path=base.path, paragraphs=[Paragraph(para_no=1, text=item)],
        skipped=[column] + base.skipped if n == 1 else [],
        dropped=[{"line": column, "rule": COLUMN_RULE}] + base.dropped if n == 1 else [],
        mojibake_dropped=base.mojibake_dropped if n == 1 else [],
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
