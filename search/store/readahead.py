"""Asking the kernel to read a served state's files into the page cache
as it is opened, as Lucene's MMapDirectory preload and Elasticsearch's
``index.store.preload`` do.

After a reboot, or when other work pushed the index out of memory, a
search's first touch of a term dictionary page, a postings block or a
stored record is a disk read: on the 新闻联播 archive the first searches
after dropping the page cache took 7-80 ms (p95 26-29) where they take 3-7
with the files in memory (bench/README.md, "Read ahead at open").  The advice
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
    """The memory this process could still fill, in bytes: MemAvailable
    (Linux), or what its control group's limit leaves where that is less
    (in a container MemAvailable is the host's, and the page cache a group
    reads counts against its limit); None where neither can be read."""
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    room = cgroup_room()
    if room is not None:
        avail = room if avail is None else min(avail, room)
    return avail


def cgroup_room(proc_cgroup: str = "/proc/self/cgroup", root: str = "/sys/fs/cgroup") -> int | None:
    """The memory limit of this process's control group less what the
    group uses (cgroup v2 ``memory.max``/``memory.current``, else v1's
    ``memory.limit_in_bytes``/``memory.usage_in_bytes``), or None where
    there is no limit or it cannot be read."""
    try:
        with open(proc_cgroup, encoding="utf-8") as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return None
    places = []
    for parts in lines:
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # v2: one unified hierarchy
            places.append((os.path.join(root, path.lstrip("/")), "memory.max", "memory.current"))
        elif "memory" in controllers.split(","):
            places.append((os.path.join(root, "memory", path.lstrip("/")),
                           "memory.limit_in_bytes", "memory.usage_in_bytes"))
    for folder, limit_name, usage_name in places:
        try:
            with open(os.path.join(folder, limit_name), encoding="ascii") as f:
                limit = f.read().strip()
            with open(os.path.join(folder, usage_name), encoding="ascii") as f:
                usage = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:  # no limit set
            continue
        return max(0, int(limit) - usage)
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
