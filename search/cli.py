"""The ``zhsearch`` command line (also ``python -m search``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 2, 3


def default_index_dir() -> str:
    env = os.environ.get("ZHSEARCH_INDEX")
    if env:
        return env
    return str(Path(__file__).resolve().parent.parent / "index")


def default_sources() -> list[str]:
    return [str(Path(__file__).resolve().parent.parent / "seeds")]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhsearch", description="Full-text search for Chinese news and policy articles.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ix = sub.add_parser("index", help="bring the index up to date with files or folders")
    ix.add_argument("sources", nargs="*", metavar="SOURCE", help="files or folders (default: seeds/)")
    ix.add_argument("--index", default=None, metavar="DIR", help="index folder (default: index/ or $ZHSEARCH_INDEX)")
    ix.add_argument("--rebuild", action="store_true", help="start from an empty index")
    ix.add_argument("--procs", type=int, default=None, help="worker processes for analysis (default: CPU count)")

    se = sub.add_parser("search", help="search the index")
    se.add_argument("query", nargs="?", default="", metavar="QUERY")
    se.add_argument("--index", default=None, metavar="DIR")
    se.add_argument("--province", action="append", default=[], metavar="P")
    se.add_argument("--year", action="append", default=[], metavar="Y")
    se.add_argument("--measure", action="append", default=[], metavar="KEY")
    se.add_argument("--limit", type=int, default=10, metavar="N")
    se.add_argument("--page", type=int, default=1, metavar="N")
    se.add_argument("--sort", default="relevance", choices=["relevance", "date_desc", "date_asc"])
    se.add_argument("--json", action="store_true", help="print the API's JSON")

    insp = sub.add_parser("inspect", help="show what ingestion makes of files, without indexing")
    insp.add_argument("paths", nargs="+", metavar="PATH")
    insp.add_argument("--json", action="store_true")

    ex = sub.add_parser("export", help="write the archive for an OpenSearch/Elasticsearch cluster")
    ex.add_argument("--opensearch", required=True, metavar="DIR", help="folder for the mapping and bulk NDJSON files")
    ex.add_argument("--index", default=None, metavar="DIR")

    sv = sub.add_parser("serve", help="serve the web pages and the JSON API")
    sv.add_argument("--index", default=None, metavar="DIR")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=5000)
    sv.add_argument("--threads", type=int, default=8)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on bad usage, 0 on --help
        return int(e.code or 0)
    if getattr(args, "index", None) is None and hasattr(args, "index"):
        args.index = default_index_dir()
    try:
        if args.command == "inspect":
            from search.inspect import run as run_inspect

            return run_inspect(args.paths, as_json=args.json)
        if args.command == "index":
            from search.index import run_index

            return run_index(args.sources or default_sources(), args.index, rebuild=args.rebuild, procs=args.procs)
        if args.command == "search":
            from search.searchcmd import run_search

            return run_search(args)
        if args.command == "export":
            from search.export import run_export

            return run_export(args.index, args.opensearch)
        if args.command == "serve":
            from web.serve import run_server

            return run_server(args.index, host=args.host, port=args.port, threads=args.threads)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE
