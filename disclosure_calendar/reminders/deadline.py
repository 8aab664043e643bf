"""An overall deadline for one send, and a way for SIGTERM to cut a send short.

Socket timeouts bound each read, not the exchange: a server trickling one byte a second
never trips them, and a signal cannot interrupt a read blocked in another thread. A
``Watchdog`` watches one attempt at a time; when the attempt's deadline passes or the stop
event is set it shuts the attempt's socket down, which makes the blocked read return at
once, whatever the protocol was doing. The sender then sees a closed connection and asks
``fired`` why.

One thread serves every attempt of a batch (arming it is a lock and two assignments; a
thread per attempt cost about a millisecond a message), and ends by itself after
IDLE_SECONDS without work, so an Outbox nobody closes leaves no thread behind.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from disclosure_calendar.core.i18n import in_this_language

# How often an armed watchdog looks at the stop event: the most a SIGTERM waits for a send.
POLL_SECONDS = 0.1
IDLE_SECONDS = 2.0


class Watchdog:
    """``with dog.guard(lambda: conn.sock, seconds): ...`` around each attempt."""

    def __init__(self, stop: threading.Event | None = None):
        self.stop = stop
        self.fired: str | None = None  # "deadline" or "stop" once it has shut the socket
        self._cond = threading.Condition()
        self._socket_of: Callable[[], socket.socket | None] | None = None
        self._end = 0.0
        self._thread: threading.Thread | None = None

    @contextmanager
    def guard(
        self, socket_of: Callable[[], socket.socket | None], seconds: float
    ) -> Iterator[Watchdog]:
        with self._cond:
            self._socket_of, self._end, self.fired = socket_of, time.monotonic() + seconds, None
            if self._thread is None:
                self._thread = threading.Thread(
                    target=in_this_language(self._watch), name="send-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        try:
            yield self
        finally:
            with self._cond:
                self._socket_of = None

    def _watch(self) -> None:
        with self._cond:
            while True:
                if self._socket_of is None:
                    if not self._cond.wait(IDLE_SECONDS) and self._socket_of is None:
                        self._thread = None  # under the lock: the next guard starts another
                        return
                    continue
                now = time.monotonic()
                if self.fired is None:
                    if self.stop is not None and self.stop.is_set():
                        self.fired = "stop"
                    elif now >= self._end:
                        self.fired = "deadline"
                    else:
                        self._cond.wait(min(POLL_SECONDS, self._end - now))
                        continue
                # Fired: shut the socket down, and keep at it in case it did not exist yet
                # (the attempt was still connecting) until the attempt gives up.
                sock = self._socket_of()
                if sock is not None:
                    with suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                self._cond.wait(POLL_SECONDS)
