"""The web application: routes to one small module per page or action.

Fixed routes come first; anything else is a file of out/ (feeds, index.html, PDFs), where
subscribers already have their URLs.
"""

from __future__ import annotations

import logging
import os
from importlib.resources import files as package_files

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..ledger import LedgerUnreachable
from .base import render
from .dashboard import dashboard
from .errors import http_error, not_found_page, server_error
from .event import add_event
from .export import export_csv, export_xlsx
from .files import serve_file
from .index import index
from .login import enter, leave
from .mark import mark_done, undo
from .qr import qr
from .rebuild import Rebuilder
from .report import report
from .retry import retry_failed
from .site import Site, WebConfig, config_from_env
from .unit_page import unit_page

log = logging.getLogger(__name__)
_CSS = package_files("disclosure_calendar.web").joinpath("static/site.css").read_bytes()


async def stylesheet(request: Request) -> Response:
    return Response(
        _CSS,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


LEDGER_DOWN = (
    "台账暂时无法连接",
    "记录完成情况的台账（数据库）暂时无法连接，本页面暂不能显示或保存。"
    "日历订阅和首页不受影响。请稍后刷新重试；若持续出现，请联系信息技术人员。",
)


async def ledger_unreachable(request: Request, exc: Exception) -> Response:
    """503 with a page that says what is wrong, instead of a bare 500, while the ledger is away."""
    heading, message = LEDGER_DOWN
    try:
        response: Response = render(
            request, "message.html",
            {"heading": heading, "message": message, "session": None, "back": "", "back_label": ""},
            503,
        )  # fmt: skip
    except Exception:  # the page itself needs the schedule; the words must get out regardless
        response = HTMLResponse(f"<h1>{heading}</h1><p>{message}</p>", status_code=503)
    response.headers["Retry-After"] = "30"
    return response


async def client_gone(request: Request, exc: Exception) -> Response:
    """A client that went away while sending its form (closed the tab, lost the network, or
    too slow: server.py cut it off): one line in the log, nothing written, no traceback."""
    log.warning(
        "client %s disconnected while sending %s %s; nothing was changed",
        request.client.host if request.client else "unknown", request.method, request.url.path,
    )  # fmt: skip
    return Response(status_code=400)  # nobody reads it


def create_app(config: WebConfig) -> Starlette:
    site = Site(config)
    root = site.out_dir

    async def feed(request: Request) -> Response:
        response = serve_file(request, root, site.files)
        return not_found_page(request) if response.status_code == 404 else response

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/static/site.css", stylesheet),
            Route("/qr/{unit}.svg", qr),
            Route("/access/{token}", enter),
            Route("/logout", leave, methods=["POST"]),
            Route("/unit/{unit}", unit_page),
            Route("/unit/{unit}/done", mark_done, methods=["POST"]),
            Route("/unit/{unit}/undo", undo, methods=["POST"]),
            Route("/unit/{unit}/event", add_event, methods=["POST"]),
            Route("/coordinator", dashboard),
            Route("/coordinator/retry", retry_failed, methods=["POST"]),
            Route("/coordinator/export.csv", export_csv),
            Route("/coordinator/export.xlsx", export_xlsx),
            Route("/coordinator/report.{format}", report),
            Route("/{path:path}", feed),
        ],
        exception_handlers={
            LedgerUnreachable: ledger_unreachable,
            ClientDisconnect: client_gone,
            HTTPException: http_error,
            500: server_error,
        },
    )
    app.state.site = site
    app.state.rebuilder = Rebuilder(config) if config.rebuild else None
    return app


def app_from_env() -> Starlette:
    """The factory uvicorn's worker processes call (``serve --workers N``)."""
    return create_app(config_from_env(os.environ))


__all__ = ["app_from_env", "create_app"]
