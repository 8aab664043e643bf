"""Checks for generated .ics files: an RFC 5545 lint and three independent parsers.

The feeds are written by our own writer (disclosure_calendar.feeds.ical); these read them back with
the ``ical`` package, ``vobject`` and ``icalendar``, and each reduces a calendar to the same
plain tuples so the tests can compare parsers with each other and with expectations.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

REQUIRED_CALENDAR = (
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-TIMEZONE:Asia/Shanghai",
    "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
    "X-PUBLISHED-TTL:PT12H",
)
REQUIRED_EVENT = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "SEQUENCE")


class Ev(NamedTuple):
    uid: str
    start: dt.date
    end: dt.date
    summary: str
    description: str
    sequence: int
    triggers: tuple[dt.datetime, ...]


def lint(data: bytes) -> list[str]:
    """Violations of the RFC 5545 rules the feeds promise; empty when clean."""
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    bare = data.replace(b"\r\n", b"")
    if b"\n" in bare or b"\r" in bare:
        problems.append("bare LF or CR")
    physical = data.split(b"\r\n")[:-1]
    for number, line in enumerate(physical, 1):
        if len(line) > 75:
            problems.append(f"line {number}: {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number}: UTF-8 character split by a fold")
    lines = unfold(data)
    if lines[:1] != ["BEGIN:VCALENDAR"] or lines[-1:] != ["END:VCALENDAR"]:
        problems.append("not one VCALENDAR")
    for required in REQUIRED_CALENDAR:
        if required not in lines:
            problems.append(f"missing {required}")
    for prefix in ("PRODID:", "X-WR-CALNAME:"):
        if not any(line.startswith(prefix) for line in lines):
            problems.append(f"missing {prefix}")
    uids: set[str] = set()
    for event in components(lines, "VEVENT"):
        names = {line.split(":", 1)[0].split(";", 1)[0] for line in event}
        for prop in REQUIRED_EVENT:
            if prop not in names:
                problems.append(f"VEVENT without {prop}: {event[:2]}")
        uid = next(line for line in event if line.startswith("UID:"))
        if uid in uids:
            problems.append(f"duplicate {uid}")
        uids.add(uid)
        if not any(line.startswith("DTSTART;VALUE=DATE:") for line in event):
            problems.append(f"{uid}: DTSTART is not a DATE")
        if "TRANSP:TRANSPARENT" not in event:
            problems.append(f"{uid}: not TRANSPARENT")
    for alarm in components(lines, "VALARM"):
        names = {line.split(":", 1)[0].split(";", 1)[0] for line in alarm}
        if not {"ACTION", "TRIGGER", "DESCRIPTION"} <= names:
            problems.append(f"VALARM incomplete: {alarm}")
    tzids = {
        part.split("=", 1)[1].split(":")[0]
        for line in lines
        for part in line.split(";")[1:]
        if part.startswith("TZID=")
    }
    defined = {line[5:] for line in lines if line.startswith("TZID:")}
    for tzid in tzids - defined:
        problems.append(f"TZID {tzid} used without a VTIMEZONE")
    return problems


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def components(lines: list[str], name: str) -> list[list[str]]:
    found, current = [], None
    for line in lines:
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}":
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def _utc(value: dt.datetime) -> dt.datetime:
    assert value.tzinfo is not None, "alarm trigger must be absolute and zoned"
    return value.astimezone(dt.UTC)


def parse_ical(data: bytes) -> list[Ev]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return [
        Ev(
            e.uid,
            e.dtstart,
            e.dtend,
            e.summary,
            e.description,
            e.sequence,
            tuple(sorted(_utc(a.trigger) for a in e.alarm)),
        )
        for e in calendar.events
    ]


def parse_vobject(data: bytes) -> list[Ev]:
    calendar = vobject.readOne(data.decode("utf-8"))
    out = []
    for e in getattr(calendar, "vevent_list", []):
        alarms = getattr(e, "valarm_list", [])
        out.append(
            Ev(
                e.uid.value,
                e.dtstart.value,
                e.dtend.value,
                e.summary.value,
                e.description.value,
                int(e.sequence.value),
                tuple(sorted(_utc(a.trigger.value) for a in alarms)),
            )
        )
    return out


def parse_icalendar(data: bytes) -> list[Ev]:
    calendar = icalendar.Calendar.from_ical(data)
    out = []
    for e in calendar.walk("VEVENT"):
        alarms = [a.get("TRIGGER").dt for a in e.walk("VALARM")]
        out.append(
            Ev(
                str(e["UID"]),
                e.decoded("DTSTART"),
                e.decoded("DTEND"),
                str(e["SUMMARY"]),
                str(e["DESCRIPTION"]),
                int(e["SEQUENCE"]),
                tuple(sorted(_utc(a) for a in alarms)),
            )
        )
    return out


PARSERS = {"ical": parse_ical, "vobject": parse_vobject, "icalendar": parse_icalendar}


def parse_all(data: bytes) -> list[Ev]:
    """The events as every parser reads them; fails unless all parsers agree."""
    results = {name: parse(data) for name, parse in PARSERS.items()}
    first = results["ical"]
    for name, events in results.items():
        assert events == first, f"{name} reads the feed differently from ical"
    return first
