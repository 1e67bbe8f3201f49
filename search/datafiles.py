"""The project's rule files under ``search/data``: tab-separated, ``#``
starts a comment line, blank lines ignored."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(resources.files("search") / "data" / name))


def read_tsv(name: str) -> Iterator[tuple[str, int, list[str]]]:
    """Yield (where, line number, columns) for every rule line of a file."""
    path = data_path(name)
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield f"{path}:{no}", no, line.rstrip("\n").split("\t")
