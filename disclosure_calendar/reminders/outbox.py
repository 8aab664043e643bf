"""The daemon's share of the ledger: messages written before they are sent, with the
reminders they carry, read back as the daemon's own types (``messages``): what the decision
reads, the queue it claims from. The rest of the ledger (done marks, events, outcomes,
claims' bookkeeping) is ``disclosure_calendar.ledger``'s, which knows nothing of reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..ledger import Ledger, backends, claims, schema
from ..ledger.schema import done, messages, reminders
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
        self, owner: str, lease: float, *, after: tuple[str, str] | None = None
    ) -> Stored | None:
        """Hold the next unfinished message nobody holds (see claims.py); None when none is left."""
        with self._tx() as conn:
            row = claims.claim_next(conn, owner, lease, after)
            return None if row is None else self._stored(conn, [row])[0]

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
