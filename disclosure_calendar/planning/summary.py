"""The review summary (stderr): what was found, what is new, what the coordinator must do."""

from __future__ import annotations

from collections import Counter

from ..core.i18n import gettext as _
from .draft import Draft


def summary(draft: Draft) -> str:
    plan = draft.plan
    lines = [
        _("Plan: {title} ({issuer}, {issued})").format(
            title=plan.title or _("no title found"),
            issuer=plan.issuer or _("issuer not found"),
            issued=plan.issued.isoformat() if plan.issued else _("date not found"),
        )
    ]
    per_section = Counter(t.ref.split(".")[0] for t in plan.tasks)
    items = sum(1 for t in plan.tasks if not t.ref.startswith("0."))
    lines.append(
        _(
            "{items} tasks in {sections} sections, {preamble} duties of the preamble; {duties} duties drafted"
        ).format(
            items=items,
            sections=len(plan.sections),
            preamble=per_section.get("0", 0),
            duties=len(draft.duties),
        )
    )
    for section in plan.sections:
        lines.append(
            _("  {number}. {title}: {count} tasks").format(
                number=section.number,
                title=section.title,
                count=per_section.get(str(section.number), 0),
            )
        )
    known = [n for n in draft.names if n.known]
    lines.append(
        _(
            "Units: {known} matched to the schedule, {new} new, {groups} new collective names"
        ).format(known=len(known), new=len(draft.new_units), groups=len(draft.new_groups))
    )
    for name in draft.new_units:
        lines.append(_("  new unit: {name} -> {id}").format(name=name.name, id=name.id))
    for name in draft.new_groups:
        lines.append(
            _("  new group (fill in its members): {name} -> {id}").format(
                name=name.name, id=name.id
            )
        )
    without_units = [t for t in plan.tasks if not t.lead_units]
    if without_units:
        lines.append(_("Tasks without a unit ({count}):").format(count=len(without_units)))
        lines.extend(f"  {t.ref} {t.text[:40]}" for t in without_units)
    untimed = sorted(
        {d.task.ref for d in draft.duties if d.drafted.basis == "原文无时间词"}, key=_order
    )
    if untimed:
        lines.append(
            _("Tasks without any timing word ({count}, drafted as standing work): {refs}").format(
                count=len(untimed), refs="、".join(untimed)
            )
        )
    confirm = sum(1 for d in draft.duties if d.drafted.confirm)
    lines.append(_("Choices to confirm (# 待确认): {count}").format(count=confirm))
    if plan.unplaced:
        lines.append(
            _("Text the reader could not place ({count}):").format(count=len(plan.unplaced))
        )
        lines.extend(f"  {u.where}: {u.text[:60]}" for u in plan.unplaced[:30])
    return "\n".join(lines)


def _order(ref: str) -> tuple[int, ...]:
    return tuple(int(p) for p in ref.split("."))
