"""Loading schedule.yaml: a faithful model, and every bad input named by file:line:col."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure_calendar.core.errors import InputError
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.rules import FixedDay, WorkdaysAfterDate, WorkdaysAfterEvent

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"

PARSER = "\n    (the YAML parser said: “{}”)"
# One file per failure; the whole message is asserted so a vague or misplaced one fails.
EXPECTED = {
    "bad_date": [
        "5:11: plan.issued: '2017-02-30' is not a valid date (day is out of range for month)"
    ],
    "calendar_overlap": [
        "11:7: calendar: notice for 2027, workdays[1] 2027-02-07: is both a day off "
        "(days_off[5]) and a make-up day",
        "20:7: calendar: local day off 2026-09-16: listed twice (also local day off 0)",
    ],
    "duplicate_key": ["8:3: plan: duplicate key 'title' (already on line 3; write it once)"],
    "duplicate_unit_id": ["11:10: duplicate unit id 'finance'"],
    "empty": ["1:1: file is empty; expected a mapping with plan, units, duties"],
    "group_cycle": [
        "13:37: group 'towns' contains itself: towns -> all -> towns",
        "14:34: group 'all' contains itself: all -> towns -> all",
    ],
    "impossible_rule": [
        "20:43: duty 'budget': due.day: month 2 has no day 30: this rule gives no date"
    ],
    "list_document": ["1:1: schedule must be a mapping (key: value), not a list"],
    "missing_key": ["13:5: duty 'budget': missing key 'title'"],
    "not_utf8": ["2:15: not UTF-8 text (byte 0xb2); save the file as UTF-8"],
    "rule_cadence_mismatch": [
        "20:17: duty 'budget': due.rule: workdays_after_date does not fit cadence 'monthly' "
        "(fits: once)"
    ],
    "several_problems": [
        "5:11: plan.issued: '2017-13-01' is not a valid date (month must be in 1..12)",
        "17:13: duty 'budget': unknown unit or group 'cz'",
        "18:14: duty 'budget': unknown cadence 'fortnightly' (expected daily, weekly, monthly, "
        "quarterly, half-yearly, yearly, once, event, ongoing)",
    ],
    "syntax_error": [
        "19:12: the bracket [ opened here is not closed by ], or a comma is missing between its "
        "items" + PARSER.format("while parsing a flow sequence; did not find expected ',' or ']'")
    ],
    # what a Chinese input method types where YAML wants ASCII: named at the character to fix,
    # which is above the line where the parser gave up
    "tab_indent": [
        "8:1: a tab character: indent with spaces, not tabs (YAML does not allow tabs here)"
        + PARSER.format(
            "while scanning a plain scalar; found a tab character that violates indentation"
        )
    ],
    "full_width_colon": [
        "7:9: a full-width colon “：”: YAML needs an ASCII colon and a space between a key and "
        "its value (title: 标题); switch the input method to half-width"
        + PARSER.format("while scanning a simple key; could not find expected ':'")
    ],
    "full_width_space": [
        "7:10: a full-width space: YAML counts only ASCII spaces, in indentation and after the "
        "colon; switch the input method to half-width"
        + PARSER.format("while scanning a simple key; could not find expected ':'")
    ],
    "unclosed_quote": [
        '7:11: the quote " opened here is never closed: add the closing "'
        + PARSER.format("while scanning a quoted scalar; found unexpected end of stream")
    ],
    "unclosed_brace": [
        "10:5: the bracket { opened here is not closed by }, or a comma is missing between its "
        "items" + PARSER.format("while parsing a flow mapping; did not find expected ',' or '}'")
    ],
    "unknown_cadence": [
        "18:14: duty 'budget': unknown cadence 'fortnightly' (expected daily, weekly, monthly, "
        "quarterly, half-yearly, yearly, once, event, ongoing)"
    ],
    "unknown_key": [
        "20:5: duty 'budget': unknown key 'colour' (expected one of: assumed, assumption, basis, "
        "cadence, due, end, events, id, note, ref, reminders, review, start, text, title, units)"
    ],
    "unknown_rule": [
        "20:17: duty 'budget': due.rule: unknown rule 'next_tuesday' (expected one of: "
        "workdays_after_period, fixed_day, workday_of_period, workdays_after_date, "
        "workdays_after_event, fixed_date, by_date)"
    ],
    "unknown_unit": ["17:13: duty 'budget': unknown unit or group 'cz'"],
    "unquoted_ref": [
        "14:10: duty 'budget': ref must be quoted (\"1.10\"): unquoted, YAML reads it as a number"
    ],
    "zero_workday": [
        "20:39: duty 'budget': due.n: 0 is no working day; use 1 for the first, -1 for the last"
    ],
}


def test_every_bad_file_has_an_expectation():
    assert sorted(p.stem for p in BAD.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_names_line_and_problem(case):
    path = BAD / f"{case}.yaml"
    with pytest.raises(InputError) as caught:
        load_schedule(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{m}" for m in EXPECTED[case]]


def test_message_counts_problems():
    with pytest.raises(InputError) as caught:
        load_schedule(BAD / "several_problems.yaml")
    assert str(caught.value).startswith("3 problems found:\n")


def test_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"version: 1\n" + b"# padding to 50 MB\n" * 2_800_000)
    with pytest.raises(InputError, match=r"huge.yaml:1:1: file is 5\d\.\d MB; the limit is 8 MB"):
        load_schedule(path)


def test_alias_bomb_is_not_expanded(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join([*levels, "version: 1", "plan: *a9", "units: *a9", "duties: *a9"]))
    with pytest.raises(InputError) as caught:
        load_schedule(path)
    assert f"{path}:1:1: schedule: unknown key 'a0'" in str(caught.value)
    assert "plan must be a mapping" in str(caught.value)


def test_deep_nesting_is_a_clear_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("version: " + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="deep.yaml:1:\\d+: .*\\n.*nesting depth"):
        load_schedule(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="nope.yaml:1:1: no such file"):
        load_schedule(tmp_path / "nope.yaml")


def test_minimal_schedule_model(minimal_path):
    schedule = load_schedule(minimal_path)
    assert schedule.plan.issued == dt.date(2017, 6, 9)
    assert schedule.defaults.remind_at == dt.time(9, 0)
    measures = schedule.duty("concrete-measures")
    assert measures.due == WorkdaysAfterDate(dt.date(2017, 6, 9), 30)
    assert schedule.unit_ids_of(measures) == (
        "finance",
        "economy_it",
        "development_reform",
        "torch_zone",
        "shiqi",
    )
    water = schedule.duty("water-ranking")
    assert water.due == FixedDay(31, "preceding", 3)
    assert water.reminders == (10,)  # the duty's own list replaces the defaults
    assert schedule.duty("budget-execution").reminders == (3, 1)
    repeal = schedule.duty("repealed-files")
    assert repeal.due == WorkdaysAfterEvent(10)
    assert [e.date for e in repeal.events] == [dt.date(2026, 3, 2)]
    assert schedule.duty("timely-policy").due is None
    assert [d.id for d in schedule.duties_of("shiqi")] == [
        "concrete-measures",
        "water-ranking",
        "repealed-files",
    ]


def test_model_is_immutable(minimal_path):
    schedule = load_schedule(minimal_path)
    with pytest.raises(AttributeError):
        schedule.duties[0].title = "x"  # type: ignore[misc]


@given(st.text(max_size=200))
def test_any_text_loads_or_fails_cleanly(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_schedule(path)
    except InputError as exc:
        assert all(str(p).startswith(f"{path}:") for p in exc.problems)


def test_calendar_section_takes_effect(data):
    from disclosure_calendar.workdays import ChinaCalendar

    schedule = load_schedule(data / "calendar_override.yaml")
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    assert not cal.is_provisional(dt.date(2027, 3, 1))  # the notice makes 2027 official
    assert cal.is_working_day(dt.date(2027, 2, 14))  # a Sunday made a working day
    assert not cal.is_working_day(dt.date(2027, 2, 8))  # a Monday in the Spring Festival break
    assert not cal.is_working_day(dt.date(2026, 9, 16))  # the local typhoon closure
    assert ChinaCalendar().is_provisional(dt.date(2027, 3, 1))
