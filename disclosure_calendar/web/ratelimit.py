"""Failed access links, counted per link tried and per client address.

A link that fails (expired, revoked, mistyped, forged) counts against itself: after
MAX_FAILURES tries in WINDOW_SECONDS it is answered 429 without a log line, so a mail
scanner or an old e-mail opened again and again cannot flood the log. Every failure also
counts against the address, with a ceiling (ADDRESS_FAILURES) far above what an office
behind one NAT address fails in ten minutes, and far below what guessing needs. A link that
verifies always opens, whatever either count says: nobody can make one without the secret.
IPv6 addresses count by their /64, which one host may fill as it likes.

In memory and per process: a restart forgets (a guesser gains a few tries), and with
``--workers N`` each process keeps its own count, so a client gets at most N times the
allowance. Both are far from what guessing a 256-bit HMAC would need; the limit is there to
keep the log readable and the load low, not to make the signature safe.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10  # of one link
ADDRESS_FAILURES = 300  # of every link tried from one address
WINDOW_SECONDS = 600.0
MAX_CLIENTS = 10_000  # links or addresses tracked at most; the oldest are forgotten first


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


class AccessLimiter:
    """The two counts ``GET /access/<token>`` keeps (see the module's docstring)."""

    def __init__(
        self,
        per_link: int = MAX_FAILURES,
        per_address: int = ADDRESS_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.links = FailureLimiter(per_link, window, clock)
        self.addresses = FailureLimiter(per_address, window, clock)

    def blocked(self, token: str, address: str) -> bool:
        return self.links.blocked(_link_key(token)) or self.addresses.blocked(_address_key(address))

    def fail(self, token: str, address: str) -> None:
        self.links.fail(_link_key(token))
        self.addresses.fail(_address_key(address))


def _link_key(token: str) -> str:
    """A short digest: the table holds no link, and a 5 KB junk token costs 16 bytes."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
