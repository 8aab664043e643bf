"""Failed access links, counted per client address, so guessing links is slow.

In memory and per process: a restart forgets (a guesser gains a few tries), and with
``--workers N`` each process keeps its own count, so a client gets at most N times the
allowance. Both are far from what guessing a 256-bit HMAC would need; the limit is there to
keep the log readable and the load low, not to make the signature safe.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_SECONDS = 600.0
MAX_CLIENTS = 10_000  # addresses tracked at most; the oldest are forgotten first


class FailureLimiter:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            times = self._recent(client)
            return times is not None and len(times) >= self.max_failures

    def fail(self, client: str) -> None:
        with self._lock:
            times = self._recent(client)
            if times is None:
                if len(self._failures) >= MAX_CLIENTS:
                    self._failures.pop(next(iter(self._failures)))
                times = self._failures[client] = deque(maxlen=self.max_failures)
            times.append(self.clock())

    def _recent(self, client: str) -> deque[float] | None:
        times = self._failures.get(client)
        if times is None:
            return None
        cutoff = self.clock() - self.window
        while times and times[0] < cutoff:
            times.popleft()
        if not times:
            del self._failures[client]
            return None
        return times
