"""The ``zhsearch`` command line (also ``python -m search``): a thin layer
over the library, one module a command, exit statuses in ``exits``."""

from __future__ import annotations

import argparse
import os
import sys

from search.cli import exits
from search.facets import FACETS, NONE
from search.store.schema import REBUILD_HINT, IndexUnavailable


def default_index_dir() -> str:
    """``$ZHSEARCH_INDEX``, or ``index/`` in the working directory."""
    return os.environ.get("ZHSEARCH_INDEX") or os.path.join(os.getcwd(), "index")


def default_sources() -> list[str]:
    """``seeds/`` in the working directory."""
    return [os.path.join(os.getcwd(), "seeds")]


def _index_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=None, metavar="DIR",
                   help="index folder (default: $ZHSEARCH_INDEX, else index/ in this folder)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhsearch", description="Full-text search for Chinese news and policy articles.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ix = sub.add_parser("index", help="bring the index up to date with files or folders")
    ix.add_argument("sources", nargs="*", metavar="SOURCE", help="files or folders (default: seeds/ in this folder)")
    _index_option(ix)
    ix.add_argument("--rebuild", action="store_true", help="start from an empty index")
    ix.add_argument("--procs", type=int, default=None, help="worker processes for analysis (default: CPU count)")

    se = sub.add_parser("search", help="search the index")
    se.add_argument("query", nargs="?", default="", metavar="QUERY")
    _index_option(se)
    for f in FACETS:
        se.add_argument(f"--{f.name}", action="append", default=[], metavar=f.metavar,
                        help=f"only paragraphs with this {f.name} (repeatable: any of them)"
                        + (f"; '{NONE}': those with no {f.name}" if f.none else ""))
        if f.ranged:
            for bound, word in zip(f.range_params, ("from", "to")):
                se.add_argument(f"--{bound.replace('_', '-')}", dest=bound, default=None, metavar=f.metavar,
                                help=f"only paragraphs with a {f.name} {word} this one on (inclusive)"
                                if word == "from" else f"only paragraphs with a {f.name} up to this one (inclusive)")
    # checked as the API checks size and page (ASCII digits only: exit 2)
    se.add_argument("--limit", default="10", metavar="N")
    se.add_argument("--page", default="1", metavar="N")
    se.add_argument("--sort", default="relevance", choices=["relevance", "date_desc", "date_asc"])
    se.add_argument("--group", choices=["article"], default=None,
                    help="one entry per article, its matching paragraphs under it (pages of articles)")
    se.add_argument("--json", action="store_true", help="print the API's JSON")
    se.add_argument("--collapse", choices=["reprints"], default=None,
                    help="a text printed in several articles counts once, its earliest publication")
    se.add_argument("--explain", action="store_true", help="say why each hit ranks where it does (the API's explain=1)")
    se.add_argument("--all", action="store_true", help="every hit, not a page (with --format)")
    se.add_argument("--format", choices=["csv", "jsonl", "ris", "bibtex"], default=None,
                    help="with --all: write every hit to stdout as CSV (UTF-8 with BOM) or JSONL")

    insp = sub.add_parser("inspect", help="show what ingestion makes of files, without indexing")
    insp.add_argument("paths", nargs="+", metavar="PATH")
    insp.add_argument("--json", action="store_true")

    ex = sub.add_parser("export", help="write the archive for an OpenSearch/Elasticsearch cluster")
    ex.add_argument("--opensearch", required=True, metavar="DIR", help="folder for the mapping and bulk NDJSON files")
    _index_option(ex)

    ck = sub.add_parser("check", help="verify the index: every file's checksum, the metadata, the columns")
    _index_option(ck)

    sv = sub.add_parser("serve", help="serve the web pages and the JSON API")
    _index_option(sv)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=5000)
    sv.add_argument("--workers", type=int, default=None, metavar="N",
                    help="worker processes (default: the number of cores)")
    sv.add_argument("--threads", type=int, default=8, help="threads in each worker")
    sv.add_argument("--verify-every", type=float, default=None, metavar="SECONDS",
                    help="seconds between background checksums of the files served (default: 600)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # what cannot be encoded (a file name that is not UTF-8) prints as "?",
    # never as a traceback or as bytes that are not the terminal's encoding
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on bad usage, 0 on --help
        return int(e.code or 0)
    if hasattr(args, "index") and args.index is None:
        args.index = default_index_dir()
    try:
        if args.command == "index":
            from search.cli.index import run
        elif args.command == "search":
            from search.cli.search import run
        elif args.command == "inspect":
            from search.cli.inspect import run
        elif args.command == "export":
            from search.cli.export import run
        elif args.command == "check":
            from search.cli.check import run
        else:
            from search.cli.serve import run
        return run(args)
    except IndexUnavailable as e:  # damaged, missing, another version: one line, never a traceback
        return fail(str(e), exits.NO_INDEX)
    except BrokenPipeError:  # `zhsearch search ... | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to flush at exit
        return exits.OK
    except Exception as e:
        if args.command not in ("search", "export", "check"):
            raise
        # a file of the index that decodes to nonsense (same size, other bytes)
        return fail(f"the index in {args.index} could not be read ({type(e).__name__}: {e}): "
                    f"run `zhsearch check` to see what is damaged, `{REBUILD_HINT}` to rebuild it", exits.NO_INDEX)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exits.INTERRUPTED


def fail(message: str, status: int) -> int:
    """Print one line for the user on stderr; returns ``status``."""
    print(f"zhsearch: {message}", file=sys.stderr)
    return status
