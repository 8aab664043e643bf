"""The notice's figures from the schedule and the done marks, counted as `status` and the
dashboard count them (``occurrences.progress``: one classification, one tally)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..occurrences.expansion import Occurrence, expand
from ..occurrences.progress import items, unit_figures
from ..schedule.periods import describe
from .figures import Figures, OverdueItem, ReportPeriod, Totals, totals_of

if TYPE_CHECKING:
    from ..ledger.records import Done
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar


def scope_units(schedule: Schedule, scope: str | None) -> list[str]:
    """The units a notice covers, in the schedule's order: all, one, or a group's."""
    known = [u.id for u in schedule.units]
    if scope is None:
        return known
    if scope not in known and not schedule.is_group(scope):
        raise DisclosureError(_("--unit: unknown unit or group {unit!r}").format(unit=scope))
    members = schedule.members(scope)
    return [u for u in known if u in members]


def compute_figures(
    schedule: Schedule,
    cal: WorkdayCalendar,
    done: Mapping[str, Done],
    period: ReportPeriod,
    today: dt.date,
    *,
    scope: str | None = None,
    occurrences: list[Occurrence] | tuple[Occurrence, ...] | None = None,
    track_from: dt.date | None = None,
) -> Figures:
    """Figures of the occurrences due in ``period``, as they stand on ``today``.

    ``occurrences`` (sorted by due date) may be given when the caller has them already
    (the portal); they must cover the period and the one before.
    """
    units = scope_units(schedule, scope)
    wanted = set(units)
    before = period.previous()
    if occurrences is None:
        occurrences = expand(schedule, cal, before.start, period.end)
    this = [o for o in occurrences if period.start <= o.due <= period.end]
    mine = items(schedule, this, done, today, wanted, track_from)
    rows = unit_figures(schedule, mine, units)
    previous: Totals | None = None
    if before.end >= schedule.plan.issued:  # a period before the plan has no figures
        earlier = [o for o in occurrences if before.start <= o.due <= before.end]
        earlier_items = items(schedule, earlier, done, today, wanted, track_from)
        previous = totals_of(unit_figures(schedule, earlier_items, units))
    order = {u: n for n, u in enumerate(units)}
    overdue = [
        OverdueItem(
            i.unit,
            schedule.name(i.unit),
            i.occ.duty.ref,
            i.occ.duty.title,
            i.occ.period.label,
            describe(i.occ.period),
            i.occ.due,
            cal.get_working_days_delta(i.occ.due, today),
            i.occ.provisional,
        )
        for i in mine
        if i.state == "overdue"
    ]
    overdue.sort(key=lambda o: (-o.workdays_overdue, order[o.unit], o.due, o.ref, o.period))
    return Figures(
        period,
        today,
        tuple(rows),
        tuple(overdue),
        previous,
        provisional=sum(1 for i in mine if i.occ.provisional),
        scope=scope,
    )


def read_tracking_start(db: str | Path) -> dt.date | None:
    """When tracking began, from the ledger; None without a ledger or a date."""
    from ..ledger import Ledger, LedgerMissing

    try:
        with Ledger(db, read_only=True) as ledger:
            return ledger.tracking_start()
    except LedgerMissing:
        return None


def read_done(db: str | Path) -> dict[str, Done]:
    """The ledger's done marks; none when there is no ledger yet (everything is open or
    overdue); an unreachable ledger is an error, as for `status`: without the marks every
    unit would look behind."""
    from ..ledger import Ledger, LedgerMissing, LedgerUnreachable

    try:
        with Ledger(db, read_only=True) as ledger:  # a report changes nothing
            return dict(ledger.done())
    except LedgerMissing:
        return {}
    except LedgerUnreachable as exc:
        raise DisclosureError(_("no report: {reason}").format(reason=exc)) from None
