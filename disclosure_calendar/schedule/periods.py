"""The periods a recurring duty reports on: months, quarters, ISO weeks, ..."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)
# The cadences a duty may have; the periodic ones report on periods of this module.
PERIODIC = ("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly")
CADENCES = (*PERIODIC, "once", "event", "ongoing")
CADENCE_NAMES = {
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "half-yearly": "每半年",
    "yearly": "每年",
    "once": "一次性",
    "event": "事件触发",
    "ongoing": "及时/常态",
}
_MONTHS_PER = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


@dataclass(frozen=True, order=True)
class Period:
    """A closed date range [start, end] with a stable label used in UIDs and titles."""

    start: dt.date
    end: dt.date
    label: str
    kind: str


def _month_start(year: int, month: int) -> dt.date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def _label(kind: str, start: dt.date) -> str:
    if kind == "monthly":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "half-yearly":
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    if kind == "yearly":
        return f"{start.year}"
    if kind == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def containing(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "daily":
        return Period(day, day, _label(kind, day), kind)
    if kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6), _label(kind, start), kind)
    size = _MONTHS_PER[kind]
    first_month = (day.month - 1) // size * size + 1
    start = dt.date(day.year, first_month, 1)
    end = _month_start(day.year, first_month + size) - ONE_DAY
    return Period(start, end, _label(kind, start), kind)


def iterate(kind: str, first: dt.date, last: dt.date) -> Iterator[Period]:
    """Periods of ``kind`` from the one containing ``first`` up to the one containing ``last``."""
    period = containing(kind, first)
    while period.start <= last:
        yield period
        period = containing(kind, period.end + ONE_DAY)


def single(label: str, day: dt.date, kind: str) -> Period:
    """A one-day anchor for one-off and event-triggered duties."""
    return Period(day, day, label, kind)


PERIOD_NAMES = {"monthly": "月", "quarterly": "季度", "half-yearly": "半年", "yearly": "年度"}


def describe(period: Period) -> str:
    """The period in Chinese words: 2026年3月, 2026年第1季度, 2026年上半年, 2026年度."""
    s = period.start
    if period.kind == "monthly":
        return f"{s.year}年{s.month}月"
    if period.kind == "quarterly":
        return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
    if period.kind == "half-yearly":
        return f"{s.year}年{'上' if s.month == 1 else '下'}半年"
    if period.kind == "yearly":
        return f"{s.year}年度"
    if period.kind == "weekly":
        year, week, _ = s.isocalendar()
        return f"{year}年第{week}周"
    if period.kind == "daily":
        return f"{s.year}年{s.month}月{s.day}日"
    if period.kind == "event":
        return f"{s.year}年{s.month}月{s.day}日事件"
    return "一次性"
