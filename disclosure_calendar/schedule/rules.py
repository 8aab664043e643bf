"""Due-date rules: small objects that turn a period into a working day and say how in words.

Each rule kind has a name used in schedule.yaml (``due: {rule: NAME, ...}``), the cadences it
fits, and a parser that reports problems with their line and column.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from .periods import ONE_DAY, Period, single

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar

ROLLS = ("following", "preceding", "modified_following", "modified_preceding")
_ROLL_WORDS = {
    "following": "遇节假日顺延至其后第一个工作日",
    "preceding": "遇节假日提前至其前最后一个工作日",
    "modified_following": "遇节假日顺延，跨月则提前",
    "modified_preceding": "遇节假日提前，跨月则顺延",
}
# Working days a period always holds at least, so `workday_of_period` can be checked on load.
_MIN_WORKDAYS = {"daily": 1, "weekly": 1, "monthly": 15, "quarterly": 50, "half-yearly": 110}
_MIN_WORKDAYS["yearly"] = 230


class Rule(Protocol):
    name: ClassVar[str]

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date | None:
        """The due date for ``period``, or None if the period has no such day."""
        ...

    def describe(self) -> str:
        """The rule in plain Chinese words."""
        ...

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day whose status (working or not) decided ``due``: a due date
        is provisional only if one of these lies where a holiday notice is still missing."""
        ...


@dataclass(frozen=True)
class WorkdaysAfterPeriod:
    n: int
    name: ClassVar[str] = "workdays_after_period"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date:
        return cal.add_working_days(period.end, self.n)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return _counted(period.end, due)

    def describe(self) -> str:
        return f"期末后第{self.n}个工作日"


@dataclass(frozen=True)
class FixedDay:
    day: int
    roll: str = "following"
    month: int | None = None
    # With a month: that day of the period's own year (a list announcing the year's task),
    # not of the next year (a report on the year just ended).
    same_year: bool = False
    name: ClassVar[str] = "fixed_day"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date:
        return cal.roll(self.nominal(period), self.roll)

    def nominal(self, period: Period) -> dt.date:
        """The calendar day before rolling to a working day."""
        if self.month is None:
            year, month = period.end.year, period.end.month + 1
            if month == 13:
                year, month = year + 1, 1
        else:
            year, month = period.end.year + (0 if self.same_year else 1), self.month
        last = _calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(self.day, last))

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return _between(self.nominal(period), due)

    def describe(self) -> str:
        if self.month is None:
            when = f"次月{self.day}日"
        else:
            when = f"{'当年' if self.same_year else '次年'}{self.month}月{self.day}日"
        return f"{when}（{_ROLL_WORDS[self.roll]}）"


@dataclass(frozen=True)
class FixedDate:
    """A one-off deadline on a calendar date, moved to a working day by ``roll``."""

    date: dt.date
    roll: str = "preceding"
    name: ClassVar[str] = "fixed_date"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date:
        return cal.roll(self.date, self.roll)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return _between(self.date, due)

    def describe(self) -> str:
        d = self.date
        return f"{d.year}年{d.month}月{d.day}日（{_ROLL_WORDS[self.roll]}）"


@dataclass(frozen=True)
class WorkdayOfPeriod:
    n: int
    name: ClassVar[str] = "workday_of_period"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date | None:
        return cal.nth_working_day_of_range(period.start, period.end, self.n)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return (period.start, due) if self.n > 0 else (due, period.end)

    def describe(self) -> str:
        if self.n == -1:
            return "期内最后一个工作日"
        if self.n < 0:
            return f"期内倒数第{-self.n}个工作日"
        return f"期内第{self.n}个工作日"


@dataclass(frozen=True)
class WorkdaysAfterDate:
    date: dt.date
    n: int
    name: ClassVar[str] = "workdays_after_date"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date:
        return cal.add_working_days(self.date, self.n)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return _counted(self.date, due)

    def describe(self) -> str:
        return f"{self.date.isoformat()}后第{self.n}个工作日"


@dataclass(frozen=True)
class WorkdaysAfterEvent:
    n: int
    name: ClassVar[str] = "workdays_after_event"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date:
        return cal.add_working_days(period.end, self.n)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        return _counted(period.end, due)

    def describe(self) -> str:
        return f"事件发生之日起第{self.n}个工作日内"


def _counted(start: dt.date, due: dt.date) -> tuple[dt.date, dt.date]:
    """The days counted from ``start`` (not itself) to ``due``; ``due`` alone when n is 0."""
    return (min(start + ONE_DAY, due), due)


def _between(day: dt.date, due: dt.date) -> tuple[dt.date, dt.date]:
    return (min(day, due), max(day, due))


@dataclass(frozen=True)
class RuleVersion:
    """One version of a ``by_date`` rule: an ordinary rule, in force from ``start`` on."""

    start: dt.date
    rule: Rule
    basis: str | None = None
    # Working days the limit may be extended by (the Regulations' 延长答复期限), if any.
    extension: int | None = None

    def describe(self) -> str:
        words = self.rule.describe()
        extra = []
        if self.extension is not None:
            extra.append(f"可延长{self.extension}个工作日")
        if self.basis:
            extra.append(f"依据{self.basis}")
        return f"{words}（{'；'.join(extra)}）" if extra else words


@dataclass(frozen=True)
class ByDate:
    """The version in force on the date the count starts from: a law's revision in the file.

    The deciding date is an event's (or one-off anchor's) own date, and the day after a
    period ends for a periodic duty: the 2018 annual report, due in 2019 before the 2019
    Regulations took effect, follows the 2008 version; the 2019 report follows the 2019 one.
    Before the first version there is no duty, so no due date.
    """

    versions: tuple[RuleVersion, ...]
    name: ClassVar[str] = "by_date"

    def due(self, period: Period, cal: WorkdayCalendar) -> dt.date | None:
        version = self.version_for(deciding_date(period))
        return None if version is None else version.rule.due(period, cal)

    def deciding_days(self, period: Period, due: dt.date) -> tuple[dt.date, dt.date]:
        version = self.version_for(deciding_date(period))
        return (due, due) if version is None else version.rule.deciding_days(period, due)

    def version_for(self, day: dt.date) -> RuleVersion | None:
        """The version in force on ``day``: the last one starting on or before it."""
        found = None
        for version in self.versions:
            if version.start > day:
                break
            found = version
        return found

    def extension_for(self, day: dt.date) -> int | None:
        """Working days the limit counted from ``day`` may be extended by, if any."""
        version = self.version_for(day)
        return None if version is None else version.extension

    def describe(self) -> str:
        return "；".join(f"{_date_words(v.start)}起：{v.describe()}" for v in self.versions)


def deciding_date(period: Period) -> dt.date:
    """The date that decides which version of a ``by_date`` rule applies to ``period``."""
    if period.kind in ("event", "once"):
        return period.end
    return period.end + ONE_DAY


def describe_for(rule: Rule, period: Period) -> str:
    """The rule in words as it applies to ``period``: for a ``by_date`` rule, only the version
    in force (with its basis), so an event of 2018 cites the 2008 article, not both."""
    if isinstance(rule, ByDate):
        version = rule.version_for(deciding_date(period))
        if version is not None:
            return version.describe()
    return rule.describe()


def version_key(rule: Rule | None, period: Period) -> dt.date | None:
    """What of ``period`` the rule's words depend on: the start of its version in force."""
    if isinstance(rule, ByDate):
        version = rule.version_for(deciding_date(period))
        return None if version is None else version.start
    return None


def extension_days(rule: Rule | None, day: dt.date) -> int | None:
    """Working days the limit of an event of ``day`` may be extended by: the version of the
    rule in force on that day says (None: no extension)."""
    return rule.extension_for(day) if isinstance(rule, ByDate) else None


def extended_due(rule: Rule | None, day: dt.date, cal: WorkdayCalendar) -> dt.date | None:
    """The limit of an event of ``day`` once extended: the first limit plus the extension."""
    days = extension_days(rule, day)
    if days is None or rule is None:
        return None
    first = rule.due(single(f"event-{day.isoformat()}", day, "event"), cal)
    return None if first is None else cal.add_working_days(first, days)


def _date_words(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
