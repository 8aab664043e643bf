"""Event dates recorded in the ledger (`event add/list/remove`) and seen by every command."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.ledger import SCHEMA_VERSION, EventRecord, Ledger

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
DATA = ROOT / "tests" / "data"
CLOCK = {"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-03-02T10:00"}
AT = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["-f", str(SCHEDULE), *args], env=CLOCK)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def departments() -> list[str]:
    import yaml

    groups = yaml.safe_load(SCHEDULE.read_text(encoding="utf-8"))["groups"]
    group = next(g for g in groups if g["id"] == "departments")
    return group["members"] + group.get("unconfirmed", [])


def test_add_shows_in_every_department_s_agenda_and_remove_takes_it_away(tmp_path):
    db = tmp_path / "ledger.db"
    code, out = run(
        db, "event", "add", "5.7", "2026-03-02", "--all-units", "--note", "废止某办法",
        "--db", str(db),
    )  # fmt: skip
    assert code == 0, out
    assert out == (
        "added: 5.7 repealed-files-marking event 2026-03-02 for every unit, due 2026-03-16\n"
    )
    members = departments()
    assert len(members) == 38  # 24 members and 14 to be confirmed
    for unit in members:
        code, out = run(
            db, "agenda", "--year", "2026", "--duty", "5.7", "--unit", unit, "--db", str(db)
        )
        assert code == 0
        rows = [line for line in out.splitlines() if line.startswith("2026-")]
        assert len(rows) == 1 and rows[0].startswith("2026-03-16  5.7"), (unit, out)
    code, out = run(db, "event", "list", "--db", str(db))
    assert "repealed-files-marking  2026-03-02  (every unit)  2026-03-16" in out, out
    # recorded: in Beijing time
    assert "recorded on the command line  2026-03-02 10:00  废止某办法" in out, out
    code, out = run(db, "--lang", "zh", "event", "list", "--db", str(db))
    assert "2026-03-16              命令行录入" in out and "台账" not in out, out
    code, out = run(db, "event", "remove", "5.7", "2026-03-02", "--all-units", "--db", str(db))
    assert (code, out) == (
        0, "removed: 5.7 repealed-files-marking event 2026-03-02 for every unit\n"
    )  # fmt: skip
    code, out = run(db, "agenda", "--year", "2026", "--duty", "5.7", "--db", str(db))
    assert out == "nothing due from 2026-01-01 to 2026-12-31\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1.3", "2026-03-02"), "1.3: budget-execution: not event-triggered"),
        (("5.7", "2017-06-08", "--all-units"), "event date 2017-06-08 is before the plan"),
        (("5.7", "2026-03-03"), "event date 2026-03-03 is in the future (today is 2026-03-02)"),
        (("9.9", "2026-03-02"), "unknown event duty '9.9'"),
    ],
    ids=["not-event-triggered", "before-plan", "in-the-future", "unknown"],
)
def test_bad_events_are_clear_errors(tmp_path, args, message):
    db = tmp_path / "ledger.db"
    code, out = run(db, "event", "add", *args, "--db", str(db))
    assert code == 1
    assert out.startswith(f"Error: {message}")


def test_a_duplicate_is_an_error(tmp_path):
    db = tmp_path / "ledger.db"
    assert run(db, "event", "add", "22.1", "2026-03-02", "--unit", "shiqi", "--db", str(db))[0] == 0
    code, out = run(
        db, "event", "add", "application-replies", "2026-03-02", "--unit", "shiqi", "--db", str(db)
    )
    assert (code, out) == (
        1,
        "Error: application-replies 2026-03-02: this event is already recorded for shiqi\n",
    )
    # another unit's request of the same day is its own; a city-wide one would double shiqi's
    assert (
        run(db, "event", "add", "22.1", "2026-03-02", "--unit", "finance", "--db", str(db))[0] == 0
    )
    code, out = run(db, "event", "add", "22.1", "2026-03-02", "--all-units", "--db", str(db))
    assert code == 1 and "already recorded for " in out
    code, out = run(db, "event", "remove", "22.1", "2026-03-03", "--unit", "shiqi", "--db", str(db))
    assert (code, out) == (1, "Error: application-replies 2026-03-03: no such event recorded\n")


def test_build_status_and_done_see_recorded_events(tmp_path):
    db = tmp_path / "ledger.db"
    run(db, "event", "add", "22.1", "2026-03-02", "--unit", "shiqi", "--db", str(db))
    out_dir = tmp_path / "out"
    code, out = run(db, "build", "--year", "2026", "-o", str(out_dir), "--db", str(db))
    assert code == 0, out
    uid = "application-replies.event-2026-03-02.shiqi@disclosure.zs.example"
    assert f"UID:{uid}".encode() in (out_dir / "shiqi.ics").read_bytes()
    # only shiqi's: no other unit's feed has the request
    assert b"event-2026-03-02" not in (out_dir / "finance.ics").read_bytes()
    assert (out_dir / "all.ics").read_bytes().count(b"UID:application-replies.event-") == 1
    # published the day of the request (the test clock's today: a later --on is refused)
    code, out = run(
        db, "done", "22.1", "2026-03-02", "--unit", "shiqi", "--on", "2026-03-02", "--db", str(db)
    )
    assert (code, out) == (0, f"done: {uid} on 2026-03-02, on time\n")
    code, out = run(
        db, "status", "--year", "2026", "--unit", "shiqi", "--format", "json", "--db", str(db)
    )
    assert code == 0
    assert f'"uid": "{uid}"' in out and '"state": "on_time"' in out


def test_remind_sees_recorded_events(tmp_path):
    db = tmp_path / "ledger.db"
    run(db, "event", "add", "22.1", "2026-03-02", "--unit", "shiqi", "--db", str(db))
    # Due 2026-03-30 (20 working days); reminded 5 working days before, on 2026-03-23.
    code, out = run(db, "remind", "--at", "2026-03-23T09:00", "--dry-run", "--db", str(db))
    assert code == 0, out
    assert "application-replies.event-2026-03-02.shiqi@disclosure.zs.example" in out
    assert "application-replies.event-2026-03-02.finance@" not in out


# -- the ledger's interface ---------------------------------------------------------------


def test_ledger_events_sorted_by_duty_and_date(tmp_path):
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.add_event("b", dt.date(2026, 3, 2), "", AT)
        ledger.add_event("a", dt.date(2026, 5, 1), "x", AT, added_by="web")
        ledger.add_event("a", dt.date(2026, 4, 1), "", AT)
        with pytest.raises(DisclosureError):
            ledger.add_event("a", dt.date(2026, 4, 1), "again", AT)
        assert [(e.duty, e.date) for e in ledger.events()] == [
            ("a", dt.date(2026, 4, 1)),
            ("a", dt.date(2026, 5, 1)),
            ("b", dt.date(2026, 3, 2)),
        ]
        assert ledger.events("a")[1] == EventRecord("a", dt.date(2026, 5, 1), "x", AT, "web")
        ledger.add_event("b", dt.date(2026, 3, 3), "", AT, unit="finance")
        ledger.add_event("b", dt.date(2026, 3, 3), "", AT, unit="shiqi")
        with pytest.raises(DisclosureError, match="already recorded for finance"):
            ledger.add_event("b", dt.date(2026, 3, 3), "", AT)
        assert [e.unit for e in ledger.events("b")] == [None, "finance", "shiqi"]
        assert not ledger.remove_event("b", dt.date(2026, 3, 3))  # not a city-wide one
        assert ledger.remove_event("b", dt.date(2026, 3, 3), unit="shiqi")
        assert ledger.remove_event("a", dt.date(2026, 4, 1))
        assert not ledger.remove_event("a", dt.date(2026, 4, 1))
        assert [e.date for e in ledger.events("a")] == [dt.date(2026, 5, 1)]


def test_a_schema_1_ledger_is_migrated_forward(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript((DATA / "ledger" / "schema_v1.sql").read_text(encoding="utf-8"))
    db.execute("INSERT INTO meta VALUES ('track_from', '2026-01-05')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.meta("track_from") == "2026-01-05"
        ledger.add_event("application-replies", dt.date(2026, 3, 2), "", AT)
        assert len(ledger.events()) == 1
        assert ledger.version() == SCHEMA_VERSION


def test_event_list_names_who_recorded_a_date_in_words() -> None:
    from disclosure_calendar.core.i18n import speaking
    from disclosure_calendar.ledger.events import _recorded_by
    from disclosure_calendar.schedule import load_schedule

    schedule = load_schedule(SCHEDULE)
    with speaking("zh"):
        assert _recorded_by(schedule, "coordinator") == "协调人在网页上录入"
        assert _recorded_by(schedule, "unit:finance") == "市财政局在网页上录入"
        assert _recorded_by(schedule, "cli") == "命令行录入"


def test_a_duty_of_the_wrong_kind_is_named_in_full_width_punctuation(tmp_path):
    """Chinese: the ref, its duty and why it does not fit, as 1.3（budget-execution）：……."""
    db = tmp_path / "ledger.db"
    code, out = run(db, "--lang", "zh", "event", "add", "1.3", "2026-03-02", "--db", str(db))
    assert code == 1
    assert out.startswith("错误：1.3（budget-execution）：不是事件触发型职责（见"), out


def test_a_build_reads_an_sqlite_ledger_s_events_as_the_ledger_gives_them(tmp_path):
    """The build's fast read (standard sqlite3, no database toolkit) sees what
    Ledger.events() sees; a file it does not know is left to the Ledger."""
    from disclosure_calendar.ledger import events as events_module
    from disclosure_calendar.ledger.events import read_sqlite_events

    # A new migration must look at the events table and the fast read with it.
    assert events_module._EVENTS_UNTIL == SCHEMA_VERSION
    db = tmp_path / "ledger.db"
    with Ledger(db) as ledger:
        ledger.add_event("repealed-files", dt.date(2026, 2, 2), "甲", AT, "cli")
        ledger.add_event("repealed-files", dt.date(2026, 2, 3), "", AT, "cli", unit="finance")
        ledger.add_event(
            "information-requests", dt.date(2026, 2, 4), "乙", AT, "cli", unit="finance"
        )
        assert ledger.extend_event("information-requests", dt.date(2026, 2, 4), AT, unit="finance")
        expected = [(r.duty, r.date, r.note, r.unit, r.extended) for r in ledger.events()]
    found = read_sqlite_events(db)
    assert found is not None and len(found) == 3
    assert [(r.duty, r.date, r.note, r.unit, r.extended is not None) for r in found] == [
        (duty, day, note, unit, extended is not None)
        for duty, day, note, unit, extended in expected
    ]
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert read_sqlite_events(other) is None
    (tmp_path / "text.db").write_text("not a database", encoding="utf-8")
    assert read_sqlite_events(tmp_path / "text.db") is None
