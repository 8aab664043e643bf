"""POST /unit/<id>/event: record the date an event-triggered duty was triggered (a repeal for
5.7, a request for 22.1); its due date then shows on the pages and in the reminders at once;
the feeds are rebuilt in the background when ``serve`` runs with
``--rebuild`` (the default), else after the next build. The answer does not wait for the
build: the page it leads to says when the feeds have the date (web/rebuild.py).

An event date belongs to the duty, so it sets due dates for every unit the duty reaches: a
unit may record one only for a duty that reaches it alone; dates of shared duties are the
coordinator's (who can open any unit's page).
"""

from __future__ import annotations

import datetime as dt
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.text import one_line
from ..core.tokens import COORDINATOR, Grant
from ..ledger import AlreadyRecorded, AuditEntry
from ..ledger.events import MAX_NOTE
from ..schedule.model import Duty
from .base import Refused, client, read_form, refusal, require, root, site_of
from .site import Site


def may_record(grant: Grant, duty: Duty, reached: tuple[str, ...], unit: str) -> bool:
    if duty.cadence != "event" or unit not in reached:
        return False
    return grant.role == COORDINATOR or reached == (unit,)


async def add_event(request: Request) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
        form = await read_form(request, nonce)
        await run_in_threadpool(_write, site_of(request), grant, unit, form, client(request))
    except Refused as refused:
        return refusal(request, refused)
    rebuilder = request.app.state.rebuilder
    if rebuilder is None:
        return RedirectResponse(f"{root(request)}/unit/{unit}?notice=event-later", status_code=303)
    # Answered now; the page tells from `at` when a build that includes this date has landed.
    at = time.time_ns()
    rebuilder.request()
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=event&at={at}", status_code=303)


def _write(site: Site, grant: Grant, unit: str, form: dict[str, str], remote: str) -> None:
    plan = site.plan(events=False)  # its event dates may be a few seconds old: see below
    schedule = plan.schedule
    duty = next((d for d in schedule.duties if d.id == form.get("duty", "")), None)
    if duty is None or not may_record(grant, duty, schedule.unit_ids_of(duty), unit):
        raise Refused(403, "无权操作", "此任务的事件日期由协调人登记。")
    today = site.today()
    try:
        day = dt.date.fromisoformat(form.get("date", "").strip())
    except ValueError:
        raise Refused(400, "日期无效", "事件日期格式应为 年-月-日，例如 2026-04-01。") from None
    if not schedule.plan.issued <= day <= today:
        raise Refused(400, "日期无效", "事件日期不能晚于今天，也不能早于方案印发日期。")
    note = one_line(form.get("note", ""), MAX_NOTE)
    recorded = Refused(409, "已登记", f"{duty.ref} {day} 的事件已登记。")
    if any(e.date == day for e in duty.events):
        raise recorded
    now = site.now()
    with site.writing, site.ledger() as ledger:
        try:
            ledger.add_event(duty.id, day, note, now, added_by=grant.actor)
        except AlreadyRecorded:
            # Recorded since the plan last read the dates (forms check against the plan as
            # loaded, so that they answer at once): by `event add`, by this very form sent
            # twice, or a moment ago (the ledger keeps one row; the second is told so).
            site.events_changed()
            raise recorded from None
        ledger.audit(
            AuditEntry(now, grant.actor, "event-added", unit, None, None, remote, f"{duty.ref} {day} {note}".strip())
        )  # fmt: skip
    site.events_changed()
