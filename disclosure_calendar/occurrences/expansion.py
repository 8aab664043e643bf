"""Expand duties into dated occurrences on the working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING

from ..core.gcpause import paused_gc
from ..schedule import periods
from ..schedule.model import Duty, Schedule
from ..schedule.periods import PERIODIC, Period
from ..schedule.rules import extended_due

if TYPE_CHECKING:
    from ..schedule.rules import Rule
    from ..workdays.calendar import WorkdayCalendar

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
    # An event recorded for one unit: only that unit has the occurrence (None: every unit
    # the duty reaches, as for every other cadence).
    unit: str | None = None
    # The first limit, when an extension was recorded for the event: ``due`` is then the
    # extended limit, the one reminders and counts go by.
    first_due: dt.date | None = None

    @property
    def key(self) -> str:
        """Stable within a schedule: the duty id and the period label."""
        return f"{self.duty.id}/{self.period.label}"

    def uid(self, assignee: str, domain: str) -> str:
        """Stable across rebuilds, reordering and edits of other duties."""
        return self.uid_prefix + uid_suffix(assignee, domain)

    @cached_property
    def uid_prefix(self) -> str:
        """The start of every UID of this occurrence: ``DUTY.PERIOD.``. Kept once made: a
        rebuild asks for it several times per occurrence (52k of them in a province)."""
        return f"{self.duty.id}.{self.period.label}."


def uid_suffix(assignee: str, domain: str) -> str:
    """The end of a UID, ``ASSIGNEE@DOMAIN``: one string for all of an assignee's events."""
    return f"{assignee}@{domain}"


def expand(
    schedule: Schedule, cal: WorkdayCalendar, start: dt.date, end: dt.date
) -> list[Occurrence]:
    """Every occurrence of every dated duty due within [start, end], sorted by due date."""
    found: list[Occurrence] = []
    memo = _Memo(cal)
    with paused_gc():
        # By due date, then the duty's place in the plan (section, item, id), then the
        # period: gathered in plan order and period order, then sorted (stably) by date.
        for duty in sorted(schedule.duties, key=plan_place):
            occurrences = expand_duty(duty, schedule, cal, start, end, memo=memo)
            if duty.cadence == "event":  # a Duty made in code may list them in any order
                occurrences.sort(key=_period_start)
            found.extend(occurrences)
        found.sort(key=_due)
    return found


def plan_place(duty: Duty) -> tuple[object, ...]:
    """Where a duty stands in the plan: section, item, id."""
    return (duty.section, duty.item, duty.id)


def duty_ranks(schedule: Schedule) -> dict[str, int]:
    """Each duty's place in plan order (``plan_place``), as a number."""
    return {d.id: i for i, d in enumerate(sorted(schedule.duties, key=plan_place))}


_due = attrgetter("due")
_period_start = attrgetter("period.start")


# A period with its due date, reminder days and provisional flag: an occurrence without its duty.
_Dated = tuple[Period, dt.date, tuple[dt.date, ...], bool]


class _Memo:
    """Dates that one expansion works out once and shares between duties.

    Duties fall into few kinds: the same cadence, due rule and reminders over the same
    window give the same dates, whatever the duty's text or units. A province's thousands
    of duties are a few hundred kinds, so dates are computed per kind, not per duty.
    """

    def __init__(self, cal: WorkdayCalendar):
        self.cal = cal
        self._kinds: dict[tuple[object, ...], list[_Dated]] = {}
        self._reminders: dict[tuple[dt.date, tuple[int, ...]], tuple[dt.date, ...]] = {}
        self._provisional: dict[dt.date, bool] = {}

    def kind(self, key: tuple[object, ...], compute: Callable[[], list[_Dated]]) -> list[_Dated]:
        dated = self._kinds.get(key)
        if dated is None:
            dated = self._kinds[key] = compute()
        return dated

    def dated(self, period: Period, due: dt.date, counts: tuple[int, ...], rule: Rule) -> _Dated:
        reminders = self._reminders.get((due, counts))
        if reminders is None:
            cal = self.cal
            reminders = tuple(sorted({cal.add_working_days(due, -n) if n else due for n in counts}))
            self._reminders[due, counts] = reminders
        # Provisional only if a day that decided the due date may still change: not because
        # the period ends in a December whose next year has no notice (a yearly list due in
        # March), nor for a reminder day.
        first, last = rule.deciding_days(period, due)
        return period, due, reminders, self.is_provisional_range(first, last)

    def is_provisional_range(self, first: dt.date, last: dt.date) -> bool:
        """True if a day of [first, last] may change with a notice not yet in the data."""
        if self.is_provisional(first) or self.is_provisional(last):
            return True
        # A day's status is provisional by its year, or in December by the next year's:
        # one day per year and one per December in between stand for all of them.
        for year in range(first.year, last.year + 1):
            inner = (dt.date(year, 1, 1), dt.date(year, 12, 1))
            if any(first <= d <= last and self.is_provisional(d) for d in inner):
                return True
        return False

    def is_provisional(self, day: dt.date) -> bool:
        known = self._provisional.get(day)
        if known is None:
            known = self._provisional[day] = self.cal.is_provisional(day)
        return known


def _anchors(duty: Duty, schedule: Schedule, start: dt.date, end: dt.date) -> list[Period]:
    if duty.cadence in PERIODIC:
        # A period that ended before the duty started still counts if its report falls due
        # after (May 2017's budget report, due in June, after the plan of 9 June 2017).
        first = max(start, duty.start) - _LOOKBACK
        stop = _stop(duty, schedule)
        last = end if stop is None else min(end, stop)
        return [
            p for p in periods.iterate(duty.cadence, first, last) if stop is None or p.end <= stop
        ]
    if duty.cadence == "once" and duty.due is not None:
        anchor = getattr(duty.due, "date", duty.start)
        stop = _stop(duty, schedule)
        return [periods.single("once", anchor, "once")] if stop is None or anchor <= stop else []
    return []


def event_period(day: dt.date) -> Period:
    """The period an event of ``day`` stands for (its label is the UID's middle part)."""
    return periods.single(f"event-{day.isoformat()}", day, "event")


def _stop(duty: Duty, schedule: Schedule) -> dt.date | None:
    """The last day a period of the duty may end on (an event may happen on): the duty's or
    its plan's end, if any."""
    ends = [d for d in (duty.end, schedule.plan_of(duty).end) if d is not None]
    return min(ends) if ends else None


def expand_duty(
    duty: Duty,
    schedule: Schedule,
    cal: WorkdayCalendar,
    start: dt.date,
    end: dt.date,
    *,
    memo: _Memo | None = None,
) -> list[Occurrence]:
    """The occurrences of one duty due within [start, end], in the order of their anchors."""
    rule = duty.due
    if rule is None:
        return []
    shared = _Memo(cal) if memo is None else memo

    # A periodic duty's reports are due from its start on; one-off and event dates are its own.
    earliest = max(start, duty.start) if duty.cadence in PERIODIC else start

    if duty.cadence == "event":
        # Each event is for one unit or all, perhaps with its limit extended: its own dates.
        out: list[Occurrence] = []
        stop = _stop(duty, schedule)
        for ev in duty.events:
            if stop is not None and ev.date > stop:
                continue
            period = event_period(ev.date)
            due = first = rule.due(period, cal)
            if ev.extended:
                due = extended_due(rule, ev.date, cal) or first
            if due is not None and start <= due <= end:
                _p, _d, reminders, provisional = shared.dated(period, due, duty.reminders, rule)
                moved = first if due != first else None
                out.append(_occurrence(duty, period, due, reminders, provisional, ev.unit, moved))
        return out

    def compute() -> list[_Dated]:
        out = []
        for period in _anchors(duty, schedule, start, end):
            due = rule.due(period, cal)
            if due is not None and earliest <= due <= end:
                out.append(shared.dated(period, due, duty.reminders, rule))
        return out

    if duty.cadence in PERIODIC:
        # Everything the dates of a periodic duty depend on; its text and units do not count.
        key = (duty.cadence, rule, duty.reminders, duty.start, _stop(duty, schedule), start, end)
        dated = shared.kind(key, compute)
    else:  # one-off anchors are the duty's own dates: nothing to share
        dated = compute()
    return [_occurrence(duty, *d) for d in dated]


def _occurrence(
    duty: Duty,
    period: Period,
    due: dt.date,
    reminders: tuple[dt.date, ...],
    provisional: bool,
    unit: str | None = None,
    first_due: dt.date | None = None,
) -> Occurrence:
    """``Occurrence(duty, period, due, reminders, provisional, unit)``, without the frozen
    dataclass's ``__init__`` (an ``object.__setattr__`` per field): a province makes 100,000
    of them before its feeds can be shared out, and this takes half the time."""
    occ = object.__new__(Occurrence)
    fields = occ.__dict__
    fields["duty"] = duty
    fields["period"] = period
    fields["due"] = due
    fields["reminders"] = reminders
    fields["provisional"] = provisional
    fields["unit"] = unit
    fields["first_due"] = first_due
    return occ


def reached(schedule: Schedule, occ: Occurrence) -> tuple[str, ...]:
    """The units that have the occurrence: the event's unit, or every unit the duty reaches."""
    return (occ.unit,) if occ.unit is not None else schedule.unit_ids_of(occ.duty)


def assignees(occ: Occurrence) -> tuple[str, ...]:
    """Who the occurrence is for as the plan names them (a group once), or the event's unit."""
    return (occ.unit,) if occ.unit is not None else occ.duty.units


def for_unit(
    occurrences: list[Occurrence], schedule: Schedule, unit_or_group: str
) -> list[Occurrence]:
    """The occurrences that reach a unit (through any group), or that name a group."""
    if schedule.is_group(unit_or_group):
        return [o for o in occurrences if o.unit is None and unit_or_group in o.duty.units]
    return [o for o in occurrences if unit_or_group in reached(schedule, o)]
