"""Records a coordinator can report upward from (issue 25), through the command line, on SQLite
and PostgreSQL: events of one unit, the tracking start, marks with a history, one check of
what a mark or an event says, and `agenda --as-of` showing what is done."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from disclosure_calendar.ledger import Ledger, parse_target
from disclosure_calendar.ledger.backends import create_engine
from disclosure_calendar.reminders.clock import CLOCK_ENV

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = str(ROOT / "schedule.yaml")
REQUEST = "application-replies.event-2026-12-03.{unit}@disclosure.zs.example"
OCTOBER = "budget-execution.2026-10.finance@disclosure.zs.example"


def run(db: str, *args: str, clock: str = "2026-12-07T10:00") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-f", SCHEDULE, *args, "--db", db], env={CLOCK_ENV: clock})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def parsed(out: str) -> Any:
    """The JSON a command printed (after any warning line)."""
    return json.loads(out[min(i for i in (out.find("["), out.find("{")) if i >= 0) :])


def test_a_request_recorded_for_one_unit_reaches_that_unit_only(ledger_db: str) -> None:
    code, out = run(ledger_db, "event", "add", "22.1", "2026-12-03", "--unit", "finance")
    assert (code, out) == (
        0,
        "added: 22.1 application-replies event 2026-12-03 for 市财政局, due 2026-12-31\n",
    )
    # a shared duty needs the unit (or --all-units): never every unit by accident
    code, out = run(ledger_db, "event", "add", "22.1", "2026-12-04")
    assert code == 1 and re.search(r"reaches \d+ units: give --unit UNIT", out), out
    code, out = run(ledger_db, "event", "list")
    assert re.search(r"application-replies +2026-12-03 +市财政局 +2026-12-31 ", out), out
    for unit, rows in (("finance", 1), ("shiqi", 0)):
        code, out = run(ledger_db, "agenda", "--duty", "22.1", "--year", "2026", "--unit", unit)
        assert code == 0 and out.count("2026-12-31  22.1") == rows, out
    # reminders: five working days before the due date, finance only
    code, out = run(ledger_db, "remind", "--at", "2026-12-24", "--dry-run")
    assert REQUEST.format(unit="finance") in out
    assert REQUEST.format(unit="shiqi") not in out and "application-replies.event" in out
    # counts: one open occurrence more for finance, none for anyone else
    code, out = run(ledger_db, "status", "--format", "json")
    detail = [o for o in parsed(out)["occurrences"] if o["uid"].startswith("application-")]
    assert [(o["unit"], o["state"]) for o in detail] == [("finance", "open")]
    # `done` needs no --unit where only one unit has the occurrence... it names it
    code, out = run(
        ledger_db, "done", "22.1", "2026-12-03", "--unit", "finance", "--on", "2026-12-07",
        "--url", "https://www.zs.gov.cn/czj/ysq/1.html",
    )  # fmt: skip
    assert code == 0 and "on time" in out
    code, out = run(ledger_db, "event", "remove", "22.1", "2026-12-03", "--unit", "finance")
    assert (code, out) == (
        0,
        "removed: 22.1 application-replies event 2026-12-03 for 市财政局\n",
    )


def test_the_migration_keeps_old_events_city_wide(ledger_db: str) -> None:
    """A ledger of schema 5 (events without units): its events mean every unit, as before."""
    with Ledger(ledger_db):
        pass
    engine = create_engine(parse_target(ledger_db))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE events")
        conn.exec_driver_sql(
            "CREATE TABLE events (duty TEXT NOT NULL, date TEXT NOT NULL, note TEXT NOT NULL "
            "DEFAULT '', added TEXT NOT NULL, added_by TEXT NOT NULL, PRIMARY KEY (duty, date))"
        )
        conn.execute(
            sa.text("INSERT INTO events VALUES ('repealed-files-marking', '2026-11-02', "
                    "'中府〔2026〕5号废止', '2026-11-03T09:00:00+08:00', 'cli')")
        )  # fmt: skip
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version = 6")
    engine.dispose()
    with Ledger(ledger_db) as ledger:
        assert ledger.version() == 6
        (event,) = ledger.events()
        assert (event.duty, event.unit, event.note) == (
            "repealed-files-marking", None, "中府〔2026〕5号废止",
        )  # fmt: skip
    for unit in ("finance", "shiqi", "public_security"):
        code, out = run(ledger_db, "agenda", "--duty", "5.7", "--year", "2026", "--unit", unit)
        assert out.count("2026-11-16  5.7") == 1, (unit, out)
    code, out = run(ledger_db, "event", "list")
    assert re.search(r"repealed-files-marking +2026-11-02 +\(every unit\) +2026-11-16", out)


def test_tracking_starts_on_the_day_the_ledger_says(ledger_db: str) -> None:
    with Ledger(ledger_db):
        pass  # a ledger without a tracking start: everything counts from the plan
    code, out = run(ledger_db, "status")
    assert code == 0 and re.search(r"as of 2026-12-07: [1-9]\d* overdue", out), out
    assert (run(ledger_db, "ledger", "track-from", "2026-12-01")) == (
        0,
        "tracking since 2026-12-01\n",
    )
    code, out = run(ledger_db, "ledger", "status")
    assert "\ntracking since: 2026-12-01\n" in out
    code, out = run(ledger_db, "status")
    assert "2026, as of 2026-12-07: 0 overdue, 0 reminder(s) missed\n" in out
    assert "counted from 2026-12-01, when tracking began" in out
    code, out = run(ledger_db, "status", "--format", "json")
    report = parsed(out)
    assert report["track_from"] == "2026-12-01"
    assert not [o for o in report["occurrences"] if o["state"] == "overdue"]
    # marks made before still count, on time or late
    run(ledger_db, "done", "1.3", "2026-10", "--on", "2026-11-10")
    code, out = run(ledger_db, "status", "--unit", "finance", "--format", "json")
    assert parsed(out)["units"][0]["on_time"] == 1
    code, out = run(ledger_db, "agenda", "--as-of", "2026-12-07", "--format", "json")
    overdue = [r["due"] for r in parsed(out) if r["status"] == "overdue"]
    assert overdue and min(overdue) >= "2026-12-01"  # due since tracking began, not before
    # the 通报 counts as status does
    code, out = run(ledger_db, "report", "--year", "2026", "--format", "json")
    assert code == 0 and parsed(out)["totals"]["overdue"] == 0, out
    # the reminders chase nothing due before it either
    code, out = run(ledger_db, "remind", "--at", "2026-12-07", "--dry-run")
    dues = [(int(m), int(d)) for m, d in re.findall(r"截止日期：2026年(\d+)月(\d+)日", out)]
    assert dues and min(dues) >= (12, 1), dues
    # `status` later on: what falls due after the start is overdue when missed
    code, out = run(ledger_db, "status", "--format", "json", clock="2026-12-20T10:00")
    late = {o["uid"] for o in parsed(out)["occurrences"] if o["state"] == "overdue"}
    assert late and all(o.split(".")[1] >= "2026-11" for o in late), late


def test_a_mark_has_a_history(ledger_db: str) -> None:
    code, out = run(
        ledger_db, "done", "1.3", "2026-10", "--on", "2026-11-10",
        "--url", "https://www.zs.gov.cn/czj/2026-10.html",
    )  # fmt: skip
    assert out == f"done: {OCTOBER} on 2026-11-10, on time\n"
    code, out = run(ledger_db, "done", "1.3", "2026-10", "--url", "https://x.example/b")
    assert code == 1
    assert out == (
        f"Error: {OCTOBER} is already marked done: published 2026-11-10 "
        "(https://www.zs.gov.cn/czj/2026-10.html), recorded 2026-12-07 10:00; give "
        "--replace to replace that mark\n"
    )
    code, out = run(
        ledger_db, "done", "1.3", "2026-10", "--url", "https://x.example/b", "--replace",
        clock="2026-12-08T11:00",
    )  # fmt: skip
    assert code == 0 and out == (
        f"done: {OCTOBER} on 2026-12-08, late (due 2026-11-13)\n"
        "replaced the mark of 2026-11-10 (kept in the history; undone puts it back)\n"
    )
    code, out = run(ledger_db, "undone", "1.3", "2026-10", clock="2026-12-08T11:05")
    assert out == f"undone: {OCTOBER}; the earlier mark is back: published 2026-11-10\n"
    code, out = run(ledger_db, "status", "--unit", "finance", "--format", "json")
    assert parsed(out)["units"][0]["on_time"] == 1
    with Ledger(ledger_db) as ledger:
        assert ledger.done()[OCTOBER].url == "https://www.zs.gov.cn/czj/2026-10.html"
        changes = [
            (c.action, str(c.on), str(c.previous_on), c.how)
            for c in ledger.mark_history(unit="finance")
        ]
        assert changes == [
            ("done", "2026-11-10", "None", "cli"),
            ("replaced", "2026-12-08", "2026-11-10", "cli"),
            ("undone", "2026-11-10", "2026-12-08", "cli"),
        ]
        # the dashboard's audit log lists each change, newest first
        audit = [(a.action, a.occurrence) for a in ledger.audit_log(unit="finance")]
        assert audit == [("undone", OCTOBER), ("replaced", OCTOBER), ("done", OCTOBER)]


def test_one_check_for_what_a_mark_or_an_event_says(ledger_db: str) -> None:
    code, out = run(ledger_db, "done", "1.3", "2026-11", "--url", "www.zs.gov.cn")
    assert (code, out) == (
        1,
        "Error: 'www.zs.gov.cn' is not a web address: give the page where it is published, "
        "starting with http:// or https://\n",
    )
    code, out = run(ledger_db, "done", "1.3", "2026-11", "--on", "2026-11-20")
    assert (code, out) == (
        1,
        "Error: publication date 2026-11-20 is before 2026年11月 has ended: the report on it "
        "can be published from 2026-12-01\n",
    )
    code, out = run(ledger_db, "event", "add", "10.1", "2026-12-20")
    assert code == 1 and "event date 2026-12-20 is in the future (today is 2026-12-07)" in out
    # the same words in Chinese, as the portal shows them
    result = CliRunner().invoke(
        main,
        ["--lang", "zh", "-f", SCHEDULE, "done", "1.3", "2026-11", "--on", "2026-11-20", "--db",
         ledger_db],
        env={CLOCK_ENV: "2026-12-07T10:00"},
    )  # fmt: skip
    assert result.output == (
        "错误：发布日期 2026年11月20日 早于2026年11月结束：该期信息最早可于2026年12月1日发布\n"
    )
    with Ledger(ledger_db) as ledger:
        assert ledger.done() == {} and ledger.events() == []


def test_agenda_as_of_shows_what_is_done(ledger_db: str, tmp_path: Path) -> None:
    run(ledger_db, "done", "1.3", "2026-10", "--on", "2026-11-10")
    args = ("agenda", "--unit", "finance", "--as-of", "2026-11-20")
    code, out = run(ledger_db, *args, "--format", "json")
    (row,) = [r for r in parsed(out) if r["uid"] == OCTOBER]
    assert (row["status"], row["done_on"]) == ("on_time", "2026-11-10")
    code, out = run(ledger_db, *args)
    assert "Done (by 2026-11-20):" in out and "2026-11-10  done on time" in out
    assert OCTOBER not in out.split("Done (by")[0]
    code, out = run(ledger_db, *args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out[out.index("\ufeff") + 1 :])))
    (october,) = [r for r in rows if r["uid"] == OCTOBER]
    assert (october["status"], october["done_on"]) == ("done on time", "2026-11-10")
    sheet = tmp_path / "agenda.xlsx"
    code, out = run(ledger_db, *args, "--format", "xlsx", "-o", str(sheet))
    import openpyxl

    ws = openpyxl.load_workbook(sheet).active
    header = [c.value for c in ws[1]]
    found = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == OCTOBER]
    assert found and found[0][header.index("status")] == "done on time"
    # as of the day before it was published, it was still overdue
    code, out = run(
        ledger_db, "agenda", "--unit", "finance", "--as-of", "2026-11-09", "--format", "json"
    )
    (row,) = [r for r in parsed(out) if r["uid"] == OCTOBER]
    assert (row["status"], row["done_on"]) == ("upcoming", None)


def test_an_extension_follows_the_law_of_the_request_s_date(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    run(db, "event", "add", "22.1", "2018-03-01", "--unit", "finance")
    code, out = run(db, "event", "extend", "22.1", "2018-03-01", "--unit", "finance")
    # the 2007 Regulations: 15 working days, extended by 15
    assert out == (
        "extended: 22.1 application-replies event 2018-03-01 for 市财政局: due 2018-03-22, "
        "extended to 2018-04-13\n"
    )
    run(db, "event", "add", "22.1", "2026-12-03", "--unit", "finance")
    code, out = run(db, "event", "extend", "22.1", "2026-12-03", "--unit", "finance")
    assert out.endswith("due 2026-12-31, extended to 2027-01-29\n")  # 2019: 20 and 20
    code, out = run(db, "event", "extend", "22.1", "2026-12-03", "--unit", "finance")
    assert code == 1 and "the extension is already recorded (2026-12-07)" in out
    code, out = run(db, "event", "extend", "22.1", "2026-12-03", "--unit", "shiqi")
    assert code == 1 and "no such event recorded (for shiqi)" not in out and "shiqi" in out
    # the feed: on the extended limit, both deadlines in its description; finance's only
    feeds = tmp_path / "out"
    code, out = run(db, "build", "-o", str(feeds))
    assert code == 0, out
    ics = (feeds / "finance.ics").read_bytes().decode().replace("\r\n ", "")
    event = ics.split("UID:application-replies.event-2026-12-03.finance@")[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20270129" in event
    assert "答复期限：2026-12-31；已延长，延长后期限：2027-01-29" in event
    assert "承办单位：市财政局（本单位登记的事件）" in event
    assert "application-replies.event-2026-12-03" not in (feeds / "shiqi.ics").read_text()
    # the printed calendar of finance has it, shiqi's has not
    code, out = run(
        db,
        "print",
        "--year",
        "2027",
        "--unit",
        "finance",
        "--format",
        "html",
        "-o",
        str(tmp_path / "p"),
    )
    assert code == 0, out
    html = (tmp_path / "p" / "2027-finance.html").read_text(encoding="utf-8")
    assert "2026年12月3日事件" in html
    run(
        db,
        "print",
        "--year",
        "2027",
        "--unit",
        "shiqi",
        "--format",
        "html",
        "-o",
        str(tmp_path / "p"),
    )
    assert "2026年12月3日事件" not in (tmp_path / "p" / "2027-shiqi.html").read_text(
        encoding="utf-8"
    )
