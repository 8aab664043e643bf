"""The working-day calendar as a workalendar :class:`~workalendar.core.Calendar`.

For scripts that use workalendar's API: every workalendar helper :class:`ChinaCalendar`
exposes honours holidays *and* make-up days. workalendar's own
``find_following_working_day`` skips weekends only, and its ``China`` class drops its
make-up days when ``extra_working_days`` is passed; both are overridden by
:class:`~disclosure_calendar.workdays.calendar.WorkdayCalendar`, whose data and arithmetic
this is. The command line uses that class directly and never pays for importing
workalendar (about 50 ms: its version lookup loads ``importlib.metadata``).
"""

from __future__ import annotations

import datetime as dt

from workalendar.core import Calendar

from .calendar import WorkdayCalendar
from .notices import _SAT, _SUN


class ChinaCalendar(WorkdayCalendar, Calendar):
    """China: State Council working-day calendar, as a workalendar Calendar.

    ``ChinaCalendar()`` is the official calendar; ``notices`` and ``local_days_off`` as for
    :class:`WorkdayCalendar`, whose methods win over workalendar's.
    """

    WEEKEND_DAYS = (_SAT, _SUN)
    include_new_years_day = False  # all days off come from the data / the rule

    def get_variable_days(self, year: int) -> list[tuple[dt.date, str]]:
        return []

    def get_fixed_holidays(self, year: int) -> list[tuple[dt.date, str]]:
        return []

    def holidays(self, year: int | None = None) -> list[tuple[dt.date, str]]:
        """Days off (non-working days other than plain weekends) of ``year``."""
        if year is None:
            year = dt.date.today().year
        return list(super().holidays(year))
