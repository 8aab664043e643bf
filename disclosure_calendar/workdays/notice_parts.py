"""What a holiday notice's text says: its days off, make-up days and problems, line by line.

Produced by :func:`~.notice_text.read_notice`; turned into the calendar's
:class:`~.notices.Notice` by :meth:`NoticeText.to_notice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from disclosure_calendar.core.i18n import gettext as _

from .notices import DayOff, Notice


@dataclass(frozen=True)
class TextProblem:
    """Something wrong or unclear in the notice text; ``line`` is 1-based, 0 for the whole text."""

    line: int
    message: str
    error: bool = True

    def __str__(self) -> str:
        kind = "" if self.error else _("warning: ")
        if self.line:
            return _("line {line}: {kind}{message}").format(
                line=self.line, kind=kind, message=self.message
            )
        return f"{kind}{self.message}"


@dataclass(frozen=True)
class DaysOff:
    """One festival's days off as the notice gives them: ``first``..``last``, weekends included."""

    name: str
    first: dt.date
    last: dt.date
    line: int

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class MakeupDay:
    """A weekend day the notice makes a working day (调休上班)."""

    date: dt.date
    name: str  # the festival of its line
    line: int


@dataclass(frozen=True)
class Extension:
    """ "延长2020年春节假期至2月2日": a festival's break, as already arranged, now ends on ``last``."""

    name: str
    last: dt.date
    line: int


@dataclass(frozen=True)
class NoticeText:
    """What :func:`read_notice` found in a notice's text."""

    year: int | None
    title: str | None
    published: dt.date | None
    document: str | None  # 发文字号, e.g. 国办发明电〔2025〕7号
    supplement: bool  # a separate notice changing a year already arranged (延长/调整 ...)
    days_off: tuple[DaysOff, ...] = ()
    workdays: tuple[MakeupDay, ...] = ()
    extensions: tuple[Extension, ...] = ()
    problems: tuple[TextProblem, ...] = field(default=())

    @property
    def errors(self) -> list[TextProblem]:
        return [p for p in self.problems if p.error]

    @property
    def warnings(self) -> list[TextProblem]:
        return [p for p in self.problems if not p.error]

    def to_notice(self, published: dt.date | None = None) -> Notice:
        """The :class:`Notice` a ``WorkdayCalendar`` takes (``published`` fills a missing date)."""
        if self.year is None or self.title is None:
            raise ValueError("the notice has no year or title")
        when = self.published or published
        if when is None:
            raise ValueError("the notice has no publication date")
        off = tuple(DayOff(d, span.name) for span in self.days_off for d in span.dates())
        return Notice(self.year, self.title, when, off, tuple(m.date for m in self.workdays))

    def as_entry(self) -> dict[str, object]:
        """The ``calendar: notices:`` entry as plain data (dates as ISO strings)."""
        return {
            "year": self.year,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "days_off": [
                {"name": s.name, "from": s.first.isoformat(), "to": s.last.isoformat()}
                for s in self.days_off
            ],
            "workdays": [m.date.isoformat() for m in self.workdays],
        }


def entry_of(notice: Notice) -> dict[str, object]:
    """A :class:`Notice` as its ``calendar: notices:`` entry: days off as spans of one name.

    A span runs over consecutive days of the same name; a weekend between two days of a
    break joins them (it is a day off either way), so a break reads as one span.
    """
    one = dt.timedelta(days=1)
    named = {d.date: d.name for d in notice.days_off}
    work = set(notice.workdays)
    spans: list[dict[str, object]] = []
    day_list = sorted(named)
    i = 0
    while i < len(day_list):
        first = last = day_list[i]
        name = named[first]
        i += 1
        while i < len(day_list) and named[day_list[i]] == name:
            gap = [last + one * k for k in range(1, (day_list[i] - last).days)]
            if any(g.weekday() < 5 or g in work for g in gap):
                break
            last = day_list[i]
            i += 1
        spans.append({"name": name, "from": first.isoformat(), "to": last.isoformat()})
    return {
        "year": notice.year,
        "title": notice.title,
        "published": notice.published.isoformat(),
        "days_off": spans,
        "workdays": [d.isoformat() for d in sorted(notice.workdays)],
    }
