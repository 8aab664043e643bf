"""A routine (daily) duty's year as one recurring event instead of ~250 separate ones.

21.2's daily website monitoring is due every working day. As separate events it buried
everything else in a unit's calendar; as one event per year it reads "every working day":
weekdays by RRULE, the weekday holidays as EXDATE, the weekend make-up days (调休) as
RDATE. Calendar clients expand it to exactly the working days the calendar knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..occurrences.expansion import Occurrence
from ..schedule.periods import Period

_ONE_DAY = dt.timedelta(days=1)
SERIES = "series"


@dataclass(frozen=True)
class Series(Occurrence):
    """Every occurrence of a routine duty in one year: ``due`` is the first day."""

    days: tuple[dt.date, ...] = ()

    @property
    def start(self) -> dt.date:
        """DTSTART, the due date: the first weekday among the days (RFC 5545 wants it to
        fit the RRULE)."""
        return self.due

    def exdates(self) -> list[dt.date]:
        """Weekdays from the start to the last day that are not working days."""
        present = set(self.days)
        out = []
        day = self.start
        while day <= self.days[-1]:
            if day.weekday() < 5 and day not in present:
                out.append(day)
            day += _ONE_DAY
        return out

    def rdates(self) -> list[dt.date]:
        """Working days the weekday rule misses: weekends (调休), and any before the start."""
        return [d for d in self.days if d.weekday() >= 5 or d < self.start]


def collapse_routine(occurrences: Sequence[Occurrence]) -> list[Occurrence]:
    """The occurrences with each routine duty's year folded into one :class:`Series`.

    The series stands where its year's first occurrence stood, so the order stays by date.
    """
    groups: dict[tuple[str, int], list[Occurrence]] = {}
    for occ in occurrences:
        if occ.duty.routine:
            groups.setdefault((occ.duty.id, occ.due.year), []).append(occ)
    if not groups:
        return list(occurrences)
    out: list[Occurrence] = []
    for occ in occurrences:
        if not occ.duty.routine:
            out.append(occ)
            continue
        group = groups[(occ.duty.id, occ.due.year)]
        if occ is not group[0]:
            continue
        days = tuple(sorted(o.due for o in group))
        first = next((d for d in days if d.weekday() < 5), days[0])
        period = Period(days[0], days[-1], str(occ.due.year), SERIES)
        provisional = any(o.provisional for o in group)
        out.append(Series(occ.duty, period, first, (), provisional, days=days))
    return out
