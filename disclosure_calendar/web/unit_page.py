"""GET /unit/<id>: a unit's own page: overdue, due soon, done (with evidence), the standing
self-checks and the full text of every duty; forms to mark done and to undo."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from ..schedule.periods import describe
from . import progress
from .base import Refused, ledger_view, refusal, render, require, site_of
from .event import may_record
from .rebuild import landed
from .site import Site

NOTICES = {
    "done": "已标记完成，提醒将于下一个发送时间停止。",
    "undone": "已撤销完成标记。",
    "event": "已登记事件日期；到期日已列入本页，提醒即时生效；日历订阅正在后台更新，"
    "本页将在更新后自动刷新。",
    "event-landed": "已登记事件日期；到期日已列入本页，提醒即时生效，日历订阅已更新。",
    "event-slow": "已登记事件日期；到期日已列入本页，提醒即时生效；日历订阅尚未更新完成"
    "（可能在排队），请稍后刷新本页查看。",
    "event-later": "已登记事件日期；到期日已列入本页，提醒即时生效，日历订阅在下次生成后更新。",
}


# While the feeds are being rebuilt after an event date, the page reloads itself this often,
# for at most WAIT_SECONDS after the date was recorded.
REFRESH_SECONDS = 2
WAIT_SECONDS = 60


def _rebuild_state(site: Site, at: str) -> str:
    """``event`` (rebuilding), ``event-landed`` or ``event-slow``, for a date recorded at
    ``at`` (time.time_ns, from the form's answer)."""
    try:
        since = int(at)
    except ValueError:
        return "event-slow"
    if landed(site.out_dir, since):
        return "event-landed"
    return "event" if time.time_ns() - since < WAIT_SECONDS * 10**9 else "event-slow"


def unit_page(request: Request) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
    except Refused as refused:
        return refusal(request, refused)
    site = site_of(request)
    plan = site.plan()
    schedule = plan.schedule
    if unit not in {u.id for u in schedule.units}:
        return refusal(request, Refused(404, "没有这个单位", "请检查链接。"))
    today = site.today()
    marks = ledger_view(request)
    done = marks.done(unit)

    def make() -> progress.UnitView:
        items = progress.items(schedule, plan.by_unit[unit], done, today, {unit})
        return progress.unit_view(schedule, items, unit, today)

    view = marks.memo(("unit", unit, plan.stamp, today), make)
    notice = request.query_params.get("notice", "")
    if notice == "event":
        notice = _rebuild_state(site, request.query_params.get("at", ""))
    # Everything the page shows: the schedule (its stamp), the day, the unit's marks.
    key = (unit, plan.stamp, today, notice, grant.role, tuple(sorted(done.items())))
    zone = ZoneInfo(schedule.plan.timezone)
    undoable = {
        i.uid
        for i in view.done
        if i.done and i.done.recorded and i.done.recorded.astimezone(zone).date() == today
    }
    events = [
        (d, may_record(grant, d, schedule.unit_ids_of(d), unit))
        for d in view.duties
        if d.cadence == "event"
    ]
    return render(
        request,
        "unit.html",
        {
            "unit": unit,
            "unit_name": schedule.name(unit),
            "view": view,
            "today": today,
            "undoable": undoable,
            "describe": describe,
            "cadences": progress.CADENCE_WORDS,
            "session": (grant, nonce),
            "notice": NOTICES.get(notice),
            "refresh": REFRESH_SECONDS if notice == "event" else None,
            "first_year": plan.first_year,
            "events": events,
        },
        cache_key=key,
    )
