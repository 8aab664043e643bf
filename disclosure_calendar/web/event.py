"""POST /unit/<id>/event and /unit/<id>/extend: record the date an event-triggered duty was
triggered for the unit (a repeal for 5.7, a request for 22.1), or that the reply limit of one
was extended; the due date then shows on the pages and in the reminders at once; the feeds are
rebuilt in the background when ``serve`` runs with ``--rebuild`` (the default), else after
the next build. The answer does not wait for the build: the page it leads to says when the
feeds have the date (web/rebuild.py).

An event belongs to the unit whose page records it: only that unit's pages, feed and
reminders get the occurrence. A unit records its own events (its requests) with its own
link; the coordinator may record for any unit, and only the coordinator may record an event
for every unit the duty reaches (a city-wide repeal), which the form says.
"""

from __future__ import annotations

import datetime as dt
import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.errors import DisclosureError
from ..core.i18n import messages_in
from ..core.text import one_line
from ..core.tokens import COORDINATOR, Grant
from ..ledger import AlreadyRecorded, AuditEntry
from ..ledger.events import MAX_NOTE, check_event_date
from ..schedule.model import Duty
from ..schedule.rules import extension_days
from .base import Refused, client, read_form, refusal, require, root, site_of
from .site import Site


def may_record(grant: Grant, duty: Duty, reached: tuple[str, ...], unit: str) -> bool:
    """An event of ``duty`` for ``unit``: the unit's own, or the coordinator's."""
    if duty.cadence != "event" or unit not in reached:
        return False
    return grant.role == COORDINATOR or grant.unit == unit


def may_record_all(grant: Grant, reached: tuple[str, ...]) -> bool:
    """An event of every unit a shared duty reaches: the coordinator's only."""
    return grant.role == COORDINATOR and len(reached) > 1


async def add_event(request: Request) -> Response:
    return await _change(request, _write)


async def extend_event(request: Request) -> Response:
    return await _change(request, _write_extension)


async def _change(request: Request, write: object) -> Response:
    unit = request.path_params["unit"]
    try:
        grant, nonce = require(request, unit)
        form = await read_form(request, nonce)
        site = site_of(request)
        await site.write(write, site, grant, unit, form, client(request))  # type: ignore[arg-type]
    except Refused as refused:
        return refusal(request, refused)
    rebuilder = request.app.state.rebuilder
    if rebuilder is None:
        return RedirectResponse(f"{root(request)}/unit/{unit}?notice=event-later", status_code=303)
    # Answered now; the page tells from `at` when a build that includes this date has landed.
    at = time.time_ns()
    rebuilder.request()
    return RedirectResponse(f"{root(request)}/unit/{unit}?notice=event&at={at}", status_code=303)


def _duty(
    site: Site, grant: Grant, unit: str, form: dict[str, str]
) -> tuple[Duty, tuple[str, ...]]:
    schedule = site.plan(events=False).schedule  # its event dates may be a few seconds old
    duty = next((d for d in schedule.duties if d.id == form.get("duty", "")), None)
    reached = schedule.unit_ids_of(duty) if duty is not None else ()
    if duty is None or not may_record(grant, duty, reached, unit):
        raise Refused(403, "无权操作", "只能登记本单位承担的事件触发任务。")
    return duty, reached


def _date(site: Site, form: dict[str, str], duty: Duty) -> dt.date:
    try:
        day = dt.date.fromisoformat(form.get("date", "").strip())
    except ValueError:
        raise Refused(400, "日期无效", "事件日期格式应为 年-月-日，例如 2026-04-01。") from None
    try:
        with messages_in("zh"):  # the same check, and words, as `event add`
            return check_event_date(site.plan(events=False).schedule, day, site.today(), duty)
    except DisclosureError as exc:
        raise Refused(400, "日期无效", str(exc)) from None


def _write(site: Site, grant: Grant, unit: str, form: dict[str, str], remote: str) -> None:
    duty, reached = _duty(site, grant, unit, form)
    day = _date(site, form, duty)
    every = form.get("all_units") == "1"
    if every and not may_record_all(grant, reached):
        raise Refused(403, "无权操作", "为所有承担单位登记事件由协调人办理。")
    whom = None if every else unit
    note = one_line(form.get("note", ""), MAX_NOTE)
    if any(
        e.date == day and (e.unit is None or whom is None or e.unit == whom) for e in duty.events
    ):
        raise Refused(409, "已登记", f"{duty.ref} {day} 的事件已登记。")
    now = site.now()
    with site.writing, site.ledger() as ledger:
        try:
            ledger.add_event(duty.id, day, note, now, added_by=grant.actor, unit=whom)
        except AlreadyRecorded:
            # Recorded since the plan last read the dates (forms check against the plan as
            # loaded, so that they answer at once): by `event add`, by this very form sent
            # twice, or a moment ago (the ledger keeps one row; the second is told so).
            site.events_changed()
            raise Refused(409, "已登记", f"{duty.ref} {day} 的事件已登记。") from None
        # A unit's name is the schedule file's: the plan as loaded has it (reloading the plan
        # with the date just written costs an expansion, and every form would wait on it here).
        scope = "全部承担单位" if whom is None else site.plan(events=False).schedule.name(whom)
        ledger.audit(
            AuditEntry(now, grant.actor, "event-added", unit, None, None, remote, f"{duty.ref} {day} {scope} {note}".strip())
        )  # fmt: skip
    site.events_changed()


def _write_extension(site: Site, grant: Grant, unit: str, form: dict[str, str], remote: str) -> None:  # fmt: skip
    duty, reached = _duty(site, grant, unit, form)
    duty = site.plan().schedule.duty(duty.id)  # with the event dates recorded just now
    day = _date(site, form, duty)
    if extension_days(duty.due, day) is None:
        raise Refused(400, "不能延期", f"{duty.ref} 对 {day} 的事件没有可延长的期限。")
    event = next((e for e in duty.events if e.date == day and e.unit in (unit, None)), None)
    if event is None:
        raise Refused(404, "没有这个事件", f"{duty.ref} {day} 的事件尚未登记。")
    if event.unit is None and grant.role != COORDINATOR:
        raise Refused(403, "无权操作", "全部承担单位的事件由协调人办理延期。")
    now = site.now()
    with site.writing, site.ledger() as ledger:
        try:
            found = ledger.extend_event(duty.id, day, now, unit=event.unit)
        except DisclosureError:
            raise Refused(409, "已延期", f"{duty.ref} {day} 的事件已登记延期。") from None
        if not found:
            raise Refused(
                404,
                "没有这个事件",
                f"{duty.ref} {day} 的事件记录在 schedule.yaml 中，请在那里修改。",
            )
        ledger.audit(
            AuditEntry(now, grant.actor, "event-extended", unit, None, None, remote, f"{duty.ref} {day}")
        )  # fmt: skip
    site.events_changed()
