"""Plain tables and summaries of a schedule, for the CLI's validate, units and duties."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.i18n import N_, current_language
from ..core.i18n import gettext as _
from ..core.table import table
from . import periods
from .model import Duty, Schedule
from .rules import ByDate

if TYPE_CHECKING:  # sheets (and the file writing they bring) only for a sheet: not validate's
    from ..core.sheets import Cell, Sheet

_KIND_NAMES = {"department": N_("department"), "town": N_("town"), "office": N_("office")}


def _cadence(cadence: str) -> str:
    """每月 in Chinese; the schedule's word (monthly) in English."""
    if current_language() == "en":
        return cadence
    return periods.CADENCE_NAMES.get(cadence, cadence)


def summary(schedule: Schedule) -> str:
    plan = [d for d in schedule.duties if not d.is_self_check]
    dated = sum(1 for d in plan if d.dated)
    undated = sum(1 for d in plan if not d.dated and d.cadence != "ongoing")
    # The sections of plans (a law's articles are not sections).
    items = {p.id for p in schedule.plans if p.numbering == "items"}
    sections = len({(d.plan, d.section) for d in plan if d.section > 0 and d.plan in items})
    checks = len(schedule.duties) - len(plan)
    counts = dict(
        path=schedule.path, units=len(schedule.units), groups=len(schedule.groups),
        duties=len(plan), sections=sections, dated=dated, undated=undated, checks=checks,
    )  # fmt: skip
    if undated:
        text = _(
            "{path}: OK: {units} units, {groups} groups, {duties} duties in {sections} sections "
            "({dated} dated, {undated} one-off or event duties without a date)"
        )
    else:
        text = _(
            "{path}: OK: {units} units, {groups} groups, {duties} duties in {sections} sections "
            "({dated} dated)"
        )
    if checks:
        text += _("; {checks} self-checks of standing duties")
    text = text.format(**counts)
    unconfirmed = [g for g in schedule.groups if g.unconfirmed]
    if unconfirmed:
        text += _("; {count} group members to be confirmed ({groups})").format(
            count=sum(len(g.unconfirmed) for g in unconfirmed),
            groups=_(", ").join(f"{g.id} {len(g.unconfirmed)}" for g in unconfirmed),
        )
    if len(schedule.plans) > 1:
        per_plan = [
            _("{plan}: {count} duties").format(
                plan=p.id, count=sum(1 for d in plan if d.plan == p.id)
            )
            for p in schedule.plans
        ]
        text += _("; {count} plans: {plans}").format(
            count=len(schedule.plans), plans=_(", ").join(per_plan)
        )
    return text


def plans_in_force_words(schedule: Schedule, years: tuple[int, int]) -> list[str]:
    """Each plan in force in ``years`` as one line: 《title》（issuer，issued印发[，end止]）
    (公布 for a law)."""
    first, last = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
    lines = []
    for plan in schedule.plans_in_force(first, last):
        verb = "公布" if plan.numbering == "articles" else "印发"  # a law is promulgated
        words = f"《{plan.title}》（{plan.issuer}，{_day(plan.issued)}{verb}"
        if plan.end is not None:
            words += f"，{_day(plan.end)}止"
        lines.append(words + "）")
    return lines


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def units_table(schedule: Schedule) -> str:
    rows = []
    for unit in schedule.units:
        kind = _(_KIND_NAMES.get(unit.kind, unit.kind))
        rows.append([unit.id, unit.name, kind, str(len(schedule.duties_of(unit.id)))])
    for group in schedule.groups:
        members = len(schedule.members(group.id))
        rows.append(
            [
                group.id,
                group.name,
                _("group of {count}").format(count=members),
                str(len(schedule.duties_of(group.id))),
            ]
        )
    return table([_("id"), _("name"), _("kind"), _("duties")], rows)


def select_duties(
    schedule: Schedule, unit: str | None = None, cadence: str | None = None
) -> list[Duty]:
    duties = list(schedule.duties_of(unit) if unit else schedule.duties)
    if cadence:
        duties = [d for d in duties if d.cadence == cadence]
    return duties


def duties_table(schedule: Schedule, duties: Sequence[Duty]) -> str:
    sheet = duties_sheet(schedule, duties)
    rows = [[str(c) for c in row] for row in sheet.rows]
    for row, duty in zip(rows, duties, strict=True):
        row[3] = _due_in_a_line(duty)
    return table(sheet.headers, rows)


def _due_in_a_line(duty: Duty) -> str:
    """A law's rule with every version and article (by_date) is some 250 characters: one
    column that wide pads every row of the table past any terminal. The table names the
    version in force now and since when; the sheet, json and feeds keep every version."""
    if not isinstance(duty.due, ByDate):
        return duty.due.describe() if duty.due else "-"
    latest = duty.due.versions[-1]
    return _("{rule} (since {day})").format(rule=latest.rule.describe(), day=_day(latest.start))


def duties_sheet(schedule: Schedule, duties: Sequence[Duty]) -> Sheet:
    """Duties as a spreadsheet view (also the table's rows)."""
    from ..core.sheets import Sheet

    rows: list[list[Cell]] = [
        [
            d.ref, d.id, _cadence(d.cadence),
            d.due.describe() if d.due else "-", ",".join(d.units), d.title,
        ]
        for d in duties
    ]  # fmt: skip
    headers = [_("ref"), _("id"), _("cadence"), _("due"), _("units"), _("title")]
    return Sheet(_("duties"), headers, rows)


def duties_json(schedule: Schedule, duties: Sequence[Duty]) -> str:
    items = [
        {
            "id": d.id,
            "plan": d.plan,
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
