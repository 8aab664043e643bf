"""Where each unit stands, as the pages and the export show it.

The items and the figures per unit are the occurrences' (``occurrences/progress.py``, shared
with ``status`` and the reports); here is what the pages add: a unit's view, the dashboard's
filters, the reminders missed beside the figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..occurrences.progress import STATE_WORDS as STATE_WORDS
from ..occurrences.progress import Item as Item
from ..occurrences.progress import items as items
from ..occurrences.progress import unit_figures
from ..schedule.model import Duty, Schedule

UPCOMING_WEEKS = 6
CADENCE_WORDS = {
    "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度",
    "half-yearly": "每半年", "yearly": "每年", "once": "一次性", "event": "事件触发",
    "ongoing": "长期",
}  # fmt: skip


@dataclass(frozen=True)
class UnitView:
    overdue: list[Item]
    upcoming: list[Item]
    done: list[Item]
    standing: list[Duty]
    duties: list[Duty]


def unit_view(
    schedule: Schedule, unit_items: Sequence[Item], unit: str, today: dt.date
) -> UnitView:
    horizon = today + dt.timedelta(weeks=UPCOMING_WEEKS)
    duties = sorted(schedule.duties_of(unit), key=lambda d: (d.section, d.item, d.id))
    return UnitView(
        overdue=[i for i in unit_items if i.state == "overdue"],
        upcoming=[i for i in unit_items if i.state == "open" and i.occ.due <= horizon],
        done=sorted(
            (i for i in unit_items if i.done is not None),
            key=lambda i: (i.done.on if i.done else i.occ.due, i.uid),
            reverse=True,
        ),
        standing=[d for d in duties if not d.dated or d.routine],
        duties=duties,
    )


@dataclass(frozen=True)
class Filters:
    unit: str | None = None
    section: int | None = None
    cadence: str | None = None
    quarter: int | None = None  # of the due date: 1-4
    year: int | None = None

    def keep(self, item: Item) -> bool:
        occ = item.occ
        return (
            (self.unit is None or item.unit == self.unit)
            and (self.section is None or occ.duty.section == self.section)
            and (self.cadence is None or occ.duty.cadence == self.cadence)
            and (self.year is None or occ.due.year == self.year)
            and (self.quarter is None or (occ.due.month - 1) // 3 + 1 == self.quarter)
        )


@dataclass(frozen=True)
class UnitCounts:
    unit: str
    name: str
    on_time: int
    late: int
    open: int
    overdue: int
    missed: int

    @property
    def rate(self) -> str:
        due = self.on_time + self.late + self.overdue
        return f"{self.on_time / due:.0%}" if due else "—"


def counts(
    schedule: Schedule, selected: Iterable[Item], missed: Mapping[str, int], units: Sequence[str]
) -> list[UnitCounts]:
    """Per unit: done on time, done late, not yet due, overdue, reminders missed."""
    rows = [
        UnitCounts(f.unit, f.name, f.on_time, f.late, f.open, f.overdue, missed.get(f.unit, 0))
        for f in unit_figures(schedule, selected, units)
    ]
    order = {u: n for n, u in enumerate(units)}
    # The coordinator's question is who is behind: most overdue first.
    rows.sort(key=lambda r: (-r.overdue, -r.late, order[r.unit]))
    return rows
