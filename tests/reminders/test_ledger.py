"""The SQLite ledger: schema, intents before sends, outcomes, done records."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.reminders.ledger import SCHEMA_VERSION, Ledger
from disclosure_calendar.reminders.messages import Message, Slot

NOW = dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DUE = dt.date(2026, 4, 10)


def msg(n: int) -> Message:
    return Message(
        f"m{n}@test.example", "finance", "email", NOW, f"主题{n}", "正文", "<p>正文</p>", "md"
    )


def slot(occ: str, day: int = 7, kind: str = "remind") -> Slot:
    return Slot(occ, kind, dt.date(2026, 4, day), "finance", "email", "finance", DUE)


def test_new_ledger_is_wal_and_versioned(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(DisclosureError, match="newer than this program"):
        Ledger(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    path.write_text("hello, not sqlite " * 100)
    with pytest.raises(DisclosureError, match="not a usable ledger"):
        Ledger(path)


def test_intent_is_unfinished_until_marked_sent(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        ledger.record_intents([(msg(1), [slot("a"), slot("b")]), (msg(2), [slot("c")])], NOW)
    # A process killed here leaves both messages pending; a new connection sees them.
    with Ledger(path) as ledger:
        pending = ledger.unfinished()
        assert [p.message for p in pending] == [msg(1), msg(2)]
        assert [s.occurrence for s in pending[0].slots] == ["a", "b"]
        assert {k[0] for k in ledger.state().handled} == {"a", "b", "c"}
        ledger.mark("m1@test.example", "sent", NOW)
        ledger.mark("m2@test.example", "failed", NOW, "smtp down")
        [failed] = ledger.unfinished()
        assert (failed.message.id, failed.state, failed.attempts) == (
            "m2@test.example",
            "failed",
            1,
        )
        ledger.mark("m2@test.example", "sent", NOW)
        assert ledger.unfinished() == []
        assert [(m[0], m[4], m[5]) for m in ledger.messages()] == [
            ("m1@test.example", "sent", 1),
            ("m2@test.example", "sent", 2),
        ]


def test_a_slot_is_recorded_once(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record_intents([(msg(1), [slot("a")])], NOW)
        with pytest.raises(sqlite3.IntegrityError):
            ledger.record_intents([(msg(2), [slot("a")])], NOW)
        assert [m[0] for m in ledger.messages()] == ["m1@test.example"]  # rolled back whole


def test_missed_and_superseded(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record_skipped([slot("a", 3)], "missed", NOW)
        ledger.record_skipped([slot("b", 6)], "superseded", NOW)
        assert [(m.occurrence, m.slot.day) for m in ledger.missed()] == [("a", 3)]
        assert len(ledger.state().handled) == 2


def test_done_and_undone(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        ledger.mark_done("x@d", "finance", dt.date(2026, 4, 9), "https://example.gov.cn/a", NOW)
        ledger.mark_done("x@d", "finance", dt.date(2026, 4, 8), None, NOW)  # corrected date
        assert ledger.state().done == {"x@d": dt.date(2026, 4, 8)}
        assert ledger.mark_undone("x@d", NOW)
        assert not ledger.mark_undone("x@d", NOW)
        assert ledger.done() == {}
        log = ledger.db.execute("SELECT action FROM done_log ORDER BY seq").fetchall()
        assert [a for (a,) in log] == ["done", "done", "undone"]


def test_tracking_starts_on_first_use(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        assert ledger.tracking_since(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
        assert ledger.tracking_since(dt.date(2026, 5, 1)) == dt.date(2026, 4, 1)


def test_undone_needs_an_existing_ledger(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError, match="no ledger here yet"):
        Ledger(tmp_path / "missing.db", create=False)


def test_deliveries_per_recipient(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record_intents([(msg(1), [slot("a")])], NOW)
        ledger.record_delivery("m1@test.example", "a@x.cn", "sent", "250 OK", NOW)
        ledger.record_delivery("m1@test.example", "b@x.cn", "refused", "550 no such user", NOW)
        ledger.record_delivery("m1@test.example", "c@x.cn", "failed", "451 later", NOW)
        assert ledger.delivered_to("m1@test.example") == {"a@x.cn"}
        assert ledger.settled("m1@test.example") == {"a@x.cn", "b@x.cn"}
        ledger.record_delivery("m1@test.example", "c@x.cn", "sent", "250 OK", NOW)  # replaces
        assert ledger.delivered_to("m1@test.example") == {"a@x.cn", "c@x.cn"}
        [problem] = ledger.delivery_problems()
        assert (problem.addressee, problem.recipient, problem.answer) == (
            "finance",
            "b@x.cn",
            "550 no such user",
        )


def test_schema_1_ledger_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        ledger.record_intents([(msg(1), [slot("a")])], NOW)
        ledger.mark("m1@test.example", "sent", NOW)
    with sqlite3.connect(path) as db:  # back to what schema 1 was: no deliveries table
        db.execute("DROP TABLE deliveries")
        db.execute("PRAGMA user_version = 1")
    with Ledger(path, read_only=True) as old:  # read-only: looked at, not migrated
        assert old.delivered_to("m1@test.example") == set() and old.delivery_problems() == []
    with Ledger(path) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert [m[4] for m in ledger.messages()] == ["sent"]
        ledger.record_delivery("m1@test.example", "a@x.cn", "sent", "250 OK", NOW)
        assert ledger.delivered_to("m1@test.example") == {"a@x.cn"}


def test_read_only_ledger_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    before = path.read_bytes()
    with Ledger(path, read_only=True) as ledger, pytest.raises(sqlite3.OperationalError):
        ledger.tracking_since(dt.date(2026, 4, 7))
    assert path.read_bytes() == before
