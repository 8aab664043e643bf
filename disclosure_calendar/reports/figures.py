"""The notice's figures: a period, each unit's counts, what is overdue, the period before.

Plain frozen values, so the documents (``docx``, ``pdf``, ``sheets``) are functions of them
alone and a test can write them by hand. ``compute`` fills them from the ledger's done marks
through the counting `status` and the dashboard use.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..occurrences.progress import Figures as UnitFigures  # one unit's counts, as status has them
from ..occurrences.progress import Rates

# 2026Q3, and 2026-Q3 as every occurrence id and done write it
QUARTER = re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])")
QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True)
class ReportPeriod:
    """The days whose due dates the notice covers: a quarter, a year or any range."""

    start: dt.date
    end: dt.date
    kind: str  # quarter | year | range

    @property
    def code(self) -> str:
        """Short and file-name safe: 2026Q3, 2026, 2026-07-01_2026-08-15."""
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def words(self) -> str:
        """As the title says it: 2026年第三季度, 2026年度, 2026年7月1日至8月15日."""
        if self.kind == "quarter":
            return f"{self.start.year}年第{QUARTER_WORDS[(self.start.month - 1) // 3 + 1]}季度"
        if self.kind == "year":
            return f"{self.start.year}年度"
        end = (
            f"{self.end.month}月{self.end.day}日"
            if self.end.year == self.start.year
            else chinese_date(self.end)
        )
        return f"{chinese_date(self.start)}至{end}"

    def previous(self) -> ReportPeriod:
        """The period before, of the same kind and length."""
        if self.kind == "quarter":
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            if quarter == 1:
                return quarter_period(year - 1, 4)
            return quarter_period(year, quarter - 1)
        if self.kind == "year":
            return year_period(self.start.year - 1)
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return ReportPeriod(end - length, end, "range")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    if quarter != 4:
        end -= dt.timedelta(days=1)
    return ReportPeriod(start, end, "quarter")


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


def parse_period(
    *,
    quarter: str | None = None,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ReportPeriod:
    """Exactly one of ``quarter`` (2026Q3), ``year``, or ``start`` with ``end``."""
    given = sum(x is not None for x in (quarter, year)) + (start is not None or end is not None)
    if given != 1:
        raise DisclosureError(_("give one period: --quarter, --year, or --from with --to"))
    if quarter is not None:
        match = QUARTER.fullmatch(quarter.strip())
        if match is None:
            raise DisclosureError(
                _("--quarter {value!r}: expected a year and quarter such as 2026Q3").format(
                    value=quarter
                )
            )
        return quarter_period(int(match[1]), int(match[2]))
    if year is not None:
        return year_period(year)
    if start is None or end is None:
        raise DisclosureError(_("--from and --to go together: give both"))
    if end < start:
        raise DisclosureError(_("--to {end} is before --from {start}").format(end=end, start=start))
    return ReportPeriod(start, end, "range")


@dataclass(frozen=True)
class Totals(Rates):
    on_time: int
    late: int
    open: int
    overdue: int


def totals_of(units: tuple[UnitFigures, ...] | list[UnitFigures]) -> Totals:
    return Totals(
        sum(u.on_time for u in units),
        sum(u.late for u in units),
        sum(u.open for u in units),
        sum(u.overdue for u in units),
    )


@dataclass(frozen=True)
class OverdueItem:
    """An occurrence due in the period, past its date and not done."""

    unit: str
    name: str  # the unit's
    ref: str  # the plan's number, 1.3
    title: str
    period: str  # the occurrence's own period label, 2026-08 (json, xlsx)
    period_words: str  # the same as the notice writes it: 2026年8月, 2026年第3季度
    due: dt.date
    workdays_overdue: int  # working days after the due date, up to the report's day
    provisional: bool  # its dates rest on a working-day calendar not yet published


@dataclass(frozen=True)
class Figures:
    """Everything the notice says in numbers."""

    period: ReportPeriod
    as_of: dt.date
    units: tuple[UnitFigures, ...]  # every unit reported on, in the schedule's order
    overdue: tuple[OverdueItem, ...]  # most working days overdue first
    previous: Totals | None  # the period before; None when it lies before the plan
    provisional: int = 0  # occurrences of the period whose dates rest on a provisional calendar
    scope: str | None = None  # the unit or group asked for (--unit), None for all

    @property
    def totals(self) -> Totals:
        return totals_of(self.units)

    @property
    def ranked(self) -> list[UnitFigures]:
        """Units with something due, best on-time rate first (fewer overdue, then plan order)."""
        order = {u.unit: n for n, u in enumerate(self.units)}
        rated = [u for u in self.units if u.rate is not None]
        return sorted(rated, key=lambda u: (-(u.rate or 0.0), u.overdue, order[u.unit]))

    @property
    def idle(self) -> list[UnitFigures]:
        """Units with nothing due in the period (yet), in the schedule's order."""
        return [u for u in self.units if u.rate is None]
