"""The Regulations' duties in the bundled schedule reach every administrative body."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from disclosure_calendar.occurrences.expansion import expand_duty
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.rules import describe_for
from disclosure_calendar.workdays import ChinaCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
SCHEDULE = load_schedule(BUNDLED)
CAL = ChinaCalendar(notices=SCHEDULE.notices, local_days_off=SCHEDULE.local_days_off)
PARTY = {"publicity_department"}  # 市委宣传部: a Party organ, outside the Regulations


def _due(duty_id: str, year: int) -> dict[str, dt.date]:
    duty = SCHEDULE.duty(duty_id)
    found = expand_duty(duty, SCHEDULE, CAL, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {o.period.label: o.due for o in found}


def test_every_unit_has_an_annual_report_and_proactive_disclosure():
    reports = [d for d in SCHEDULE.duties if d.plan == "regulations" and d.ref.startswith("49.")]
    reached = {u for d in reports for u in SCHEDULE.unit_ids_of(d)}
    everyone = {u.id for u in SCHEDULE.units}
    assert reached == everyone - PARTY
    proactive = set(SCHEDULE.unit_ids_of(SCHEDULE.duty("proactive-disclosure")))
    assert proactive == everyone - PARTY
    assert SCHEDULE.duty("proactive-disclosure").ref == "26.1"


@pytest.mark.parametrize(
    ("duty_id", "year", "label", "due"),
    [
        # Departments: 31 January under the 2019 text (a Saturday in 2026: the day before).
        ("annual-report-departments", 2026, "2025", dt.date(2026, 1, 30)),
        # Under the 2007 text, 31 March (a Saturday in 2018).
        ("annual-report-departments", 2018, "2017", dt.date(2018, 3, 30)),
        # The 2018 report falls due in 2019 before the revision took effect: still 31 March.
        ("annual-report-departments", 2019, "2018", dt.date(2019, 3, 29)),
        ("annual-report-departments", 2020, "2019", dt.date(2020, 1, 23)),  # 春节 from 24 Jan
        ("annual-report-towns", 2026, "2025", dt.date(2026, 1, 30)),
        ("annual-report-government", 2026, "2025", dt.date(2026, 3, 31)),
        ("annual-report-government", 2018, "2017", dt.date(2018, 3, 30)),
    ],
)
def test_annual_reports_follow_the_version_in_force(duty_id, year, label, due):
    assert _due(duty_id, year) == {label: due}


def test_the_article_in_force_is_cited():
    duty = SCHEDULE.duty("annual-report-departments")
    [old] = expand_duty(duty, SCHEDULE, CAL, dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    [new] = expand_duty(duty, SCHEDULE, CAL, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert describe_for(duty.due, old.period).endswith("（2007年）第三十一条）")  # type: ignore[arg-type]
    assert describe_for(duty.due, new.period).endswith("（2019年修订）第四十九条第一款）")  # type: ignore[arg-type]
    assert SCHEDULE.plan_of(duty).place(duty) == "第四十九条"
