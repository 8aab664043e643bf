"""The bundled schedule's 2026 feeds: every unit's calendar shows its work (issue 10)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
import vobject
from click.testing import CliRunner
from dateutil.rrule import rruleset, rrulestr
from ical.calendar_stream import IcsCalendarStream
from icscheck import lint, parse_all

from cli import main
from disclosure_calendar import feeds
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "schedule.yaml"
NOW = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 2, 1, 1, 0, tzinfo=dt.UTC)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
MONITORING = "website-daily-monitoring.2026.government_office@disclosure.zs.example"


@pytest.fixture(scope="module")
def schedule():
    return load_schedule(BUNDLED)


@pytest.fixture(scope="module")
def cal(schedule):
    return ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)


@pytest.fixture(scope="module")
def built(tmp_path_factory, schedule, cal) -> Path:
    out = tmp_path_factory.mktemp("out2026")
    feeds.build_feeds(schedule, cal, *YEAR, out, now=NOW)
    return out


def test_every_unit_feed_has_events(built, schedule):
    empty = []
    for unit in schedule.units:
        if b"BEGIN:VEVENT" not in (built / f"{unit.id}.ics").read_bytes():
            empty.append(unit.id)
    assert empty == []
    assert len(schedule.units) == 66


def test_every_town_has_its_quarterly_self_checks(built, schedule):
    towns = [u for u in schedule.units if u.kind == "town"]
    assert len(towns) == 25
    for town in towns:
        uids = {e.uid for e in parse_all((built / f"{town.id}.ics").read_bytes())}
        wanted = {
            f"self-check-{town.id}.2026-Q{q}.{town.id}@disclosure.zs.example" for q in range(1, 5)
        }
        assert wanted <= uids, town.id


def test_self_check_lists_each_standing_duty_with_ref_and_text(built, schedule):
    (ev,) = [
        e
        for e in parse_all((built / "shiqi.ics").read_bytes())
        if e.uid.startswith("self-check-shiqi.2026-Q1.")
    ]
    standing = [
        d for d in schedule.duties if d.cadence == "ongoing" and "shiqi" in schedule.unit_ids_of(d)
    ]
    assert len(standing) == 7  # 19.1 (建立；加快制定) is a one-off task since issue 26
    for duty in standing:
        assert f"{duty.ref} {duty.title}：{duty.text}" in ev.description
    assert ev.summary == "常态化任务自查（2026年第1季度）"
    assert "推定说明：" in ev.description


def test_every_feed_lints_and_the_three_parsers_agree(built):
    for path in sorted(built.glob("*.ics")):
        data = path.read_bytes()
        assert lint(data) == [], path.name
        assert parse_all(data), path.name


def test_rebuild_is_byte_identical(built, schedule, cal, tmp_path):
    before = {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()}
    result = feeds.build_feeds(schedule, cal, *YEAR, built, now=LATER)
    assert result.written == ()
    assert {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()} == before


def _working_days(cal: ChinaCalendar) -> list[dt.date]:
    day, out = YEAR[0], []
    while day <= YEAR[1]:
        if cal.is_working_day(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _dates(values) -> list[dt.date]:
    return sorted(v.date() if isinstance(v, dt.datetime) else v for v in values)


def _expand_vobject(data: bytes) -> list[dt.date]:
    calendar = vobject.readOne(data.decode("utf-8"))
    (event,) = [e for e in calendar.vevent_list if e.uid.value == MONITORING]
    return _dates(event.getrruleset(addRDate=True))


def _expand_ical(data: bytes) -> list[dt.date]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return _dates(e.dtstart for e in calendar.timeline if e.uid == MONITORING)


def _expand_icalendar(data: bytes) -> list[dt.date]:
    """icalendar reads the properties; dateutil expands them as RFC 5545 says."""
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == MONITORING]
    midnight = dt.datetime.combine(event.decoded("DTSTART"), dt.time())
    rules = rruleset()
    rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=midnight))
    for prop, add in (("EXDATE", rules.exdate), ("RDATE", rules.rdate)):
        values = event.get(prop)
        for value in values if isinstance(values, list) else [values] if values else []:
            for day in value.dts:
                add(dt.datetime.combine(day.dt, dt.time()))
    return _dates(rules)


@pytest.mark.parametrize("expand", [_expand_vobject, _expand_ical, _expand_icalendar])
def test_daily_monitoring_is_one_event_expanding_to_the_working_days(built, cal, expand):
    data = (built / "government_office.ics").read_bytes()
    uids = [e.uid for e in parse_all(data) if e.uid.startswith("website-daily-monitoring.")]
    assert uids == [MONITORING]
    days = expand(data)
    assert days == _working_days(cal)
    # 2026: 元旦 1月1-3日 off and 1月4日(Sun) worked; 国庆 10月1-7日 off.
    assert dt.date(2026, 1, 4) in days and dt.date(2026, 1, 2) not in days
    assert dt.date(2026, 10, 1) not in days and len(days) == 248


def test_index_agrees_with_units(built, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["-f", str(BUNDLED), "units"])
    assert result.exit_code == 0, result.output
    counted = {}
    for line in result.output.splitlines()[2:]:
        cells = line.split()
        if "group" not in line:
            counted[cells[0]] = int(cells[-1])
    page = (built / "index.html").read_text(encoding="utf-8")
    rows = re.findall(
        r'<td data-label="代码"><code>([a-z_]+)</code></td>'
        r'<td class="n" data-label="任务数">(\d+)</td><td class="n" data-label="到期事项数">(\d+)</td>',
        page,
    )
    shown = {unit: int(duties) for unit, duties, _ in rows if unit != "all"}
    assert shown == counted
    occurrences = {unit: int(n) for unit, _, n in rows}
    # 市政府办公室: its daily monitoring counts each working day, though it is one event.
    assert occurrences["government_office"] > 248
    # The four self-checks and the Regulations' annual report (49.2); 5.7, 22.1 and 26.1
    # have no events.
    assert occurrences["shiqi"] == 4 + 1 + 0
    # The plans in force in 2026: the 2017 plan (never ended) and the Regulations.
    assert "<li>《中华人民共和国政府信息公开条例》（国务院，2007年4月5日公布）</li>" in page


CJK = r"[\u4e00-\u9fff“”]"
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CJK}[,;:()]|[,;:(]{CJK}")


def test_chinese_in_the_feeds_and_index_uses_full_width_punctuation(built):
    """What a calendar app shows (titles, descriptions, alarms, calendar names) and the index
    page are written as Chinese is written: ，：；（）, not the ASCII marks."""
    found = []
    for path in [*sorted(built.glob("*.ics")), built / "index.html"]:
        text = path.read_text(encoding="utf-8").replace("\r\n ", "")
        for line in text.splitlines():
            name, _, value = line.partition(":")
            if name.startswith("CATEGORIES"):  # commas separate the categories there
                continue
            value = value.replace("\\,", ",").replace("\\;", ";")
            if HALF_WIDTH_IN_CHINESE.search(value):
                found.append(f"{path.name}: {line}")
    assert not found, "\n".join(found[:20])
