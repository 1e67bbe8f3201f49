"""The index's layout: Whoosh fields, the analysis chain as Whoosh
analyzers, and the metadata file beside Whoosh's own (versions and what
each facet value is stored as).

One Whoosh document per paragraph.  Matching and ranking read four
inverted fields: ``text`` (jieba words of the folded paragraph,
frequencies only) and ``text_grams`` (its Chinese character bigrams at
their character offsets, for literal matching), and ``header`` and
``header_grams``, the same two for the paragraph's header: its article's
title and its section heading, which find the paragraph too.  The
four fields' postings are kept in each segment's arrays file only
(``ArrayFrequency``, ``ArrayPositions``): Whoosh keeps their lengths.
Facets, dates and paragraph numbers live in numeric columns that the
searcher loads as arrays.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.columns import NumericColumn

from search.text.analysis import ANALYSIS_VERSION, bigram_terms, word_terms
from search.facets import FACETS, ORDINAL, Vocabulary

SCHEMA_VERSION = 9  # the layout of what is stored and indexed: an index of another version asks for a rebuild
META_FILE = "zhsearch.json"
INDEX_NAME = "MAIN"
REBUILD_HINT = "zhsearch index --rebuild"


class IndexUnavailable(Exception):
    """The index cannot be used; ``str(e)`` says why and what to do."""


class IndexMissing(IndexUnavailable):
    """No index at that folder (or an empty one)."""


class IndexVersionError(IndexUnavailable):
    """The index was built by another version of the schema or analysis."""


class IndexDamaged(IndexUnavailable):
    """The index's files are not what was written."""


class IndexLocked(IndexUnavailable):
    """Another process is writing the index."""


# ---------------------------------------------------------------------------
# The analysis chain as Whoosh analyzers.


class Analyzed(str):
    """The terms of a field a tokenizer already made, e.g. in a worker
    process at indexing time, and their positions (None where the field
    keeps none); the tokenizer passes them through as they are.  (A ``str``
    so that Whoosh hands it to the analyzer: Whoosh indexes a plain list
    itself, word by word.)"""

    terms: list
    positions: list | None

    def __new__(cls, terms, positions=None):
        self = super().__new__(cls, "")
        self.terms = terms
        self.positions = positions
        return self

    @classmethod
    def of(cls, pairs) -> "Analyzed":
        """From (term, position) pairs."""
        pairs = list(pairs)
        return cls([t for t, _ in pairs], [p for _, p in pairs])

    @property
    def pairs(self) -> list:
        """(term, position) pairs (where no positions are kept, the terms
        numbered as they come)."""
        return list(zip(self.terms, self.positions if self.positions is not None else range(len(self.terms))))

    def __reduce__(self):
        return (Analyzed, (self.terms, self.positions))


class TermTokenizer(Tokenizer):
    """A Whoosh tokenizer over a function text -> [(term, position)]."""

    def __init__(self, terms):
        self.terms = terms

    def __eq__(self, other):
        return type(other) is type(self) and other.terms is self.terms

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pairs = value.pairs if isinstance(value, Analyzed) else self.terms(value)
        for term, pos in pairs:
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            yield t


def word_analyzer() -> TermTokenizer:
    """jieba words of the folded text (latin words and numbers kept whole)."""
    return TermTokenizer(word_terms)


def bigram_analyzer() -> TermTokenizer:
    """Chinese character bigrams of the folded text, at their offsets."""
    return TermTokenizer(bigram_terms)


def _unscored(f):
    """A field whose lengths nothing reads: Whoosh stores none for it."""
    f.scorable = False
    return f


class ArrayFrequency(formats.Frequency):
    """Postings (documents and frequencies) that live in the segment's
    arrays file only (``search.store.arrays``): Whoosh's postings and term
    index do not hold the field; Whoosh keeps its lengths."""


class ArrayPositions(ArrayFrequency):
    """As ``ArrayFrequency``, with each posting's positions."""


def _in_arrays(f, fmt=ArrayFrequency):
    f.format = fmt(field_boost=f.format.field_boost)
    return f


def _kept_nowhere(f):
    """A value each document carries (``record.paragraph_documents``) that
    the index neither indexes nor stores."""
    f.stored = False
    return f


def make_schema() -> fields.Schema:
    columns = {
        f.column: fields.COLUMN(NumericColumn("q", default=0)) for f in FACETS
    }
    return fields.Schema(
        para_id=_kept_nowhere(fields.STORED()),  # the record holds it; nothing looks a paragraph up by it
        doc_id=fields.ID(),
        path=fields.ID(),
        text=_in_arrays(fields.TEXT(analyzer=word_analyzer(), phrase=False)),
        text_grams=_unscored(_in_arrays(fields.TEXT(analyzer=bigram_analyzer(), phrase=False), ArrayPositions)),
        header=_unscored(_in_arrays(fields.TEXT(analyzer=word_analyzer(), phrase=False))),
        header_grams=_unscored(_in_arrays(fields.TEXT(analyzer=bigram_analyzer(), phrase=False), ArrayPositions)),
        data=fields.STORED(),  # the paragraph record, the only stored field (search.store.record)
        day=fields.COLUMN(NumericColumn("i", default=0)),  # days since 1970 + 1; 0 = no date
        # the key of the paragraph's normalized text, for finding its reprints (0: too short to count)
        text_key=fields.COLUMN(NumericColumn("q", default=0)),
        para_no=fields.COLUMN(NumericColumn("i", default=0)),
        **columns,
    )


# ---------------------------------------------------------------------------
# The metadata: versions, and what each facet's stored values mean.


@dataclass
class Meta:
    schema_version: int = SCHEMA_VERSION
    analysis_version: int = ANALYSIS_VERSION
    vocab: dict[str, Vocabulary] = field(default_factory=dict)  # bit-mask facets
    names: dict[str, dict[int, str]] = field(default_factory=dict)  # single-valued facets: code -> name

    @classmethod
    def new(cls) -> "Meta":
        meta = cls()
        meta.add_known_values()
        return meta

    def add_known_values(self) -> None:
        """Give every value the bit-mask facets know of a bit (a measure type
        added to the rules file since the index was made, say), before any
        writer needs one."""
        for f in FACETS:
            if f.storage == ORDINAL:
                self.names.setdefault(f.name, {})
            else:
                vocab = self.vocab.setdefault(f.name, Vocabulary())
                for v in f.known():
                    vocab.add(f.key(v))

    def to_json(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "analysis_version": self.analysis_version,
            "facets": {
                **{name: {"keys": v.keys} for name, v in self.vocab.items()},
                **{name: {"names": {str(c): n for c, n in names.items()}} for name, names in self.names.items()},
            },
        }

    @classmethod
    def from_json(cls, raw) -> "Meta":
        """Raises ValueError (or KeyError, TypeError) where ``raw`` is not
        metadata this version wrote."""
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        meta = cls(schema_version=raw.get("schema_version"), analysis_version=raw.get("analysis_version"))
        if (meta.schema_version, meta.analysis_version) != (SCHEMA_VERSION, ANALYSIS_VERSION):
            return meta  # the caller reports the version
        facets = raw["facets"]
        for f in FACETS:
            entry = facets[f.name]
            if f.storage == ORDINAL:
                meta.names[f.name] = {int(c): str(n) for c, n in entry["names"].items()}
            else:
                keys = entry["keys"]
                if not isinstance(keys, list):
                    raise TypeError(f"{f.name}: keys is not a list")
                meta.vocab[f.name] = Vocabulary(f.key(k) for k in keys)
                if meta.vocab[f.name].keys != keys:
                    raise ValueError(f"{f.name}: keys are not distinct, normalised values")
        return meta

    @classmethod
    def load(cls, index_dir: str | Path) -> "Meta":
        p = Path(index_dir) / META_FILE
        try:
            raw = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexVersionError(
                f"{index_dir} holds an index without zhsearch metadata: run `{REBUILD_HINT}`") from None
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise IndexDamaged(f"{p} cannot be read ({e}): run `{REBUILD_HINT}`") from None
        try:
            meta = cls.from_json(raw)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise IndexDamaged(f"{p} is not zhsearch metadata ({type(e).__name__}: {e}): "
                               f"run `{REBUILD_HINT}`") from None
        meta.check(index_dir)
        return meta

    def save(self, index_dir: str | Path) -> None:
        p = Path(index_dir) / META_FILE
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, p)

    def check(self, index_dir) -> None:
        if (self.schema_version, self.analysis_version) != (SCHEMA_VERSION, ANALYSIS_VERSION):
            raise IndexVersionError(
                f"the index in {index_dir} was built by another version of zhsearch "
                f"(schema {self.schema_version}, analysis {self.analysis_version}; this version needs "
                f"schema {SCHEMA_VERSION}, analysis {ANALYSIS_VERSION}): re-index with `{REBUILD_HINT}`"
            )
