"""Errors: JSON ``{"error": {"code", "message"}}`` for the API, a friendly
Chinese page for everything else.  Both use the HTTP status that fits."""

from __future__ import annotations

import logging
import re

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.engine.results import BadRequest
from search.facets import FACETS
from search.store import IndexUnavailable
from web.context import get_searcher

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/healthz")

# The code names the API gives, and what the page says, per status.
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 414: "uri_too_long",
         431: "headers_too_large", 500: "internal_error", 503: "unavailable"}
PAGE_TITLES = {400: "请求有误", 404: "没有找到这个页面", 405: "不支持这种请求", 414: "网址太长",
               431: "请求头太大", 500: "服务器出错了", 503: "暂时无法提供服务"}
PAGE_HINTS = {
    400: "请检查网址中的参数,或重新搜索。",
    404: "这篇文章或这个页面不存在,可能已从索引中移除。",
    405: "请用浏览器打开这个链接。",
    414: "请减少搜索条件后再试。",
    431: "请减少请求头后再试。",
    503: "索引不可用,请稍后再试。",
    500: "请稍后再试。",
}


# What the pages say for the library's (English) messages, which the API keeps.
PARAM_NAMES = {"page": "页码", "size": "每页条数", "sort": "排序方式", "format": "导出格式", "group": "合并方式",
               **{f.name: f.title for f in FACETS},
               **{bound: word + f.title for f in FACETS if f.ranged for bound, word in zip(f.range_params, ("起始", "截止"))}}
MESSAGES = [
    (r"^(\w+) must be (\d+) to (\d+)", lambda m: f"{_param(m[1])}应为 {m[2]} 到 {m[3]} 之间的整数。"),
    (r"^(?:(\w+): )?year must be four digits", lambda m: f"{_param(m[1] or 'year')}应为四位数字(如 2018)"
                                                        + ("。" if m[1] else ",或 none 表示年份不详。")),
    (r"^(\w+) must be a value, not none", lambda m: f"{_param(m[1])}应为具体的年份。"),
    (r"^(?:\w+: )?unknown measure", lambda m: "没有这种措施类型,请从筛选列表中选择。"),
    (r"^(?:\w+: )?unknown province", lambda m: "没有这个省份,请从筛选列表中选择(省、自治区、直辖市和港澳台的简称)。"),
    (r"^sort must be one of", lambda m: "排序方式只能是相关度(relevance)、最新(date_desc)或最早(date_asc)。"),
    (r"^format must be", lambda m: "导出格式只能是 csv、jsonl、ris 或 bibtex。"),
    (r"^collapse must be", lambda m: "合并转载的参数只能是 reprints。"),
    (r"^group must be", lambda m: "合并方式只能是 article(按文章合并)。"),
    (r"^the index in .* is damaged", lambda m: "索引文件已损坏,管理员需要重建索引(zhsearch index --rebuild)。"),
]


def _param(name: str) -> str:
    return PARAM_NAMES.get(name, name)


def page_message(message: str) -> str | None:
    """The message in Chinese for a page: already Chinese, translated, or
    None (the page's title and hint say enough)."""
    if re.search(r"[\u4e00-\u9fff]", message or "") and not re.search(r"\b(must|unknown|not)\b", message):
        return message
    for pattern, say in MESSAGES:
        m = re.search(pattern, message or "")
        if m:
            return say(m)
    return None


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith(API_PREFIXES)


def error_response(status: int, message: str):
    if wants_json():
        code = CODES.get(status, "error")
        return jsonify(error={"code": code, "message": message}), status
    title = PAGE_TITLES.get(status, "出错了")
    hint = PAGE_HINTS.get(status, "")
    q = request.args.get("q", "")  # kept in the search box
    return render_template("error.html", status=status, title=title, message=page_message(message), hint=hint,
                           query=q), status


def _bad_request(e: BadRequest):
    return error_response(400, str(e))


def _http_error(e: HTTPException):
    return error_response(e.code or 500, e.description or e.name)


def _unavailable(e: IndexUnavailable):
    return error_response(503, str(e))


def _unexpected(e: Exception):
    log.exception("unhandled error on %s", request.full_path)
    why = _damage()
    if why:
        return error_response(503, why)
    return error_response(500, InternalServerError.description)


def _damage() -> str | None:
    """Why the index served is damaged, if that may be why a request
    failed (a stored record that does not decode): its files are checked."""
    try:
        return get_searcher().suspect()
    except Exception:  # noqa: BLE001 - answering the error comes first
        log.exception("checking the index after an error failed")
        return None


def register(app) -> None:
    app.register_error_handler(BadRequest, _bad_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(IndexUnavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)
