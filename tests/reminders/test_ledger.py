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


def test_schema_1_ledger_gains_events_and_the_audit_log_and_keeps_its_rows(tmp_path: Path) -> None:
    from disclosure_calendar.reminders import ledger as module

    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    for statement in module._SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO done VALUES ('x.2026-01.finance@t', 'finance', '2026-02-01', NULL, ?)", (NOW.isoformat(),))  # fmt: skip
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert ledger.done()["x.2026-01.finance@t"].on == dt.date(2026, 2, 1)
        ledger.audit(module.AuditEntry(NOW, "cli", "access-issued", unit="finance"))
        assert [e.action for e in ledger.audit_log(10)] == ["access-issued"]


def test_done_with_audit_is_one_change(tmp_path: Path) -> None:
    from disclosure_calendar.reminders.ledger import AuditEntry

    with Ledger(tmp_path / "l.db") as ledger:
        entry = AuditEntry(
            NOW, "unit:finance", "done", "finance", "a@t", "https://x.cn/", "10.0.0.1"
        )
        ledger.mark_done("a@t", "finance", NOW.date(), "https://x.cn/", NOW, audit=entry)
        assert ledger.done("finance")["a@t"].recorded == NOW
        assert ledger.done("shiqi") == {}
        assert ledger.audit_log(10, unit="finance") == [entry]
        assert ledger.audit_log(10, unit="shiqi") == []
        # An undo of something not marked writes no audit entry.
        assert not ledger.mark_undone("b@t", NOW, audit=entry)
        assert len(ledger.audit_log(10)) == 1


def test_access_links_revoked_one_by_one_or_per_unit(tmp_path: Path) -> None:
    later = NOW + dt.timedelta(days=30)
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record_token("a1", "unit", "finance", NOW, later)
        ledger.record_token("a2", "unit", "finance", NOW, later)
        ledger.record_token("c1", "coordinator", None, NOW, later)
        assert not ledger.is_revoked("a1") and not ledger.is_revoked("unknown")
        assert ledger.revoke_token("a1", NOW) and not ledger.revoke_token("a1", NOW)
        assert ledger.revoke_unit_tokens("finance", NOW) == 1
        assert [t.id for t in ledger.tokens() if t.revoked] == ["a1", "a2"]
        assert not ledger.is_revoked("c1")
