"""Rebuilding the feeds after an event date is recorded on a page, so that subscribers see the
new due dates within seconds instead of after the next scheduled `build`.

One background thread per process; requests that arrive while it builds are folded into one
more build. The build is the `build` command's (same horizon from today, same manifest, same
lock on the folder), on one core, since forking a server's threads is not safe. A build that
fails is logged and changes nothing: the feeds stay as they were, and the next `build` or
recorded event tries again.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from ..core.i18n import in_this_language
from .site import WebConfig

log = logging.getLogger("disclosure_calendar.web")

# Another build holding the folder's lock (`build` from cron, another worker): wait this long.
LOCK_TRIES = 10
LOCK_WAIT = 1.0


class Rebuilder:
    def __init__(self, config: WebConfig):
        self.config = config
        self._lock = threading.Lock()
        self._wanted = False
        self._running = False
        self.builds = 0  # finished builds, for tests and the log

    def request(self) -> None:
        """Build soon; returns at once."""
        with self._lock:
            self._wanted = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=in_this_language(self._loop), name="rebuild", daemon=True).start()

    def wait(self, timeout: float = 30.0) -> bool:
        """Until no build is wanted or running (tests); False on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._running:
                    return True
            time.sleep(0.02)
        return False

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
                self._wanted = False
            try:
                self._build()
            except Exception:  # noqa: BLE001 - a failed build must not take the portal down
                log.exception("event=rebuild-failed out=%s", self.config.out_dir)
            self.builds += 1

    def _build(self) -> None:
        import datetime as dt

        from ..feeds import BuildBusy, build_feeds, quick, stamp_time
        from ..ledger.events import load_recorded
        from ..occurrences import horizon
        from ..schedule import load_schedule
        from ..workdays import WorkdayCalendar

        config = self.config
        taken = quick.take(config.schedule_path, config.db_path)  # first: see quick.Taken
        schedule = load_recorded(load_schedule(config.schedule_path), config.db_path)
        cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
        now = config.clock.now()
        first, last = horizon.resolve(horizon.today_in(schedule.plan.timezone, now))
        key = taken.key(first, last, config.base_url)
        for attempt in range(LOCK_TRIES):
            try:
                result = build_feeds(
                    schedule, cal, first, last, config.out_dir,
                    now=stamp_time(os.environ, now.astimezone(dt.UTC)),
                    base_url=config.base_url, workers=1, key=key,
                )  # fmt: skip
                break
            except BuildBusy:
                if attempt == LOCK_TRIES - 1:
                    raise
                time.sleep(LOCK_WAIT)
        log.info("event=rebuilt out=%s written=%d", config.out_dir, len(result.written))
