"""The daemon's share of the ledger: messages written before they are sent, with the
reminders they carry, read back as the daemon's own types (``messages``): what the decision
reads, the queue it claims from. The rest of the ledger (done marks, events, outcomes,
claims' bookkeeping) is ``disclosure_calendar.ledger``'s, which knows nothing of reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..ledger import AuditEntry, Ledger, backends, claims, schema
from ..ledger.portal import insert_audit
from ..ledger.schema import deliveries, done, messages, reminders
from .messages import Message, Slot, State


@dataclass(frozen=True)
class Stored:
    """A message the ledger holds that has not been accepted yet."""

    message: Message
    state: str
    attempts: int
    slots: tuple[Slot, ...]
    created: dt.datetime | None = None  # when it was written (the writer's clock)


class ReminderLedger(Ledger):
    """The ledger with what only the daemon writes and reads: messages and their reminders."""

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
        """The text of a message rendered again when it goes out (messages.rerender): the
        ledger keeps what was sent."""
        with self._tx() as conn:
            conn.execute(
                messages.update()
                .where(messages.c.id == msg.id)
                .values(subject=msg.subject, body=msg.text, html=msg.html, markdown=msg.markdown)
            )

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


def reopen_failed(
    ledger: Ledger,
    now: dt.datetime,
    since: dt.datetime,
    ids: Collection[str] | None = None,
    *,
    audit: AuditEntry | None = None,
) -> list[str]:
    """Reminders that failed for good since ``since``, due again at ``now``; their ids.

    ``remind --retry-failed`` and the dashboard's button: once the cause is fixed (a wrong
    address or password, a moved webhook), each message refused by a recipient (an SMTP 5xx,
    an HTTP 4xx) or tried and not accepted before its grace window closed is sent once more,
    with its Message-ID, to the recipients that have not accepted it (the next pass claims
    it: its send time is ``now``). The notices of delivery problems are not resent. ``ids``:
    only these. ``audit``, if given, is written in the same transaction when anything was.
    """
    m, d, r = messages.c, deliveries.c, reminders.c
    refused = sa.select(d.message).where(d.state == "refused")
    query = sa.select(m.id, m.send_at).where(
        m.id.not_like("%.problem@%"),
        sa.or_(
            sa.and_(m.state.in_(("sent", "cancelled")), m.id.in_(refused)),
            sa.and_(m.state == "missed", m.attempts > 0),
        ),
    )
    reopened = []
    with ledger._tx() as conn:
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
            conn.execute(reminders.update().where(r.message == mid).values(state="pending"))
            reopened.append(mid)
        if reopened and audit is not None:
            insert_audit(conn, audit)
    return reopened


_SLOTS = (
    sa.select(
        reminders.c.occurrence, reminders.c.kind, reminders.c.slot, reminders.c.addressee,
        reminders.c.channel, reminders.c.unit, reminders.c.due,
    )
    .where(reminders.c.message == sa.bindparam("mid"))
    .order_by(reminders.c.occurrence, reminders.c.kind, reminders.c.slot)
)  # fmt: skip


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
