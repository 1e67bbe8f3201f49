"""The distribution charts of the search page: hits by year (bars) and by
province (a tile-grid map), drawn as SVG on the server from the facet
counts the page already has (no second search).  Everything the template
draws is computed here: positions, sizes, colour steps, links and the
text a screen reader reads."""

from __future__ import annotations

import math
from functools import lru_cache

from search.datafiles import read_tsv
from search.facets import NONE

STEPS = 5  # colour steps of the map: a single-hue sequential scale (style.css .step-N)
BAR_W, BAR_GAP, BAR_MAX_H, BAR_TOP, BAR_LABEL_H = 30, 6, 110, 16, 20
TILE, TILE_GAP = 42, 4
UNKNOWN_W = 56  # the box of the paragraphs of no known year


@lru_cache(maxsize=1)
def tile_grid() -> dict[str, tuple[int, int]]:
    """Province -> (column, row) of its tile, from ``search/data/tile_grid.tsv``."""
    return {cols[0]: (int(cols[1]), int(cols[2])) for _, _, cols in read_tsv("tile_grid.tsv")}


def year_bars(values: list[dict]) -> dict | None:
    """Bars from the year facet's values (newest first, NONE last): one a
    year from the oldest to the newest, left to right, a year with no hits
    an empty slot, scaled to the largest year.  The paragraphs of no known
    year are not a bar on that scale (they are often most of the hits, and
    would flatten every year): they stand apart at the right, behind a
    divider, as their count."""
    years = {v["value"]: v for v in values if v["value"] != NONE and v["count"] > 0}
    unknown = next((v for v in values if v["value"] == NONE and v["count"] > 0), None)
    if not years and not unknown:
        return None
    slots: list[dict | None] = [years.get(y) for y in range(min(years), max(years) + 1)] if years else []
    top = max((v["count"] for v in years.values()), default=1)
    every = math.ceil(len(slots) / 12) if slots else 1  # label at most ~12 years
    bars = []
    x = BAR_GAP
    for i, v in enumerate(slots):
        year = min(years) + i
        bar = {"x": x, "label": str(year), "show_label": i % every == 0 or i == len(slots) - 1,
               "count": 0, "url": None, "selected": False}
        if v is not None:
            h = max(2, round(BAR_MAX_H * v["count"] / top))
            bar.update(count=v["count"], url=v["url"], selected=v["selected"], h=h, y=BAR_TOP + BAR_MAX_H - h,
                       title=f"{year} 年:{v['count']} 段")
        bars.append(bar)
        x += BAR_W + BAR_GAP
    apart = None
    if unknown is not None:
        divider = x + BAR_GAP if bars else None
        ux = x + (3 * BAR_GAP if bars else 0)
        apart = {"x": ux, "w": UNKNOWN_W, "divider": divider, "label": "不详", "count": unknown["count"],
                 "url": unknown["url"], "selected": unknown["selected"],
                 "title": f"{unknown['label']}:{unknown['count']} 段"}
        x = ux + UNKNOWN_W + BAR_GAP
    return {"bars": bars, "unknown": apart, "width": x, "height": BAR_TOP + BAR_MAX_H + BAR_LABEL_H,
            "bar_w": BAR_W, "base": BAR_TOP + BAR_MAX_H, "label_y": BAR_TOP + BAR_MAX_H + 14,
            "mid_y": BAR_TOP + BAR_MAX_H // 2}


def province_map(values: list[dict]) -> dict | None:
    """A tile a province, coloured by its count in ``STEPS`` steps of one hue
    (darker: more); a tile with hits links to that filter."""
    counts = {v["value"]: v for v in values if v["count"] > 0}
    if not counts:
        return None
    top = max(v["count"] for v in counts.values())
    tiles = []
    for name, (col, row) in tile_grid().items():
        v = counts.get(name)
        step = 0 if v is None else max(1, math.ceil(STEPS * v["count"] / top))
        tiles.append({
            "name": name, "x": TILE_GAP + col * (TILE + TILE_GAP), "y": TILE_GAP + row * (TILE + TILE_GAP),
            "count": v["count"] if v else 0, "url": v["url"] if v else None, "selected": bool(v and v["selected"]),
            "step": step, "title": f"{name}:{v['count'] if v else 0} 段",
        })
    cols = max(c for c, _ in tile_grid().values()) + 1
    rows = max(r for _, r in tile_grid().values()) + 1
    legend = [{"step": s, "label": _step_label(s, top)} for s in range(1, STEPS + 1) if _step_label(s, top)]
    return {"tiles": tiles, "tile": TILE, "width": TILE_GAP + cols * (TILE + TILE_GAP),
            "height": TILE_GAP + rows * (TILE + TILE_GAP), "legend": legend,
            "unmapped": [v for k, v in counts.items() if k not in tile_grid()]}


def _step_label(step: int, top: int) -> str:
    """The counts a colour step stands for (``ceil(STEPS * count / top)``)."""
    lo = math.floor(top * (step - 1) / STEPS) + 1
    hi = math.floor(top * step / STEPS)
    if hi < lo:
        return ""
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def charts(facets: list[dict]) -> dict:
    """The charts of the page's facets (``view["facets"]``)."""
    by_name = {f["name"]: f["values"] for f in facets}
    return {"years": year_bars(by_name.get("year", [])), "provinces": province_map(by_name.get("province", []))}
