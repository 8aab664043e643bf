"""A routine duty's year as one recurring event: RRULE, EXDATE and RDATE give back exactly the
working days, whatever the span (property test against dateutil's RFC 5545 expansion)."""

from __future__ import annotations

import datetime as dt

import icalendar
from dateutil.rrule import rruleset, rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.feeds.ical import recurrence
from disclosure_calendar.feeds.series import Series, collapse_routine
from disclosure_calendar.occurrences.expansion import Occurrence
from disclosure_calendar.schedule.model import Duty
from disclosure_calendar.schedule.periods import single
from disclosure_calendar.workdays import ChinaCalendar

CAL = ChinaCalendar()
DAILY = Duty(
    id="monitoring",
    ref="21.2",
    title="日常监测",
    text="日常监测。",
    units=("office",),
    cadence="daily",
    basis="日常",
    due=None,
    reminders=(),
    start=dt.date(2017, 1, 1),
)
OTHER = Duty(
    id="report",
    ref="1.3",
    title="月报",
    text="按月公开。",
    units=("office",),
    cadence="monthly",
    basis="按月",
    due=None,
    reminders=(),
    start=dt.date(2017, 1, 1),
)


def occurrences(duty: Duty, days: list[dt.date]) -> list[Occurrence]:
    return [Occurrence(duty, single(d.isoformat(), d, "daily"), d, (), False) for d in days]


def expand(series: Series) -> list[dt.date]:
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        f"DTSTART;VALUE=DATE:{series.due:%Y%m%d}\r\n"
        + recurrence(series).decode()
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    rules = rruleset()
    midnight = dt.datetime.combine(event.decoded("DTSTART"), dt.time())
    rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=midnight))
    for prop, add in (("EXDATE", rules.exdate), ("RDATE", rules.rdate)):
        values = event.get(prop)
        for value in values if isinstance(values, list) else [values] if values else []:
            for day in value.dts:
                add(dt.datetime.combine(day.dt, dt.time()))
    return [d.date() for d in rules]


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2017, 1, 1), dt.date(2026, 12, 1)), st.integers(0, 400))
def test_series_expands_to_exactly_the_working_days(first, length):
    last = min(first + dt.timedelta(days=length), dt.date(first.year, 12, 31))
    days = CAL.working_days(first, last)
    if not days:
        return
    (series,) = collapse_routine(occurrences(DAILY, days))
    assert isinstance(series, Series) and series.period.label == str(first.year)
    assert expand(series) == days


def test_one_series_per_year_in_the_place_of_its_first_day():
    days = CAL.working_days(dt.date(2025, 12, 29), dt.date(2026, 1, 6))
    report = occurrences(OTHER, [dt.date(2025, 12, 30)])
    mixed = sorted(occurrences(DAILY, days) + report, key=lambda o: o.due)
    out = collapse_routine(mixed)
    assert [(o.duty.id, o.period.label) for o in out] == [
        ("monitoring", "2025"),
        ("report", "2025-12-30"),
        ("monitoring", "2026"),
    ]
    # 2026: 1月1-3日 off, 1月4日(Sun) worked: the series starts on Monday 5th, the 4th an RDATE.
    assert out[2].due == dt.date(2026, 1, 5)
    assert out[2].rdates() == [dt.date(2026, 1, 4)]
