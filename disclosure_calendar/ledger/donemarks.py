"""Done marks and their history: every mark, replacement and undo, kept (issue 25).

A marked occurrence keeps its mark unless told to replace it; the log row of each mark says
how it came (the command line, a portal link) and which mark it replaced, so an undo puts
that one back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from .base import bump_portal_version
from .portal import AuditEntry, Portal, insert_audit
from .schema import done, done_log


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


_d, _log = done.c, done_log.c
# The statements of a mark and an undo, built once (the portal runs them on every form;
# building one costs more than running it).
_CURRENT = (
    sa.select(_d.unit, _d.on_date, _d.url, _d.recorded, _d.log_seq, _log.how)
    .outerjoin(done_log, _log.seq == _d.log_seq)
    .where(_d.occurrence == sa.bindparam("occurrence"))
)
_LOG_MARK = done_log.insert().returning(_log.seq)
_LOG = done_log.insert()
_INSERT = done.insert()
_UPDATE = done.update().where(_d.occurrence == sa.bindparam("occ"))
_DELETE = done.delete().where(_d.occurrence == sa.bindparam("occurrence"))
_REPLACES = sa.select(_log.replaces).where(_log.seq == sa.bindparam("seq"))
_LOGGED = sa.select(_log.on_date, _log.url, _log.recorded, _log.how).where(
    _log.seq == sa.bindparam("seq")
)


class DoneMarks(Portal):
    """Done marks and their log; the Ledger has them through Records."""

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
                _LOG_MARK,
                {
                    "occurrence": occurrence, "action": "done", "on_date": on.isoformat(),
                    "url": url, "recorded": at.isoformat(), "how": how, "replaces": old_seq,
                    "previous_on": old.on.isoformat() if old else None,
                    "previous_url": old.url if old else None,
                },
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
        row = conn.execute(_CURRENT, {"occurrence": occurrence}).first()
        if row is None:
            return None
        unit, on, url, recorded, seq, how = row
        return Done(occurrence, unit, dt.date.fromisoformat(on), url, _stamp(recorded), how), seq

    def done_mark(self, occurrence: str) -> Done | None:
        """The occurrence's mark in force, if any (with how it came)."""
        with self._read() as conn:
            found = self._current(conn, occurrence)
        return found[0] if found is not None else None

    @staticmethod
    def _put(
        conn: Connection, occurrence: str, unit: str, on: str, url: str | None, recorded: str,
        seq: int | None, *, exists: bool,
    ) -> None:  # fmt: skip
        values = {"on_date": on, "url": url, "recorded": recorded, "log_seq": seq}
        if exists:
            conn.execute(_UPDATE, {"occ": occurrence, **values})
        else:
            conn.execute(_INSERT, {"occurrence": occurrence, "unit": unit, **values})

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
                back = conn.execute(_REPLACES, {"seq": seq}).scalar()
            if back is not None:
                on, url, recorded, how_then = conn.execute(_LOGGED, {"seq": back}).one()
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
                conn.execute(_DELETE, {"occurrence": occurrence})
            bump_portal_version(conn)
            if audit is not None:
                insert_audit(conn, audit)
            conn.execute(
                _LOG,
                {
                    "occurrence": occurrence, "action": "undone", "recorded": at.isoformat(),
                    "how": how, "on_date": restored.on.isoformat() if restored else None,
                    "url": restored.url if restored else None, "replaces": None,
                    "previous_on": mark.on.isoformat(), "previous_url": mark.url,
                },
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


def _stamp(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:  # only informative
        return None
