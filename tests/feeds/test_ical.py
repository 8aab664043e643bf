"""The RFC 5545 writer: escaping, folding by octets, time zones, event bodies."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icscheck import lint, parse_all

from disclosure_calendar.feeds import ical
from disclosure_calendar.occurrences.expansion import Occurrence
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.periods import containing

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "minimal.yaml"
STAMP = "20261125T000000Z"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain", "plain"),
        ("a,b;c", "a\\,b\\;c"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nline", "crlf\\nline"),
        ("中文,逗号", "中文\\,逗号"),
        ("全角，逗号；分号", "全角，逗号；分号"),  # full-width punctuation is not syntax
    ],
    ids=["plain", "comma-semicolon", "backslash", "newline", "crlf", "cjk-comma", "full-width"],
)
def test_escape(text: str, escaped: str) -> None:
    assert ical.escape(text) == escaped


def test_short_line_is_not_folded() -> None:
    assert ical.fold("SUMMARY:" + "a" * 67) == b"SUMMARY:" + b"a" * 67 + b"\r\n"


def test_fold_at_75_octets_between_characters() -> None:
    # 8 ASCII octets then 3-octet characters: 75 falls inside the 23rd character (octets 75-77).
    folded = ical.fold("SUMMARY:" + "政" * 40)
    first, second, *_ = folded.split(b"\r\n")
    assert len(first) == 74 and first.decode("utf-8").endswith("政")
    assert second.startswith(b" ") and len(second) <= 75
    second.decode("utf-8")


# Control characters but TAB and line breaks are refused by escape (test_typed_text.py).
_TEXT = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\r\n")


@given(st.text(alphabet=_TEXT, max_size=400))
def test_fold_round_trips_and_never_splits_a_character(text: str) -> None:
    line = "DESCRIPTION:" + ical.escape(text)
    folded = ical.fold(line)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    for i, part in enumerate(physical):
        assert len(part) <= 75
        part.decode("utf-8")
        assert i == 0 or part.startswith(b" ")
    assert folded[:-2].replace(b"\r\n ", b"").decode("utf-8") == line


def test_utc_stamp_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        ical.utc_stamp(dt.datetime(2026, 1, 1))
    shanghai = dt.datetime(2026, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert ical.utc_stamp(shanghai) == "20260101T010000Z"


def test_vtimezone_for_shanghai() -> None:
    block = ical.vtimezone("Asia/Shanghai", 2026, 2027).decode()
    assert block.startswith("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n")
    assert "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\n" in block


def test_no_vtimezone_for_a_zone_with_daylight_saving() -> None:
    # Describing Europe/Berlin as one fixed offset would be wrong; nothing uses a TZID anyway.
    assert ical.vtimezone("Europe/Berlin", 2026, 2026) == b""


def _occurrence(*, provisional: bool = False, reminders: tuple[dt.date, ...] = ()) -> Occurrence:
    schedule = load_schedule(MINIMAL)
    duty = schedule.duty("electricity-market")
    duty = dataclasses.replace(duty, text="含逗号,分号;反斜杠\\和\n换行的要求")
    period = containing("quarterly", dt.date(2026, 7, 1))
    return Occurrence(duty, period, dt.date(2026, 10, 20), reminders, provisional)


def _calendar(occ: Occurrence) -> bytes:
    writer = ical.EventWriter(load_schedule(MINIMAL), (2026, 2026))
    dates, title, description, tail, end = writer.parts(occ)
    event = b"".join((
        writer.head("x.2026-Q3.economy_it@test.example"), writer.stamp(3, STAMP),
        dates, ical.summary_line(title), description, tail, end,
    ))  # fmt: skip
    return b"".join(writer.calendar_pieces("市经济和信息化局", [event]))


def test_event_reads_back_in_three_parsers() -> None:
    reminders = (dt.date(2026, 10, 15), dt.date(2026, 10, 19))
    data = _calendar(_occurrence(reminders=reminders))
    assert lint(data) == []
    (ev,) = parse_all(data)
    assert ev.summary == "电力市场交易资格单位名单（2026年第3季度）"
    assert ev.description.startswith("含逗号,分号;反斜杠\\和\n换行的要求\n")
    assert (ev.start, ev.end, ev.sequence) == (dt.date(2026, 10, 20), dt.date(2026, 10, 21), 3)
    assert ev.triggers == (
        dt.datetime(2026, 10, 15, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 19, 1, tzinfo=dt.UTC),
    )
    assert f"DTSTAMP:{STAMP}\r\nLAST-MODIFIED:{STAMP}\r\n".encode() in data


def test_provisional_event_says_so_and_is_tentative() -> None:
    data = _calendar(_occurrence(provisional=True))
    (ev,) = parse_all(data)
    assert ev.summary.startswith("［暂定］")
    assert "日期为暂定" in ev.description
    assert b"STATUS:TENTATIVE\r\n" in data


def test_all_units_summary_names_the_assignee() -> None:
    assert ical.summary(_occurrence(), "各镇区").startswith("【各镇区】电力市场")


def test_body_is_shared_text_encoded_once() -> None:
    writer = ical.EventWriter(load_schedule(MINIMAL), (2026, 2026))
    occ = _occurrence()
    other = dataclasses.replace(occ, period=containing("quarterly", dt.date(2026, 10, 1)))
    first, second = writer.parts(occ), writer.parts(other)
    assert first != second
    assert len(writer._descriptions) == 1  # one DESCRIPTION for both periods
    # Only the dates and the title are an event's own bytes: the rest are shared objects,
    # so that a province's events are cheap to send between processes.
    assert first.description is second.description
    assert first.tail is second.tail
    assert first.end is second.end and first.end.endswith(ical.END_EVENT)


@given(
    title=st.text(alphabet=_TEXT, min_size=1, max_size=40),
    kind=st.sampled_from(["monthly", "quarterly", "half-yearly", "yearly", "once"]),
    provisional=st.booleans(),
)
def test_titles_made_from_cached_parts_are_the_escaped_summary(
    title: str, kind: str, provisional: bool
) -> None:
    # The writer escapes a duty's title and a period's words once each and joins them.
    occ = _occurrence(provisional=provisional)
    occ = dataclasses.replace(occ, duty=dataclasses.replace(occ.duty, title=title))
    if kind == "once":
        occ = dataclasses.replace(occ, period=dataclasses.replace(occ.period, kind="once"))
    else:
        occ = dataclasses.replace(occ, period=containing(kind, dt.date(2026, 7, 1)))
    writer = ical.EventWriter(load_schedule(MINIMAL), (2026, 2026))
    for _ in range(2):  # filling the caches, then from them
        assert writer.parts(occ).title == ical.escape(ical.summary(occ))
