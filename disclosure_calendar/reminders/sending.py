"""One pass's sending: claim unfinished messages one by one, oldest first, and deliver or settle each.

A claim (ledger/claims.py) makes each message this daemon's alone until its outcome is recorded.
An outcome the ledger cannot take because the connection is lost is kept in ``unrecorded`` and
written first on the next pass, so a message a channel accepted is never sent again for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .contacts import Channel, Contacts
from .logs import log_event
from .messages import Message
from .notices import Refusal
from .notifiers import Outbox
from .outcomes import record_outcome
from .rerender import rerender

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import WorkdayCalendar
    from .outbox import ReminderLedger, Stored

# Messages written this long before a pass's instant were written by an earlier pass.
SAME_PASS = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Config:
    schedule: Schedule
    calendar: WorkdayCalendar
    contacts: Contacts
    stamp: tuple[object, ...]


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    refused: int = 0  # recipients that refused a message for good (delivery problems)
    resent: int = 0
    reopened: int = 0  # messages that had failed for good, made due again (--retry-failed)
    missed: int = 0
    superseded: int = 0
    cancelled: int = 0
    messages: list[Message] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    # Real seconds until a message another daemon holds may be taken over; None if none is held.
    takeover_in: float | None = None


@dataclass
class Pass:
    """What one pass's sending works with."""

    ledger: ReminderLedger
    outbox: Outbox
    cfg: Config
    now: dt.datetime
    report: Report
    owner: str
    lease: float
    stop: threading.Event
    unrecorded: list[tuple[str, str, dt.datetime, str | None]]
    fresh: set[str]  # ids this daemon wrote in this pass
    portal: bool = False  # messages may send units to the portal (messages.render)

    def send_claimed(self, after: tuple[str, str] | None = None) -> tuple[str, str] | None:
        """Claim unfinished messages one by one, oldest first, and deliver (or settle) each;
        the (send_at, id) reached, to go on from there.

        Those not written by this pass are the crash window (a daemon killed while sending),
        a channel that was down, or another daemon's share of the work.
        """
        done = self.ledger.done()
        while not self.stop.is_set():
            stored = self.ledger.claim(self.owner, self.lease, after=after)
            if stored is None:
                break
            after = (stored.message.send_at.isoformat(), stored.message.id)
            self._settle(stored, done)
        return after

    def send_these(self, ids: list[str]) -> None:
        """Claim and deliver the messages ``ids`` now, wherever they stand in the queue (the
        coordinator's notice written in this pass: its place in (send_at, id) order may lie
        behind the cursor, and it must not wait for the next pass)."""
        done = self.ledger.done()
        for message_id in ids:
            if self.stop.is_set():
                return
            stored = self.ledger.claim(self.owner, self.lease, only=message_id)
            if stored is not None:
                self._settle(stored, done)

    def _settle(self, stored: Stored, done: Mapping[str, object]) -> None:
        """Deliver one claimed message, or record why it is not sent."""
        cfg, now, report = self.cfg, self.now, self.report
        grace = cfg.contacts.policy.grace
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        today = now.astimezone(tz).date()
        msg = stored.message
        channels = {ch.name: ch for ch in cfg.contacts.channels_of(msg.addressee)}
        # A notice of delivery problems carries no reminders: never cancelled by done marks.
        if stored.slots and all(s.occurrence in done for s in stored.slots):
            self._record(msg.id, "cancelled", now, "every duty in it was marked done")
            report.cancelled += 1
        elif msg.channel not in channels:
            self._record(
                msg.id,
                "cancelled",
                now,
                f"channel {msg.channel!r} no longer in contacts",
            )
            report.cancelled += 1
            log_event(
                logging.WARNING,
                "cancelled",
                id=msg.id,
                to=msg.addressee,
                channel=msg.channel,
                reason="channel removed",
            )
        elif today > cfg.calendar.add_working_days(msg.send_at.astimezone(tz).date(), grace):
            self._record(msg.id, "missed", now, "not accepted within the grace window")
            report.missed += len(stored.slots)
            log_event(
                logging.WARNING,
                "missed",
                id=msg.id,
                to=msg.addressee,
                channel=msg.channel,
                since=msg.send_at,
            )
        else:
            # Another daemon's share of this same pass is not a resend: only a message
            # tried before, or written by an earlier pass, is.
            resumed = msg.id not in self.fresh and (
                stored.attempts > 0 or stored.created is None or stored.created < now - SAME_PASS
            )
            before = report.sent
            if stored.slots and (resumed or _local_day(msg.send_at, tz) != today):
                # written earlier than it goes out: the days left and the time are of now
                msg = rerender(
                    msg, stored.slots, cfg.schedule, cfg.calendar, cfg.contacts, now, self.portal
                )
                if msg != stored.message:
                    self.ledger.rewrite(msg)
            self._deliver(msg, channels[msg.channel])
            if resumed:
                if report.sent > before:
                    report.resent += 1
                    report.sent -= 1
                log_event(
                    logging.INFO,
                    "resumed",
                    id=msg.id,
                    state=stored.state,
                    attempts=stored.attempts,
                )

    def _record(self, message_id: str, state: str, now: dt.datetime, error: str | None) -> bool:
        """Record an outcome; one the ledger cannot take now is kept for the next pass."""
        from ..ledger import LedgerUnreachable

        try:
            return self.ledger.mark(message_id, state, now, error, owner=self.owner)
        except LedgerUnreachable:
            self.unrecorded.append((message_id, state, now, error))
            raise

    def tell_coordinator(self) -> list[str]:
        """Addresses that refused reminders in this pass: one notice on each coordinator channel.

        A refusal is not retried, so without this nobody would learn that a unit's address
        is wrong until the unit missed a deadline. The notice is ledgered like any message,
        and sent in this same pass (:meth:`send_these`); the ids of the notices.
        """
        from .notices import render_refusals

        ledger, cfg, now, report = self.ledger, self.cfg, self.now, self.report
        if not report.refusals or self.stop.is_set():
            return []
        notices = [
            render_refusals(report.refusals, ch, cfg.schedule, cfg.contacts, now)
            for ch in cfg.contacts.coordinator
        ]
        ledger.record_intents([(notice, []) for notice in notices], now)
        self.fresh.update(n.id for n in notices)
        return [n.id for n in notices]

    def _deliver(self, msg: Message, channel: Channel) -> None:
        """Send to the recipients that have not had ``msg`` yet and record each one's answer."""
        from ..ledger import LedgerUnreachable

        ledger, now, report = self.ledger, self.now, self.report
        delivery = self.outbox.deliver(msg, channel, skip=ledger.settled(msg.id))
        try:
            state, refusals = record_outcome(ledger, msg, channel, delivery, now, owner=self.owner)
        except LedgerUnreachable:
            if delivery.accepted:  # taken: recorded first thing next pass, never sent again
                self.unrecorded.append((msg.id, "sent", now, None))
            raise
        report.refused += len(delivery.refused)
        report.refusals += refusals
        if state == "sent":
            report.sent += 1
            report.messages.append(msg)
        elif state == "failed":
            report.failed += 1
        elif state == "cancelled":
            report.cancelled += 1


def _local_day(at: dt.datetime, tz: ZoneInfo) -> dt.date:
    return at.astimezone(tz).date()
