"""Domain synonyms from a data file, read at query time: editing the file
changes the next search, with no re-index and no restart.

Two kinds of line (``search/data/synonyms.txt``):

- a group, ``扶贫车间 帮扶车间 社区工厂``: words that find each other;
- a short name, ``城乡居民基本养老保险 = 城乡居民养老保险``: the names on the
  right are the left one shortened (a document's 以下简称); they find each
  other, and ranking counts them as the name typed (``same``), where a
  group's other words count less;
- a renaming, ``小额担保贷款 → 创业担保贷款 (2015)``: the name on the right
  replaced the one(s) on the left in that year.  A search on either finds
  both, and the answer says which is the old name and which the new
  (``renamings``).  Several old names may share one line
  (``新型农村合作医疗 城镇居民基本医疗保险 → 城乡居民基本医疗保险 (2016)``,
  two schemes merged): each finds the new name, the new name finds both,
  but the old names do not find each other (they were different things).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from search.text.analysis import fold
from search.datafiles import data_path

log = logging.getLogger("search")

_SPLIT = re.compile(r"[\s,，、]+")
_ARROW = re.compile(r"→|->")
_EQUALS = re.compile(r"[=＝]")
_YEAR = re.compile(r"[(（]\s*(\d{4})\s*[)）]\s*$")


@dataclass(frozen=True)
class Renaming:
    """``word`` is the ``old`` name (``"old"``) or the ``new`` name
    (``"new"``) of the word it is listed under; ``year``: when the new name
    took over (None when the file gives none)."""

    word: str
    kind: str  # "old" or "new"
    year: int | None


class Synonyms:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else data_path("synonyms.txt")
        self._mtime = None
        self._groups: dict[str, list[str]] = {}
        self._renamings: dict[str, list[Renaming]] = {}
        self._same: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except OSError:
            self._groups, self._renamings, self._same, self._mtime = {}, {}, {}, None
            return
        if mtime == self._mtime:
            return
        groups: dict[str, list[str]] = {}
        renamings: dict[str, list[Renaming]] = {}
        same: dict[str, list[str]] = {}

        def add(word: str, others) -> None:
            have = groups.setdefault(word, [])
            have += [x for x in others if x != word and x not in have]

        for no, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if _EQUALS.search(line) and not _ARROW.search(line):
                sides = [[fold(w) for w in _SPLIT.split(side) if w] for side in _EQUALS.split(line)]
                if len(sides) != 2 or len(sides[0]) != 1 or not sides[1] or sides[0][0] in sides[1]:
                    log.warning("%s:%d: a short name is NAME = SHORT [SHORT ...]; line ignored", self.path, no)
                    continue
                words = sides[0] + sides[1]
                for w in words:
                    add(w, words)
                    have = same.setdefault(w, [])
                    have += [x for x in words if x != w and x not in have]
                continue
            if not _ARROW.search(line):
                words = [fold(w) for w in _SPLIT.split(line) if w]
                for w in words:
                    add(w, words)
                continue
            parsed = _renaming(line)
            if parsed is None:
                # a user-edited file: say which line is wrong, keep the rest working
                log.warning("%s:%d: a renaming is OLD → NEW (YEAR), one new name; line ignored", self.path, no)
                continue
            olds, new, year = parsed
            add(new, olds)
            for old in olds:
                add(old, [new])
                renamings.setdefault(old, []).append(Renaming(new, "new", year))
                renamings.setdefault(new, []).append(Renaming(old, "old", year))
        self._groups, self._renamings, self._same, self._mtime = groups, renamings, same, mtime

    def groups(self) -> dict[str, list[str]]:
        """Every folded word the file widens -> the words it adds."""
        with self._lock:
            self._load()
            return {w: list(ws) for w, ws in self._groups.items()}

    def renamings(self, folded_word: str) -> list[Renaming]:
        """The names ``folded_word`` replaced or was replaced by."""
        with self._lock:
            self._load()
            return list(self._renamings.get(folded_word, []))

    def same(self, folded_word: str) -> list[str]:
        """The names the file says are ``folded_word`` shortened, or its full name."""
        with self._lock:
            self._load()
            return list(self._same.get(folded_word, []))

    def __call__(self, folded_word: str) -> list[str]:
        with self._lock:
            self._load()
            return list(self._groups.get(folded_word, []))


def _renaming(line: str) -> tuple[list[str], str, int | None] | None:
    """``OLD [OLD ...] → NEW [(YEAR)]`` as (old names, new name, year), all
    folded; None for a line that is not one."""
    sides = _ARROW.split(line)
    if len(sides) != 2:
        return None
    left, right = sides
    m = _YEAR.search(right)
    year = int(m.group(1)) if m else None
    if m:
        right = right[:m.start()]
    olds = [fold(w) for w in _SPLIT.split(left) if w]
    news = [fold(w) for w in _SPLIT.split(right) if w]
    if not olds or len(news) != 1 or news[0] in olds:
        return None
    return olds, news[0], year
