"""The web application: routes to one small module per page or action.

Fixed routes come first; anything else is a file of out/ (feeds, index.html, PDFs), where
subscribers already have their URLs.
"""

from __future__ import annotations

import os
from importlib.resources import files as package_files

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .dashboard import dashboard
from .event import add_event
from .export import export_csv, export_xlsx
from .files import serve_file
from .index import index
from .login import enter, leave
from .mark import mark_done, undo
from .qr import qr
from .site import Site, WebConfig, config_from_env
from .unit_page import unit_page

_CSS = package_files("disclosure_calendar.web").joinpath("static/site.css").read_bytes()


async def stylesheet(request: Request) -> Response:
    return Response(
        _CSS,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def create_app(config: WebConfig) -> Starlette:
    site = Site(config)
    root = site.out_dir

    async def feed(request: Request) -> Response:
        return serve_file(request, root, site.files)

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
            Route("/coordinator/export.csv", export_csv),
            Route("/coordinator/export.xlsx", export_xlsx),
            Route("/{path:path}", feed),
        ]
    )
    app.state.site = site
    return app


def app_from_env() -> Starlette:
    """The factory uvicorn's worker processes call (``serve --workers N``)."""
    return create_app(config_from_env(os.environ))


__all__ = ["app_from_env", "create_app"]
