"""The documentation a clone carries: the API description beside the code
is the one users and scripts rely on (../shared/api.md where the project's
shared folder is present), and the README's quick start is two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_API = ROOT.parent / "shared" / "api.md"


def test_docs_api_is_the_shared_interface():
    if not SHARED_API.is_file():
        pytest.skip(f"{SHARED_API} is not here (a clone without the project's shared folder)")
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == SHARED_API.read_text(encoding="utf-8"), \
        "docs/api.md has drifted from ../shared/api.md: copy it over"


def test_readme_starts_with_the_users_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## (.+)$", readme)
    assert headings[:2] == ["quick start", "Searching"], headings
    block = re.search(r"## quick start\n.*?```sh\n(.*?)```", readme, re.S).group(1)
    assert block.split("\n")[:2] == ["make serve", "make test"]
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), f"README links {link}, which a clone does not have"
