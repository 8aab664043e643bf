"""Where the ledger lives: an SQLite file or a PostgreSQL database, and what differs between them.

Everything dialect-specific is here, so the rest of the ledger is one body of SQLAlchemy Core:

- *opening*: SQLite gets WAL, ``synchronous=NORMAL``, a busy timeout and every transaction
  ``BEGIN IMMEDIATE`` (one writer at a time, taken at the start, so a read-then-write never
  fails half-way on a lock); PostgreSQL gets psycopg 3, a connect timeout, TCP keepalives and a
  pre-ping, so a connection that died while the daemon slept is replaced, not used.
- *the decision lock*: a transaction-scoped advisory lock on PostgreSQL; SQLite's immediate
  transaction already is one.
- *the database's clock* for claim leases (``clock_timestamp()`` / ``julianday('now')``): one
  clock for every daemon, whatever their hosts' clocks say.
- *telling a lost connection* (retry later) from a real error (a bug or a bad ledger).
- *checking the file or server before use*: a folder, an empty or foreign file, a damaged
  database (SQLite's own integrity check), a server that accepts no writes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.files import ledger_file

# Any constant will do: it names "the decision" among the advisory locks of this database.
_DECISION_LOCK = 0x44434C4544474552  # "DCLEDGER"
# libpq gives up on a connect after this many seconds, and on a silent peer after
# keepalives_idle + interval * count; an unplugged server then costs a daemon about 25 s.
_PG_CONNECT = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
# An execution option marking a transaction that only reads (LedgerBase._read).
READING = "disclosure_calendar_reading"
# SQLSTATE classes and codes that mean "the server went away", not "the query is wrong".
_PG_GONE = ("08", "57P01", "57P02", "57P03")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# A new SQLite file is empty for the moment between its creation and its first page; another
# process opening it then is creating the same ledger, not looking at a truncated one.
_CREATING_SECONDS = 10.0
# The SQLite files (device, inode) this process has connections to. Closing any descriptor of
# a file drops every POSIX lock the process holds on it, SQLite's included: after that, another
# process closing its last connection takes this one's WAL for unused, checkpoints it and
# deletes it, and the writes this process goes on making land in the deleted file, lost. So
# a file SQLite holds here is never opened by Python again (check_file reads it only before).
_HELD: set[tuple[int, int]] = set()


class LedgerUnreachable(DisclosureError):
    """The ledger's server cannot be reached now; trying again later may work."""


class LedgerMissing(DisclosureError):
    """There is no ledger at the address (and we were told not to start one)."""

    def __init__(self, shown: str):
        super().__init__(
            _("{where}: no ledger here yet (run the daemon or `done` first)").format(where=shown)
        )


class LedgerDamaged(DisclosureError):
    """The ledger's file is not a whole database: refused before anything is written to it."""


def _damaged(shown: str, detail: str) -> LedgerDamaged:
    return LedgerDamaged(
        _(
            "{where}: the ledger is damaged ({detail}); nothing was written to it. Stop the "
            "daemon and the portal, restore the file from a backup (or rescue what is left: "
            "sqlite3 {where} .recover | sqlite3 rescued.db) and point --db at the restored file"
        ).format(where=shown, detail=detail)
    )


@dataclass(frozen=True)
class Target:
    """A ledger's address: ``url`` for SQLAlchemy, ``shown`` for people (no password)."""

    url: sa.URL
    path: Path | None  # the file, for SQLite

    @property
    def kind(self) -> str:
        return "sqlite" if self.path is not None else "postgresql"

    @property
    def shown(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)

    def exists(self) -> bool:
        """False only when there is surely no ledger (an SQLite file not there)."""
        return self.path is None or self.path.exists()


def parse_target(value: str | Path) -> Target:
    """``--db``: a file path (SQLite), ``sqlite:PATH``, or a ``postgresql://`` URL."""
    if isinstance(value, Path):
        return Target(sa.URL.create("sqlite", database=str(value)), value)
    text = value.strip()
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        try:
            url = sa.make_url(text)
        except sa.exc.ArgumentError as exc:
            raise DisclosureError(f"--db: {exc}") from None  # SQLAlchemy's words
        return Target(url.set(drivername="postgresql+psycopg"), None)
    path = ledger_file(text)
    if path is None:
        scheme = text.split("://", 1)[0]
        raise DisclosureError(
            _(
                "--db: {scheme}:// is not a ledger address (use a file path or postgresql://...)"
            ).format(scheme=scheme)
        )
    if str(path) == ".":  # "" or "sqlite:"
        raise DisclosureError(_("--db: no path given"))
    return Target(sa.URL.create("sqlite", database=str(path)), path)


def check_file(target: Target) -> None:
    """Refuse an SQLite path that cannot be a ledger, before SQLite opens (and writes) it.

    A folder, an empty file (SQLite would take it for a new database and fill it) and a file
    that is no SQLite database (``--db schedule.yaml``) each get a sentence saying what to do.
    A missing file is the caller's to judge (a new ledger, or LedgerMissing).
    """
    path = target.path
    if path is None:
        return
    if path.is_dir():
        raise DisclosureError(
            _("--db {path} is a folder, not a ledger file; name a file, e.g. {example}").format(
                path=path, example=path / "disclosure-calendar.db"
            )
        )
    try:
        st = path.stat()
        if (st.st_dev, st.st_ino) in _HELD:
            return  # checked when first opened; opening it again would drop SQLite's locks
        size, mtime = st.st_size, st.st_mtime
        with path.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DisclosureError(
            _("--db {path}: cannot read the ledger file ({reason})").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    if size == 0:
        if time.time() - mtime < _CREATING_SECONDS:
            return  # another process is creating this ledger right now
        raise LedgerDamaged(
            _(
                "{path} is an empty file (0 bytes), not a ledger. If it was the ledger, restore "
                "it from a backup; to start a new ledger, delete the empty file"
            ).format(path=path)
        )
    if head != _SQLITE_MAGIC:
        raise DisclosureError(
            _(
                "--db {path} is not a ledger (not an SQLite database); --db names the ledger "
                "file (disclosure-calendar.db beside the schedule) or a postgresql:// URL"
            ).format(path=path)
        )


def check_database(conn: Connection, target: Target, *, full: bool, writing: bool) -> None:
    """Refuse a damaged SQLite ledger, or a PostgreSQL one that will not take writes.

    ``full``: SQLite's ``integrity_check`` (every index against its table: `ledger status` and
    `ledger upgrade`); otherwise ``quick_check`` (the pages and their structure, a few ms on
    a year's ledger), run by every command that writes before its first write.
    """
    if conn.dialect.name == "postgresql":
        if writing and conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
            raise DisclosureError(
                _(
                    "ledger {where} accepts no writes (a standby server, or a read-only "
                    "database): point --db at the primary server"
                ).format(where=target.shown)
            )
        return
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [str(r) for r in conn.exec_driver_sql(f"PRAGMA {pragma}(5)").scalars()]
    except sa.exc.DatabaseError as exc:  # the check itself could not read a page
        raise _damaged(target.shown, str(exc.orig)) from None
    if rows != ["ok"]:
        found = [line for row in rows for line in row.splitlines()]
        raise _damaged(target.shown, "; ".join(found[:3]) + ("; …" if len(found) > 3 else ""))


def create_engine(target: Target, *, read_only: bool = False) -> Engine:
    """``read_only``: the database itself refuses every write (for reports and dry runs)."""
    if target.path is not None:
        return _sqlite_engine(target.path, read_only)
    args: dict[str, Any] = dict(_PG_CONNECT)
    if read_only:
        args["options"] = "-c default_transaction_read_only=on"
    return sa.create_engine(
        target.url, pool_pre_ping=True, pool_size=2, max_overflow=2, connect_args=args
    )


def _sqlite_engine(path: Path, read_only: bool) -> Engine:
    if read_only:
        url = f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
        engine = sa.create_engine(url)
    else:
        engine = sa.create_engine(sa.URL.create("sqlite", database=str(path)))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi: sqlite3.Connection, record: Any) -> None:
        dbapi.isolation_level = None  # we say BEGIN ourselves, below
        dbapi.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        if not read_only:
            _wal(dbapi)
            dbapi.execute("PRAGMA synchronous = NORMAL")
        dbapi.execute("PRAGMA foreign_keys = ON")
        with contextlib.suppress(OSError):
            st = path.stat()
            _HELD.add((st.st_dev, st.st_ino))

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        # A transaction that only reads (READING) starts deferred: under WAL it reads a
        # snapshot beside the one writer instead of queueing behind it.
        reading = read_only or conn.get_execution_options().get(READING, False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


_BUSY_MS = 10_000


def _wal(dbapi: sqlite3.Connection) -> None:
    """Switch to WAL mode, waiting out another process doing the same.

    Two processes creating a ledger at once (two ``remind`` runs, a daemon and the portal)
    both ask a new file for WAL mode; SQLite refuses one of them at once, as a deadlock,
    without the busy wait. The refused one tries again, for as long as the busy wait lasts.
    """
    deadline = time.monotonic() + _BUSY_MS / 1000
    while True:
        try:
            dbapi.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def lock_decisions(conn: Connection) -> None:
    """Hold the decision lock until this transaction ends: one daemon decides at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_DECISION_LOCK)))
    # SQLite: BEGIN IMMEDIATE already holds the only write lock there is.


def database_now_for(dialect: str) -> sa.ColumnElement[float]:
    """The database server's clock in Unix seconds, as an SQL expression."""
    if dialect == "postgresql":
        return sa.extract("epoch", sa.func.clock_timestamp()).cast(sa.Float)
    return (sa.func.julianday("now") - 2440587.5) * 86400.0


def after_migration(conn: Connection, version: int) -> None:
    """SQLite also carries the version where ledgers before PostgreSQL support kept it.

    A program older than this one reads only ``PRAGMA user_version``: seeing a number higher
    than its own, it refuses the ledger instead of writing into a schema it does not know.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")


def legacy_version(conn: Connection) -> int:
    """The schema version of a ledger from before the version table (SQLite only), else 0."""
    if conn.dialect.name != "sqlite":
        return 0
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)


def reset_sequences(conn: Connection, table: sa.Table) -> None:
    """After rows were copied in with their ids, new rows must not reuse them (PostgreSQL)."""
    if conn.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is True:
            conn.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"table": table.name, "column": column.name},
            )


def translate(exc: sa.exc.DBAPIError, target: Target) -> DisclosureError:
    """A database error as the user should read it, unreachable or not."""
    orig = exc.orig
    if target.path is None:
        code = getattr(orig, "sqlstate", None)
        text = str(orig)
        if code == "3D000" or ("does not exist" in text and "database" in text):
            return DisclosureError(
                _(
                    "ledger {where}: the database {database} does not exist on that server; "
                    "create it (createdb {database}, or CREATE DATABASE {database}; in psql) "
                    "and run the command again"
                ).format(where=target.shown, database=target.url.database)
            )
        if code == "28P01" or "password authentication failed" in text:
            return DisclosureError(
                _(
                    "ledger {where}: the server refused the user name or password; check them "
                    "in the URL (or PGPASSWORD)"
                ).format(where=target.shown)
            )
        if "Connection refused" in text:
            return LedgerUnreachable(
                _(
                    "ledger {where} is unreachable: nothing answers at {host}:{port} (is "
                    "PostgreSQL running there, and is the port in the URL right?)"
                ).format(
                    where=target.shown,
                    host=target.url.host or "localhost",
                    port=target.url.port or 5432,
                )
            )
        if exc.connection_invalidated or (
            isinstance(exc, sa.exc.OperationalError) and (code is None or code.startswith(_PG_GONE))
        ):
            first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
            return LedgerUnreachable(
                _("ledger {where} is unreachable: {reason}").format(
                    where=target.shown, reason=first
                )
            )
        return DisclosureError(
            _("ledger {where}: {reason}").format(where=target.shown, reason=orig)
        )
    if isinstance(orig, sqlite3.OperationalError):
        if "locked" in str(orig):
            return LedgerUnreachable(
                _("{where}: the ledger stayed locked ({reason})").format(
                    where=target.shown, reason=orig
                )
            )
        if "unable to open" in str(orig):
            return DisclosureError(
                _("{where}: SQLite cannot open the ledger file ({reason})").format(
                    where=target.shown, reason=orig
                )
            )
        return DisclosureError(f"{target.shown}: {orig}")
    if "malformed" in str(orig) or "not a database" in str(orig):
        return _damaged(target.shown, str(orig))
    return DisclosureError(
        _("{where}: not a usable ledger database ({reason})").format(
            where=target.shown, reason=orig
        )
    )


def insert(conn: Connection, table: sa.Table) -> Any:
    """An INSERT that can say ON CONFLICT (both dialects spell it the same way in SQLAlchemy)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
