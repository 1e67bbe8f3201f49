"""The trends page and its API twin: the queries asked (``q`` repeated, up
to six), the counts per publication year, and the line chart drawn as SVG on
the server."""

from __future__ import annotations

import math

from flask import request, url_for

from search.engine.results import BadRequest, request_from_params
from search.engine.trends import MAX_QUERIES
from search.present.serialize import trends_json
from web.context import get_searcher, urls_for

# Okabe and Ito's palette: told apart with any colour vision
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 280, 52, 16, 14, 36
SCALES = {"per10k": ("per_10k", "每万段"), "count": ("paragraphs", "段落数")}


def queries() -> list[str]:
    """The queries asked: non-empty ``q`` values in order, each once; one
    empty query (every paragraph) where none is given."""
    qs = list(dict.fromkeys(q.strip() for q in request.args.getlist("q") if q.strip()))
    if len(qs) > MAX_QUERIES:
        raise BadRequest(f"q may be given at most {MAX_QUERIES} times on trends")
    return qs or [""]


def trends_answer() -> dict:
    req = request_from_params(lambda name: request.args.getlist(name) if name != "q" else [])
    series, archive = get_searcher().trends(req, queries())
    return trends_json(req, series, archive, urls_for("pages.search_page"))


def chart(answer: dict, scale: str) -> dict | None:
    """Positions of the lines and points of ``answer`` on ``scale``."""
    key, _ = SCALES[scale]
    years = [a["year"] for a in answer["archive"]]
    if not years:
        return None
    lo, hi = min(years), max(years)
    top = max((p[key] for s in answer["series"] for p in s["points"]), default=0) or 1
    top = nice(top)
    span = max(hi - lo, 1)

    def x(year: int) -> float:
        return round(LEFT + (year - lo) * (WIDTH - LEFT - RIGHT) / span, 1) if hi > lo else (LEFT + WIDTH - RIGHT) / 2

    def y(v: float) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top), 1)

    lines = []
    for i, s in enumerate(answer["series"]):
        values = {p["year"]: p for p in s["points"]}
        # every year the archive has paragraphs of: one without hits is a zero;
        # a year the archive has nothing of is a gap in the line, not a zero
        pts = [{"year": yr, "x": x(yr), "y": y(values[yr][key] if yr in values else 0),
                "value": values[yr][key] if yr in values else 0, "url": values[yr]["url"] if yr in values else None}
               for yr in years]
        path = " ".join(("L" if k and pts[k - 1]["year"] == p["year"] - 1 else "M") + f"{p['x']},{p['y']}"
                        for k, p in enumerate(pts))
        lines.append({"q": s["q"] or "全部段落", "colour": COLOURS[i % len(COLOURS)], "path": path, "points": pts})
    every = max(1, math.ceil((hi - lo + 1) / 10))
    ticks_x = [{"x": x(yr), "label": yr} for yr in range(lo, hi + 1) if (yr - lo) % every == 0 or yr == hi]
    ticks_y = [{"y": y(top * k / 4), "label": _fmt(top * k / 4)} for k in range(5)]
    return {"width": WIDTH, "height": HEIGHT, "lines": lines, "ticks_x": ticks_x, "ticks_y": ticks_y,
            "left": LEFT, "right": WIDTH - RIGHT, "base": HEIGHT - BOTTOM, "top": TOP}


def nice(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``v``."""
    p = 10 ** math.floor(math.log10(v))
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= v)


def _fmt(v: float) -> str:
    return f"{v:g}" if v < 10 else f"{v:,.0f}"


def trends_view(scale: str) -> dict:
    if scale not in SCALES:
        raise BadRequest("scale must be per10k or count")
    answer = trends_answer()
    key, label = SCALES[scale]
    years = sorted({p["year"] for s in answer["series"] for p in s["points"]})
    rows = [{"year": yr, "cells": [next((p for p in s["points"] if p["year"] == yr), None) for s in answer["series"]]}
            for yr in years]
    keep = [(k, v) for k, v in request.args.items(multi=True) if k not in ("scale",)]
    return {
        "answer": answer, "scale": scale, "scale_label": label, "key": key, "chart": chart(answer, scale), "rows": rows,
        "queries": [s["q"] for s in answer["series"]],
        "scales": [{"key": k, "label": v[1], "selected": k == scale,
                    "url": url_for("pages.trends_page", **_multi(keep + [("scale", k)]))} for k, v in SCALES.items()],
        "csv_url": url_for("api.trends", **_multi(keep + [("format", "csv")])),
        "json_url": url_for("api.trends", **_multi(keep)),
        "hidden": [(k, v) for k, v in keep if k != "q"],
        "slots": max(0, MAX_QUERIES - len(answer["series"])),
    }


def _multi(pairs: list[tuple[str, str]]) -> dict:
    """Repeated parameters in the form ``url_for`` takes (a list a name)."""
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out
