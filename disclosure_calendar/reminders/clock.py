"""Clocks the daemon is given: the real one, a fixed instant, or a warp clock for tests.

The clock is injected, never read deep inside, so a month of send times runs in seconds."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError

if TYPE_CHECKING:
    pass

CLOCK_ENV = "DISCLOSURE_CALENDAR_FAKE_CLOCK"


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


class ScaledClock:
    """Simulated time running ``speed`` times real time from the Unix instant ``epoch``.

    Every process given the same epoch agrees on the simulated instant, so several daemons
    (killed and restarted at will) share one simulated month; stops at ``end``.
    """

    def __init__(
        self,
        start: dt.datetime,
        end: dt.datetime,
        epoch: float,
        speed: float,
        real: Callable[[], float] = time.time,
    ):
        self.start, self.end, self.epoch, self.speed, self.real = start, end, epoch, speed, real

    def now(self) -> dt.datetime:
        elapsed = max(0.0, self.real() - self.epoch) * self.speed
        return min(self.end, self.start + dt.timedelta(seconds=elapsed))

    def delay(self, until: dt.datetime) -> float | None:
        if until > self.end:
            return None
        return max(0.0, (until - self.now()).total_seconds() / self.speed)


def parse_instant(text: str, timezone: str, *, at_time: dt.time | None = None) -> dt.datetime:
    """ISO date-time; without an offset it is local time in the plan's zone.

    A date alone (2026-04-14) means ``at_time`` that day, the plan's remind_at (09:00 unless
    the schedule says otherwise), when given; midnight otherwise.
    """
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DisclosureError(
            _("{text!r} is not a date-time (write 2026-04-01T09:00 or with +08:00)").format(
                text=text
            )
        ) from None
    if at_time is not None and "T" not in text.upper() and " " not in text.strip():
        value = dt.datetime.combine(value.date(), at_time)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def clock_from_env(env: Mapping[str, str], timezone: str = "Asia/Shanghai") -> Clock:
    """``DISCLOSURE_CALENDAR_FAKE_CLOCK``: unset (real clock), an instant, ``warp:START/END``
    or ``scaled:START/END@EPOCHxSPEED`` (see ScaledClock)."""
    value = env.get(CLOCK_ENV, "").strip()
    if not value:
        return SystemClock()
    if value.startswith("scaled:"):
        span, _, rate = value.removeprefix("scaled:").partition("@")
        start, _, end = span.partition("/")
        epoch, _, speed = rate.partition("x")
        try:
            epoch_s, speed_x = float(epoch), float(speed)
        except ValueError:
            raise DisclosureError(f"{CLOCK_ENV}: expected scaled:START/END@EPOCHxSPEED") from None
        return ScaledClock(
            parse_instant(start, timezone), parse_instant(end, timezone), epoch_s, speed_x
        )
    if value.startswith("warp:"):
        start, _, end = value.removeprefix("warp:").partition("/")
        return WarpClock(parse_instant(start, timezone), parse_instant(end, timezone))
    return FixedClock(parse_instant(value, timezone))
