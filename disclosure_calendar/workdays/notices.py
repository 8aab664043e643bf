"""The data a working-day calendar is built from: notices, days off, provenance, and their checks.

A State Council notice (国务院办公厅关于YYYY年部分节假日安排的通知) as a coordinator enters it
under ``calendar:`` in schedule.yaml, and :func:`check_notices` that finds every problem in a
set of notices before the calendar is built from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from disclosure_calendar.core.i18n import gettext as _

MIN_YEAR = 2004
MAX_YEAR = 2099
_SAT, _SUN = 5, 6

RollConvention = Literal["following", "preceding", "modified_following", "modified_preceding"]
ROLL_CONVENTIONS: tuple[str, ...] = (
    "following",
    "preceding",
    "modified_following",
    "modified_preceding",
)


class CalendarRangeError(ValueError):
    """A date (or a result) outside the supported range 2004-01-01..2099-12-31."""


class NoticeError(ValueError):
    """Notices / local days off given to :class:`WorkdayCalendar` are malformed.

    ``problems`` holds the :class:`NoticeProblem` list of :func:`check_notices`.
    """

    def __init__(self, problems: Sequence[NoticeProblem]) -> None:
        self.problems = list(problems)
        lines = [f"{p.kind}[{p.idx}]: {p.message}" for p in self.problems]
        super().__init__("invalid calendar notices:\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class DayOff:
    """A day off: a holiday or rest day of a notice, or a local closure."""

    date: dt.date
    name: str


@dataclass(frozen=True)
class Notice:
    """A State Council holiday notice for ``year`` as a coordinator enters it.

    ``days_off`` may include weekend days inside the break; ``workdays`` are the
    weekend make-up working days.  Days may lie in ``year`` or in the December before.
    """

    year: int
    title: str
    published: dt.date
    days_off: tuple[DayOff, ...] = ()
    workdays: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class Source:
    """Where a day's status comes from (provenance)."""

    kind: Literal["official", "notice", "provisional", "local"]
    title: str
    published: dt.date | None = None  # None: unknown / not applicable
    document: str | None = None  # 发文字号 when known
    note: str = ""


@dataclass(frozen=True)
class DayInfo:
    """Why a date is, or is not, a working day (see :meth:`WorkdayCalendar.day_info`).

    ``kind``: ``holiday`` (day off set by a notice or by rule), ``makeup`` (weekend
    make-up working day), ``local`` (local day off), ``weekend``, ``workday``.
    """

    date: dt.date
    working: bool
    kind: Literal["holiday", "makeup", "local", "weekend", "workday"]
    name: str | None
    source: Source | None
    provisional: bool


class NoticeProblem(NamedTuple):
    """One problem found by :func:`check_notices`; unpacks as ``(kind, idx, message)``.

    ``kind`` is ``"notice"`` (``idx`` into the notices) or ``"local_day_off"``
    (``idx`` into the local days off).  ``message`` names the offending entry
    (``days_off[i]`` / ``workdays[i]`` with its date) so it can be located.
    """

    kind: Literal["notice", "local_day_off"]
    idx: int
    message: str


_OFFICIAL_SOURCE_KIND: Literal["official"] = "official"


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _window(year: int) -> tuple[dt.date, dt.date]:
    """The dates a notice for ``year`` may set: its year and the December before."""
    return dt.date(year - 1, 12, 1), dt.date(year, 12, 31)


def check_notices(
    notices: Sequence[Notice], local_days_off: Sequence[DayOff] = ()
) -> list[NoticeProblem]:
    """Validate notices and local days off; return the problems (empty list: all fine).

    Pure function, no calendar needed.  Each problem is a :class:`NoticeProblem`
    ``(kind, idx, message)``: ``kind`` ``"notice"`` with ``idx`` into ``notices``,
    or ``"local_day_off"`` with ``idx`` into ``local_days_off``.  Checked:

    * a notice's year is within 2004..2099, given once only, title non-empty,
      ``published`` a date not after the notice's year;
    * every day off / make-up day is a ``date`` (not ``datetime``) within the notice's
      year or the December before it;
    * a make-up working day falls on a Saturday or Sunday;
    * no date is listed twice in a notice, and no date is both a day off and a make-up
      day -- within one notice or across two notices (they can overlap in December);
    * a day-off name is non-empty;
    * a local day off is a ``date`` within 2004..2099 with a non-empty name, listed once.
      (A local day off may fall on a make-up Saturday: it then wins.)
    """
    problems: list[NoticeProblem] = []
    seen_years: dict[int, int] = {}
    off_by: dict[dt.date, int] = {}
    work_by: dict[dt.date, int] = {}

    def add(i: int, message: str) -> None:
        problems.append(NoticeProblem("notice", i, message))

    for i, notice in enumerate(notices):
        year = notice.year
        if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
            add(
                i,
                _("notice year {year!r} is outside the supported range {low}..{high}").format(
                    year=year, low=MIN_YEAR, high=MAX_YEAR
                ),
            )
            continue
        if year in seen_years:
            add(
                i,
                _("a notice for {year} is already given (notice {other})").format(
                    year=year, other=seen_years[year]
                ),
            )
        else:
            seen_years[year] = i
        if not isinstance(notice.title, str) or not notice.title.strip():
            add(i, _("notice for {year}: the title is empty").format(year=year))
        if not _is_date(notice.published):
            add(
                i,
                _("notice for {year}: published {published!r} is not a date").format(
                    year=year, published=notice.published
                ),
            )
        elif notice.published.year > year:
            add(
                i,
                _("notice for {year}: published {published} is after the year it arranges").format(
                    year=year, published=notice.published
                ),
            )
        lo, hi = _window(year)
        mine_off: dict[dt.date, int] = {}
        for j, off in enumerate(notice.days_off):
            where = _("notice for {year}, days_off[{index}]").format(year=year, index=j)
            if not isinstance(off, DayOff) or not _is_date(off.date):
                add(
                    i,
                    _("{where}: {off!r} is not a day off with a date").format(where=where, off=off),
                )
                continue
            if not isinstance(off.name, str) or not off.name.strip():
                add(i, _("{where} {day}: the name is empty").format(where=where, day=off.date))
            if not lo <= off.date <= hi:
                add(
                    i,
                    _("{where} {day}: outside {year} and the December before it").format(
                        where=where, day=off.date, year=year
                    ),
                )
            if off.date in mine_off:
                add(
                    i,
                    _("{where} {day}: listed twice (also days_off[{index}])").format(
                        where=where, day=off.date, index=mine_off[off.date]
                    ),
                )
                continue
            mine_off[off.date] = j
            other = work_by.get(off.date)
            if other is not None:
                add(
                    i,
                    _("{where} {day}: is a make-up working day in notice {other}").format(
                        where=where, day=off.date, other=other
                    ),
                )
        mine_work: dict[dt.date, int] = {}
        for j, day in enumerate(notice.workdays):
            where = _("notice for {year}, workdays[{index}]").format(year=year, index=j)
            if not _is_date(day):
                add(i, _("{where}: {day!r} is not a date").format(where=where, day=day))
                continue
            if not lo <= day <= hi:
                add(
                    i,
                    _("{where} {day}: outside {year} and the December before it").format(
                        where=where, day=day, year=year
                    ),
                )
            if day.weekday() not in (_SAT, _SUN):
                add(
                    i,
                    _("{where} {day}: a make-up working day must be a Saturday or Sunday").format(
                        where=where, day=day
                    ),
                )
            if day in mine_work:
                add(
                    i,
                    _("{where} {day}: listed twice (also workdays[{index}])").format(
                        where=where, day=day, index=mine_work[day]
                    ),
                )
                continue
            mine_work[day] = j
            if day in mine_off:
                add(
                    i,
                    _(
                        "{where} {day}: is both a day off (days_off[{index}]) and a make-up day"
                    ).format(where=where, day=day, index=mine_off[day]),
                )
            elif day in off_by:
                add(
                    i,
                    _("{where} {day}: is a day off in notice {other}").format(
                        where=where, day=day, other=off_by[day]
                    ),
                )
        for day in mine_off:
            off_by.setdefault(day, i)
        for day in mine_work:
            work_by.setdefault(day, i)

    seen_local: dict[dt.date, int] = {}
    for k, off in enumerate(local_days_off):
        if not isinstance(off, DayOff) or not _is_date(off.date):
            problems.append(
                NoticeProblem(
                    "local_day_off", k, _("{off!r} is not a day off with a date").format(off=off)
                )
            )
            continue
        if not MIN_YEAR <= off.date.year <= MAX_YEAR:
            problems.append(
                NoticeProblem(
                    "local_day_off",
                    k,
                    _("local day off {day}: outside the supported range {low}..{high}").format(
                        day=off.date, low=MIN_YEAR, high=MAX_YEAR
                    ),
                )
            )
        if not isinstance(off.name, str) or not off.name.strip():
            problems.append(
                NoticeProblem(
                    "local_day_off",
                    k,
                    _("local day off {day}: the name is empty").format(day=off.date),
                )
            )
        if off.date in seen_local:
            problems.append(
                NoticeProblem(
                    "local_day_off",
                    k,
                    _("local day off {day}: listed twice (also local day off {index})").format(
                        day=off.date, index=seen_local[off.date]
                    ),
                )
            )
        else:
            seen_local[off.date] = k
    return problems
