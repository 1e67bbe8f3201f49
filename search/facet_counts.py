"""Facets at query time: which paragraphs hold the values a request chose,
and how many of the matches hold each value.

Counts are disjunctive (``api.md``): a facet's counts apply the other
facets' choices but not its own.  A bit-mask column is counted by
``bincount`` over its distinct masks (a few hundred combinations, whatever
the archive's size) times their bits; a single-valued column by
``bincount`` over its distinct codes.
"""

from __future__ import annotations

import numpy as np

from search.facets import BITS, FACETS, Facet
from search.results import FacetValue, SearchRequest


class MaskColumn:
    """A bit-mask facet: each paragraph's combination of values."""

    def __init__(self, per_doc: np.ndarray, values: list):
        self.values = values  # bit -> value
        masks, combo = np.unique(per_doc, return_inverse=True)
        self.combo = combo.astype(np.int32)  # per docnum, index into masks
        self.masks = masks  # distinct masks (int64)
        shifts = np.arange(64, dtype=np.uint64)
        self.bits = ((masks.astype(np.uint64)[:, None] >> shifts) & np.uint64(1)).astype(np.int64)

    def selector(self, keys: set) -> np.ndarray:
        """Which combinations hold any of ``keys``."""
        want = 0
        for bit, v in enumerate(self.values):
            if v in keys:
                want |= 1 << bit
        sel = np.int64(want - (1 << 64) if want >= (1 << 63) else want)
        return (self.masks & sel) != 0

    def allows(self, docs: np.ndarray, selector: np.ndarray) -> np.ndarray:
        return selector[self.combo[docs]]

    def counts(self, docs: np.ndarray) -> list[tuple[object, int]]:
        per_combo = np.bincount(self.combo[docs], minlength=len(self.masks))
        per_bit = per_combo @ self.bits
        return [(self.values[b], int(per_bit[b])) for b in np.flatnonzero(per_bit[:len(self.values)]).tolist()]


class CodeColumn:
    """A single-valued facet: each paragraph's value code (0: none)."""

    def __init__(self, per_doc: np.ndarray, names: dict[int, str], key):
        codes, combo = np.unique(per_doc, return_inverse=True)
        self.combo = combo.astype(np.int32)
        self.codes = codes
        # the value shown for each distinct code, and the key requests are matched by
        self.values = [names.get(int(c), "") if c else None for c in codes.tolist()]
        self.keys = [key(v) if v is not None else None for v in self.values]

    def selector(self, keys: set) -> np.ndarray:
        return np.array([k is not None and k in keys for k in self.keys], dtype=bool)

    def allows(self, docs: np.ndarray, selector: np.ndarray) -> np.ndarray:
        return selector[self.combo[docs]]

    def counts(self, docs: np.ndarray) -> list[tuple[object, int]]:
        per = np.bincount(self.combo[docs], minlength=len(self.codes))
        return [(self.values[i], int(per[i])) for i in np.flatnonzero(per).tolist() if self.values[i] is not None]


def load_column(facet: Facet, per_doc: np.ndarray, meta):
    if facet.storage == BITS:
        return MaskColumn(per_doc, meta.vocab[facet.name].keys)
    return CodeColumn(per_doc, meta.names.get(facet.name, {}), facet.key)


def filter_masks(columns: dict, req: SearchRequest, docs: np.ndarray) -> dict[str, np.ndarray]:
    """For each facet the request chose values in: which of ``docs`` hold one."""
    out = {}
    for f in FACETS:
        chosen = req.selected(f.name)
        if chosen:
            col = columns[f.name]
            out[f.name] = col.allows(docs, col.selector({f.key(v) for v in chosen}))
    return out


def count(columns: dict, req: SearchRequest, docs: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, list[FacetValue]]:
    """Each facet's values among ``docs`` (the matches before filtering),
    with the other facets' filters applied, in the facet's order."""
    out = {}
    for f in FACETS:
        keep = np.ones(len(docs), dtype=bool)
        for other, ok in masks.items():
            if other != f.name:
                keep &= ok
        chosen = {f.key(v) for v in req.selected(f.name)}
        values = [FacetValue(v, c, f.key(v) in chosen) for v, c in columns[f.name].counts(docs[keep])]
        if f.order == "newest":
            values.sort(key=lambda fv: fv.value, reverse=True)
        else:
            values.sort(key=lambda fv: (-fv.count, str(fv.value)))
        out[f.name] = values
    return out
