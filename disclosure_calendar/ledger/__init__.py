"""The ledger: the record of the work: done marks, event dates, every reminder decided, sent,
failed or missed, the portal's links and audit log.

The ledger is the only truth about what went out. A message is written as an intent
(``pending``) with its full rendered content and the reminders it carries *before* it is
handed to a channel, and marked ``sent`` only after the channel accepted it. A process killed
between the two leaves a ``pending`` row; it is sent again, with the same Message-ID /
idempotency key. So we err on the side of a duplicate, never a loss: a missed reminder can
cost a unit a statutory deadline, a repeated one costs a glance, and a receiver that
deduplicates on Message-ID (or the webhook's key) drops the copy altogether.

It lives in an SQLite file (the default, beside the schedule) or in PostgreSQL (``--db
postgresql://...``), when several daemons on several hosts share it. One interface for both
(``store.Ledger``, built on ``base`` for opening, ``records`` for done marks, events and
deliveries, ``portal`` for the web portal's audit log and access links), written once in
SQLAlchemy Core; what differs is in ``backends``; the tables and their migrations in
``schema``; how several daemons share the sending in ``claims``; status, upgrade and copy in
``admin``. Beside it: ``events`` (recorded event dates merged into the schedule), ``marks``
(done marks by a short reference), ``files`` (where the ledger and contacts are by default).
The ledger knows nothing of reminders, feeds or the web: the daemon writes its messages
through ``reminders.outbox``.

Every name here is imported on first use: ``files`` and ``events`` are read by every build,
which must not load the database toolkit when there is no ledger yet.

Durability. SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit survives the process
being killed at any instant (what the guarantee above is about); a power cut can roll back the
last commits, after which a sent message is pending again and is sent again, or a reminder
never recorded is decided afresh: repeated, never silently dropped (``FULL`` would fsync every
commit: +0.15 ms each on the benchmark VM). PostgreSQL commits are durable when COMMIT returns
(its default ``synchronous_commit``). Each outcome is committed on its own, before the next
message is handed over, so a crash leaves at most one accepted message unrecorded.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "AlreadyRecorded": "records",
    "LedgerMissing": "backends",
    "LedgerUnreachable": "backends",
    "Target": "backends",
    "parse_target": "backends",
    "DEFAULT_LEASE": "claims",
    "AuditEntry": "portal",
    "TokenRecord": "portal",
    "session_row": "portal",
    "DeliveryProblem": "records",
    "Done": "records",
    "EventRecord": "records",
    "SCHEMA_VERSION": "schema",
    "Ledger": "store",
    "Missed": "store",
}
__all__ = [
    "AlreadyRecorded",
    "AuditEntry",
    "DEFAULT_LEASE",
    "DeliveryProblem",
    "Done",
    "EventRecord",
    "Ledger",
    "LedgerMissing",
    "LedgerUnreachable",
    "Missed",
    "SCHEMA_VERSION",
    "Target",
    "TokenRecord",
    "parse_target",
    "session_row",
]

if TYPE_CHECKING:
    from .backends import LedgerMissing, LedgerUnreachable, Target, parse_target
    from .claims import DEFAULT_LEASE
    from .portal import AuditEntry, TokenRecord, session_row
    from .records import AlreadyRecorded, DeliveryProblem, Done, EventRecord
    from .schema import SCHEMA_VERSION
    from .store import Ledger, Missed


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
