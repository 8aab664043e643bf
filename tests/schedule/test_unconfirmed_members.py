"""A group's members the file marks as to be confirmed: members like the others, counted."""

from __future__ import annotations

import pytest

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.reports import summary

TEXT = """\
version: 1
plan: {title: 方案, issuer: 办公室, issued: 2017-06-09, timezone: Asia/Shanghai,
       source: a.txt, uid_domain: test.example}
units:
  - {id: finance, name: 市财政局}
  - {id: police, name: 市公安局}
groups:
  - {id: departments, name: 市政府各部门, members: [finance], unconfirmed: [police]}
duties:
  - {id: report, ref: "1.1", title: 年报, text: 公布年报。, units: [departments],
     cadence: yearly, basis: 年报, due: {rule: fixed_day, month: 1, day: 31, roll: preceding}}
"""


def test_unconfirmed_members_are_reached_and_counted(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(TEXT, encoding="utf-8")
    schedule = load_schedule(path)
    assert schedule.unit_ids_of(schedule.duty("report")) == ("finance", "police")
    assert schedule.groups[0].unconfirmed == ("police",)
    assert summary(schedule).endswith("; 1 group members to be confirmed (departments 1)")


def test_an_unknown_unconfirmed_member_is_named_by_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(TEXT.replace("unconfirmed: [police]", "unconfirmed: [polic]"), "utf-8")
    with pytest.raises(InputError) as exc:
        load_schedule(path)
    assert [str(p).split(":", 1)[1] for p in exc.value.problems] == [
        "8:71: group 'departments': unknown member 'polic'"
    ]
