"""POST /coordinator/retry: the coordinator asks for the reminders refused for good to be sent
once more, after fixing the address or the mail server's settings.

The reminders are made due again in the ledger (outbox.reopen_failed, as `remind
--retry-failed` does); the daemon sends them at its next pass, each with its Message-ID, to
the recipients that have not accepted it. The request and its count go to the audit log.
"""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.tokens import Grant
from ..ledger import AuditEntry
from ..reminders.outbox import reopen_failed
from ..reminders.service import RETRY_DAYS
from .base import Refused, client, read_form, refusal, require, root, site_of
from .site import Site


async def retry_failed(request: Request) -> Response:
    try:
        grant, nonce = require(request, coordinator=True)
        form = await read_form(request, nonce)
        only = [i for i in form.get("message", "").split() if i] or None
        count = await run_in_threadpool(_reopen, site_of(request), grant, only, client(request))
    except Refused as refused:
        return refusal(request, refused)
    return RedirectResponse(
        f"{root(request)}/coordinator?notice=retry&count={count}", status_code=303
    )


def _reopen(site: Site, grant: Grant, only: list[str] | None, remote: str) -> int:
    now = site.now()
    entry = AuditEntry(now, grant.actor, "retry-failed", remote=remote)
    with site.ledger() as ledger:
        since = now - dt.timedelta(days=RETRY_DAYS)
        return len(reopen_failed(ledger, now, since, only, audit=entry))
