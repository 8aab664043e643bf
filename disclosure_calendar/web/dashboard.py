"""GET /coordinator: the coordinator's dashboard: units by period with done / open /
overdue / missed, filters by unit, section, cadence and quarter, the overdue list with days
late, and the audit log."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from ..reminders.service import RETRY_DAYS
from ..schedule.periods import describe
from . import progress
from .base import Refused, ledger_view, refusal, render, require, site_of
from .site import Plan

AUDIT_ROWS = 100
ACTION_WORDS = {
    "done": "标记完成", "undone": "撤销完成", "access-issued": "发放链接",
    "access-revoked": "收回链接", "event-added": "登记事件", "retry-failed": "重新发送拒收的提醒",
}  # fmt: skip


def filters(query: Mapping[str, str], plan: Plan, this_year: int) -> progress.Filters:
    """The filters a query string asks for; anything unknown is ignored, not an error."""
    schedule = plan.schedule
    unit = query.get("unit") or None
    section = query.get("section", "")
    cadence = query.get("cadence") or None
    quarter = query.get("quarter", "")
    year = query.get("year", "")
    years = range(plan.first_year, plan.first_year + 3)
    return progress.Filters(
        unit=unit if unit in {u.id for u in schedule.units} else None,
        section=int(section) if section.isdigit() and len(section) <= 3 else None,
        cadence=cadence if cadence in progress.CADENCE_WORDS else None,
        quarter=int(quarter) if quarter in ("1", "2", "3", "4") else None,
        year=int(year) if year.isdigit() and int(year) in years else this_year,
    )


def report_query(chosen: progress.Filters) -> dict[str, object]:
    """The notice's period and unit, as the dashboard shows them (sections and cadences are
    not the notice's: it covers every duty)."""
    query: dict[str, object] = {"year": chosen.year}
    if chosen.quarter is not None:
        query["quarter"] = chosen.quarter
    if chosen.unit is not None:
        query["unit"] = chosen.unit
    return query


def occurrence_words(plan: Plan, uid: str | None) -> str:
    """'1.3 一般公共预算收支完成情况（2026-10)' for an occurrence id; the id itself if unknown."""
    if not uid:
        return ""
    parts = uid.rpartition("@")[0].split(".")
    if len(parts) != 3:
        return uid
    duty_id, label, _ = parts
    for duty in plan.schedule.duties:
        if duty.id == duty_id:
            return f"{duty.ref} {duty.title}（{label}）"
    return uid


def _retry_notice(query: Mapping[str, str]) -> str | None:
    if query.get("notice") != "retry":
        return None
    count = query.get("count", "")
    if count in ("", "0") or not count.isdigit():
        return "没有需要重新发送的提醒（最近 30 天内被拒收的提醒都已重发或已送达）。"
    return f"已安排重新发送 {int(count)} 条提醒：提醒服务下次运行时发出（也可立即运行 remind --at <现在>）。"


def selected_items(request: Request) -> tuple[Plan, progress.Filters, list[progress.Item]]:
    site = site_of(request)
    plan = site.plan()
    today = site.today()
    chosen = filters(request.query_params, plan, today.year)
    done = ledger_view(request).done()
    everything = progress.items(plan.schedule, plan.occurrences, done, today)
    return plan, chosen, [i for i in everything if chosen.keep(i)]


def dashboard(request: Request) -> Response:
    try:
        found = require(request, coordinator=True)
    except Refused as refused:
        return refusal(request, refused)
    site = site_of(request)
    plan, chosen, items = selected_items(request)
    schedule = plan.schedule
    zone = ZoneInfo(schedule.plan.timezone)
    since = site.now() - dt.timedelta(days=RETRY_DAYS)
    with site.ledger() as ledger:
        missed = Counter(m.unit for m in ledger.missed() if m.slot.year == chosen.year)
        audit = ledger.audit_log(AUDIT_ROWS, unit=chosen.unit)
        # recipients that refused a reminder for good lately: fixed, they can be resent
        problems = [
            p
            for p in ledger.delivery_problems()
            if p.at >= since and ".problem@" not in p.message and chosen.unit in (None, p.addressee)
        ][-AUDIT_ROWS:]
    units = [u.id for u in schedule.units if chosen.unit in (None, u.id)]
    rows = progress.counts(schedule, items, missed, units)
    overdue = sorted(
        (i for i in items if i.state == "overdue"), key=lambda i: (-i.days_late, i.uid)
    )
    totals = Counter({k: sum(getattr(r, k) for r in rows) for k in ("on_time", "late", "open", "overdue", "missed")})  # fmt: skip
    query = {k: v for k, v in request.query_params.items() if k in ("unit", "section", "cadence", "quarter", "year")}  # fmt: skip
    return render(
        request,
        "dashboard.html",
        {
            "filters": chosen,
            "rows": rows,
            "totals": totals,
            "overdue": overdue,
            "audit": [
                (a, a.at.astimezone(zone), occurrence_words(plan, a.occurrence)) for a in audit
            ],
            "actions": ACTION_WORDS,
            "units": schedule.units,
            "sections": sorted({d.section for d in schedule.duties}),
            "cadences": progress.CADENCE_WORDS,
            "years": list(range(plan.first_year, plan.first_year + 3)),
            "describe": describe,
            "names": {u.id: u.name for u in schedule.units},
            "export_query": urlencode(query),
            "report_query": urlencode(report_query(chosen)),
            "today": site.today(),
            "problems": [(p, p.at.astimezone(zone)) for p in reversed(problems)],
            "notice": _retry_notice(request.query_params),
            "session": found,
        },
    )
