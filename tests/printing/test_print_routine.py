"""Printed calendars of the bundled schedule: routine duties in the legend, self-checks once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from disclosure_calendar.printing.edition import build_edition, year_occurrences
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"


@pytest.fixture(scope="module")
def year_2026():
    schedule = load_schedule(BUNDLED)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return schedule, cal, year_occurrences(schedule, cal, 2026)


@pytest.mark.parametrize("unit", [None, "government_office"])
def test_daily_monitoring_is_named_once_in_the_legend(year_2026, unit):
    schedule, cal, occurrences = year_2026
    edition = build_edition(schedule, cal, 2026, occurrences, unit=unit, built=dt.date(2026, 1, 5))
    assert edition.routine == ("每个工作日：政府网站日常监测",)
    rows = [r for m in edition.months for r in m.rows]
    assert not any(r.title == "政府网站日常监测" for r in rows)
    badged = sum(d.due > 0 for g in edition.grids for w in g.weeks for d in w if d is not None)
    assert badged < 100  # of 248 working days
    assert edition.total == len(rows)


def test_city_wide_prints_each_quarter_s_self_checks_as_one_row(year_2026):
    schedule, cal, occurrences = year_2026
    edition = build_edition(schedule, cal, 2026, occurrences, unit=None, built=dt.date(2026, 1, 5))
    checks = [r for m in edition.months for r in m.rows if r.title == "常态化任务自查"]
    assert [(r.date, r.units) for r in checks] == [
        ("3月27日", "各单位（66个）"),
        ("6月26日", "各单位（66个）"),
        ("9月28日", "各单位（66个）"),
        ("12月29日", "各单位（66个）"),
    ]


def test_a_town_edition_has_its_self_checks(year_2026):
    schedule, cal, occurrences = year_2026
    edition = build_edition(
        schedule, cal, 2026, occurrences, unit="shiqi", built=dt.date(2026, 1, 5)
    )
    rows = [r for m in edition.months for r in m.rows]
    assert [r.period for r in rows if r.title == "常态化任务自查"] == [
        f"2026年第{q}季度" for q in range(1, 5)
    ]
    assert [r.units for r in rows if r.title == "常态化任务自查"] == ["石岐区"] * 4
