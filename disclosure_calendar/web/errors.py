"""The portal's error pages for addresses it does not have, methods it does not take, and bugs.

In the site's style and in Chinese, like every page (``message.html``), with links back home;
a bare line only when even the page cannot be drawn (the schedule or ledger is away).
"""

from __future__ import annotations

import html
import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .base import PAGE_HEADERS, Refused, refusal, root

log = logging.getLogger("disclosure_calendar.web")

NOT_FOUND = Refused(
    404,
    "找不到这个页面",
    "您打开的网址在本站不存在：可能是链接抄错了，或页面已经移走。请检查网址，或从首页进入。",
)
NOT_ALLOWED = Refused(
    405,
    "无法这样打开此页面",
    "这个地址只接受页面上的按钮提交，不能直接打开。请返回上一页，用页面上的按钮操作。",
)
BROKEN = Refused(
    500,
    "出错了",
    "服务器处理这个请求时出现意外错误，已记入日志。请稍后重试；若持续出现，请联系信息技术人员。",
)
OTHER = "请求无法处理（{status}）。请返回上一页重试。"


def error_page(request: Request, refused: Refused) -> Response:
    """``refused`` as the site's page; as a bare page when the page cannot be drawn."""
    try:
        return refusal(request, refused)
    except Exception:  # noqa: BLE001 - the words must get out whatever failed
        home = html.escape(root(request) + "/")
        body = (
            f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{refused.title}</title><h1>{refused.title}</h1><p>{refused.message}</p>"
            f'<p><a href="{home}">返回首页</a></p></html>'
        )
        return HTMLResponse(body, status_code=refused.status, headers=PAGE_HEADERS)


def not_found_page(request: Request) -> Response:
    return error_page(request, NOT_FOUND)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no route, wrong method) as our pages."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return not_found_page(request)
    if status == 405:
        response = error_page(request, NOT_ALLOWED)
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response
    return error_page(request, Refused(status, "请求无法处理", OTHER.format(status=status)))


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback for IT staff; the user gets a page, not a bare 500."""
    log.error("event=page-failed path=%s", request.url.path, exc_info=exc)
    return error_page(request, BROKEN)
