"""A rebuild after a change writes what a fresh build of the changed input writes.

For a sample of the changes users make (a title, a cadence, a duty's units, a group's members,
a new notice, an event date, a law's title, a unit's name), on the bundled schedule and on a
small synthetic province: the folder rebuilt from the previous build equals a fresh build
into an empty folder, but for the version lines (SEQUENCE, LAST-MODIFIED, DTSTAMP), which
remember the history. A feed the rebuild wrongly kept (its inputs' fingerprint missing what
changed) shows here as a difference.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from bigplan import write_big_plan

from disclosure_calendar import feeds
from disclosure_calendar.feeds import encoding
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
START, END = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
_VERSION = re.compile(rb"(DTSTAMP|LAST-MODIFIED|SEQUENCE):[^\r]*\r\n")

NOTICE = """calendar:
  notices:
    - year: 2027
      title: 国务院办公厅关于2027年部分节假日安排的通知(测试)
      published: 2026-11-12
      days_off:
        - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
        - {name: 春节, from: 2027-02-05, to: 2027-02-13}
      workdays: [2027-02-14, 2027-02-20]
units:
"""

# (old, new, count): text replacements on the bundled schedule.yaml.
BUNDLED = {
    "title": ("title: 已废止和失效文件清单及标注", "title: 已废止和失效文件清单及其标注", 1),
    "cadence": (
        "cadence: monthly\n    basis: 按月\n    due: {rule: workdays_after_period, n: 10}",
        "cadence: quarterly\n    basis: 按月\n    due: {rule: workdays_after_period, n: 10}",
        1,
    ),
    "units": ("    units: [departments, towns]\n    cadence: event", "    units: [towns]\n    cadence: event", 1),
    "group": ("members: [torch_zone, cuiheng, shiqi,", "members: [torch_zone, shiqi,", 1),
    "notice": ("\nunits:\n", "\n" + NOTICE, 1),
    "event": (
        "    events: []   # the coordinator records dates here",
        "    events: [{date: 2026-11-02, note: 某文件}]   # the coordinator records dates here",
        1,
    ),
    "law": ("title: 中华人民共和国政府信息公开条例\n", "title: 中华人民共和国政府信息公开条例（修订）\n", 1),
    # Named in the events of the towns' feeds too (power-list-adjustment: 牵头单位).
    "unit-name": ("name: 市编委办}", "name: 市机构编制委员会办公室}", 1),
}  # fmt: skip


def build(path: Path, out: Path, now: dt.datetime) -> feeds.BuildResult:
    schedule = load_schedule(path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return feeds.build_feeds(schedule, cal, START, END, out, now=now, workers=1)


def published(out: Path) -> dict[str, bytes]:
    """The feeds and index as a subscriber reads them, lines unfolded, versions left out."""
    found = {}
    for path in sorted(out.iterdir()):
        if path.name.endswith(".ics") or path.name == "index.html":
            found[path.name] = _VERSION.sub(b"", path.read_bytes().replace(b"\r\n ", b""))
    return found


def rebuilt_equals_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, changed: str, spliced: bool
) -> str:
    """``spliced``: the rebuild encodes fewer events than the fresh build (it takes those of
    unchanged duties from the feeds as they are; self-checks, made of several duties, are
    encoded again); else it encodes them all again."""
    encoded: list[int] = []
    real_encode = encoding.encode

    def counting(writer, occurrences, *args):  # type: ignore[no-untyped-def]
        encoded.append(len(occurrences))
        return real_encode(writer, occurrences, *args)

    monkeypatch.setattr(encoding, "encode", counting)
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build(schedule, out, NOW)
    before = published(out)
    schedule.write_text(changed, encoding="utf-8")
    encoded.clear()
    summary = feeds.summary_text(build(schedule, out, LATER))
    rebuilt_encoded = sum(encoded)
    encoded.clear()
    fresh = tmp_path / "fresh"
    build(schedule, fresh, LATER)
    rebuilt, expected = published(out), published(fresh)
    assert rebuilt.keys() == expected.keys()
    assert [f for f in expected if rebuilt[f] != expected[f]] == []
    assert rebuilt != before  # the change reached the feeds
    assert (rebuilt_encoded < sum(encoded)) == spliced, (rebuilt_encoded, sum(encoded))
    # The summary says which way the rebuild went: how many it encoded, or why all.
    taken = f"{rebuilt_encoded} of {sum(encoded)} events encoded again; the others taken as written"
    assert (taken in summary.splitlines()) != ("every event encoded again" in summary), summary
    return summary


# Changes of what every event depends on (the working days, a plan) encode everything again.
EVERY_EVENT = {"notice", "law"}


@pytest.mark.parametrize("change", list(BUNDLED))
def test_bundled_schedule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    old, new, count = BUNDLED[change]
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    assert text.count(old) >= count, change
    changed = text.replace(old, new, count)
    summary = rebuilt_equals_fresh(tmp_path, monkeypatch, text, changed, change not in EVERY_EVENT)
    if change in EVERY_EVENT:
        assert "every event encoded again: what every event depends on changed" in summary


@pytest.mark.parametrize("change", ["title", "group", "unit-name", "cadence"])
def test_synthetic_province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    schedule, _contacts = write_big_plan(tmp_path, 40, 2525)
    text = schedule.read_text(encoding="utf-8")
    old, new = {
        "title": ("title: 事项", "title: 事项（修改）"),
        "group": ("members: [u00000, u00001,", "members: [u00001,"),
        "unit-name": ("name: 单位u00007}", "name: 第七单位}"),
        "cadence": ("cadence: monthly, basis: 按月", "cadence: quarterly, basis: 按季"),
    }[change]
    assert old in text
    # One duty for every unit: a change of it is a change of every event; a group's members
    # or a unit's name (its feed's title) change no event's text.
    spliced = change in ("group", "unit-name")
    rebuilt_equals_fresh(tmp_path, monkeypatch, text, text.replace(old, new, 1), spliced)


def test_a_feed_edited_by_hand_is_encoded_whole(tmp_path: Path) -> None:
    """Events are taken from a feed only as the previous build wrote it."""
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, count = BUNDLED["title"]
    schedule, out, fresh = tmp_path / "schedule.yaml", tmp_path / "out", tmp_path / "fresh"
    schedule.write_text(text, encoding="utf-8")
    build(schedule, out, NOW)
    feed = out / "finance.ics"
    edited = feed.read_bytes().replace(b"SUMMARY:", b"SUMMARY:X", 1)
    feed.unlink()  # a symlink into the current generation
    feed.write_bytes(edited)
    schedule.write_text(text.replace(old, new, count), encoding="utf-8")
    summary = feeds.summary_text(build(schedule, out, LATER))
    assert "every event encoded again: a feed to write again is not as the previous" in summary
    build(schedule, fresh, LATER)
    assert published(out) == published(fresh)


def test_events_found_by_the_manifest_are_the_events_read_apart(tmp_path: Path) -> None:
    """A rebuild finds a feed's events by its manifest part (event_slices); each found event
    is the one event_blocks reads from the text, and a file laid out otherwise is read apart."""
    from disclosure_calendar.feeds.manifest import load_manifest
    from disclosure_calendar.feeds.written_events import event_blocks, event_slices

    out = tmp_path / "out"
    build(ROOT / "schedule.yaml", out, NOW)
    manifest = load_manifest(out)
    for name in ("all.ics", "finance.ics"):
        data = (out / name).read_bytes()
        uids = list(manifest[name])
        found = event_slices(data, uids)
        assert found is not None and len(found) > 10
        assert {uid: bytes(view) for uid, view in found.items()} == event_blocks(data)
        assert event_slices(data, uids[::-1]) is None  # not in the feed's order
        assert event_slices(data, uids[:-1]) is None  # an event the manifest lacks
        first = uids[0].encode()
        folded = data.replace(b"UID:" + first + b"\r\n", b"UID:" + first[:5] + b"\r\n " + first[5:] + b"\r\n", 1)  # fmt: skip
        refolded = event_slices(folded, uids)  # a long UID is folded so: still found
        assert refolded is not None
        assert {uid: bytes(view) for uid, view in refolded.items()} == event_blocks(folded)
        assert b"\r\n " + first[5:] in bytes(refolded[uids[0]])
        assert event_slices(folded.replace(b"UID:" + first[:5], b"UIX:" + first[:5]), uids) is None
        cut = data.replace(b"END:VEVENT\r\n", b"", 1)
        assert event_slices(cut, uids) is None


@pytest.mark.parametrize(("change", "duty"), [("title", "repealed-files-marking"), ("cadence", "budget-execution")])  # fmt: skip
def test_exactly_the_changed_duty_and_its_self_checks_are_encoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, duty: str
) -> None:
    """A rebuild after one duty's edit encodes its events and those of the self-checks that
    cover it, and takes every other event as written: none more (the splice's check of what
    the old feeds hold is not too cautious), none fewer (the output test covers that)."""
    from disclosure_calendar.occurrences.expansion import expand

    encoded: list[int] = []
    real_encode = encoding.encode

    def counting(writer, occurrences, *args):  # type: ignore[no-untyped-def]
        encoded.append(len(occurrences))
        return real_encode(writer, occurrences, *args)

    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, count = BUNDLED[change]
    schedule, out = tmp_path / "schedule.yaml", tmp_path / "out"
    schedule.write_text(text, encoding="utf-8")
    build(schedule, out, NOW)
    schedule.write_text(text.replace(old, new, count), encoding="utf-8")
    monkeypatch.setattr(encoding, "encode", counting)
    build(schedule, out, LATER)
    plan = load_schedule(schedule)
    cal = ChinaCalendar(notices=plan.notices, local_days_off=plan.local_days_off)
    reached = [
        occ
        for occ in expand(plan, cal, START, END)
        if occ.duty.id == duty or (occ.duty.is_self_check and duty in occ.duty.checks)
    ]
    assert reached and sum(encoded) == len(reached)
