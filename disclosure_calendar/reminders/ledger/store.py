"""The ledger's one interface, the same over SQLite and PostgreSQL (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core.errors import DisclosureError
from ..messages import Message, Slot, State
from . import backends, claims, schema
from .backends import Target, parse_target
from .schema import deliveries, done, done_log, events, messages, meta, reminders


@dataclass(frozen=True)
class Done:
    occurrence: str
    unit: str
    on: dt.date
    url: str | None


@dataclass(frozen=True)
class Stored:
    """A message the ledger holds that has not been accepted yet."""

    message: Message
    state: str
    attempts: int
    slots: tuple[Slot, ...]
    created: dt.datetime | None = None  # when it was written (the writer's clock)


@dataclass(frozen=True)
class DeliveryProblem:
    """A recipient that refused a message for good: a wrong address or a moved webhook."""

    message: str
    addressee: str
    channel: str
    recipient: str
    answer: str
    at: dt.datetime


@dataclass(frozen=True)
class Missed:
    occurrence: str
    kind: str
    slot: dt.date
    addressee: str
    channel: str
    unit: str


@dataclass(frozen=True)
class EventRecord:
    duty: str
    date: dt.date
    note: str
    added: dt.datetime
    added_by: str


class Ledger:
    """The ledger at ``target`` (a path or ``postgresql://`` URL); use as a context manager.

    Opening it brings its schema to this program's version (unless ``upgrade`` is false);
    ``create=False`` refuses to start a new one; ``read_only`` neither creates nor upgrades,
    and the database refuses any write (reports, dry runs).
    """

    def __init__(
        self,
        target: str | Path | Target,
        *,
        create: bool = True,
        upgrade: bool = True,
        read_only: bool = False,
    ):
        self.target = target if isinstance(target, Target) else parse_target(target)
        if read_only:
            create = upgrade = False
        if self.target.path is not None and not self.target.path.exists():
            if not create:
                raise backends.LedgerMissing(self.target.shown)
            self.target.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = backends.create_engine(self.target, read_only=read_only)
        self._conn: Connection | None = None
        self.upgraded: tuple[int, int] | None = None
        self.tables = {t.name for t in schema.metadata.sorted_tables}
        try:
            if upgrade:
                with self._tx() as conn:
                    self.upgraded = schema.upgrade(conn, self.target.shown, create=create)
            else:
                with self._tx() as conn:
                    version = schema.current_version(conn)
                    # An old ledger looked at as it is: only the tables it has.
                    self.tables = set(sa.inspect(conn).get_table_names())
                if version == 0 and not create:
                    raise backends.LedgerMissing(self.target.shown)
                if read_only and version > schema.SCHEMA_VERSION:
                    raise DisclosureError(
                        f"{self.target.shown}: ledger schema {version} is newer than this "
                        f"program understands ({schema.SCHEMA_VERSION}); upgrade disclosure-calendar"
                    )
        except BaseException:
            self.engine.dispose()
            raise

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction, or the one `deciding()` holds open."""
        if self._conn is not None:
            yield self._conn
            return
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.IntegrityError:
            raise
        except sa.exc.DBAPIError as exc:
            raise backends.translate(exc, self.target) from None

    @contextmanager
    def deciding(self) -> Iterator[None]:
        """Hold the decision lock: the calls made inside are one transaction, one daemon at a time."""
        with self._tx() as conn:
            backends.lock_decisions(conn)
            self._conn = conn
            try:
                yield
            finally:
                self._conn = None

    # -- schema -----------------------------------------------------------------------------

    def version(self) -> int:
        with self._tx() as conn:
            return schema.current_version(conn)

    def history(self) -> list[tuple[int, str, str]]:
        with self._tx() as conn:
            return schema.history(conn)

    def counts(self) -> dict[str, int]:
        """Rows per data table (the tables this ledger's version has)."""
        with self._tx() as conn:
            present = set(sa.inspect(conn).get_table_names())
            return {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
                for t in schema.DATA_TABLES
                if t.name in present
            }

    # -- meta -------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._tx() as conn:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def tracking_since(self, today: dt.date) -> dt.date:
        """The first day reminders are tracked: fixed the first time the ledger is used.

        Without it, a fresh ledger would chase every occurrence since the plan of 2017.
        """
        with self._tx() as conn:
            conn.execute(
                backends.insert(conn, meta)
                .values(key="track_from", value=today.isoformat())
                .on_conflict_do_nothing()
            )
            value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "track_from")).scalar()
        return dt.date.fromisoformat(str(value))

    def tracking_start(self) -> dt.date | None:
        """The first tracked day if one was fixed; reads only (for a dry run)."""
        value = self.meta("track_from")
        return dt.date.fromisoformat(value) if value else None

    # -- what the decision needs ------------------------------------------------------------

    def state(self) -> State:
        with self._tx() as conn:
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
        with self._tx() as conn:
            changed = conn.execute(_MARK[kind], params).rowcount
            if changed:
                conn.execute(_MARK_SLOTS, {"mid": message_id, "new_state": state})
        return bool(changed)

    def claim(
        self, owner: str, lease: float, *, after: tuple[str, str] | None = None
    ) -> Stored | None:
        """Hold the next unfinished message nobody holds (see claims.py); None when none is left."""
        with self._tx() as conn:
            row = claims.claim_next(conn, owner, lease, after)
            return None if row is None else self._stored(conn, [row])[0]

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
        with self._tx() as conn:
            return claims.seconds_to_takeover(conn, owner)

    def holders(self) -> list[tuple[str, int, float]]:
        with self._tx() as conn:
            return claims.holders(conn)

    def unfinished(self) -> list[Stored]:
        """Messages written but not accepted: pending (maybe interrupted) or failed."""
        query = sa.select(*schema.STORED).where(sa.text(schema.QUEUE))
        with self._tx() as conn:
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

    # -- deliveries, per recipient ------------------------------------------------------------

    def record_delivery(
        self, message_id: str, recipient: str, state: str, answer: str | None, at: dt.datetime
    ) -> None:
        """One recipient's answer to one message; a later answer replaces an earlier one."""
        row = {"message": message_id, "recipient": recipient, "state": state, "answer": answer}
        with self._tx() as conn:
            upsert = backends.insert(conn, deliveries).values(**row, at=at.isoformat())
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[deliveries.c.message, deliveries.c.recipient],
                    set_={
                        "state": upsert.excluded.state,
                        "answer": upsert.excluded.answer,
                        "at": upsert.excluded.at,
                    },
                )
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
        with self._tx() as conn:
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
        with self._tx() as conn:
            return [
                DeliveryProblem(mid, to, ch, rcpt, answer or "", dt.datetime.fromisoformat(at))
                for mid, to, ch, rcpt, answer, at in conn.execute(query)
            ]

    def messages(self, state: str | None = None) -> list[tuple[str, str, str, str, str, int]]:
        """(id, addressee, channel, send_at, state, attempts) of every message, oldest first."""
        m = messages.c
        query = sa.select(m.id, m.addressee, m.channel, m.send_at, m.state, m.attempts)
        if state:
            query = query.where(m.state == state)
        with self._tx() as conn:
            return [tuple(r) for r in conn.execute(query.order_by(m.send_at, m.id))]

    def senders(self) -> dict[str, int]:
        """Messages sent per daemon (the claim holder that recorded them sent)."""
        m = messages.c
        with self._tx() as conn:
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
        with self._tx() as conn:
            return [
                Missed(o, k, dt.date.fromisoformat(s), a, c, u)
                for o, k, s, a, c, u in conn.execute(query)
            ]

    # -- done-tracking ----------------------------------------------------------------------

    def mark_done(
        self, occurrence: str, unit: str, on: dt.date, url: str | None, at: dt.datetime
    ) -> None:
        row = {"occurrence": occurrence, "unit": unit, "on_date": on.isoformat(), "url": url}
        with self._tx() as conn:
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

    def mark_undone(self, occurrence: str, at: dt.datetime) -> bool:
        with self._tx() as conn:
            gone = conn.execute(done.delete().where(done.c.occurrence == occurrence)).rowcount
            if gone:
                conn.execute(
                    done_log.insert().values(
                        occurrence=occurrence, action="undone", recorded=at.isoformat()
                    )
                )
        return bool(gone)

    def done(self) -> dict[str, Done]:
        with self._tx() as conn:
            return {
                o: Done(o, u, dt.date.fromisoformat(d), url)
                for o, u, d, url in conn.execute(
                    sa.select(done.c.occurrence, done.c.unit, done.c.on_date, done.c.url)
                )
            }

    def done_log(self) -> list[tuple[str, str]]:
        """(occurrence, done/undone) in the order recorded."""
        with self._tx() as conn:
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
        if added is None:
            raise DisclosureError(f"{duty} {date}: this event is already recorded")

    def remove_event(self, duty: str, date: dt.date) -> bool:
        with self._tx() as conn:
            gone = conn.execute(
                events.delete().where(events.c.duty == duty, events.c.date == date.isoformat())
            ).rowcount
        return bool(gone)

    def events(self, duty: str | None = None) -> list[EventRecord]:
        if "events" not in self.tables:  # an old ledger looked at read-only
            return []
        e = events.c
        query = sa.select(e.duty, e.date, e.note, e.added, e.added_by).order_by(e.duty, e.date)
        if duty is not None:
            query = query.where(e.duty == duty)
        with self._tx() as conn:
            return [
                EventRecord(d, dt.date.fromisoformat(day), note, dt.datetime.fromisoformat(a), by)
                for d, day, note, a, by in conn.execute(query)
            ]


# Statements built once: building SQLAlchemy expressions costs more than running them, and
# these run once or twice for every message sent.
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
