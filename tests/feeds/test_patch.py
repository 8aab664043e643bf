"""A rebuild that patches the changed duties' events in place writes exactly what the whole
rebuild writes, from the same previous build, byte for byte: feeds, index, manifest and the
record of where each duty's events are. And it is taken only where it can vouch for that.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import NOTICE  # the same notice, entered

from disclosure_calendar import feeds
from disclosure_calendar.core import files as files_module
from disclosure_calendar.feeds import patch as patch_module
from disclosure_calendar.feeds.blocks import BLOCKS, load_blocks
from disclosure_calendar.feeds.manifest import INPUTS
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
START, END = dt.date(2026, 1, 1), dt.date(2027, 12, 31)


def build(path: Path, out: Path, now: dt.datetime, *, patch: bool = True) -> feeds.BuildResult:
    schedule = load_schedule(path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    return feeds.build_feeds(schedule, cal, START, END, out, now=now, workers=1, patch=patch)


def written(out: Path) -> dict[str, bytes]:
    """Every file a build publishes; of .inputs.json, what does not name a file's mtime."""
    found = {}
    for path in sorted(out.iterdir()):
        if path.name in (".current", ".generations"):
            continue
        data = path.read_bytes()
        if path.name == INPUTS:
            inputs = json.loads(data)
            for entry in inputs["feeds"].values():
                entry[2] = 0  # mtime
            inputs["manifest"][1] = 0
            inputs["build"] = None
            data = json.dumps(inputs, sort_keys=True).encode()
        found[path.name] = data
    return found


def built_twice(tmp_path: Path, text: str) -> tuple[Path, Path, Path]:
    """``text`` as schedule.yaml, built into out/, and whole/ a copy of that build: two
    folders for the same rebuild, patched in one and whole in the other."""
    schedule, out, whole = tmp_path / "schedule.yaml", tmp_path / "out", tmp_path / "whole"
    schedule.write_text(text, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(whole, ignore_errors=True)
    build(schedule, out, NOW)
    shutil.copytree(out, whole, symlinks=True)
    return schedule, out, whole


def patched_and_whole(
    tmp_path: Path, text: str, changed: str
) -> tuple[feeds.BuildResult, feeds.BuildResult, Path, Path]:
    """The same previous build rebuilt after the change: patched (if it can be) and whole."""
    schedule, out, whole = built_twice(tmp_path, text)
    schedule.write_text(changed, encoding="utf-8")
    patched = build(schedule, out, LATER)
    full = build(schedule, whole, LATER, patch=False)
    assert full.unpatched == "asked"
    return patched, full, out, whole


# (old, new): text replacements on the bundled schedule.yaml; None: patched, else why not.
BUNDLED = {
    # A standing duty of every unit: its title is in each unit's self-check (64 duties, two
    # thirds of the events).
    "title": ("title: 已废止和失效文件清单及标注", "title: 已废止和失效文件清单及其标注", "many"),
    "title-one": ("title: 全市一般公共预算收支完成情况\n", "title: 全市一般公共预算收支执行情况\n", None),
    "cadence": (
        "cadence: monthly\n    basis: 按月\n    due: {rule: workdays_after_period, n: 10}",
        "cadence: quarterly\n    basis: 按月\n    due: {rule: workdays_after_period, n: 10}",
        None,
    ),
    "duty-units": ("    units: [departments, towns]\n    cadence: event", "    units: [towns]\n    cadence: event", None),
    "event": (
        "    events: []   # the coordinator records dates here",
        "    events: [{date: 2026-11-02, note: 某文件}]   # the coordinator records dates here",
        None,
    ),
    "group": ("members: [torch_zone, cuiheng, shiqi,", "members: [torch_zone, shiqi,", None),
    "unit-name": ("name: 市编委办}", "name: 市机构编制委员会办公室}", None),
    "unit-added": ("\ngroups:\n", "\n  - {id: new_office, name: 新设单位, kind: department}\ngroups:\n", "units"),
    "notice": ("\nunits:\n", "\n" + NOTICE, "common"),
}  # fmt: skip


@pytest.mark.parametrize("change", list(BUNDLED))
def test_bundled_change_patched_as_the_whole_rebuild_writes(tmp_path: Path, change: str) -> None:
    old, new, why = BUNDLED[change]
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    assert old in text, change
    patched, full, out, whole = patched_and_whole(tmp_path, text, text.replace(old, new, 1))
    assert patched.unpatched == (why or "")
    assert written(out) == written(whole)
    assert patched.changes == full.changes and patched.feeds == full.feeds
    assert patched.provisional_years == full.provisional_years
    assert set(patched.written) == set(full.written)
    summary = feeds.summary_text(patched)
    if why is None:
        assert "feeds rendered whole" not in summary
        assert patched.encoded is not None and patched.encoded[0] < full.encoded[1]  # type: ignore[index]
    else:
        assert f"feeds rendered whole: {feeds.summary.full_reasons()[why]}" in summary


UNITS = [f"u{i}" for i in range(6)]
CADENCES = {
    "monthly": "{rule: workdays_after_period, n: 5}",
    "quarterly": "{rule: workdays_after_period, n: 10}",
    "yearly": "{rule: fixed_day, month: 3, day: 31, roll: preceding}",
}


# Duties no edit touches, one unit's each: the random edits below are a few of many, as in
# a real plan (most of the events changed would take the whole build).
FILLERS = [(f"f{n:02d}", "常规事项", "monthly", (UNITS[n % len(UNITS)],)) for n in range(12)]


def small_plan(
    duties: list[tuple[str, str, str, tuple[str, ...]]],
    members: tuple[str, ...] = ("u0", "u1", "u2"),
) -> str:
    """A plan of the FILLERS and ``duties`` (id, title, cadence, units)."""
    lines = [
        "version: 1",
        "plan: {title: 测试方案, issuer: 市政府办公室, issued: 2025-01-01,",
        "       timezone: Asia/Shanghai, source: test, uid_domain: test.example}",
        "defaults: {reminders: [1], remind_at: '09:00'}",
        "units:",
        *(f"  - {{id: {u}, name: 单位{u}}}" for u in UNITS),
        "groups:",
        f"  - {{id: half, name: 一半, members: [{', '.join(members)}]}}",
        "duties:",
    ]
    for duty, title, cadence, units in [*FILLERS, *duties]:
        section, item = (2, int(duty[1:]) + 1) if duty.startswith("f") else (1, int(duty[1:]))
        lines += [
            f"  - {{id: {duty}, ref: '{section}.{item}', title: {title}, text: 按期公开。,",
            f"     units: [{', '.join(units)}], cadence: {cadence}, basis: 按期,",
            f"     due: {CADENCES[cadence]}}}",
        ]
    return "\n".join(lines) + "\n"


DUTY = st.tuples(
    st.sampled_from(["事项甲", "事项乙", "事项丙"]),
    st.sampled_from(sorted(CADENCES)),
    st.lists(st.sampled_from([*UNITS, "half"]), min_size=1, max_size=3, unique=True).map(tuple),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(DUTY, min_size=1, max_size=6), st.data())
def test_any_few_duty_edits_patch_as_the_whole_rebuild_writes(tmp_path: Path, duties, data) -> None:  # type: ignore[no-untyped-def]
    """Titles, cadences and units edited, duties added and removed, a group's members
    changed, at random: the output is the whole rebuild's, byte for byte."""
    before = {f"d{n + 1:02d}": duty for n, duty in enumerate(duties)}
    edited, members, added = dict(before), ("u0", "u1", "u2"), 50
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["edit", "add", "remove", "members"]))
        if action == "members":
            members = tuple(data.draw(st.lists(st.sampled_from(UNITS), min_size=1, unique=True)))
        elif action == "add" or not edited:
            edited[f"d{added}"], added = data.draw(DUTY), added + 1
        elif action == "remove" and len(edited) > 1:
            del edited[data.draw(st.sampled_from(sorted(edited)))]
        else:
            edited[data.draw(st.sampled_from(sorted(edited)))] = data.draw(DUTY)
    plan = small_plan([(d, *v) for d, v in before.items()])
    changed = small_plan([(d, *v) for d, v in edited.items()], members)
    patched, full, out, whole = patched_and_whole(tmp_path, plan, changed)
    # A group's members changed may reach most duties: then most events changed.
    assert patched.unpatched == "" or (
        patched.unpatched == "many" and members != ("u0", "u1", "u2")
    )
    assert written(out) == written(whole)
    assert patched.changes == full.changes and patched.feeds == full.feeds


def test_an_out_folder_without_the_record_is_rendered_whole_once(tmp_path: Path) -> None:
    """A folder built before this record existed (or with it deleted): the whole rebuild,
    which writes the record, then patches."""
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, _why = BUNDLED["title-one"]
    schedule, out = tmp_path / "schedule.yaml", tmp_path / "out"
    schedule.write_text(text, encoding="utf-8")
    build(schedule, out, NOW)
    (out / ".current" / BLOCKS).unlink()
    schedule.write_text(text.replace(old, new, 1), encoding="utf-8")
    first = build(schedule, out, LATER)
    assert first.unpatched == "record"
    assert "feeds rendered whole: the previous build left no record" in feeds.summary_text(first)
    assert load_blocks(out) is not None
    schedule.write_text(text, encoding="utf-8")
    assert build(schedule, out, LATER).unpatched == ""


def test_a_feed_or_manifest_not_as_written_is_not_patched(tmp_path: Path) -> None:
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, _why = BUNDLED["title-one"]
    schedule, out = tmp_path / "schedule.yaml", tmp_path / "out"
    schedule.write_text(text, encoding="utf-8")
    build(schedule, out, NOW)
    manifest = out / ".current" / feeds.MANIFEST
    manifest.write_bytes(manifest.read_bytes())  # same bytes, another file: not vouched for
    schedule.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert build(schedule, out, LATER).unpatched == "feeds"
    feed = out / ".current" / "finance.ics"
    feed.write_bytes(feed.read_bytes().replace(b"SUMMARY:", b"SUMMARY:X", 1))
    schedule.write_text(text, encoding="utf-8")
    assert build(schedule, out, LATER).unpatched == "feeds"


def test_a_patch_that_fails_half_way_leaves_the_previous_build_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, _why = BUNDLED["duty-units"]
    schedule, out, whole = built_twice(tmp_path, text)
    before = written(out)
    calls: list[Path] = []
    real = files_module.write_spliced

    def failing(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(patch_module, "write_spliced", failing)
    schedule.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        build(schedule, out, LATER)
    assert len(calls) == 3
    assert written(out) == before  # every published file as the previous build wrote it
    monkeypatch.setattr(patch_module, "write_spliced", real)
    assert build(schedule, out, LATER).unpatched == ""
    build(schedule, whole, LATER, patch=False)
    assert written(out) == written(whole)


def test_a_record_that_does_not_fit_its_feed_is_not_trusted(tmp_path: Path) -> None:
    """Offsets that cut an event (a bug, an edit by hand) make a whole rebuild, not a feed
    spliced mid-event."""
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    old, new, _why = BUNDLED["cadence"]
    schedule, out, whole = built_twice(tmp_path, text)
    record = out / ".current" / BLOCKS
    data = json.loads(record.read_bytes())
    _size, names, offsets = data["feeds"]["all.ics"]
    assert len(names) > 20
    for at in range(1, len(offsets) - 1):
        offsets[at] += 7  # every duty's events but the first start 7 bytes later than they do
    record.write_bytes(json.dumps(data).encode())
    schedule.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert build(schedule, out, LATER).unpatched == "feeds"
    build(schedule, whole, LATER, patch=False)
    assert written(out) == written(whole)


def test_kill_9_during_patched_rebuilds_leaves_one_build_published(tmp_path: Path) -> None:
    """One duty for 300 units, its title edited back and forth: each rebuild patches 301
    feeds; killed at random moments, the names lead to the feeds of one build."""
    import random
    import signal
    import subprocess
    import sys
    import time

    from bigplan import write_big_plan

    schedule, _contacts = write_big_plan(tmp_path, 300, 2525)
    out = tmp_path / "out"
    others = "".join(
        f"  - {{id: other{n}, ref: '2.{n}', title: 其他事项, text: 按月公开。, units: [all],\n"
        "     cadence: monthly, basis: 按月, due: {rule: workdays_after_period, n: 7}}\n"
        for n in range(1, 4)
    )  # (one duty of four changes: a patch, not most of the events)
    plain = schedule.read_text(encoding="utf-8") + others
    schedule.write_text(plain, encoding="utf-8")
    edited = plain.replace("title: 事项,", "title: 事项乙,")
    assert edited != plain

    def run() -> subprocess.Popen[bytes]:
        args = [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule), "build", "-o", str(out)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DISCLOSURE_CALENDAR_LANG": "en"}
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    assert run().wait() == 0
    schedule.write_text(edited, "utf-8")
    started = time.monotonic()
    first = run()
    assert first.wait() == 0
    took = time.monotonic() - started
    assert first.stdout is not None and b"rendered whole" not in first.stdout.read()
    rng, kills = random.Random(30), 0
    for n in range(10):
        schedule.write_text(plain if n % 2 == 0 else edited, "utf-8")
        process = run()
        time.sleep(rng.uniform(0.1, 1.0) * took)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        feeds = sorted(out.glob("*.ics"))
        assert len(feeds) == 301
        seen = {"事项乙" in f.read_text(encoding="utf-8") for f in feeds}
        assert len(seen) == 1, f"kill {n}: feeds of two builds"
    assert kills >= 3
    assert run().wait() == 0
    assert all("事项乙" in f.read_text(encoding="utf-8") for f in out.glob("*.ics"))
    assert sorted(p.name for p in out.rglob("*.tmp")) == []


def test_patches_one_after_another_stay_the_whole_rebuilds(tmp_path: Path) -> None:
    """Each patch writes the record the next one reads: a chain of patched rebuilds gives,
    at every step, what the same chain of whole rebuilds gives."""
    text = (ROOT / "schedule.yaml").read_text(encoding="utf-8")
    steps = ["title-one", "cadence", "event", "group", "duty-units"]
    schedule, out, whole = built_twice(tmp_path, text)
    for n, step in enumerate([*steps, *reversed(steps)]):
        old, new, _why = BUNDLED[step]
        text = text.replace(old, new, 1) if n < len(steps) else text.replace(new, old, 1)
        schedule.write_text(text, encoding="utf-8")
        now = LATER + dt.timedelta(hours=n)
        patched = build(schedule, out, now)
        assert patched.unpatched == "", (step, patched.unpatched)
        build(schedule, whole, now, patch=False)
        assert written(out) == written(whole), step
    assert text == (ROOT / "schedule.yaml").read_text(encoding="utf-8")
