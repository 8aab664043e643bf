"""Rebuilding the feeds after an event date is recorded on a page, so that subscribers see the
new due dates within seconds instead of after the next scheduled `build`.

The page answers at once; one background thread per server process has the build run in a
child process (the `build` command's work: same horizon from today, same manifest, same lock
on the folder), so the server's own threads keep answering while it renders; requests that
arrive while it builds are folded into one more build. A build that fails is logged and
changes nothing: the feeds stay as they were, and the next `build` or recorded event tries
again.

The child is forked, per build, from a helper process started once (``--helper``) that has
imported what a build needs and nothing of the web (a fresh interpreter spent about 0.4 s of
a bundled rebuild's 0.5 s importing); each build still runs in a process of its own, below
the server's priority, and leaves nothing behind in the helper.

When a build lands it writes the time it started into ``out/.rebuilt`` (a dotfile, never
served): a page of any worker process tells from it whether the change it recorded is in
the feeds yet (``landed``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..core.i18n import in_this_language

if TYPE_CHECKING:  # not at run time: the helper imports this module, and no more of the web
    from .site import WebConfig

log = logging.getLogger("disclosure_calendar.web")

# Another build holding the folder's lock (`build` from cron, another worker): wait this long.
LOCK_TRIES = 10
LOCK_WAIT = 1.0
LANDED = ".rebuilt"
CHILD_SECONDS = 600  # a build that takes longer is stuck: ended, logged, tried again later
# Between two builds back to back (dates recorded while one ran), a pause that gathers more
# into the next: under a stream of forms the builds take about half a core, not a whole one,
# and a date still reaches its feed within a build, this pause and one more build.
GAP_SECONDS = 0.2


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
        self._helper: subprocess.Popen[str] | None = None

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
                self._wanted = False
            try:
                self._build()
            except Exception:  # noqa: BLE001 - a failed build must not take the portal down
                log.exception("event=rebuild-failed out=%s", self.config.out_dir)
            self.builds += 1
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
            time.sleep(GAP_SECONDS)  # wanted while it built: gather a little more first

    def _build(self) -> None:
        config = self.config
        job: dict[str, object] = {
            "out": str(config.out_dir),
            "schedule": str(config.schedule_path),
            "db": str(config.db_path),
            "base_url": config.base_url,
            "now": config.clock.now().isoformat(),
            "started": time.time_ns(),
        }
        answer = self._ask(job)
        if not answer.get("ok"):
            raise RuntimeError(str(answer.get("error", "?"))[-2000:])
        log.info("event=rebuilt out=%s %s", config.out_dir, answer.get("said", ""))

    def _ask(self, job: dict[str, object]) -> dict[str, Any]:
        """The helper's answer to one build (started first if it is not running)."""
        for attempt in range(2):
            helper = self._helper
            if helper is None or helper.poll() is not None:
                helper = self._helper = _start_helper()
            assert helper.stdin is not None and helper.stdout is not None
            try:
                helper.stdin.write(json.dumps(job) + "\n")
                helper.stdin.flush()
            except OSError:  # the helper had gone (killed, crashed): a new one, once
                self._stop_helper()
                if attempt:
                    raise
                continue
            line = _read_line(helper.stdout, CHILD_SECONDS)
            if line is None:  # stuck, or gone mid-build: ended, and started again next time
                self._stop_helper()
                raise RuntimeError(f"no answer from the rebuild within {CHILD_SECONDS} s")
            answer: dict[str, Any] = json.loads(line)
            return answer
        raise AssertionError("unreachable")

    def _stop_helper(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None and helper.poll() is None:
            os.killpg(helper.pid, signal.SIGKILL)  # the helper and a build it forked
            helper.wait()

    def close(self) -> None:
        """End the helper (tests; a server's helper also ends when the server does)."""
        self._stop_helper()


def _start_helper() -> subprocess.Popen[str]:
    package = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "disclosure_calendar.web.rebuild", "--helper"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        start_new_session=True,  # its own group: a stuck build is killed with it
    )  # fmt: skip


def _read_line(stream: IO[str], seconds: float) -> str | None:
    """One line from ``stream`` within ``seconds``; None on timeout or end of file."""
    ready, _, _ = select.select([stream], [], [], seconds)
    if not ready:
        return None
    return stream.readline() or None


def helper(jobs: IO[str], answers: IO[str]) -> None:
    """The helper's loop: a job per line in, one forked build per job, an answer per line out.

    Runs until its input ends (the server stopped). Single-threaded, so forking is safe; the
    build runs in the fork, which leaves no state (caches, memory) in the helper.
    """
    from .. import feeds, schedule, workdays  # noqa: F401 - imported once, for every fork
    from ..ledger import events, store  # noqa: F401
    from ..occurrences import horizon  # noqa: F401

    for line in jobs:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the build
            os.close(read)
            try:
                answer = {"ok": True, "said": rebuild(json.loads(line))}
            except BaseException:  # noqa: BLE001 - the server logs it
                answer = {"ok": False, "error": traceback.format_exc()[-2000:]}
            with os.fdopen(write, "w") as out:
                out.write(json.dumps(answer))
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as said:
            text = said.read()
        _, status = os.waitpid(pid, 0)
        if not text:
            text = json.dumps({"ok": False, "error": f"the build ended with status {status}"})
        answers.write(text + "\n")
        answers.flush()


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
    # as `build` reads them: the events alone, no write transaction beside the portal's writes
    schedule = load_recorded(load_schedule(schedule_path), db, quick=True)
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
    if sys.argv[1:] == ["--helper"]:
        helper(sys.stdin, sys.stdout)
    else:  # one build, the job given (by hand, or an older server)
        print(rebuild(json.loads(sys.argv[1])))
