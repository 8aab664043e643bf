"""An occurrence is provisional only if a day that decided its due date may still change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"


@pytest.fixture(scope="module")
def year_2026():
    schedule = load_schedule(BUNDLED)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    # The bundled data has the 2026 notice and none for 2027.
    assert not cal.is_provisional_year(2026) and cal.is_provisional_year(2027)
    return expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2027, 3, 31))


def test_nothing_due_january_to_november_2026_is_provisional(year_2026):
    early = [o.key for o in year_2026 if o.due < dt.date(2026, 12, 1) and o.provisional]
    assert early == []
    by_key = {o.key: o for o in year_2026}
    # A yearly list due in its own year rests on the 2026 notice alone, though its period
    # ends in a December whose next year has no notice (the old rule flagged these).
    assert not by_key["steel-capacity-reduction/2026"].provisional
    assert not by_key["university-disclosure-annual-reports/2026"].provisional


def test_a_due_date_counted_through_days_without_a_notice_is_provisional(year_2026):
    by_key = {o.key: o for o in year_2026}
    # November's report is counted through December 2026 (the 2027 notice may move days).
    assert by_key["budget-execution/2026-11"].provisional
    # Every due date in 2027 (no notice yet) is provisional.
    assert all(o.provisional for o in year_2026 if o.due.year == 2027)
