"""GET /access/<token>: a signed link exchanged for a session cookie; POST /logout.

The exchange changes nothing on the server (a mail scanner that opens the link only gets a
cookie it throws away). Failed links count against the link and the client's address
(ratelimit.py); past either limit a failing link is answered 429, a good one still opens.
Logging out ends the session on the server too: a copy of the cookie opens nothing after.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.tokens import COORDINATOR, BadToken, Grant
from .base import SESSION_COOKIE, Refused, client, read_form, refusal, require, root, site_of
from .site import Site

log = logging.getLogger(__name__)

_INVALID = Refused(
    403,
    "链接无效或已过期",
    "此链接无法使用：可能已过期、已被收回或不完整。请联系协调人重新获取本单位的专属链接。",
)


def enter(request: Request) -> Response:
    site = site_of(request)
    address = client(request)
    token = request.path_params["token"]
    if site.signer is None:
        return refusal(
            request, Refused(403, "未启用访问链接", "服务器未配置密钥，单位页面暂不可用。")
        )
    # A link that verifies opens whatever the counts say (nobody makes one without the
    # secret): an office whose colleagues tried old links is never locked out of new ones.
    try:
        grant: Grant | None = site.signer.verify_link(token, site.now())
        why = ""
    except BadToken as exc:
        grant, why = None, str(exc)
    if grant is not None:
        with site.ledger() as ledger:
            revoked = ledger.is_revoked(grant.id)
        known = grant.role == COORDINATOR or grant.unit in {
            u.id for u in site.plan().schedule.units
        }
        if revoked or not known:
            why = f"link {grant.id} revoked or for an unknown unit"
            grant = None
    if grant is None:
        if site.limiter.blocked(token, address):
            return refusal(
                request, Refused(429, "尝试次数过多", "无效链接尝试次数过多，请十分钟后再试。")
            )
        site.limiter.fail(token, address)
        log.warning("access link refused from %s: %s", address, why)
        return refusal(request, _INVALID)
    cookie, expires = site.signer.session(grant, site.now(), site.config.session_hours)
    target = "/coordinator" if grant.role == COORDINATOR else f"/unit/{grant.unit}"
    response = RedirectResponse(root(request) + target, status_code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=max(1, int((expires - site.now()).total_seconds())),
        path=root(request) + "/",
        httponly=True,
        samesite="lax",  # strict would drop the cookie on the redirect from a mail link
        secure=request.url.scheme == "https",
    )
    return response


async def leave(request: Request) -> Response:
    try:
        grant, nonce = require(request)
        await read_form(request, nonce)
    except Refused as refused:
        return refusal(request, refused)
    site = site_of(request)
    await run_in_threadpool(_end, site, grant, nonce)
    response = RedirectResponse(root(request) + "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=root(request) + "/")
    return response


def _end(site: Site, grant: Grant, nonce: str) -> None:
    with site.ledger() as ledger:
        ledger.end_session(nonce, grant.role, grant.unit, site.now(), grant.expires)
