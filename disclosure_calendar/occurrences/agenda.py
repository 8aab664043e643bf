"""The agenda: occurrences by due date as rows, printed as a table, JSON or CSV.

Without a unit, a duty assigned to a group appears once under the group (as the plan names
it); with ``--unit``, every occurrence reaching that unit, through groups too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.i18n import N_, prose_date
from ..core.sheets import Sheet, csv_text
from ..core.table import table
from ..schedule import periods
from ..schedule.model import Schedule
from .expansion import Occurrence, assignees, expand, reached

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar

OVERDUE = "overdue"
UPCOMING = "upcoming"
ON_TIME = "on_time"
LATE = "late"
FIELDS = (
    "uid", "ref", "duty", "unit", "unit_name", "period", "period_name", "due", "title",
    "provisional", "status", "done_on",
)  # fmt: skip
# CSV and spreadsheet headers: the field names in English, words in Chinese
_FIELD_LABELS = {
    "uid": N_("uid"), "ref": N_("ref"), "duty": N_("duty"), "unit": N_("unit"),
    "unit_name": N_("unit_name"), "period": N_("period"), "period_name": N_("period_name"),
    "due": N_("due"), "title": N_("title"), "provisional": N_("provisional"),
    "status": N_("status"), "done_on": N_("done_on"),
}  # fmt: skip
_STATUS_LABELS = {
    OVERDUE: N_("overdue"), UPCOMING: N_("upcoming"), ON_TIME: N_("done on time"),
    LATE: N_("done late"),
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    uid: str
    ref: str
    duty: str
    unit: str
    unit_name: str
    period: str
    period_name: str
    due: dt.date
    title: str
    provisional: bool
    status: str | None = None  # overdue / upcoming / on_time / late in the --as-of view
    done_on: dt.date | None = None  # the publication the ledger records, by the --as-of day


@dataclass(frozen=True)
class Agenda:
    rows: tuple[Row, ...]
    start: dt.date
    end: dt.date
    as_of: dt.date | None
    weeks: int
    provisional_years: tuple[int, ...]
    track_from: dt.date | None = None  # nothing due before it counts as overdue


def as_of_range(as_of: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The default dates of the --as-of view: ``weeks`` back and ``weeks`` ahead."""
    span = dt.timedelta(weeks=weeks)
    return as_of - span, as_of + span


def rows(
    schedule: Schedule, occurrences: Sequence[Occurrence], unit: str | None = None
) -> list[Row]:
    """One row per occurrence and assignee (``unit`` given: per occurrence reaching it)."""
    domain = schedule.plan.uid_domain
    out = []
    for occ in occurrences:
        if unit is None:
            who_for: Sequence[str] = assignees(occ)
        elif schedule.is_group(unit):
            who_for = (unit,) if occ.unit is None and unit in occ.duty.units else ()
        else:
            who_for = (unit,) if unit in reached(schedule, occ) else ()
        for who in who_for:
            out.append(
                Row(
                    uid=occ.uid(who, domain),
                    ref=occ.duty.ref,
                    duty=occ.duty.id,
                    unit=who,
                    unit_name=schedule.name(who),
                    period=occ.period.label,
                    period_name=periods.describe(occ.period),
                    due=occ.due,
                    title=occ.duty.title,
                    provisional=occ.provisional,
                )
            )
    return out


def agenda(
    schedule: Schedule,
    cal: WorkdayCalendar,
    start: dt.date,
    end: dt.date,
    *,
    unit: str | None = None,
    duty: str | None = None,
    as_of: dt.date | None = None,
    weeks: int = 4,
    done: Mapping[str, dt.date] | None = None,
    track_from: dt.date | None = None,
) -> Agenda:
    """The rows due in [start, end]; with ``as_of``, overdue ones and the next ``weeks``,
    each done one (``done``: the ledger's publication dates by uid) as done on time or late.
    Nothing due before ``track_from`` (when tracking began) is overdue: it is left out."""
    from .horizon import provisional_years

    if unit is not None:
        schedule.check_assignee(unit)
    wanted = None
    if duty is not None:
        # An id, or a plan ref naming all the duties it was split into (7.4: three).
        wanted = {d.id for d in schedule.duties if duty in (d.id, d.ref)}
        if not wanted:
            raise DisclosureError(
                _("unknown duty {id!r} (see `disclosure-calendar duties`)").format(id=duty)
            )
    occurrences = expand(schedule, cal, start, end)
    if wanted is not None:
        occurrences = [o for o in occurrences if o.duty.id in wanted]
    found = rows(schedule, occurrences, unit)
    if as_of is not None:
        horizon_end = as_of + dt.timedelta(weeks=weeks)
        marks = done or {}
        seen = []
        for r in found:
            if r.due > horizon_end:
                continue
            on = marks.get(r.uid)
            if on is not None and on <= as_of:
                seen.append(_with_status(r, ON_TIME if on <= r.due else LATE, on))
            elif r.due >= as_of:
                seen.append(_with_status(r, UPCOMING))
            elif track_from is None or r.due >= track_from:
                seen.append(_with_status(r, OVERDUE))
        found = seen
    shown = {(r.duty, r.period) for r in found}
    used = [o for o in occurrences if (o.duty.id, o.period.label) in shown]
    years = tuple(provisional_years(used, cal))
    return Agenda(tuple(found), start, end, as_of, weeks, years, track_from)


def _with_status(row: Row, status: str, done_on: dt.date | None = None) -> Row:
    return Row(**{**asdict(row), "status": status, "done_on": done_on})


def _record(row: Row) -> dict[str, object]:
    record: dict[str, object] = asdict(row)
    record["due"] = row.due.isoformat()
    record["done_on"] = row.done_on.isoformat() if row.done_on else None
    return record


def format_agenda(view: Agenda, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([_record(r) for r in view.rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        sheet = agenda_sheet(view)
        return csv_text(sheet.headers, sheet.rows)
    if fmt != "table":
        raise DisclosureError(_("unknown format {format!r}").format(format=fmt))
    return _table(view)


def agenda_sheet(view: Agenda) -> Sheet:
    """The agenda as a spreadsheet view: every field, headers in the language spoken."""
    rows = []
    for r in view.rows:
        record = asdict(r)
        record["provisional"] = _("yes") if r.provisional else ""
        record["status"] = _(_STATUS_LABELS[r.status]) if r.status else ""
        rows.append([record[f] for f in FIELDS])
    return Sheet(_("agenda"), [_(_FIELD_LABELS[f]) for f in FIELDS], rows)


def _cells(r: Row) -> list[str]:
    title = _("[provisional] {title}").format(title=r.title) if r.provisional else r.title
    return [r.due.isoformat(), r.ref, r.duty, r.unit_name, r.period_name, title]


_HEADERS = [N_("due"), N_("ref"), N_("duty"), N_("unit"), N_("period"), N_("title")]


def _table(view: Agenda) -> str:
    headers = [_(h) for h in _HEADERS]
    if view.as_of is None:
        if not view.rows:
            return _("nothing due from {start} to {end}").format(
                start=prose_date(view.start), end=prose_date(view.end)
            )
        return table(headers, [_cells(r) for r in view.rows])
    overdue = [r for r in view.rows if r.status == OVERDUE]
    upcoming = [r for r in view.rows if r.status == UPCOMING]
    finished = [r for r in view.rows if r.status in (ON_TIME, LATE)]
    ahead = view.as_of + dt.timedelta(weeks=view.weeks)
    first = view.start
    if view.track_from is not None and view.track_from < view.as_of:
        first = max(first, view.track_from)  # nothing before tracking began is overdue
    parts = [
        _("Overdue (due {start} to {end}):").format(
            start=prose_date(first), end=prose_date(view.as_of - dt.timedelta(days=1))
        )
    ]
    parts.append(table(headers, [_cells(r) for r in overdue]) if overdue else _("  (none)"))
    parts.append("")
    if finished:
        parts.append(_("Done (by {day}):").format(day=prose_date(view.as_of)))
        done_headers = [*headers, _("done_on"), _("status")]
        parts.append(
            table(
                done_headers,
                [
                    [
                        *_cells(r),
                        r.done_on.isoformat() if r.done_on else "",
                        _(_STATUS_LABELS[r.status or ON_TIME]),
                    ]
                    for r in finished
                ],
            )
        )
        parts.append("")
    parts.append(
        _("Due in the next {weeks} weeks ({start} to {end}):").format(
            weeks=view.weeks, start=prose_date(view.as_of), end=prose_date(ahead)
        )
    )
    parts.append(table(headers, [_cells(r) for r in upcoming]) if upcoming else _("  (none)"))
    return "\n".join(parts)
