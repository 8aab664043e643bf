"""The Chinese working-day calendar: State Council notices, make-up days, provisional years.

The lowest domain stage: imports only ``core``; knows nothing of schedules, duties or outputs.
The schedule's ``calendar:`` section is read into this package's ``Notice`` and ``DayOff``.
"""

from .calendar import ChinaCalendar
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
    "check_notices",
]
