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
import logging
import os
import signal
import threading
from collections.abc import Mapping
from pathlib import Path

from disclosure_calendar.core.i18n import N_, in_this_language
from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import NotDelivered
from ..ledger import LedgerUnreachable, parse_target
from .clock import Clock, clock_from_env
from .logs import log_event
from .sending import Report
from .service import Service

log = logging.getLogger("disclosure_calendar.daemon")

RELOAD_SECONDS = 5.0
# Retrying an unreachable ledger: 1 s, 2 s, 4 s ... at most a minute apart.
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 60.0
# Looking again just after a lease ends, not exactly at it (the database's clock decides).
TAKEOVER_MARGIN = 0.05
# The longest SIGTERM takes to stop the daemon: a send in progress is cut short within the
# watchdog's poll (deadline.py), then the pass records what it has and the scheduler ends.
# deploy/disclosure-calendar.service's TimeoutStopSec must stay above it (a test checks).
STOP_SECONDS = 5.0


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
        # A tick plans the next one before it returns, and APScheduler counts it running
        # until then: with one instance allowed, a next tick due at once (delay 0, or a
        # loaded machine) was skipped and nothing planned another, so the daemon slept for
        # good. Two instances: the one worker still runs them one after the other.
        run_date = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
        scheduler.add_job(
            tick, "date", run_date=run_date, id="tick", replace_existing=True, max_instances=2
        )

    backoff = 0.0

    @in_this_language  # it runs in the scheduler's worker thread
    def tick() -> None:
        nonlocal backoff
        now = clock.now()
        takeover: float | None = None
        try:
            report = service.run_once(now)
            wake_at = service.next_wake(now, report)
            takeover = report.takeover_in
        except LedgerUnreachable as exc:
            # Wait and try again, longer each time; nothing is decided or sent meanwhile,
            # and an outcome the ledger missed is recorded first when it is back.
            backoff = min(BACKOFF_CAP, backoff * 2 or BACKOFF_FIRST)
            log_event(
                logging.WARNING,
                "ledger-unreachable",
                error=str(exc),
                retry_in=backoff,
                unrecorded=len(service.unrecorded),
            )
            if not stop.is_set():
                plan_tick(backoff)
            return
        except Exception as exc:  # noqa: BLE001 - a bad pass must not end the daemon
            log.exception("tick-failed", extra={"fields": {"error": str(exc)}})
            assert service.config is not None
            wake_at = now + dt.timedelta(minutes=service.config.contacts.policy.retry_minutes)
        if backoff:
            backoff = 0.0
            log_event(logging.INFO, "ledger-reachable")
        if stop.is_set():
            return
        delay = clock.delay(wake_at)
        if takeover is not None and (delay is None or takeover + TAKEOVER_MARGIN < delay):
            # Another daemon holds a message: if it died, its claim runs out then, and we
            # take the message over instead of leaving it until our next send time.
            delay = takeover + TAKEOVER_MARGIN
            log_event(logging.INFO, "sleep", until="claim-ends", seconds=round(delay, 1))
            plan_tick(delay)
            return
        if delay is None:
            log_event(logging.INFO, "clock-end", at=clock.now())
            stop.set()
            wake.set()
            return
        log_event(logging.INFO, "sleep", until=wake_at, seconds=round(delay, 1))
        plan_tick(delay)

    @in_this_language
    def reload(force: bool = False) -> None:
        if service.reload(force=force) and not stop.is_set():
            plan_tick(0)  # a new schedule may have reminders due right now

    plan_tick(0)
    scheduler.add_job(reload, "interval", seconds=reload_seconds, id="reload")
    scheduler.start()
    log_event(logging.INFO, "started", pid=os.getpid(), db=_shown(service.db), owner=service.owner)
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
        log_event(logging.INFO, "stopped")


def _shown(db: str | Path) -> str:
    return parse_target(db).shown


def serve(service: Service, clock: Clock, *, reload_seconds: float = RELOAD_SECONDS) -> None:
    """run_daemon with SIGTERM/SIGINT (stop, cutting a send short) and SIGHUP (reload)."""
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


NOT_ACCEPTED = N_("{count} message(s) not accepted; the next run retries them")
REFUSED = N_(
    "{count} recipient(s) refused a message for good (the coordinator has been told); once "
    "the address or the server's settings are fixed, resend with: remind --at <now> "
    "--retry-failed"
)


def trouble(report: Report) -> str | None:
    """What a run left undelivered, in words; None when every message was accepted."""
    lines = []
    if report.failed:
        lines.append(_(NOT_ACCEPTED).format(count=report.failed))
    if report.refused:
        lines.append(_(REFUSED).format(count=report.refused))
    return "\n".join(lines) or None


def run_service(service: Service, env: Mapping[str, str], *, once: bool) -> str | None:
    """``daemon``: one pass (``once``, for cron: returns its counts) or serve until SIGTERM."""
    service.reload(force=True)
    assert service.config is not None  # a first reload raises instead of keeping nothing
    clock = clock_from_env(env, service.config.schedule.plan.timezone)
    try:
        if not once:
            serve(service, clock)
            return None
        report = service.run_once(clock.now())
        counts = _(
            "sent {sent}, resent {resent}, failed {failed}, refused {refused}, missed {missed}, "
            "superseded {superseded}"
        ).format(
            sent=report.sent,
            resent=report.resent,
            failed=report.failed,
            refused=report.refused,
            missed=report.missed,
            superseded=report.superseded,
        )
        problem = trouble(report)
        if problem:
            raise NotDelivered(problem, counts)
        return counts
    finally:
        service.close()


def remind_once(
    service: Service, instant: dt.datetime, *, dry_run: bool, retry_failed: bool = False
) -> str:
    """``remind --at``: decide (and unless ``dry_run`` send) for one instant; the messages as
    text. NotDelivered (exit 3) carries that text when some message was not accepted.

    ``retry_failed``: reminders that failed for good are resent first (Service.run_once).
    """
    service.reload(force=True)
    try:
        report = service.run_once(instant, dry_run=dry_run, retry_failed=retry_failed)
    finally:
        service.close()
    lines = []
    for msg in report.messages:
        lines += [
            _("=== to {addressee} via {channel} <{id}>").format(
                addressee=msg.addressee, channel=msg.channel, id=msg.id
            ),
            _("Subject: {subject}").format(subject=msg.subject),
        ]
        lines.append(msg.text)
    if dry_run:
        summary = _("would send {count} message(s); missed {missed}, superseded {superseded}")
        count = len(report.messages)
    else:
        summary = _("sent {count} message(s); missed {missed}, superseded {superseded}")
        count = report.sent + report.resent
    if retry_failed and not dry_run:
        lines.append(
            _("{count} message(s) that had failed for good made due again").format(
                count=report.reopened
            )
        )
    lines.append(summary.format(count=count, missed=report.missed, superseded=report.superseded))
    problem = None if dry_run else trouble(report)
    if problem:
        raise NotDelivered(problem, "\n".join(lines))
    return "\n".join(lines)
