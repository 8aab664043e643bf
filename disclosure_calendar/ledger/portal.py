"""The web portal's share of the ledger (issue 12): the audit log of who changed what from where,
and the signed access links as issued, so a coordinator can list and revoke them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import backends
from .base import PORTAL_VERSION, LedgerBase, bump_portal_version
from .schema import access_tokens, audit, meta

SESSION_PREFIX = "session:"  # a logged-out session's row among the links (a link id is hex)


def session_row(nonce: str) -> str:
    """The id under which a logged-out session is kept (see ``Portal.end_session``)."""
    return SESSION_PREFIX + nonce


@dataclass(frozen=True)
class AuditEntry:
    """One change, as the audit log keeps it: who, what, when, from where, with what evidence."""

    at: dt.datetime
    actor: str
    action: str
    unit: str | None = None
    occurrence: str | None = None
    evidence: str | None = None
    remote: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class TokenRecord:
    """An access link as issued; the link itself is never stored, only its id."""

    id: str
    role: str
    unit: str | None
    issued: dt.datetime
    expires: dt.datetime
    revoked: dt.datetime | None


_INSERT_AUDIT = audit.insert()  # built once: the portal writes one per form
_t = access_tokens.c
# A session's state in one statement: the portal's version (base.portal_version) and whether
# its link or its own row is revoked.
_PORTAL_STATE = sa.select(
    sa.select(meta.c.value).where(meta.c.key == PORTAL_VERSION).scalar_subquery(),
    sa.exists().where(
        _t.id.in_([sa.bindparam("link"), sa.bindparam("row")]), _t.revoked.is_not(None)
    ),
)


def insert_audit(conn: Connection, e: AuditEntry) -> None:
    conn.execute(
        _INSERT_AUDIT,
        {
            "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "unit": e.unit,
            "occurrence": e.occurrence, "evidence": e.evidence, "remote": e.remote,
            "detail": e.detail,
        },
    )  # fmt: skip


class Portal(LedgerBase):
    """Audit log and access links."""

    def audit(self, entry: AuditEntry) -> None:
        with self._tx() as conn:
            insert_audit(conn, entry)

    def audit_log(self, limit: int = 100, unit: str | None = None) -> list[AuditEntry]:
        """Newest first; only ``unit``'s if given."""
        a = audit.c
        query = sa.select(
            a.at, a.actor, a.action, a.unit, a.occurrence, a.evidence, a.remote, a.detail
        )
        if unit is not None:
            query = query.where(a.unit == unit)
        with self._read() as conn:
            rows = conn.execute(query.order_by(a.seq.desc()).limit(limit))
            return [AuditEntry(dt.datetime.fromisoformat(at), *rest) for at, *rest in rows]

    def record_token(
        self,
        token_id: str,
        role: str,
        unit: str | None,
        issued: dt.datetime,
        expires: dt.datetime,
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                access_tokens.insert().values(
                    id=token_id,
                    role=role,
                    unit=unit,
                    issued=issued.isoformat(),
                    expires=expires.isoformat(),
                )
            )
            bump_portal_version(conn)

    def revoke_token(self, token_id: str, at: dt.datetime) -> bool:
        """False when unknown or already revoked."""
        t = access_tokens.c
        with self._tx() as conn:
            changed = conn.execute(
                access_tokens.update()
                .where(t.id == token_id, t.revoked.is_(None))
                .values(revoked=at.isoformat())
            ).rowcount
            if changed:
                bump_portal_version(conn)
        return bool(changed)

    def revoke_unit_tokens(self, unit: str, at: dt.datetime) -> int:
        """Every live link of a unit; how many."""
        t = access_tokens.c
        with self._tx() as conn:
            count = conn.execute(
                access_tokens.update()
                .where(t.unit == unit, t.revoked.is_(None))
                .values(revoked=at.isoformat())
            ).rowcount
            if count:
                bump_portal_version(conn)
        return int(count)

    def end_session(
        self, nonce: str, role: str, unit: str | None, at: dt.datetime, expires: dt.datetime
    ) -> None:
        """Record that the session with ``nonce`` was logged out: its cookie opens nothing more.

        Kept beside the links it was opened with, as a revoked row of its own
        (``session_row``), until it would have expired anyway; ``tokens`` leaves them out.
        """
        t = access_tokens.c
        with self._tx() as conn:
            conn.execute(
                access_tokens.delete().where(
                    t.id.startswith(SESSION_PREFIX, autoescape=True),
                    t.expires < at.astimezone(dt.UTC).isoformat(),
                )
            )
            conn.execute(
                backends.insert(conn, access_tokens)
                .values(
                    id=session_row(nonce),
                    role=role,
                    unit=unit,
                    issued=at.isoformat(),
                    expires=expires.astimezone(dt.UTC).isoformat(),
                    revoked=at.isoformat(),
                )  # fmt: skip
                .on_conflict_do_nothing()
            )
            bump_portal_version(conn)

    def is_revoked(self, token_id: str) -> bool:
        t = access_tokens.c
        with self._read() as conn:
            row = conn.execute(sa.select(t.revoked).where(t.id == token_id)).first()
        return row is not None and row[0] is not None

    def any_revoked(self, *token_ids: str) -> bool:
        """True if any of ``token_ids`` is revoked: one query for a session's link and its own
        row (the portal asks for both on every request after a write)."""
        t = access_tokens.c
        with self._read() as conn:
            query = sa.select(t.id).where(t.id.in_(token_ids), t.revoked.is_not(None)).limit(1)
            return conn.execute(query).first() is not None

    def portal_state(self, link: str, row: str) -> tuple[str, bool]:
        """The portal's version and whether ``link`` or ``row`` is revoked, in one query: what
        the portal asks on every request of a session (``portal_version``, ``any_revoked``)."""
        with self._read() as conn:
            version, revoked = conn.execute(_PORTAL_STATE, {"link": link, "row": row}).one()
        return version or "0", bool(revoked)

    def tokens(self, unit: str | None = None) -> list[TokenRecord]:
        """Oldest first; only ``unit``'s if given."""
        t = access_tokens.c
        query = sa.select(t.id, t.role, t.unit, t.issued, t.expires, t.revoked).where(
            sa.not_(t.id.startswith(SESSION_PREFIX, autoescape=True))
        )
        if unit is not None:
            query = query.where(t.unit == unit)
        with self._read() as conn:
            return [
                TokenRecord(
                    i,
                    r,
                    u,
                    dt.datetime.fromisoformat(iss),
                    dt.datetime.fromisoformat(exp),
                    dt.datetime.fromisoformat(rev) if rev else None,
                )  # fmt: skip
                for i, r, u, iss, exp, rev in conn.execute(query.order_by(t.issued, t.id))
            ]
