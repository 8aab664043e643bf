"""GET /qr/<unit>.svg: a QR code of a unit's feed link, for subscribing from a phone."""

from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import Response

from ..feeds.index_page import feed_links
from .base import site_of
from .errors import not_found_page
from .index import base_url


def qr(request: Request) -> Response:
    unit = request.path_params["unit"]
    schedule = site_of(request).plan().schedule
    if unit != "all" and unit not in {u.id for u in schedule.units}:
        return not_found_page(request)
    # The https link, not webcal: every phone's camera opens it; iPhones then offer to subscribe.
    https, _ = feed_links(base_url(request), f"{unit}.ics")
    buffer = io.BytesIO()
    segno.make(https, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
