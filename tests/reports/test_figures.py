"""Periods of a notice and the figures' own arithmetic (ranking, totals, the JSON and .xlsx)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notice_sample import figures

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.reports.figures import ReportPeriod, parse_period
from disclosure_calendar.reports.tables import figures_json, figures_xlsx


@pytest.mark.parametrize(
    ("kwargs", "start", "end", "code", "words"),
    [
        ({"quarter": "2026Q3"}, "2026-07-01", "2026-09-30", "2026Q3", "2026年第三季度"),
        ({"quarter": "2026q4"}, "2026-10-01", "2026-12-31", "2026Q4", "2026年第四季度"),
        ({"quarter": "2026-Q3"}, "2026-07-01", "2026-09-30", "2026Q3", "2026年第三季度"),
        ({"year": 2026}, "2026-01-01", "2026-12-31", "2026", "2026年度"),
        (
            {"start": dt.date(2026, 7, 1), "end": dt.date(2026, 8, 15)},
            "2026-07-01", "2026-08-15", "2026-07-01_2026-08-15", "2026年7月1日至8月15日",
        ),
    ],
    ids=["quarter", "lower-q", "as-in-uids", "year", "range"],
)  # fmt: skip
def test_periods(kwargs, start, end, code, words):
    period = parse_period(**kwargs)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert (period.code, period.words) == (code, words)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give one period"),
        ({"quarter": "2026Q3", "year": 2026}, "give one period"),
        ({"quarter": "2026Q5"}, "--quarter '2026Q5': expected a year and quarter such as 2026Q3"),
        ({"start": dt.date(2026, 7, 1)}, "--from and --to go together"),
        ({"start": dt.date(2026, 7, 1), "end": dt.date(2026, 6, 1)}, "--to 2026-06-01 is before"),
    ],
)
def test_bad_periods(kwargs, message):
    with pytest.raises(DisclosureError, match=message.replace("(", r"\(")):
        parse_period(**kwargs)


def test_previous_periods():
    assert parse_period(quarter="2026Q1").previous().code == "2025Q4"
    assert parse_period(quarter="2026Q3").previous().code == "2026Q2"
    assert parse_period(year=2026).previous().code == "2025"


@given(st.dates(dt.date(2005, 1, 1), dt.date(2090, 1, 1)), st.integers(0, 800))
def test_a_range_before_is_as_long_and_ends_the_day_before(start, days):
    period = ReportPeriod(start, start + dt.timedelta(days=days), "range")
    before = period.previous()
    assert before.end == period.start - dt.timedelta(days=1)
    assert before.end - before.start == period.end - period.start


def test_ranking_and_units_with_nothing_due():
    f = figures()
    assert [u.unit for u in f.ranked] == [
        "development_reform",
        "finance",
        "torch_zone",
        "education",
    ]
    assert [u.unit for u in f.idle] == ["statistics", "archives"]
    t = f.totals
    assert (t.due, t.on_time, t.late, t.overdue, t.open) == (46, 34, 6, 6, 3)


def test_json_has_the_shape_of_status_plus_period_and_overdue():
    data = json.loads(figures_json(figures()))
    assert data["period"] == {
        "code": "2026Q3", "kind": "quarter", "start": "2026-07-01", "end": "2026-09-30",
        "words": "2026年第三季度",
    }  # fmt: skip
    assert data["units"][1] == {
        "unit": "finance", "name": "市财政局", "on_time": 10, "late": 1, "open": 0,
        "overdue": 1, "on_time_rate": 0.8333,
    }  # fmt: skip
    assert data["units"][-1]["on_time_rate"] is None
    assert data["overdue"][1] == {
        "unit": "torch_zone", "name": "火炬开发区管委会", "ref": "10.1",
        "title": "重大建设项目批准和实施信息", "period": "2026Q3", "due": "2026-09-30",
        "workdays_overdue": 6, "provisional": True,
    }  # fmt: skip
    assert data["previous"]["period"]["code"] == "2026Q2"
    assert data["previous"]["on_time_rate"] == round(30 / 39, 4)
    assert data["totals"]["due"] == 46


def test_xlsx_sheets():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(figures_xlsx(figures())))
    assert book.sheetnames == ["overall", "units", "overdue"]
    units = list(book["units"].values)
    assert units[0][:3] == ("rank", "unit", "name")
    assert units[1][:4] == (1, "development_reform", "市发展和改革局", 12)
    assert units[-1][0] is None  # nothing due: no rank
    overdue = list(book["overdue"].values)
    assert overdue[1][5] == dt.datetime(2026, 9, 8)
    assert list(book["overall"].values)[1] == ("fallen due", 46, 39)
