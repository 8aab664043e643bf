"""Recording what became of a message: each recipient's answer, then the message's state.

A message is ``sent`` once any recipient accepted it, ``failed`` while some recipient may
still take it (tried again on the next run), and ``cancelled`` when every recipient refused
it for good. A send cut short by a stop records only what was already answered: the message
stays pending. Refusals are collected in the report for the coordinator's notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from .contacts import Channel
from .delivery import Delivery
from .logs import log_event
from .messages import Message
from .notices import Refusal

if TYPE_CHECKING:
    from ..ledger import Ledger


def record_outcome(
    ledger: Ledger,
    msg: Message,
    channel: Channel,
    delivery: Delivery,
    now: dt.datetime,
    *,
    owner: str | None = None,
) -> tuple[str | None, list[Refusal]]:
    """Write ``delivery`` to the ledger; the message's new state (None: left as it was) and
    the refusals the coordinator should hear of. ``owner``: the daemon holding the message's
    claim (a verdict other than sent counts only while it still holds it)."""
    refusals: list[Refusal] = []
    answers = [(r, "sent", a) for r, a in delivery.accepted.items()]
    answers += [(r, "refused", a) for r, a in delivery.refused.items()]
    for rcpt, answer in delivery.refused.items():
        if not is_notice(msg):  # a refused notice is only logged: no notice of a notice
            refusals.append(Refusal(msg.id, msg.addressee, msg.channel, rcpt, answer))
        log_event(
            logging.ERROR,
            "refused",
            id=msg.id,
            to=msg.addressee,
            channel=channel.name,
            recipient=rcpt,
            answer=answer,
        )
    if delivery.stopped and not delivery.accepted and not delivery.refused:
        return None, refusals  # cut short by a stop: stays pending, sent on the next start
    if delivery.failed:
        doubt = "doubt" if delivery.in_doubt else "failed"
        answers += [(r, doubt, a) for r, a in delivery.failed.items()]
        error = "; ".join(f"{r}: {a}" for r, a in sorted(delivery.failed.items()))
        ledger.record_deliveries(msg.id, answers, now, outcome="failed", error=error, owner=owner)
        log_event(
            logging.ERROR,
            "failed",
            id=msg.id,
            to=msg.addressee,
            channel=channel.name,
            error=error,
            in_doubt=delivery.in_doubt,
        )
        return "failed", refusals
    if not delivery.accepted and not ledger.delivered_to(msg.id):
        refused = "; ".join(f"{r}: {a}" for r, a in sorted(delivery.refused.items()))
        error = f"refused by every recipient: {refused}"
        ledger.record_deliveries(
            msg.id, answers, now, outcome="cancelled", error=error, owner=owner
        )
        return "cancelled", refusals
    first = ledger.record_deliveries(msg.id, answers, now, outcome="sent", owner=owner)
    # Another daemon recorded it sent already: it took the message over from this one.
    log_event(
        logging.INFO if first else logging.WARNING,
        "sent" if first else "sent-again",
        id=msg.id,
        to=msg.addressee,
        channel=channel.name,
        subject=msg.subject,
    )
    return "sent", refusals


def is_notice(msg: Message) -> bool:
    """A delivery-problem notice (notices.py), not a reminder."""
    return ".problem@" in msg.id
