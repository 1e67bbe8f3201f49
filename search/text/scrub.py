"""Text that can always be written out as UTF-8.

Python strings may hold lone surrogates (U+D800-U+DFFF): a ``.jsonl``
line's ``"\\ud800"``, or the bytes of a command-line argument or file name
that were not UTF-8 (decoded with ``surrogateescape``).  No UTF-8 encoder
accepts them, so an answer that holds one fails as a whole.  ``scrub``
replaces each with U+FFFD, as a browser shows bytes it cannot decode.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def scrub_counted(text: str) -> tuple[str, int]:
    """``text`` scrubbed, and how many characters were replaced."""
    return _LONE_SURROGATE.subn(REPLACEMENT, text)


def printable_path(path) -> str:
    """A file name for messages: bytes that were not UTF-8 shown as ``\\xNN``."""
    s = str(path)
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
