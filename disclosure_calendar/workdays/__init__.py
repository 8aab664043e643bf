"""The Chinese working-day calendar: State Council notices, make-up days, provisional years.

The lowest domain stage: imports only ``core``; knows nothing of schedules, duties or outputs.
The schedule's ``calendar:`` section is read into this package's ``Notice`` and ``DayOff``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .notices import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarRangeError,
    DayInfo,
    DayOff,
    Notice,
    NoticeError,
    Source,
    check_notices,
)

if TYPE_CHECKING:
    from .calendar import WorkdayCalendar
    from .china import ChinaCalendar

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "CalendarRangeError",
    "ChinaCalendar",
    "DayInfo",
    "DayOff",
    "Notice",
    "NoticeError",
    "Source",
    "WorkdayCalendar",
    "check_notices",
]


def __getattr__(name: str) -> Any:
    # The calendar pulls in the holiday data: loaded only when a command counts working
    # days, not when it only reads notices (validate). ChinaCalendar also pulls in
    # workalendar (~50 ms), which only scripts using workalendar's API need.
    if name == "WorkdayCalendar":
        return import_module(".calendar", __name__).WorkdayCalendar
    if name == "ChinaCalendar":
        return import_module(".china", __name__).ChinaCalendar
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
