"""Where each unit stands: occurrences joined with done marks, and the figures per unit.

Pure functions of the schedule, the occurrences, the done marks and today, shared by the
``status`` command, the coordinator's dashboard and the reports: :func:`items` gives each
unit's share of each occurrence with its state, :func:`unit_figures` counts them per unit
(on time, late, open, overdue, and the on-time rate).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .expansion import Occurrence, reached

if TYPE_CHECKING:
    from ..ledger.records import Done
    from ..schedule.model import Schedule

STATES = ("on_time", "late", "open", "overdue")
STATE_WORDS = {"on_time": "按时完成", "late": "逾期完成", "open": "未到期", "overdue": "逾期未完成"}


UNTRACKED = "untracked"


def classify(
    occ: Occurrence, done_on: dt.date | None, today: dt.date, track_from: dt.date | None = None
) -> str:
    """on_time, late, open or overdue; ``untracked`` for an occurrence without a mark that
    fell due before tracking began (``track_from``, `ledger track-from`): counted nowhere."""
    if done_on is not None:
        return "on_time" if done_on <= occ.due else "late"
    if occ.due >= today:
        return "open"
    return UNTRACKED if track_from is not None and occ.due < track_from else "overdue"


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
    """Every dated, non-routine occurrence per unit it reaches (only ``units`` if given; an
    event recorded for one unit, that unit's only); none left unmarked from before
    ``track_from``, when tracking began."""
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


class Rates:
    """What follows from the four counts, for one unit (Figures) or a sum (the 通报's totals)."""

    on_time: int
    late: int
    open: int
    overdue: int

    @property
    def due(self) -> int:
        """What has fallen due: done on time, done late, or overdue."""
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """On-time share of what has fallen due; None when nothing has yet."""
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class Figures(Rates):
    """One unit's status figures."""

    unit: str
    name: str
    on_time: int
    late: int
    open: int
    overdue: int

    def as_json(self) -> dict[str, object]:
        """The unit as `status --format json` and the 通报's JSON give it (rate to 4 places)."""
        return {
            "unit": self.unit,
            "name": self.name,
            "on_time": self.on_time,
            "late": self.late,
            "open": self.open,
            "overdue": self.overdue,
            "on_time_rate": None if self.rate is None else round(self.rate, 4),
        }


def unit_figures(
    schedule: Schedule, selected: Iterable[Item], units: Sequence[str]
) -> list[Figures]:
    """Per unit of ``units``, in that order: done on time, done late, open, overdue (and the
    on-time rate); items of other units are not counted."""
    tally: dict[str, Counter[str]] = {u: Counter() for u in units}
    for item in selected:
        if item.unit in tally:
            tally[item.unit][item.state] += 1
    return [
        Figures(u, schedule.name(u), c["on_time"], c["late"], c["open"], c["overdue"])
        for u, c in tally.items()
    ]
