"""The ledger's one interface, the same over SQLite and PostgreSQL (see the package docstring):
messages' outcomes and claims, the reminders missed. Writing messages and reading them back
as the daemon's types is the daemon's own (``reminders/outbox.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import claims
from .records import Records
from .schema import messages, reminders


@dataclass(frozen=True)
class Missed:
    occurrence: str
    kind: str
    slot: dt.date
    addressee: str
    channel: str
    unit: str


class Ledger(Records):
    """The ledger at ``target`` (a path or ``postgresql://`` URL); use as a context manager.

    Opening it brings its schema to this program's version (see LedgerBase); then it holds
    messages' claims and outcomes (here), done marks, events and deliveries (Records).
    """

    def mark(
        self,
        message_id: str,
        state: str,
        at: dt.datetime,
        error: str | None = None,
        *,
        owner: str | None = None,
    ) -> bool:
        """The outcome of one attempt (sent/failed) or a final verdict (missed/cancelled).

        It ends the claim. ``sent`` is recorded whatever came before (the channel took it:
        that is the truth); any other outcome only while the message is still unfinished and,
        given an ``owner``, still held by it (else another daemon took it over meanwhile and
        its outcome stands). False when nothing was changed.
        """
        with self._tx() as conn:
            return _mark(conn, message_id, state, at, error, owner)

    def record_deliveries(
        self,
        message_id: str,
        answers: Iterable[tuple[str, str, str | None]],
        at: dt.datetime,
        *,
        outcome: str | None = None,
        error: str | None = None,
        owner: str | None = None,
    ) -> bool:
        """Several (recipient, state, answer) and, if given, the message's new state (as
        ``mark``, whose answer it returns), in one transaction: a message's answers and its
        state never disagree after a crash, and one commit a message keeps a big run fast."""
        with self._tx() as conn:
            self._upsert_deliveries(conn, message_id, answers, at)
            return outcome is not None and _mark(conn, message_id, outcome, at, error, owner)

    def release(self, owner: str) -> int:
        """Give up ``owner``'s claims on unfinished messages (a clean stop): another daemon, or
        the next start, sends them at once instead of after the lease."""
        with self._tx() as conn:
            return conn.execute(
                messages.update()
                .where(_UNFINISHED, messages.c.claimed_by == owner)
                .values(claimed_until=None)
            ).rowcount

    def seconds_to_takeover(self, owner: str) -> float | None:
        with self._read() as conn:
            return claims.seconds_to_takeover(conn, owner)

    def holders(self) -> list[tuple[str, int, float]]:
        with self._read() as conn:
            return claims.holders(conn)

    def messages(self, state: str | None = None) -> list[tuple[str, str, str, str, str, int]]:
        """(id, addressee, channel, send_at, state, attempts) of every message, oldest first."""
        m = messages.c
        query = sa.select(m.id, m.addressee, m.channel, m.send_at, m.state, m.attempts)
        if state:
            query = query.where(m.state == state)
        with self._read() as conn:
            return [tuple(r) for r in conn.execute(query.order_by(m.send_at, m.id))]

    def senders(self) -> dict[str, int]:
        """Messages sent per daemon (the claim holder that recorded them sent)."""
        m = messages.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(m.claimed_by, sa.func.count())
                .where(m.state == "sent")
                .group_by(m.claimed_by)
            )
            return {str(who): int(n) for who, n in rows}

    def missed(self) -> list[Missed]:
        r = reminders.c
        query = (
            sa.select(r.occurrence, r.kind, r.slot, r.addressee, r.channel, r.unit)
            .where(r.state == "missed")
            .order_by(r.slot, r.occurrence, r.addressee, r.channel)
        )
        with self._read() as conn:
            return [
                Missed(o, k, dt.date.fromisoformat(s), a, c, u)
                for o, k, s, a, c, u in conn.execute(query)
            ]


_OUTCOME = {
    "state": sa.bindparam("new_state"),
    "attempts": messages.c.attempts + sa.bindparam("attempt", type_=sa.Integer),
    "updated": sa.bindparam("stamp"),
    "error": sa.bindparam("why"),
    "claimed_until": None,
}
_THIS = messages.c.id == sa.bindparam("mid")
_UNFINISHED = messages.c.state.in_(("pending", "failed"))
_MARK = {
    # the channel took it: that is the truth, whoever held it
    "sent": messages.update()
    .where(_THIS, messages.c.state != "sent")
    .values(**_OUTCOME, claimed_by=sa.func.coalesce(sa.bindparam("owner"), messages.c.claimed_by)),
    # any other verdict only from the daemon that still holds it
    "held": messages.update()
    .where(_THIS, _UNFINISHED, messages.c.claimed_by == sa.bindparam("owner"))
    .values(**_OUTCOME),
    "any": messages.update().where(_THIS, _UNFINISHED).values(**_OUTCOME),
}
_MARK_SLOTS = (
    reminders.update()
    .where(reminders.c.message == sa.bindparam("mid"))
    .values(state=sa.bindparam("new_state"))
)


def _mark(
    conn: Connection,
    message_id: str,
    state: str,
    at: dt.datetime,
    error: str | None,
    owner: str | None,
) -> bool:
    params = {
        "mid": message_id,
        "new_state": state,
        "attempt": 1 if state in ("sent", "failed") else 0,
        "stamp": at.isoformat(),
        "why": error,
        "owner": owner,
    }
    kind = "sent" if state == "sent" else "held" if owner is not None else "any"
    if kind == "any":
        del params["owner"]
    changed = conn.execute(_MARK[kind], params).rowcount
    if changed:
        conn.execute(_MARK_SLOTS, {"mid": message_id, "new_state": state})
    return bool(changed)
