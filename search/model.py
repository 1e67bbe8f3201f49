"""The domain objects that flow from ingestion to the index and the pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Paragraph:
    """One content paragraph of an article: the unit of search."""

    para_no: int  # 1-based, in reading order
    text: str  # cleaned, in the article's original script
    heading: str | None = None  # the section heading it sits under
    province: list[str] = field(default_factory=list)  # simplified short names
    years: list[int] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)  # keys of measures.tsv

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Article:
    """A cleaned article, cut into labelled paragraphs."""

    doc_id: str
    title: str | None  # None when the page shows no headline
    source: str | None = None  # the publication
    date: str | None = None  # ISO yyyy-mm-dd, or None when the page shows none
    url: str | None = None
    issuer: str | None = None  # 发文机关, for a policy document
    doc_number: str | None = None  # 发文字号 (文号), likewise
    path: str | None = None  # the file it was read from
    province: list[str] = field(default_factory=list)  # the article's own
    paragraphs: list[Paragraph] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # page furniture dropped
    # the same lines, each with the rule that dropped it: {"line": ..., "rule": ...}
    dropped: list[dict] = field(default_factory=list)
    private_use_dropped: int = 0  # Private Use Area code points removed (they show as empty boxes)
    long_lines_split: int = 0  # lines over the paragraph length limit, cut into paragraphs at sentence ends
    long_lines_cut: int = 0  # of those, lines cut mid-sentence (no sentence end within the limit)
    mojibake_dropped: list[str] = field(default_factory=list)  # runs a bad conversion left, removed

    def to_dict(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "path": self.path,
            "province": list(self.province),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "skipped": list(self.skipped),
            "dropped": [dict(d) for d in self.dropped],
            "private_use_dropped": self.private_use_dropped,
            "long_lines_split": self.long_lines_split,
            "long_lines_cut": self.long_lines_cut,
            "mojibake_dropped": list(self.mojibake_dropped),
        }


class IngestError(Exception):
    """A source file that cannot be read: carries the file name and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ListPageSkipped(IngestError):
    """An HTML page of links (an index or a channel's front page), not an
    article: skipped and counted apart from the files that failed."""

    PREFIX = "list page skipped"

    def __init__(self, path: str, why: str):
        super().__init__(path, f"{self.PREFIX}: {why}")
