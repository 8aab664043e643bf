"""POST /unit/<id>/done and /unit/<id>/undo: a unit marks its occurrence done, with the URL
where it was published, or withdraws its own mark on the day it made it.

The session must be for that unit (or the coordinator's), the CSRF token must match, and
the occurrence must be the unit's own: its uid names the unit, and the schedule confirms
the duty reaches it. The change and its audit entry are one ledger transaction.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.errors import DisclosureError
from ..core.tokens import Grant
from ..ledger import AuditEntry
from ..occurrences.marking import find
from .base import Refused, client, read_form, refusal, require, root, site_of
from .site import Site

MAX_URL = 2000
EARLIEST_DAYS = 400  # a done date further back than this is surely a typing error


def evidence_url(text: str) -> str:
    """An http(s) URL with a host, or Refused: anything else could be a script link."""
    url = text.strip()
    parts = urlsplit(url)
    if (
        not url
        or len(url) > MAX_URL
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url)
    ):
        raise Refused(
            400, "网址无效", "请填写以 http:// 或 https:// 开头的公开网址（发布信息所在的网页）。"
        )
    return url


def done_date(text: str, today: dt.date) -> dt.date:
    if not text.strip():
        return today
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(400, "日期无效", "发布日期格式应为 年-月-日，例如 2026-04-01。") from None
    if day > today or day < today - dt.timedelta(days=EARLIEST_DAYS):
        raise Refused(400, "日期无效", "发布日期不能晚于今天，也不能早于一年多以前。")
    return day


def _own(uid: str, unit: str) -> None:
    """403 unless the uid names ``unit`` (DUTY.PERIOD.UNIT@domain)."""
    name = uid.rpartition("@")[0]
    if name.count(".") != 2 or name.split(".")[2] != unit:
        raise Refused(403, "无权操作", "只能标记本单位的事项。")


async def mark_done(request: Request) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
        form = await read_form(request, nonce)
        site = site_of(request)
        uid = form.get("uid", "")
        _own(uid, unit)
        url = evidence_url(form.get("url", ""))
        day = done_date(form.get("on", ""), site.today())
        await run_in_threadpool(_write_done, site, grant, unit, uid, url, day, client(request))
    except Refused as refused:
        return refusal(request, refused)
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=done", status_code=303)


def _write_done(site: Site, grant: Grant, unit: str, uid: str, url: str, day: dt.date, remote: str) -> None:  # fmt: skip
    now = site.now()
    # Among the occurrences the pages show (last, this and next year, as loaded: at once);
    # else expanded from the plan's start, with event dates recorded since.
    plan = site.plan(events=False)
    domain = plan.schedule.plan.uid_domain
    if any(occ.uid(unit, domain) == uid for occ in plan.by_unit.get(unit, ())):
        who = unit
    else:
        try:
            plan = site.plan()
            _, who = find(plan.schedule, plan.calendar, uid, now)
        except DisclosureError:
            raise Refused(404, "没有这个事项", "事项编号无效，请返回刷新页面。") from None
    if who != unit:
        raise Refused(403, "无权操作", "只能标记本单位的事项。")
    entry = AuditEntry(now, grant.actor, "done", unit, uid, url, remote, f"发布日期 {day}")
    with site.writing, site.ledger() as ledger:
        ledger.mark_done(uid, unit, day, url, now, audit=entry)


async def undo(request: Request) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
        form = await read_form(request, nonce)
        uid = form.get("uid", "")
        _own(uid, unit)
        await run_in_threadpool(_write_undo, site_of(request), grant, unit, uid, client(request))
    except Refused as refused:
        return refusal(request, refused)
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=undone", status_code=303)


def _write_undo(site: Site, grant: Grant, unit: str, uid: str, remote: str) -> None:
    now = site.now()
    zone = ZoneInfo(site.plan(events=False).schedule.plan.timezone)
    with site.writing, site.ledger() as ledger:
        mark = ledger.done(unit).get(uid)
        if mark is None:
            raise Refused(409, "未标记完成", "该事项尚未标记完成。")
        if (
            mark.recorded is None
            or mark.recorded.astimezone(zone).date() != now.astimezone(zone).date()
        ):
            raise Refused(403, "不能撤销", "完成标记只能在标记当天撤销；如需更正，请联系协调人。")
        entry = AuditEntry(now, grant.actor, "undone", unit, uid, mark.url, remote)
        ledger.mark_undone(uid, now, audit=entry)
