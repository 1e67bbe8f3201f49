"""Errors: JSON ``{"error": {"code", "message"}}`` for the API, a friendly
Chinese page for everything else.  Both use the HTTP status that fits."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.results import BadRequest

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/healthz")

# The code names the API gives, and what the page says, per status.
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 414: "uri_too_long",
         431: "headers_too_large", 500: "internal_error", 503: "unavailable"}
PAGE_TITLES = {400: "请求有误", 404: "没有找到这个页面", 405: "不支持这种请求", 414: "网址太长",
               431: "请求头太大", 500: "服务器出错了", 503: "暂时无法提供服务"}
PAGE_HINTS = {
    400: "请检查网址中的参数。",
    404: "这篇文章或这个页面不存在,可能已从索引中移除。",
    405: "请用浏览器打开这个链接。",
    414: "请减少搜索条件后再试。",
    431: "请减少请求头后再试。",
    503: "索引不可用,请稍后再试。",
    500: "请稍后再试。",
}


def wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def error_response(status: int, message: str):
    if wants_json():
        code = CODES.get(status, "error")
        return jsonify(error={"code": code, "message": message}), status
    title = PAGE_TITLES.get(status, "出错了")
    hint = PAGE_HINTS.get(status, "")
    return render_template("error.html", status=status, title=title, message=message, hint=hint), status


def _bad_request(e: BadRequest):
    return error_response(400, str(e))


def _http_error(e: HTTPException):
    return error_response(e.code or 500, e.description or e.name)


def _unexpected(e: Exception):
    log.exception("unhandled error on %s", request.full_path)
    return error_response(500, InternalServerError.description)


def register(app) -> None:
    app.register_error_handler(BadRequest, _bad_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
