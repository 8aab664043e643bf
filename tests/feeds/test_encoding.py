"""Encoding: what the per-duty shortcuts give is what each occurrence's own parts give."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from disclosure_calendar.feeds import encoding, ical
from disclosure_calendar.feeds.manifest import digest, new_entry
from disclosure_calendar.feeds.series import Series, collapse_routine
from disclosure_calendar.occurrences.expansion import expand
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.schedule.model import Event
from disclosure_calendar.workdays import WorkdayCalendar

BUNDLED = Path(__file__).resolve().parents[2] / "schedule.yaml"
MODIFIED = "20261203T000000Z"


def _reference(writer: ical.EventWriter, occurrences, modified: str) -> encoding.Encoded:
    """The columns as the docstrings define them, from each occurrence's own parts."""
    columns: list[list] = [[] for _ in range(10)]
    for occ in occurrences:
        dates, title, description, tail, end = writer.parts(occ)
        rest = hashlib.blake2b(
            description + tail + end[: -len(ical.END_EVENT)], digest_size=16
        ).digest()
        summary = ical.summary_line(title)
        due = occ.due.isoformat()
        for k, value in enumerate((dates, description, tail, end, summary)):
            columns[k].append(value)
        columns[5].append(new_entry(digest(dates + summary + rest), modified, due))
        columns[6].append(occ.uid_prefix)
        columns[7].append(ical.BEGIN_UID + occ.uid_prefix.encode())
        # all.ics: one event per occurrence, naming all of the duty's units and groups.
        names = "、".join(writer.schedule.name(a) for a in occ.duty.units)
        line = ical.summary_line(title, names)
        columns[8].append(line)
        columns[9].append(new_entry(digest(dates + line + rest), modified, due))
    return tuple(columns)  # type: ignore[return-value]


def test_chunks_encode_as_each_occurrence_alone() -> None:
    schedule = load_schedule(BUNDLED)
    # Event duties name their event in the DESCRIPTION; give two of them dates.
    duties = []
    for duty in schedule.duties:
        if duty.cadence == "event" and len(duties) < 200:
            notes = ("", "市政府令第5号废止")
            duty = dataclasses.replace(
                duty, events=tuple(Event(dt.date(2026, 3, 2 + k), n) for k, n in enumerate(notes))
            )
        duties.append(duty)
    schedule = dataclasses.replace(schedule, duties=tuple(duties))
    cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    # 2027 has no notice yet: provisional and firm occurrences of the same duties.
    occurrences = collapse_routine(
        expand(schedule, cal, dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    )
    assert any(isinstance(o, Series) for o in occurrences)
    assert any(o.period.kind == "event" for o in occurrences)
    assert {o.provisional for o in occurrences} == {True, False}

    writer = ical.EventWriter(schedule, (2026, 2027))
    memo = encoding.Memo()
    half = len(occurrences) // 2
    chunks = [
        encoding.encode(writer, occurrences[:half], MODIFIED, memo),
        encoding.encode(writer, occurrences[half:], MODIFIED, memo),
    ]
    joined = tuple(a + b for a, b in zip(*chunks, strict=True))
    fresh = ical.EventWriter(schedule, (2026, 2027))
    assert joined == _reference(fresh, occurrences, MODIFIED)
