"""What the ledger keeps beside the messages: done marks and their log, event dates, and each
recipient's answer to each message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import gettext as _

from ...core.errors import DisclosureError
from . import backends
from .base import bump_portal_version
from .portal import AuditEntry, Portal, insert_audit
from .schema import deliveries, done, done_log, events, messages


@dataclass(frozen=True)
class Done:
    occurrence: str
    unit: str
    on: dt.date
    url: str | None
    recorded: dt.datetime | None = None  # when the mark was entered (undo is same-day only)
    how: str | None = None  # 'cli', or 'link:<id>' of the portal link it came through


@dataclass(frozen=True)
class MarkChange:
    """One line of an occurrence's history: a mark, a replacement or an undo."""

    seq: int
    occurrence: str
    action: str  # done, replaced, undone
    on: dt.date | None  # the mark it made (done, replaced)
    url: str | None
    recorded: dt.datetime
    how: str | None
    previous_on: dt.date | None  # the mark it replaced or undid
    previous_url: str | None


class AlreadyDone(DisclosureError):
    """A second mark for a marked occurrence, without being told to replace it."""

    def __init__(self, mark: Done, zone: str | None = None):
        recorded = mark.recorded
        if recorded is not None and zone is not None:
            recorded = recorded.astimezone(ZoneInfo(zone))
        super().__init__(
            _(
                "{uid} is already marked done: published {on}{url}, recorded {recorded}; "
                "give --replace to replace that mark"
            ).format(
                uid=mark.occurrence,
                on=mark.on.isoformat(),
                url=_(" ({url})").format(url=mark.url) if mark.url else "",
                recorded=recorded.strftime("%Y-%m-%d %H:%M") if recorded else "-",
            )
        )
        self.mark = mark

    def in_zone(self, zone: str) -> AlreadyDone:
        """The same refusal with the time the mark was recorded in ``zone`` (the plan's)."""
        return AlreadyDone(self.mark, zone)


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
        how: str = "cli",
        replace: bool = False,
    ) -> Done | None:
        """Record a publication; ``audit``, if given, is written in the same transaction.

        A marked occurrence keeps its mark (AlreadyDone, naming it) unless ``replace``; the
        mark replaced stays in the log, and an undo of the new one puts it back. Returns the
        mark replaced, if any.
        """
        with self._tx() as conn:
            previous = self._current(conn, occurrence)
            if previous is not None and not replace:
                raise AlreadyDone(previous[0])
            old, old_seq = previous if previous is not None else (None, None)
            if audit is not None:
                if old is not None:
                    said = f"{audit.detail or ''}（原为 {old.on.isoformat()}）"
                    audit = dataclasses.replace(audit, action="replaced", detail=said)
                insert_audit(conn, audit)
            seq = conn.execute(
                done_log.insert()
                .values(
                    occurrence=occurrence, action="done", on_date=on.isoformat(), url=url,
                    recorded=at.isoformat(), how=how, replaces=old_seq,
                    previous_on=old.on.isoformat() if old else None,
                    previous_url=old.url if old else None,
                )
                .returning(done_log.c.seq)
            ).scalar_one()  # fmt: skip
            self._put(
                conn,
                occurrence,
                unit,
                on.isoformat(),
                url,
                at.isoformat(),
                seq,
                exists=old is not None,
            )
            bump_portal_version(conn)
        return old

    @staticmethod
    def _current(conn: Connection, occurrence: str) -> tuple[Done, int | None] | None:
        d = done.c
        row = conn.execute(
            sa.select(d.unit, d.on_date, d.url, d.recorded, d.log_seq).where(
                d.occurrence == occurrence
            )
        ).first()
        if row is None:
            return None
        unit, on, url, recorded, seq = row
        how = None
        if seq is not None:
            how = conn.execute(sa.select(done_log.c.how).where(done_log.c.seq == seq)).scalar()
        return Done(occurrence, unit, dt.date.fromisoformat(on), url, _stamp(recorded), how), seq

    @staticmethod
    def _put(
        conn: Connection, occurrence: str, unit: str, on: str, url: str | None, recorded: str,
        seq: int | None, *, exists: bool,
    ) -> None:  # fmt: skip
        values = {"on_date": on, "url": url, "recorded": recorded, "log_seq": seq}
        if exists:
            conn.execute(done.update().where(done.c.occurrence == occurrence).values(**values))
        else:
            conn.execute(done.insert().values(occurrence=occurrence, unit=unit, **values))

    def mark_undone(
        self,
        occurrence: str,
        at: dt.datetime,
        *,
        audit: AuditEntry | None = None,
        how: str = "cli",
    ) -> tuple[Done, Done | None] | None:
        """Withdraw the mark; the mark it replaced, if any, is in force again.

        Returns (the mark withdrawn, the mark restored), or None when there was no mark.
        """
        with self._tx() as conn:
            current = self._current(conn, occurrence)
            if current is None:
                return None
            mark, seq = current
            restored: Done | None = None
            back = None
            if seq is not None:
                back = conn.execute(
                    sa.select(done_log.c.replaces).where(done_log.c.seq == seq)
                ).scalar()
            if back is not None:
                log = done_log.c
                on, url, recorded, how_then = conn.execute(
                    sa.select(log.on_date, log.url, log.recorded, log.how).where(log.seq == back)
                ).one()
                self._put(conn, occurrence, mark.unit, on, url, recorded, back, exists=True)
                restored = Done(
                    occurrence,
                    mark.unit,
                    dt.date.fromisoformat(on),
                    url,
                    _stamp(recorded),
                    how_then,
                )
            else:
                conn.execute(done.delete().where(done.c.occurrence == occurrence))
            bump_portal_version(conn)
            if audit is not None:
                insert_audit(conn, audit)
            conn.execute(
                done_log.insert().values(
                    occurrence=occurrence, action="undone", recorded=at.isoformat(), how=how,
                    on_date=restored.on.isoformat() if restored else None,
                    url=restored.url if restored else None,
                    previous_on=mark.on.isoformat(), previous_url=mark.url,
                )
            )  # fmt: skip
        return mark, restored

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

    def mark_history(
        self, occurrences: Iterable[str] | None = None, *, unit: str | None = None
    ) -> list[MarkChange]:
        """The marks, replacements and undos of the occurrences named (or of ``unit``'s, by
        the unit part of their ids, or all), oldest first."""
        log = done_log.c
        query = sa.select(
            log.seq, log.occurrence, log.action, log.on_date, log.url, log.recorded, log.how,
            log.replaces, log.previous_on, log.previous_url,
        ).order_by(log.seq)  # fmt: skip
        if occurrences is not None:
            query = query.where(log.occurrence.in_(list(occurrences)))
        elif unit is not None:
            query = query.where(log.occurrence.like(f"%.{unit}@%"))
        with self._read() as conn:
            rows = conn.execute(query).all()
        out = []
        for seq, occ, action, on, url, recorded, how, replaces, prev_on, prev_url in rows:
            if action == "done" and (replaces is not None or prev_on is not None):
                action = "replaced"
            out.append(
                MarkChange(
                    seq, occ, action, dt.date.fromisoformat(on) if on else None, url,
                    dt.datetime.fromisoformat(recorded), how,
                    dt.date.fromisoformat(prev_on) if prev_on else None, prev_url,
                )
            )  # fmt: skip
        return out

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
        e = events.c
        with self._tx() as conn:
            clash = sa.select(e.unit).where(e.duty == duty, e.date == date.isoformat())
            if unit is not None:
                clash = clash.where(e.unit.in_(["", unit]))
            taken = conn.execute(clash).first()
            if taken is None:
                conn.execute(events.insert().values(**row, added=at.isoformat(), added_by=added_by))
                bump_portal_version(conn)
        if taken is not None:
            raise DisclosureError(
                _("{duty} {day}: this event is already recorded{whom}").format(
                    duty=duty, day=date, whom=_whom(taken[0])
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


def _stamp(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:  # only informative
        return None


def _whom(unit: str) -> str:
    return _(" for every unit") if not unit else _(" for {unit}").format(unit=unit)
