"""Who sets each date: official notices, the schedule's notices, local closures, provisional rules.

:class:`Days` merges them once (a later source wins as the docstring of
:class:`~disclosure_calendar.workdays.calendar.WorkdayCalendar` describes) and answers, per
date, whether it is a working day and which source says so; the calendar's arithmetic is
built on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from . import holiday_data, provisional_data
from .notices import _SAT, DayInfo, DayOff, Notice, NoticeError, Source, check_notices

_OFFICIAL_SOURCE_KIND: Literal["official"] = "official"


def _official_sources() -> dict[str, Source]:
    return {
        key: Source(
            _OFFICIAL_SOURCE_KIND,
            s.title,
            s.published,
            s.document,
            "" if s.published else s.note,
        )
        for key, s in holiday_data.NOTICE_SOURCES.items()
    }


# The data names the Spring Festival break after its first day, 农历除夕 (the eve); people
# and the notices call the break, its moved days and its make-up Saturdays 春节.
_EVE = "农历除夕"


def spoken_name(name: str) -> str:
    """A festival's name as people say it: 春节调休上班, not 农历除夕调休上班.

    The eve's own day off keeps its bare name; every moved or make-up day of the break is
    春节's.
    """
    if not name.startswith(_EVE) or name == _EVE:
        return name
    return "春节" + name.removeprefix(_EVE)


_PROVISIONAL_NOTE = "尚无国务院办公厅放假安排通知：按《全国年节及纪念日放假办法》推定，无调休上班日"


class Days:
    """The merged day table: ``off``, ``work`` (make-up days) and ``local`` map a date to
    its name and source; ``covered`` holds the years with a notice."""

    def __init__(self, notices: Sequence[Notice], local_days_off: Sequence[DayOff]) -> None:
        problems = check_notices(notices, local_days_off)
        if problems:
            raise NoticeError(problems)
        sources = _official_sources()
        replaced = {n.year for n in notices}
        # date -> (name, source)
        self.off: dict[dt.date, tuple[str, Source]] = {}
        self.work: dict[dt.date, tuple[str, Source]] = {}
        self.covered: set[int] = set()
        # official data, notice year by notice year (a later year's December days win)
        for table, target in (
            (holiday_data.DAYS_OFF, self.off),
            (holiday_data.WORKDAYS, self.work),
        ):
            for entries in table.values():
                for day, name, key in entries:
                    notice_year = holiday_data.NOTICE_SOURCES[key].year
                    if notice_year in replaced:
                        continue
                    self.covered.add(notice_year)
                    target[day] = (spoken_name(name), sources[key])
        for y in range(holiday_data.OFFICIAL_FIRST_YEAR, holiday_data.OFFICIAL_LAST_YEAR + 1):
            if y not in replaced:
                self.covered.add(y)
        for notice in sorted(notices, key=lambda n: n.year):
            src = Source("notice", notice.title, notice.published)
            self.covered.add(notice.year)
            for off in notice.days_off:
                self.work.pop(off.date, None)
                self.off[off.date] = (off.name, src)
            for day in notice.workdays:
                self.off.pop(day, None)
                self.work[day] = ("调休上班", src)
        self.local: dict[dt.date, tuple[str, Source]] = {
            off.date: (off.name, Source("local", off.name)) for off in local_days_off
        }
        self.provisional_done: set[int] = set()

    def fill_provisional(self, year: int) -> None:
        """Add the rule-based days off of an uncovered year (no make-up days)."""
        if year in self.covered or year in self.provisional_done:
            return
        src = Source("provisional", f"{year}年法定节假日（推定）", None, None, _PROVISIONAL_NOTE)
        for day, label in provisional_data.days_off(year):
            if day not in self.off and day not in self.work:
                self.off[day] = (label, src)
        self.provisional_done.add(year)

    def is_working(self, day: dt.date) -> bool:
        if day in self.local:
            return False
        if day in self.work:
            return True
        if day in self.off:
            return False
        return day.weekday() < _SAT

    # -- provenance: which source set a day (range checks are the calendar's) --
    def info(self, day: dt.date, provisional: bool) -> DayInfo:
        self.fill_provisional(day.year)
        if day in self.local:
            name, src = self.local[day]
            return DayInfo(day, False, "local", name, src, provisional)
        if day in self.work:
            name, src = self.work[day]
            return DayInfo(day, True, "makeup", name, src, provisional)
        if day in self.off:
            name, src = self.off[day]
            return DayInfo(day, False, "holiday", name, src, provisional)
        if day.weekday() >= _SAT:
            return DayInfo(day, False, "weekend", None, None, provisional)
        return DayInfo(day, True, "workday", None, None, provisional)

    def days_off(self, year: int) -> list[dt.date]:
        self.fill_provisional(year)
        days = {d for d in self.off if d.year == year} | {d for d in self.local if d.year == year}
        return [d for d in sorted(days) if d not in self.work or d in self.local]

    def makeup_days(self, year: int) -> list[dt.date]:
        return [d for d in sorted(self.work) if d.year == year and d not in self.local]

    def notice_sources(self, year: int) -> list[Source]:
        self.fill_provisional(year)
        seen: dict[tuple[str, dt.date | None], Source] = {}
        for table in (self.off, self.work):
            for d, (_, src) in table.items():
                if d.year == year and src.kind != "provisional":
                    seen.setdefault((src.title, src.published), src)
        return sorted(seen.values(), key=lambda s: (s.published or dt.date.min, s.title))
