"""The ledger's one interface, the same over SQLite and PostgreSQL (see the package docstring):
what the decision reads, messages written before they are sent, their claims and outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..messages import Message, Slot, State
from . import backends, claims, schema
from .portal import AuditEntry, insert_audit
from .records import Records
from .schema import deliveries, done, messages, reminders


@dataclass(frozen=True)
class Stored:
    """A message the ledger holds that has not been accepted yet."""

    message: Message
    state: str
    attempts: int
    slots: tuple[Slot, ...]
    created: dt.datetime | None = None  # when it was written (the writer's clock)


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
    messages, their claims and outcomes (here), done marks, events and deliveries (Records).
    """

    # -- what the decision needs ------------------------------------------------------------

    def state(self) -> State:
        with self._read() as conn:
            handled = frozenset(
                (o, k, dt.date.fromisoformat(s), a, c)
                for o, k, s, a, c in conn.execute(
                    sa.select(
                        reminders.c.occurrence,
                        reminders.c.kind,
                        reminders.c.slot,
                        reminders.c.addressee,
                        reminders.c.channel,
                    )
                )
            )
            marks = {
                o: dt.date.fromisoformat(d)
                for o, d in conn.execute(sa.select(done.c.occurrence, done.c.on_date))
            }
        return State(handled, marks)

    # -- intents and outcomes ---------------------------------------------------------------

    def record_intents(
        self, batch: Sequence[tuple[Message, Sequence[Slot]]], at: dt.datetime
    ) -> None:
        """Write messages as pending, with the reminders they carry, in one transaction."""
        if not batch:
            return
        stamp = at.isoformat()
        with self._tx() as conn:
            conn.execute(
                messages.insert(),
                [
                    {
                        "id": m.id, "addressee": m.addressee, "channel": m.channel,
                        "send_at": m.send_at.isoformat(), "subject": m.subject, "body": m.text,
                        "html": m.html, "markdown": m.markdown, "state": "pending",
                        "attempts": 0, "created": stamp, "updated": stamp,
                    }
                    for m, _ in batch
                ],
            )  # fmt: skip
            rows = [_slot_row(s, m.id, "pending", stamp) for m, slots in batch for s in slots]
            if rows:
                conn.execute(reminders.insert(), rows)

    def record_skipped(self, slots: Iterable[Slot], state: str, at: dt.datetime) -> int:
        """Reminders not sent, with why: ``missed`` (too late) or ``superseded`` (a later one went)."""
        rows = [_slot_row(s, None, state, at.isoformat()) for s in slots]
        if rows:
            with self._tx() as conn:
                conn.execute(backends.insert(conn, reminders).on_conflict_do_nothing(), rows)
        return len(rows)

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

    def claim(
        self,
        owner: str,
        lease: float,
        *,
        after: tuple[str, str] | None = None,
        only: str | None = None,
    ) -> Stored | None:
        """Hold the next unfinished message nobody holds (see claims.py), or the message
        ``only``; None when there is none (to hold)."""
        with self._tx() as conn:
            if only is not None:
                row = claims.claim_one(conn, owner, lease, only)
            else:
                row = claims.claim_next(conn, owner, lease, after)
            return None if row is None else self._stored(conn, [row])[0]

    def rewrite(self, msg: Message) -> None:
        """The text of a message rendered again when it goes out (see messages.rerender): the
        ledger keeps what was sent."""
        with self._tx() as conn:
            conn.execute(
                messages.update()
                .where(messages.c.id == msg.id)
                .values(subject=msg.subject, body=msg.text, html=msg.html, markdown=msg.markdown)
            )

    def reopen_failed(
        self,
        now: dt.datetime,
        since: dt.datetime,
        ids: Collection[str] | None = None,
        *,
        audit: AuditEntry | None = None,
    ) -> list[str]:
        """Reminders that failed for good since ``since``, due again at ``now``; their ids.

        ``remind --retry-failed`` and the dashboard's button: once the cause is fixed (a wrong
        address or password, a moved webhook), each message refused by a recipient (an SMTP
        5xx, an HTTP 4xx) or not accepted before its grace window closed is sent once more,
        with its Message-ID, to the recipients that have not accepted it. The notices of
        delivery problems are not resent. ``ids``: only these. ``audit``, if given, is written
        in the same transaction when anything was reopened.
        """
        m, d = messages.c, deliveries.c
        refused = sa.select(d.message).where(d.state == "refused")
        query = sa.select(m.id, m.send_at).where(
            m.id.not_like("%.problem@%"),
            sa.or_(
                sa.and_(m.state.in_(("sent", "cancelled")), m.id.in_(refused)),
                sa.and_(m.state == "missed", m.attempts > 0),
            ),
        )
        reopened = []
        with self._tx() as conn:
            for mid, send_at in conn.execute(query.order_by(m.send_at, m.id)).all():
                was = dt.datetime.fromisoformat(send_at)
                if was < since or (ids is not None and mid not in ids):
                    continue
                conn.execute(
                    messages.update()
                    .where(m.id == mid)
                    .values(
                        state="pending", send_at=now.astimezone(was.tzinfo).isoformat(),
                        updated=now.isoformat(), error=None, claimed_by=None, claimed_until=None,
                    )
                )  # fmt: skip
                # the refusals stand until the new answer: tried again, they are "failed" now
                conn.execute(
                    deliveries.update()
                    .where(d.message == mid, d.state == "refused")
                    .values(state="failed")
                )
                conn.execute(_MARK_SLOTS, {"mid": mid, "new_state": "pending"})
                reopened.append(mid)
            if reopened and audit is not None:
                insert_audit(conn, audit)
        return reopened

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

    def unfinished(self) -> list[Stored]:
        """Messages written but not accepted: pending (maybe interrupted) or failed."""
        query = sa.select(*schema.STORED).where(sa.text(schema.QUEUE))
        with self._read() as conn:
            rows = conn.execute(query.order_by(messages.c.send_at, messages.c.id))
            return self._stored(conn, [tuple(r) for r in rows])

    def _stored(self, conn: Connection, rows: Iterable[tuple]) -> list[Stored]:
        out = []
        for mid, addressee, channel, send_at, subject, body, html, md, state, tries, made in rows:
            msg = Message(
                mid, addressee, channel, dt.datetime.fromisoformat(send_at), subject, body, html, md
            )
            slots = tuple(
                Slot(o, k, dt.date.fromisoformat(s), a, c, u, dt.date.fromisoformat(d))
                for o, k, s, a, c, u, d in conn.execute(_SLOTS, {"mid": mid})
            )
            out.append(Stored(msg, state, tries, slots, _instant(made)))
        return out

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


_SLOTS = (
    sa.select(
        reminders.c.occurrence, reminders.c.kind, reminders.c.slot, reminders.c.addressee,
        reminders.c.channel, reminders.c.unit, reminders.c.due,
    )
    .where(reminders.c.message == sa.bindparam("mid"))
    .order_by(reminders.c.occurrence, reminders.c.kind, reminders.c.slot)
)  # fmt: skip
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


def _instant(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # only informative: an odd stamp must not stop a message going out
        return None


def _slot_row(s: Slot, message: str | None, state: str, stamp: str) -> dict[str, object]:
    return {
        "occurrence": s.occurrence,
        "kind": s.kind,
        "slot": s.day.isoformat(),
        "addressee": s.addressee,
        "channel": s.channel,
        "unit": s.unit,
        "due": s.due.isoformat(),
        "message": message,
        "state": state,
        "recorded": stamp,
    }
