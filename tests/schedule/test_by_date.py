"""The ``by_date`` due rule: the version of a law in force on the date the count starts from."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.feeds.ical import EventWriter
from disclosure_calendar.occurrences.expansion import expand_duty
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.model import Schedule
from disclosure_calendar.schedule.periods import single
from disclosure_calendar.schedule.rules import (
    ByDate,
    RuleVersion,
    WorkdaysAfterEvent,
    describe_for,
)
from disclosure_calendar.workdays import ChinaCalendar

ROOT = Path(__file__).resolve().parents[2]
HEAD = """\
version: 1
plan:
  title: 测试方案
  issuer: 中山市人民政府办公室
  issued: 2008-01-02
  timezone: Asia/Shanghai
  source: test.txt
  uid_domain: test.example
units:
  - {id: finance, name: 市财政局}
duties:
"""
REPLIES = """\
  - id: replies
    ref: "22.1"
    title: 依申请公开答复
    text: 严格按照法定时限答复。
    units: [finance]
    cadence: event
    basis: 严格按照法定时限答复
    due:
      rule: by_date
      versions:
        - {from: 2008-05-01, rule: workdays_after_event, n: 15, extension: 15,
           basis: 条例（2007年）第二十四条}
        - {from: 2019-05-15, rule: workdays_after_event, n: 20, extension: 20,
           basis: 条例（2019年修订）第三十三条}
    events: [{date: 2008-04-30}, {date: 2018-03-01}, {date: 2019-05-14}, {date: 2019-05-15}]
"""
REPORT = """\
  - id: report
    ref: "0.9"
    title: 年度报告
    text: 公布年度报告。
    units: [finance]
    cadence: yearly
    basis: 每年
    due:
      rule: by_date
      versions:
        - {from: 2008-05-01, rule: fixed_day, month: 3, day: 31, roll: preceding}
        - {from: 2019-05-15, rule: fixed_day, month: 1, day: 31, roll: preceding}
"""


def _load(tmp_path: Path, duties: str) -> Schedule:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + duties, encoding="utf-8")
    return load_schedule(path)


def _problems(tmp_path: Path, duties: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        _load(tmp_path, duties)
    return [str(p).split(":", 1)[1] for p in exc.value.problems]


@pytest.fixture(scope="module")
def china() -> ChinaCalendar:
    return ChinaCalendar()


def test_event_counts_by_the_version_in_force_on_its_date(tmp_path, china):
    schedule = _load(tmp_path, REPLIES)
    duty = schedule.duty("replies")
    start, end = dt.date(2008, 1, 1), dt.date(2030, 12, 31)
    due = {o.period.start: o.due for o in expand_duty(duty, schedule, china, start, end)}
    # Before the Regulations took effect there is no duty; a request of 2018-03-01 gets the
    # 2008 version's 15 working days (not 20: 2018-03-29); one of 2019-05-15 gets 20.
    assert due == {
        dt.date(2018, 3, 1): dt.date(2018, 3, 22),
        dt.date(2019, 5, 14): china.add_working_days(dt.date(2019, 5, 14), 15),
        dt.date(2019, 5, 15): china.add_working_days(dt.date(2019, 5, 15), 20),
    }
    rule = duty.due
    assert isinstance(rule, ByDate)
    assert rule.extension_for(dt.date(2018, 3, 1)) == 15
    assert rule.extension_for(dt.date(2019, 5, 15)) == 20
    assert rule.extension_for(dt.date(2008, 4, 30)) is None
    assert rule.version_for(dt.date(2019, 5, 14)).rule == WorkdaysAfterEvent(15)


def test_periodic_duty_decides_by_the_day_after_its_period(tmp_path, china):
    schedule = _load(tmp_path, REPORT)
    duty = schedule.duty("report")
    start, end = dt.date(2017, 1, 1), dt.date(2021, 12, 31)
    due = {o.period.label: o.due for o in expand_duty(duty, schedule, china, start, end)}
    # The 2018 report is due in 2019 before 2019-05-15: the 2008 version, 31 March.
    assert due == {
        "2016": dt.date(2017, 3, 31),
        "2017": dt.date(2018, 3, 30),  # 31 March 2018 is a Saturday
        "2018": dt.date(2019, 3, 29),
        "2019": dt.date(2020, 1, 23),  # 24 Jan-2 Feb 2020: Spring Festival, extended
        "2020": dt.date(2021, 1, 29),
    }


def test_feed_description_cites_the_article_in_force(tmp_path, china):
    schedule = _load(tmp_path, REPLIES + REPORT)
    writer = EventWriter(schedule, (2017, 2021))
    occurrences = expand_duty(
        schedule.duty("replies"), schedule, china, dt.date(2017, 1, 1), dt.date(2021, 1, 1)
    )
    texts = [writer.description(o) for o in occurrences]
    assert "第二十四条" in texts[0] and "第三十三条" not in texts[0]
    assert (
        "截止规则：事件发生之日起第20个工作日内（可延长20个工作日；依据条例（2019年修订）第三十三条）"
        in texts[2]
    )
    reports = expand_duty(
        schedule.duty("report"), schedule, china, dt.date(2019, 1, 1), dt.date(2020, 12, 31)
    )
    lines = [writer.description(o).splitlines()[5] for o in reports]
    assert lines == ["截止规则：次年3月31日（遇节假日提前至其前最后一个工作日）",
                     "截止规则：次年1月31日（遇节假日提前至其前最后一个工作日）"]  # fmt: skip


def test_listing_describes_every_version(tmp_path):
    rule = _load(tmp_path, REPLIES).duty("replies").due
    assert rule is not None
    assert rule.describe() == (
        "2008年5月1日起：事件发生之日起第15个工作日内（可延长15个工作日；依据条例（2007年）第二十四条）；"
        "2019年5月15日起：事件发生之日起第20个工作日内（可延长20个工作日；依据条例（2019年修订）第三十三条）"
    )


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2004, 1, 1), dt.date(2040, 12, 31)))
def test_any_event_date_takes_the_latest_version_started_by_then(day):
    rule = ByDate((_version(dt.date(2008, 5, 1), 15), _version(dt.date(2019, 5, 15), 20)))
    period = single(f"event-{day}", day, "event")
    due = rule.due(period, CAL)
    if day < dt.date(2008, 5, 1):
        assert due is None and rule.extension_for(day) is None
    else:
        n = 15 if day < dt.date(2019, 5, 15) else 20
        assert due == CAL.add_working_days(day, n)
        assert CAL.is_working_day(due) and due > day
        assert describe_for(rule, period).startswith(f"事件发生之日起第{n}个工作日内")


CAL = ChinaCalendar()


def _version(start: dt.date, n: int) -> RuleVersion:
    return RuleVersion(start, WorkdaysAfterEvent(n), None, n)


def _due(body: str) -> str:
    return textwrap.indent(textwrap.dedent(body), "    ")


BAD_DUTY = """\
  - id: replies
    ref: "22.1"
    title: 依申请公开答复
    text: 严格按照法定时限答复。
    units: [finance]
    cadence: event
    basis: 严格按照法定时限答复
    events: []
"""


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {from: 2019-05-15, rule: workdays_after_event, n: 20}
                - {from: 2008-05-01, rule: workdays_after_event, n: 15}
            """,
            ["24:18: duty 'replies': due.versions[1].from: 2008-05-01 is not after the "
             "previous version's 2019-05-15"],
            id="unsorted",
        ),
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {rule: workdays_after_event, n: 20}
            """,
            ["23:11: duty 'replies': due.versions[0]: missing key 'from'"],
            id="no-from",
        ),
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {from: 2019-05-15, rule: fixed_day, day: 10}
            """,
            ["23:36: duty 'replies': due.versions[0]: due.rule: fixed_day does not fit cadence "
             "'event' (fits: monthly, quarterly, half-yearly, yearly)"],
            id="cadence",
        ),
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {from: 2019-05-15, rule: by_date, versions: []}
            """,
            ["23:36: duty 'replies': due.versions[0]: due.rule: a by_date version cannot be "
             "by_date itself"],
            id="nested",
        ),
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {from: 2019-05-15, rule: workdays_after_event, n: 20, extension: 0,
                   basis: ''}
            """,
            ["23:76: duty 'replies': due.versions[0].extension must be between 1 and 250, "
             "not 0",
             "24:19: duty 'replies': due.versions[0].basis must not be empty"],
            id="extension-basis",
        ),
        pytest.param(
            """\
            due: {rule: by_date, versions: []}
            """,
            ["20:36: duty 'replies': due.versions: list at least one version"],
            id="empty",
        ),
        pytest.param(
            """\
            due:
              rule: by_date
              versions:
                - {from: 2019-05-15, rule: workdays_after_event, n: 20, days: 3}
            """,
            ["23:11: duty 'replies': due.versions[0]: due: rule workdays_after_event has no "
             "field 'days' (fields: n, rule)"],
            id="unknown-field",
        ),
    ],
)  # fmt: skip
def test_bad_versions_are_named_by_line(tmp_path, due, expected):
    assert _problems(tmp_path, BAD_DUTY + _due(due)) == expected


def test_bundled_replies_follow_the_regulations_in_force(china):
    schedule = load_schedule(ROOT / "schedule.yaml")
    duty = schedule.duty("application-replies")
    assert duty.ref == "22.1" and isinstance(duty.due, ByDate)
    request = single("event-2018-03-01", dt.date(2018, 3, 1), "event")
    assert duty.due.due(request, china) == dt.date(2018, 3, 22)
    assert "（2007年）第二十四条" in describe_for(duty.due, request)
    request = single("event-2026-03-02", dt.date(2026, 3, 2), "event")
    assert duty.due.due(request, china) == china.add_working_days(dt.date(2026, 3, 2), 20)
    assert duty.due.extension_for(dt.date(2026, 3, 2)) == 20
    assert "（2019年修订）第三十三条" in describe_for(duty.due, request)


def test_the_duties_table_names_the_version_in_force_and_json_every_version():
    """Every version with its article made the table's 截止日期 column 250 characters wide."""
    from click.testing import CliRunner

    import cli

    bundled = str(Path(__file__).resolve().parents[2] / "schedule.yaml")
    runner = CliRunner()
    args = ["-f", bundled, "--lang", "zh", "duties", "--cadence", "event"]
    table = runner.invoke(cli.main, args).stdout
    row = next(line for line in table.splitlines() if line.startswith("22.1 "))
    assert "事件发生之日起第20个工作日内（2019年5月15日起）" in row and "2008年" not in row
    assert max(len(line) for line in table.splitlines()) < 200, table  # was 400
    listed = runner.invoke(cli.main, [*args, "--format", "json"]).stdout
    assert "2008年5月1日起：事件发生之日起第15个工作日内" in listed
