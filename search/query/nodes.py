"""The nodes of a parsed query, each knowing its own behaviour, as Whoosh's
query objects do (``whoosh/query/``): how it matches (``match``), which
paragraphs hold it honestly (``own``), where it is marked (``find``), how
it scores (``score``) and takes part in the verbatim tier and proximity
(``typed_*``, ``units``), and how it prints back as a query (``str``).

The engine hands each node the objects it works with: ``m`` a
:class:`~search.engine.matching.Matcher` (literal and token postings, the
stored paragraphs), ``r`` a ranking context (BM25 of one leaf).  A new
operator is one class here and its rule in ``parse``.

Where a leaf may stand (``scope``): ``ANY`` the paragraph's text or its
header (article title and section heading), which is how a plain word
matches; ``TEXT``, ``TITLE``, ``HEADING`` one of them only (``title:词``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search.text.analysis import fold, latin_words

ANY, TEXT, TITLE, HEADING = "any", "text", "title", "heading"
SCOPE_FIELDS = {ANY: ("text", "heading", "title"), TEXT: ("text",), TITLE: ("title",), HEADING: ("heading",)}


@dataclass
class Found:
    """Where a node matched in a hit: field -> spans, and whether it stands
    as written (not only its pieces apart)."""

    spans: dict
    exact: bool


def union_found(found: list) -> dict:
    out: dict = {}
    for f in found:
        for name, spans in f.spans.items():
            out.setdefault(name, []).extend(spans)
    return out


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


class Node:
    """What every node does by default; subclasses override what differs."""

    negated = False
    needs_text = True  # the honest-hit rule counts it: held in the paragraph's own text (``own``)
    tiered = False  # ranked by the verbatim tier: it can also match otherwise than as typed

    def children(self) -> tuple:
        return ()

    def match(self, m, scope: str = ANY) -> np.ndarray:
        """The paragraphs (sorted docnums, live or not) it matches."""
        raise NotImplementedError

    def own(self, m) -> np.ndarray:
        """The paragraphs that hold it in their own text (or, for a node
        scoped to a field, in that field), as it matches (a cut word all its
        pieces, a phrase whole): one of a hit's positive clauses must (api.md)."""
        return self.match(m, TEXT)

    def leaves(self, out: list) -> None:
        """The words and literals whose places in the text are marked and
        measured for proximity, added to ``out`` once each."""
        for c in self.children():
            c.leaves(out)

    def wholes(self, out: list) -> None:
        """Leaves to find beside ``leaves``: the whole of each word jieba cut."""
        for c in self.children():
            c.wholes(out)

    def expansions(self, out: dict) -> None:
        """Each typed word that synonyms widened -> the words added."""
        for c in self.children():
            c.expansions(out)

    def words(self) -> str:
        """The folded words it requires, as a synonyms file writes them ("" if none)."""
        return ""

    def typed_word(self) -> str:
        """The Chinese word as typed, for spelling suggestions ("" if none)."""
        return ""

    def find(self, folded: dict) -> Found | None:
        """Where it matched in a hit's fields (name -> folded text), or None."""
        return None

    def score(self, r, docs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """Its BM25 contribution for each of ``docs``."""
        return np.zeros(len(docs), dtype=np.float32)

    def typed_candidates(self, m) -> tuple[np.ndarray, bool]:
        """The paragraphs that may hold it as typed, and whether all of them do."""
        return self.match(m), True

    def typed_holds(self, m, docs: np.ndarray) -> np.ndarray:
        """For each of ``docs`` (sorted), whether it holds the node as typed."""
        return m.holds(self.typed_candidates(m)[0], docs)

    def typed_inside(self, m, docs: np.ndarray) -> tuple[np.ndarray, bool]:
        """For each of ``docs``, whether it is among ``typed_candidates``;
        and whether all of those hold the node as typed."""
        ids, sure = self.typed_candidates(m)
        return m.holds(ids, docs), sure

    def units(self) -> list:
        """The units whose closeness in the text counts for proximity."""
        return [self]

    def unit_spans(self, spans_of: dict) -> list:
        """Where this unit stands, from ``spans_of`` (leaf -> its spans)."""
        return sorted(sp for c in self.children() for sp in c.unit_spans(spans_of))


# ---------------------------------------------------------------------------
# leaves


class Leaf(Node):
    """A word the paragraph must hold: what its two kinds share (a literal,
    a latin word or number); each says how it matches and where it stands."""

    text: str

    def leaves(self, out):
        if self not in out:
            out.append(self)

    def words(self):
        return self.text

    def find(self, folded):
        spans = {name: self.spans(text) for name, text in folded.items()}
        return Found(spans, True) if any(spans.values()) else None

    def score(self, r, docs, norm):
        return r.leaf_score(self, docs, norm)

    def unit_spans(self, spans_of):
        return spans_of.get(self, [])


def occurrences(folded: str, word: str) -> list[tuple[int, int]]:
    """Where ``word`` stands in ``folded``: its occurrences that do not
    overlap, first first, as (start, end) ([] for an empty word)."""
    i = folded.find(word)
    if i < 0 or not word:  # most often: not in this text
        return []
    out, n = [], len(word)
    while i >= 0:
        out.append((i, i + n))
        i = folded.find(word, i + n)
    return out


@dataclass(frozen=True)
class Literal(Leaf):
    """A string of Chinese characters that must occur in the folded text."""

    text: str
    is_token = False

    def match(self, m, scope=ANY):
        return m.literal_ids(self.text, scope)

    def typed_word(self):
        return self.text

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return occurrences(folded, self.text)

    def typed_candidates(self, m):
        return m.literal_candidates(self.text)

    def typed_inside(self, m, docs):
        return m.literal_inside(self.text, docs)

    def typed_holds(self, m, docs):
        return m.literal_holds(self.text, docs)

    def __str__(self):
        return _quoted(self.text)


@dataclass(frozen=True)
class Token(Leaf):
    """A latin word or a number that must be a word of the paragraph."""

    text: str
    is_token = True

    def match(self, m, scope=ANY):
        return m.token_ids(self.text, scope)

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return [(s, e) for w, s, e in latin_words(folded) if w == self.text]  # whole words, as analysis cuts them

    def typed_candidates(self, m):
        return m.token_ids(self.text, ANY), True

    def __str__(self):
        return self.text


# ---------------------------------------------------------------------------
# groups


@dataclass(frozen=True)
class Phrase(Node):
    """Everything in ``parts`` and the whole ``text`` literally, in order."""

    text: str
    parts: tuple

    def children(self):
        return self.parts

    def match(self, m, scope=ANY):
        docs = m.intersect([p.match(m, scope) for p in self.parts])
        return m.confirm(docs, scope, lambda t: self.text in " ".join(t.split()))

    def words(self):
        return self.text

    def typed_word(self):
        return self.text

    def find(self, folded):
        spans = {}
        for name, text in folded.items():
            whole = Literal(self.text).spans(text)
            if whole:
                spans[name] = whole
            elif self.text in " ".join(text.split()):  # the phrase across a run of spaces
                spans[name] = [sp for p in self.parts for sp in p.spans(text)]
        return Found(spans, True) if any(spans.values()) else None

    def score(self, r, docs, norm):
        return sum((p.score(r, docs, norm) for p in self.parts), np.zeros(len(docs), dtype=np.float32))

    def units(self):
        return list(self.parts)

    def __str__(self):
        return _quoted(self.text)


@dataclass(frozen=True)
class AllOf(Node):
    """The words jieba cut a typed word into (``whole``: the run they were
    cut from, if any), all required, anywhere."""

    parts: tuple
    whole: str = ""
    typed: str = ""  # where not one run of characters: the word as typed (folded), to print back

    @property
    def tiered(self):
        return bool(self.whole)

    def children(self):
        return self.parts

    def match(self, m, scope=ANY):
        return m.intersect([p.match(m, scope) for p in self.parts])

    def wholes(self, out):
        if self.whole and Literal(self.whole) not in out:
            out.append(Literal(self.whole))
        super().wholes(out)

    def typed_word(self):
        return self.whole

    def find(self, folded):
        parts = [p.find(folded) for p in self.parts]
        if any(p is None for p in parts):
            return None
        if self.whole:
            whole = Literal(self.whole).find(folded)
            if whole:
                return whole
        return Found(union_found(parts), not self.whole and all(p.exact for p in parts))

    def score(self, r, docs, norm):
        return sum((p.score(r, docs, norm) for p in self.parts), np.zeros(len(docs), dtype=np.float32))

    def typed_candidates(self, m):
        return m.literal_candidates(self.whole) if self.whole else super().typed_candidates(m)

    def typed_inside(self, m, docs):
        return m.literal_inside(self.whole, docs) if self.whole else super().typed_inside(m, docs)

    def typed_holds(self, m, docs):
        return m.literal_holds(self.whole, docs) if self.whole else super().typed_holds(m, docs)

    def units(self):
        return list(self.parts)

    def unit_spans(self, spans_of):
        whole = spans_of.get(Literal(self.whole), []) if self.whole else []
        return whole or super().unit_spans(spans_of)

    def __str__(self):
        return self.whole or self.typed or " ".join(map(str, self.parts))


@dataclass(frozen=True)
class AnyOf(Node):
    """Alternatives: ``a OR b``, or a typed word and its synonyms."""

    options: tuple
    expanded: bool = False  # options after the first are synonyms of it
    typed: str = ""  # where expanded: the word as typed, which the synonyms widened
    # where expanded: for each synonym, whether it names the same thing as the typed word (its
    # renaming, or its contraction: parse.same_thing), and counts as the typed word does
    same: tuple = ()

    tiered = True

    def children(self):
        return self.options

    @property
    def needs_text(self):
        return any(o.needs_text for o in self.options)

    def match(self, m, scope=ANY):
        return m.union([o.match(m, scope) for o in self.options])

    def own(self, m):
        # an alternative scoped to a field is held where it matched
        return m.union([o.own(m) if o.needs_text else o.match(m) for o in self.options])

    def expansions(self, out):
        if self.expanded:
            added = out.setdefault(self.typed, [])
            added += [w for w in (o.words() for o in self.options[1:]) if w not in added]
        else:
            super().expansions(out)

    def typed_word(self):
        return self.options[0].typed_word() if self.expanded else ""

    def find(self, folded):
        found = [f for f in (o.find(folded) for o in self.options) if f]
        if not found:
            return None
        exact = [f for f in found if f.exact]
        return Found(union_found(exact or found), bool(exact))

    def score(self, r, docs, norm):
        best = None
        for i, option in enumerate(self.options):
            s = option.score(r, docs, norm)
            if self.expanded and i and not self._same(i):
                s = s * r.synonym_weight  # a word found only through a synonym counts less
            best = s if best is None else np.maximum(best, s)
        return best

    def _same(self, i: int) -> bool:
        return bool(self.same) and i > 0 and self.same[i - 1]

    def _as_typed(self) -> list:
        """The options that stand for the word as typed: the typed word, and
        the synonyms naming the same thing; all options where not expanded."""
        if not self.expanded:
            return list(self.options)
        return [o for i, o in enumerate(self.options) if i == 0 or self._same(i)]

    def typed_candidates(self, m):
        options = self._as_typed()
        if len(options) == 1:
            return options[0].typed_candidates(m)
        parts = [o.typed_candidates(m) for o in options]
        return m.union([ids for ids, _ in parts]), all(sure for _, sure in parts)

    def typed_inside(self, m, docs):
        # among the union of the options' candidates: among one option's
        inside, sure = None, True
        for option in self._as_typed():
            found, certain = option.typed_inside(m, docs)
            inside = found if inside is None else inside | found
            sure = sure and certain
        return inside, sure

    def typed_holds(self, m, docs):
        out = np.zeros(len(docs), dtype=bool)
        for option in self._as_typed():
            out |= option.typed_holds(m, docs)
        return out

    def unit_spans(self, spans_of):
        return sorted(sp for o in self.options for sp in o.unit_spans(spans_of))

    def __str__(self):
        if self.expanded:
            return self.typed
        return " OR ".join(map(str, self.options))


@dataclass(frozen=True)
class Not(Node):
    """A clause no hit may match: ``-词`` or ``NOT 词``."""

    node: Node
    negated = True

    def match(self, m, scope=ANY):
        return self.node.match(m, scope)

    def leaves(self, out):
        pass  # an excluded word is never marked

    def wholes(self, out):
        pass

    def expansions(self, out):
        self.node.expansions(out)

    def __str__(self):
        return "NOT " + str(self.node)


# ---------------------------------------------------------------------------
# fields


@dataclass(frozen=True)
class InField(Node):
    """``title:词``, ``heading:词``, ``text:词``: the word (or quoted
    phrase) ``node`` matched in that field only."""

    name: str  # TITLE, HEADING or TEXT
    node: Node

    @property
    def needs_text(self):
        return self.name == TEXT

    def children(self):
        return (self.node,)

    def match(self, m, scope=ANY):
        return self.node.match(m, self.name)

    def own(self, m):
        return self.match(m)

    def leaves(self, out):
        if self.name == TEXT:
            self.node.leaves(out)

    def wholes(self, out):
        if self.name == TEXT:
            self.node.wholes(out)

    def typed_word(self):
        return ""

    def find(self, folded):
        return self.node.find({self.name: folded[self.name]}) if self.name in folded else None

    def score(self, r, docs, norm):
        return self.node.score(r, docs, norm) if self.name == TEXT else super().score(r, docs, norm)

    def units(self):
        return self.node.units() if self.name == TEXT else []

    def unit_spans(self, spans_of):
        return self.node.unit_spans(spans_of)

    def __str__(self):
        value = str(self.node)
        return f"{self.name}:{value if ' ' not in value else _quoted(value)}"


@dataclass(frozen=True)
class MetaField(Node):
    """``source:名``, ``issuer:名``, ``docno:号``: the article's publisher,
    issuing office or document number holds ``value`` (folded, spaces
    dropped), in either script."""

    name: str  # "source", "issuer" or "docno"
    value: str
    needs_text = False
    ATTRS = {"source": "source", "issuer": "issuer", "docno": "doc_number"}  # the stored record's names

    def match(self, m, scope=ANY):
        return m.article_field_ids(self.ATTRS[self.name], self.value)

    def own(self, m):
        return self.match(m)

    def leaves(self, out):
        pass

    def __str__(self):
        return f"{self.name}:{_quoted(self.value)}"


@dataclass
class Query:
    """A parsed query: its clauses, AND'ed (``Not`` clauses excluded)."""

    raw: str
    clauses: list = field(default_factory=list)

    @property
    def must(self) -> list:
        return [c for c in self.clauses if not c.negated]

    @property
    def must_not(self) -> list:
        return [c.node for c in self.clauses if c.negated]

    def positive_leaves(self) -> list:
        """The words to mark and place in a hit's text."""
        out: list = []
        for node in self.must:
            node.leaves(out)
        return out

    def expanded(self) -> dict[str, list[str]]:
        """Each typed word that synonyms widened -> the words added (folded)."""
        out: dict[str, list[str]] = {}
        for node in self.clauses:
            node.expansions(out)
        return out

    def __str__(self) -> str:
        """The query as the parser reads it back (words folded)."""
        return " ".join(map(str, self.clauses))


def fold_value(value: str) -> str:
    """A field value as matched: folded, spaces dropped."""
    return "".join(fold(value).split())
