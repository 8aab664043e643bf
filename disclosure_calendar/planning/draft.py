"""The plan read (PlanText) mapped onto a schedule: duties with unit ids, cadences, due rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
    # the same task (same text) in the schedule given with --units, as its file has it: its
    # id and title are kept, and with the same cadence its due rule (last year's choice)
    previous: dict[str, Any] | None = None
    # the plan's own numbering (2.1.3), where schedule.yaml's ref had to count it on
    plan_ref: str = ""

    @property
    def same_cadence(self) -> bool:
        return self.previous is not None and self.previous.get("cadence") == self.drafted.cadence

    @property
    def title(self) -> str:
        if self.previous is not None and isinstance(self.previous.get("title"), str):
            return str(self.previous["title"])
        clauses = (c.strip() for c in re.split(r"[，。；：,;]", self.task.text))
        first = next((c for c in clauses if c), "") or f"任务{self.task.ref}"
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


def _ref(task: Task, used: dict[int, set[int]]) -> str:
    """schedule.yaml's SECTION.ITEM: the plan's own where it has one; deeper numbering
    (2.1.3) and numbers met twice counted on within the section."""
    parts = task.ref.split(".")
    section = int(parts[0])
    taken = used.setdefault(section, set())
    item = int(parts[1]) if len(parts) == 2 else None
    if item is None or item in taken:
        item = max(taken, default=0) + 1
    taken.add(item)
    return f"{section}.{item}"


def make_draft(plan: PlanText, schedule: Schedule | None, *, today: dt.date) -> Draft:
    year = plan.year or today.year
    units = UnitMap(schedule)
    duties: list[DraftDuty] = []
    used: dict[int, set[int]] = {}
    seen_ids: set[str] = set()
    earlier = _previous_duties(schedule)
    seen_ids.update(str(d["id"]) for d in earlier.pop("", ()))
    for task in plan.tasks:
        ids = tuple(
            dict.fromkeys(units.map(n).id for n in (*task.lead_units, *task.cooperating_units))
        )
        drafted, words = draft(task, year, plan.issued)
        ref = _ref(task, used)
        base = "task-" + ref.replace(".", "-")
        before = earlier.get(text_key(task.text), [])
        for d in drafted:
            previous = next((p for p in before if p.get("cadence") == d.cadence), None)
            if previous is None and len(before) == 1 and len(drafted) == 1:
                previous = before[0]
            if previous is not None and previous.get("id") not in seen_ids:
                before.remove(previous)
                seen_ids.add(str(previous["id"]))
                duties.append(
                    DraftDuty(
                        str(previous["id"]),
                        _task(task, ref),
                        d,
                        ids,
                        tuple(words),
                        previous,
                        task.ref,
                    )
                )
                continue
            ident = base if len(drafted) == 1 else f"{base}-{d.cadence}"
            n = 2
            while ident in seen_ids:
                ident, n = f"{base}-{d.cadence}-{n}", n + 1
            seen_ids.add(ident)
            duties.append(DraftDuty(ident, _task(task, ref), d, ids, tuple(words), None, task.ref))
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


def _task(task: Task, ref: str) -> Task:
    if ref == task.ref:
        return task
    return replace(task, notes=(*task.notes, f"原文编号 {task.ref}"), ref=ref)


_FULL_WIDTH = str.maketrans(",;:()", "，；：（）")


def text_key(text: str) -> str:
    """A task's text compared across copies: punctuation of one width, no spaces."""
    return re.sub(r"\s+", "", text).translate(_FULL_WIDTH)


def _previous_duties(schedule: Schedule | None) -> dict[str, list[dict[str, Any]]]:
    """The duties of ``schedule``'s file by text, as written there (rules as their mappings)."""
    if schedule is None:
        return {}
    import yaml

    try:
        raw = yaml.safe_load(Path(schedule.path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(raw, dict):
        return found
    for duty in raw.get("duties") or ():
        if isinstance(duty, dict) and isinstance(duty.get("text"), str) and duty.get("id"):
            found.setdefault(text_key(duty["text"]), []).append(duty)
    # the duties of the schedule's other plans are carried over whole (output.py): their ids
    # are taken
    for plan in raw.get("plans") or ():
        for duty in plan.get("duties") or () if isinstance(plan, dict) else ():
            if isinstance(duty, dict) and duty.get("id"):
                found.setdefault("", []).append({"id": duty["id"], "other_plan": True})
    return found


def is_lead_group(name: str) -> bool:
    return name in GROUP_VARIANTS[LEAD_GROUP]
