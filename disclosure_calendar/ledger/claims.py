"""Several daemons on one ledger: each message is claimed by one of them, with a lease.

Two ways were open: elect one leader with an advisory lock and let the others wait, or let
every daemon claim messages row by row (``SELECT ... FOR UPDATE SKIP LOCKED``) with a lease,
as APScheduler 4's SQLAlchemy store claims jobs (``acquired_by`` / ``acquired_until``). We
claim rows, because:

- a leader's lock lives in its *session*: when a leader's host or network dies, PostgreSQL
  notices only when TCP gives up (minutes, depending on keepalives), and meanwhile nobody
  sends; a lease ends at a time the ledger itself states, the same for everyone;
- the work is shared, so two daemons also send faster than one (bench/bench_ledger.py);
- SQLite gets the same code: its one writer at a time makes each claim atomic, so two
  ``remind --at`` runs on one file share the work too.

How it goes. *Deciding* what is due (reading what was handled, recording new messages as
``pending``) is done under one short lock (see ``backends.lock_decisions``), so two daemons
at the same send time do not both write the same digest: the second finds every reminder
handled and decides nothing. *Sending* is then claimed one message at a time: the oldest
``pending`` or ``failed`` message that nobody holds, or whose holder's lease ran out, is
given to this daemon until now + lease (the database's clock, not the hosts'). The daemon
sends it and records the outcome, which ends its claim. A daemon killed in between leaves
its claim to run out; the next daemon to look takes the message over and sends it again
with the same Message-ID. That keeps the at-least-once rule: at most the one message a
daemon had in flight when it died is doubled, nothing is lost. A daemon that stops cleanly
(SIGTERM) gives its claims up, so what it left pending goes out at once, not after the lease.

The lease must outlast one delivery (connect, send, retries): a claim that runs out while its
holder is still sending lets a second daemon send the same message. A daemon walks the queue
in (send_at, id) order once per pass, from a cursor, so a message that failed in this pass is
not retried in a loop; it waits for the next pass, of this daemon or another.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import backends
from .schema import QUEUE, STORED, messages

# A message held this long by a daemon that is gone is taken over by another.
DEFAULT_LEASE = 120.0


def claim_next(
    conn: Connection, owner: str, lease: float, after: tuple[str, str] | None
) -> tuple | None:
    """Claim the next message after ``after`` (send_at, id) that nobody holds; its columns.

    One statement, one round trip: an UPDATE of the row a locking sub-SELECT picked.
    """
    send_at, message_id = after or ("", "")  # every ISO date sorts after ""
    row = conn.execute(
        _claim_statement(conn.dialect.name),
        {"owner": owner, "lease": lease, "after_send_at": send_at, "after_id": message_id},
    ).first()
    return None if row is None else tuple(row)


def claim_one(conn: Connection, owner: str, lease: float, message_id: str) -> tuple | None:
    """Claim the message ``message_id`` if it is unfinished and nobody else holds it."""
    row = conn.execute(
        _claim_one_statement(conn.dialect.name),
        {"owner": owner, "lease": lease, "only": message_id},
    ).first()
    return None if row is None else tuple(row)


@functools.cache
def _claim_one_statement(dialect: str) -> sa.Update:
    now = backends.database_now_for(dialect)
    free = sa.or_(
        messages.c.claimed_until.is_(None),
        messages.c.claimed_until < now,
        messages.c.claimed_by == sa.bindparam("owner"),
    )
    return (
        messages.update()
        .where(messages.c.id == sa.bindparam("only"), sa.text(QUEUE), free)
        .values(
            claimed_by=sa.bindparam("owner"),
            claimed_until=now + sa.bindparam("lease", type_=sa.Float),
        )
        .returning(*STORED)
    )


@functools.cache
def _claim_statement(dialect: str) -> sa.Update:
    """Built once per dialect: building SQLAlchemy expressions costs more than running them."""
    now = backends.database_now_for(dialect)
    # Our own claims count as free: we send one message at a time, so any we still hold is
    # left from a pass the ledger's going away cut short.
    free = sa.or_(
        messages.c.claimed_until.is_(None),
        messages.c.claimed_until < now,
        messages.c.claimed_by == sa.bindparam("owner"),
    )
    after = sa.tuple_(messages.c.send_at, messages.c.id) > sa.tuple_(
        sa.bindparam("after_send_at"), sa.bindparam("after_id")
    )
    # SKIP LOCKED: a row another daemon is claiming this very moment is passed over, not
    # waited for (SQLite has no row locks and ignores it; its write lock serialises claims).
    pick = (
        sa.select(messages.c.id)
        .where(sa.text(QUEUE), free, after)
        .order_by(messages.c.send_at, messages.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        messages.update()
        .where(messages.c.id == pick)
        .values(
            claimed_by=sa.bindparam("owner"),
            claimed_until=now + sa.bindparam("lease", type_=sa.Float),
        )
        .returning(*STORED)
    )


def seconds_to_takeover(conn: Connection, owner: str) -> float | None:
    """How long until the first unfinished message another daemon holds may be taken over."""
    now = backends.database_now_for(conn.dialect.name)
    left = conn.execute(
        sa.select(sa.func.min(messages.c.claimed_until - now)).where(
            sa.text(QUEUE), messages.c.claimed_until.is_not(None), messages.c.claimed_by != owner
        )
    ).scalar()
    return None if left is None else max(0.0, float(left))


def holders(conn: Connection) -> list[tuple[str, int, float]]:
    """(daemon, messages it holds now, seconds its last lease has left), for `ledger status`."""
    now = backends.database_now_for(conn.dialect.name)
    rows = conn.execute(
        sa.select(
            messages.c.claimed_by,
            sa.func.count(),
            sa.func.max(messages.c.claimed_until - now),
        )
        .where(sa.text(QUEUE), messages.c.claimed_until > now)
        .group_by(messages.c.claimed_by)
        .order_by(messages.c.claimed_by)
    )
    return [(str(who), int(n), float(left)) for who, n, left in rows]
