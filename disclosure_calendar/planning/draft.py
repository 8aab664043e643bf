"""The plan read (PlanText) mapped onto a schedule: duties with unit ids, cadences, due rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..schedule.model import Schedule
from .drafting import Drafted, draft
from .model import PlanText, Task
from .unitmap import GROUP_VARIANTS, LEAD_GROUP, MappedName, UnitMap
from .words import Found


@dataclass(frozen=True)
class DraftDuty:
    id: str
    task: Task
    drafted: Drafted
    units: tuple[str, ...]  # ids, lead first
    words: tuple[Found, ...]

    @property
    def title(self) -> str:
        first = re.split(r"[，。；：,;]", self.task.text, maxsplit=1)[0].strip()
        return first if len(first) <= 30 else first[:29] + "…"


@dataclass(frozen=True)
class Draft:
    plan: PlanText
    year: int
    duties: tuple[DraftDuty, ...]
    names: tuple[MappedName, ...]
    schedule: Schedule | None
    # group id -> member ids, for groups whose members the draft computes (各牵头部门)
    lead_members: tuple[str, ...]

    @property
    def new_units(self) -> tuple[MappedName, ...]:
        return tuple(n for n in self.names if not n.known and not n.group)

    @property
    def new_groups(self) -> tuple[MappedName, ...]:
        return tuple(n for n in self.names if not n.known and n.group)


def _ref(task: Task, counters: dict[int, int]) -> str:
    """schedule.yaml's SECTION.ITEM: deeper numbering (2.1.3) counted within the section."""
    parts = task.ref.split(".")
    section = int(parts[0])
    if len(parts) == 2:
        counters[section] = max(counters.get(section, 0), int(parts[1]))
        return task.ref
    counters[section] = counters.get(section, 0) + 1
    return f"{section}.{counters[section]}"


def make_draft(plan: PlanText, schedule: Schedule | None, *, today: dt.date) -> Draft:
    year = plan.year or today.year
    units = UnitMap(schedule)
    duties: list[DraftDuty] = []
    counters: dict[int, int] = {}
    seen_ids: set[str] = set()
    for task in plan.tasks:
        ids = tuple(
            dict.fromkeys(units.map(n).id for n in (*task.lead_units, *task.cooperating_units))
        )
        drafted, words = draft(task, year, plan.issued)
        ref = _ref(task, counters)
        base = "task-" + ref.replace(".", "-")
        for d in drafted:
            ident = base if len(drafted) == 1 else f"{base}-{d.cadence}"
            n = 2
            while ident in seen_ids:
                ident, n = f"{base}-{d.cadence}-{n}", n + 1
            seen_ids.add(ident)
            task_ref = task if ref == task.ref else _with_ref(task, ref)
            duties.append(DraftDuty(ident, task_ref, d, ids, tuple(words)))
    lead_members = tuple(
        dict.fromkeys(
            units.map(n).id
            for t in plan.tasks
            if not t.ref.startswith("0.")
            for n in t.lead_units
            if not units.map(n).group
        )
    )
    return Draft(plan, year, tuple(duties), tuple(units.mapped.values()), schedule, lead_members)


def _with_ref(task: Task, ref: str) -> Task:
    from dataclasses import replace

    return replace(task, notes=(*task.notes, f"原文编号 {task.ref}"), ref=ref)


def is_lead_group(name: str) -> bool:
    return name in GROUP_VARIANTS[LEAD_GROUP]
