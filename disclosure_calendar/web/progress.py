"""Where each unit stands: occurrences joined with done marks, for the pages and the export.

Pure functions of the schedule, the occurrences, the done marks and today; the handlers
fetch those and pass them in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..occurrences.expansion import Occurrence, reached
from ..reminders.ledger import Done
from ..reminders.tracking import UNTRACKED, classify
from ..schedule.model import Duty, Schedule

UPCOMING_WEEKS = 6
STATE_WORDS = {"on_time": "按时完成", "late": "逾期完成", "open": "未到期", "overdue": "逾期未完成"}
CADENCE_WORDS = {
    "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度",
    "half-yearly": "每半年", "yearly": "每年", "once": "一次性", "event": "事件触发",
    "ongoing": "长期",
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One unit's share of one occurrence, and how it stands."""

    uid: str
    unit: str
    occ: Occurrence
    state: str  # on_time, late, open, overdue
    done: Done | None
    days_late: int  # calendar days past due: until today (overdue) or until done (late)

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


def items(
    schedule: Schedule,
    occurrences: Iterable[Occurrence],
    done: Mapping[str, Done],
    today: dt.date,
    units: Collection[str] | None = None,
    track_from: dt.date | None = None,
) -> list[Item]:
    """Every dated, non-routine occurrence per unit it reaches (only ``units`` if given);
    none left unmarked from before ``track_from``, when tracking began."""
    domain = schedule.plan.uid_domain
    out = []
    for occ in occurrences:
        if occ.duty.routine:  # a day's monitoring is never late; see Duty.routine
            continue
        for unit in reached(schedule, occ):
            if units is not None and unit not in units:
                continue
            uid = occ.uid(unit, domain)
            mark = done.get(uid)
            state = classify(occ, mark.on if mark else None, today, track_from)
            if state == UNTRACKED:
                continue
            until = mark.on if mark else today
            out.append(Item(uid, unit, occ, state, mark, max(0, (until - occ.due).days)))
    return out


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
        # a recorded event (a request) shows until it is answered, however far its limit
        upcoming=[
            i
            for i in unit_items
            if i.state == "open" and (i.occ.due <= horizon or i.occ.period.kind == "event")
        ],
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
    tally: dict[str, Counter[str]] = {u: Counter() for u in units}
    for item in selected:
        if item.unit in tally:
            tally[item.unit][item.state] += 1
    rows = [
        UnitCounts(
            u, schedule.name(u), c["on_time"], c["late"], c["open"], c["overdue"], missed.get(u, 0)
        )
        for u, c in tally.items()
    ]
    order = {u: n for n, u in enumerate(units)}
    # The coordinator's question is who is behind: most overdue first.
    rows.sort(key=lambda r: (-r.overdue, -r.late, order[r.unit]))
    return rows
