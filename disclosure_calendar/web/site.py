"""What every page shares: settings, the schedule (reloaded when its file changes), the
occurrences of the years pages show, the ledger, the clock and the templates."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..core.errors import DisclosureError
from ..core.tokens import SECRET_ENV, Signer
from ..ledger import Done, EventRecord, Ledger, LedgerUnreachable, MarkChange
from ..ledger.events import with_recorded_events
from ..occurrences.expansion import Occurrence, expand, reached
from ..occurrences.horizon import today_in
from ..reminders.clock import Clock, SystemClock, clock_from_env
from ..schedule import load_schedule
from ..workdays import WorkdayCalendar
from .files import FileCache
from .ratelimit import AccessLimiter

if TYPE_CHECKING:
    from ..schedule.model import Schedule

SESSION_HOURS = 12
EVENTS_SECONDS = 5.0


@dataclass(frozen=True)
class WebConfig:
    """The settings `serve` passes in; everything else is derived."""

    out_dir: Path
    schedule_path: Path
    db_path: str | Path  # an SQLite file or a postgresql:// URL
    secret: bytes | None = None  # without one, only the public pages work
    base_url: str | None = None  # overrides plan.base_url for subscribe and access links
    clock: Clock = field(default_factory=SystemClock)
    session_hours: int = SESSION_HOURS
    rebuild: bool = False  # rebuild the feeds when a page records an event date (web/rebuild.py)


_ENV = "DISCLOSURE_CALENDAR_WEB_"


def config_to_env(config: WebConfig) -> dict[str, str]:
    """The settings as environment variables, for worker processes (``--workers N``)."""
    env = {
        _ENV + "OUT": str(config.out_dir),
        _ENV + "SCHEDULE": str(config.schedule_path),
        _ENV + "DB": str(config.db_path),
        _ENV + "BASE_URL": config.base_url or "",
        _ENV + "REBUILD": "1" if config.rebuild else "",
    }
    if config.secret:
        env[SECRET_ENV] = config.secret.decode()
    return env


def config_from_env(env: Mapping[str, str]) -> WebConfig:
    secret = env.get(SECRET_ENV, "").strip().encode() or None
    return WebConfig(
        out_dir=Path(env[_ENV + "OUT"]),
        schedule_path=Path(env[_ENV + "SCHEDULE"]),
        db_path=env[_ENV + "DB"],
        secret=secret,
        base_url=env.get(_ENV + "BASE_URL") or None,
        rebuild=bool(env.get(_ENV + "REBUILD")),
        clock=clock_from_env(env),
    )


@dataclass(frozen=True)
class Plan:
    """The schedule with its calendar and the occurrences of last, this and next year."""

    schedule: Schedule
    calendar: WorkdayCalendar
    occurrences: tuple[Occurrence, ...]
    first_year: int
    stamp: tuple[object, ...]  # the file's mtime and size, and the recorded event dates
    by_unit: Mapping[str, tuple[Occurrence, ...]]  # the occurrences reaching each unit


T = TypeVar("T")


class LedgerView:
    """What the pages read from the ledger, for one value of its portal version: a unit's
    done marks and whether a link is revoked, each read once until something changes them
    (a mark, an undo, an event date, a link issued or revoked, from any process)."""

    def __init__(self, site: Site, version: str):
        self.site, self.version = site, version
        self._made: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` once per key while the ledger stays as it is."""
        if key not in self._made:
            self._made[key] = make()
        return cast(T, self._made[key])

    def done(self, unit: str | None = None) -> dict[str, Done]:
        """``unit``'s marks, or all (None); the dict is shared: do not change it."""
        return self.memo(("done", unit), lambda: self._ask(lambda ledger: ledger.done(unit)))

    def track_from(self) -> dt.date | None:
        """When tracking began (`ledger track-from`): nothing due before it is overdue."""
        return self.memo("track_from", lambda: self._ask(lambda ledger: ledger.tracking_start()))

    def history(self, unit: str) -> list[MarkChange]:
        """Every mark, replacement and undo of ``unit``'s occurrences, oldest first."""
        return self.memo(
            ("history", unit), lambda: self._ask(lambda ledger: ledger.mark_history(unit=unit))
        )

    def any_revoked(self, *token_ids: str) -> bool:
        return self.memo(
            ("revoked", token_ids), lambda: self._ask(lambda ledger: ledger.any_revoked(*token_ids))
        )

    def _ask(self, question: Callable[[Ledger], T]) -> T:
        with self.site.ledger() as ledger:
            return question(ledger)


class Site:
    def __init__(self, config: WebConfig):
        self.config = config
        self.out_dir = config.out_dir.resolve()
        self.files = FileCache()
        self.limiter = AccessLimiter()
        self.signer = Signer(config.secret) if config.secret else None
        self._lock = threading.Lock()
        # The forms' writes take turns in this process: SQLite lets one writer in at a time,
        # and threads waiting on its busy timeout (sleeping and retrying) answer far later
        # than threads waiting here, in order.
        self.writing = threading.Lock()
        # ... and they run on one thread of their own: the threadpool's threads would each
        # take the GIL from the event loop only to wait their turn on that lock.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="ledger-writer")
        self._local = threading.local()
        self._view: LedgerView | None = None
        self._events: tuple[EventRecord, ...] = ()
        self._events_read = -EVENTS_SECONDS
        self._plan: Plan | None = None
        self.plan()  # a broken schedule is an error at start, not on the first page

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the writer thread (the forms' ledger writes, one at a time, in the
        order they came), in this request's context (its language)."""
        call = functools.partial(contextvars.copy_context().run, fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._writer, call)

    def now(self) -> dt.datetime:
        return self.config.clock.now()

    def plan(self, *, events: bool = True) -> Plan:
        """The loaded schedule; reloaded when the file changes or the year turns.

        ``events=False``: as loaded, though event dates were recorded since (reloading costs
        an expansion): enough for a form to check what it may write, so that it answers at
        once; the page it leads to loads them.
        """
        path = self.config.schedule_path
        try:
            st = path.stat()
        except OSError as exc:
            if self._plan is not None:
                return self._plan  # keep serving while an editor replaces the file
            raise DisclosureError(f"{path}: cannot read the schedule ({exc.strerror})") from None
        current = self._plan
        if (
            not events
            and current is not None
            and current.stamp[:2] == (st.st_mtime_ns, st.st_size)
            and self._year_ok(current)
        ):
            return current
        records = self._recorded_events()
        stamp = (st.st_mtime_ns, st.st_size, records)
        current = self._plan
        if current is not None and current.stamp == stamp and self._year_ok(current):
            return current
        with self._lock:
            current = self._plan
            if current is not None and current.stamp == stamp and self._year_ok(current):
                return current
            try:
                file_schedule = load_schedule(path)
            except DisclosureError:
                if current is not None:
                    return current  # a half-saved edit must not take the portal down
                raise
            schedule = with_recorded_events(file_schedule, records)
            cal = WorkdayCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
            year = today_in(schedule.plan.timezone, self.now()).year
            occs = expand(schedule, cal, dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31))
            by_unit: dict[str, list[Occurrence]] = {u.id: [] for u in schedule.units}
            for occ in occs:
                for unit in reached(schedule, occ):
                    by_unit[unit].append(occ)
            self._plan = Plan(
                schedule, cal, tuple(occs), year - 1, stamp,
                {u: tuple(found) for u, found in by_unit.items()},
            )  # fmt: skip
            return self._plan

    def _recorded_events(self) -> tuple[EventRecord, ...]:
        """The ledger's event dates (`event add`, the event form), read at most every few
        seconds: a date the CLI records shows on the pages within EVENTS_SECONDS."""
        now = time.monotonic()
        if now - self._events_read < EVENTS_SECONDS:
            return self._events
        self._events_read = now
        try:
            with self.ledger() as ledger:
                self._events = tuple(ledger.events())
        except LedgerUnreachable:
            # The public index and the feeds do not need the ledger: they go on with the
            # dates last read; the pages that do need it say the ledger is unreachable.
            pass
        return self._events

    def events_changed(self) -> None:
        """Read the event dates again on the next page (after the event form wrote one)."""
        self._events_read = -EVENTS_SECONDS

    def _year_ok(self, plan: Plan) -> bool:
        return today_in(plan.schedule.plan.timezone, self.now()).year == plan.first_year + 1

    def today(self) -> dt.date:
        return today_in(self.plan(events=False).schedule.plan.timezone, self.now())

    def ledger_view(self) -> LedgerView:
        """The ledger as of now: one small query, and the marks read again only if changed."""
        with self.ledger() as ledger:
            version = ledger.portal_version()
        return self._view_at(version)

    def session_view(self, link: str, row: str) -> tuple[LedgerView, bool]:
        """``ledger_view`` and whether a session's ``link`` or own ``row`` is revoked, in one
        query (what every request of a session asks first)."""
        with self.ledger() as ledger:
            version, revoked = ledger.portal_state(link, row)
        view = self._view_at(version)
        view.memo(("revoked", (link, row)), lambda: revoked)
        return view, revoked

    def _view_at(self, version: str) -> LedgerView:
        view = self._view
        if view is None or view.version != version:
            view = self._view = LedgerView(self, version)
        return view

    @contextmanager
    def ledger(self) -> Iterator[Ledger]:
        """This thread's connection to the ledger, opened on first use and kept.

        Opening checks the schema in a write transaction; doing that per request would
        queue every page behind the daemon's writes.
        """
        ledger = getattr(self._local, "ledger", None)
        if ledger is None:
            ledger = self._local.ledger = Ledger(self.config.db_path)
        yield ledger
