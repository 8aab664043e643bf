"""`access issue`, `access revoke`, `access list`: signed links for units and the coordinator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.table import table
from ..core.tokens import COORDINATOR, UNIT, Signer
from ..ledger import AuditEntry, Ledger, LedgerMissing
from ..schedule.model import Schedule

DEFAULT_DAYS = 90
MAX_DAYS = 400


def issue_link(
    schedule: Schedule,
    secret: bytes,
    db: str | Path,
    now: dt.datetime,
    *,
    unit: str | None,
    days: int = DEFAULT_DAYS,
    base_url: str | None = None,
) -> str:
    """A link to a unit's page (``unit``) or the coordinator's dashboard (``unit`` None)."""
    if unit is not None and unit not in {u.id for u in schedule.units}:
        raise DisclosureError(
            _("--unit: unknown unit {unit!r} (see `disclosure-calendar units`)").format(unit=unit)
        )
    if not 1 <= days <= MAX_DAYS:
        raise DisclosureError(f"--days: {days} is not between 1 and {MAX_DAYS}")
    role = UNIT if unit else COORDINATOR
    grant, token = Signer(secret).issue(role, unit, now, days)
    with Ledger(db) as ledger:
        ledger.record_token(grant.id, role, unit, now, grant.expires)
        ledger.audit(
            AuditEntry(
                now, "cli", "access-issued", unit=unit, detail=f"链接 {grant.id}，有效 {days} 天"
            )
        )
    base = base_url or schedule.plan.base_url or "http://127.0.0.1:8000/"
    base = base if base.endswith("/") else base + "/"
    return f"{base}access/{token}"


def revoke(db: str | Path, now: dt.datetime, *, token_id: str | None, unit: str | None) -> str:
    """Revoke one link by its id, or every live link of a unit."""
    if (token_id is None) == (unit is None):
        raise DisclosureError(_("give either a link id or --unit"))
    with Ledger(db, create=False) as ledger:
        if token_id is not None:
            if not ledger.revoke_token(token_id, now):
                raise DisclosureError(
                    _("{link}: no such live link (see `access list`)").format(link=token_id)
                )
            which, count, detail = token_id, 1, f"链接 {token_id}"
            unit = next((t.unit for t in ledger.tokens() if t.id == token_id), None)
        else:
            assert unit is not None
            count = ledger.revoke_unit_tokens(unit, now)
            which = _("{count} link(s) of {unit}").format(count=count, unit=unit)
            detail = f"全部链接（{count}个）"
        if count:
            ledger.audit(AuditEntry(now, "cli", "access-revoked", unit=unit, detail=detail))
    return _("revoked: {which}").format(which=which)


def list_links(db: str | Path, now: dt.datetime, unit: str | None = None) -> str:
    try:
        with Ledger(db, create=False) as ledger:
            records = ledger.tokens(unit)
    except LedgerMissing:
        return _("no links issued yet")
    rows = []
    for r in records:
        state = _("revoked") if r.revoked else (_("expired") if r.expires <= now else _("live"))
        rows.append(
            [
                r.id,
                r.unit or COORDINATOR,
                r.issued.date().isoformat(),
                r.expires.date().isoformat(),
                state,
            ]
        )
    return table([_("id"), _("for"), _("issued"), _("expires"), _("state")], rows)
