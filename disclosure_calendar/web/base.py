"""What handlers share: who is asking (the session), rendering, CSRF, refusals.

Every page that shows or changes a unit's occurrences goes through ``require``; every POST
through ``read_form``, which checks the CSRF token before a handler sees a field.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..core.tokens import BadToken, Grant
from ..ledger import session_row
from .site import LedgerView, Site

SESSION_COOKIE = "dc_session"
MAX_FORM_BYTES = 16 * 1024

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("disclosure_calendar.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _http_only(url: object) -> str:
    """A URL fit for href: http(s) only, whatever an older record or the CLI stored."""
    text = str(url or "")
    return text if urlsplit(text).scheme.lower() in ("http", "https") else ""


_templates.filters["http_only"] = _http_only

# No script at all, styles from our own file, forms only back to us, never framed.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Refused(Exception):
    """A request we answer with an error page: status, title and explanation."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(title)
        self.status, self.title, self.message = status, title, message


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def client(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's X-Forwarded-For here when trusted)."""
    return request.client.host if request.client else "unknown"


def root(request: Request) -> str:
    """The path the app is mounted at ('' or '/disclosure'), for links and the cookie."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def session(request: Request) -> tuple[Grant, str] | None:
    """The grant and CSRF nonce of a valid, unrevoked session cookie, or None."""
    site = site_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or site.signer is None:
        return None
    try:
        grant, nonce = site.signer.verify_session(cookie, site.now())
    except BadToken:
        return None
    view: LedgerView | None = getattr(request.state, "ledger_view", None)
    if view is None:  # the request's first look at the ledger: its version and this, at once
        view, revoked = site.session_view(grant.id, session_row(nonce))
        request.state.ledger_view = view
    else:
        revoked = view.any_revoked(grant.id, session_row(nonce))
    if revoked:
        return None  # the link was revoked, or this session logged out
    return grant, nonce


def ledger_view(request: Request) -> LedgerView:
    """The ledger as this request sees it: its version read once per request."""
    view: LedgerView | None = getattr(request.state, "ledger_view", None)
    if view is None:
        view = request.state.ledger_view = site_of(request).ledger_view()
    return view


def require(request: Request, unit: str | None = None, *, coordinator: bool = False) -> tuple[Grant, str]:  # fmt: skip
    """The session, or Refused: 401 without one, 403 when it is for someone else."""
    found = session(request)
    if found is None and coordinator:
        raise Refused(
            401,
            "请先通过专属链接进入",
            "本页面仅限协调人查看。请打开发给协调人的专属链接；链接过期或失效时，请联系信息技术人员重新生成。",
        )
    if found is None:
        raise Refused(
            401,
            "请先通过专属链接进入",
            "本页面需要访问权限。请打开协调人发给本单位的专属链接；链接过期或失效时，请联系协调人重新获取。",
        )
    grant = found[0]
    if coordinator and grant.role != "coordinator":
        raise Refused(403, "无权访问", "本页面仅限协调人查看。")
    if unit is not None and not grant.may_see(unit):
        raise Refused(403, "无权访问", "您的链接只能查看和标记本单位的事项。")
    return found


async def read_form(request: Request, nonce: str) -> dict[str, str]:
    """The POSTed fields (urlencoded, one value each), after the CSRF token and origin check."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise Refused(403, "请求被拒绝", "请求来自其他网站。")
    if (
        request.headers.get("content-type", "").split(";")[0].strip()
        != "application/x-www-form-urlencoded"
    ):
        raise Refused(400, "请求无效", "表单格式不正确。")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Refused(413, "内容过长", "提交的内容过长。")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise Refused(400, "请求无效", "表单内容无法读取。") from None
    form = {k: v[0] for k, v in parsed.items()}
    signer = site_of(request).signer
    if signer is None or not signer.csrf_ok(nonce, form.get("csrf", "")):
        raise Refused(
            403, "请求被拒绝", "页面已过期或请求不是从本站表单提交的。请返回刷新页面后重试。"
        )
    return form


class PageCache:
    """Rendered pages by everything they show, with the session's CSRF token left as a hole.

    A unit's page changes when its marks, the schedule or the day change, not per request;
    rendering it once per change instead of per request is what keeps a page under a
    millisecond of server time. Bounded: the least recently used page goes first.
    """

    HOLE = secrets.token_hex(16)  # never in a page by chance: fresh per process

    def __init__(self, size: int = 512):
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: str) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


_pages = PageCache()


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200, *,
    private: bool = True, cache_key: Hashable | None = None,
) -> HTMLResponse:  # fmt: skip
    """A page; with ``cache_key`` (everything the page shows but the session), rendered once."""
    site = site_of(request)
    schedule = site.plan().schedule
    found = context.get("session")
    csrf, who, home = "", "", ""
    if found is not None and site.signer is not None:
        grant, nonce = found
        csrf = site.signer.csrf(nonce)
        who = "协调人" if grant.role == "coordinator" else schedule.name(grant.unit or "")
        home = "/coordinator" if grant.role == "coordinator" else f"/unit/{grant.unit}"
    key = None if cache_key is None else (template, root(request), who, home, cache_key)
    html = _pages.get(key) if key is not None else None
    if html is None:
        html = _templates.get_template(template).render(
            root=root(request), title=schedule.plan.title, who=who, home=home,
            csrf=PageCache.HOLE if key is not None else csrf, **context,
        )  # fmt: skip
        if key is not None:
            _pages.put(key, html)
    if key is not None:
        html = html.replace(PageCache.HOLE, csrf)
    headers = dict(PAGE_HEADERS)
    headers["Cache-Control"] = "no-store" if private else "no-cache"
    return HTMLResponse(html, status_code=status, headers=headers)


def refusal(request: Request, refused: Refused) -> Response:
    """The error page in the site's style, with a link back to the page the user came from."""
    found = session(request)
    back, back_label = _back(request)
    context = {
        "heading": refused.title,
        "message": refused.message,
        "session": found,
        "back": back,
        "back_label": back_label,
    }
    return render(request, "message.html", context, refused.status)


def _back(request: Request) -> tuple[str, str]:
    """Where the user came from, as a path and its link's words ('' when it is home or the page).

    Pages are sent with no Referer (PAGE_HEADERS), so it is read from the request itself: a
    form posted from a unit's page (done, undo, an event date), or the coordinator's export.
    """
    schedule = site_of(request).plan().schedule
    path = request.url.path.removeprefix(root(request))
    unit = request.path_params.get("unit")
    if unit in {u.id for u in schedule.units} and path != f"/unit/{unit}":
        return f"/unit/{unit}", f"返回{schedule.name(unit)}页面"
    if path.startswith("/coordinator/"):
        return "/coordinator", "返回协调人页面"
    return "", ""
