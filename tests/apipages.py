"""Every hit of a search through the API, page after page: the answer a
script that pages through ``/api/search`` would assemble."""

from __future__ import annotations


def all_hits(client, size: int = 100, **params) -> list[dict]:
    """Every hit of ``/api/search`` with ``params``, following ``next_url``
    (pages of ``size``)."""
    hits, page = [], 1
    while True:
        answer = client.get("/api/search", query_string={**params, "size": size, "page": page}).get_json()
        hits += answer["hits"]
        if not answer["next_url"]:
            return hits
        page += 1
