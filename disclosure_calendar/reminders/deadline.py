"""An overall deadline for one send, and a way for SIGTERM to cut a send short.

Socket timeouts bound each read, not the exchange: a server trickling one byte a second
never trips them, and a signal cannot interrupt a read blocked in another thread. A
``Watchdog`` runs beside one attempt; when the deadline passes or the stop event is set it
shuts the attempt's socket down, which makes the blocked read return at once, whatever the
protocol was doing. The sender then sees a closed connection and asks ``fired`` why.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress

# How often the watchdog looks at the stop event: the most a SIGTERM waits for a send.
POLL_SECONDS = 0.1


class Watchdog:
    """Use as ``with Watchdog(lambda: conn.sock, seconds, stop) as dog: ...``."""

    def __init__(
        self,
        socket_of: Callable[[], socket.socket | None],
        seconds: float,
        stop: threading.Event | None = None,
    ):
        self.socket_of = socket_of
        self.seconds = seconds
        self.stop = stop
        self.fired: str | None = None  # "deadline" or "stop" once it has shut the socket
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="send-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        end = time.monotonic() + self.seconds
        while not self._done.wait(self._next_wait(end)):
            if self.fired is None:
                if self.stop is not None and self.stop.is_set():
                    self.fired = "stop"
                elif time.monotonic() >= end:
                    self.fired = "deadline"
                else:
                    continue
            # Fired: shut the socket down, and keep at it in case it did not exist yet (the
            # attempt was still connecting) until the attempt gives up.
            sock = self.socket_of()
            if sock is not None:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _next_wait(self, end: float) -> float:
        if self.fired is not None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.0, end - time.monotonic()))
