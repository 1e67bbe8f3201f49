"""Domain synonyms from a data file, read at query time: editing the file
changes the next search, with no re-index and no restart."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from search.text.analysis import fold
from search.datafiles import data_path


class Synonyms:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else data_path("synonyms.txt")
        self._mtime = None
        self._groups: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except OSError:
            self._groups, self._mtime = {}, None
            return
        if mtime == self._mtime:
            return
        groups: dict[str, list[str]] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0]
            words = [fold(w) for w in re.split(r"[\s,，、]+", line) if w]
            for w in words:
                groups.setdefault(w, [])
                groups[w] += [x for x in words if x != w and x not in groups[w]]
        self._groups, self._mtime = groups, mtime

    def groups(self) -> dict[str, list[str]]:
        """Every folded word the file widens -> the words it adds."""
        with self._lock:
            self._load()
            return {w: list(ws) for w, ws in self._groups.items()}

    def __call__(self, folded_word: str) -> list[str]:
        with self._lock:
            self._load()
            return list(self._groups.get(folded_word, []))
