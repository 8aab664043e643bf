"""The reminder service: loads configuration (keeping the last good one) and runs one decision-and-send pass."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .contacts import DEFAULT, Contacts, load_contacts
from .ledger.claims import DEFAULT_LEASE
from .notices import Refusal
from .notifiers import DEADLINE, Outbox, Retry
from .outcomes import record_outcome

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import ChinaCalendar
    from .ledger import Ledger
    from .messages import Message

from .logs import log_event

log = logging.getLogger("disclosure_calendar.daemon")

RELOAD_SECONDS = 5.0
# Messages written this long before a pass's instant were written by an earlier pass.
SAME_PASS = dt.timedelta(minutes=5)
DEFAULT_RETRY = Retry()


# -- the service ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    schedule: Schedule
    calendar: ChinaCalendar
    contacts: Contacts
    stamp: tuple[object, ...]


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    refused: int = 0  # recipients that refused a message for good (delivery problems)
    resent: int = 0
    missed: int = 0
    superseded: int = 0
    cancelled: int = 0
    messages: list[Message] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    # Real seconds until a message another daemon holds may be taken over; None if none is held.
    takeover_in: float | None = None


def default_db(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "disclosure-calendar.db"


def default_contacts(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "contacts.yaml"


class Service:
    """Loads configuration (keeping the last good one) and runs one decision-and-send pass."""

    def __init__(
        self,
        schedule_path: Path,
        db: str | Path,
        contacts_path: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        retry: Retry = DEFAULT_RETRY,
        sleep: Callable[[float], None] | None = None,
        stop: threading.Event | None = None,
        contacts_required: bool = False,
        deadline: float = DEADLINE,
        lease: float = DEFAULT_LEASE,
        owner: str | None = None,
    ):
        self.schedule_path = schedule_path
        self.db = db
        self.contacts_path = contacts_path or default_contacts(schedule_path)
        self.contacts_required = contacts_required
        self.env = os.environ if env is None else env
        self.retry = retry
        self.sleep = sleep
        self.stop = stop or threading.Event()
        self.deadline = deadline
        self.config: Config | None = None
        self._tried: tuple[object, ...] | None = None
        self.lease = lease
        # Names this process in the claims it holds; the random part tells apart two daemons
        # that got the same pid (each in its own container, say).
        self.owner = owner or f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(2)}"
        self.ledger: Ledger | None = None
        self.unrecorded: list[tuple[str, str, dt.datetime, str | None]] = []

    # -- configuration --

    def _stamp(self) -> tuple[object, ...]:
        def one(p: Path) -> object:
            try:
                st = p.stat()
            except FileNotFoundError:
                return None
            return (st.st_mtime_ns, st.st_size, st.st_ino)

        return (one(self.schedule_path), one(self.contacts_path))

    def _load(self, stamp: tuple[object, ...]) -> Config:
        from ..schedule.loader import load_schedule
        from ..workdays.calendar import ChinaCalendar

        schedule = load_schedule(self.schedule_path)
        cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
        if self.contacts_path.exists() or self.contacts_required:
            contacts = load_contacts(self.contacts_path, [u.id for u in schedule.units])
        else:
            contacts = DEFAULT
        return Config(schedule, cal, contacts, stamp)

    def reload(self, *, force: bool = False) -> bool:
        """Pick up changed files; True if the configuration changed. The first load raises."""
        stamp = self._stamp()
        if not force and stamp == self._tried:
            return False
        self._tried = stamp
        if self.config is None:
            self.config = self._load(stamp)
            self._log_config("loaded")
            return True
        try:
            config = self._load(stamp)
        except Exception as exc:  # noqa: BLE001 - any bad file must leave the daemon running
            log_event(
                logging.ERROR, "reload-failed", error=str(exc), keeping=self.config.schedule.digest
            )
            return False
        self.config = config
        self._log_config("reloaded")
        return True

    def _log_config(self, what: str) -> None:
        assert self.config is not None
        c = self.config
        log_event(
            logging.INFO,
            what,
            schedule=c.schedule.path,
            digest=c.schedule.digest,
            duties=len(c.schedule.duties),
            contacts=c.contacts.path or "-",
            units_with_contacts=len(c.contacts.units),
        )

    def _ledger(self) -> Ledger:
        from .ledger import Ledger

        if self.ledger is None:
            self.ledger = Ledger(self.db)
        return self.ledger

    def close(self) -> None:
        from .ledger import LedgerUnreachable

        if self.ledger is not None:
            with contextlib.suppress(LedgerUnreachable):  # else the claims run out by themselves
                self.ledger.release(self.owner)
            self.ledger.close()
            self.ledger = None

    # -- one pass --

    def run_once(self, now: dt.datetime, *, dry_run: bool = False) -> Report:
        """Send what is due at ``now`` and not yet in the ledger (or, dry, only say what).

        Raises LedgerUnreachable when the ledger cannot be reached; an outcome the channel
        gave meanwhile is kept and recorded first thing on the next pass.
        """
        from ..occurrences.expansion import expand
        from .events import with_recorded_events
        from .messages import decide, render, window

        if self.config is None:
            self.reload(force=True)
        assert self.config is not None
        cfg = self.config
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        today = now.astimezone(tz).date()
        report = Report()
        if dry_run:
            return self._dry(report, cfg, now, today)
        ledger = self._ledger()
        self._flush(ledger)
        # Event dates recorded with `event add` since the last run count at once.
        cfg = replace(cfg, schedule=with_recorded_events(cfg.schedule, ledger.events()))
        # Deciding is one transaction under the decision lock: a second daemon at the same
        # send time waits, then finds every reminder handled and decides nothing.
        with ledger.deciding():
            track_from = cfg.contacts.policy.track_from or ledger.tracking_since(today)
            start, end = window(today, track_from)
            occs = expand(cfg.schedule, cfg.calendar, start, end)
            decision = decide(
                cfg.schedule,
                cfg.calendar,
                occs,
                cfg.contacts,
                ledger.state(),
                now,
                track_from=track_from,
            )
            report.missed += ledger.record_skipped((i.slot for i in decision.missed), "missed", now)
            report.superseded += ledger.record_skipped(
                (i.slot for i in decision.superseded), "superseded", now
            )
            batch = [render(d, cfg.schedule, cfg.calendar, cfg.contacts) for d in decision.digests]
            ledger.record_intents(
                [
                    (m, [i.slot for i in d.items])
                    for m, d in zip(batch, decision.digests, strict=True)
                ],
                now,
            )
        for item in decision.missed:
            log_event(
                logging.WARNING,
                "missed",
                occurrence=item.uid,
                kind=item.kind,
                slot=item.day,
                to=item.addressee,
                channel=item.channel.name,
            )
        outbox = Outbox(
            cfg.contacts.smtp,
            self.env,
            retry=self.retry,
            now=lambda: now,
            sleep=self._wait,
            deadline=self.deadline,
            stop=self.stop,
        )
        with outbox:
            fresh = {m.id for m in batch}
            after = self._send_claimed(ledger, outbox, cfg, now, today, report, fresh)
            if self._tell_coordinator(ledger, cfg, now, report, fresh):
                self._send_claimed(ledger, outbox, cfg, now, today, report, fresh, after=after)
        report.takeover_in = ledger.seconds_to_takeover(self.owner)
        if report.sent or report.failed or report.missed or report.resent:
            log_event(
                logging.INFO,
                "run",
                now=now.astimezone(tz),
                sent=report.sent,
                resent=report.resent,
                failed=report.failed,
                missed=report.missed,
                superseded=report.superseded,
                cancelled=report.cancelled,
            )
        return report

    def _wait(self, seconds: float) -> None:
        if self.sleep is not None:
            self.sleep(seconds)
        else:
            self.stop.wait(seconds)  # waiting for the next retry must not hold up a SIGTERM

    def _dry(self, report: Report, cfg: Config, now: dt.datetime, today: dt.date) -> Report:
        """What a pass would send, from the ledger as it is (not created, not upgraded)."""
        from ..occurrences.expansion import expand
        from .events import with_recorded_events
        from .ledger import Ledger, LedgerMissing
        from .messages import State, decide, render, window

        state, track_from = State(), cfg.contacts.policy.track_from or today
        try:
            # Looking only: read-only, so not even the first tracked day (which a real run
            # fixes) is written; a later daemon must not skip anything.
            with Ledger(self.db, read_only=True) as ledger:
                cfg = replace(cfg, schedule=with_recorded_events(cfg.schedule, ledger.events()))
                report.messages.extend(s.message for s in ledger.unfinished())
                state = ledger.state()
                track_from = cfg.contacts.policy.track_from or dt.date.fromisoformat(
                    ledger.meta("track_from") or today.isoformat()
                )
        except LedgerMissing:
            pass
        start, end = window(today, track_from)
        occs = expand(cfg.schedule, cfg.calendar, start, end)
        decision = decide(
            cfg.schedule, cfg.calendar, occs, cfg.contacts, state, now, track_from=track_from
        )
        report.messages.extend(
            render(d, cfg.schedule, cfg.calendar, cfg.contacts) for d in decision.digests
        )
        report.missed, report.superseded = len(decision.missed), len(decision.superseded)
        return report

    def _send_claimed(
        self,
        ledger: Ledger,
        outbox: Outbox,
        cfg: Config,
        now: dt.datetime,
        today: dt.date,
        report: Report,
        fresh: set[str],
        after: tuple[str, str] | None = None,
    ) -> tuple[str, str] | None:
        """Claim unfinished messages one by one, oldest first, and deliver (or settle) each;
        the (send_at, id) reached, to go on from there.

        Those not written by this pass are the crash window (a daemon killed while sending),
        a channel that was down, or another daemon's share of the work.
        """
        done = ledger.done()
        grace = cfg.contacts.policy.grace
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        while not self.stop.is_set():
            stored = ledger.claim(self.owner, self.lease, after=after)
            if stored is None:
                break
            msg = stored.message
            after = (msg.send_at.isoformat(), msg.id)
            channels = {ch.name: ch for ch in cfg.contacts.channels_of(msg.addressee)}
            # A notice of delivery problems carries no reminders: never cancelled by done marks.
            if stored.slots and all(s.occurrence in done for s in stored.slots):
                self._record(ledger, msg.id, "cancelled", now, "every duty in it was marked done")
                report.cancelled += 1
            elif msg.channel not in channels:
                self._record(
                    ledger,
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
                self._record(ledger, msg.id, "missed", now, "not accepted within the grace window")
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
                resumed = msg.id not in fresh and (
                    stored.attempts > 0
                    or stored.created is None
                    or stored.created < now - SAME_PASS
                )
                before = report.sent
                self._deliver(ledger, outbox, msg, channels[msg.channel], now, report)
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
        return after

    def _record(
        self,
        ledger: Ledger,
        message_id: str,
        state: str,
        now: dt.datetime,
        error: str | None = None,
    ) -> bool:
        """Record an outcome; one the ledger cannot take now is kept for the next pass."""
        from .ledger import LedgerUnreachable

        try:
            return ledger.mark(message_id, state, now, error, owner=self.owner)
        except LedgerUnreachable:
            self.unrecorded.append((message_id, state, now, error))
            raise

    def _flush(self, ledger: Ledger) -> None:
        """Outcomes a lost connection kept from the ledger, recorded before anything else."""
        while self.unrecorded:
            message_id, state, at, error = self.unrecorded[0]
            ledger.mark(message_id, state, at, error, owner=self.owner)
            self.unrecorded.pop(0)
            log_event(logging.INFO, "recorded-late", id=message_id, state=state)

    def _tell_coordinator(
        self, ledger: Ledger, cfg: Config, now: dt.datetime, report: Report, fresh: set[str]
    ) -> bool:
        """Addresses that refused reminders in this pass: one notice on each coordinator channel.

        A refusal is not retried, so without this nobody would learn that a unit's address
        is wrong until the unit missed a deadline. The notice is ledgered like any message,
        and sent as the others are (claimed); True if there is one to send.
        """
        from .notices import render_refusals

        if not report.refusals or self.stop.is_set():
            return False
        notices = [
            render_refusals(report.refusals, ch, cfg.schedule, cfg.contacts, now)
            for ch in cfg.contacts.coordinator
        ]
        ledger.record_intents([(notice, []) for notice in notices], now)
        fresh.update(n.id for n in notices)
        return bool(notices)

    def _deliver(
        self,
        ledger: Ledger,
        outbox: Outbox,
        msg: Message,
        channel,
        now: dt.datetime,
        report: Report,
    ) -> None:
        """Send to the recipients that have not had ``msg`` yet and record each one's answer."""
        from .ledger import LedgerUnreachable

        delivery = outbox.deliver(msg, channel, skip=ledger.settled(msg.id))
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

    def next_wake(self, now: dt.datetime, report: Report | None = None) -> dt.datetime:
        from .messages import next_send_time

        assert self.config is not None
        wake = next_send_time(self.config.schedule, self.config.calendar, now)
        if report is not None and report.failed:
            wake = min(wake, now + dt.timedelta(minutes=self.config.contacts.policy.retry_minutes))
        return wake


# -- the long-running loop ------------------------------------------------------------------
