"""Which dates a command covers, and what today is where the plan applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..workdays.notices import MAX_YEAR, MIN_YEAR

# The years a command may cover: a due date can fall in the year after its period, and the
# calendar ends with MAX_YEAR.
YEARS = (MIN_YEAR, MAX_YEAR - 1)

if TYPE_CHECKING:
    from ..workdays.calendar import WorkdayCalendar
    from .expansion import Occurrence


def today_in(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the plan's time zone (a UTC evening is already tomorrow in Shanghai)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(timezone)).date()


def resolve(
    today: dt.date,
    *,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """The date range to cover: a year, an explicit range, or this year and the next."""
    if year is not None and (start or end):
        raise DisclosureError(_("give either --year or --from/--to, not both"))
    low, high = YEARS
    if year is not None:
        if not low <= year <= high:
            raise DisclosureError(
                _("--year {year}: the working-day calendar covers {low} to {high}").format(
                    year=year, low=low, high=high
                )
            )
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = start or dt.date(today.year, 1, 1)
    last = end or dt.date((start or today).year + 1, 12, 31)
    if last < first:
        raise DisclosureError(
            _("--to {last} is before --from {first}").format(last=last, first=first)
        )
    if first.year < low or last.year > high:
        raise DisclosureError(
            _("{first} to {last}: the working-day calendar covers {low} to {high}").format(
                first=first, last=last, low=low, high=high
            )
        )
    return first, last


def provisional_years(occurrences: Iterable[Occurrence], cal: WorkdayCalendar) -> list[int]:
    """The years whose missing holiday notice the occurrences' dates rest on.

    A December date of an official year is provisional only because the next year's notice
    may still set make-up days in it, so it points at the next year.
    """
    return sorted({year for _duty, year in provisional_pairs(occurrences, cal)})


def provisional_pairs(
    occurrences: Iterable[Occurrence], cal: WorkdayCalendar
) -> set[tuple[str, int]]:
    """``provisional_years`` per duty: (duty id, year) for each year a duty's dates rest on."""
    pairs: set[tuple[str, int]] = set()
    for occ in occurrences:
        if not occ.provisional:
            continue
        for day in (occ.period.end, occ.due, *occ.reminders):
            if cal.is_provisional(day):
                year = day.year if cal.is_provisional_year(day.year) else day.year + 1
                pairs.add((occ.duty.id, year))
    return pairs


def provisional_warning(years: Iterable[int]) -> list[str]:
    return [
        _(
            "warning: the State Council's holiday notice for {year} is not in the data yet; "
            "dates in {year} (and December {previous}, where it may set make-up days) are "
            "provisional: statutory holidays by rule, no make-up days. Enter the notice under "
            "calendar: when it is published."
        ).format(year=y, previous=y - 1)
        for y in years
    ]
