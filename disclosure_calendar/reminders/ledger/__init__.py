"""The ledger: the record of every reminder decided, sent, failed or missed, of done duties and events.

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
deliveries, ``portal`` for the web portal's audit log and access links), written once in SQLAlchemy Core; what differs is in ``backends``; the tables and
their migrations in ``schema``; how several daemons share the sending in ``claims``; status,
upgrade and copy in ``admin``.

Durability. SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit survives the process
being killed at any instant (what the guarantee above is about); a power cut can roll back the
last commits, after which a sent message is pending again and is sent again, or a reminder
never recorded is decided afresh: repeated, never silently dropped (``FULL`` would fsync every
commit: +0.15 ms each on the benchmark VM). PostgreSQL commits are durable when COMMIT returns
(its default ``synchronous_commit``). Each outcome is committed on its own, before the next
message is handed over, so a crash leaves at most one accepted message unrecorded.
"""

from .backends import LedgerDamaged, LedgerMissing, LedgerUnreachable, Target, parse_target
from .claims import DEFAULT_LEASE
from .portal import AuditEntry, TokenRecord
from .records import DeliveryProblem, Done, EventRecord
from .schema import SCHEMA_VERSION
from .store import Ledger, Missed, Stored

__all__ = [
    "AuditEntry",
    "TokenRecord",
    "DEFAULT_LEASE",
    "SCHEMA_VERSION",
    "DeliveryProblem",
    "Done",
    "EventRecord",
    "Ledger",
    "LedgerDamaged",
    "LedgerMissing",
    "LedgerUnreachable",
    "Missed",
    "Stored",
    "Target",
    "parse_target",
]
