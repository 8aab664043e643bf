"""The ledger's tables, declared once for both backends, and the forward migrations between versions.

Values are ISO 8601 text on both backends (dates ``2026-04-07``, instants with their offset),
as the first SQLite ledgers stored them: a copy between backends is then exact, and ordering
by ``send_at`` is the same everywhere. Only the claim lease is a number, Unix seconds on the
database's clock, because it is compared with that clock.

``schema_version`` has one row per migration applied, with when and what. A new ledger is
created at the latest version in one step; an older one is brought forward migration by
migration, in the same transaction as the check, under the decision lock, so two daemons
starting together never both migrate. A ledger newer than this program is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from . import backends

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    # also the e-mail Message-ID and the webhook's idempotency key
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("addressee", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("send_at", sa.Text, nullable=False),  # the reminder time it stands for
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("markdown", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("updated", sa.Text, nullable=False),
    sa.Column("error", sa.Text),
    # who holds (or last held) the message, and until when (database clock, Unix seconds)
    sa.Column("claimed_by", sa.Text),
    sa.Column("claimed_until", sa.Float),
    sa.CheckConstraint(
        "state IN ('pending', 'sent', 'failed', 'missed', 'cancelled')", name="messages_state_ck"
    ),
)
QUEUE = "state IN ('pending', 'failed')"
# The unfinished messages in the order they are claimed. (The first ledgers also had an index
# on state alone: SQLite preferred it and sorted every unfinished message for each claim,
# 14 ms a claim with 10,000 pending; the claims migration drops it.)
sa.Index(
    "messages_queue",
    messages.c.send_at,
    messages.c.id,
    sqlite_where=sa.text(QUEUE),
    postgresql_where=sa.text(QUEUE),
)
reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("occurrence", sa.Text, primary_key=True),  # per-unit uid, as `done` takes it
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("slot", sa.Text, primary_key=True),  # the working day the reminder belongs to
    sa.Column("addressee", sa.Text, primary_key=True),  # a unit id or 'coordinator'
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("due", sa.Text, nullable=False),
    sa.Column("message", sa.Text, sa.ForeignKey("messages.id")),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("recorded", sa.Text, nullable=False),
    sa.CheckConstraint("kind IN ('remind', 'due', 'overdue')", name="reminders_kind_ck"),
    sa.CheckConstraint(
        "state IN ('pending', 'sent', 'failed', 'missed', 'superseded', 'cancelled')",
        name="reminders_state_ck",
    ),
)
sa.Index("reminders_message", reminders.c.message)
done = sa.Table(
    "done",
    metadata,
    sa.Column("occurrence", sa.Text, primary_key=True),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("on_date", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("recorded", sa.Text, nullable=False),
)
done_log = sa.Table(
    "done_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurrence", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("on_date", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("recorded", sa.Text, nullable=False),
    sa.CheckConstraint("action IN ('done', 'undone')", name="done_log_action_ck"),
)
events = sa.Table(
    "events",
    metadata,
    sa.Column("duty", sa.Text, primary_key=True),
    sa.Column("date", sa.Text, primary_key=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("added", sa.Text, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
)
# One row per recipient of a message and its answer (issue 16): a message refused by one
# address is resent only to the others; a refusal for good is a delivery problem to report.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("message", sa.Text, sa.ForeignKey("messages.id"), primary_key=True),
    # an e-mail address, or a webhook's URL without its query
    sa.Column("recipient", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("answer", sa.Text),  # the server's own words: SMTP code and text, HTTP status
    sa.Column("at", sa.Text, nullable=False),
    sa.CheckConstraint(
        "state IN ('sent', 'refused', 'failed', 'doubt')", name="deliveries_state_ck"
    ),
)
sa.Index("deliveries_state", deliveries.c.state)
# The web portal (issue 12): who changed what from where, and access links as issued.
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),  # ISO 8601 with offset
    sa.Column("actor", sa.Text, nullable=False),  # 'unit:finance', 'coordinator', 'cli'
    sa.Column("action", sa.Text, nullable=False),  # done, undone, access-issued, ...
    sa.Column("unit", sa.Text),  # the unit whose occurrence or access it is
    sa.Column("occurrence", sa.Text),
    sa.Column("evidence", sa.Text),  # the URL where the publication is
    sa.Column("remote", sa.Text),  # the client address the change came from
    sa.Column("detail", sa.Text),
)
sa.Index("audit_unit", audit.c.unit, audit.c.seq)
sa.Index("done_unit", done.c.unit)  # a unit's page reads only its own marks
access_tokens = sa.Table(
    "access_tokens",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("unit", sa.Text),
    sa.Column("issued", sa.Text, nullable=False),
    sa.Column("expires", sa.Text, nullable=False),
    sa.Column("revoked", sa.Text),
    sa.CheckConstraint("role IN ('unit', 'coordinator')", name="access_tokens_role_ck"),
)
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
)

# What a claim returns of a message: enough to send it.
STORED = (
    messages.c.id, messages.c.addressee, messages.c.channel, messages.c.send_at,
    messages.c.subject, messages.c.body, messages.c.html, messages.c.markdown,
    messages.c.state, messages.c.attempts, messages.c.created,
)  # fmt: skip

# The data tables in the order rows can be copied in (messages before the reminders naming them).
DATA_TABLES = (
    meta, messages, reminders, deliveries, done, done_log, events, audit, access_tokens,
)  # fmt: skip


# -- migrations -------------------------------------------------------------------------------


# Each step looks before it changes: an SQLite ledger from before the version table may carry
# some of these already (branches of this program numbered them differently in PRAGMA
# user_version), so an adopted ledger goes through every step and each does only what is missing.


def _v2_events(conn: Connection) -> None:
    if not sa.inspect(conn).has_table("events"):
        events.create(conn)


def _v3_claims(conn: Connection) -> None:
    have = {c["name"] for c in sa.inspect(conn).get_columns("messages")}
    if "claimed_by" not in have:
        conn.exec_driver_sql("ALTER TABLE messages ADD COLUMN claimed_by TEXT")
    if "claimed_until" not in have:
        real = sa.Float().compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE messages ADD COLUMN claimed_until {real}")
    indexes = {i["name"] for i in sa.inspect(conn).get_indexes("messages")}
    if "messages_state" in indexes:
        conn.exec_driver_sql("DROP INDEX messages_state")
    for index in messages.indexes:
        if index.name not in indexes:
            index.create(conn)


def _v4_deliveries(conn: Connection) -> None:
    if not sa.inspect(conn).has_table("deliveries"):
        deliveries.create(conn)


def _v5_portal(conn: Connection) -> None:
    have = sa.inspect(conn)
    for table in (audit, access_tokens):
        if not have.has_table(table.name):
            table.create(conn)
    if "done_unit" not in {i["name"] for i in have.get_indexes("done")}:
        for index in done.indexes:
            if index.name == "done_unit":
                index.create(conn)


# version -> (what it brings, how to bring an older ledger there). Version 1 is the first
# SQLite ledger: only ever adopted, never built (a new ledger is built at the latest version).
MIGRATIONS: dict[int, tuple[str, Callable[[Connection], None] | None]] = {
    # recorded in English in the ledger; `ledger status` shows them through the catalog
    1: (N_("messages, reminders, done marks and their log"), None),
    2: (N_("events that start event-triggered duties"), _v2_events),
    3: (N_("claims with leases, so several daemons share one ledger"), _v3_claims),
    4: (N_("deliveries: each recipient's answer to each message"), _v4_deliveries),
    5: (N_("the web portal's audit log and access links"), _v5_portal),
}
SCHEMA_VERSION = max(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The version the ledger is at; 0 for an empty database."""
    if sa.inspect(conn).has_table("schema_version"):
        return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)
    return backends.legacy_version(conn)


def history(conn: Connection) -> list[tuple[int, str, str]]:
    """(version, applied, description) of every migration the ledger went through."""
    if not sa.inspect(conn).has_table("schema_version"):
        return []
    rows = conn.execute(sa.select(schema_version).order_by(schema_version.c.version))
    return [(v, applied, description) for v, applied, description in rows]


def upgrade(conn: Connection, shown: str, *, create: bool) -> tuple[int, int]:
    """Bring the ledger to SCHEMA_VERSION inside the caller's transaction: (from, to)."""
    backends.lock_decisions(conn)
    version = current_version(conn)
    adopted = version and not sa.inspect(conn).has_table("schema_version")
    if version > SCHEMA_VERSION and not adopted:
        raise DisclosureError(
            _(
                "{where}: ledger schema {version} is newer than this program understands "
                "({latest}); upgrade disclosure-calendar"
            ).format(where=shown, version=version, latest=SCHEMA_VERSION)
        )
    if version == SCHEMA_VERSION and not adopted:
        return version, version
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if version == 0:
        if not create:
            raise backends.LedgerMissing(shown)
        metadata.create_all(conn)
        for number, (description, _step) in sorted(MIGRATIONS.items()):
            _stamp(conn, number, stamp, description)
    else:
        if not sa.inspect(conn).has_table("schema_version"):
            # Adopted: only version 1 is sure; every later step checks for itself.
            schema_version.create(conn)
            _stamp(conn, 1, stamp, "adopted from PRAGMA user_version")
            version = 1
        for number in range(version + 1, SCHEMA_VERSION + 1):
            description, step = MIGRATIONS[number]
            assert step is not None
            step(conn)
            _stamp(conn, number, stamp, description)
    backends.after_migration(conn, SCHEMA_VERSION)
    return version, SCHEMA_VERSION


def _stamp(conn: Connection, version: int, stamp: str, description: str) -> None:
    conn.execute(
        schema_version.insert().values(version=version, applied=stamp, description=description)
    )
