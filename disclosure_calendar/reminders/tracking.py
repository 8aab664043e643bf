"""Done-tracking and the coordinator's supervision report: who published on time, who is behind."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import DisclosureError
from ..core.table import table
from ..occurrences.expansion import Occurrence, expand, expand_duty
from ..occurrences.horizon import today_in
from ..schedule.lookup import find_duty, period_label

if TYPE_CHECKING:
    from ..schedule.model import Duty, Schedule
    from ..workdays.calendar import ChinaCalendar

STATES = ("on_time", "late", "open", "overdue")


def occurrence_uid(
    schedule: Schedule, ref: str, period: str | None = None, unit: str | None = None
) -> str:
    """The per-unit UID a short reference names: ``5.7 2026-03-02``, ``1.3 2026-03``,
    ``self-check 2026Q1 --unit torch_zone``; a whole UID (with ``@``) stands for itself."""
    if "@" in ref:
        if period is not None or unit is not None:
            raise DisclosureError(f"{ref!r} is a whole occurrence id: give no period or --unit")
        return ref
    if unit is not None:
        schedule.check_assignee(unit)
        if schedule.is_group(unit):
            raise DisclosureError(f"--unit: {unit!r} is a group; name one unit")
    refused = "standing duties have no dates: mark the unit's self-check (self-check PERIOD)"
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
                f"{duty.id} reaches {len(reached)} units: give --unit (see `disclosure-calendar "
                f"agenda --duty {duty.id}`)"
            )
        unit = reached[0]
    elif unit not in reached:
        raise DisclosureError(f"{duty.id} does not reach unit {unit!r}")
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
    schedule: Schedule, cal: ChinaCalendar, uid: str, now: dt.datetime
) -> tuple[Occurrence, str]:
    """The occurrence and unit a per-unit uid (duty.period.unit@domain) names, or a clear error."""
    name, _, domain = uid.rpartition("@")
    parts = name.split(".")
    if not domain or len(parts) != 3:
        raise DisclosureError(
            f"{uid!r} is not an occurrence id (expected DUTY.PERIOD.UNIT@{schedule.plan.uid_domain})"
        )
    if domain != schedule.plan.uid_domain:
        raise DisclosureError(
            f"{uid!r}: domain {domain!r} is not this schedule's {schedule.plan.uid_domain!r}"
        )
    duty_id, label, unit = parts
    try:
        duty = schedule.duty(duty_id)
    except KeyError:
        raise DisclosureError(f"{uid!r}: no duty {duty_id!r} in {schedule.path}") from None
    if unit not in schedule.unit_ids_of(duty):
        raise DisclosureError(f"{uid!r}: duty {duty_id!r} does not reach unit {unit!r}")
    today = today_in(schedule.plan.timezone, now)
    horizon = dt.date(today.year + 3, 12, 31)
    for occ in expand_duty(duty, schedule, cal, schedule.plan.issued, horizon):
        if occ.period.label == label:
            return occ, unit
    raise DisclosureError(f"{uid!r}: duty {duty_id!r} has no occurrence for period {label!r}")


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


def status_report(
    schedule: Schedule,
    cal: ChinaCalendar,
    db: str | Path,
    now: dt.datetime,
    *,
    unit: str | None = None,
    year: int | None = None,
    fmt: str = "table",
) -> str:
    from .ledger import Ledger, LedgerMissing, LedgerUnreachable

    today = today_in(schedule.plan.timezone, now)
    year = year or today.year
    known = [u.id for u in schedule.units]
    if unit is not None and unit not in known and not schedule.is_group(unit):
        raise DisclosureError(f"--unit: unknown unit or group {unit!r}")
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
        raise DisclosureError(f"no status report: {exc}") from None
    rows, detail = supervise(schedule, occs, done, today, units)
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
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["unit", "name", "on_time", "late", "open", "overdue", "on_time_rate"])
        for r in rows:
            writer.writerow(
                [
                    r.unit,
                    r.name,
                    r.on_time,
                    r.late,
                    r.open,
                    r.overdue,
                    "" if r.rate is None else f"{r.rate:.4f}",
                ]
            )
        return out.getvalue()
    body = table(
        ["unit", "name", "on time", "late", "open", "overdue", "on-time rate"],
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
    foot = f"{year}, as of {today}: {sum(r.overdue for r in rows)} overdue, {len(missed)} reminder(s) missed"
    # Refused for good and never retried: the coordinator has to fix the address.
    for p in problems:
        foot += f"\ndelivery problem: {p.addressee} ({p.channel}) {p.recipient} refused: {p.answer}"
    return f"{body}\n\n{foot}"


def mark_done(
    schedule: Schedule,
    cal: ChinaCalendar,
    db_path: str | Path,
    uid: str,
    url: str | None,
    day: dt.date | None,
    now: dt.datetime,
) -> str:
    """``done``: record the publication of the occurrence ``uid``; says whether it was on time."""
    from .ledger import Ledger

    occ, unit = find(schedule, cal, uid, now)
    day = day or today_in(schedule.plan.timezone, now)
    with Ledger(db_path) as ledger:
        ledger.mark_done(uid, unit, day, url, now)
    late = "on time" if day <= occ.due else f"late (due {occ.due})"
    return f"done: {uid} on {day}, {late}"


def mark_undone(db_path: str | Path, uid: str, now: dt.datetime) -> str:
    """``undone``: withdraw a done record, so reminders for the occurrence resume."""
    from .ledger import Ledger

    with Ledger(db_path, create=False) as ledger:
        if not ledger.mark_undone(uid, now):
            raise DisclosureError(f"{uid} is not marked done")
    return f"undone: {uid}"
