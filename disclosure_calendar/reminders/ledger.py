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

SCHEMA_VERSION = 3

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

# Version 2: event dates recorded with `disclosure-calendar event add` (issue 10).
_EVENTS = """
CREATE TABLE events (
    duty TEXT NOT NULL,
    date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    added TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (duty, date)
);
"""


@dataclass(frozen=True)
class EventRecord:
    """An event date of an event-triggered duty, as recorded with `event add`."""

    duty: str
    date: dt.date
    note: str
    added: dt.datetime
    added_by: str


# Schema 2 -> 3 (issue 12, the web portal): who changed what from where, and signed access
# links, recorded when issued so a coordinator can list and revoke them. Only tables are
# added: no rewrite of existing rows.
_WEB = """
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,               -- ISO 8601 with offset
    actor TEXT NOT NULL,            -- 'unit:finance', 'coordinator', 'cli'
    action TEXT NOT NULL,           -- done, undone, access-issued, access-revoked, ...
    unit TEXT,                      -- the unit whose occurrence or access it is
    occurrence TEXT,
    evidence TEXT,                  -- the URL where the publication is
    remote TEXT,                    -- the client address the change came from
    detail TEXT
);
CREATE INDEX audit_unit ON audit (unit, seq);
CREATE INDEX done_unit ON done (unit);        -- a unit's page reads only its own marks
CREATE TABLE access_tokens (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('unit', 'coordinator')),
    unit TEXT,
    issued TEXT NOT NULL,
    expires TEXT NOT NULL,
    revoked TEXT
);
"""


@dataclass(frozen=True)
class Done:
    occurrence: str
    unit: str
    on: dt.date
    url: str | None
    recorded: dt.datetime | None = None  # when the mark was entered (undo is same-day only)


@dataclass(frozen=True)
class AuditEntry:
    """One change, as the audit log keeps it: who, what, when, from where, with what evidence."""

    at: dt.datetime
    actor: str
    action: str
    unit: str | None = None
    occurrence: str | None = None
    evidence: str | None = None
    remote: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class TokenRecord:
    """An access link as issued; the link itself is never stored, only its id."""

    id: str
    role: str
    unit: str | None
    issued: dt.datetime
    expires: dt.datetime
    revoked: dt.datetime | None


@dataclass(frozen=True)
class Stored:
    """A message the ledger holds that has not been accepted yet."""

    message: Message
    state: str
    attempts: int
    slots: tuple[Slot, ...]


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

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise DisclosureError(
                f"{self.path}: no ledger here yet (run the daemon or `done` first)"
            )
        try:
            self.db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DisclosureError(f"{self.path}: not a usable ledger database ({exc})") from None

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
            # Forward only, one step per version; executescript would commit mid-transaction.
            steps = [_SCHEMA, _EVENTS, _WEB]
            for script in steps[version:]:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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
        attempt = 1 if state in ("sent", "failed") else 0
        with self._tx() as db:
            db.execute(
                "UPDATE messages SET state = ?, attempts = attempts + ?, updated = ?, error = ? "
                "WHERE id = ?",
                (state, attempt, at.isoformat(), error, message_id),
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
        self,
        occurrence: str,
        unit: str,
        on: dt.date,
        url: str | None,
        at: dt.datetime,
        *,
        audit: AuditEntry | None = None,
    ) -> None:
        """Record a publication; ``audit``, if given, is written in the same transaction."""
        with self._tx() as db:
            if audit is not None:
                _insert_audit(db, audit)
            db.execute(
                "INSERT INTO done VALUES (?,?,?,?,?) ON CONFLICT (occurrence) DO UPDATE SET "
                "on_date = excluded.on_date, url = excluded.url, recorded = excluded.recorded",
                (occurrence, unit, on.isoformat(), url, at.isoformat()),
            )
            db.execute(
                "INSERT INTO done_log (occurrence, action, on_date, url, recorded) VALUES (?,?,?,?,?)",
                (occurrence, "done", on.isoformat(), url, at.isoformat()),
            )

    def mark_undone(
        self, occurrence: str, at: dt.datetime, *, audit: AuditEntry | None = None
    ) -> bool:
        with self._tx() as db:
            gone = db.execute("DELETE FROM done WHERE occurrence = ?", (occurrence,)).rowcount
            if gone:
                if audit is not None:
                    _insert_audit(db, audit)
                db.execute(
                    "INSERT INTO done_log (occurrence, action, recorded) VALUES (?, 'undone', ?)",
                    (occurrence, at.isoformat()),
                )
        return bool(gone)

    def done(self, unit: str | None = None) -> dict[str, Done]:
        """Every done mark, or only ``unit``'s."""
        query = "SELECT occurrence, unit, on_date, url, recorded FROM done"
        args: tuple[str, ...] = ()
        if unit is not None:
            query, args = query + " WHERE unit = ?", (unit,)
        return {
            o: Done(o, u, dt.date.fromisoformat(d), url, dt.datetime.fromisoformat(r))
            for o, u, d, url, r in self.db.execute(query, args)
        }

    # -- audit log and access links (schema 3) ----------------------------------------------
    #
    # The interface another backend must offer for the web portal:
    #   audit(entry)                           append one AuditEntry
    #   audit_log(limit, unit=None)            newest first, only ``unit``'s if given
    #   record_token(token_id, role, unit, issued, expires)
    #   revoke_token(token_id, at) -> bool     False when unknown or already revoked
    #   revoke_unit_tokens(unit, at) -> int    every live link of a unit
    #   is_revoked(token_id) -> bool
    #   tokens(unit=None) -> list[TokenRecord] oldest first

    def audit(self, entry: AuditEntry) -> None:
        with self._tx() as db:
            _insert_audit(db, entry)

    def audit_log(self, limit: int = 100, unit: str | None = None) -> list[AuditEntry]:
        query = "SELECT at, actor, action, unit, occurrence, evidence, remote, detail FROM audit"
        args: tuple[object, ...] = ()
        if unit is not None:
            query, args = query + " WHERE unit = ?", (unit,)
        rows = self.db.execute(query + " ORDER BY seq DESC LIMIT ?", (*args, limit))
        return [AuditEntry(dt.datetime.fromisoformat(at), *rest) for at, *rest in rows]

    def record_token(
        self,
        token_id: str,
        role: str,
        unit: str | None,
        issued: dt.datetime,
        expires: dt.datetime,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO access_tokens (id, role, unit, issued, expires) VALUES (?,?,?,?,?)",
                (token_id, role, unit, issued.isoformat(), expires.isoformat()),
            )

    def revoke_token(self, token_id: str, at: dt.datetime) -> bool:
        with self._tx() as db:
            changed = db.execute(
                "UPDATE access_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (at.isoformat(), token_id),
            ).rowcount
        return bool(changed)

    def revoke_unit_tokens(self, unit: str, at: dt.datetime) -> int:
        with self._tx() as db:
            return int(
                db.execute(
                    "UPDATE access_tokens SET revoked = ? WHERE unit = ? AND revoked IS NULL",
                    (at.isoformat(), unit),
                ).rowcount
            )

    def is_revoked(self, token_id: str) -> bool:
        row = self.db.execute(
            "SELECT revoked FROM access_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        return row is not None and row[0] is not None

    def tokens(self, unit: str | None = None) -> list[TokenRecord]:
        query = "SELECT id, role, unit, issued, expires, revoked FROM access_tokens"
        args: tuple[str, ...] = ()
        if unit is not None:
            query, args = query + " WHERE unit = ?", (unit,)
        return [
            TokenRecord(
                i,
                r,
                u,
                dt.datetime.fromisoformat(iss),
                dt.datetime.fromisoformat(exp),
                dt.datetime.fromisoformat(rev) if rev else None,
            )  # fmt: skip
            for i, r, u, iss, exp, rev in self.db.execute(query + " ORDER BY issued, id", args)
        ]

    # -- event dates ----------------------------------------------------------------------

    def add_event(
        self, duty: str, date: dt.date, note: str, at: dt.datetime, added_by: str = "cli"
    ) -> None:
        """Record an event date of a duty; a date already recorded is an error."""
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO events (duty, date, note, added, added_by) VALUES (?,?,?,?,?)",
                    (duty, date.isoformat(), note, at.isoformat(), added_by),
                )
        except sqlite3.IntegrityError:
            raise DisclosureError(f"{duty} {date}: this event is already recorded") from None

    def remove_event(self, duty: str, date: dt.date) -> bool:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM events WHERE duty = ? AND date = ?", (duty, date.isoformat())
            ).rowcount
        return bool(gone)

    def events(self, duty: str | None = None) -> list[EventRecord]:
        """Recorded event dates, sorted by duty and date; only ``duty``'s if given."""
        query = "SELECT duty, date, note, added, added_by FROM events"
        args: tuple[str, ...] = ()
        if duty is not None:
            query, args = query + " WHERE duty = ?", (duty,)
        return [
            EventRecord(d, dt.date.fromisoformat(day), note, dt.datetime.fromisoformat(a), by)
            for d, day, note, a, by in self.db.execute(query + " ORDER BY duty, date", args)
        ]


def _insert_audit(db: sqlite3.Connection, e: AuditEntry) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, unit, occurrence, evidence, remote, detail) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (e.at.isoformat(), e.actor, e.action, e.unit, e.occurrence, e.evidence, e.remote, e.detail),
    )


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
