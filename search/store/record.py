"""The stored paragraph: one typed record, and its encoding as a Whoosh
document (what is indexed, stored and put in columns)."""

from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from datetime import date as Date

from search.analysis import bigram_terms, word_terms
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

    # the keys of the stored ``data`` dict: everything but the fields Whoosh stores itself
    _OWN = ("para_id", "doc_id", "path", "text")

    def to_fields(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in dc_fields(self) if f.name not in self._OWN}
        return {"para_id": self.para_id, "doc_id": self.doc_id, "path": self.path,
                "_stored_text": self.text, "data": data}

    @classmethod
    def from_fields(cls, stored: dict) -> "StoredParagraph":
        data = stored["data"]
        if data.keys() != _DATA_KEYS:  # written by another version: let __init__ say what is wrong
            return cls(para_id=stored["para_id"], doc_id=stored["doc_id"], path=stored.get("path", ""),
                       text=stored["text"], **data)
        rec = cls.__new__(cls)  # the export reads tens of thousands a second: no __init__ call
        rec.__dict__.update(data)
        rec.para_id, rec.doc_id = stored["para_id"], stored["doc_id"]
        rec.path, rec.text = stored.get("path", ""), stored["text"]
        return rec

    def paragraph(self) -> Paragraph:
        return Paragraph(para_no=self.para_no, text=self.text, heading=self.heading,
                         province=list(self.province), years=list(self.years), measures=list(self.measures))


_DATA_KEYS = {f.name for f in dc_fields(StoredParagraph)} - set(StoredParagraph._OWN)


def header_of(article: Article, p: Paragraph) -> str:
    """What a paragraph is found by besides its text: its article's title
    and its section heading."""
    return " ".join(x for x in (article.title, p.heading) if x)


def analyze_article(article: Article) -> list[tuple[Analyzed, Analyzed, Analyzed, Analyzed]]:
    """The terms of each paragraph's text, text_grams, header and
    header_grams fields: the costly part of indexing, done where the article
    was read (a worker process)."""
    headers: dict = {}
    out = []
    for p in article.paragraphs:
        header = header_of(article, p)
        if header not in headers:
            headers[header] = (Analyzed(word_terms(header)), Analyzed(bigram_terms(header)))
        words, grams = headers[header]
        out.append((Analyzed(word_terms(p.text)), Analyzed(bigram_terms(p.text)), words, grams))
    return out


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
    for p, (words, grams, header, header_grams) in zip(article.paragraphs, analyzed):
        record = StoredParagraph(
            para_id=f"{article.doc_id}-{p.para_no}", doc_id=article.doc_id, path=article.path or "",
            para_no=p.para_no, text=p.text, heading=p.heading, title=article.title,
            source=article.source, date=article.date, url=article.url,
            province=list(p.province), years=list(p.years), measures=list(p.measures),
            doc_province=list(article.province), n_paragraphs=len(article.paragraphs),
            file_hash=file_hash, file_articles=file_articles,
        )
        yield dict(
            record.to_fields(),
            text=words, text_grams=grams, header=header, header_grams=header_grams,
            day=day_number(article.date), para_no=p.para_no,
            **facet_columns(article, p, meta, names_seen),
        )
