"""The stored paragraph: one typed record, and its encoding as a Whoosh
document (what is indexed, stored and put in columns)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields as dc_fields
from datetime import date as Date

from search.text.analysis import bigram_lists, index_words
from search.text.fingerprint import text_key
from search.text.lead import first_words
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
    issuer: str | None  # 发文机关, for a policy document
    doc_number: str | None  # 发文字号, likewise
    province: list[str]
    years: list[int]
    measures: list[str]
    doc_province: list[str]  # the article's own provinces
    n_paragraphs: int  # in the article
    file_hash: str  # content hash of the file when it was indexed
    file_articles: int  # articles that file gave
    # the article's first words where it has no title (search.text.lead): not
    # stored, made from its first paragraph when that is read
    lead: str | None = None

    def paragraph(self) -> Paragraph:
        return Paragraph(para_no=self.para_no, text=self.text, heading=self.heading,
                         province=list(self.province), years=list(self.years), measures=list(self.measures))


# ---------------------------------------------------------------------------
# The stored record: Whoosh's stored field ``data`` (the only stored field),
# a tuple whose layout is the field lists below, in their order
# (SCHEMA_VERSION guards it; nothing reads the tuple by index number):
#
#   every paragraph     (back, *PARA_FIELDS)
#   an article's first  (0, *PARA_FIELDS, *ARTICLE_FIELDS)
#
# ``back`` is how many documents before this one, in its segment, the
# article's first paragraph is: an article's paragraphs are added one after
# another to one segment (``SegmentWriter.add``), they are deleted together
# (by file path: a file's articles all go), and Whoosh's merge keeps the
# order of the live documents, so the distance holds in every segment the
# paragraph ever lives in.  ``para_id`` is ``<doc_id>-<para_no>``.  A tuple
# rather than a dict: names in every pickle would cost more than the text of
# a short paragraph.  Lists are stored as tuples (smaller pickles) and given
# back as lists; a value of a field listed in CODED that the metadata's
# vocabulary of its facet holds is stored as its bit there (an int: the
# vocabularies only ever grow, and ``integrity.verify`` checks them against
# what each commit recorded), any other value as itself (a str).

PARA_FIELDS = ("para_no", "text", "heading", "province", "years", "measures")
ARTICLE_FIELDS = ("doc_id", "path", "title", "source", "date", "url", "issuer", "doc_number", "doc_province",
                  "n_paragraphs", "file_hash", "file_articles")
LISTS = frozenset({"province", "years", "measures", "doc_province"})  # stored as tuples
CODED = {"province": "province", "measures": "measure", "doc_province": "province"}  # field -> its vocabulary
SHARED = ("path", "file_hash")  # equal in every article of a file: kept as one string
HEAD_LEN = 1 + len(PARA_FIELDS) + len(ARTICLE_FIELDS)
PARA_LEN = 1 + len(PARA_FIELDS)
assert {f.name for f in dc_fields(StoredParagraph)} == {"para_id", "lead", *PARA_FIELDS, *ARTICLE_FIELDS}
TEXT_AT = 1 + PARA_FIELDS.index("text")  # where a record holds its text
_PARA_LISTS = [n for n in PARA_FIELDS if n in LISTS and n not in CODED]
_PARA_CODED = [(n, CODED[n]) for n in PARA_FIELDS if n in CODED]
_ARTICLE_CODED = [(n, CODED[n]) for n in ARTICLE_FIELDS if n in CODED]
_ARTICLE_LIST_FIELDS = [n for n in ARTICLE_FIELDS if n in LISTS]


class BadRecord(ValueError):
    """A stored record that is not one this layout wrote."""


def names_of(meta: Meta) -> dict[str, list]:
    """What decoding needs of the metadata: each coded field's vocabulary
    keys, by bit."""
    return {field: meta.vocab[facet].keys for field, facet in CODED.items()}


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


def _stored(rec: StoredParagraph, name: str, meta: Meta):
    value = getattr(rec, name)
    if name in CODED:
        return _codes(value, meta.vocab[CODED[name]])
    return tuple(value) if name in LISTS else value


def encode(rec: StoredParagraph, back: int, meta: Meta) -> tuple:
    """The stored tuple of ``rec``, ``back`` documents after its article's
    first paragraph (0: it is the first, and carries the article's fields)."""
    names = PARA_FIELDS if back else PARA_FIELDS + ARTICLE_FIELDS
    return (back, *(_stored(rec, n, meta) for n in names))


def back_of(data) -> int:
    """How many documents before this record its article's head is."""
    if type(data) is not tuple or len(data) not in (PARA_LEN, HEAD_LEN) or type(data[0]) is not int:
        raise BadRecord(f"not a stored paragraph record: {_show(data)}")
    back = data[0]
    if back < 0 or (back == 0) != (len(data) == HEAD_LEN):
        raise BadRecord(f"a record {back} documents after its article's first paragraph has "
                        f"{len(data)} fields")
    return back


def article_of(head, names: dict[str, list], shared: dict | None = None) -> dict:
    """The article fields of an article's first record, by name (its
    provinces named): read once, kept for its other paragraphs.  With
    ``shared``, equal paths and file hashes (a file's articles) are kept as
    one string."""
    if type(head) is not tuple or len(head) != HEAD_LEN or head[0] != 0:
        raise BadRecord(f"not the record of an article's first paragraph: {_show(head)}")
    art = dict(zip(ARTICLE_FIELDS, head[PARA_LEN:]))
    for name, _ in _ARTICLE_CODED:
        try:
            art[name] = _names(art[name], names[name])
        except (IndexError, TypeError):
            raise BadRecord(f"{name} values the metadata does not name: {art[name]!r}") from None
    if shared is not None:
        for name in SHARED:
            art[name] = shared.setdefault(art[name], art[name])
    art["lead"] = None if art["title"] else first_words(head[TEXT_AT])
    return art


def decode(data, article: dict, names: dict[str, list]) -> StoredParagraph:
    """The StoredParagraph of a record, given its article's fields
    (``article_of``) and the vocabularies (``names_of``)."""
    rec = StoredParagraph.__new__(StoredParagraph)  # the export reads tens of thousands a second: no __init__
    d = rec.__dict__
    d.update(article)
    d.update(zip(PARA_FIELDS, data[1:PARA_LEN]))
    for name, _ in _PARA_CODED:
        try:
            d[name] = _names(d[name], names[name])
        except (IndexError, TypeError):
            raise BadRecord(f"{name} values the metadata does not name: {d[name]!r}") from None
    for name in _PARA_LISTS:
        d[name] = list(d[name])
    for name in _ARTICLE_LIST_FIELDS:  # each record its own list: callers may change it
        d[name] = list(d[name])
    d["para_id"] = f"{article['doc_id']}-{d['para_no']}"
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
            headers[header] = (Analyzed(index_words(header)), Analyzed(*bigram_lists(header)))
        words, grams = headers[header]
        yield Analyzed(index_words(p.text)), Analyzed(*bigram_lists(p.text)), words, grams


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
                    names_seen.setdefault(f.name, {}).setdefault(code, str(values[0]).strip())
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
            issuer=article.issuer, doc_number=article.doc_number,
            province=list(p.province), years=list(p.years), measures=list(p.measures),
            doc_province=list(article.province), n_paragraphs=len(article.paragraphs),
            file_hash=file_hash, file_articles=file_articles,
        )
        yield dict(
            para_id=record.para_id, doc_id=record.doc_id, path=record.path,
            data=encode(record, back, meta),
            text=words, text_grams=grams, header=header, header_grams=header_grams,
            day=day_number(article.date), para_no=p.para_no,
            text_key=text_key(p.text),
            **facet_columns(article, p, meta, names_seen),
        )
