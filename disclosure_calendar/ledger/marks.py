"""Done marks by the short reference people write: ``5.7 2026-03-02``, ``1.3 2026-03``.

Marking an occurrence done (which says whether it was on time) needs its due date, so it is
the occurrences' (``occurrences/marking.py``); naming one and withdrawing a mark are here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..schedule.lookup import find_duty, period_label

if TYPE_CHECKING:
    from ..schedule.model import Duty, Schedule


def occurrence_uid(
    schedule: Schedule, ref: str, period: str | None = None, unit: str | None = None
) -> str:
    """The per-unit UID a short reference names: ``5.7 2026-03-02``, ``1.3 2026-03``,
    ``self-check 2026Q1 --unit torch_zone``; a whole UID (with ``@``) stands for itself."""
    if "@" in ref:
        if period is not None or unit is not None:
            raise DisclosureError(
                _("{ref!r} is a whole occurrence id: give no period or --unit").format(ref=ref)
            )
        return ref
    if unit is not None:
        schedule.check_assignee(unit)
        if schedule.is_group(unit):
            raise DisclosureError(_("--unit: {unit!r} is a group; name one unit").format(unit=unit))
    refused = _("standing duties have no dates: mark the unit's self-check (self-check PERIOD)")
    try:
        duty = find_duty(
            schedule, ref, unit=unit, accept=lambda d: d.cadence != "ongoing", refused=refused
        )
    except DisclosureError:
        if period is None:
            raise
        # A ref split by cadence (7.4: monthly, quarterly, yearly): the period's form says which.
        duty = find_duty(
            schedule, ref, unit=unit, accept=lambda d: _fits(d, period), refused=refused
        )
    label = period_label(duty, period)
    reached = schedule.unit_ids_of(duty)
    if unit is None:
        if len(reached) != 1:
            raise DisclosureError(
                _(
                    "{duty} reaches {count} units: give --unit (see `disclosure-calendar "
                    "agenda --duty {duty}`)"
                ).format(duty=duty.id, count=len(reached))
            )
        unit = reached[0]
    elif unit not in reached:
        raise DisclosureError(
            _("{duty} does not reach unit {unit!r}").format(duty=duty.id, unit=unit)
        )
    return f"{duty.id}.{label}.{unit}@{schedule.plan.uid_domain}"


def _fits(duty: Duty, period: str) -> bool:
    if duty.cadence == "ongoing":
        return False
    try:
        period_label(duty, period)
    except DisclosureError:
        return False
    return True


def mark_undone(db_path: str | Path, uid: str, now: dt.datetime) -> str:
    """``undone``: withdraw a done record, so reminders for the occurrence resume."""
    from .store import Ledger

    with Ledger(db_path, create=False) as ledger:
        if not ledger.mark_undone(uid, now):
            raise DisclosureError(_("{uid} is not marked done").format(uid=uid))
    return _("undone: {uid}").format(uid=uid)
