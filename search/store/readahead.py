"""Asking the kernel to read a served state's files into the page cache
as it is opened, as Lucene's MMapDirectory preload and Elasticsearch's
``index.store.preload`` do.

After a reboot, or when other work pushed the index out of memory, a
search's first touch of a term dictionary page, a postings block or a
stored record is a disk read: on the 新闻联播 archive the first searches
after dropping the page cache took 20-60 ms each where they take 4-6 with
the files in memory (bench/README.md, "Read ahead at open").  The advice
is mostly asynchronous: the kernel queues the reads and opening waits
for little of them, and where the pages are already cached it costs next
to nothing.

Files are asked for smallest first (the term dictionaries and columns
every search touches, then the postings arrays, then the stored records),
while their sizes sum to at most a share of the memory available, so an
index larger than the machine's memory does not push itself (and
everything else) out of the cache while being read in."""
from __future__ import annotations

import os

MEMORY_SHARE = 0.5  # of MemAvailable: the rest stays for the processes and other files
# Linux reads at most one readahead window (read_ahead_kb, 128 KB by default)
# per WILLNEED call: advised whole, a 262 MB file got 8 MB into the cache
# (read_ahead_kb 8192 here); in 128 KB steps all of it.  Cost of the calls:
# 3 ms for those 262 MB when cached, 40 ms when not (the kernel queues the
# rest of the reads and returns)
CHUNK = 128 << 10


def available_memory() -> int | None:
    """MemAvailable in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def read_ahead(folder: str, names: list[str], budget: int | None = None) -> list[str]:
    """Advise WILLNEED on the files ``names`` of ``folder``, smallest first,
    while their sizes sum to at most ``budget`` bytes (default: a share of
    the memory available; no advice at all where that is unknown).  Returns
    the names advised.  Never raises: read-ahead is a hint, and a file that
    vanished or a system without ``posix_fadvise`` loses nothing but speed."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return []
    if budget is None:
        avail = available_memory()
        if avail is None:
            return []
        budget = int(avail * MEMORY_SHARE)
    sized = []
    for name in names:
        try:
            sized.append((os.path.getsize(os.path.join(folder, name)), name))
        except OSError:
            continue
    done, total = [], 0
    for size, name in sorted(sized):
        if total + size > budget:
            break
        try:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
        except OSError:
            continue
        try:
            for at in range(0, size, CHUNK):
                advise(fd, at, CHUNK, os.POSIX_FADV_WILLNEED)
            done.append(name)
            total += size
        except OSError:
            pass
        finally:
            os.close(fd)
    return done
