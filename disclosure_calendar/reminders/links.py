"""Links to the portal in reminder e-mails ("查看并标记完成"): one per addressee and month.

A link's id is derived from the secret, the addressee and the month, so every e-mail of a
month carries the same link (a message rendered again after a restart reads the same) and
the ledger records it once, where `access list` shows it and `access revoke` ends it; after
a revocation the next e-mail carries a fresh one. Without a secret or a ``plan.base_url``
(where the portal is served) e-mails say how to report through the coordinator instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..core.tokens import COORDINATOR as COORDINATOR_ROLE
from ..core.tokens import UNIT, Grant, Signer
from .contacts import COORDINATOR

if TYPE_CHECKING:
    from ..ledger import Ledger

# A month's link still opens two weeks after the month ends, for the late readers.
VALID_DAYS = 45
_MAX_REISSUES = 100


def portal_links(
    ledger: Ledger | None,
    signer: Signer,
    base_url: str,
    addressees: Iterable[str],
    now: dt.datetime,
    timezone: str,
) -> dict[str, str]:
    """The link for each addressee; recorded in ``ledger`` (None: a dry run, nothing written)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    month = f"{today:%Y-%m}"
    expires = dt.datetime.combine(
        today.replace(day=1) + dt.timedelta(days=VALID_DAYS), dt.time(), ZoneInfo(timezone)
    )
    base = base_url if base_url.endswith("/") else base_url + "/"
    known = {t.id: t for t in ledger.tokens()} if ledger is not None else {}
    links = {}
    for who in sorted(set(addressees)):
        role, unit = (COORDINATOR_ROLE, None) if who == COORDINATOR else (UNIT, who)
        for k in range(_MAX_REISSUES):
            token_id = signer.derived_id("mail", who, month, str(k))
            record = known.get(token_id)
            if record is None:
                if ledger is not None:
                    ledger.record_token(token_id, role, unit, now, expires)
                break
            if record.revoked is None:
                break
        else:
            continue  # revoked a hundred times this month: no link rather than a dead one
        links[who] = f"{base}access/{signer.link(Grant(token_id, role, unit, expires))}"
    return links
