"""What a reader gives for one article: text and the metadata its format carries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawRecord:
    """One article as read from a file, before cleaning."""

    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None
    line_no: int | None = None  # 1-based line of a .jsonl file
    issuer: str | None = None  # a policy document's 发文机关
    doc_number: str | None = None  # ...and its 发文字号
    furniture: list[str] = field(default_factory=list)  # dropped by the reader (HTML navigation...)
