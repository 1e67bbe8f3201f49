"""The fingerprint of a paragraph's text, for finding the same report
printed in several articles (转载): a key of its normalized text, the same
for two texts that differ only in script (traditional, simplified), width,
case, spaces and punctuation.  It is made at indexing, a paragraph at a
time, so an update fingerprints only what it adds.

Texts that are nearly the same (a few characters changed) are not joined:
on the real archive they are mostly different events told in one formula
(a year, a name changed) or one quotation in different reports; the
figures are in docs/architecture.md ("Reprints").
"""

from __future__ import annotations

import hashlib
import unicodedata

from search.text.analysis import fold

MIN_CHARS = 30  # a shorter paragraph (a dateline, a byline) is the same everywhere by chance


class _Dropped(dict):
    """A ``str.translate`` table deleting spaces, punctuation, symbols and
    control characters, filled as characters are met (a character at a time
    in Python was a tenth of indexing a paragraph)."""

    def __missing__(self, code: int):
        out = self[code] = None if unicodedata.category(chr(code))[0] in "PSZC" else code
        return out


_DROPPED = _Dropped()


def normalized(text: str) -> str:
    """``text`` folded (traditional to simplified, full width to half, lower
    case), without spaces, punctuation, symbols or control characters."""
    return fold(text).translate(_DROPPED)


def text_key(text: str) -> int:
    """A 63-bit key of the normalized text; 0 for a text too short to count."""
    norm = normalized(text)
    if len(norm) < MIN_CHARS:
        return 0
    return (int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "big") >> 1) or 1
