"""The reminder service: loads configuration (keeping the last good one) and runs one decision-and-send pass."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..core.tokens import SECRET_ENV, Signer, load_secret
from ..ledger.claims import DEFAULT_LEASE
from ..ledger.files import default_contacts
from .contacts import DEFAULT, load_contacts
from .notifiers import DEADLINE, Outbox, Retry
from .sending import Config, Pass, Report

if TYPE_CHECKING:
    from .messages import Digest, Message
    from .outbox import ReminderLedger

from .logs import log_event

log = logging.getLogger("disclosure_calendar.daemon")

RELOAD_SECONDS = 5.0
# How far back `remind --retry-failed` and the dashboard's button look for failed reminders.
RETRY_DAYS = 30
DEFAULT_RETRY = Retry()


# -- the service ----------------------------------------------------------------------------


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
        secret: bytes | None = None,
    ):
        self.schedule_path = schedule_path
        self.db = db
        self.contacts_path = contacts_path or default_contacts(schedule_path)
        self.contacts_required = contacts_required
        self.env = os.environ if env is None else env
        # Signs the "查看并标记完成" links in e-mails; from --secret-file or the environment.
        if secret is None and self.env.get(SECRET_ENV):
            secret = load_secret(self.env, None)
        self.signer = Signer(secret) if secret else None
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
        self.ledger: ReminderLedger | None = None
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
        from ..workdays.calendar import WorkdayCalendar

        schedule = load_schedule(self.schedule_path)
        cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
        if self.contacts_path.exists() or self.contacts_required:
            contacts = load_contacts(self.contacts_path, [u.id for u in schedule.units], self.env)
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

    def _ledger(self) -> ReminderLedger:
        from .outbox import ReminderLedger

        if self.ledger is None:
            self.ledger = ReminderLedger(self.db)
        return self.ledger

    def close(self) -> None:
        from ..ledger import LedgerUnreachable

        if self.ledger is not None:
            with contextlib.suppress(LedgerUnreachable):  # else the claims run out by themselves
                self.ledger.release(self.owner)
            self.ledger.close()
            self.ledger = None

    # -- one pass --

    def run_once(
        self, now: dt.datetime, *, dry_run: bool = False, retry_failed: bool = False
    ) -> Report:
        """Send what is due at ``now`` and not yet in the ledger (or, dry, only say what).

        ``retry_failed``: first make the reminders of the last RETRY_DAYS days that failed for
        good due again (outbox.reopen_failed), so they go out in this pass.

        Raises LedgerUnreachable when the ledger cannot be reached; an outcome the channel
        gave meanwhile is kept and recorded first thing on the next pass.
        """
        from ..ledger.events import with_recorded_events
        from ..occurrences.expansion import expand
        from .messages import decide, window

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
            batch = self._render(ledger, cfg, decision.digests, now)
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
        if retry_failed:
            from .outbox import reopen_failed

            reopened = reopen_failed(ledger, now, now - dt.timedelta(days=RETRY_DAYS))
            report.reopened = len(reopened)
            if reopened:
                log_event(logging.INFO, "retry-failed", count=len(reopened))
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
            sending = Pass(
                ledger, outbox, cfg, now, report, self.owner, self.lease, self.stop,
                self.unrecorded, {m.id for m in batch}, self._portal(cfg),
            )  # fmt: skip
            sending.send_claimed()
            # refusals of this pass: the coordinator hears of them in this pass, not the next
            sending.send_these(sending.tell_coordinator())
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
        from ..ledger import LedgerMissing
        from ..ledger.events import with_recorded_events
        from ..occurrences.expansion import expand
        from .messages import State, decide, window
        from .outbox import ReminderLedger

        state, track_from = State(), cfg.contacts.policy.track_from or today
        try:
            # Looking only: read-only, so not even the first tracked day (which a real run
            # fixes) is written; a later daemon must not skip anything.
            with ReminderLedger(self.db, read_only=True) as ledger:
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
        report.messages.extend(self._render(None, cfg, decision.digests, now))
        report.missed, report.superseded = len(decision.missed), len(decision.superseded)
        return report

    def _render(
        self,
        ledger: ReminderLedger | None,
        cfg: Config,
        digests: Sequence[Digest],
        now: dt.datetime,
    ) -> list[Message]:
        """The digests as messages; e-mails carry the addressee's portal link when there is a
        secret and a plan.base_url (``ledger`` None: a dry run, the links not recorded)."""
        from .messages import render

        emails = {d.addressee for d in digests if d.channel.type == "email"}
        links: dict[str, str] = {}
        base_url = cfg.schedule.plan.base_url
        if self.signer is not None and base_url and emails:
            from .links import portal_links

            tz = cfg.schedule.plan.timezone
            links = portal_links(ledger, self.signer, base_url, emails, now, tz)
        return [
            render(
                d,
                cfg.schedule,
                cfg.calendar,
                cfg.contacts,
                links.get(d.addressee) if d.channel.type == "email" else None,
                portal=self._portal(cfg),
                sent_at=now,  # a reminder decided late says what is true when it goes out
            )  # fmt: skip
            for d in digests
        ]

    def _portal(self, cfg: Config) -> bool:
        """Whether messages may send units to the portal: a secret and a plan.base_url."""
        return bool(self.signer is not None and cfg.schedule.plan.base_url)

    def _flush(self, ledger: ReminderLedger) -> None:
        """Outcomes a lost connection kept from the ledger, recorded before anything else."""
        while self.unrecorded:
            message_id, state, at, error = self.unrecorded[0]
            ledger.mark(message_id, state, at, error, owner=self.owner)
            self.unrecorded.pop(0)
            log_event(logging.INFO, "recorded-late", id=message_id, state=state)

    def next_wake(self, now: dt.datetime, report: Report | None = None) -> dt.datetime:
        from .messages import next_send_time

        assert self.config is not None
        wake = next_send_time(self.config.schedule, self.config.calendar, now)
        if report is not None and report.failed:
            wake = min(wake, now + dt.timedelta(minutes=self.config.contacts.policy.retry_minutes))
        return wake


# -- the long-running loop ------------------------------------------------------------------
