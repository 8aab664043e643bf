"""POST /unit/<id>/done and /unit/<id>/undo: a unit marks its occurrence done, with the URL
where it was published, or withdraws its own mark on the day it made it.

The session must be for that unit (or the coordinator's), the CSRF token must match, and
the occurrence must be the unit's own: its uid names the unit, and the schedule confirms
the duty reaches it. The change and its audit entry are one ledger transaction.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.errors import DisclosureError
from ..core.i18n import messages_in
from ..core.tokens import Grant
from ..ledger import AlreadyDone, AuditEntry
from ..occurrences.marking import check_published, check_url, find
from .base import Refused, client, read_form, refusal, require, root, site_of
from .site import Site


def evidence_url(text: str) -> str:
    """An http(s) URL with a host, or Refused: the check `done --url` makes, in its words."""
    try:
        with messages_in("zh"):
            return check_url(text)
    except DisclosureError as exc:
        raise Refused(400, "网址无效", str(exc)) from None


def done_date(text: str, today: dt.date) -> dt.date:
    """The date the form gives (today if empty); checked against the occurrence later."""
    if not text.strip():
        return today
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(400, "日期无效", "发布日期格式应为 年-月-日，例如 2026-04-01。") from None


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
        await site.write(_write_done, site, grant, unit, uid, url, day, client(request))
    except Refused as refused:
        return refusal(request, refused)
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=done", status_code=303)


def _write_done(site: Site, grant: Grant, unit: str, uid: str, url: str, day: dt.date, remote: str) -> None:  # fmt: skip
    now = site.now()
    # Among the occurrences the pages show (last, this and next year, as loaded: at once);
    # else expanded from the plan's start, with event dates recorded since.
    plan = site.plan(events=False)
    domain = plan.schedule.plan.uid_domain
    occ = next((o for o in plan.by_unit.get(unit, ()) if o.uid(unit, domain) == uid), None)
    if occ is not None:
        who = unit
    else:
        try:
            plan = site.plan()
            occ, who = find(plan.schedule, plan.calendar, uid, now)
        except DisclosureError:
            raise Refused(404, "没有这个事项", "事项编号无效，请返回刷新页面。") from None
    if who != unit:
        raise Refused(403, "无权操作", "只能标记本单位的事项。")
    try:
        with messages_in("zh"):  # the same check, and words, as `done --on`
            check_published(occ, day, site.today())
    except DisclosureError as exc:
        raise Refused(400, "日期无效", str(exc)) from None
    entry = AuditEntry(now, grant.actor, "done", unit, uid, url, remote, f"发布日期 {day}")
    with site.writing, site.ledger() as ledger:
        try:
            with messages_in("zh"):
                ledger.mark_done(uid, unit, day, url, now, audit=entry, how=f"link:{grant.id}")
        except AlreadyDone as exc:
            with messages_in("zh"):
                said = str(exc.in_zone(plan.schedule.plan.timezone))
            raise Refused(409, "已标记完成", said) from None


async def undo(request: Request) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
        form = await read_form(request, nonce)
        uid = form.get("uid", "")
        _own(uid, unit)
        await site_of(request).write(
            _write_undo, site_of(request), grant, unit, uid, client(request)
        )
    except Refused as refused:
        return refusal(request, refused)
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=undone", status_code=303)


def _write_undo(site: Site, grant: Grant, unit: str, uid: str, remote: str) -> None:
    now = site.now()
    zone = ZoneInfo(site.plan(events=False).schedule.plan.timezone)
    with site.writing, site.ledger() as ledger:
        mark = ledger.done_mark(uid)  # this one mark, not all the unit's
        if mark is None or mark.unit != unit:
            raise Refused(409, "未标记完成", "该事项尚未标记完成。")
        if (
            mark.recorded is None
            or mark.recorded.astimezone(zone).date() != now.astimezone(zone).date()
        ):
            raise Refused(403, "不能撤销", "完成标记只能在标记当天撤销；如需更正，请联系协调人。")
        entry = AuditEntry(now, grant.actor, "undone", unit, uid, mark.url, remote)
        ledger.mark_undone(uid, now, audit=entry, how=f"link:{grant.id}")
