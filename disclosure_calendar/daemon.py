"""The reminder daemon: APScheduler wakes it at each send time; the ledger decides what is left to send.

APScheduler only says *when* to look. Jobs live in memory and are rebuilt on start, so
nothing depends on the job store surviving a crash: every tick asks the ledger which
reminders due by now have not been handled, sends those (catching up after downtime within
the grace window) and records the outcome. The clock is injected: the real one, a fixed
instant, or a "warp" clock that jumps straight to the next send time so tests run a month in
seconds.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from .contacts import DEFAULT, Contacts, load_contacts
from .errors import DisclosureError
from .notifiers import Outbox, Retry, SendError

if TYPE_CHECKING:
    from .model import Schedule
    from .reminders import Message
    from .workdays import ChinaCalendar

log = logging.getLogger("disclosure_calendar.daemon")

CLOCK_ENV = "DISCLOSURE_CALENDAR_FAKE_CLOCK"
RELOAD_SECONDS = 5.0
DEFAULT_RETRY = Retry()


# -- structured logs ------------------------------------------------------------------------


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=info event=sent id=... to=finance``: one line per event, grep-able."""

    def __init__(self, as_json: bool = False):
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name.removeprefix("disclosure_calendar."),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{k}={_kv(v)}" for k, v in fields.items())


def _kv(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
    if text and not any(c in text for c in ' "=\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


def setup_logging(
    stream: IO[str] | None = None, *, as_json: bool = False, level: int = logging.INFO
) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter(as_json))
    root = logging.getLogger("disclosure_calendar")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _event(level: int, name: str, **fields: object) -> None:
    log.log(level, name, extra={"fields": fields})


# -- clocks ---------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def delay(self, until: dt.datetime) -> float | None:
        """Real seconds to wait until ``until``; None when this clock will never get there."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def delay(self, until: dt.datetime) -> float | None:
        return max(0.0, (until - self.now()).total_seconds())


class FixedClock:
    """Always the same instant (for `remind --at` and `daemon --once` in tests)."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def delay(self, until: dt.datetime) -> float | None:
        return None if until > self.at else 0.0


class WarpClock:
    """Jumps to each wake-up time at once; stops at ``end``. For tests of the whole daemon."""

    def __init__(self, start: dt.datetime, end: dt.datetime):
        self.current, self.end = start, end
        self.lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self.lock:
            return self.current

    def delay(self, until: dt.datetime) -> float | None:
        with self.lock:
            if until > self.end:
                return None
            self.current = max(self.current, until)
            return 0.0


def parse_instant(text: str, timezone: str) -> dt.datetime:
    """ISO date-time; without an offset it is local time in the plan's zone."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DisclosureError(
            f"{text!r} is not a date-time (write 2026-04-01T09:00 or with +08:00)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def clock_from_env(env: Mapping[str, str], timezone: str = "Asia/Shanghai") -> Clock:
    """``DISCLOSURE_CALENDAR_FAKE_CLOCK``: unset (real clock), an instant, or ``warp:START/END``."""
    value = env.get(CLOCK_ENV, "").strip()
    if not value:
        return SystemClock()
    if value.startswith("warp:"):
        start, _, end = value.removeprefix("warp:").partition("/")
        return WarpClock(parse_instant(start, timezone), parse_instant(end, timezone))
    return FixedClock(parse_instant(value, timezone))


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
    resent: int = 0
    missed: int = 0
    superseded: int = 0
    cancelled: int = 0
    messages: list[Message] = field(default_factory=list)


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
    ):
        self.schedule_path = schedule_path
        self.db_path = db_path
        self.contacts_path = contacts_path or default_contacts(schedule_path)
        self.contacts_required = contacts_required
        self.env = os.environ if env is None else env
        self.retry = retry
        self.sleep = sleep
        self.stop = stop or threading.Event()
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
        from .schedule import load_schedule
        from .workdays import ChinaCalendar

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
            _event(
                logging.ERROR, "reload-failed", error=str(exc), keeping=self.config.schedule.digest
            )
            return False
        self.config = config
        self._log_config("reloaded")
        return True

    def _log_config(self, what: str) -> None:
        assert self.config is not None
        c = self.config
        _event(
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
        from .ledger import Ledger
        from .occurrences import expand
        from .reminders import State, decide, render, window

        if self.config is None:
            self.reload(force=True)
        assert self.config is not None
        cfg = self.config
        tz = ZoneInfo(cfg.schedule.plan.timezone)
        today = now.astimezone(tz).date()
        report = Report()
        if dry_run and not self.db_path.exists():
            track_from = cfg.contacts.policy.track_from or today
            return self._dry(report, cfg, now, today, State(), [], track_from)
        with Ledger(self.db_path) as ledger:
            track_from = cfg.contacts.policy.track_from or ledger.tracking_since(today)
            if dry_run:
                return self._dry(
                    report, cfg, now, today, ledger.state(), ledger.unfinished(), track_from
                )
            outbox = Outbox(
                cfg.contacts.smtp, self.env, retry=self.retry, now=lambda: now, sleep=self._wait
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
                    _event(
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
        if report.sent or report.failed or report.missed or report.resent:
            _event(
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
        from .occurrences import expand
        from .reminders import decide, render, window

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
            if all(s.occurrence in done for s in stored.slots):
                ledger.mark(msg.id, "cancelled", now, "every duty in it was marked done")
                report.cancelled += 1
            elif msg.channel not in channels:
                ledger.mark(
                    msg.id, "cancelled", now, f"channel {msg.channel!r} no longer in contacts"
                )
                report.cancelled += 1
                _event(
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
                _event(
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
                _event(
                    logging.INFO, "resumed", id=msg.id, state=stored.state, attempts=stored.attempts
                )

    def _deliver(
        self, ledger, outbox: Outbox, msg: Message, channel, now: dt.datetime, report: Report
    ) -> None:
        try:
            outbox.deliver(msg, channel)
        except SendError as exc:
            ledger.mark(msg.id, "failed", now, str(exc))
            report.failed += 1
            _event(
                logging.ERROR,
                "failed",
                id=msg.id,
                to=msg.addressee,
                channel=channel.name,
                error=str(exc),
            )
            return
        ledger.mark(msg.id, "sent", now)
        report.sent += 1
        _event(
            logging.INFO,
            "sent",
            id=msg.id,
            to=msg.addressee,
            channel=channel.name,
            subject=msg.subject,
        )

    def next_wake(self, now: dt.datetime, report: Report | None = None) -> dt.datetime:
        from .reminders import next_send_time

        assert self.config is not None
        wake = next_send_time(self.config.schedule, self.config.calendar, now)
        if report is not None and report.failed:
            wake = min(wake, now + dt.timedelta(minutes=self.config.contacts.policy.retry_minutes))
        return wake


# -- the long-running loop ------------------------------------------------------------------


def run_daemon(
    service: Service,
    clock: Clock,
    *,
    hup: threading.Event | None = None,
    wake: threading.Event | None = None,
    reload_seconds: float = RELOAD_SECONDS,
) -> None:
    """Tick at every send time until ``service.stop`` is set (SIGTERM) or the clock ends."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    stop = service.stop
    hup = hup or threading.Event()
    wake = wake or threading.Event()
    # One worker: ticks and reloads never overlap, so neither needs a lock.
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=dt.UTC,
    )

    def plan_tick(delay: float) -> None:
        run_date = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
        scheduler.add_job(tick, "date", run_date=run_date, id="tick", replace_existing=True)

    def tick() -> None:
        now = clock.now()
        try:
            report = service.run_once(now)
            wake_at = service.next_wake(now, report)
        except Exception as exc:  # noqa: BLE001 - a bad pass must not end the daemon
            log.exception("tick-failed", extra={"fields": {"error": str(exc)}})
            assert service.config is not None
            wake_at = now + dt.timedelta(minutes=service.config.contacts.policy.retry_minutes)
        if stop.is_set():
            return
        delay = clock.delay(wake_at)
        if delay is None:
            _event(logging.INFO, "clock-end", at=clock.now())
            stop.set()
            wake.set()
            return
        _event(logging.INFO, "sleep", until=wake_at, seconds=round(delay, 1))
        plan_tick(delay)

    def reload(force: bool = False) -> None:
        if service.reload(force=force) and not stop.is_set():
            plan_tick(0)  # a new schedule may have reminders due right now

    scheduler.add_job(tick, "date", run_date=dt.datetime.now(dt.UTC), id="tick")
    scheduler.add_job(reload, "interval", seconds=reload_seconds, id="reload")
    scheduler.start()
    _event(logging.INFO, "started", pid=os.getpid(), db=service.db_path)
    try:
        while not stop.is_set():
            wake.wait(60)
            wake.clear()
            if hup.is_set() and not stop.is_set():
                hup.clear()
                scheduler.add_job(
                    reload, kwargs={"force": True}, id="reload-now", replace_existing=True
                )
    finally:
        scheduler.shutdown(wait=True)
        _event(logging.INFO, "stopped")


def serve(service: Service, clock: Clock, *, reload_seconds: float = RELOAD_SECONDS) -> None:
    """run_daemon with SIGTERM/SIGINT (stop after the message in flight) and SIGHUP (reload)."""
    hup, wake = threading.Event(), threading.Event()

    def on_stop(signum: int, frame: object) -> None:
        service.stop.set()
        wake.set()

    def on_hup(signum: int, frame: object) -> None:
        hup.set()
        wake.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    run_daemon(service, clock, hup=hup, wake=wake, reload_seconds=reload_seconds)
