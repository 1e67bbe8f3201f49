"""The postings cache: bounded by elements held, least recently used first out."""

from __future__ import annotations

import numpy as np

from search.store.postings import ArrayLRU


def test_cache_is_bounded_by_elements_and_evicts_least_recently_used():
    c = ArrayLRU(limit=100)
    c.put("a", np.arange(40))
    c.put("b", (np.arange(40), np.ones(40)))
    assert c.get("a") is not None  # "a" now more recent than "b"
    c.put("c", np.arange(30))  # each entry counts one more than it holds
    assert c.size == 72 and c.get("b") is None and c.get("a") is not None
    c.put("a", np.arange(10))  # replacing counts the new size only
    assert c.size == 42
    c.put("huge", np.arange(500))  # bigger than the bound: kept alone
    assert len(c) == 1 and c.get("huge") is not None and c.size == 501
    for i in range(1000):  # empty entries are bounded too
        c.put(i, np.arange(0))
    assert len(c) <= 100
