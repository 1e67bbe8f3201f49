#!/usr/bin/env python3
"""Export benchmark: rows a second and the server's memory while
``/api/export`` streams many hits from the real server.

    .venv/bin/python bench/export.py --index bench/corpus/index-p100000 [--rows 100000] [--format csv]

Starts ``python -m search serve`` over the index on a free local port,
runs one search to warm it, then downloads an export (browse: every
paragraph, newest first, unless ``--q`` says otherwise) and stops after
``--rows`` rows.  Rows a second count from sending the request to the
last row read; the server's resident set (``VmRSS``) is sampled every 50 ms
from before the request to the end: growth = peak during the export minus
the RSS before it; the server's CPU seconds (user + system, its
processes) and the load average are given beside the rate, which on a
shared machine moves with the other jobs.  The result (with the machine, date and commit) goes to
``bench/results/DATE-export-ROWS.json`` and is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (``VmRSS``), or its anonymous part
    (``RssAnon``: not the pages of the index's memory-mapped files, which
    are the page cache, shared and given back under pressure)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def server_rss(pid: int) -> dict[int, float]:
    """VmRSS of the server and of each worker it forked (the export is
    answered by one of the workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(x) for x in f.read().split()]
    except OSError:
        children = []
    return {p: rss_mb(p) for p in [pid] + children}


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of the server and the workers it forked
    (the export's cost whatever else the machine runs meanwhile)."""
    total = 0.0
    for p in server_rss(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def server_anon(pid: int) -> dict[int, float]:
    """``RssAnon`` of the server and of each worker it forked."""
    return {p: rss_mb(p, "RssAnon") for p in server_rss(pid)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    ap.add_argument("--q", default="", help="the query (default: browse every paragraph)")
    ap.add_argument("--sort", default="relevance", choices=["relevance", "date_desc", "date_asc"])
    ap.add_argument("--workers", type=int, default=None,
                    help="the server's workers (default: its own); with 1, the process the warm-up search "
                         "reached is the one that exports, so its growth is the export's alone")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = ["--workers", str(args.workers)] if args.workers else []
    server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", args.index, "--port", str(port),
                               *workers],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    stats = json.load(r)
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
        with urllib.request.urlopen(base + "/api/search?" + urllib.parse.urlencode({"q": args.q or "扶贫"})) as r:
            r.read()  # warm
        before = server_rss(server.pid)
        anon_before = server_anon(server.pid)
        peak = dict(before)
        anon_peak = dict(anon_before)
        done = threading.Event()

        def sample():
            while not done.is_set():
                for p, mb in server_rss(server.pid).items():
                    peak[p] = max(peak.get(p, 0.0), mb)
                for p, mb in server_anon(server.pid).items():
                    anon_peak[p] = max(anon_peak.get(p, 0.0), mb)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        url = base + "/api/export?" + urllib.parse.urlencode({"q": args.q, "format": args.format, "sort": args.sort})
        cpu0 = cpu_seconds(server.pid)
        t0 = time.perf_counter()
        rows = -1 if args.format == "csv" else 0  # the CSV's header line
        nbytes = 0
        with urllib.request.urlopen(url) as r:
            total_header = r.headers.get("Content-Disposition")
            for line in r:
                nbytes += len(line)
                rows += 1
                if rows >= args.rows:
                    break
        seconds = time.perf_counter() - t0
        server_cpu = cpu_seconds(server.pid) - cpu0
        done.set()
        sampler.join()
        after = server_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    result = {
        "date": date.today().isoformat(), "commit": commit,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "cpu": _cpu_name()},
        "index": {"path": args.index, **stats},
        "query": args.q, "sort": args.sort, "format": args.format, "file_name": total_header,
        "rows": rows, "bytes": nbytes, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds),
        # the server's CPU time for the export, and the load the machine was under
        "server_cpu_seconds": round(server_cpu, 2), "rows_per_cpu_second": round(rows / max(server_cpu, 1e-9)),
        "load_average": os.getloadavg(),
        # each process of the server (the parent, the workers): the growth is the largest of theirs
        "server_rss_mb": {"per_process": [{"before": round(before.get(p, 0), 1), "peak": round(peak[p], 1),
                                           "after": round(after.get(p, 0), 1)} for p in peak],
                          "growth": round(max(peak[p] - before.get(p, peak[p]) for p in peak), 1),
                          # the same for anonymous memory alone (the mapped index pages left out)
                          "anon_growth": round(max(anon_peak[p] - anon_before.get(p, anon_peak[p])
                                                   for p in anon_peak), 1)},
    }
    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"{result['date']}-export-{rows}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def _cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    raise SystemExit(main())
