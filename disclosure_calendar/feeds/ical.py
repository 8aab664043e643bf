"""A small, fast RFC 5545 writer for the disclosure feeds.

A province-sized schedule has well over 100,000 unit-occurrences, and an icalendar ``Event``
object per occurrence is far too slow for that. Here each duty's long text is escaped,
encoded and folded once, each occurrence's body once (shared by all the units it reaches),
and a unit's event is its UID and version lines in front of that shared body.

Lines are content lines of RFC 5545 section 3.1: CRLF endings, folded at 75 octets (a fold is
CRLF plus one space), never inside a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ..core.text import has_control
from ..occurrences.expansion import Occurrence
from ..schedule import periods
from ..schedule.model import Duty, Schedule
from ..schedule.periods import CADENCE_NAMES, Period
from ..schedule.rules import ByDate, describe_for, version_key
from .series import SERIES, Series

PRODID = "-//disclosure-calendar//NONSGML disclosure-calendar//ZH"
REFRESH = "PT12H"
CRLF = b"\r\n"
END_EVENT = b"END:VEVENT\r\n"
_MAX_OCTETS = 75
BEGIN_UID = b"BEGIN:VEVENT\r\nUID:"
# BEGIN and a UID line short enough to need no folding (75 octets and CRLF).
LONGEST_HEAD = len(b"BEGIN:VEVENT\r\n") + _MAX_OCTETS + 2
_ONE_DAY = dt.timedelta(days=1)
_UTC = dt.UTC


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped.

    Control characters are cleaned where people's text enters (core/text.py) and refused by
    the schedule's loader; one reaching here is a bug, not something to write into a feed.
    """
    assert not has_control(text), f"control character in feed text: {text!r}"
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line as UTF-8 bytes with CRLF, folded at 75 octets between characters."""
    data = line.encode()
    if len(data) <= _MAX_OCTETS:
        return data + CRLF
    parts = []
    start, limit = 0, _MAX_OCTETS
    while len(data) - start > limit:
        end = start + limit
        # Back up to the first byte of a character: continuation bytes are 10xxxxxx.
        while data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end])
        start, limit = end, _MAX_OCTETS - 1  # the leading space of a continuation line counts
    parts.append(data[start:])
    return b"\r\n ".join(parts) + CRLF


def utc_stamp(moment: dt.datetime) -> str:
    """A UTC DATE-TIME value; naive datetimes are refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return moment.astimezone(_UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _offset(delta: dt.timedelta | None) -> str:
    minutes = int((delta or dt.timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE for a zone without daylight saving in the years covered, else nothing.

    The feeds use no TZID (all-day dates, UTC alarm triggers), so the component is a courtesy
    for clients that read X-WR-TIMEZONE; a zone with DST in range is left out rather than
    described wrongly.
    """
    zone = ZoneInfo(tzid)
    probes = [
        dt.datetime(year, month, 1, 12, tzinfo=zone)
        for year in range(first_year, last_year + 1)
        for month in (1, 4, 7, 10)
    ]
    offsets = {p.utcoffset() for p in probes}
    if len(offsets) != 1 or any(p.dst() for p in probes):
        return b""
    offset = _offset(offsets.pop())
    name = probes[0].tzname() or tzid
    lines = [
        "BEGIN:VTIMEZONE",
        f"TZID:{tzid}",
        f"X-LIC-LOCATION:{tzid}",
        "BEGIN:STANDARD",
        f"TZOFFSETFROM:{offset}",
        f"TZOFFSETTO:{offset}",
        f"TZNAME:{escape(name)}",
        "DTSTART:19700101T000000",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    return b"".join(fold(line) for line in lines)


def summary(occ: Occurrence, assignee_name: str | None = None) -> str:
    """The event title: who (in the all-units feed), the duty, its period, and 暂定 if so."""
    what = occ.duty.title + _when(occ.period)
    if occ.provisional:
        what = f"［暂定］{what}"
    return f"【{assignee_name}】{what}" if assignee_name else what


def _when(period: Period) -> str:
    """The period as the title names it, after the duty."""
    if period.kind == SERIES:
        return f"（{period.label}年每个工作日）"
    if period.kind != "once":
        return f"（{periods.describe(period)}）"
    return ""


def summary_line(escaped_title: str, assignee_name: str | None = None) -> bytes:
    """The SUMMARY content line; the all-units feed names the assignee in front."""
    return fold(_summary_start(assignee_name) + escaped_title)


def _summary_start(assignee_name: str | None) -> str:
    return f"SUMMARY:【{escape(assignee_name)}】" if assignee_name else "SUMMARY:"


class EventParts(NamedTuple):
    """An event after its UID and version lines, in the order written (END:VEVENT follows)."""

    dates: bytes  # DTSTART and DTEND
    title: str  # the escaped SUMMARY text, without the assignee
    description: bytes  # the DESCRIPTION line, one object shared by a duty's occurrences
    tail: bytes  # CATEGORIES, TRANSP and STATUS, one object per duty (and provisional flag)
    end: bytes  # the alarms and END:VEVENT, one object per due date and set of reminder days


class EventWriter:
    """Encodes the events of one schedule; caches everything that does not vary per unit."""

    def __init__(self, schedule: Schedule, years: tuple[int, int]):
        self.schedule = schedule
        self.zone = ZoneInfo(schedule.plan.timezone)
        self._vtimezone = vtimezone(schedule.plan.timezone, *years)
        self.remind_at = schedule.defaults.remind_at
        self._descriptions: dict[tuple[str, bool, str, dt.date | None], bytes] = {}
        self._categories: dict[str, bytes] = {}
        self._stamps: dict[tuple[int, str], bytes] = {}
        self._date_lines: dict[dt.date, bytes] = {}
        self._trigger_lines: dict[dt.date, bytes] = {}
        self._tails: dict[tuple[str, bool], bytes] = {}
        self._ends: dict[tuple[dt.date, tuple[dt.date, ...]], bytes] = {}
        self._summary_starts: dict[tuple[str, ...], str] = {}
        self._whats: dict[str, str] = {}
        self._whens: dict[tuple[str, dt.date, str], str] = {}

    def calendar_pieces(
        self, name: str, events: Iterable[bytes | memoryview], description: str | None = None
    ) -> list[bytes | memoryview]:
        """A VCALENDAR around already-encoded VEVENTs (whole, or in consecutive pieces), in
        pieces: a feed is written piece by piece, never as one object."""
        head = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{escape(name)}",
            f"X-WR-TIMEZONE:{self.schedule.plan.timezone}",
        ]
        if description:
            head.append(f"X-WR-CALDESC:{escape(description)}")
        head += [f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}", f"X-PUBLISHED-TTL:{REFRESH}"]
        parts: list[bytes | memoryview] = [b"".join(fold(line) for line in head), self._vtimezone]
        parts.extend(events)
        parts.append(b"END:VCALENDAR\r\n")
        return parts

    def description(self, occ: Occurrence) -> str:
        """The DESCRIPTION text of an occurrence (unescaped)."""
        duty = occ.duty
        plan = self.schedule.plan_of(duty)
        names = "、".join(self.schedule.name(u) for u in duty.units)
        lines = [
            duty.text,
            "",
            f"条目：{duty.ref}（{plan.place(duty)}）",
            f"依据文件：《{plan.title}》",
            f"频次：{CADENCE_NAMES[duty.cadence]}（方案原文：“{duty.basis}”）",
        ]
        if duty.due is not None:
            lines.append(f"截止规则：{describe_for(duty.due, occ.period)}")
        if duty.assumed or duty.assumption:
            lines.append(f"推定说明：{duty.assumption or '方案未规定具体日期，此日期为推定'}")
        lines.append(f"牵头单位：{names}")
        if duty.note:
            lines.append(f"备注：{duty.note}")
        note = _event_note(occ)
        if note is not None:
            lines.append(f"触发事件：{occ.period.start.isoformat()} {note}".rstrip())
        if occ.unit is not None:
            lines.append(f"承办单位：{self.schedule.name(occ.unit)}（本单位登记的事件）")
        if occ.first_due is not None:
            lines.append(
                f"答复期限：{occ.first_due.isoformat()}；已延长，延长后期限：{occ.due.isoformat()}"
            )
        if occ.provisional:
            lines.append(
                "注意：此日期所依据年份的国务院节假日安排尚未公布，日期为暂定，通知公布后可能调整。"
            )
        return "\n".join(lines)

    def assignee_summary_line(self, escaped_title: str, assignees: tuple[str, ...]) -> bytes:
        """``summary_line`` naming a duty's units and groups, for the all-units feed (one
        event per duty and period: 【市政府办公室、市经济和信息化局】…)."""
        start = self._summary_starts.get(assignees)
        if start is None:
            start = _summary_start("、".join(self.schedule.name(a) for a in assignees))
            self._summary_starts[assignees] = start
        return fold(start + escaped_title)

    def _description_line(self, occ: Occurrence) -> bytes:
        note = _event_note(occ)
        event = (
            "" if note is None else f"{occ.period.label} {occ.unit or ''} {occ.first_due} {note}"
        )
        key = (occ.duty.id, occ.provisional, event, version_key(occ.duty.due, occ.period))
        line = self._descriptions.get(key)
        if line is None:
            line = fold(f"DESCRIPTION:{escape(self.description(occ))}")
            self._descriptions[key] = line
        return line

    def _categories_line(self, duty: Duty) -> bytes:
        line = self._categories.get(duty.id)
        if line is None:
            words = ["政务公开", CADENCE_NAMES[duty.cadence], f"第{duty.section}部分"]
            line = fold("CATEGORIES:" + ",".join(escape(w) for w in words))
            self._categories[duty.id] = line
        return line

    def alarm_trigger(self, day: dt.date) -> dt.datetime:
        """When a reminder fires: remind_at on that working day, in the plan's zone."""
        return dt.datetime.combine(day, self.remind_at, tzinfo=self.zone)

    def dates(self, due: dt.date) -> bytes:
        """DTSTART and DTEND of an event due on ``due`` (one all-day date)."""
        lines = self._date_lines.get(due)
        if lines is None:
            lines = (
                f"DTSTART;VALUE=DATE:{_date(due)}\r\nDTEND;VALUE=DATE:{_date(due + _ONE_DAY)}\r\n"
            ).encode()
            self._date_lines[due] = lines
        return lines

    def _tail(self, duty: Duty, provisional: bool) -> bytes:
        tail = self._tails.get((duty.id, provisional))
        if tail is None:
            tail = self._categories_line(duty) + b"TRANSP:TRANSPARENT\r\n"
            if provisional:
                tail += b"STATUS:TENTATIVE\r\n"
            self._tails[duty.id, provisional] = tail
        return tail

    def end(self, due: dt.date, days: tuple[dt.date, ...]) -> bytes:
        """One VALARM per reminder day, saying when the duty falls due, and END:VEVENT.

        Not the title again: clients show the event's SUMMARY beside a reminder, and the
        title twice per alarm was a sixth of a feed's bytes.
        """
        end = self._ends.get((due, days))
        if end is None:
            start = b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n" + fold(f"DESCRIPTION:{due}到期")
            end = b"".join(start + self._trigger(day) for day in days) + END_EVENT
            self._ends[due, days] = end
        return end

    def _trigger(self, day: dt.date) -> bytes:
        lines = self._trigger_lines.get(day)
        if lines is None:
            # Absolute triggers must be UTC (RFC 5545 3.8.6.3).
            when = utc_stamp(self.alarm_trigger(day))
            lines = f"TRIGGER;VALUE=DATE-TIME:{when}\r\nEND:VALARM\r\n".encode()
            self._trigger_lines[day] = lines
        return lines

    def parts(self, occ: Occurrence) -> EventParts:
        """The body of an occurrence's event, in parts that do not depend on the assignee.

        The all-units feed reuses them and only puts the assignee in front of the summary.
        The DESCRIPTION is the same object for every occurrence of a duty, so a feed
        refers to it instead of copying a duty's long text into every event.
        """
        # The tail and the end are shared objects: an event's unique bytes are only its dates
        # and title, which matters when a province's events are sent between processes.
        dates = self.dates(occ.due)
        if isinstance(occ, Series):
            dates += recurrence(occ)
        start, description, tail = self.duty_parts(occ)
        title = start + self.when(occ.period)
        return EventParts(dates, title, description, tail, self.end(occ.due, occ.reminders))

    def duty_parts(self, occ: Occurrence) -> tuple[str, bytes, bytes]:
        """The title's start (the escaped SUMMARY text up to :meth:`when`), the DESCRIPTION
        line and the tail: the same for every occurrence of the duty with the same
        provisional flag, unless its DESCRIPTION is its own (``own_description``)."""
        return (
            self.title_start(occ.duty, occ.provisional),
            self._description_line(occ),
            self._tail(occ.duty, occ.provisional),
        )

    def title_start(self, duty: Duty, provisional: bool) -> str:
        """``escape(summary(occ))`` is this and :meth:`when`: escaping goes character by
        character, so the duty's and the period's words escape alone, each once."""
        what = self._whats.get(duty.id)
        if what is None:
            what = self._whats[duty.id] = escape(duty.title)
        return f"［暂定］{what}" if provisional else what

    def when(self, period: Period) -> str:
        """The end of an escaped title: the period, as the title names it."""
        key = (period.kind, period.start, period.label)
        when = self._whens.get(key)
        if when is None:
            when = self._whens[key] = escape(_when(period))
        return when

    def head(self, uid: str) -> bytes:
        """The start of a VEVENT: BEGIN and UID, the only lines that differ between units."""
        line = BEGIN_UID + uid.encode() + CRLF
        if len(line) > LONGEST_HEAD:
            line = b"BEGIN:VEVENT\r\n" + fold(f"UID:{uid}")
        return line

    def stamp(self, sequence: int, modified: str) -> bytes:
        """The version lines; DTSTAMP is LAST-MODIFIED so an unchanged event keeps its bytes."""
        lines = self._stamps.get((sequence, modified))
        if lines is None:
            lines = (
                f"DTSTAMP:{modified}\r\nLAST-MODIFIED:{modified}\r\nSEQUENCE:{sequence}\r\n"
            ).encode()
            self._stamps[(sequence, modified)] = lines
        return lines


def recurrence(series: Series) -> bytes:
    """RRULE on weekdays up to the last day, EXDATE for days off, RDATE for make-up days."""
    lines = [
        f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={_date(series.days[-1])}",
    ]
    exdates = series.exdates()
    if exdates:
        lines.append("EXDATE;VALUE=DATE:" + ",".join(_date(d) for d in exdates))
    rdates = series.rdates()
    if rdates:
        lines.append("RDATE;VALUE=DATE:" + ",".join(_date(d) for d in rdates))
    return b"".join(fold(line) for line in lines)


def names_event(occ: Occurrence) -> bool:
    """True if the occurrence's DESCRIPTION names its event (an event duty's date and note)."""
    return occ.period.kind == "event"


def own_description(occ: Occurrence) -> bool:
    """True if the occurrence's DESCRIPTION is not the duty's for every period: it names its
    event, or its due rule's words depend on the date (a ``by_date`` rule cites the version
    in force)."""
    return occ.period.kind == "event" or isinstance(occ.duty.due, ByDate)


def _event_note(occ: Occurrence) -> str | None:
    if not names_event(occ):
        return None
    for event in occ.duty.events:
        if event.date == occ.period.start and event.unit == occ.unit:
            return event.note or ""
    return ""
