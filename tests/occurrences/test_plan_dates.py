"""The bundled plan's dates as a user checks them (issue 10): agenda 2017, undated tasks,
assumptions whose words and numbers agree."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

SCHEDULE = Path(__file__).resolve().parents[2] / "schedule.yaml"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli.main, ["-f", str(SCHEDULE), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def plan():
    schedule = load_schedule(SCHEDULE)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return schedule, cal


def test_agenda_2017_has_14_3_and_may_s_budget_report(empty_ledger):
    rows = json.loads(run("agenda", "--year", "2017", "--format", "json", "--db", empty_ledger))
    by_duty = {(r["duty"], r["period"]): r["due"] for r in rows}
    assert by_duty[("university-disclosure-annual-reports", "2017")] == "2017-10-31"
    assert by_duty[("budget-execution", "2017-05")] == "2017-06-14"
    # The 2017 one-off tasks fall due in 2017, the undated ones on its last working day.
    assert by_duty[("industrial-land-policy", "once")] == "2017-12-29"
    assert by_duty[("school-enrollment-opinion-2017", "once")] == "2017-06-30"
    assert by_duty[("hrss-self-assessment-2017", "once")] == "2017-07-21"


def test_duties_shows_no_undated_one_off_task():
    duties = json.loads(run("duties", "--cadence", "once", "--json"))
    assert len(duties) == 22  # 13, and 9 undated one-off tasks dated by the wording rule
    assert [d["id"] for d in duties if d["due"] is None] == []
    undated_by_plan = [d for d in duties if d["rule"] == "fixed_date"]
    assert all(d["assumed"] and d["assumption"] for d in undated_by_plan)


def test_steel_capacity_list_falls_in_the_year_it_announces(plan):
    schedule, cal = plan
    occs = expand(schedule, cal, dt.date(2017, 1, 1), dt.date(2026, 12, 31))
    lists = [o for o in occs if o.duty.id == "steel-capacity-reduction"]
    assert lists and all(o.due.year == int(o.period.label) for o in lists)
    assert schedule.duty("steel-capacity-completion").cadence == "event"


def test_14_3_is_due_in_the_year_of_its_label(plan):
    schedule, cal = plan
    occs = expand(schedule, cal, dt.date(2017, 1, 1), dt.date(2026, 12, 31))
    reports = [o for o in occs if o.duty.id == "university-disclosure-annual-reports"]
    assert [o.period.label for o in reports] == [str(y) for y in range(2017, 2027)]
    assert all(o.due.year == int(o.period.label) and o.due.month == 10 for o in reports)


XUN = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}


@pytest.mark.parametrize("duty_id", ["budget-execution", "power-market-eligible-list"])
def test_assumption_words_and_n_agree(plan, duty_id):
    """The assumption names the rule's n and the part of the month (旬) the dates fall in;
    a long holiday (春节, 国庆) may push a date one day past that part, no more."""
    schedule, cal = plan
    duty = schedule.duty(duty_id)
    assert f"第{duty.due.n}个工作日" in duty.assumption
    (xun,) = [x for x in XUN if x in duty.assumption]
    low, high = XUN[xun]
    stated = re.search(r"(\d+)日至(\d+)日", duty.assumption)
    assert stated, duty.assumption
    occs = [
        o
        for o in expand(schedule, cal, dt.date(2017, 6, 9), dt.date(2026, 12, 31))
        if o.duty.id == duty_id
    ]
    days = [o.due.day for o in occs]
    assert low <= min(days) and max(days) <= high + 1
    assert (min(days), max(days)) == (int(stated[1]), int(stated[2]))
