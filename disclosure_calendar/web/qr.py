"""GET /qr/<unit>.svg: a QR code of a unit's feed link, for subscribing from a phone."""

from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import Response

from ..feeds.index_page import feed_links
from .base import site_of
from .errors import not_found_page


def qr(request: Request) -> Response:
    unit = request.path_params["unit"]
    schedule = site_of(request).plan().schedule
    if unit != "all" and unit not in {u.id for u in schedule.units}:
        return not_found_page(request)
    base, configured = published_base(request)
    # The https link, not webcal: every phone's camera opens it; iPhones then offer to subscribe.
    https, _ = feed_links(base, f"{unit}.ics")
    buffer = io.BytesIO()
    segno.make(https, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    # Only a public link from the settings may sit in shared caches; the server's own
    # address (no base URL set) is what this connection reached, so each client asks again.
    cache = "public, max-age=3600" if configured else "private, no-cache"
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )


def published_base(request: Request) -> tuple[str, bool]:
    """Where the feeds are published, and whether the settings said so.

    Never the Host header, which any client writes as it likes: a QR code is scanned from a
    page or a printout and followed without a second look. ``serve --base-url`` wins, then
    plan.base_url; without either, the address and port the server answered on.
    """
    site = site_of(request)
    chosen = site.config.base_url or site.plan().schedule.plan.base_url
    configured = bool(chosen)
    if not chosen:
        host, port = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"[{host}]" if ":" in str(host) else host
        root = str(request.scope.get("root_path", "")).rstrip("/")
        chosen = f"{request.url.scheme}://{host}:{port}{root}/"
    return (chosen if chosen.endswith("/") else chosen + "/"), configured
