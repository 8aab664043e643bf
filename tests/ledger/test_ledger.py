"""The ledger on both backends: schema and migrations, intents before sends, outcomes, done records,
events, claims shared by several daemons, copying, and a server that is not there."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.ledger import (
    SCHEMA_VERSION,
    AlreadyDone,
    AuditEntry,
    Done,
    LedgerMissing,
    LedgerUnreachable,
    parse_target,
)
from disclosure_calendar.ledger.admin import copy_ledger, status_text
from disclosure_calendar.reminders.messages import Message, Slot
from disclosure_calendar.reminders.outbox import ReminderLedger as Ledger

NOW = dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DUE = dt.date(2026, 4, 10)
V1_SCHEMA = Path(__file__).parents[1] / "data" / "ledger" / "schema_v1.sql"


def msg(n: int, at: dt.datetime = NOW) -> Message:
    return Message(
        f"m{n}@test.example", "finance", "email", at, f"主题{n}", "正文", "<p>正文</p>", "md"
    )


def slot(occ: str, day: int = 7, kind: str = "remind") -> Slot:
    return Slot(occ, kind, dt.date(2026, 4, day), "finance", "email", "finance", DUE)


def test_new_ledger_is_at_the_latest_version(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        assert ledger.version() == SCHEMA_VERSION
        assert [v for v, _, _ in ledger.history()] == list(range(1, SCHEMA_VERSION + 1))
        assert ledger.upgraded == (0, SCHEMA_VERSION)
    with Ledger(ledger_db) as ledger:
        assert ledger.upgraded == (SCHEMA_VERSION, SCHEMA_VERSION)  # nothing to do twice


def test_sqlite_ledger_is_wal_and_tells_old_programs_its_version(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # A program from before the version table reads only this, and refuses a newer ledger.
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def _open_at_once(path: Path, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        Ledger(path).close()
        results.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        results.put(repr(exc))


def test_processes_creating_one_sqlite_ledger_at_once_all_get_it(tmp_path: Path) -> None:
    # Two `remind` runs (or a daemon and the portal) starting on a ledger that does not exist
    # yet: SQLite refused one of them the switch to WAL mode at once, "database is locked".
    context = multiprocessing.get_context("fork")
    for round_ in range(12):
        path = tmp_path / f"ledger-{round_}.db"
        barrier, results = context.Barrier(4), context.Queue()
        processes = [
            context.Process(target=_open_at_once, args=(path, barrier, results)) for _ in range(4)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        assert outcomes == ["ok"] * 4, (round_, outcomes)
        with Ledger(path) as ledger:
            assert [v for v, _, _ in ledger.history()] == list(range(1, SCHEMA_VERSION + 1))


def test_newer_schema_is_refused(ledger_db: str) -> None:
    Ledger(ledger_db).close()
    engine = sa.create_engine(parse_target(ledger_db).url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO schema_version VALUES (:v, '2030-01-01', 'from the future')"),
            {"v": SCHEMA_VERSION + 1},
        )
    engine.dispose()
    with pytest.raises(DisclosureError, match="newer than this program"):
        Ledger(ledger_db)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    path.write_text("hello, not sqlite " * 100)
    with pytest.raises(DisclosureError, match="is not a ledger \\(not an SQLite database\\)"):
        Ledger(path)


def test_writes_survive_another_process_closing_the_ledger(tmp_path: Path) -> None:
    """The portal opens one Ledger per thread; the rebuild child or a command opens the file
    and closes it. Reading the file's header for the second Ledger once dropped the process's
    SQLite locks, so the other process's close deleted the WAL and every later write of this
    process went into the deleted file: the portal answered 303, and no other process (the
    rebuild, `event list`, the daemon) saw the event date or mark until the server stopped."""
    db = tmp_path / "l.db"
    first = Ledger(db)  # a portal thread's
    first.add_event("d1", dt.date(2026, 1, 5), "", NOW)
    second = Ledger(db)  # another thread's, opened later
    other = f"import sqlite3; sqlite3.connect({str(db)!r}).execute('select 1 from events').fetchall()"  # fmt: skip
    subprocess.run([sys.executable, "-c", other], check=True)  # the rebuild child, closing
    first.add_event("d1", dt.date(2026, 1, 6), "", NOW)
    seen = subprocess.run(
        [sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(db)!r}).execute('select count(*) from events').fetchone()[0])"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    first.close(), second.close()
    assert seen.strip() == "2"


def test_a_version_1_sqlite_ledger_upgrades_in_place(tmp_path: Path) -> None:
    """A ledger written before the version table (PRAGMA user_version = 1) keeps every row."""
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    with sqlite3.connect(old) as db:
        db.executescript(V1_SCHEMA.read_text(encoding="utf-8"))
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO messages VALUES ('m1@x', 'finance', 'email', '2026-04-07T09:00:00+08:00',"
            " 's', 'b', 'h', 'md', 'pending', 0, '2026-04-07T09:00:00+08:00',"
            " '2026-04-07T09:00:00+08:00', NULL)"
        )
        db.execute(
            "INSERT INTO reminders VALUES ('o@x', 'remind', '2026-04-07', 'finance', 'email',"
            " 'finance', '2026-04-10', 'm1@x', 'pending', 'r')"
        )
        db.execute(
            "INSERT INTO done_log (occurrence, action, recorded) VALUES ('o@x', 'done', 'r')"
        )
    with Ledger(old) as ledger:
        assert ledger.upgraded == (1, SCHEMA_VERSION)
        assert ledger.history()[0][2] == "adopted from PRAGMA user_version"
        [pending] = ledger.unfinished()
        assert pending.message.id == "m1@x" and [s.occurrence for s in pending.slots] == ["o@x"]
        assert ledger.claim("me", 60.0) is not None  # the claim columns are there
        ledger.mark_done("o@x", "finance", DUE, None, NOW)
        assert ledger.done_log() == [("o@x", "done"), ("o@x", "done")]
    Ledger(fresh).close()
    # Upgraded and new ledgers have the same tables, columns and indexes.
    assert _shape(old) == _shape(fresh)


def _shape(path: Path) -> dict[str, object]:
    engine = sa.create_engine(f"sqlite:///{path}")
    inspector = sa.inspect(engine)
    # Nullability is left out: SQLite lets a TEXT primary key hold NULL unless told otherwise,
    # which the first ledgers did not say (and never stored a NULL there).
    shape = {
        t: (
            sorted((c["name"], str(c["type"])) for c in inspector.get_columns(t)),
            sorted(i["name"] for i in inspector.get_indexes(t)),
        )
        for t in inspector.get_table_names()
    }
    engine.dispose()
    return shape


def test_intent_is_unfinished_until_marked_sent(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(1), [slot("a"), slot("b")]), (msg(2), [slot("c")])], NOW)
    # A process killed here leaves both messages pending; a new connection sees them.
    with Ledger(ledger_db) as ledger:
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


def test_a_slot_is_recorded_once(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(1), [slot("a")])], NOW)
        with pytest.raises(sa.exc.IntegrityError):
            ledger.record_intents([(msg(2), [slot("a")])], NOW)
        assert [m[0] for m in ledger.messages()] == ["m1@test.example"]  # rolled back whole


def test_missed_and_superseded(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_skipped([slot("a", 3)], "missed", NOW)
        ledger.record_skipped([slot("b", 6)], "superseded", NOW)
        ledger.record_skipped([slot("b", 6)], "superseded", NOW)  # a second daemon's view
        assert [(m.occurrence, m.slot.day) for m in ledger.missed()] == [("a", 3)]
        assert len(ledger.state().handled) == 2


def test_done_and_undone(ledger_db: str) -> None:
    later = NOW + dt.timedelta(hours=1)
    with Ledger(ledger_db) as ledger:
        ledger.mark_done("x@d", "finance", dt.date(2026, 4, 9), "https://example.gov.cn/a", NOW)
        # a second mark is refused, naming the first
        with pytest.raises(AlreadyDone, match=r"published 2026-04-09 \(https://example.gov.cn/a\)"):
            ledger.mark_done("x@d", "finance", dt.date(2026, 4, 8), None, later)
        replaced = ledger.mark_done(
            "x@d", "finance", dt.date(2026, 4, 8), None, later, replace=True, how="link:abc"
        )  # corrected date
        assert replaced is not None and replaced.on == dt.date(2026, 4, 9)
        assert ledger.state().done == {"x@d": dt.date(2026, 4, 8)}
        # undo puts the replaced mark back, as it was
        withdrawn, restored = ledger.mark_undone("x@d", later, how="link:abc")
        assert withdrawn.on == dt.date(2026, 4, 8)
        assert restored == Done(
            "x@d", "finance", dt.date(2026, 4, 9), "https://example.gov.cn/a", NOW, "cli"
        )
        assert ledger.done()["x@d"].on == dt.date(2026, 4, 9)
        assert ledger.mark_undone("x@d", later) == (restored, None)
        assert ledger.mark_undone("x@d", NOW) is None
        assert ledger.done() == {}
        assert [a for _, a in ledger.done_log()] == ["done", "done", "undone", "undone"]
        history = ledger.mark_history(["x@d"])
        assert [(c.action, c.on, c.previous_on, c.how) for c in history] == [
            ("done", dt.date(2026, 4, 9), None, "cli"),
            ("replaced", dt.date(2026, 4, 8), dt.date(2026, 4, 9), "link:abc"),
            ("undone", dt.date(2026, 4, 9), dt.date(2026, 4, 8), "link:abc"),
            ("undone", None, dt.date(2026, 4, 9), "cli"),
        ]
        assert ledger.mark_history(unit="finance") == []  # x@d names no unit
        assert history[0].recorded == NOW


def test_events(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.add_event("flood", dt.date(2026, 6, 2), "汛情", NOW)
        ledger.add_event("audit", dt.date(2026, 5, 1), "", NOW, added_by="web")
        ledger.add_event("flood", dt.date(2026, 5, 20), "", NOW)
        with pytest.raises(DisclosureError, match="already recorded"):
            ledger.add_event("flood", dt.date(2026, 6, 2), "again", NOW)
        assert [(e.duty, e.date.day) for e in ledger.events()] == [
            ("audit", 1),
            ("flood", 20),
            ("flood", 2),
        ]
        [first] = ledger.events("audit")
        assert (first.added, first.added_by) == (NOW, "web")
        assert ledger.remove_event("flood", dt.date(2026, 6, 2))
        assert not ledger.remove_event("flood", dt.date(2026, 6, 2))
        assert [e.note for e in ledger.events("flood")] == [""]
        # events per unit; a city-wide one would double a unit's
        ledger.add_event("flood", dt.date(2026, 7, 1), "", NOW, unit="finance")
        ledger.add_event("flood", dt.date(2026, 7, 1), "", NOW, unit="shiqi")
        with pytest.raises(DisclosureError, match="already recorded for finance"):
            ledger.add_event("flood", dt.date(2026, 7, 1), "", NOW)
        with pytest.raises(DisclosureError, match="already recorded for every unit"):
            ledger.add_event("flood", dt.date(2026, 5, 20), "", NOW, unit="finance")
        assert ledger.extend_event("flood", dt.date(2026, 7, 1), NOW, unit="shiqi")
        with pytest.raises(DisclosureError, match="extension is already recorded"):
            ledger.extend_event("flood", dt.date(2026, 7, 1), NOW, unit="shiqi")
        assert not ledger.extend_event("flood", dt.date(2026, 7, 1), NOW)  # no city-wide one
        july = [(e.unit, e.extended) for e in ledger.events("flood") if e.date.month == 7]
        assert july == [("finance", None), ("shiqi", NOW)]


def test_tracking_starts_on_first_use(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        assert ledger.tracking_since(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
        assert ledger.tracking_since(dt.date(2026, 5, 1)) == dt.date(2026, 4, 1)


def test_undone_needs_an_existing_ledger(ledger_db: str) -> None:
    with pytest.raises(LedgerMissing, match="no ledger here yet"):
        Ledger(ledger_db, create=False)


# -- claims ---------------------------------------------------------------------------------


def test_claims_are_exclusive_until_the_lease_runs_out(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(1), [slot("a")]), (msg(2), [slot("b")])], NOW)
        first = ledger.claim("alpha", 0.5)
        second = ledger.claim("beta", 0.5)
        assert first is not None and second is not None
        assert (first.message.id, second.message.id) == ("m1@test.example", "m2@test.example")
        assert ledger.claim("gamma", 0.5) is None
        assert [(who, n) for who, n, _ in ledger.holders()] == [("alpha", 1), ("beta", 1)]
        left = ledger.seconds_to_takeover("gamma")
        assert left is not None and 0 < left <= 0.5
        assert ledger.mark("m2@test.example", "sent", NOW, owner="beta")
        # alpha dies; after its lease gamma takes m1 over.
        time.sleep(0.6)
        taken = ledger.claim("gamma", 60.0)
        assert taken is not None and taken.message.id == "m1@test.example"
        # alpha's late verdict no longer counts, but a send it got through is the truth.
        assert not ledger.mark("m1@test.example", "failed", NOW, "late", owner="alpha")
        assert ledger.mark("m1@test.example", "sent", NOW, owner="alpha")
        assert not ledger.mark("m1@test.example", "sent", NOW, owner="gamma")  # already sent
        assert ledger.senders() == {"alpha": 1, "beta": 1}
        assert ledger.seconds_to_takeover("gamma") is None


def test_a_pass_walks_the_queue_once(ledger_db: str) -> None:
    """A message that failed is behind the cursor: the same pass does not retry it in a loop."""
    later = NOW + dt.timedelta(days=1)
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(1), [slot("a")]), (msg(2, later), [slot("b", 8)])], NOW)
        one = ledger.claim("me", 60.0)
        assert one is not None
        ledger.mark(one.message.id, "failed", NOW, "down", owner="me")
        after = (one.message.send_at.isoformat(), one.message.id)
        two = ledger.claim("me", 60.0, after=after)
        assert two is not None and two.message.id == "m2@test.example"
        assert ledger.claim("me", 60.0, after=(later.isoformat(), two.message.id)) is None
        again = ledger.claim("me", 60.0)  # the next pass starts over
        assert again is not None and again.message.id == "m1@test.example"


def test_concurrent_claimers_never_share_a_message(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(n), [slot(f"o{n}")]) for n in range(60)], NOW)
    got: dict[str, list[str]] = {}

    def work(name: str) -> None:
        mine = got.setdefault(name, [])
        with Ledger(ledger_db) as own:
            while (stored := own.claim(name, 60.0)) is not None:
                mine.append(stored.message.id)
                own.mark(stored.message.id, "sent", NOW, owner=name)

    threads = [threading.Thread(target=work, args=(f"d{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [m for ids in got.values() for m in ids]
    assert sorted(claimed) == sorted(f"m{n}@test.example" for n in range(60))
    assert len(set(claimed)) == len(claimed)


# -- copy, status, unreachable ----------------------------------------------------------------


def test_copy_sqlite_to_postgresql(tmp_path: Path, pg_url: str) -> None:
    src = tmp_path / "l.db"
    with Ledger(src) as ledger:
        ledger.tracking_since(dt.date(2026, 4, 1))
        ledger.record_intents([(msg(n), [slot(f"o{n}"), slot(f"p{n}")]) for n in range(1500)], NOW)
        ledger.record_skipped([slot("gone", 3)], "missed", NOW)
        ledger.mark("m7@test.example", "sent", NOW, owner="host/1/ab")
        ledger.record_delivery("m7@test.example", "cz@example.gov.cn", "sent", "250 OK", NOW)
        ledger.mark_done("x@d", "finance", dt.date(2026, 4, 8), "https://example.gov.cn/1", NOW)
        ledger.mark_undone("x@d", NOW)
        ledger.mark_done("x@d", "finance", dt.date(2026, 4, 9), None, NOW)
        ledger.add_event("flood", dt.date(2026, 6, 2), "汛情", NOW)
        ledger.audit(AuditEntry(NOW, "cli", "access-issued", unit="finance"))
        ledger.record_token("a1", "unit", "finance", NOW, NOW + dt.timedelta(days=30))
        before = (
            ledger.messages(),
            ledger.state(),
            ledger.done(),
            ledger.events(),
            ledger.missed(),
        )
    result = copy_ledger(f"sqlite:{src}", pg_url)
    counts = {c.table: (c.source, c.copied) for c in result}
    assert counts == {
        "meta": (2, 2),  # track_from and the portal version
        "messages": (1500, 1500),
        "reminders": (3001, 3001),
        "deliveries": (1, 1),
        "done": (1, 1),
        "done_log": (3, 3),
        "events": (1, 1),
        "audit": (1, 1),
        "access_tokens": (1, 1),
    }
    with Ledger(pg_url) as ledger:
        assert (
            ledger.messages(),
            ledger.state(),
            ledger.done(),
            ledger.events(),
            ledger.missed(),
        ) == before
        assert ledger.senders() == {"host/1/ab": 1}
        assert ledger.delivered_to("m7@test.example") == {"cz@example.gov.cn"}
        ledger.mark_undone("x@d", NOW)  # new log rows continue after the copied ones
        assert ledger.done_log()[-1] == ("x@d", "undone") and len(ledger.done_log()) == 4
        ledger.audit(AuditEntry(NOW, "cli", "access-revoked", unit="finance"))
        assert [e.action for e in ledger.audit_log()] == ["access-revoked", "access-issued"]
        assert [t.id for t in ledger.tokens()] == ["a1"]
    with pytest.raises(DisclosureError, match="is not empty"):
        copy_ledger(src, pg_url)


def test_status_text(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
        ledger.record_intents([(msg(1), [slot("a")]), (msg(2), [slot("b")])], NOW)
        ledger.mark("m1@test.example", "sent", NOW)
        ledger.claim("host-a/42/beef", 300.0)
    text = status_text(ledger_db)
    assert f"schema: version {SCHEMA_VERSION} of {SCHEMA_VERSION}" in text
    assert "messages: 1 pending, 1 sent" in text
    assert "host-a/42/beef: 1 message(s), lease ends in" in text


def test_unreachable_server_is_said_plainly() -> None:
    # Nothing listens on port 1; the password must not be shown.
    with pytest.raises(LedgerUnreachable) as err:
        Ledger("postgresql://calendar:s3cret@127.0.0.1:1/ledger")
    text = str(err.value)
    assert text.startswith("ledger postgresql://calendar:***@127.0.0.1:1/ledger is unreachable:")
    assert "s3cret" not in text


@pytest.mark.parametrize(
    ("value", "message"),
    [("mysql://x/y", "mysql:// is not a ledger address"), ("sqlite:", "no path given")],
    ids=["other-database", "empty-path"],
)
def test_bad_addresses(value: str, message: str) -> None:
    with pytest.raises(DisclosureError, match=message):
        parse_target(value)


# -- deliveries per recipient (issue 16) ------------------------------------------------------


def test_deliveries_per_recipient(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
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


def test_an_old_ledger_read_only_is_looked_at_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA.read_text(encoding="utf-8"))
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO messages VALUES ('m1@x', 'finance', 'email', '2026-04-07T09:00:00+08:00',"
            " 's', 'b', 'h', 'md', 'sent', 1, '2026-04-07T09:00:00+08:00',"
            " '2026-04-07T09:00:00+08:00', NULL)"
        )
    before = path.read_bytes()
    with Ledger(path, read_only=True) as old:
        assert old.delivered_to("m1@x") == set() and old.delivery_problems() == []
        assert old.events() == [] and old.tracking_start() is None
    assert path.read_bytes() == before
    with Ledger(path) as ledger:
        assert ledger.version() == SCHEMA_VERSION
        assert [m[4] for m in ledger.messages()] == ["sent"]
        ledger.record_delivery("m1@x", "a@x.cn", "sent", "250 OK", NOW)
        assert ledger.delivered_to("m1@x") == {"a@x.cn"}


def test_read_only_ledger_refuses_writes(ledger_db: str) -> None:
    Ledger(ledger_db).close()
    with Ledger(ledger_db, read_only=True) as ledger:
        with pytest.raises(DisclosureError, match="read-?only"):
            ledger.tracking_since(dt.date(2026, 4, 7))
        assert ledger.tracking_start() is None


# -- the web portal's audit log and access links (issue 12) ----------------------------------


def test_done_with_audit_is_one_change(ledger_db: str) -> None:
    with Ledger(ledger_db) as ledger:
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
        ledger.audit(AuditEntry(NOW, "cli", "access-issued", unit="finance"))
        assert [e.action for e in ledger.audit_log(10)] == ["access-issued", "done"]


def test_access_links_revoked_one_by_one_or_per_unit(ledger_db: str) -> None:
    later = NOW + dt.timedelta(days=30)
    with Ledger(ledger_db) as ledger:
        ledger.record_token("a1", "unit", "finance", NOW, later)
        ledger.record_token("a2", "unit", "finance", NOW, later)
        ledger.record_token("c1", "coordinator", None, NOW, later)
        assert not ledger.is_revoked("a1") and not ledger.is_revoked("unknown")
        assert ledger.revoke_token("a1", NOW) and not ledger.revoke_token("a1", NOW)
        assert ledger.revoke_unit_tokens("finance", NOW) == 1
        assert [t.id for t in ledger.tokens() if t.revoked] == ["a1", "a2"]
        assert not ledger.is_revoked("c1")
        assert [t.id for t in ledger.tokens("finance")] == ["a1", "a2"]
