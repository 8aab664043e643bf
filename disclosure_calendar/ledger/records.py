"""What the ledger keeps beside the messages: event dates and each recipient's answer to each
message; done marks and their history come from ``donemarks``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from . import backends
from .base import bump_portal_version
from .donemarks import AlreadyDone, Done, DoneMarks, MarkChange
from .schema import deliveries, events, messages

_e = events.c
# The statements of an event date, built once (the portal's event form runs them).
_CLASH_ANY = sa.select(_e.unit).where(_e.duty == sa.bindparam("d"), _e.date == sa.bindparam("day"))
_CLASH_UNIT = _CLASH_ANY.where(_e.unit.in_(["", sa.bindparam("u")]))
_ADD_EVENT: dict[str, Any] = {}


def _add_event(conn: Connection) -> Any:
    """INSERT of an event that leaves a taken key alone, returning the row it added."""
    add = _ADD_EVENT.get(conn.dialect.name)
    if add is None:
        add = _ADD_EVENT[conn.dialect.name] = (
            backends.insert(conn, events).on_conflict_do_nothing().returning(_e.duty)
        )
    return add


__all__ = [
    "AlreadyDone", "AlreadyRecorded", "DeliveryProblem", "Done", "EventRecord", "MarkChange",
    "Records",
]  # fmt: skip


class AlreadyRecorded(DisclosureError):
    """An event date the ledger holds already (two writers at once, or twice by hand)."""


@dataclass(frozen=True)
class EventRecord:
    duty: str
    date: dt.date
    note: str
    added: dt.datetime
    added_by: str
    unit: str | None = None  # None: every unit the duty reaches
    extended: dt.datetime | None = None  # when the reply limit's extension was recorded


@dataclass(frozen=True)
class DeliveryProblem:
    """A recipient that refused a message for good: a wrong address or a moved webhook."""

    message: str
    addressee: str
    channel: str
    recipient: str
    answer: str
    at: dt.datetime


class Records(DoneMarks):
    """Done marks, events and deliveries; the Ledger has them all."""

    # -- events that start event-triggered duties -------------------------------------------

    def add_event(
        self,
        duty: str,
        date: dt.date,
        note: str,
        at: dt.datetime,
        added_by: str = "cli",
        *,
        unit: str | None = None,
    ) -> None:
        """Record an event of ``duty`` for ``unit`` (None: every unit the duty reaches).

        A date is recorded once per duty: for one unit, for another, or city-wide, but a
        city-wide date and a unit's date on the same day would give that unit the same
        occurrence twice.
        """
        row = {"duty": duty, "date": date.isoformat(), "note": note, "unit": unit or ""}
        with self._tx() as conn:
            clash = _CLASH_ANY if unit is None else _CLASH_UNIT
            found = conn.execute(clash, {"d": duty, "day": row["date"], "u": row["unit"]}).first()
            taken: str | None = None if found is None else found[0]
            if taken is None:
                # Two writers at once (PostgreSQL): the second finds the key taken. RETURNING,
                # not rowcount: drivers need not count rows an INSERT left out.
                added = conn.execute(
                    _add_event(conn), {**row, "added": at.isoformat(), "added_by": added_by}
                ).first()
                if added is None:
                    taken = unit or ""
                else:
                    bump_portal_version(conn)
        if taken is not None:
            raise AlreadyRecorded(
                _("{duty} {day}: this event is already recorded{whom}").format(
                    duty=duty, day=date, whom=_whom(taken)
                )
            )

    def extend_event(
        self, duty: str, date: dt.date, at: dt.datetime, *, unit: str | None = None
    ) -> bool:
        """Record that the limit of the event's reply was extended; False if no such event.

        An extension already recorded is an error: the law allows one.
        """
        e = events.c
        match = (e.duty == duty, e.date == date.isoformat(), e.unit == (unit or ""))
        with self._tx() as conn:
            row = conn.execute(sa.select(e.extended).where(*match)).first()
            if row is None:
                return False
            if row[0] is not None:
                raise DisclosureError(
                    _("{duty} {day}: the extension is already recorded ({when})").format(
                        duty=duty, day=date, when=row[0][:10]
                    )
                )
            conn.execute(events.update().where(*match).values(extended=at.isoformat()))
            bump_portal_version(conn)
        return True

    def remove_event(self, duty: str, date: dt.date, *, unit: str | None = None) -> bool:
        e = events.c
        with self._tx() as conn:
            gone = conn.execute(
                events.delete().where(
                    e.duty == duty, e.date == date.isoformat(), e.unit == (unit or "")
                )
            ).rowcount
            if gone:
                bump_portal_version(conn)
        return bool(gone)

    def events(self, duty: str | None = None) -> list[EventRecord]:
        if "events" not in self.tables:  # an old ledger looked at read-only
            return []
        e = events.c
        unit: sa.ColumnElement[Any] = e.unit
        extended: sa.ColumnElement[Any] = e.extended
        if self.schema_seen < 6:  # read-only, before events had units: all city-wide
            unit, extended = sa.literal(""), sa.null()
        query = sa.select(e.duty, e.date, e.note, e.added, e.added_by, unit, extended).order_by(
            e.duty, e.date, unit
        )
        if duty is not None:
            query = query.where(e.duty == duty)
        with self._read() as conn:
            return [
                EventRecord(
                    d, dt.date.fromisoformat(day), note, dt.datetime.fromisoformat(a), by,
                    who or None, dt.datetime.fromisoformat(ext) if ext else None,
                )
                for d, day, note, a, by, who, ext in conn.execute(query)
            ]  # fmt: skip

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


def _whom(unit: str) -> str:
    return _(" for every unit") if not unit else _(" for {unit}").format(unit=unit)
