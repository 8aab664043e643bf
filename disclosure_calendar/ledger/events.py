"""Event dates kept in the ledger: recorded with `event add`, merged into the schedule.

Event-triggered duties (5.7 repeals, 22.1 replies to requests) get their dates from the
coordinator as things happen. Writing them into schedule.yaml by hand was the only way;
now they live in the ledger database (the daemon's ``--db``) beside what schedule.yaml
lists, and every command that reads the schedule through :func:`with_recorded_events`
sees both. Lower stages never read the ledger: they get a schedule with the dates in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.files import ledger_file
from ..core.table import table
from ..core.text import one_line
from ..schedule.lookup import find_duty
from ..schedule.model import Duty, Event, Schedule
from ..schedule.periods import single

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar
    from .records import EventRecord


MAX_NOTE = 200  # characters of an event's note, on the command line as in the portal's form


def with_recorded_events(schedule: Schedule, records: Iterable[EventRecord]) -> Schedule:
    """The schedule with the ledger's event dates merged in.

    A record for a duty that is gone from schedule.yaml, or is no longer event-triggered,
    is left out (``event list`` still shows it), so editing the file never breaks a build.
    """
    event_duties = {d.id for d in schedule.duties if d.cadence == "event"}
    extra: dict[str, list[Event]] = {}
    for r in records:
        if r.duty in event_duties:
            # one_line: a note stored raw before notes were cleaned on the way in
            extra.setdefault(r.duty, []).append(Event(r.date, one_line(r.note) or None))
    return schedule.with_events(extra)


def load_recorded(schedule: Schedule, db: str | Path) -> Schedule:
    """``with_recorded_events`` from the ledger at ``db``; no ledger yet, no change."""
    if _no_file(db):
        return schedule  # the usual first build: no database toolkit to import for nothing
    from .backends import LedgerMissing
    from .store import Ledger

    try:
        with Ledger(db, create=False) as ledger:
            return with_recorded_events(schedule, ledger.events())
    except LedgerMissing:
        return schedule


def event_duty(schedule: Schedule, ref: str) -> Duty:
    return find_duty(
        schedule,
        ref,
        accept=lambda d: d.cadence == "event",
        what=N_("event duty"),
        refused=_("not event-triggered (see `disclosure-calendar duties --cadence event`)"),
    )


def add(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    ref: str,
    day: dt.date,
    note: str,
    *,
    now: dt.datetime,
    last: dt.date,
) -> tuple[Duty, dt.date]:
    """Record an event of the duty ``ref`` names on ``day``; its duty and due date.

    ``last`` is the end of the horizon the feeds cover: a later date would be on no calendar.
    """
    duty = event_duty(schedule, ref)
    if day < schedule.plan.issued:
        raise DisclosureError(
            _("{day} is before the plan ({issued}): no duty of it can be triggered").format(
                day=day, issued=schedule.plan.issued
            )
        )
    if day > last:
        raise DisclosureError(
            _("{day} is after the horizon ({last}): give a date up to {last}").format(
                day=day, last=last
            )
        )
    if any(e.date == day for e in duty.events):
        raise DisclosureError(
            _("{duty} {day}: already listed in {path}").format(
                duty=duty.id, day=day, path=schedule.path
            )
        )
    assert duty.due is not None  # an event duty always has its rule (the loader checks)
    due = duty.due.due(single(f"event-{day.isoformat()}", day, "event"), cal)
    assert due is not None
    from .store import Ledger

    with Ledger(db) as ledger:
        ledger.add_event(duty.id, day, one_line(note, MAX_NOTE), now)
    return duty, due


def remove(schedule: Schedule, db: str | Path, ref: str, day: dt.date) -> Duty:
    duty = event_duty(schedule, ref)
    if any(e.date == day for e in duty.events):
        raise DisclosureError(
            _("{duty} {day} is written in {path}: edit it there").format(
                duty=duty.id, day=day, path=schedule.path
            )
        )
    from .backends import LedgerMissing
    from .store import Ledger

    try:
        with Ledger(db, create=False) as ledger:
            if not ledger.remove_event(duty.id, day):
                raise DisclosureError(
                    _("{duty} {day}: no such event recorded").format(duty=duty.id, day=day)
                )
    except LedgerMissing:
        raise DisclosureError(
            _("{duty} {day}: no such event recorded (no ledger at {db})").format(
                duty=duty.id, day=day, db=ledger_shown(db)
            )
        ) from None
    return duty


def listing(
    schedule: Schedule, cal: WorkdayCalendar, db: str | Path, ref: str | None = None
) -> str:
    """Every event date, from schedule.yaml and the ledger, with its due date."""
    wanted = event_duty(schedule, ref).id if ref is not None else None
    from .backends import LedgerMissing
    from .store import Ledger

    records = []
    try:
        with Ledger(db, create=False) as ledger:
            records = ledger.events(wanted)
    except LedgerMissing:
        pass
    known = {d.id: d for d in schedule.duties}
    rows = []
    for duty in schedule.duties:
        if duty.cadence != "event" or (wanted and duty.id != wanted):
            continue
        for ev in duty.events:
            rows.append(
                (duty.id, ev.date, ev.note or "", _("in schedule.yaml"), _due(duty, ev.date, cal))
            )
    for r in records:
        found = known.get(r.duty)
        due = (
            _due(found, r.date, cal)
            if found and found.cadence == "event"
            else _("(no such event duty)")
        )
        rows.append((r.duty, r.date, one_line(r.note), _recorded_by(schedule, r.added_by), due))
    if not rows:
        return _("no events recorded")
    rows.sort(key=lambda row: (row[0], row[1]))
    cells = [[d, str(day), due, source, note] for d, day, note, source, due in rows]
    return table([_("duty"), _("date"), _("due"), _("source"), _("note")], cells)


def _due(duty: Duty, day: dt.date, cal: WorkdayCalendar) -> str:
    assert duty.due is not None
    due = duty.due.due(single(f"event-{day.isoformat()}", day, "event"), cal)
    return due.isoformat() if due else "-"


def ledger_shown(db: str | Path) -> str:
    from .backends import parse_target

    return parse_target(db).shown


def _no_file(db: str | Path) -> bool:
    """True when ``db`` names an SQLite file that is not there (a URL is never judged here)."""
    path = ledger_file(db)
    return path is not None and not path.exists()


def _recorded_by(schedule: Schedule, added_by: str) -> str:
    """Who recorded an event date, as ``event list`` shows it (the ledger keeps an id)."""
    if added_by == "cli":
        return _("recorded on the command line")
    if added_by == "coordinator":
        return _("recorded by the coordinator on the portal")
    unit = added_by.removeprefix("unit:")
    names = {u.id: u.name for u in schedule.units}
    if unit in names:
        return _("recorded by {unit} on the portal").format(unit=names[unit])
    return _("recorded by {who}").format(who=added_by)
