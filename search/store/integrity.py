"""An index that checks itself, like Lucene's CheckIndex or SQLite's
``PRAGMA integrity_check``.

At every commit ``record`` writes ``zhsearch-sums-<generation>.json``
beside the table of contents it is about to commit: the size and CRC-32
of every file of the generation's segments, and the values each bit-mask
facet had then (the metadata only ever appends values, so what a
generation's masks mean is the prefix it recorded).

``verify`` checks a generation against it.  The cheap part (``full=False``:
sizes, checksums of the numeric columns, the metadata's vocabularies)
runs whenever a generation is opened, by every command; ``zhsearch check``
adds the checksum of every file (``full=True``).  Either raises
``IndexDamaged`` naming the folder and ``zhsearch index --rebuild``.  A
generation with segments and no record of their sums is damaged too: its
files can no longer be checked.

``Served`` is a generation's files as a server holds them open: ``serve``
checksums every file it has not yet checked when it opens a generation,
compares their sizes with the record before its requests read them (a
memory-mapped file cut short would kill the process with SIGBUS), and
checksums them all again in the background, at a bounded pace.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from search.store.schema import INDEX_NAME, REBUILD_HINT, IndexDamaged

CHUNK = 4 << 20  # bytes read between two looks at the pace
CHEAP_SUFFIXES = (".col",)  # checksummed at every open, except the stored records
EXPENSIVE = ("._stored.col",)


def sums_path(index_dir, generation: int) -> Path:
    return Path(index_dir) / f"zhsearch-sums-{generation}.json"


def crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
    return crc


def segment_files(index_dir, segids) -> list[str]:
    """The files in ``index_dir`` of the segments named by ``segids``."""
    prefixes = tuple(f"{INDEX_NAME}_{s}." for s in segids)
    return sorted(n for n in os.listdir(index_dir) if n.startswith(prefixes))


def record(index_dir, generation: int, segids, meta) -> None:
    """Write the sums of the generation about to be committed (reusing the
    previous generation's for files it already summed at the same size)."""
    index_dir = Path(index_dir)
    previous = _load(index_dir, generation - 1) or {}
    old = previous.get("files", {})
    files = {}
    for name in segment_files(index_dir, segids):
        size = (index_dir / name).stat().st_size
        known = old.get(name)
        files[name] = known if known and known["size"] == size else {"size": size, "crc32": crc32(index_dir / name)}
    doc = {"generation": generation, "files": files,
           "vocab": {name: list(v.keys) for name, v in meta.vocab.items()}}
    tmp = sums_path(index_dir, generation).with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, sums_path(index_dir, generation))
    for p in index_dir.glob("zhsearch-sums-*.json"):  # keep this generation's and the one before
        try:
            if int(p.stem.rsplit("-", 1)[1]) < generation - 1:
                p.unlink()
        except (ValueError, OSError):
            pass


def _load(index_dir, generation: int) -> dict | None:
    p = sums_path(index_dir, generation)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise damaged(index_dir, f"{p.name} cannot be read ({e})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), dict) or raw.get("generation") != generation:
        raise damaged(index_dir, f"{p.name} is not a checksum list of generation {generation}")
    return raw


def _required(index_dir, generation: int, segids) -> dict | None:
    """The generation's sums; None for a generation without segments (an
    empty index), which needs none."""
    sums = _load(index_dir, generation)
    if sums is None and list(segids):
        raise damaged(index_dir, f"{sums_path(index_dir, generation).name}, the record of its files' sizes "
                                 "and checksums, is missing")
    return sums


def damaged(index_dir, why: str) -> IndexDamaged:
    return IndexDamaged(f"the index in {index_dir} is damaged ({why}): run `{REBUILD_HINT}`")


def verify(index_dir, generation: int, segids, meta, full: bool = False) -> int:
    """Check generation ``generation`` (its segments ``segids``) against its
    recorded sums; returns how many files were checked.  Raises
    IndexDamaged.  A generation without segments (an empty index) has no
    sums to check; one with segments and no record of their sums is damaged."""
    index_dir = Path(index_dir)
    sums = _required(index_dir, generation, segids)
    if sums is None:
        return 0
    for name, keys in (sums.get("vocab") or {}).items():
        have = meta.vocab.get(name)
        if have is None or have.keys[:len(keys)] != keys:
            raise damaged(index_dir, f"the values of facet {name!r} in zhsearch.json are not those "
                                     "its paragraphs were stored with")
    files = sums["files"]
    present = set(segment_files(index_dir, segids))
    for name in sorted(present - set(files)):
        raise damaged(index_dir, f"{name} is not a file this generation committed")
    for name, expected in files.items():
        p = index_dir / name
        try:
            size = p.stat().st_size
        except OSError:
            raise damaged(index_dir, f"{name} is missing") from None
        if size != expected["size"]:
            raise damaged(index_dir, f"{name} has {size} bytes, {expected['size']} were written")
        cheap = name.endswith(CHEAP_SUFFIXES) and not name.endswith(EXPENSIVE)
        if (full or cheap) and crc32(p) != expected["crc32"]:
            raise damaged(index_dir, f"{name} does not hold what was written (checksum)")
    return len(files)


class Pace:
    """Sleeps as needed to read at most ``bytes_per_second`` (None: no bound)."""

    def __init__(self, bytes_per_second: float | None):
        self.rate = bytes_per_second
        self.start = time.monotonic()
        self.done = 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.rate:
            ahead = self.done / self.rate - (time.monotonic() - self.start)
            if ahead > 0:
                time.sleep(ahead)


class Served:
    """The files of one generation as a reader opened them: what its commit
    recorded of each (size, CRC-32) and which file (inode) was opened.  A
    file deleted or replaced since (a later commit's clean-up, a restore)
    is not the one being read, which stays as it was: only a file changed
    in place is damage to what is served."""

    def __init__(self, index_dir, generation: int, segids):
        self.dir = Path(index_dir)
        self.generation = generation
        sums = _required(self.dir, generation, segids)
        self.files: dict[str, dict] = sums["files"] if sums else {}
        self.inodes: dict[str, int] = {}
        for name in self.files:
            try:
                self.inodes[name] = os.stat(self.dir / name).st_ino
            except OSError:
                raise damaged(self.dir, f"{name} is missing") from None

    def sizes(self) -> str | None:
        """Why a file being read no longer has the size written, or None."""
        for name, expected in self.files.items():
            try:
                st = os.stat(self.dir / name)
            except OSError:
                continue
            if st.st_ino == self.inodes[name] and st.st_size != expected["size"]:
                return f"{name} has {st.st_size} bytes, {expected['size']} were written"
        return None

    def record_gone(self) -> str | None:
        """Why the generation, still the newest, can no longer be checked
        (its record of sums was deleted), or None."""
        if self.files and not sums_path(self.dir, self.generation).exists():
            return f"{sums_path(self.dir, self.generation).name}, the record of its files' sizes and checksums, is missing"
        return None

    def checksums(self, pace: Callable[[int], None] | None = None, stop: Callable[[], bool] = lambda: False,
                  known: dict | None = None) -> str | None:
        """Why a file being read does not hold what was written (its size or
        checksum), or None.  ``pace`` is told every chunk read; ``stop``
        ends the pass early (nothing found); ``known`` (name -> (inode, size,
        mtime)) holds the files already found intact, skipped and added to."""
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        for name, expected in self.files.items():
            if stop():
                return None
            try:
                f = open(self.dir / name, "rb")
            except OSError:
                continue
            with f:
                st = os.fstat(f.fileno())
                if st.st_ino != self.inodes[name]:
                    continue
                if st.st_size != expected["size"]:
                    return f"{name} has {st.st_size} bytes, {expected['size']} were written"
                stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
                if known is not None and known.get(name) == stamp:
                    continue
                crc = 0
                while n := f.readinto(buf):
                    crc = zlib.crc32(view[:n], crc)
                    if pace is not None:
                        pace(n)
                if crc != expected["crc32"]:
                    return f"{name} does not hold what was written (checksum)"
                if known is not None:
                    known[name] = stamp
        return None
