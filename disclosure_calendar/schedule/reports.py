"""Plain tables and summaries of a schedule, for the CLI's validate, units and duties."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..core.table import table
from .model import Duty, Schedule


def summary(schedule: Schedule) -> str:
    plan = [d for d in schedule.duties if not d.is_self_check]
    dated = sum(1 for d in plan if d.dated)
    undated = sum(1 for d in plan if not d.dated and d.cadence != "ongoing")
    sections = len({d.section for d in plan if d.section > 0})
    checks = len(schedule.duties) - len(plan)
    text = (
        f"{schedule.path}: OK: {len(schedule.units)} units, {len(schedule.groups)} groups, "
        f"{len(plan)} duties in {sections} sections ({dated} dated"
    )
    if undated:
        text += f", {undated} one-off or event duties without a date"
    text += ")"
    if checks:
        text += f"; {checks} self-checks of standing duties"
    return text


def units_table(schedule: Schedule) -> str:
    rows = []
    for unit in schedule.units:
        rows.append([unit.id, unit.name, unit.kind, str(len(schedule.duties_of(unit.id)))])
    for group in schedule.groups:
        members = len(schedule.members(group.id))
        rows.append(
            [group.id, group.name, f"group of {members}", str(len(schedule.duties_of(group.id)))]
        )
    return table(["id", "name", "kind", "duties"], rows)


def select_duties(
    schedule: Schedule, unit: str | None = None, cadence: str | None = None
) -> list[Duty]:
    duties = list(schedule.duties_of(unit) if unit else schedule.duties)
    if cadence:
        duties = [d for d in duties if d.cadence == cadence]
    return duties


def duties_table(schedule: Schedule, duties: Sequence[Duty]) -> str:
    rows = [
        [d.ref, d.id, d.cadence, d.due.describe() if d.due else "-", ",".join(d.units), d.title]
        for d in duties
    ]
    return table(["ref", "id", "cadence", "due", "units", "title"], rows)


def duties_json(schedule: Schedule, duties: Sequence[Duty]) -> str:
    items = [
        {
            "id": d.id,
            "ref": d.ref,
            "title": d.title,
            "text": d.text,
            "units": list(d.units),
            "reaches": list(schedule.unit_ids_of(d)),
            "cadence": d.cadence,
            "basis": d.basis,
            "due": d.due.describe() if d.due else None,
            "rule": d.due.name if d.due else None,
            "assumed": d.assumed,
            "assumption": d.assumption,
            "reminders": list(d.reminders),
        }
        for d in duties
    ]
    return json.dumps(items, ensure_ascii=False, indent=2)
