"""The ``status`` report: per unit, done on time, done late, open, overdue, the on-time rate;
the reminders missed and the addresses that refused them (from the ledger)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.i18n import prose_date
from ..core.sheets import Sheet, csv_text
from ..core.table import table
from .expansion import Occurrence, expand
from .horizon import today_in
from .progress import Figures, items, unit_figures

if TYPE_CHECKING:
    from ..ledger.records import Done
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar


def supervise(
    schedule: Schedule,
    occurrences: list[Occurrence],
    done: Mapping[str, Done],
    today: dt.date,
    units: list[str],
    track_from: dt.date | None = None,
) -> tuple[list[Figures], list[dict[str, object]]]:
    """Figures per unit, most behind first, and every per-unit occurrence with its state
    (none left unmarked from before ``track_from``)."""
    selected = items(schedule, occurrences, done, today, set(units), track_from)
    detail: list[dict[str, object]] = [
        {
            "uid": i.uid,
            "unit": i.unit,
            "ref": i.occ.duty.ref,
            "title": i.occ.duty.title,
            "period": i.occ.period.label,
            "due": i.occ.due.isoformat(),
            "state": i.state,
            "done_on": i.done.on.isoformat() if i.done else None,
            "url": i.done.url if i.done else None,
        }
        for i in selected
    ]
    rows = unit_figures(schedule, selected, units)
    order = {u: n for n, u in enumerate(units)}
    # The coordinator's question is who is behind: most overdue first, then lowest rate.
    rows.sort(key=lambda r: (-r.overdue, 2.0 if r.rate is None else r.rate, order[r.unit]))
    return rows, detail


def ledger_marks(db: str | Path) -> tuple[dict[str, dt.date], dt.date | None]:
    """The publication dates the ledger records, by uid, and when tracking began (for
    `agenda --as-of`); none without a ledger. Reads only."""
    from ..ledger import Ledger, LedgerMissing

    try:
        with Ledger(db, read_only=True) as ledger:
            return {k: v.on for k, v in ledger.done().items()}, ledger.tracking_start()
    except LedgerMissing:
        return {}, None


def status_data(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    now: dt.datetime,
    *,
    unit: str | None = None,
    year: int | None = None,
) -> StatusData:
    from ..ledger import Ledger, LedgerMissing, LedgerUnreachable

    today = today_in(schedule.plan.timezone, now)
    year = year or today.year
    known = [u.id for u in schedule.units]
    if unit is not None and unit not in known and not schedule.is_group(unit):
        raise DisclosureError(_("--unit: unknown unit or group {unit!r}").format(unit=unit))
    members = schedule.members(unit) if unit else frozenset(known)
    units = [u for u in known if u in members]
    occs = expand(schedule, cal, dt.date(year, 1, 1), dt.date(year, 12, 31))
    done: dict[str, Done] = {}
    missed = []
    problems = []
    track_from = None
    try:
        with Ledger(db, read_only=True) as ledger:  # a report changes nothing
            done = ledger.done()
            track_from = ledger.tracking_start()
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
    rows, detail = supervise(schedule, occs, done, today, units, track_from)
    return StatusData(year, today, rows, detail, missed, problems, track_from)


@dataclass(frozen=True)
class StatusData:
    year: int
    today: dt.date
    rows: list[Figures]
    detail: list[dict[str, Any]]
    missed: list[Any]
    problems: list[Any]  # addresses that refused reminders for good (DeliveryProblem)
    track_from: dt.date | None = None  # when tracking began (`ledger track-from`)


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
                "track_from": data.track_from.isoformat() if data.track_from else None,
                "units": [r.as_json() for r in rows],
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
    if data.track_from is not None:
        foot += "\n" + _(
            "counted from {day}, when tracking began (`ledger track-from`): nothing due "
            "before it is overdue"
        ).format(day=prose_date(data.track_from))
    # Refused for good and never retried: the coordinator has to fix the address.
    for p in problems:
        foot += "\n" + _(
            "delivery problem: {who} ({channel}) {recipient} refused: {answer}"
        ).format(who=p.addressee, channel=p.channel, recipient=p.recipient, answer=p.answer)
    return f"{body}\n\n{foot}"


def status_sheet(rows: list[Figures]) -> Sheet:
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
