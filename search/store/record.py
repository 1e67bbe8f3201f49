"""The stored paragraph: one typed record, and its encoding as a Whoosh
document (what is indexed, stored and put in columns)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields as dc_fields
from datetime import date as Date

from search.text.analysis import bigram_terms, word_terms
from search.facets import FACETS, ORDINAL, ordinal_code
from search.model import Article, Paragraph
from search.store.schema import Analyzed, Meta


@dataclass
class StoredParagraph:
    """Everything a hit, an article page or an export shows of a paragraph."""

    para_id: str
    doc_id: str
    path: str  # the file it was read from ("" if none)
    para_no: int
    text: str
    heading: str | None
    title: str  # the article's
    source: str | None
    date: str | None
    url: str | None
    province: list[str]
    years: list[int]
    measures: list[str]
    doc_province: list[str]  # the article's own provinces
    n_paragraphs: int  # in the article
    file_hash: str  # content hash of the file when it was indexed
    file_articles: int  # articles that file gave

    def paragraph(self) -> Paragraph:
        return Paragraph(para_no=self.para_no, text=self.text, heading=self.heading,
                         province=list(self.province), years=list(self.years), measures=list(self.measures))


# ---------------------------------------------------------------------------
# The stored record: Whoosh's stored field ``data`` (the only stored field),
# a tuple read by position (SCHEMA_VERSION guards the layout):
#
#   every paragraph     (back, para_no, text, heading, province, years, measures)
#   an article's first  the same with back == 0, then the article's fields:
#                       doc_id, path, title, source, date, url, doc_province,
#                       n_paragraphs, file_hash, file_articles
#
# ``back`` is how many documents before this one, in its segment, the
# article's first paragraph is: an article's paragraphs are added one after
# another to one segment (``SegmentWriter.add``), they are deleted together
# (by file path: a file's articles all go), and Whoosh's merge keeps the
# order of the live documents, so the distance holds in every segment the
# paragraph ever lives in.  ``para_id`` is ``<doc_id>-<para_no>``.  Lists
# are stored as tuples (smaller pickles) and given back as lists; a
# province or measure that the metadata's vocabulary of that facet holds
# is stored as its bit there (an int: the vocabularies only ever grow, and
# ``integrity.verify`` checks them against what each commit recorded),
# any other value as itself (a str).

PARA_FIELDS = ("para_no", "text", "heading", "province", "years", "measures")
ARTICLE_FIELDS = ("doc_id", "path", "title", "source", "date", "url", "doc_province", "n_paragraphs",
                  "file_hash", "file_articles")
HEAD_LEN = 1 + len(PARA_FIELDS) + len(ARTICLE_FIELDS)
PARA_LEN = 1 + len(PARA_FIELDS)
assert {f.name for f in dc_fields(StoredParagraph)} == {"para_id", *PARA_FIELDS, *ARTICLE_FIELDS}
CODED = ("province", "measure")  # facets whose values a record stores as their bit in meta.vocab


class BadRecord(ValueError):
    """A stored record that is not one this layout wrote."""


def names_of(meta: Meta) -> tuple[list, list]:
    """What decoding needs of the metadata: the province and measure
    vocabularies' keys, by bit."""
    return tuple(meta.vocab[f].keys for f in CODED)


def _codes(values, vocab) -> tuple:
    out = []
    for v in values:
        if type(v) is not str:
            raise TypeError(f"a stored province or measure must be a str, not {v!r}")
        bit = vocab.bit(v)
        out.append(v if bit is None else bit)
    return tuple(out)


def _names(codes, keys) -> list:
    return [keys[c] if c.__class__ is int else c for c in codes]


def encode(rec: StoredParagraph, back: int, meta: Meta) -> tuple:
    """The stored tuple of ``rec``, ``back`` documents after its article's
    first paragraph (0: it is the first, and carries the article's fields)."""
    province, measure = (meta.vocab[f] for f in CODED)
    para = (back, rec.para_no, rec.text, rec.heading, _codes(rec.province, province), tuple(rec.years),
            _codes(rec.measures, measure))
    if back:
        return para
    return para + (rec.doc_id, rec.path, rec.title, rec.source, rec.date, rec.url,
                   _codes(rec.doc_province, province), rec.n_paragraphs, rec.file_hash, rec.file_articles)


def back_of(data) -> int:
    """How many documents before this record its article's head is."""
    if type(data) is not tuple or len(data) not in (PARA_LEN, HEAD_LEN) or type(data[0]) is not int:
        raise BadRecord(f"not a stored paragraph record: {_show(data)}")
    back = data[0]
    if back < 0 or (back == 0) != (len(data) == HEAD_LEN):
        raise BadRecord(f"a record {back} documents after its article's first paragraph has "
                        f"{len(data)} fields")
    return back


def article_of(head, names: tuple[list, list], shared: dict | None = None) -> tuple:
    """The article fields of an article's first record (ARTICLE_FIELDS, its
    provinces named): read once, kept for its other paragraphs.  With
    ``shared``, equal paths and file hashes (a file's articles) are kept as
    one string."""
    if type(head) is not tuple or len(head) != HEAD_LEN or head[0] != 0:
        raise BadRecord(f"not the record of an article's first paragraph: {_show(head)}")
    art = list(head[PARA_LEN:])
    try:
        art[6] = tuple(_names(art[6], names[0]))
    except (IndexError, TypeError):
        raise BadRecord(f"provinces the metadata does not name: {art[6]!r}") from None
    if shared is not None:
        art[1], art[8] = shared.setdefault(art[1], art[1]), shared.setdefault(art[8], art[8])
    return tuple(art)


def decode(data, article: tuple, names: tuple[list, list]) -> StoredParagraph:
    """The StoredParagraph of a record, given its article's fields
    (``article_of``) and the vocabularies (``names_of``)."""
    rec = StoredParagraph.__new__(StoredParagraph)  # the export reads tens of thousands a second: no __init__
    d = rec.__dict__
    (d["doc_id"], d["path"], d["title"], d["source"], d["date"], d["url"], doc_province, d["n_paragraphs"],
     d["file_hash"], d["file_articles"]) = article
    _, para_no, d["text"], d["heading"], province, years, measures = data if len(data) == PARA_LEN else data[:PARA_LEN]
    try:
        d["province"], d["measures"] = _names(province, names[0]), _names(measures, names[1])
    except (IndexError, TypeError):
        raise BadRecord(f"provinces or measures the metadata does not name: {province!r}, {measures!r}") from None
    d["para_no"], d["years"], d["doc_province"] = para_no, list(years), list(doc_province)
    d["para_id"] = f"{article[0]}-{para_no}"
    return rec


def _show(data) -> str:
    r = repr(data)
    return r if len(r) <= 80 else r[:77] + "..."


def header_of(article: Article, p: Paragraph) -> str:
    """What a paragraph is found by besides its text: its article's title
    and its section heading."""
    return " ".join(x for x in (article.title, p.heading) if x)


def analyze_article(article: Article) -> Iterator[tuple[Analyzed, Analyzed, Analyzed, Analyzed]]:
    """The terms of each paragraph's text, text_grams, header and
    header_grams fields: the costly part of indexing, done where the article
    was read (a worker process).  Made one paragraph at a time as the writer
    takes them: the (term, position) pairs of a whole large article would
    take some hundred bytes per character."""
    headers: dict = {}
    for p in article.paragraphs:
        header = header_of(article, p)
        if header not in headers:
            headers[header] = (Analyzed(word_terms(header)), Analyzed(bigram_terms(header)))
        words, grams = headers[header]
        yield Analyzed(word_terms(p.text)), Analyzed(bigram_terms(p.text)), words, grams


def day_number(iso: str | None) -> int:
    if not iso:
        return 0
    try:
        return Date.fromisoformat(iso[:10]).toordinal() - Date(1970, 1, 1).toordinal() + 1
    except ValueError:
        return 0


def facet_columns(article: Article, p: Paragraph, meta: Meta, names_seen: dict | None = None) -> dict[str, int]:
    """Each facet's column value for one paragraph; the names of
    single-valued facets' values are noted in ``names_seen``."""
    out = {}
    for f in FACETS:
        values = f.values(article, p)
        if f.storage == ORDINAL:
            code = 0
            if values:
                code = ordinal_code(f.key(values[0]))
                if names_seen is not None:
                    names_seen.setdefault(f.name, {}).setdefault(code, values[0].strip())
            out[f.column] = code
        else:
            out[f.column] = meta.vocab[f.name].mask(f.key(v) for v in values)
    return out


def paragraph_documents(article: Article, meta: Meta, file_hash: str, file_articles: int = 1,
                        analyzed: list | None = None, names_seen: dict | None = None):
    """The Whoosh documents of one article, one per paragraph."""
    analyzed = analyzed or analyze_article(article)
    for back, (p, (words, grams, header, header_grams)) in enumerate(zip(article.paragraphs, analyzed)):
        record = StoredParagraph(
            para_id=f"{article.doc_id}-{p.para_no}", doc_id=article.doc_id, path=article.path or "",
            para_no=p.para_no, text=p.text, heading=p.heading, title=article.title,
            source=article.source, date=article.date, url=article.url,
            province=list(p.province), years=list(p.years), measures=list(p.measures),
            doc_province=list(article.province), n_paragraphs=len(article.paragraphs),
            file_hash=file_hash, file_articles=file_articles,
        )
        yield dict(
            para_id=record.para_id, doc_id=record.doc_id, path=record.path,
            data=encode(record, back, meta),
            text=words, text_grams=grams, header=header, header_grams=header_grams,
            day=day_number(article.date), para_no=p.para_no,
            **facet_columns(article, p, meta, names_seen),
        )
