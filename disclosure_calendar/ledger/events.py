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
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.files import ledger_file
from ..core.i18n import prose_date
from ..core.table import table
from ..core.text import one_line
from ..schedule.lookup import find_duty
from ..schedule.model import Duty, Event, Schedule
from ..schedule.periods import single
from ..schedule.rules import extended_due, extension_days

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar
    from .records import EventRecord


MAX_NOTE = 200  # characters of an event's note, on the command line as in the portal's form


def with_recorded_events(schedule: Schedule, records: Iterable[EventRecord]) -> Schedule:
    """The schedule with the ledger's event dates merged in.

    A record for a duty that is gone from schedule.yaml, or is no longer event-triggered,
    is left out (``event list`` still shows it), so editing the file never breaks a build.
    """
    event_duties = {d.id: d for d in schedule.duties if d.cadence == "event"}
    extra: dict[str, list[Event]] = {}
    for r in records:
        duty = event_duties.get(r.duty)
        if duty is None:
            continue
        if r.unit is not None and r.unit not in schedule.unit_ids_of(duty):
            continue  # the unit left the duty (or the file): `event list` still shows it
        # one_line: a note stored raw before notes were cleaned on the way in
        event = Event(r.date, one_line(r.note) or None, r.unit, r.extended is not None)
        extra.setdefault(r.duty, []).append(event)
    return schedule.with_events(extra)


def load_recorded(schedule: Schedule, db: str | Path, *, quick: bool = False) -> Schedule:
    """``with_recorded_events`` from the ledger at ``db``; no ledger yet, no change.

    ``quick``: an SQLite ledger's events read alone (``read_sqlite_events``), for a command
    that reads nothing else of the ledger (build); the others open it whole, which checks
    it first (a damaged ledger is said so before anything else)."""
    if _no_file(db):
        return schedule  # the usual first build: no database toolkit to import for nothing
    path = ledger_file(db) if quick else None
    rows = None if path is None else read_sqlite_events(path)
    if rows is not None:
        return with_recorded_events(schedule, rows)  # type: ignore[arg-type]
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


def check_event_date(
    schedule: Schedule, day: dt.date, today: dt.date, duty: Duty | None = None
) -> dt.date:
    """``day`` as the date an event happened on: not in the future, not before the plan (the
    duty's, where a schedule holds several).

    The one check of `event add` and the portal's event form, in the same words.
    """
    plan = schedule.plan if duty is None else schedule.plan_of(duty)
    if day > today:
        raise DisclosureError(
            _("event date {day} is in the future (today is {today}): record an event once it has happened")
            .format(day=prose_date(day), today=prose_date(today))
        )  # fmt: skip
    if day < plan.issued:
        raise DisclosureError(
            _("event date {day} is before the plan ({issued}): no duty of it can be triggered")
            .format(day=prose_date(day), issued=prose_date(plan.issued))
        )  # fmt: skip
    return day


def event_unit(
    schedule: Schedule, duty: Duty, unit: str | None, *, all_units: bool = False
) -> str | None:
    """The unit an event of ``duty`` is for (None: every unit the duty reaches).

    A duty of one unit needs no --unit; a shared one needs --unit, or --all-units for an
    event the plan means for all of them (a city-wide repeal).
    """
    reached = schedule.unit_ids_of(duty)
    if all_units:
        if unit is not None:
            raise DisclosureError(_("give --unit or --all-units, not both"))
        return None
    if unit is None:
        if len(reached) == 1:
            return reached[0]
        raise DisclosureError(
            _(
                "{ref} {duty} reaches {count} units: give --unit UNIT (the unit the event is "
                "for), or --all-units for an event of every one of them"
            ).format(ref=duty.ref, duty=duty.id, count=len(reached))
        )
    schedule.check_assignee(unit)
    if unit not in reached:
        raise DisclosureError(
            _("{duty} does not reach unit {unit!r}").format(duty=duty.id, unit=unit)
        )
    return unit


def due_of(duty: Duty, day: dt.date, cal: WorkdayCalendar) -> dt.date:
    assert duty.due is not None  # an event duty always has its rule (the loader checks)
    due = duty.due.due(single(f"event-{day.isoformat()}", day, "event"), cal)
    assert due is not None
    return due


def add(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    ref: str,
    day: dt.date,
    note: str,
    *,
    now: dt.datetime,
    unit: str | None = None,
    all_units: bool = False,
    added_by: str = "cli",
) -> tuple[Duty, str | None, dt.date]:
    """Record an event of the duty ``ref`` names on ``day``: its duty, unit and due date."""
    duty = event_duty(schedule, ref)
    today = now.astimezone(ZoneInfo(schedule.plan.timezone)).date()
    check_event_date(schedule, day, today, duty)
    whom = event_unit(schedule, duty, unit, all_units=all_units)
    if any(
        e.date == day and (e.unit is None or whom is None or e.unit == whom) for e in duty.events
    ):
        raise DisclosureError(
            _("{duty} {day}: already listed in {path}").format(
                duty=duty.id, day=day, path=schedule.path
            )
        )
    due = due_of(duty, day, cal)
    from .store import Ledger

    with Ledger(db) as ledger:
        ledger.add_event(duty.id, day, one_line(note, MAX_NOTE), now, added_by, unit=whom)
    return duty, whom, due


def extend(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    ref: str,
    day: dt.date,
    *,
    now: dt.datetime,
    unit: str | None = None,
    all_units: bool = False,
) -> tuple[Duty, str | None, dt.date, dt.date]:
    """Record that the limit of the event of ``day`` was extended, as the version of the rule
    in force on that day allows: its duty, unit, first and extended limit."""
    duty = event_duty(schedule, ref)
    whom = event_unit(schedule, duty, unit, all_units=all_units)
    if extension_days(duty.due, day) is None:
        raise DisclosureError(
            _("{ref} {duty}: its rule allows no extension for an event of {day}").format(
                ref=duty.ref, duty=duty.id, day=day
            )
        )
    first, extended = due_of(duty, day, cal), extended_due(duty.due, day, cal)
    assert extended is not None
    from .backends import LedgerMissing
    from .store import Ledger

    try:
        with Ledger(db, create=False) as ledger:
            found = ledger.extend_event(duty.id, day, now, unit=whom)
    except LedgerMissing:
        found = False
    if not found:
        raise DisclosureError(
            _(
                "{duty} {day}: no such event recorded{whom}; record it first with `event add`"
            ).format(duty=duty.id, day=day, whom=_whom(whom))
        )
    return duty, whom, first, extended


def _whom(unit: str | None) -> str:
    return _(" for every unit") if unit is None else _(" for {unit}").format(unit=unit)


def remove(
    schedule: Schedule,
    db: str | Path,
    ref: str,
    day: dt.date,
    *,
    unit: str | None = None,
    all_units: bool = False,
) -> tuple[Duty, str | None]:
    duty = event_duty(schedule, ref)
    if any(e.date == day for e in duty.events):
        raise DisclosureError(
            _("{duty} {day} is written in {path}: edit it there").format(
                duty=duty.id, day=day, path=schedule.path
            )
        )
    whom = event_unit(schedule, duty, unit, all_units=all_units)
    from .backends import LedgerMissing
    from .store import Ledger

    try:
        with Ledger(db, create=False) as ledger:
            if not ledger.remove_event(duty.id, day, unit=whom):
                raise DisclosureError(
                    _("{duty} {day}: no such event recorded").format(duty=duty.id, day=day)
                )
    except LedgerMissing:
        raise DisclosureError(
            _("{duty} {day}: no such event recorded (no ledger at {db})").format(
                duty=duty.id, day=day, db=ledger_shown(db)
            )
        ) from None
    return duty, whom


def listing(
    schedule: Schedule,
    cal: WorkdayCalendar,
    db: str | Path,
    ref: str | None = None,
    *,
    unit: str | None = None,
) -> str:
    """Every event date, from schedule.yaml and the ledger, with its unit and due date(s);
    when recorded, in the plan's time zone."""
    wanted = event_duty(schedule, ref).id if ref is not None else None
    from .backends import LedgerMissing
    from .store import Ledger

    records = []
    try:
        with Ledger(db, create=False) as ledger:
            records = ledger.events(wanted)
    except LedgerMissing:
        pass
    zone = ZoneInfo(schedule.plan.timezone)
    every = _("(every unit)")
    names = {u.id: u.name for u in schedule.units}  # a unit no longer in the plan: its id
    known = {d.id: d for d in schedule.duties}
    rows = []
    for duty in schedule.duties:
        if duty.cadence != "event" or (wanted and duty.id != wanted):
            continue
        for ev in duty.events:
            if ev.unit is not None and unit is not None and ev.unit != unit:
                continue
            due = _due(duty, ev.date, cal)
            rows.append(
                (
                    duty.id,
                    ev.date,
                    names.get(ev.unit, ev.unit) if ev.unit else every,
                    due,
                    "",
                    _("in schedule.yaml"),
                    "",
                    ev.note or "",
                )
            )
    for r in records:
        if unit is not None and r.unit not in (None, unit):
            continue
        found = known.get(r.duty)
        if found and found.cadence == "event":
            due = _due(found, r.date, cal)
            extended = _extended_due(found, r.date, cal) if r.extended else ""
        else:
            due, extended = _("(no such event duty)"), ""
        rows.append(
            (
                r.duty, r.date, names.get(r.unit, r.unit) if r.unit else every, due, extended,
                _recorded_by(schedule, r.added_by),
                r.added.astimezone(zone).strftime("%Y-%m-%d %H:%M"), one_line(r.note),
            )
        )  # fmt: skip
    if not rows:
        return _("no events recorded")
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    cells = [
        [d, str(day), who, due, ext, source, at, note]
        for d, day, who, due, ext, source, at, note in rows
    ]
    return table(
        [
            _("duty"),
            _("date"),
            _("unit"),
            _("due"),
            _("extended due"),
            _("source"),
            _("recorded"),
            _("note"),
        ],
        cells,
    )


def _extended_due(duty: Duty, day: dt.date, cal: WorkdayCalendar) -> str:
    found = extended_due(duty.due, day, cal)
    return found.isoformat() if found else "-"


def _due(duty: Duty, day: dt.date, cal: WorkdayCalendar) -> str:
    assert duty.due is not None
    due = duty.due.due(single(f"event-{day.isoformat()}", day, "event"), cal)
    return due.isoformat() if due else "-"


def ledger_shown(db: str | Path) -> str:
    from .backends import parse_target

    return parse_target(db).shown


class _Recorded(NamedTuple):
    """What with_recorded_events reads of an EventRecord."""

    duty: str
    date: dt.date
    note: str
    unit: str | None
    extended: str | None


# The ledger's schema from which events have a unit and an extension (schema.py, v6). A
# later migration that changes the events table must raise this, or the fast read below
# would read it wrongly (tests/ledger/test_events.py compares it with Ledger.events).
_EVENTS_SINCE, _EVENTS_UNTIL = 6, 6


def read_sqlite_events(path: Path) -> list[_Recorded] | None:
    """An SQLite ledger's event dates read with the standard library, read-only: a build
    that reads only these spares the database toolkit's import and set-up (0.2 s, more than
    the rest of a rebuild). None when the file is not a ledger of a schema this knows (then
    the ledger is opened as everywhere else, which says what is wrong)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except (sqlite3.Error, ValueError):
        return None
    try:
        (version,) = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        if not isinstance(version, int) or not _EVENTS_SINCE <= version <= _EVENTS_UNTIL:
            return None
        query = "SELECT duty, date, note, unit, extended FROM events ORDER BY duty, date, unit"
        return [
            _Recorded(duty, dt.date.fromisoformat(day), note, unit or None, extended)
            for duty, day, note, unit, extended in conn.execute(query)
        ]
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        conn.close()


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
