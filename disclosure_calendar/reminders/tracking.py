"""Done-tracking and the coordinator's supervision report: who published on time, who is behind."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.i18n import prose_date
from ..core.sheets import Sheet, csv_text
from ..core.table import table
from ..core.text import one_line
from ..occurrences.expansion import Occurrence, expand, expand_duty
from ..occurrences.horizon import today_in
from ..schedule.lookup import find_duty, period_label

if TYPE_CHECKING:
    from ..schedule.model import Duty, Schedule
    from ..workdays.calendar import WorkdayCalendar

STATES = ("on_time", "late", "open", "overdue")


def occurrence_uid(
    schedule: Schedule, ref: str, period: str | None = None, unit: str | None = None
) -> str:
    """The per-unit UID a short reference names: ``5.7 2026-03-02``, ``1.3 2026-03``,
    ``self-check 2026Q1 --unit torch_zone``; a whole UID (with ``@``) stands for itself."""
    if "@" in ref:
        if period is not None or unit is not None:
            raise DisclosureError(
                _("{ref!r} is a whole occurrence id: give no period or --unit").format(ref=ref)
            )
        return ref
    if unit is not None:
        schedule.check_assignee(unit)
        if schedule.is_group(unit):
            raise DisclosureError(_("--unit: {unit!r} is a group; name one unit").format(unit=unit))
    refused = _("standing duties have no dates: mark the unit's self-check (self-check PERIOD)")
    try:
        duty = find_duty(
            schedule, ref, unit=unit, accept=lambda d: d.cadence != "ongoing", refused=refused
        )
    except DisclosureError:
        if period is None:
            raise
        # A ref split by cadence (7.4: monthly, quarterly, yearly): the period's form says which.
        duty = find_duty(
            schedule, ref, unit=unit, accept=lambda d: _fits(d, period), refused=refused
        )
    label = period_label(duty, period)
    reached = schedule.unit_ids_of(duty)
    if unit is None:
        if len(reached) != 1:
            raise DisclosureError(
                _(
                    "{duty} reaches {count} units: give --unit (see `disclosure-calendar "
                    "agenda --duty {duty}`)"
                ).format(duty=duty.id, count=len(reached))
            )
        unit = reached[0]
    elif unit not in reached:
        raise DisclosureError(
            _("{duty} does not reach unit {unit!r}").format(duty=duty.id, unit=unit)
        )
    return f"{duty.id}.{label}.{unit}@{schedule.plan.uid_domain}"


def _fits(duty: Duty, period: str) -> bool:
    if duty.cadence == "ongoing":
        return False
    try:
        period_label(duty, period)
    except DisclosureError:
        return False
    return True


def find(
    schedule: Schedule, cal: WorkdayCalendar, uid: str, now: dt.datetime
) -> tuple[Occurrence, str]:
    """The occurrence and unit a per-unit uid (duty.period.unit@domain) names, or a clear error."""
    name, _at, domain = uid.rpartition("@")
    parts = name.split(".")
    if not domain or len(parts) != 3:
        raise DisclosureError(
            _("{uid!r} is not an occurrence id (expected DUTY.PERIOD.UNIT@{domain})").format(
                uid=uid, domain=schedule.plan.uid_domain
            )
        )
    if domain != schedule.plan.uid_domain:
        raise DisclosureError(
            _("{uid!r}: domain {domain!r} is not this schedule's {ours!r}").format(
                uid=uid, domain=domain, ours=schedule.plan.uid_domain
            )
        )
    duty_id, label, unit = parts
    try:
        duty = schedule.duty(duty_id)
    except KeyError:
        raise DisclosureError(
            _("{uid!r}: no duty {duty!r} in {path}").format(
                uid=uid, duty=duty_id, path=schedule.path
            )
        ) from None
    if unit not in schedule.unit_ids_of(duty):
        raise DisclosureError(
            _("{uid!r}: duty {duty!r} does not reach unit {unit!r}").format(
                uid=uid, duty=duty_id, unit=unit
            )
        )
    today = today_in(schedule.plan.timezone, now)
    horizon = dt.date(today.year + 3, 12, 31)
    for occ in expand_duty(duty, schedule, cal, schedule.plan.issued, horizon):
        if occ.period.label == label:
            return occ, unit
    raise DisclosureError(
        _("{uid!r}: duty {duty!r} has no occurrence for period {period!r}").format(
            uid=uid, duty=duty_id, period=label
        )
    )


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    on_time: int
    late: int
    open: int
    overdue: int

    @property
    def rate(self) -> float | None:
        """On-time share of what has fallen due; None when nothing has yet."""
        due = self.on_time + self.late + self.overdue
        return self.on_time / due if due else None


def classify(occ: Occurrence, done_on: dt.date | None, today: dt.date) -> str:
    if done_on is not None:
        return "on_time" if done_on <= occ.due else "late"
    return "open" if occ.due >= today else "overdue"


def supervise(
    schedule: Schedule,
    occurrences: list[Occurrence],
    done: dict[str, tuple[dt.date, str | None]],
    today: dt.date,
    units: list[str],
) -> tuple[list[Row], list[dict[str, object]]]:
    """Counts per unit, and every per-unit occurrence with its state."""
    counts = {u: dict.fromkeys(STATES, 0) for u in units}
    detail: list[dict[str, object]] = []
    for occ in occurrences:
        if occ.duty.routine:
            continue
        for unit in schedule.unit_ids_of(occ.duty):
            if unit not in counts:
                continue
            uid = occ.uid(unit, schedule.plan.uid_domain)
            done_on, url = done.get(uid, (None, None))
            state = classify(occ, done_on, today)
            counts[unit][state] += 1
            detail.append(
                {
                    "uid": uid,
                    "unit": unit,
                    "ref": occ.duty.ref,
                    "title": occ.duty.title,
                    "period": occ.period.label,
                    "due": occ.due.isoformat(),
                    "state": state,
                    "done_on": done_on.isoformat() if done_on else None,
                    "url": url,
                }
            )
    rows = [Row(u, schedule.name(u), **counts[u]) for u in units]
    order = {u: i for i, u in enumerate(units)}
    # The coordinator's question is who is behind: most overdue first, then lowest rate.
    rows.sort(key=lambda r: (-r.overdue, 2.0 if r.rate is None else r.rate, order[r.unit]))
    return rows, detail


def status_data(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    now: dt.datetime,
    *,
    unit: str | None = None,
    year: int | None = None,
) -> StatusData:
    from .ledger import Ledger, LedgerMissing, LedgerUnreachable

    today = today_in(schedule.plan.timezone, now)
    year = year or today.year
    known = [u.id for u in schedule.units]
    if unit is not None and unit not in known and not schedule.is_group(unit):
        raise DisclosureError(_("--unit: unknown unit or group {unit!r}").format(unit=unit))
    members = schedule.members(unit) if unit else frozenset(known)
    units = [u for u in known if u in members]
    occs = expand(schedule, cal, dt.date(year, 1, 1), dt.date(year, 12, 31))
    done: dict[str, tuple[dt.date, str | None]] = {}
    missed = []
    problems = []
    try:
        with Ledger(db, read_only=True) as ledger:  # a report changes nothing
            done = {k: (v.on, v.url) for k, v in ledger.done().items()}
            missed = [m for m in ledger.missed() if m.unit in members and m.slot.year == year]
            problems = [
                p
                for p in ledger.delivery_problems()
                if (p.addressee in members or unit is None) and p.at.year == year
            ]
    except LedgerMissing:
        pass  # nothing recorded yet: every occurrence is open or overdue
    except LedgerUnreachable as exc:
        # Without the done marks every unit would look behind: say so instead of guessing.
        raise DisclosureError(_("no status report: {reason}").format(reason=exc)) from None
    rows, detail = supervise(schedule, occs, done, today, units)
    return StatusData(year, today, rows, detail, missed, problems)


@dataclass(frozen=True)
class StatusData:
    year: int
    today: dt.date
    rows: list[Row]
    detail: list[dict[str, Any]]
    missed: list[Any]
    problems: list[Any]  # addresses that refused reminders for good (DeliveryProblem)


def status_report(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    now: dt.datetime,
    *,
    unit: str | None = None,
    year: int | None = None,
    fmt: str = "table",
) -> str:
    data = status_data(schedule, cal, db, now, unit=unit, year=year)
    year, today, rows, detail, missed, problems = (
        data.year, data.today, data.rows, data.detail, data.missed, data.problems
    )  # fmt: skip
    if fmt == "json":
        return json.dumps(
            {
                "year": year,
                "as_of": today.isoformat(),
                "units": [
                    {
                        "unit": r.unit,
                        "name": r.name,
                        "on_time": r.on_time,
                        "late": r.late,
                        "open": r.open,
                        "overdue": r.overdue,
                        "on_time_rate": None if r.rate is None else round(r.rate, 4),
                    }
                    for r in rows
                ],
                "occurrences": detail,
                "missed_reminders": [
                    {
                        "occurrence": m.occurrence,
                        "kind": m.kind,
                        "slot": m.slot.isoformat(),
                        "to": m.addressee,
                        "channel": m.channel,
                    }
                    for m in missed
                ],
                "delivery_problems": [
                    {
                        "message": p.message,
                        "to": p.addressee,
                        "channel": p.channel,
                        "recipient": p.recipient,
                        "answer": p.answer,
                        "at": p.at.isoformat(),
                    }
                    for p in problems
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "csv":
        sheet = status_sheet(rows)
        return csv_text(sheet.headers, sheet.rows) + "\n"
    body = table(
        [
            _("unit"),
            _("name"),
            _("on time"),
            _("late"),
            _("open"),
            _("overdue"),
            _("on-time rate"),
        ],  # fmt: skip
        [
            [
                r.unit,
                r.name,
                str(r.on_time),
                str(r.late),
                str(r.open),
                str(r.overdue),
                "-" if r.rate is None else f"{r.rate:.0%}",
            ]
            for r in rows
        ],
    )
    foot = _("{year}, as of {today}: {overdue} overdue, {missed} reminder(s) missed").format(
        year=year, today=prose_date(today), overdue=sum(r.overdue for r in rows), missed=len(missed)
    )
    # Refused for good and never retried: the coordinator has to fix the address.
    for p in problems:
        foot += "\n" + _(
            "delivery problem: {who} ({channel}) {recipient} refused: {answer}"
        ).format(who=p.addressee, channel=p.channel, recipient=p.recipient, answer=p.answer)
    return f"{body}\n\n{foot}"


def status_sheet(rows: list[Row]) -> Sheet:
    """The per-unit status as a spreadsheet view (CSV, xlsx): field names in English."""
    return Sheet(
        _("status"),
        [
            _("unit"), _("name"), _("on_time"), _("late"), _("open"), _("overdue"),
            _("on_time_rate"),
        ],
        [
            [
                r.unit, r.name, r.on_time, r.late, r.open, r.overdue,
                None if r.rate is None else round(r.rate, 4),
            ]
            for r in rows
        ],
    )  # fmt: skip


def mark_done(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db_path: str | Path,
    uid: str,
    url: str | None,
    day: dt.date | None,
    now: dt.datetime,
) -> str:
    """``done``: record the publication of the occurrence ``uid``; says whether it was on time."""
    from .ledger import Ledger

    occ, unit = find(schedule, cal, uid, now)
    today = today_in(schedule.plan.timezone, now)
    if day is not None and day > today:
        raise DisclosureError(
            _("--on {day} is in the future (today is {today}): record a publication once it is out")
            .format(day=prose_date(day), today=prose_date(today))
        )  # fmt: skip
    day = day or today
    url = one_line(url) or None if url is not None else None
    with Ledger(db_path) as ledger:
        ledger.mark_done(uid, unit, day, url, now)
    if day <= occ.due:
        return _("done: {uid} on {day}, on time").format(uid=uid, day=prose_date(day))
    return _("done: {uid} on {day}, late (due {due})").format(
        uid=uid, day=prose_date(day), due=prose_date(occ.due)
    )


def mark_undone(db_path: str | Path, uid: str, now: dt.datetime) -> str:
    """``undone``: withdraw a done record, so reminders for the occurrence resume."""
    from .ledger import Ledger

    with Ledger(db_path, create=False) as ledger:
        if not ledger.mark_undone(uid, now):
            raise DisclosureError(_("{uid} is not marked done").format(uid=uid))
    return _("undone: {uid}").format(uid=uid)
