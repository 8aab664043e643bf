"""The Chinese working-day calendar (中国工作日历) every due date is counted in.

Working days are Monday-Friday, except the statutory holidays and the days off the
State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知) arranges, plus
the weekend make-up days (调休上班) the notice declares working days (e.g. Saturday
2017-09-30).

* 2004-2026: official data, one entry per day citing its notice
  (:mod:`disclosure_calendar.holiday_data`, generated from the ``holidays`` package and
  cross-checked against ``chinese_calendar`` in the tests).
* A year without a notice (2027 today) up to 2099: *provisional* -- the statutory
  holidays by rule (lunar dates included, in-lieu weekdays when a holiday falls on a
  weekend, computed with ``holidays.China``) and **no** make-up days.
* Before 2004 or after 2099: :class:`CalendarRangeError`.

:class:`WorkdayCalendar` is the calendar: its data and arithmetic, answered by bisection
over precomputed working-day ordinals, with workalendar's method names and semantics. The
command line uses it as it is. :class:`~disclosure_calendar.workdays.china.ChinaCalendar`
is the same calendar as a workalendar :class:`~workalendar.core.Calendar` (the library API):
importing workalendar costs every process about 50 ms, which a build does not need.

Only :class:`datetime.date` is accepted (a ``datetime`` raises ``TypeError``).
"""

from __future__ import annotations

import bisect
import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Sequence

from disclosure_calendar.core.i18n import gettext as _

from . import holiday_data
from .days import Days
from .notices import (
    MAX_YEAR,
    MIN_YEAR,
    ROLL_CONVENTIONS,
    CalendarRangeError,
    DayInfo,
    DayOff,
    Notice,
    Source,
)


class WorkdayCalendar:
    """China: State Council working-day calendar (official 2004-2026, provisional after).

    ``WorkdayCalendar()`` is the official calendar.  ``notices`` add or *replace* the
    official data of their year (everything the official notices of that year set,
    including their December days, is dropped first); ``local_days_off`` are extra days
    off that win over everything (a closure on a make-up Saturday makes it a day off).
    Invalid input raises :class:`NoticeError` (see :func:`check_notices`).

    Semantics of the arithmetic (all by bisection over precomputed working days):

    * ``add_working_days(d, n)``: for ``n > 0`` the n-th working day after ``d``
      (``d`` itself never counted); for ``n < 0`` the |n|-th working day before ``d``
      (same as ``sub_working_days(d, -n)``); for ``n == 0`` ``d`` itself if it is a
      working day, else the following working day (workalendar would return ``d``).
    * ``get_working_days_delta(a, b, include_start=False)``: workalendar's semantics --
      order-independent, counts working days in ``(min, max]`` (the later end counted,
      the earlier one only with ``include_start``), and 0 when ``a == b``.
    * ``count_working_days(start, end)``: working days in ``[start, end]``, both ends
      counted; 0 when ``start > end``.
    """

    def __init__(
        self, *, notices: Sequence[Notice] = (), local_days_off: Sequence[DayOff] = ()
    ) -> None:
        super().__init__()  # in a ChinaCalendar, workalendar's Calendar sets itself up here
        self._days = Days(notices, local_days_off)
        self._year_cache: dict[int, list[int]] = {}
        self._lo: int | None = None  # loaded year span [lo, hi]
        self._hi: int | None = None
        self._ords: list[int] = []  # sorted ordinals of the working days in the span
        self._ordset: frozenset[int] = frozenset()
        self._wdates: list[dt.date] = []
        self._status: dict[dt.date, bool] = {}
        self._upto: dict[dt.date, int] = {}
        # Years are worked out as they are asked for (every lookup below makes sure of its
        # own): a rebuild that needs seven years does not pay for twenty-three (12 ms).

    # ------------------------------------------------------------------ data
    @staticmethod
    def _check(day: object) -> dt.date:
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise TypeError(f"expected a datetime.date, got {type(day).__name__}: {day!r}")
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise CalendarRangeError(
                _(
                    "{day} is outside the supported range {low}-01-01..{high}-12-31 "
                    "(official data {first}-{last}, later years provisional)"
                ).format(
                    day=day, low=MIN_YEAR, high=MAX_YEAR,
                    first=holiday_data.OFFICIAL_FIRST_YEAR, last=holiday_data.OFFICIAL_LAST_YEAR,
                )
            )  # fmt: skip
        return day

    @staticmethod
    def _check_year(year: int) -> int:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarRangeError(
                f"year {year} is outside the supported range {MIN_YEAR}..{MAX_YEAR}"
            )
        return year

    def _year_ords(self, year: int) -> list[int]:
        cached = self._year_cache.get(year)
        if cached is None:
            self._days.fill_provisional(year)
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            cached = [
                o for o in range(first, last + 1) if self._days.is_working(dt.date.fromordinal(o))
            ]
            self._year_cache[year] = cached
        return cached

    def _ensure(self, lo: int, hi: int) -> None:
        """Make the precomputed span cover the years ``lo..hi`` (clamped)."""
        lo, hi = max(lo, MIN_YEAR), min(hi, MAX_YEAR)
        if self._lo is not None and self._hi is not None and self._lo <= lo and hi <= self._hi:
            return
        if self._lo is not None and self._hi is not None:
            lo, hi = min(lo, self._lo), max(hi, self._hi)
        ords: list[int] = []
        for y in range(lo, hi + 1):
            ords.extend(self._year_ords(y))
        self._lo, self._hi, self._ords, self._ordset = lo, hi, ords, frozenset(ords)
        # fast-path indexes: date -> working?, date -> number of working days <= date
        self._wdates = [dt.date.fromordinal(o) for o in ords]
        status: dict[dt.date, bool] = {}
        upto: dict[dt.date, int] = {}
        count = 0
        ordset = self._ordset
        for o in range(dt.date(lo, 1, 1).toordinal(), dt.date(hi, 12, 31).toordinal() + 1):
            d = dt.date.fromordinal(o)
            w = o in ordset
            count += w
            status[d] = w
            upto[d] = count
        self._status, self._upto = status, upto

    def _loaded(self, year: int) -> bool:
        return self._lo is not None and self._hi is not None and self._lo <= year <= self._hi

    # ------------------------------------------------- workalendar's names, ours
    def get_calendar_holidays(self, year: int) -> list[tuple[dt.date, str]]:
        """Days off of ``year`` as ``(date, name)``: notice/rule days off and local ones."""
        self._check_year(year)
        self._days.fill_provisional(year)
        days = {d: name for d, (name, _) in self._days.off.items() if d.year == year}
        days.update({d: name for d, (name, _) in self._days.local.items() if d.year == year})
        return sorted(days.items())

    def is_working_day(
        self,
        day: dt.date,
        extra_working_days: Iterable[dt.date] | None = None,
        extra_holidays: Iterable[dt.date] | None = None,
    ) -> bool:
        """True if ``day`` is a working day (make-up days count; days off do not).

        ``extra_working_days`` are *added* working days and ``extra_holidays`` added days
        off (``extra_working_days`` wins, as in workalendar); the calendar's own make-up
        days are kept either way.
        """
        if extra_working_days is None and extra_holidays is None:
            known = self._status.get(day)  # a datetime never matches a date key
            if known is not None:
                return known
        day = self._check(day)
        if extra_working_days and day in set(extra_working_days):
            return True
        if extra_holidays and day in set(extra_holidays):
            return False
        if not self._loaded(day.year):
            self._ensure(day.year, day.year)
        return day.toordinal() in self._ordset

    def is_holiday(self, day: dt.date, extra_holidays: Iterable[dt.date] | None = None) -> bool:
        """True if ``day`` is a day off by notice, rule or local closure (not a plain weekend)."""
        day = self._check(day)
        if extra_holidays and day in set(extra_holidays):
            return True
        self._days.fill_provisional(day.year)
        return day in self._days.local or (day in self._days.off and day not in self._days.work)

    def _slow_add(
        self,
        day: dt.date,
        delta: int,
        extra_working_days: Iterable[dt.date] | None,
        extra_holidays: Iterable[dt.date] | None,
    ) -> dt.date:
        ew = set(extra_working_days or ())
        eh = set(extra_holidays or ())
        step = dt.timedelta(days=1 if delta >= 0 else -1)
        if delta == 0:
            while not self.is_working_day(day, ew, eh):
                day = self._check(day + step)
            return day
        count = 0
        while count < abs(delta):
            day = day + step
            self._check(day)
            if self.is_working_day(day, ew, eh):
                count += 1
        return day

    def add_working_days(
        self,
        day: dt.date,
        delta: int,
        extra_working_days: Iterable[dt.date] | None = None,
        extra_holidays: Iterable[dt.date] | None = None,
        keep_datetime: bool = False,
    ) -> dt.date:
        """The ``delta``-th working day after ``day`` (``day`` not counted).

        ``delta < 0`` counts back; ``delta == 0`` gives ``day`` if it is a working day,
        else the following working day.  ``keep_datetime`` is accepted for workalendar
        compatibility only (datetimes are refused).  Raises :class:`CalendarRangeError`
        if the answer would leave 2004..2099.
        """
        if extra_working_days is None and extra_holidays is None:
            upto = self._upto.get(day)  # fast path inside the precomputed span
            if upto is not None:
                if delta > 0:
                    j = upto + delta - 1
                    if j < len(self._wdates):
                        return self._wdates[j]
                elif delta < 0:
                    j = upto - self._status[day] + delta
                    if j >= 0:
                        return self._wdates[j]
        day = self._check(day)
        if extra_working_days or extra_holidays:
            return self._slow_add(day, delta, extra_working_days, extra_holidays)
        if delta == 0:
            return self.find_following_working_day(day)
        o = day.toordinal()
        # ~245 working days a year: load enough years in one go
        span = abs(delta) // 240 + 1
        if delta > 0:
            self._ensure(day.year, day.year + span)
            while True:
                i = bisect.bisect_right(self._ords, o) + delta - 1
                if i < len(self._ords):
                    return dt.date.fromordinal(self._ords[i])
                if self._hi is not None and self._hi >= MAX_YEAR:
                    raise CalendarRangeError(
                        f"{delta} working days after {day} is beyond {MAX_YEAR}-12-31"
                    )
                assert self._hi is not None
                self._ensure(day.year, self._hi + span)
        self._ensure(day.year - span, day.year)
        while True:
            i = bisect.bisect_left(self._ords, o) + delta
            if i >= 0:
                return dt.date.fromordinal(self._ords[i])
            if self._lo is not None and self._lo <= MIN_YEAR:
                raise CalendarRangeError(
                    f"{-delta} working days before {day} is before {MIN_YEAR}-01-01"
                )
            assert self._lo is not None
            self._ensure(self._lo - span, day.year)

    def sub_working_days(
        self,
        day: dt.date,
        delta: int,
        extra_working_days: Iterable[dt.date] | None = None,
        extra_holidays: Iterable[dt.date] | None = None,
        keep_datetime: bool = False,
    ) -> dt.date:
        """The ``|delta|``-th working day before ``day`` (workalendar: sign ignored)."""
        return self.add_working_days(day, -abs(delta), extra_working_days, extra_holidays)

    def find_following_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one (holidays and make-up days honoured)."""
        day = self._check(day)
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day`` (= ``add_working_days(day, 1)``)."""
        return self.add_working_days(day, 1)

    def find_preceding_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the previous one."""
        day = self._check(day)
        if self.is_working_day(day):
            return day
        return self.add_working_days(day, -1)

    def _bisect_right(self, day: dt.date) -> int:
        return bisect.bisect_right(self._ords, day.toordinal())

    def _bisect_left(self, day: dt.date) -> int:
        return bisect.bisect_left(self._ords, day.toordinal())

    def get_working_days_delta(
        self,
        start: dt.date,
        end: dt.date,
        include_start: bool = False,
        extra_working_days: Iterable[dt.date] | None = None,
        extra_holidays: Iterable[dt.date] | None = None,
    ) -> int:
        """Working days between two dates, workalendar's way.

        Order-independent; counts the working days after the earlier date up to and
        including the later one; the earlier date is added when ``include_start`` is
        true and it is a working day; 0 when both dates are equal.
        """
        start, end = self._check(start), self._check(end)
        if start == end:
            return 0
        if start > end:
            start, end = end, start
        if extra_working_days or extra_holidays:
            ew, eh = set(extra_working_days or ()), set(extra_holidays or ())
            n = sum(
                self.is_working_day(start + dt.timedelta(days=i), ew, eh)
                for i in range(1, (end - start).days + 1)
            )
            return n + (1 if include_start and self.is_working_day(start, ew, eh) else 0)
        self._ensure(start.year, end.year)
        n = self._bisect_right(end) - self._bisect_right(start)
        if include_start and start.toordinal() in self._ordset:
            n += 1
        return n

    # ------------------------------------------------------------ additions
    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``[start, end]``, both ends counted; 0 if ``start > end``."""
        start, end = self._check(start), self._check(end)
        if start > end:
            return 0
        self._ensure(start.year, end.year)
        return self._bisect_right(end) - self._bisect_left(start)

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days in ``[start, end]``, in order."""
        start, end = self._check(start), self._check(end)
        if start > end:
            return []
        self._ensure(start.year, end.year)
        i, j = self._bisect_left(start), self._bisect_right(end)
        return [dt.date.fromordinal(o) for o in self._ords[i:j]]

    def nth_working_day_of_range(self, start: dt.date, end: dt.date, n: int) -> dt.date | None:
        """The n-th working day of ``[start, end]``.

        ``n >= 1`` counts from ``start`` (1 = the first working day on or after
        ``start``), ``n <= -1`` from ``end`` (-1 = the last working day on or before
        ``end``).  None if the range has fewer than ``|n|`` working days; ``n == 0`` is a
        ``ValueError``.
        """
        if n == 0:
            raise ValueError("n must be >= 1 or <= -1")
        start, end = self._check(start), self._check(end)
        if start > end:
            return None
        self._ensure(start.year, end.year)
        lo, hi = self._bisect_left(start), self._bisect_right(end)
        i = lo + n - 1 if n > 0 else hi + n
        if lo <= i < hi:
            return dt.date.fromordinal(self._ords[i])
        return None

    def roll(self, day: dt.date, convention: str = "following") -> dt.date:
        """Move a non-working ``day`` to a working day; a working day is returned as is.

        ``following`` / ``preceding``: next / previous working day.
        ``modified_following``: following, unless that leaves the month, then preceding.
        ``modified_preceding``: preceding, unless that leaves the month, then following.
        """
        day = self._check(day)
        if convention not in ROLL_CONVENTIONS:
            raise ValueError(
                f"unknown roll convention {convention!r}; use one of {', '.join(ROLL_CONVENTIONS)}"
            )
        if self.is_working_day(day):
            return day
        if convention == "following":
            return self.find_following_working_day(day)
        if convention == "preceding":
            return self.find_preceding_working_day(day)
        if convention == "modified_following":
            nxt = self.find_following_working_day(day)
            return nxt if nxt.month == day.month else self.find_preceding_working_day(day)
        prev = self.find_preceding_working_day(day)
        return prev if prev.month == day.month else self.find_following_working_day(day)

    # ----------------------------------------------------------- provenance
    def is_provisional(self, day: dt.date) -> bool:
        """True if ``day``'s status may still change with a notice not yet in the data.

        That is: its year has no notice, or it is in December and the next year has no
        notice (a notice can set days in the December before its year).
        """
        day = self._check(day)
        if day.year not in self._days.covered:
            return True
        return day.month == 12 and day.year < MAX_YEAR and (day.year + 1) not in self._days.covered

    def is_provisional_year(self, year: int) -> bool:
        """True if ``year`` has no notice in the data (rule-based, no make-up days)."""
        return self._check_year(year) not in self._days.covered

    def provisional_years(self, start: int, end: int) -> list[int]:
        """The years in ``start..end`` (inclusive) without a notice."""
        self._check_year(start)
        self._check_year(end)
        return [y for y in range(start, end + 1) if y not in self._days.covered]

    def day_info(self, day: dt.date) -> DayInfo:
        """Whether ``day`` is a working day and why (name and source of its status)."""
        return self._days.info(self._check(day), self.is_provisional(day))

    def days_off(self, year: int) -> list[DayInfo]:
        """The days off of ``year`` set by notice, rule or local closure, in order."""
        return [self.day_info(d) for d in self._days.days_off(self._check_year(year))]

    def makeup_days(self, year: int) -> list[DayInfo]:
        """The weekend make-up working days of ``year`` (local closures excluded)."""
        return [self.day_info(d) for d in self._days.makeup_days(self._check_year(year))]

    def notice_sources(self, year: int) -> list[Source]:
        """The notices that set days of ``year`` (its own and, for December, the next one's)."""
        return self._days.notice_sources(self._check_year(year))

    def working_days_per_month(self, year: int) -> dict[int, int]:
        """Number of working days in each month of ``year`` (1..12)."""
        self._check_year(year)
        return {
            m: self.count_working_days(
                dt.date(year, m, 1), dt.date(year, m, _calendar.monthrange(year, m)[1])
            )
            for m in range(1, 13)
        }
