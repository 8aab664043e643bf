"""Every assumption's words agree with its numbers, over every year 2017-2030.

An assumption says why a due day was chosen ("次月上旬即可发布，取期末后第7个工作日"); when
its words name days (上旬, 12日至21日, 季后首月, 2月底), every due date the rule gives must
fall there. 17.1 said 上旬 while the 7th working day fell after the 10th in 54 of 120
months; 21.2 said 下季度首月内 while the 20th working day fell later in 14 of 40 quarters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from disclosure_calendar.occurrences.expansion import expand_duty
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.periods import Period
from disclosure_calendar.workdays import ChinaCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
SCHEDULE = load_schedule(BUNDLED)
CAL = ChinaCalendar(notices=SCHEDULE.notices, local_days_off=SCHEDULE.local_days_off)
FIRST, LAST = dt.date(2017, 1, 1), dt.date(2030, 12, 31)

Check = Callable[[Period, dt.date], bool]


def _next_month(period: Period) -> tuple[int, int]:
    after = period.end + dt.timedelta(days=1)
    return after.year, after.month


def _in_next_month(period: Period, due: dt.date) -> bool:
    return (due.year, due.month) == _next_month(period)


def _no_workday_between(a: dt.date, b: dt.date) -> bool:
    """No working day strictly between a and b (either order)."""
    lo, hi = min(a, b), max(a, b)
    day = lo + dt.timedelta(days=1)
    while day < hi:
        if CAL.is_working_day(day):
            return False
        day += dt.timedelta(days=1)
    return True


def _rolled(nominal: dt.date, due: dt.date, way: str) -> bool:
    """``due`` is ``nominal`` moved (提前 back, 顺延 forward) to the nearest working day."""
    if not CAL.is_working_day(due):
        return False
    if way == "提前":
        return due <= nominal and _no_workday_between(due, nominal + dt.timedelta(days=1))
    return due >= nominal and _no_workday_between(nominal - dt.timedelta(days=1), due)


def checks(words: str) -> list[tuple[str, Check]]:
    """What the words claim about every due date, as (claim, test) pairs."""
    found: list[tuple[str, Check]] = []
    for m in re.finditer(r"(次月|季后首月)(\d+)日至(\d+)日", words):
        lo, hi = int(m[2]), int(m[3])
        found.append((m[0], lambda p, d, lo=lo, hi=hi: _in_next_month(p, d) and lo <= d.day <= hi))
    if re.search(r"(下季度|季后)首月内", words):
        found.append(("下季度首月内", _in_next_month))
    if "上中旬" in words:
        found.append(("上中旬", lambda p, d: d.day <= 20))
    elif "上旬" in words:
        found.append(("上旬", lambda p, d: d.day <= 10))
    elif re.search(r"中旬(?!前后)", words):
        found.append(("中旬", lambda p, d: 11 <= d.day <= 20))
    for m in re.finditer(r"次年(\d+)月内", words):
        month = int(m[1])
        found.append((m[0], lambda p, d, mo=month: (d.year, d.month) == (p.end.year + 1, mo)))
    for m in re.finditer(r"取(当年|次年)?(\d+)月底", words):
        month, shift = int(m[2]), 1 if m[1] == "次年" else 0

        def end_of_month(p: Period, d: dt.date, mo: int = month, sh: int = shift) -> bool:
            year = p.end.year + sh
            return _rolled(dt.date(year, mo, calendar.monthrange(year, mo)[1]), d, "提前")

        found.append((m[0], end_of_month))
    for m in re.finditer(r"取(当年|次年)(\d+)月(\d+)日（遇节假日(提前|顺延)", words):
        shift, month, day, way = 1 if m[1] == "次年" else 0, int(m[2]), int(m[3]), m[4]
        found.append(
            (
                m[0],
                lambda p, d, sh=shift, mo=month, da=day, w=way: _rolled(
                    dt.date(p.end.year + sh, mo, da), d, w
                ),
            )
        )
    for m in re.finditer(r"取次月(\d+)日（遇节假日(提前|顺延)(?!，不跨月)", words):
        day, way = int(m[1]), m[2]
        found.append(
            (
                m[0],
                lambda p, d, da=day, w=way: _rolled(dt.date(*_next_month(p), da), d, w),
            )
        )
    return found


DATED = [d for d in SCHEDULE.duties if d.assumption and d.due is not None and d.cadence != "event"]
CLAIMING = [d for d in DATED if checks(d.assumption or "")]


def test_every_known_way_of_naming_days_is_checked():
    claimed = {d.id for d in CLAIMING}
    # The duties whose words name days; a new wording is checked once it is added above.
    assert {"budget-execution", "housing-market-monthly", "website-quarterly-spot-check",
            "economic-plan-yearly"} <= claimed  # fmt: skip
    assert len(claimed) >= 10


@pytest.mark.parametrize("duty", CLAIMING, ids=lambda d: d.id)
def test_assumption_words_agree_with_due_dates_2017_2030(duty):
    claims = checks(duty.assumption or "")
    occurrences = expand_duty(duty, SCHEDULE, CAL, FIRST, LAST)
    assert occurrences
    wrong = [
        f"{claim}: {o.period.label} due {o.due}"
        for claim, check in claims
        for o in occurrences
        if not check(o.period, o.due)
    ]
    assert wrong == [], f"{duty.ref} {duty.assumption}"


@pytest.mark.parametrize(
    ("words", "period", "due", "agrees"),
    [
        ("次月上旬即可发布", Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30), "", "monthly"),
         dt.date(2026, 10, 15), False),
        ("下季度首月内通报", Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30), "", "quarterly"),
         dt.date(2026, 11, 2), False),
        ("取当年2月底（遇节假日提前）", Period(dt.date(2028, 1, 1), dt.date(2028, 12, 31), "",
         "yearly"), dt.date(2028, 2, 28), False),
        ("取当年2月底（遇节假日提前）", Period(dt.date(2028, 1, 1), dt.date(2028, 12, 31), "",
         "yearly"), dt.date(2028, 2, 29), True),
    ],
)  # fmt: skip
def test_the_checks_catch_what_the_issue_found(words, period, due, agrees):
    assert all(check(period, due) for _claim, check in checks(words)) is agrees


def test_economic_plan_is_due_end_of_february_of_its_own_year():
    duty = SCHEDULE.duty("economic-plan-yearly")
    [occ] = expand_duty(duty, SCHEDULE, CAL, dt.date(2028, 1, 1), dt.date(2028, 12, 31))
    assert (occ.period.label, occ.due) == ("2028", dt.date(2028, 2, 29))  # a leap year
    [occ] = expand_duty(duty, SCHEDULE, CAL, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # Saturday 28 February 2026 is a make-up working day of the Spring Festival.
    assert (occ.period.label, occ.due) == ("2026", dt.date(2026, 2, 28))
