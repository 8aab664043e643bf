"""Rebuilding the feeds after an event date is recorded on a page, so that subscribers see the
new due dates within seconds instead of after the next scheduled `build`.

The page answers at once; one background thread per server process runs the build in a child
process (the `build` command's work: same horizon from today, same manifest, same lock on the
folder), so the server's own threads keep answering while it renders; requests that arrive
while it builds are folded into one more build. A build that fails is logged and changes
nothing: the feeds stay as they were, and the next `build` or recorded event tries again.

When a build lands it writes the time it started into ``out/.rebuilt`` (a dotfile, never
served): a page of any worker process tells from it whether the change it recorded is in
the feeds yet (``landed``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..core.i18n import in_this_language
from .site import WebConfig

log = logging.getLogger("disclosure_calendar.web")

# Another build holding the folder's lock (`build` from cron, another worker): wait this long.
LOCK_TRIES = 10
LOCK_WAIT = 1.0
LANDED = ".rebuilt"
CHILD_SECONDS = 600  # a build that takes longer is stuck: ended, logged, tried again later


def landed(out_dir: Path, since_ns: int) -> bool:
    """True if a build that started at ``since_ns`` (time.time_ns) or later has landed."""
    try:
        return int((out_dir / LANDED).read_text(encoding="ascii").strip()) >= since_ns
    except (OSError, ValueError):
        return False


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
        config = self.config
        job = {
            "out": str(config.out_dir),
            "schedule": str(config.schedule_path),
            "db": str(config.db_path),
            "base_url": config.base_url,
            "now": config.clock.now().isoformat(),
            "started": time.time_ns(),
        }
        package = Path(__file__).resolve().parents[2]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
        done = subprocess.run(
            [sys.executable, "-m", "disclosure_calendar.web.rebuild", json.dumps(job)],
            env=env, capture_output=True, text=True, timeout=CHILD_SECONDS, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-2000:]}")
        log.info("event=rebuilt out=%s %s", config.out_dir, done.stdout.strip())


def rebuild(job: dict[str, object]) -> str:
    """The child's work: one build of the folder, then the landed stamp."""
    from ..core.files import write_atomic
    from ..feeds import BuildBusy, build_feeds, quick, stamp_time
    from ..ledger.events import load_recorded
    from ..occurrences import horizon
    from ..schedule import load_schedule
    from ..workdays import WorkdayCalendar

    out_dir, schedule_path, db = Path(str(job["out"])), Path(str(job["schedule"])), str(job["db"])
    base_url = job["base_url"] if isinstance(job["base_url"], str) else None
    now = dt.datetime.fromisoformat(str(job["now"]))
    taken = quick.take(schedule_path, db)  # first: see quick.Taken
    schedule = load_recorded(load_schedule(schedule_path), db)
    cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    first, last = horizon.resolve(horizon.today_in(schedule.plan.timezone, now))
    key = taken.key(first, last, base_url)
    for attempt in range(LOCK_TRIES):
        try:
            result = build_feeds(
                schedule, cal, first, last, out_dir,
                now=stamp_time(os.environ, now.astimezone(dt.UTC)),
                base_url=base_url, workers=1, key=key,
            )  # fmt: skip
            break
        except BuildBusy:
            if attempt == LOCK_TRIES - 1:
                raise
            time.sleep(LOCK_WAIT)
    write_atomic(out_dir / LANDED, f"{job['started']}\n".encode(), sync=False)
    return f"written={len(result.written)}"


if __name__ == "__main__":
    # Below the server's threads: pages and forms answer first; idle cores build at once.
    os.nice(10)
    print(rebuild(json.loads(sys.argv[1])))
