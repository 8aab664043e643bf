"""The reminder service: loads configuration (keeping the last good one) and runs one decision-and-send pass."""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..core.errors import DisclosureError
from .contacts import DEFAULT, Contacts, load_contacts
from .notices import Refusal
from .notifiers import DEADLINE, Outbox, Retry
from .outcomes import record_outcome

if TYPE_CHECKING:
    from ..schedule.model import Schedule
    from ..workdays.calendar import ChinaCalendar
    from .messages import Message

from .logs import log_event

log = logging.getLogger("disclosure_calendar.daemon")

RELOAD_SECONDS = 5.0
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


def default_db(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "disclosure-calendar.db"


def default_contacts(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "contacts.yaml"


class Service:
    """Loads configuration (keeping the last good one) and runs one decision-and-send pass."""

    def __init__(
        self,
        schedule_path: Path,
        db_path: Path,
        contacts_path: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        retry: Retry = DEFAULT_RETRY,
        sleep: Callable[[float], None] | None = None,
        stop: threading.Event | None = None,
        contacts_required: bool = False,
        deadline: float = DEADLINE,
    ):
        self.schedule_path = schedule_path
        self.db_path = db_path
        self.contacts_path = contacts_path or default_contacts(schedule_path)
        self.contacts_required = contacts_required
        self.env = os.environ if env is None else env
        self.retry = retry
        self.sleep = sleep
        self.stop = stop or threading.Event()
        self.deadline = deadline
        self.config: Config | None = None
        self._tried: tuple[object, ...] | None = None
        self._lock_file: IO[bytes] | None = None

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

    def lock(self) -> None:
        """One sender per ledger: a second daemon would double every message."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        # flock on the database file itself: independent of SQLite's own POSIX locks, and
        # released by the kernel when the process dies, however it dies. The descriptor
        # stays open until close() so SQLite's locks are never dropped under it.
        handle = open(self.db_path, "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DisclosureError(
                f"{self.db_path}: another disclosure-calendar process is sending from this ledger"
            ) from None
        self._lock_file = handle

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # -- one pass --

    def run_once(self, now: dt.datetime, *, dry_run: bool = False) -> Report:
        """Send what is due at ``now`` and not yet in the ledger (or, dry, only say what)."""
        from ..occurrences.expansion import expand
        from .ledger import Ledger
        from .messages import State, decide, render, window

        if self.config is None:
            self.reload(force=True)
        assert self.config is not None
        cfg = self.config
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        today = now.astimezone(tz).date()
        report = Report()
        if dry_run:
            # Looking only: the ledger is opened read-only, so not even the first tracked day
            # (which a real run fixes) is written; a later daemon must not skip anything.
            if not self.db_path.exists() or self.db_path.stat().st_size == 0:
                track_from = cfg.contacts.policy.track_from or today
                return self._dry(report, cfg, now, today, State(), [], track_from)
            with Ledger(self.db_path, read_only=True) as ledger:
                track_from = cfg.contacts.policy.track_from or ledger.tracking_start() or today
                return self._dry(
                    report, cfg, now, today, ledger.state(), ledger.unfinished(), track_from
                )
        with Ledger(self.db_path) as ledger:
            track_from = cfg.contacts.policy.track_from or ledger.tracking_since(today)
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
                self._resume(ledger, outbox, cfg, now, today, report)
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
                report.missed += ledger.record_skipped(
                    (i.slot for i in decision.missed), "missed", now
                )
                report.superseded += ledger.record_skipped(
                    (i.slot for i in decision.superseded), "superseded", now
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
                batch = [
                    (render(d, cfg.schedule, cfg.calendar, cfg.contacts), d)
                    for d in decision.digests
                ]
                ledger.record_intents([(m, [i.slot for i in d.items]) for m, d in batch], now)
                for msg, digest in batch:
                    if self.stop.is_set():
                        break  # left pending: never handed over, so sent on the next start
                    self._deliver(ledger, outbox, msg, digest.channel, now, report)
                    report.messages.append(msg)
                self._tell_coordinator(ledger, outbox, cfg, now, report)
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

    def _dry(
        self,
        report: Report,
        cfg: Config,
        now: dt.datetime,
        today: dt.date,
        state,
        unfinished,
        track_from: dt.date,
    ) -> Report:
        from ..occurrences.expansion import expand
        from .messages import decide, render, window

        report.messages.extend(s.message for s in unfinished)
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

    def _resume(
        self, ledger, outbox: Outbox, cfg: Config, now: dt.datetime, today: dt.date, report: Report
    ) -> None:
        """Messages written but never confirmed: the crash window, or a channel that was down."""
        done = ledger.state().done or {}
        grace = cfg.contacts.policy.grace
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        for stored in ledger.unfinished():
            msg = stored.message
            channels = {ch.name: ch for ch in cfg.contacts.channels_of(msg.addressee)}
            if stored.slots and all(s.occurrence in done for s in stored.slots):
                ledger.mark(msg.id, "cancelled", now, "every duty in it was marked done")
                report.cancelled += 1
            elif msg.channel not in channels:
                ledger.mark(
                    msg.id, "cancelled", now, f"channel {msg.channel!r} no longer in contacts"
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
                ledger.mark(msg.id, "missed", now, "not accepted within the grace window")
                report.missed += len(stored.slots)
                log_event(
                    logging.WARNING,
                    "missed",
                    id=msg.id,
                    to=msg.addressee,
                    channel=msg.channel,
                    since=msg.send_at,
                )
            elif not self.stop.is_set():
                before = report.sent
                self._deliver(ledger, outbox, msg, channels[msg.channel], now, report)
                if report.sent > before:
                    report.resent += 1
                    report.sent -= 1
                log_event(
                    logging.INFO, "resumed", id=msg.id, state=stored.state, attempts=stored.attempts
                )

    def _tell_coordinator(
        self, ledger, outbox: Outbox, cfg: Config, now: dt.datetime, report: Report
    ) -> None:
        """Addresses that refused reminders in this pass: one notice on each coordinator channel.

        A refusal is not retried, so without this nobody would learn that a unit's address
        is wrong until the unit missed a deadline. The notice is ledgered like any message.
        """
        from .notices import render_refusals

        if not report.refusals or self.stop.is_set():
            return
        refusals, report.refusals = report.refusals, []
        notices = [
            (render_refusals(refusals, ch, cfg.schedule, cfg.contacts, now), ch)
            for ch in cfg.contacts.coordinator
        ]
        ledger.record_intents([(notice, []) for notice, _ in notices], now)
        for notice, channel in notices:
            self._deliver(ledger, outbox, notice, channel, now, report)
            report.messages.append(notice)
        report.refusals = refusals

    def _deliver(
        self, ledger, outbox: Outbox, msg: Message, channel, now: dt.datetime, report: Report
    ) -> None:
        """Send to the recipients that have not had ``msg`` yet and record each one's answer."""
        delivery = outbox.deliver(msg, channel, skip=ledger.settled(msg.id))
        state, refusals = record_outcome(ledger, msg, channel, delivery, now)
        report.refused += len(delivery.refused)
        report.refusals += refusals
        if state == "sent":
            report.sent += 1
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
