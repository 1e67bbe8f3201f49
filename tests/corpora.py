"""The shared corpora (pages no one here wrote) and the hand labels of
``tests/data/shared_pages_labels.json``: where the corpora are, how a label
is compared with what ingestion made of a page.

The labels keep no page text: a title, publisher, issuer or document number
is stored as the SHA-1 of its normalized form (NFKC, whitespace removed,
traditional folded to simplified by OpenCC ``t2s``), so a test can tell
whether ingestion found it without the repository holding the sites' text.
Used by ``tests/test_shared_pages.py`` and ``bench/ingest``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "shared_pages_labels.json"
FIELDS = ("title", "date", "publisher")

_SPACE = re.compile(r"\s+")


def corpora_dir() -> Path | None:
    """The folder of the shared corpora: $ZHSEARCH_CORPORA, else
    <repo>/../shared/corpora (a CI clone's sibling), else /work/shared/corpora;
    None when none of them exists."""
    env = os.environ.get("ZHSEARCH_CORPORA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "corpora", Path("/work/shared/corpora")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def pages_dir_or_skip() -> Path:
    """The shared HTML pages folder, or a pytest skip saying where it was looked for."""
    import pytest

    found = corpora_dir()
    if found is None or not (found / "pages").is_dir():
        pytest.skip("shared corpora not found: set ZHSEARCH_CORPORA, or put them at "
                    f"{ROOT.parent / 'shared' / 'corpora'} (pages/ inside)")
    return found / "pages"


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalize(text: str) -> str:
    """The form labels are hashed in: NFKC, no whitespace, simplified script."""
    return _t2s().convert(_SPACE.sub("", unicodedata.normalize("NFKC", text)))


def digest(text: str | None) -> str | None:
    """SHA-1 (hex) of the normalized text; None for no text."""
    if text is None or not normalize(text):
        return None
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()


def load_labels() -> dict[str, dict]:
    """Path relative to pages/ -> label."""
    return json.loads(LABELS.read_text(encoding="utf-8"))["pages"]


@dataclass
class Verdict:
    """What ingestion made of one labelled page, field by field."""

    path: str
    split: str
    origin: str
    kind: str  # what the label says: "article" or "list"
    read_as_list: bool  # ingestion gave no article (a list page it skipped, or nothing read)
    error: str | None = None
    right: dict[str, bool] = field(default_factory=dict)  # title/date/publisher (articles only)
    got: dict[str, str | None] = field(default_factory=dict)  # the extracted title and date


def judge(path: str, label: dict, articles: list, error: str | None = None) -> Verdict:
    """Compare a page's label with the articles ``read_file`` gave for it.
    The page's article is the first one (a page is one article); a page
    that gave none was skipped (as a list page, or unreadable: ``error``)."""
    verdict = Verdict(path=path, split=label["split"], origin=path.split("/", 1)[0],
                      kind=label["kind"], read_as_list=not articles, error=error)
    if label["kind"] != "article":
        return verdict
    if not articles:  # an article page skipped or unreadable has nothing right
        verdict.got = dict.fromkeys(FIELDS)
        verdict.right = dict.fromkeys(FIELDS, False)
        return verdict
    article = articles[0]
    title = article.title or None
    date = article.date
    source = article.source or None
    verdict.got = {"title": title, "date": date, "publisher": source}
    verdict.right = {
        "title": digest(title) == label["title"],
        "date": date == label["date"],
        # a page may show its publisher in more than one form (the 来源 line
        # and a 本文来源 line at the end); any of them is right, and a page
        # that shows none is right only when nothing was made up
        "publisher": (digest(source) in label["publisher"]) if label["publisher"]
        else source is None,
    }
    return verdict


def read_page(pages: Path, path: str) -> tuple[list, str | None]:
    """The articles ingestion makes of one page, and the error if it failed."""
    from search.ingest import read_file
    from search.model import IngestError

    try:
        return read_file(pages / path), None
    except IngestError as exc:
        return [], str(exc)


def shares(verdicts: list[Verdict]) -> dict[str, float]:
    """Share of article pages with each field right (0..1); 'n' their count."""
    articles = [v for v in verdicts if v.kind == "article"]
    out = {"n": len(articles)}
    for name in FIELDS:
        out[name] = sum(v.right[name] for v in articles) / len(articles) if articles else 1.0
    return out
