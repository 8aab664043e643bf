"""Several plans in one schedule: each duty belongs to one, a plan's end stops its duties."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.feeds.ical import EventWriter
from disclosure_calendar.feeds.index_page import render_index
from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.reports import duties_json, summary
from disclosure_calendar.workdays import ChinaCalendar

HEAD = """\
version: 1
plan:
  id: p2017
  title: 2017年分工方案
  issuer: 市政府办公室
  issued: 2017-06-09
  timezone: Asia/Shanghai
  source: a.txt
  uid_domain: test.example
  end: 2018-05-31
units:
  - {id: finance, name: 市财政局}
duties:
  - {id: budget, ref: "1.3", title: 预算执行, text: 按月公开。, units: [finance],
     cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 10}}
  - {id: repeal, ref: "5.7", title: 文件废止, text: 废止后公开。, units: [finance],
     cadence: event, basis: 废止后, due: {rule: workdays_after_event, n: 10},
     events: [2018-05-30, 2018-06-01]}
plans:
  - id: p2018
    title: 2018年分工方案
    issuer: 市政府办公室
    issued: 2018-07-01
    source: b.txt
    duties:
      - {id: budget-2018, ref: "1.3", title: 预算执行, text: 按月公开。, units: [finance],
         cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 10}}
  - id: law
    title: 条例
    issuer: 国务院
    issued: 2007-04-05
    source: c.txt
    numbering: articles
    duties:
      - {id: report, ref: "49.1", title: 年度报告, text: 每年1月31日前公布。, units: [finance],
         cadence: yearly, basis: 每年1月31日前, start: 2017-06-09,
         due: {rule: fixed_day, month: 1, day: 31, roll: preceding}}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(_write(tmp_path, HEAD))


def test_each_duty_belongs_to_its_plan(schedule):
    assert [p.id for p in schedule.plans] == ["p2017", "p2018", "law"]
    assert {d.id: d.plan for d in schedule.duties} == {
        "budget": "p2017", "repeal": "p2017", "budget-2018": "p2018", "report": "law",
    }  # fmt: skip
    # A later plan's duties start when it is issued; its settings are the first plan's.
    later = schedule.plan_of(schedule.duty("budget-2018"))
    assert later.timezone == "Asia/Shanghai" and later.uid_domain == "test.example"
    assert schedule.duty("budget-2018").start == dt.date(2018, 7, 1)
    items = json.loads(duties_json(schedule, schedule.duties))
    assert {d["id"]: d["plan"] for d in items}["report"] == "law"
    assert summary(schedule).endswith("; 3 plans: p2017: 2 duties, p2018: 1 duties, law: 1 duties")


def test_no_occurrence_after_its_plans_end(schedule):
    occurrences = expand(schedule, ChinaCalendar(), dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    labels = {o.duty.id: [] for o in occurrences}
    for o in occurrences:
        labels[o.duty.id].append(o.period.label)
    # The 2017 plan ends 2018-05-31: its May report is its last. The 2018 plan, issued
    # 2018-07-01, takes over with the June report (due in July, after it was issued). An
    # event after the end is not counted either.
    assert labels["budget"][-1] == "2018-05"
    assert labels["budget-2018"][0] == "2018-06"
    assert labels["repeal"] == ["event-2018-05-30"]
    assert labels["report"] == ["2017"]


def test_one_plan_format_stays_valid(data):
    schedule = load_schedule(data / "minimal.yaml")
    assert [p.id for p in schedule.plans] == ["plan"]
    assert {d.plan for d in schedule.duties} == {"plan"}
    assert "plans" not in summary(schedule)


def test_plans_in_force_and_descriptions(schedule):
    assert [p.id for p in schedule.plans_in_force(dt.date(2019, 1, 1), dt.date(2019, 12, 31))] == [
        "p2018",
        "law",
    ]
    writer = EventWriter(schedule, (2018, 2018))
    occurrences = expand(schedule, ChinaCalendar(), dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    report = next(o for o in occurrences if o.duty.id == "report")
    text = writer.description(report)
    assert "条目：49.1（第四十九条）\n依据文件：《条例》" in text
    budget = next(o for o in occurrences if o.duty.id == "budget")
    assert "条目：1.3（第1部分第3项）\n依据文件：《2017年分工方案》" in writer.description(budget)
    page = render_index(schedule, [], None, (2019, 2020))
    assert "《2018年分工方案》（市政府办公室，2018年7月1日印发）" in page
    assert "《条例》（国务院，2007年4月5日公布）" in page
    assert "2017年分工方案》（" not in page  # ended 2018-05-31
    assert "2017年分工方案》（市政府办公室，2017年6月9日印发，2018年5月31日止）" in render_index(
        schedule, [], None, (2018, 2018)
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "      - {id: budget-2018,", "      - {id: budget,",
            ["26:14: duplicate duty id 'budget'"], id="duty-id-across-plans",
        ),
        pytest.param(
            "  - id: law\n", "  - id: p2018\n",
            ["28:9: plans[1]: duplicate plan id 'p2018'"], id="plan-id",
        ),
        pytest.param(
            "    source: b.txt\n", "    source: b.txt\n    end: 2018-01-01\n",
            ["25:10: plans[0].end: 2018-01-01 is before the plan was issued (2018-07-01)"],
            id="end-before-issued",
        ),
        pytest.param(
            "    numbering: articles\n", "    numbering: chapters\n",
            ["33:16: plans[1].numbering: 'chapters' unknown (expected items, articles)"],
            id="numbering",
        ),
        pytest.param(
            "    source: c.txt\n", "",
            ["28:5: plans[1]: missing key 'source'"], id="missing-key",
        ),
    ],
)  # fmt: skip
def test_bad_plans_are_named_by_line(tmp_path, old, new, expected):
    assert old in HEAD
    with pytest.raises(InputError) as exc:
        load_schedule(_write(tmp_path, HEAD.replace(old, new, 1)))
    assert [str(p).split(":", 1)[1] for p in exc.value.problems] == expected
