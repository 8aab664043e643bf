"""The ledger: an SQLite record of every reminder decided, sent, failed or missed, and of done duties.

The ledger is the only truth about what went out. A message is written as an intent
(``pending``) with its full rendered content and the reminders it carries *before* it is
handed to a channel, and marked ``sent`` only after the channel accepted it. A process killed
between the two leaves a ``pending`` row; on restart it is sent again, with the same
Message-ID / idempotency key. So we err on the side of a duplicate, never a loss: a missed
reminder can cost a unit a statutory deadline, a repeated one costs a glance, and a receiver
that deduplicates on Message-ID (or the webhook's key) drops the copy altogether.

Journal mode is WAL with ``synchronous=NORMAL``. A commit is in the WAL file once COMMIT
returns, so it survives the process being killed at any instant (SIGKILL, OOM, a crash), which
is what the guarantee above is about. The WAL is fsynced only at checkpoints, so a power cut
or kernel crash can roll the ledger back to an earlier consistent state, losing the last
commits (``FULL`` would fsync every commit: +0.15 ms each on the benchmark VM, milliseconds
on a disk that honours it). Rolled back, a sent message is pending again and a reminder never
recorded is decided afresh: either way it is sent again (or, past the grace window, reported
missed), never silently dropped. A ``done`` recorded just before a power cut may need
entering again.

Each outcome is committed on its own, before the next message is handed over, so a crash
can leave at most one accepted message unrecorded. Committing outcomes in groups would save
about 0.1 ms a message (measured: 0.16 ms against 0.05 ms in groups of 50) but widen that to
a whole group, so it is not done.

Deliveries (schema 2). A message goes to several recipients (the addresses of an e-mail
channel; a webhook counts as one recipient, its URL without the query). Each recipient's
answer is a row in ``deliveries``, so a message refused by one address is resent only to the
others, and a permanent refusal stays on record as a delivery problem for the coordinator.
The interface other backends must offer for it:

- ``record_delivery(message_id, recipient, state, answer, at)``; state ``sent`` (accepted),
  ``refused`` (permanent: never tried again), ``failed`` (temporary: tried on the next run) or
  ``doubt`` (sent but no answer before the deadline: may have arrived; resent on a later run
  only, with the same Message-ID / Idempotency-Key);
- ``record_deliveries(message_id, [(recipient, state, answer)], at, outcome=, error=)``:
  several answers and the message's new state (as ``mark``) in one transaction;
- ``delivered_to(message_id) -> set[str]``: recipients that accepted the message;
- ``settled(message_id) -> set[str]``: recipients never to send it to again (sent or refused);
- ``delivery_problems() -> list[DeliveryProblem]``: every permanent refusal, oldest first.

A message whose every recipient refused is marked ``cancelled`` (it will not be sent); one
that reached at least one recipient is ``sent``. ``Ledger(path, read_only=True)`` opens
for looking only (``remind --dry-run``, ``status``); ``tracking_start()`` reads the first
tracked day without fixing it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import DisclosureError
from .messages import Message, Slot, State

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,            -- also the e-mail Message-ID and the webhook's idempotency key
    addressee TEXT NOT NULL,
    channel TEXT NOT NULL,
    send_at TEXT NOT NULL,          -- the reminder time it stands for, ISO 8601 with offset
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    markdown TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    error TEXT
);
CREATE INDEX messages_state ON messages (state);
CREATE TABLE reminders (
    occurrence TEXT NOT NULL,       -- per-unit occurrence uid, as `done` takes it
    kind TEXT NOT NULL CHECK (kind IN ('remind', 'due', 'overdue')),
    slot TEXT NOT NULL,             -- the working day the reminder belongs to
    addressee TEXT NOT NULL,        -- a unit id or 'coordinator'
    channel TEXT NOT NULL,
    unit TEXT NOT NULL,
    due TEXT NOT NULL,
    message TEXT REFERENCES messages (id),
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'superseded', 'cancelled')),
    recorded TEXT NOT NULL,
    PRIMARY KEY (occurrence, kind, slot, addressee, channel)
);
CREATE INDEX reminders_message ON reminders (message);
CREATE TABLE done (
    occurrence TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    on_date TEXT NOT NULL,
    url TEXT,
    recorded TEXT NOT NULL
);
CREATE TABLE done_log (
    seq INTEGER PRIMARY KEY,
    occurrence TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('done', 'undone')),
    on_date TEXT,
    url TEXT,
    recorded TEXT NOT NULL
);
"""

# Schema 1 -> 2: per-recipient outcomes. Only a table is added: no rewrite of existing rows.
_DELIVERIES = """
CREATE TABLE deliveries (
    message TEXT NOT NULL REFERENCES messages (id),
    recipient TEXT NOT NULL,        -- an e-mail address, or a webhook's URL without its query
    state TEXT NOT NULL CHECK (state IN ('sent', 'refused', 'failed', 'doubt')),
    answer TEXT,                    -- the server's own words: SMTP code and text, HTTP status
    at TEXT NOT NULL,
    PRIMARY KEY (message, recipient)
);
CREATE INDEX deliveries_state ON deliveries (state)
"""


@dataclass(frozen=True)
class Done:
    occurrence: str
    unit: str
    on: dt.date
    url: str | None


@dataclass(frozen=True)
class Stored:
    """A message the ledger holds that has not been accepted yet."""

    message: Message
    state: str
    attempts: int
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class DeliveryProblem:
    """A recipient that refused a message for good: a wrong address or a moved webhook."""

    message: str
    addressee: str
    channel: str
    recipient: str
    answer: str
    at: dt.datetime


@dataclass(frozen=True)
class Missed:
    occurrence: str
    kind: str
    slot: dt.date
    addressee: str
    channel: str
    unit: str


class Ledger:
    """One connection to the ledger database; use as a context manager."""

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False):
        self.path = Path(path)
        if (read_only or not create) and not self.path.exists():
            raise DisclosureError(
                f"{self.path}: no ledger here yet (run the daemon or `done` first)"
            )
        if read_only:
            self._open_read_only()
            return
        try:
            self.db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DisclosureError(f"{self.path}: not a usable ledger database ({exc})") from None

    def _open_read_only(self) -> None:
        """For looking only (``remind --dry-run``): SQLite itself refuses any write."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            self.db = sqlite3.connect(uri, uri=True, timeout=10.0, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 10000")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise DisclosureError(f"{self.path}: not a usable ledger database ({exc})") from None
        if version > SCHEMA_VERSION:
            raise DisclosureError(
                f"{self.path}: ledger schema {version} is newer than this program "
                f"understands ({SCHEMA_VERSION}); upgrade disclosure-calendar"
            )
        self.version = version

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DisclosureError(
                    f"{self.path}: ledger schema {version} is newer than this program "
                    f"understands ({SCHEMA_VERSION}); upgrade disclosure-calendar"
                )
            # One step per version, in one transaction (executescript would commit midway).
            steps = {0: _SCHEMA + ";" + _DELIVERIES, 1: _DELIVERIES}
            if version in steps:
                for statement in steps[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.version = SCHEMA_VERSION

    # -- meta -----------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def tracking_since(self, today: dt.date) -> dt.date:
        """The first day reminders are tracked: fixed the first time the ledger is used.

        Without it, a fresh ledger would chase every occurrence since the plan of 2017.
        """
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('track_from', ?)", (today.isoformat(),))
            value = db.execute("SELECT value FROM meta WHERE key = 'track_from'").fetchone()[0]
        return dt.date.fromisoformat(value)

    def tracking_start(self) -> dt.date | None:
        """The first tracked day if one was fixed; reads only (for a dry run)."""
        value = self.meta("track_from")
        return dt.date.fromisoformat(value) if value else None

    # -- what the decision needs ----------------------------------------------------------

    def state(self) -> State:
        handled = frozenset(
            (o, k, dt.date.fromisoformat(s), a, c)
            for o, k, s, a, c in self.db.execute(
                "SELECT occurrence, kind, slot, addressee, channel FROM reminders"
            )
        )
        done = {
            o: dt.date.fromisoformat(d)
            for o, d in self.db.execute("SELECT occurrence, on_date FROM done")
        }
        return State(handled, done)

    # -- intents and outcomes -------------------------------------------------------------

    def record_intents(
        self, batch: Sequence[tuple[Message, Sequence[Slot]]], at: dt.datetime
    ) -> None:
        """Write messages as pending, with the reminders they carry, in one transaction."""
        stamp = at.isoformat()
        with self._tx() as db:
            for msg, slots in batch:
                db.execute(
                    "INSERT INTO messages (id, addressee, channel, send_at, subject, body, html, "
                    "markdown, state, created, updated) VALUES (?,?,?,?,?,?,?,?, 'pending', ?, ?)",
                    (
                        msg.id, msg.addressee, msg.channel, msg.send_at.isoformat(), msg.subject,
                        msg.text, msg.html, msg.markdown, stamp, stamp,
                    ),
                )  # fmt: skip
                db.executemany(
                    "INSERT INTO reminders VALUES (?,?,?,?,?,?,?,?, 'pending', ?)",
                    [(*_slot_row(s), msg.id, stamp) for s in slots],
                )

    def record_skipped(self, slots: Iterable[Slot], state: str, at: dt.datetime) -> int:
        """Reminders not sent, with why: ``missed`` (too late) or ``superseded`` (a later one went)."""
        rows = [(*_slot_row(s), None, state, at.isoformat()) for s in slots]
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO reminders VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def mark(self, message_id: str, state: str, at: dt.datetime, error: str | None = None) -> None:
        """The outcome of one attempt (sent/failed) or a final verdict (missed/cancelled)."""
        with self._tx() as db:
            self._mark(db, message_id, state, at.isoformat(), error)

    @staticmethod
    def _mark(
        db: sqlite3.Connection, message_id: str, state: str, stamp: str, error: str | None
    ) -> None:
        attempt = 1 if state in ("sent", "failed") else 0
        db.execute(
            "UPDATE messages SET state = ?, attempts = attempts + ?, updated = ?, error = ? "
            "WHERE id = ?",
            (state, attempt, stamp, error, message_id),
        )
        db.execute("UPDATE reminders SET state = ? WHERE message = ?", (state, message_id))

    def unfinished(self) -> list[Stored]:
        """Messages written but not accepted: pending (maybe interrupted) or failed."""
        out = []
        rows = self.db.execute(
            "SELECT id, addressee, channel, send_at, subject, body, html, markdown, state, attempts "
            "FROM messages WHERE state IN ('pending', 'failed') ORDER BY send_at, id"
        ).fetchall()
        for mid, addressee, channel, send_at, subject, body, html, md, state, attempts in rows:
            msg = Message(
                mid, addressee, channel, dt.datetime.fromisoformat(send_at), subject, body, html, md
            )
            slots = tuple(
                Slot(o, k, dt.date.fromisoformat(s), a, c, u, dt.date.fromisoformat(d))
                for o, k, s, a, c, u, d in self.db.execute(
                    "SELECT occurrence, kind, slot, addressee, channel, unit, due FROM reminders "
                    "WHERE message = ? ORDER BY occurrence, kind, slot",
                    (mid,),
                )
            )
            out.append(Stored(msg, state, attempts, slots))
        return out

    # -- deliveries, per recipient (schema 2) ---------------------------------------------

    def record_delivery(
        self, message_id: str, recipient: str, state: str, answer: str | None, at: dt.datetime
    ) -> None:
        """One recipient's answer to one message; a later answer replaces an earlier one."""
        self.record_deliveries(message_id, [(recipient, state, answer)], at)

    def record_deliveries(
        self,
        message_id: str,
        answers: Iterable[tuple[str, str, str | None]],
        at: dt.datetime,
        *,
        outcome: str | None = None,
        error: str | None = None,
    ) -> None:
        """Several (recipient, state, answer) and, if given, the message's new state, at once.

        One transaction: a message's answers and its state never disagree after a crash,
        and one commit per message instead of several keeps a 10,000-mail run fast.
        """
        stamp = at.isoformat()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO deliveries VALUES (?,?,?,?,?) ON CONFLICT (message, recipient) "
                "DO UPDATE SET state = excluded.state, answer = excluded.answer, at = excluded.at",
                [(message_id, r, state, answer, stamp) for r, state, answer in answers],
            )
            if outcome is not None:
                self._mark(db, message_id, outcome, stamp, error)

    def delivered_to(self, message_id: str) -> set[str]:
        return self._recipients(message_id, ("sent",))

    def settled(self, message_id: str) -> set[str]:
        """Recipients never to send this message to again: they accepted or refused it for good."""
        return self._recipients(message_id, ("sent", "refused"))

    def _recipients(self, message_id: str, states: tuple[str, ...]) -> set[str]:
        if self.version < 2:  # an old ledger opened read-only: nothing recorded per recipient
            return set()
        marks = ",".join("?" * len(states))
        return {
            r
            for (r,) in self.db.execute(
                f"SELECT recipient FROM deliveries WHERE message = ? AND state IN ({marks})",
                (message_id, *states),
            )
        }

    def delivery_problems(self) -> list[DeliveryProblem]:
        if self.version < 2:
            return []
        return [
            DeliveryProblem(
                mid, addressee, channel, rcpt, answer or "", dt.datetime.fromisoformat(at)
            )
            for mid, addressee, channel, rcpt, answer, at in self.db.execute(
                "SELECT d.message, m.addressee, m.channel, d.recipient, d.answer, d.at "
                "FROM deliveries d JOIN messages m ON m.id = d.message "
                "WHERE d.state = 'refused' ORDER BY d.at, d.message, d.recipient"
            )
        ]

    def messages(self, state: str | None = None) -> list[tuple[str, str, str, str, str, int]]:
        """(id, addressee, channel, send_at, state, attempts) of every message, oldest first."""
        query = "SELECT id, addressee, channel, send_at, state, attempts FROM messages"
        args: tuple[str, ...] = ()
        if state:
            query, args = query + " WHERE state = ?", (state,)
        return list(self.db.execute(query + " ORDER BY send_at, id", args))

    def missed(self) -> list[Missed]:
        return [
            Missed(o, k, dt.date.fromisoformat(s), a, c, u)
            for o, k, s, a, c, u in self.db.execute(
                "SELECT occurrence, kind, slot, addressee, channel, unit FROM reminders "
                "WHERE state = 'missed' ORDER BY slot, occurrence, addressee, channel"
            )
        ]

    # -- done-tracking --------------------------------------------------------------------

    def mark_done(
        self, occurrence: str, unit: str, on: dt.date, url: str | None, at: dt.datetime
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO done VALUES (?,?,?,?,?) ON CONFLICT (occurrence) DO UPDATE SET "
                "on_date = excluded.on_date, url = excluded.url, recorded = excluded.recorded",
                (occurrence, unit, on.isoformat(), url, at.isoformat()),
            )
            db.execute(
                "INSERT INTO done_log (occurrence, action, on_date, url, recorded) VALUES (?,?,?,?,?)",
                (occurrence, "done", on.isoformat(), url, at.isoformat()),
            )

    def mark_undone(self, occurrence: str, at: dt.datetime) -> bool:
        with self._tx() as db:
            gone = db.execute("DELETE FROM done WHERE occurrence = ?", (occurrence,)).rowcount
            if gone:
                db.execute(
                    "INSERT INTO done_log (occurrence, action, recorded) VALUES (?, 'undone', ?)",
                    (occurrence, at.isoformat()),
                )
        return bool(gone)

    def done(self) -> dict[str, Done]:
        return {
            o: Done(o, u, dt.date.fromisoformat(d), url)
            for o, u, d, url in self.db.execute("SELECT occurrence, unit, on_date, url FROM done")
        }


def _slot_row(s: Slot) -> tuple[str, str, str, str, str, str, str]:
    return (
        s.occurrence,
        s.kind,
        s.day.isoformat(),
        s.addressee,
        s.channel,
        s.unit,
        s.due.isoformat(),
    )
