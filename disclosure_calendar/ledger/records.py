"""What the ledger keeps beside the messages: done marks and their log, event dates, and each
recipient's answer to each message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from . import backends
from .base import bump_portal_version
from .portal import AuditEntry, Portal, insert_audit
from .schema import deliveries, done, done_log, events, messages


class AlreadyRecorded(DisclosureError):
    """An event date the ledger holds already (two writers at once, or twice by hand)."""


@dataclass(frozen=True)
class Done:
    occurrence: str
    unit: str
    on: dt.date
    url: str | None
    recorded: dt.datetime | None = None  # when the mark was entered (undo is same-day only)


@dataclass(frozen=True)
class EventRecord:
    duty: str
    date: dt.date
    note: str
    added: dt.datetime
    added_by: str


@dataclass(frozen=True)
class DeliveryProblem:
    """A recipient that refused a message for good: a wrong address or a moved webhook."""

    message: str
    addressee: str
    channel: str
    recipient: str
    answer: str
    at: dt.datetime


class Records(Portal):
    """Done marks, events and deliveries; the Ledger has them all."""

    # -- done-tracking ----------------------------------------------------------------------

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
        row = {"occurrence": occurrence, "unit": unit, "on_date": on.isoformat(), "url": url}
        with self._tx() as conn:
            if audit is not None:
                insert_audit(conn, audit)
            upsert = backends.insert(conn, done).values(**row, recorded=at.isoformat())
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[done.c.occurrence],
                    set_={
                        "on_date": upsert.excluded.on_date,
                        "url": upsert.excluded.url,
                        "recorded": upsert.excluded.recorded,
                    },
                )
            )
            conn.execute(
                done_log.insert().values(
                    occurrence=occurrence, action="done", on_date=row["on_date"], url=url,
                    recorded=at.isoformat(),
                )
            )  # fmt: skip
            bump_portal_version(conn)

    def mark_undone(
        self, occurrence: str, at: dt.datetime, *, audit: AuditEntry | None = None
    ) -> bool:
        with self._tx() as conn:
            gone = conn.execute(done.delete().where(done.c.occurrence == occurrence)).rowcount
            if gone:
                bump_portal_version(conn)
                if audit is not None:
                    insert_audit(conn, audit)
                conn.execute(
                    done_log.insert().values(
                        occurrence=occurrence, action="undone", recorded=at.isoformat()
                    )
                )
        return bool(gone)

    def done(self, unit: str | None = None) -> dict[str, Done]:
        """Every done mark, or only ``unit``'s."""
        d = done.c
        query = sa.select(d.occurrence, d.unit, d.on_date, d.url, d.recorded)
        if unit is not None:
            query = query.where(d.unit == unit)
        with self._read() as conn:
            return {
                o: Done(o, u, dt.date.fromisoformat(day), url, _stamp(r))
                for o, u, day, url, r in conn.execute(query).all()
            }

    def done_log(self) -> list[tuple[str, str]]:
        """(occurrence, done/undone) in the order recorded."""
        with self._read() as conn:
            query = sa.select(done_log.c.occurrence, done_log.c.action).order_by(done_log.c.seq)
            return [(o, a) for o, a in conn.execute(query)]

    # -- events that start event-triggered duties -------------------------------------------

    def add_event(
        self, duty: str, date: dt.date, note: str, at: dt.datetime, added_by: str = "cli"
    ) -> None:
        row = {"duty": duty, "date": date.isoformat(), "note": note}
        with self._tx() as conn:
            # RETURNING, not rowcount: drivers need not count rows an INSERT left out.
            added = conn.execute(
                backends.insert(conn, events)
                .values(**row, added=at.isoformat(), added_by=added_by)
                .on_conflict_do_nothing()
                .returning(events.c.duty)
            ).first()
            if added is not None:
                bump_portal_version(conn)
        if added is None:
            raise AlreadyRecorded(
                _("{duty} {day}: this event is already recorded").format(duty=duty, day=date)
            )

    def remove_event(self, duty: str, date: dt.date) -> bool:
        with self._tx() as conn:
            gone = conn.execute(
                events.delete().where(events.c.duty == duty, events.c.date == date.isoformat())
            ).rowcount
            if gone:
                bump_portal_version(conn)
        return bool(gone)

    def events(self, duty: str | None = None) -> list[EventRecord]:
        if "events" not in self.tables:  # an old ledger looked at read-only
            return []
        e = events.c
        query = sa.select(e.duty, e.date, e.note, e.added, e.added_by).order_by(e.duty, e.date)
        if duty is not None:
            query = query.where(e.duty == duty)
        with self._read() as conn:
            return [
                EventRecord(d, dt.date.fromisoformat(day), note, dt.datetime.fromisoformat(a), by)
                for d, day, note, a, by in conn.execute(query)
            ]

    # Statements built once: building SQLAlchemy expressions costs more than running them, and
    # these run once or twice for every message sent.
    # -- deliveries, per recipient ------------------------------------------------------------

    def record_delivery(
        self, message_id: str, recipient: str, state: str, answer: str | None, at: dt.datetime
    ) -> None:
        """One recipient's answer to one message; a later answer replaces an earlier one."""
        with self._tx() as conn:
            self._upsert_deliveries(conn, message_id, [(recipient, state, answer)], at)

    @staticmethod
    def _upsert_deliveries(
        conn: Connection,
        message_id: str,
        answers: Iterable[tuple[str, str, str | None]],
        at: dt.datetime,
    ) -> None:
        rows = [
            {
                "message": message_id,
                "recipient": r,
                "state": state,
                "answer": a,
                "at": at.isoformat(),
            }
            for r, state, a in answers
        ]
        if not rows:
            return
        upsert = backends.insert(conn, deliveries)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[deliveries.c.message, deliveries.c.recipient],
                set_={
                    "state": upsert.excluded.state,
                    "answer": upsert.excluded.answer,
                    "at": upsert.excluded.at,
                },
            ),
            rows,
        )

    def delivered_to(self, message_id: str) -> set[str]:
        return self._recipients(message_id, ("sent",))

    def settled(self, message_id: str) -> set[str]:
        """Recipients never to send this message to again: they accepted or refused it for good."""
        return self._recipients(message_id, ("sent", "refused"))

    def _recipients(self, message_id: str, states: tuple[str, ...]) -> set[str]:
        if "deliveries" not in self.tables:  # an old ledger looked at read-only
            return set()
        d = deliveries.c
        query = sa.select(d.recipient).where(d.message == message_id, d.state.in_(states))
        with self._read() as conn:
            return {r for (r,) in conn.execute(query)}

    def delivery_problems(self) -> list[DeliveryProblem]:
        """Every recipient that refused a message for good, oldest first."""
        if "deliveries" not in self.tables:
            return []
        d, m = deliveries.c, messages.c
        query = (
            sa.select(d.message, m.addressee, m.channel, d.recipient, d.answer, d.at)
            .join_from(deliveries, messages, d.message == m.id)
            .where(d.state == "refused")
            .order_by(d.at, d.message, d.recipient)
        )
        with self._read() as conn:
            return [
                DeliveryProblem(mid, to, ch, rcpt, answer or "", dt.datetime.fromisoformat(at))
                for mid, to, ch, rcpt, answer, at in conn.execute(query)
            ]


def _stamp(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:  # only informative
        return None
