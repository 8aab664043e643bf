"""Expand duties into dated occurrences on the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import periods
from .model import PERIODIC, Duty, Schedule
from .periods import Period

if TYPE_CHECKING:
    from .workdays import ChinaCalendar

# A period's due date can fall well after it ends (a yearly report due in December of the
# next year), so periods are scanned from this far before the horizon.
_LOOKBACK = dt.timedelta(days=800)


@dataclass(frozen=True)
class Occurrence:
    """One dated instance of a duty: the report for ``period``, due on ``due``."""

    duty: Duty
    period: Period
    due: dt.date
    reminders: tuple[dt.date, ...]
    provisional: bool

    @property
    def key(self) -> str:
        """Stable within a schedule: the duty id and the period label."""
        return f"{self.duty.id}/{self.period.label}"

    def uid(self, assignee: str, domain: str) -> str:
        """Stable across rebuilds, reordering and edits of other duties."""
        return f"{self.duty.id}.{self.period.label}.{assignee}@{domain}"


def sort_key(occ: Occurrence) -> tuple[dt.date, int, int, str, dt.date]:
    return (occ.due, occ.duty.section, occ.duty.item, occ.duty.id, occ.period.start)


def expand(
    schedule: Schedule, cal: ChinaCalendar, start: dt.date, end: dt.date
) -> list[Occurrence]:
    """Every occurrence of every dated duty due within [start, end], sorted by due date."""
    found: list[Occurrence] = []
    for duty in schedule.duties:
        found.extend(expand_duty(duty, schedule, cal, start, end))
    found.sort(key=sort_key)
    return found


def _anchors(duty: Duty, schedule: Schedule, start: dt.date, end: dt.date) -> list[Period]:
    if duty.cadence in PERIODIC:
        last = min(d for d in (end, duty.end, schedule.plan.end) if d is not None)
        first = max(duty.start, start - _LOOKBACK)
        return [
            p
            for p in periods.iterate(duty.cadence, first, last)
            if p.end >= duty.start and p.end <= last
        ]
    if duty.cadence == "once" and duty.due is not None:
        anchor = getattr(duty.due, "date", duty.start)
        return [periods.single("once", anchor, "once")]
    if duty.cadence == "event":
        return [
            periods.single(f"event-{ev.date.isoformat()}", ev.date, "event") for ev in duty.events
        ]
    return []


def expand_duty(
    duty: Duty, schedule: Schedule, cal: ChinaCalendar, start: dt.date, end: dt.date
) -> list[Occurrence]:
    if duty.due is None:
        return []
    out: list[Occurrence] = []
    for period in _anchors(duty, schedule, start, end):
        due = duty.due.due(period, cal)
        if due is None or not start <= due <= end:
            continue
        reminders = tuple(
            sorted({cal.add_working_days(due, -n) if n else due for n in duty.reminders})
        )
        provisional = any(cal.is_provisional(d) for d in (period.end, due, *reminders))
        out.append(Occurrence(duty, period, due, reminders, provisional))
    return out


def for_unit(
    occurrences: list[Occurrence], schedule: Schedule, unit_or_group: str
) -> list[Occurrence]:
    """The occurrences that reach a unit (through any group), or that name a group."""
    if schedule.is_group(unit_or_group):
        return [o for o in occurrences if unit_or_group in o.duty.units]
    return [o for o in occurrences if unit_or_group in schedule.unit_ids_of(o.duty)]
