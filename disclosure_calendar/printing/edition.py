"""What a printed calendar shows: the edition model (month grids, tables, duty appendix) built from occurrences."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..occurrences.expansion import Occurrence, expand, for_unit
from ..schedule import periods
from ..schedule.model import Duty, Schedule
from ..schedule.periods import CADENCE_NAMES
from ..schedule.reports import plans_in_force_words
from ..schedule.rules import describe_for

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar

FORMATS = ("pdf", "html")
PAPERS = {"a4": "A4 landscape", "a3": "A3 landscape"}
WEEKDAYS = "一二三四五六日"
CITY_WIDE = "all"

# -- what the pages show ---------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """One cell of a month grid on the year page."""

    date: dt.date
    kind: str  # workday | weekend | holiday | local | makeup (as WorkdayCalendar.day_info says)
    name: str | None  # the holiday or make-up day's name
    due: int  # occurrences due that day

    @property
    def off(self) -> bool:
        return self.kind in ("weekend", "holiday", "local")


@dataclass(frozen=True)
class MonthGrid:
    month: int
    weeks: tuple[tuple[Day | None, ...], ...]  # Monday first; None outside the month
    due: int


@dataclass(frozen=True)
class Row:
    """One occurrence in a month's table."""

    day: int
    date: str
    weekday: str
    ref: str
    title: str
    rule: str
    assumed: bool
    units: str
    period: str
    provisional: bool
    # The document the duty comes from, when the schedule holds several ("" otherwise).
    plan: str = ""


@dataclass(frozen=True)
class MonthTable:
    month: int
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class DutyLine:
    """How one duty of an appendix entry recurs and who leads it."""

    cadence: str
    basis: str
    rule: str
    units: str
    assumption: str | None
    note: str | None


@dataclass(frozen=True)
class Entry:
    """One requirement of the plan in the appendix: its text once, each cadence on a line."""

    ref: str
    title: str
    text: str
    lines: tuple[DutyLine, ...]


@dataclass(frozen=True)
class Edition:
    """Everything one printed calendar shows: city-wide (``unit`` None) or one unit's."""

    year: int
    unit: str | None
    unit_name: str | None
    plan_title: str
    issuer: str
    issued: dt.date
    grids: tuple[MonthGrid, ...]
    months: tuple[MonthTable, ...]
    appendix: tuple[Entry, ...]
    notice: str | None
    version: str
    built: dt.date
    total: int
    # Routine duties, named once in the legend instead of badging every working day.
    routine: tuple[str, ...] = ()
    # With several plans: each plan in force in the year, in words (《title》（issuer，date印发）).
    plans: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.unit or CITY_WIDE

    @property
    def heading(self) -> str:
        return f"{self.year}年政务公开工作日历"

    @property
    def issued_text(self) -> str:
        return f"{self.issued.year}年{self.issued.month}月{self.issued.day}日"

    @property
    def audience(self) -> str:
        return self.unit_name or "全市"


# -- building an edition (pure) ----------------------------------------------------------


def check_year(schedule: Schedule, year: int) -> None:
    """Refuse a year the plan or the working-day calendar does not cover."""
    from ..workdays.calendar import MAX_YEAR, MIN_YEAR

    # Any year some plan of the schedule was in force in.
    issued = min(p.issued for p in schedule.plans)
    ends = [p.end for p in schedule.plans]
    first = max(issued.year, MIN_YEAR)
    last = min(MAX_YEAR if None in ends else max(e.year for e in ends if e), MAX_YEAR)
    if not first <= year <= last:
        raise DisclosureError(
            _(
                "year {year} is outside the supported range {first}..{last} "
                "(the plan was issued {issued}; the working-day calendar covers {low}..{high})"
            ).format(
                year=year,
                first=first,
                last=last,
                issued=issued,
                low=MIN_YEAR,
                high=MAX_YEAR,
            )  # fmt: skip
        )


def check_unit(schedule: Schedule, unit: str) -> None:
    if unit == CITY_WIDE:
        raise DisclosureError(
            _("{name!r} is the city-wide edition: leave out --unit").format(name=CITY_WIDE)
        )
    schedule.check_assignee(unit)


def year_occurrences(schedule: Schedule, cal: WorkdayCalendar, year: int) -> list[Occurrence]:
    """Every occurrence due in ``year``; a date the calendar cannot count becomes our error."""
    check_year(schedule, year)
    try:
        return expand(schedule, cal, dt.date(year, 1, 1), dt.date(year, 12, 31))
    except ValueError as exc:
        if type(exc).__name__ == "CalendarRangeError":
            raise DisclosureError(
                _("cannot print {year}: {reason}").format(year=year, reason=exc)
            ) from None
        raise


def provisional_notice(cal: WorkdayCalendar, year: int) -> str | None:
    """The warning every page carries when some date of ``year`` may still change."""
    if cal.is_provisional_year(year):
        return (
            f"暂定日历：{year}年国务院办公厅节假日安排尚未发布，节假日按法定规则推定，"
            "未含调休上班日；到期日以正式通知为准。"
        )
    if year < 2099 and cal.is_provisional_year(year + 1):
        return (
            f"部分日期暂定：{year + 1}年节假日安排尚未发布，"
            f"{year}年12月的放假与到期日可能随该通知调整。"
        )
    return None


def build_edition(
    schedule: Schedule,
    cal: WorkdayCalendar,
    year: int,
    occurrences: Sequence[Occurrence],
    *,
    unit: str | None,
    built: dt.date,
) -> Edition:
    """What one printed calendar shows; ``occurrences`` are the year's, for every unit."""
    if unit is not None:
        check_unit(schedule, unit)
        occurrences = for_unit(list(occurrences), schedule, unit)
        duties = schedule.duties_of(unit)
    else:
        duties = schedule.duties
    # 21.2's daily monitoring would badge every working day: it goes in the legend.
    routine = tuple(
        dict.fromkeys(f"每个工作日：{o.duty.title}" for o in occurrences if o.duty.routine)
    )
    occurrences = [o for o in occurrences if not o.duty.routine]
    duties = tuple(d for d in duties if not d.is_self_check)
    months = tuple(
        MonthTable(m, _rows(schedule, [o for o in occurrences if o.due.month == m], unit is None))
        for m in range(1, 13)
    )
    # A day's badge counts its rows: city-wide, one for all the units' self-checks.
    by_day: dict[dt.date, int] = {}
    for table in months:
        for row in table.rows:
            day = dt.date(year, table.month, row.day)
            by_day[day] = by_day.get(day, 0) + 1
    grids = tuple(_grid(cal, year, m, by_day) for m in range(1, 13))
    return Edition(
        year=year,
        unit=unit,
        unit_name=schedule.name(unit) if unit else None,
        plan_title=schedule.plan.title,
        issuer=schedule.plan.issuer,
        issued=schedule.plan.issued,
        grids=grids,
        months=months,
        appendix=_appendix(schedule, duties),
        notice=provisional_notice(cal, year),
        version=f"{Path(schedule.path).name} sha256:{schedule.digest}",
        built=built,
        total=sum(by_day.values()),
        routine=routine,
        plans=tuple(plans_in_force_words(schedule, (year, year)))
        if len(schedule.plans) > 1
        else (),
    )


def _rows(
    schedule: Schedule, occurrences: Sequence[Occurrence], city_wide: bool
) -> tuple[Row, ...]:
    """A month's rows; city-wide, each day's self-checks of every unit are one row."""
    rows: list[Row] = []
    checks: dict[tuple[dt.date, str], tuple[int, int]] = {}  # -> (row index, units)
    for occ in occurrences:
        key = (occ.due, occ.period.label)
        if city_wide and occ.duty.is_self_check and key in checks:
            index, count = checks[key]
            checks[key] = (index, count + 1)
            continue
        if city_wide and occ.duty.is_self_check:
            checks[key] = (len(rows), 1)
        rows.append(_row(schedule, occ))
    for index, count in checks.values():
        rows[index] = replace(rows[index], units=f"各单位（{count}个）")
    return tuple(rows)


def _grid(cal: WorkdayCalendar, year: int, month: int, by_day: dict[dt.date, int]) -> MonthGrid:
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[Day | None] = []
        for d in week:
            if d.month != month:
                cells.append(None)
                continue
            info = cal.day_info(d)
            cells.append(Day(d, info.kind, info.name, by_day.get(d, 0)))
        weeks.append(tuple(cells))
    # Six rows for every month, so the twelve grids line up on the year page.
    weeks += [(None,) * 7] * (6 - len(weeks))
    due = sum(n for d, n in by_day.items() if d.year == year and d.month == month)
    return MonthGrid(month, tuple(weeks), due)


def _names(schedule: Schedule, ids: Iterable[str]) -> str:
    return "、".join(schedule.name(i) for i in ids)


def _row(schedule: Schedule, occ: Occurrence) -> Row:
    duty = occ.duty
    return Row(
        day=occ.due.day,
        date=f"{occ.due.month}月{occ.due.day}日",
        weekday="周" + WEEKDAYS[occ.due.weekday()],
        ref=duty.ref,
        title=duty.title,
        rule=describe_for(duty.due, occ.period) if duty.due else "",
        assumed=duty.assumed,
        units=_names(schedule, duty.units),
        period=periods.describe(occ.period),
        provisional=occ.provisional,
        plan=f"《{schedule.plan_of(duty).title}》" if len(schedule.plans) > 1 else "",
    )


def _appendix(schedule: Schedule, duties: Sequence[Duty]) -> tuple[Entry, ...]:
    """The edition's duties in plan order, a requirement split by cadence shown once."""
    entries: dict[tuple[str, str], list[Duty]] = {}
    for duty in duties:
        entries.setdefault((duty.ref, duty.text), []).append(duty)
    return tuple(
        Entry(
            ref=ref,
            title=" / ".join(dict.fromkeys(d.title for d in group)),
            text=text,
            lines=tuple(
                DutyLine(
                    cadence=CADENCE_NAMES[d.cadence],
                    basis=d.basis,
                    rule=d.due.describe() if d.due else "无固定日期",
                    units=_names(schedule, d.units),
                    assumption=d.assumption if d.assumed else None,
                    note=d.note,
                )
                for d in group
            ),
        )
        for (ref, text), group in entries.items()
    )
