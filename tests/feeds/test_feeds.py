"""build: feeds per unit and all.ics, pinned due dates, stable bytes, versions and changes.

Expected dates are computed by hand from the State Council holiday notices (cited where used);
the code computes them from disclosure_calendar.workdays.calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icscheck import Ev, lint, parse_all

from cli import main
from disclosure_calendar import feeds
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.feeds.blocks import BLOCKS
from disclosure_calendar.feeds.manifest import INPUTS
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.workdays import ChinaCalendar

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"
NOW = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
START, END = dt.date(2017, 1, 1), dt.date(2027, 12, 31)
SHANGHAI = ZoneInfo("Asia/Shanghai")
UNITS = ("finance", "economy_it", "development_reform", "torch_zone", "shiqi")


def run_build(
    schedule_path: Path, out: Path, now: dt.datetime = NOW, **kwargs: object
) -> feeds.BuildResult:
    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    start = kwargs.pop("start", START)
    end = kwargs.pop("end", END)
    return feeds.build_feeds(schedule, cal, start, end, out, now=now, **kwargs)  # type: ignore[arg-type]


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@functools.lru_cache(maxsize=32)
def _parsed(data: bytes) -> tuple[Ev, ...]:
    return tuple(parse_all(data))


def events(out: Path, name: str) -> dict[str, Ev]:
    """A feed's events by UID, read by all three parsers (which must agree)."""
    return {e.uid: e for e in _parsed((out / name).read_bytes())}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    run_build(MINIMAL, out)
    return out


def test_a_feed_per_unit_all_index_and_manifest(built: Path) -> None:
    names = {p.name for p in built.iterdir()}
    published = {f"{u}.ics" for u in UNITS} | {"all.ics", "index.html", feeds.MANIFEST, INPUTS}
    published.add(BLOCKS)
    # Each published name leads into the one generation the build swapped in (generations.py).
    assert names == published | {".current", ".generations"}
    assert all(os.readlink(built / n) == f".current/{n}" for n in published)


@pytest.mark.parametrize("name", [f"{u}.ics" for u in UNITS] + ["all.ics"])
def test_feed_lints_and_three_parsers_agree(built: Path, name: str) -> None:
    data = (built / name).read_bytes()
    assert lint(data) == []
    assert parse_all(data)  # every feed of the minimal schedule has events


def test_calendar_names_are_the_units_chinese_names(built: Path) -> None:
    assert (
        b"\r\nX-WR-CALNAME:\xe5\xb8\x82\xe8\xb4\xa2\xe6\x94\xbf\xe5\xb1\x80\r\n"
        in (built / "finance.ics").read_bytes()
    )  # 市财政局


def test_june_2017_budget_report(built: Path) -> None:
    # 15th working day after 2017-06-30 (Fri). July 2017 has no holiday (2017 notice,
    # 国办发明电〔2016〕14号: 端午 was 5月28-30日): Jul 3-7, 10-14, 17-21 -> 2017-07-21.
    # Reminders 3 and 1 working days before: Tue 07-18 and Thu 07-20, 09:00 Shanghai.
    ev = events(built, "finance.ics")["budget-execution.2017-06.finance@test.example"]
    assert (ev.start, ev.end) == (dt.date(2017, 7, 21), dt.date(2017, 7, 22))
    assert ev.triggers == (
        dt.datetime(2017, 7, 18, 1, tzinfo=dt.UTC),
        dt.datetime(2017, 7, 20, 1, tzinfo=dt.UTC),
    )
    assert "2017年6月" in ev.summary


def test_may_2017_is_the_first_monthly_report(built: Path) -> None:
    # The plan was issued 2017-06-09: May's period ended before it, but its report was due
    # after it (2017-06-21), so it is the plan's first.
    got = events(built, "finance.ics")
    budget = sorted(u for u in got if u.startswith("budget-execution."))
    assert budget[0] == "budget-execution.2017-05.finance@test.example"
    assert got[budget[0]].start == dt.date(2017, 6, 21)


def test_grain_price_reports_around_spring_festival_2026(built: Path) -> None:
    # Day 10 of the next month, rolled forward. 2026 notice (国办发明电〔2025〕7号):
    # 元旦 1月1-3日 off; 春节 2月15-23日 off, 2月14日(Sat) and 2月28日(Sat) worked.
    got = events(built, "development_reform.ics")
    due = {u.split(".")[1]: e.start for u, e in got.items() if u.startswith("grain-oil-prices.")}
    assert due["2025-12"] == dt.date(2026, 1, 12)  # Jan 10 is a Saturday -> Monday
    assert due["2026-01"] == dt.date(2026, 2, 10)  # Tue, before the break
    assert due["2026-02"] == dt.date(2026, 3, 10)
    jan = got["grain-oil-prices.2026-01.development_reform@test.example"]
    # 3 and 1 working days before Tue 02-10: Thu 02-05 and Mon 02-09.
    assert [t.astimezone(SHANGHAI).date() for t in jan.triggers] == [
        dt.date(2026, 2, 5),
        dt.date(2026, 2, 9),
    ]


def test_electricity_market_list_q3_2026_across_national_day(built: Path) -> None:
    # 10th working day after Wed 2026-09-30. 2026 notice: 国庆 10月1-7日 off, 10月10日(Sat)
    # worked: Oct 8, 9, 10(Sat), 12, 13, 14, 15, 16, 19, 20 -> Tue 2026-10-20.
    ev = events(built, "economy_it.ics")["electricity-market.2026-Q3.economy_it@test.example"]
    assert ev.start == dt.date(2026, 10, 20)
    assert [t.astimezone(SHANGHAI) for t in ev.triggers] == [
        dt.datetime(2026, 10, 15, 9, tzinfo=SHANGHAI),  # 3 working days before
        dt.datetime(2026, 10, 19, 9, tzinfo=SHANGHAI),  # 1 working day before
    ]


def test_preamble_30_working_days_from_2017_06_09(built: Path) -> None:
    # 30th working day after Fri 2017-06-09; no holiday or make-up day in Jun-Jul 2017:
    # Jun 12-16 (5), 19-23 (10), 26-30 (15), Jul 3-7 (20), 10-14 (25), 17-21 (30).
    for unit in UNITS:  # through the groups towns and lead_units
        ev = events(built, f"{unit}.ics")[f"concrete-measures.once.{unit}@test.example"]
        assert ev.start == dt.date(2017, 7, 21)
        assert ev.summary == "公开具体工作措施"


def test_all_feed_names_a_group_once(built: Path) -> None:
    """One event per duty and period (issue 26: a jointly led duty was repeated per lead),
    naming its groups, each once; the UID is the first assignee's."""
    got = [u for u in events(built, "all.ics") if u.startswith("concrete-measures.")]
    assert got == ["concrete-measures.once.towns@test.example"]
    ev = events(built, "all.ics")["concrete-measures.once.towns@test.example"]
    assert ev.summary.startswith("【各镇区、各牵头部门】")


def test_all_feed_has_one_event_per_duty_and_period(built: Path) -> None:
    text = (built / "all.ics").read_bytes().decode().replace("\r\n ", "")
    uids = re.findall(r"^UID:(.+)\r$", text, flags=re.M)
    keys = [u.split("@")[0].rsplit(".", 1)[0] for u in uids]  # DUTY.PERIOD
    assert len(uids) == text.count("BEGIN:VEVENT") > 0
    assert len(keys) == len(set(keys))


def test_every_due_date_and_alarm_day_is_a_working_day(built: Path) -> None:
    cal = ChinaCalendar()
    checked = 0
    for name in [f"{u}.ics" for u in UNITS] + ["all.ics"]:
        for ev in events(built, name).values():
            assert cal.is_working_day(ev.start), ev
            for trigger in ev.triggers:
                local = trigger.astimezone(SHANGHAI)
                assert local.time() == dt.time(9, 0)
                assert cal.is_working_day(local.date()), ev
                assert local.date() < ev.start
                checked += 1
    assert checked > 300


def test_each_alarm_says_when_the_duty_is_due(built: Path) -> None:
    # Read by icalendar, not by our writer: the text a client that shows it would show.
    import icalendar

    alarms = 0
    for name in ("finance.ics", "all.ics"):
        calendar = icalendar.Calendar.from_ical((built / name).read_bytes())
        for event in calendar.walk("VEVENT"):
            due = event.decoded("DTSTART")
            for alarm in event.walk("VALARM"):
                assert (alarm["ACTION"], alarm["DESCRIPTION"]) == ("DISPLAY", f"{due}到期")
                alarms += 1
    assert alarms > 100


def test_description_carries_the_plan(built: Path) -> None:
    ev = events(built, "economy_it.ics")["electricity-market.2026-Q3.economy_it@test.example"]
    for words in ("每季度公布我市进入电力市场交易资格单位名单。", "2.2", "方案原文：“每季度”",
                  "期末后第10个工作日", "季后两周内公布", "牵头单位：市经济和信息化局"):  # fmt: skip
        assert words in ev.description


def test_provisional_events_say_so(tmp_path: Path) -> None:
    # No notice for 2028 is built in: its dates rest on rules alone.
    result = run_build(MINIMAL, tmp_path, start=dt.date(2028, 1, 1), end=dt.date(2028, 12, 31))
    assert 2028 in result.provisional_years
    evs = events(tmp_path, "finance.ics").values()
    assert evs and all(e.summary.startswith("［暂定］") and "暂定" in e.description for e in evs)


def test_rebuild_is_byte_identical_and_rewrites_nothing(tmp_path: Path) -> None:
    first = feeds.summary_text(run_build(MINIMAL, tmp_path)).splitlines()
    # A first build says so and counts events per feed instead of listing each as added.
    assert first[0] == "first build (no .manifest.json yet): every event is new"
    assert "finance.ics 市财政局: " in "\n".join(first) and not any("  + " in x for x in first)
    before = snapshot(tmp_path)
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    result = run_build(MINIMAL, tmp_path, now=LATER)
    assert result.written == ()
    assert snapshot(tmp_path) == before
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == mtimes
    assert all(c.empty for c in result.changes)
    assert "no changes since the previous build" in feeds.summary_text(result)


def test_same_input_same_clock_gives_same_bytes(tmp_path: Path) -> None:
    run_build(MINIMAL, tmp_path / "a")
    run_build(MINIMAL, tmp_path / "b")
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    # .inputs.json records when this disk's files were written (a local cache, not published).
    assert a.pop(INPUTS) and b.pop(INPUTS)
    assert a == b


def test_dtstamp_is_last_modified(built: Path) -> None:
    text = (built / "finance.ics").read_text(encoding="utf-8")
    assert text.count("DTSTAMP:20261125T083000Z") == text.count("LAST-MODIFIED:20261125T083000Z")
    assert text.count("DTSTAMP:") == text.count("BEGIN:VEVENT") > 0


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "schedule.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


GRAIN_RULE = "due: {rule: fixed_day, day: 10, roll: following}"
# 12th working day after Sat 2026-01-31: Feb 2-6 (5), 9-13 (10), Sat 14 (make-up, 11);
# 15-23 off for 春节; Tue 02-24 (12).
GRAIN_EDIT = "due: {rule: workdays_after_period, n: 12}"


def test_editing_one_duty_changes_only_its_units_feeds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copy(MINIMAL, tmp_path / "schedule.yaml")
    run_build(tmp_path / "schedule.yaml", out)
    before = snapshot(out)
    uids_before = {n: set(events(out, n)) for n in before if n.endswith(".ics")}

    result = run_build(_edited(tmp_path, GRAIN_RULE, GRAIN_EDIT), out, now=LATER)

    after = snapshot(out)
    changed = {n for n in after if after[n] != before[n]}
    assert changed == {"development_reform.ics", "all.ics", feeds.MANIFEST, INPUTS, BLOCKS}
    assert set(result.written) == {"development_reform.ics", "all.ics"}
    for name, uids in uids_before.items():
        assert set(events(out, name)) == uids, name
    grain = "grain-oil-prices.2026-01.development_reform@test.example"
    new = events(out, "development_reform.ics")[grain]
    assert new.start == dt.date(2026, 2, 24)
    assert new.sequence == 1
    other = events(out, "development_reform.ics")[
        "concrete-measures.once.development_reform@test.example"
    ]
    assert other.sequence == 0
    raw = (out / "development_reform.ics").read_text(encoding="utf-8")
    assert "LAST-MODIFIED:20261201T020000Z" in raw
    summary = feeds.summary_text(result)
    assert "~ grain-oil-prices 2026-01: 2026-02-10 -> 2026-02-24" in summary
    assert summary.splitlines()[0].startswith("all.ics ")
    assert "finance.ics" not in summary


def test_sequence_keeps_rising_and_survives_in_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copy(MINIMAL, tmp_path / "schedule.yaml")
    run_build(tmp_path / "schedule.yaml", out)
    run_build(_edited(tmp_path, GRAIN_RULE, GRAIN_EDIT), out, now=LATER)
    third = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    run_build(_edited(tmp_path, GRAIN_RULE, GRAIN_RULE.replace("10", "11")), out, now=third)
    ev = events(out, "development_reform.ics")[
        "grain-oil-prices.2026-01.development_reform@test.example"
    ]
    assert ev.sequence == 2
    manifest = json.loads((out / feeds.MANIFEST).read_bytes())
    entry = manifest["feeds"]["development_reform.ics"][
        "grain-oil-prices.2026-01.development_reform@test.example"
    ]
    assert entry.split(" ")[1:] == ["2", "20261202T000000Z", "2026-02-11"]


def test_text_edit_counts_as_changed_not_moved(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copy(MINIMAL, tmp_path / "schedule.yaml")
    run_build(tmp_path / "schedule.yaml", out)
    path = _edited(tmp_path, "按月公开全市一般公共预算收支完成情况。", "按月公开预算收支。")
    result = run_build(path, out, now=LATER)
    finance = next(c for c in result.changes if c.feed == "finance.ics")
    assert (finance.added, finance.removed, finance.moved) == (0, 0, ())
    assert finance.changed == sum(1 for u in events(out, "finance.ics") if u.startswith("budget-"))


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = run_build(MINIMAL, tmp_path / "out", dry_run=True)
    assert not (tmp_path / "out").exists()
    assert result.written == ()
    text = feeds.summary_text(result)
    assert "dry run: nothing written" in text
    assert "finance.ics 市财政局: 139 events" in text.splitlines()
    # After a real build, a dry run over a longer horizon lists what would be added.
    run_build(MINIMAL, tmp_path / "out")
    longer = run_build(MINIMAL, tmp_path / "out", end=dt.date(2028, 12, 31), dry_run=True)
    lines = feeds.summary_text(longer).splitlines()
    assert any(x.startswith("  + budget-execution 2027-12 due 2028-01-") for x in lines)


def test_a_removed_unit_loses_its_feed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copy(MINIMAL, tmp_path / "schedule.yaml")
    run_build(tmp_path / "schedule.yaml", out)
    path = _edited(tmp_path, "  - {id: shiqi, name: 石岐区, kind: town}\n", "")
    path.write_text(
        path.read_text(encoding="utf-8").replace("[torch_zone, shiqi]", "[torch_zone]"),
        encoding="utf-8",
    )
    result = run_build(path, out, now=LATER)
    assert result.deleted == ("shiqi.ics",)
    assert not (out / "shiqi.ics").exists()
    gone = next(c for c in result.changes if c.feed == "shiqi.ics")
    assert gone.removed and not gone.added


def test_index_page_lists_every_feed_with_links(built: Path) -> None:
    page = (built / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    for unit in UNITS + ("all",):
        assert f'href="webcal://cal.test.example/feeds/{unit}.ics"' in page
        assert f'href="https://cal.test.example/feeds/{unit}.ics"' in page
    # finance: budget-execution, site-review, concrete-measures (via lead_units) and
    # timely-policy (no date), as `units` counts them; then its dated occurrences.
    dated = len(events(built, "finance.ics"))
    assert (
        '<td class="name">市财政局</td><td data-label="代码"><code>finance</code></td>'
        f'<td class="n" data-label="任务数">4</td><td class="n" data-label="到期事项数">{dated}</td>'
        in page
    )


def test_base_url_can_be_overridden(tmp_path: Path) -> None:
    run_build(MINIMAL, tmp_path, base_url="http://intranet.local/cal")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="webcal://intranet.local/cal/finance.ics"' in page
    assert "cal.test.example" not in page


def test_corrupt_manifest_is_a_user_error(tmp_path: Path) -> None:
    tmp_path.joinpath(feeds.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(DisclosureError, match="delete it"):
        run_build(MINIMAL, tmp_path)


def test_cli_build_warns_once_per_provisional_year(tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "-f",
        str(MINIMAL),
        "build",
        "-o",
        str(tmp_path),
        "--from",
        "2027-06-01",
        "--to",
        "2028-12-31",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert [w.split(" for ")[1].split()[0] for w in warnings] == ["2027", "2028"]
    assert "feeds" in result.stdout and (tmp_path / "all.ics").exists()


def test_cli_build_rejects_year_with_range(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "-f",
            str(MINIMAL),
            "build",
            "-o",
            str(tmp_path),
            "--year",
            "2026",
            "--from",
            "2026-01-01",
        ],
    )
    assert result.exit_code == 1
    assert "either --year or --from/--to" in result.output


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    # Another process holds the build lock, as a running build does.
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import fcntl, os, time\n"
            f"fd = os.open({str(out)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        args = ["-f", str(MINIMAL), "build", "--out", str(out), "--year", "2026"]
        refused = CliRunner().invoke(main, args)
        assert refused.exit_code == 1
        assert "another build is writing into this folder; try again" in refused.output
        assert list(out.iterdir()) == []  # nothing written
    finally:
        holder.kill()
        holder.wait()
    done = CliRunner().invoke(main, args)  # the kernel dropped the dead holder's lock
    assert done.exit_code == 0, done.output
    assert (out / "all.ics").exists()
