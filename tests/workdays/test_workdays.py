"""Tests of the Chinese working-day calendar (disclosure_calendar.workdays.calendar)."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workalendar.core import Calendar

from disclosure_calendar.workdays import (
    CalendarRangeError,
    ChinaCalendar,
    DayOff,
    Notice,
    NoticeError,
    WorkdayCalendar,
    check_notices,
    holiday_data,
    provisional_data,
)
from disclosure_calendar.workdays.report import (
    explain,
    format_explain,
    format_year_report,
    year_report,
)

D = dt.date
CAL = ChinaCalendar()


def working(*days: dt.date) -> list[bool]:
    return [CAL.is_working_day(d) for d in days]


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --------------------------------------------------------------- spot checks
def test_2017_national_day_and_make_up_saturday() -> None:
    # 国办发明电〔2016〕14号: 10-01..10-08 off (国庆节、中秋节), Sat 09-30 worked.
    assert not any(working(*span(D(2017, 10, 1), D(2017, 10, 8))))
    assert CAL.is_working_day(D(2017, 9, 30))
    info = CAL.day_info(D(2017, 9, 30))
    assert info.kind == "makeup"
    assert info.source is not None
    assert info.source.title == "国务院办公厅关于2017年部分节假日安排的通知"
    assert info.source.published == D(2016, 12, 1)
    assert CAL.is_working_day(D(2017, 10, 9))


def test_2020_spring_festival_extension() -> None:
    # Original notice: 01-24..01-30 off, Sun 01-19 and Sat 02-01 worked.
    # Extension of 2020-01-27: off until 02-02, so 01-31 and 02-01 are days off.
    assert CAL.is_working_day(D(2020, 1, 19))
    assert not any(working(*span(D(2020, 1, 24), D(2020, 2, 2))))
    assert CAL.is_working_day(D(2020, 2, 3))
    for day in (D(2020, 1, 31), D(2020, 2, 1), D(2020, 2, 2)):
        info = CAL.day_info(day)
        assert info.kind == "holiday"
        assert info.source is not None
        assert info.source.title == "国务院办公厅关于延长2020年春节假期的通知"
        assert info.source.published == D(2020, 1, 27)
    orig = CAL.day_info(D(2020, 1, 28)).source
    assert orig is not None and orig.title == "国务院办公厅关于2020年部分节假日安排的通知"


def test_2024() -> None:
    off = [
        *span(D(2024, 2, 10), D(2024, 2, 17)),
        *span(D(2024, 4, 4), D(2024, 4, 6)),
        *span(D(2024, 5, 1), D(2024, 5, 5)),
        D(2024, 6, 10),
        *span(D(2024, 9, 15), D(2024, 9, 17)),
        *span(D(2024, 10, 1), D(2024, 10, 7)),
    ]
    assert not any(working(*off))
    make_up = [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11)]
    make_up += [D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)]
    assert all(working(*make_up))
    assert [i.date for i in CAL.makeup_days(2024)] == make_up


def test_2025_rule_change() -> None:
    # Order No. 795: New Year's Eve (农历除夕) and May 2 become statutory days.
    assert CAL.day_info(D(2025, 1, 28)).name == "农历除夕"
    assert CAL.day_info(D(2025, 5, 2)).name == "劳动节"
    assert not any(working(*span(D(2025, 1, 28), D(2025, 2, 4))))
    assert not any(working(*span(D(2025, 5, 1), D(2025, 5, 5))))
    assert not any(working(*span(D(2025, 10, 1), D(2025, 10, 8))))
    make_up = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
    assert [i.date for i in CAL.makeup_days(2025)] == make_up
    assert CAL.is_working_day(D(2025, 1, 2))  # New Year's Day alone, no make-up


def test_2026() -> None:
    off = [
        *span(D(2026, 1, 1), D(2026, 1, 3)),
        *span(D(2026, 2, 15), D(2026, 2, 23)),
        *span(D(2026, 4, 4), D(2026, 4, 6)),
        *span(D(2026, 5, 1), D(2026, 5, 5)),
        *span(D(2026, 6, 19), D(2026, 6, 21)),
        *span(D(2026, 9, 25), D(2026, 9, 27)),
        *span(D(2026, 10, 1), D(2026, 10, 7)),
    ]
    assert not any(working(*off))
    make_up = [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    assert [i.date for i in CAL.makeup_days(2026)] == make_up
    src = CAL.day_info(D(2026, 1, 4)).source
    assert src is not None and src.published == D(2025, 11, 4)
    assert not CAL.is_provisional_year(2026)


def test_december_day_set_by_next_years_notice() -> None:
    # Sat 2018-12-29 worked, Mon 2018-12-31 off: set by the 2019 notice.
    for day in (D(2018, 12, 29), D(2018, 12, 31)):
        src = CAL.day_info(day).source
        assert src is not None and src.title == "国务院办公厅关于2019年部分节假日安排的通知"
    assert CAL.is_working_day(D(2018, 12, 29))
    assert not CAL.is_working_day(D(2018, 12, 31))
    assert D(2018, 12, 29) in [i.date for i in CAL.makeup_days(2018)]


def test_2019_labour_day_adjustment_has_its_own_notice() -> None:
    src = CAL.day_info(D(2019, 5, 2)).source
    assert src is not None and src.published == D(2019, 3, 22)
    assert CAL.is_working_day(D(2019, 4, 28)) and CAL.is_working_day(D(2019, 5, 5))


def test_plan_deadline_30_working_days_after_2017_06_09() -> None:
    # Dragon Boat 2017 (05-28..05-30) is before the start; no holiday in June/July.
    # June 12-30: 15 working days (3 full weeks); July 3-21: 15 more -> 30.
    assert CAL.add_working_days(D(2017, 6, 9), 30) == D(2017, 7, 21)
    assert CAL.count_working_days(D(2017, 6, 12), D(2017, 6, 30)) == 15
    assert CAL.count_working_days(D(2017, 7, 3), D(2017, 7, 21)) == 15


# ---------------------------------------------- helpers honour the calendar
def test_find_following_working_day_honours_holidays_and_make_up_days() -> None:
    # Ours: a working day is returned as is (workalendar's contract), else the next.
    assert CAL.find_following_working_day(D(2017, 9, 29)) == D(2017, 9, 29)
    # The working day after Friday 09-29 is the make-up Saturday 09-30.
    assert CAL.next_working_day(D(2017, 9, 29)) == D(2017, 9, 30)
    assert CAL.add_working_days(D(2017, 9, 29), 1) == D(2017, 9, 30)
    assert CAL.find_following_working_day(D(2017, 9, 30)) == D(2017, 9, 30)
    assert CAL.find_following_working_day(D(2017, 10, 1)) == D(2017, 10, 9)
    # workalendar's base implementation skips weekends only:
    assert Calendar.find_following_working_day(CAL, D(2017, 10, 1)) == D(2017, 10, 2)
    assert Calendar.find_following_working_day(CAL, D(2017, 9, 30)) == D(2017, 10, 2)


def test_extra_working_days_add_not_replace() -> None:
    from workalendar.asia import China

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wk = China()
        # workalendar's China drops its own make-up days when extras are passed:
        assert wk.is_working_day(D(2018, 2, 11))
        assert not wk.is_working_day(D(2018, 2, 11), extra_working_days=[D(2018, 3, 3)])
    assert CAL.is_working_day(D(2018, 2, 11), extra_working_days=[D(2018, 3, 3)])
    assert CAL.is_working_day(D(2018, 3, 3), extra_working_days=[D(2018, 3, 3)])
    assert not CAL.is_working_day(D(2018, 3, 5), extra_holidays=[D(2018, 3, 5)])
    # the slow path of add_working_days with extras agrees with the fast one otherwise
    assert CAL.add_working_days(D(2017, 9, 29), 2, extra_holidays=[D(2099, 1, 1)]) == D(2017, 10, 9)


def test_zero_and_negative_deltas_and_sub() -> None:
    assert CAL.add_working_days(D(2017, 10, 1), 0) == D(2017, 10, 9)
    assert CAL.add_working_days(D(2017, 10, 9), 0) == D(2017, 10, 9)
    assert CAL.add_working_days(D(2017, 10, 9), -1) == D(2017, 9, 30)
    assert CAL.sub_working_days(D(2017, 10, 9), 1) == D(2017, 9, 30)
    assert CAL.sub_working_days(D(2017, 10, 9), -1) == D(2017, 9, 30)  # workalendar: abs


def test_roll_conventions() -> None:
    # 2024-06-30 is a Sunday; July 1 is a working day.
    assert CAL.roll(D(2024, 6, 30), "following") == D(2024, 7, 1)
    assert CAL.roll(D(2024, 6, 30), "modified_following") == D(2024, 6, 28)
    assert CAL.roll(D(2024, 6, 30), "preceding") == D(2024, 6, 28)
    # 2024-09-01 Sunday: preceding leaves the month.
    assert CAL.roll(D(2024, 9, 1), "modified_preceding") == D(2024, 9, 2)
    assert CAL.roll(D(2024, 10, 3), "following") == D(2024, 10, 8)
    assert CAL.roll(D(2017, 9, 30), "preceding") == D(2017, 9, 30)  # make-up day
    with pytest.raises(ValueError):
        CAL.roll(D(2024, 1, 1), "nearest")


def test_delta_and_count_semantics() -> None:
    a, b = D(2017, 9, 29), D(2017, 10, 9)  # Fri, Mon; in between only Sat 09-30 works
    assert CAL.get_working_days_delta(a, b) == 2  # (a, b]: 09-30, 10-09
    assert CAL.get_working_days_delta(b, a) == 2
    assert CAL.get_working_days_delta(a, b, include_start=True) == 3
    assert CAL.get_working_days_delta(a, a, include_start=True) == 0  # workalendar quirk
    assert CAL.count_working_days(a, b) == 3
    assert CAL.count_working_days(b, a) == 0


def test_nth_working_day_of_range() -> None:
    oct_1, oct_31 = D(2017, 10, 1), D(2017, 10, 31)
    assert CAL.nth_working_day_of_range(oct_1, oct_31, 1) == D(2017, 10, 9)
    assert CAL.nth_working_day_of_range(oct_1, oct_31, -1) == D(2017, 10, 31)
    assert CAL.nth_working_day_of_range(D(2017, 10, 1), D(2017, 10, 8), 1) is None
    assert CAL.nth_working_day_of_range(oct_1, oct_31, 17) == D(2017, 10, 31)
    assert CAL.nth_working_day_of_range(oct_1, oct_31, 18) is None
    with pytest.raises(ValueError):
        CAL.nth_working_day_of_range(oct_1, oct_31, 0)


def test_workalendar_inherited_helpers() -> None:
    assert CAL.is_holiday(D(2017, 10, 2))
    assert not CAL.is_holiday(D(2017, 9, 30))
    assert CAL.get_holiday_label(D(2025, 1, 28)) == "农历除夕"
    assert (D(2026, 2, 17), "春节") in CAL.holidays(2026)


# ---------------------------------------------------------------- hypothesis
dates = st.dates(min_value=D(2006, 1, 1), max_value=D(2027, 10, 31))
deltas = st.integers(min_value=1, max_value=400)
PLAIN = WorkdayCalendar()  # what the command line counts with, without workalendar


@given(dates, st.integers(min_value=-400, max_value=400))
def test_the_workalendar_calendar_counts_as_the_plain_one(day: dt.date, n: int) -> None:
    # Ours come first in ChinaCalendar's bases: workalendar's own stepping skips weekends
    # only, and would miss make-up Saturdays (2017-09-30) were it to win.
    assert isinstance(CAL, Calendar) and not isinstance(PLAIN, Calendar)
    assert CAL.add_working_days(day, n) == PLAIN.add_working_days(day, n)
    assert CAL.is_working_day(day) == PLAIN.is_working_day(day)
    assert CAL.find_following_working_day(day) == PLAIN.find_following_working_day(day)
    assert CAL.get_calendar_holidays(day.year) == PLAIN.get_calendar_holidays(day.year)


@given(dates, st.integers(min_value=-400, max_value=400))
def test_results_are_working_days(day: dt.date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(day, n))
    assert CAL.is_working_day(CAL.find_following_working_day(day))


@given(dates, deltas)
def test_add_then_sub_returns_to_following_working_day(day: dt.date, n: int) -> None:
    # Back n then forward n lands on the start's following working day (the start
    # itself when it is a working day) ...
    assert CAL.add_working_days(CAL.sub_working_days(day, n), n) == CAL.find_following_working_day(
        day
    )
    # ... forward n then back n on its preceding one (same thing for a working day).
    assert CAL.sub_working_days(CAL.add_working_days(day, n), n) == CAL.find_preceding_working_day(
        day
    )
    if CAL.is_working_day(day):
        assert CAL.sub_working_days(CAL.add_working_days(day, n), n) == day
    assert CAL.add_working_days(day, -n) == CAL.sub_working_days(day, n)


@given(dates, st.integers(min_value=0, max_value=60))
def test_count_agrees_with_stepping(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    stepped = sum(CAL.day_info(d).working for d in span(start, end))
    assert CAL.count_working_days(start, end) == stepped
    base = Calendar.get_working_days_delta(CAL, start, end, include_start=True)
    assert CAL.get_working_days_delta(start, end, include_start=True) == base
    ws = CAL.working_days(start, end)
    if ws:
        assert CAL.nth_working_day_of_range(start, end, 1) == ws[0]
        assert CAL.nth_working_day_of_range(start, end, -1) == ws[-1]


@given(dates, st.integers(min_value=-30, max_value=30))
def test_add_agrees_with_stepping(day: dt.date, n: int) -> None:
    if n == 0:
        return
    # workalendar's own stepping loop, driven by our is_working_day
    assert CAL.add_working_days(day, n) == Calendar.add_working_days(CAL, day, n)


# workalendar's China lacks the 2020 Spring Festival extension (notice of 2020-01-27):
WORKALENDAR_WRONG = {D(2020, 1, 31), D(2020, 2, 1)}


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=D(2018, 1, 1), max_value=D(2023, 11, 30)), st.integers(1, 20))
def test_agrees_with_workalendar_china_2018_2023(day: dt.date, n: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wk = _workalendar_china()
        if day not in WORKALENDAR_WRONG:
            assert wk.is_working_day(day) == CAL.is_working_day(day)
        theirs = wk.add_working_days(day, n)
    if not WORKALENDAR_WRONG & set(span(day, theirs)):
        assert CAL.add_working_days(day, n) == theirs


_WK: list[object] = []


def _workalendar_china():  # type: ignore[no-untyped-def]
    from workalendar.asia import China

    if not _WK:
        _WK.append(China())
    return _WK[0]


def test_workalendar_china_differs_only_on_named_days() -> None:
    from workalendar.asia import China

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wk = China()
        diff = {
            d
            for d in span(D(2018, 1, 1), D(2023, 12, 31))
            if wk.is_working_day(d) != CAL.is_working_day(d)
        }
    assert diff == WORKALENDAR_WRONG


# ------------------------------------------------ cross-check chinese_calendar
# Known disagreements between holiday_data (from `holidays`) and chinese_calendar:
KNOWN_DISAGREEMENTS = {
    # The 2006 notice (国办发明电〔2005〕35号) made Saturday 2005-12-31 a working day
    # ("12月31日（星期六）上班"); chinese_calendar files it as a plain weekend.
    D(2005, 12, 31): True,
}


@pytest.mark.parametrize("year", range(2004, 2027))
def test_cross_check_chinese_calendar(year: int) -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    disagreements = {}
    for day in span(D(year, 1, 1), D(year, 12, 31)):
        ours = CAL.is_working_day(day)
        if ours != chinese_calendar.is_workday(day):
            disagreements[day] = ours
    expected = {d: v for d, v in KNOWN_DISAGREEMENTS.items() if d.year == year}
    assert disagreements == expected


def test_generated_data_is_reproducible() -> None:
    assert holiday_data.render() == holiday_data.generated_block_in_file()


def test_provisional_data_is_what_the_rule_gives() -> None:
    """The stored rule-based years equal what holidays.China computes today."""
    assert provisional_data.render() == provisional_data.generated_block_in_file()
    assert provisional_data.FIRST_YEAR == holiday_data.OFFICIAL_LAST_YEAR + 1


def test_a_provisional_year_never_imports_the_holidays_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt; from disclosure_calendar.workdays import ChinaCalendar; "
        "c = ChinaCalendar(); assert not c.is_working_day(dt.date(2031, 10, 1)); "
        "print('holidays' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_day_cites_a_known_notice() -> None:
    for table in (holiday_data.DAYS_OFF, holiday_data.WORKDAYS):
        assert sorted(table) == list(range(2004, 2027))
        for year, entries in table.items():
            for day, name, key in entries:
                assert day.year == year and name
                source = holiday_data.NOTICE_SOURCES[key]
                assert source.year in (year, year + 1)
                if source.year == year + 1:
                    assert day.month == 12


def test_the_recent_notices_carry_their_document_numbers() -> None:
    """Issue 26: the 2025 and 2026 notices were stored without their 发文字号."""
    numbers = {k: holiday_data.NOTICE_SOURCES[k].document for k in ("2025", "2026")}
    assert numbers == {"2025": "国办发明电〔2024〕12号", "2026": "国办发明电〔2025〕7号"}
    assert [s.document for s in CAL.notice_sources(2026)] == ["国办发明电〔2025〕7号"]


# ----------------------------------------------------------------- provisional
def test_2027_is_provisional_with_rule_based_holidays() -> None:
    assert CAL.is_provisional(D(2027, 3, 1))
    assert CAL.provisional_years(2024, 2028) == [2027, 2028]
    assert not CAL.is_provisional(D(2026, 6, 1))
    assert CAL.is_provisional(D(2026, 12, 31))  # the 2027 notice may still set it
    # statutory days by rule, lunar dates included (2025 rules): 除夕 2027-02-05
    assert not any(working(D(2027, 1, 1), *span(D(2027, 2, 5), D(2027, 2, 8)), D(2027, 5, 1)))
    assert not CAL.is_working_day(D(2027, 10, 1))
    assert CAL.makeup_days(2027) == []
    info = CAL.day_info(D(2027, 2, 5))
    assert info.provisional and info.source is not None and info.source.kind == "provisional"
    assert CAL.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_out_of_range() -> None:
    with pytest.raises(CalendarRangeError, match="2004"):
        CAL.is_working_day(D(2003, 12, 31))
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(D(2004, 1, 5), -10)
    with pytest.raises(CalendarRangeError):
        CAL.is_working_day(D(2100, 1, 1))
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(D(2099, 12, 20), 30)
    assert issubclass(CalendarRangeError, ValueError)
    with pytest.raises(TypeError):
        CAL.is_working_day(dt.datetime(2020, 1, 2, 9, 0))  # type: ignore[arg-type]


NOTICE_2027 = Notice(
    2027,
    "国务院办公厅关于2027年部分节假日安排的通知",
    D(2026, 11, 12),
    days_off=(
        DayOff(D(2027, 1, 1), "元旦"),
        *(DayOff(d, "春节") for d in span(D(2027, 2, 5), D(2027, 2, 13))),
    ),
    workdays=(D(2027, 2, 14), D(2027, 2, 20)),
)


def test_notice_for_2027_makes_it_official() -> None:
    cal = ChinaCalendar(notices=[NOTICE_2027])
    assert not cal.is_provisional(D(2027, 3, 1))
    assert cal.provisional_years(2026, 2028) == [2028]
    assert cal.is_working_day(D(2027, 2, 14))  # a Sunday make-up day
    assert not CAL.is_working_day(D(2027, 2, 14))
    assert not cal.is_working_day(D(2027, 2, 12))
    src = cal.day_info(D(2027, 2, 14)).source
    assert src is not None and src.kind == "notice" and src.published == D(2026, 11, 12)
    # rule-based days of 2027 are gone: the notice replaces the year (this test
    # notice lists only New Year and Spring Festival)
    assert cal.day_info(D(2027, 10, 1)).kind == "workday"


def test_notice_replaces_official_year() -> None:
    notice = Notice(2017, "替换通知", D(2016, 12, 1), days_off=(DayOff(D(2017, 3, 1), "测试"),))
    cal = ChinaCalendar(notices=[notice])
    assert cal.is_working_day(D(2017, 10, 2))
    assert not cal.is_working_day(D(2017, 9, 30))
    assert not cal.is_working_day(D(2017, 3, 1))
    assert cal.is_working_day(D(2018, 2, 11))  # other years untouched


def test_local_days_off() -> None:
    cal = ChinaCalendar(
        local_days_off=[DayOff(D(2026, 9, 16), "台风停工"), DayOff(D(2026, 9, 20), "台风")]
    )
    assert not cal.is_working_day(D(2026, 9, 16))
    assert not cal.is_working_day(D(2026, 9, 20))  # even a make-up Sunday
    assert cal.day_info(D(2026, 9, 16)).kind == "local"
    assert CAL.is_working_day(D(2026, 9, 16))


def test_bad_notices_are_rejected() -> None:
    bad = Notice(
        2027,
        "",
        D(2026, 11, 12),
        days_off=(
            DayOff(D(2027, 2, 5), "春节"),
            DayOff(D(2027, 2, 5), "春节"),
            DayOff(D(2025, 12, 31), "x"),
        ),
        workdays=(D(2027, 2, 5), D(2027, 2, 16)),
    )
    problems = check_notices(
        [NOTICE_2027, bad, Notice(2003, "t", D(2002, 12, 1))], [DayOff(D(2003, 1, 1), "")]
    )
    kinds = [(p.kind, p.idx) for p in problems]
    assert ("notice", 0) not in kinds
    messages = " | ".join(p.message for p in problems if p.idx == 1 and p.kind == "notice")
    assert "already given" in messages
    assert "title is empty" in messages
    assert "listed twice" in messages
    assert "December before" in messages
    assert "both a day off" in messages
    assert "Saturday or Sunday" in messages
    assert ("notice", 2) in kinds
    assert ("local_day_off", 0) in kinds
    kind, index, message = problems[0]  # unpacks as a 3-tuple
    assert isinstance(message, str)
    with pytest.raises(NoticeError) as err:
        ChinaCalendar(notices=[bad])
    assert err.value.problems and isinstance(err.value, ValueError)
    assert check_notices([NOTICE_2027]) == []


# ---------------------------------------------------------------- reporting
def test_year_report_and_explain() -> None:
    report = year_report(CAL, 2017)
    assert report["notice_title"] == "国务院办公厅关于2017年部分节假日安排的通知"
    assert not report["provisional"]
    assert {"date": "2017-09-30"}.items() <= report["makeup_days"][-1].items()
    assert sum(report["working_days_per_month"].values()) == report["working_days"] == 249
    assert "2017" in format_year_report(report)
    assert year_report(CAL, 2027)["provisional"]

    why = explain(CAL, D(2020, 2, 1))
    assert not why["working"] and "延长2020年春节假期" in why["reason"]
    assert explain(CAL, D(2017, 9, 30))["kind"] == "makeup"
    assert explain(CAL, D(2017, 9, 23))["kind"] == "weekend"
    assert explain(CAL, D(2027, 3, 1))["warning"]
    assert format_explain(explain(CAL, D(2017, 9, 29))) == (
        "2017-09-29 Friday: working day (ordinary working day)\n"
        "2017-09-29 (Friday) is an ordinary working day."
    )
    from disclosure_calendar.core.i18n import speaking

    with speaking("zh"):
        assert format_explain(explain(CAL, D(2017, 9, 30))) == (
            "2017-09-30 星期六：工作日（调休上班）\n2017-09-30（星期六）调休上班：国庆节调休上班。"
            "依据《国务院办公厅关于2017年部分节假日安排的通知》（国办发明电〔2016〕14号），"
            "2016年12月1日发布。"
        )


def test_spring_festival_days_named_as_people_say_them() -> None:
    # 2026 notice: 2月15日至23日放假调休，2月14日（周六）、2月28日（周六）上班
    assert CAL.day_info(D(2026, 2, 14)).name == "春节调休上班"
    assert CAL.day_info(D(2026, 2, 28)).name == "春节调休上班"
    assert CAL.day_info(D(2026, 2, 20)).name == "春节（调休）"
    assert CAL.day_info(D(2026, 2, 16)).name == "农历除夕"  # the eve's own day off
