"""Running the app under uvicorn: `serve`, and a server thread for tests and the benchmark.

uvicorn's settings carry what the old server promised: idle keep-alive connections are
closed after a few seconds; a client that never finishes its headers or its body is cut
off, and so is one whose headers grow too large or who opens too many connections
(:class:`Limits`); X-Forwarded-For/-Proto are believed only from the proxies ``serve
--trusted-proxy`` names (so the audit log records the office's address and cookies get
Secure behind https, and nobody else can pose as another address).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..core.i18n import current_language, in_this_language
from ..core.i18n import gettext as _
from .app import create_app
from .serverlog import log_config
from .site import WebConfig, config_to_env

KEEP_ALIVE_SECONDS = 5
_TOKEN_IN_PATH = re.compile(r"/access/[^ \"?]+")


@dataclass(frozen=True)
class Limits:
    """What one client may hold of the server (docs/serving.md says what nginx adds)."""

    header_seconds: float = 15.0  # to send a request's line and headers
    header_bytes: int = 64 * 1024  # the request line and headers; more is 431
    body_seconds: float = 30.0  # to send the whole body, from the end of the headers; then 408
    per_client: int = 128  # open connections from one address (an office; a named proxy: no cap)
    connections: int = 800  # open connections in all, kept below the usual 1,024 descriptors


LIMITS = Limits()


def _response(status: int, reason: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 %d %s\r\ncontent-length: 0\r\nconnection: close\r\n%s\r\n" % (
        status,
        reason,
        extra,
    )


class _HideTokens(logging.Filter):
    """Access links are passwords: keep them out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/access/…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's HTTP protocol, bounding what one client can hold (see :class:`Limits`).

    uvicorn times out idle keep-alive connections only after a first response, and any byte
    re-arms nothing; so a client that connects and stays silent, or trickles its headers or
    its body, would hold its connection (a file descriptor, a task, memory) for ever, and
    its headers may grow without end. Here each request must finish its headers within
    ``header_seconds`` of the connection opening or the request starting, in at most
    ``header_bytes`` (431 after), and its body within ``body_seconds`` of its headers (408
    after); a connection beyond ``per_client`` from one address, or ``connections`` in all,
    is answered 503 and closed at once.
    """

    limits = LIMITS
    _timer: asyncio.TimerHandle | None = None
    _header_bytes: int | None = 0  # received while a request's headers are not complete
    _counted: str | None = None  # the address this connection counts against

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = 0
        self._arm(self.limits.header_seconds, None)
        if len(self.connections) > self.limits.connections:
            self._refuse(_response(503, b"Service Unavailable", b"retry-after: 5\r\n"))
            return
        host = self.client[0] if self.client else ""
        if not self._exempt(host):
            per_client = self._per_client()
            if per_client.get(host, 0) >= self.limits.per_client:
                self._refuse(_response(503, b"Service Unavailable", b"retry-after: 5\r\n"))
                return
            per_client[host] = per_client.get(host, 0) + 1
            self._counted = host

    def data_received(self, data: bytes) -> None:
        if self._header_bytes is not None:
            self._header_bytes += len(data)
        super().data_received(data)
        if self._header_bytes is not None and self._header_bytes > self.limits.header_bytes:
            self._refuse(_response(431, b"Request Header Fields Too Large"))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.limits.header_seconds, None)

    def on_headers_complete(self) -> None:
        self._header_bytes = None
        self._arm(self.limits.body_seconds, _response(408, b"Request Timeout"))
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._header_bytes = 0
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted is not None:
            per_client = self._per_client()
            left = per_client.get(self._counted, 1) - 1
            if left > 0:
                per_client[self._counted] = left
            else:
                per_client.pop(self._counted, None)
            self._counted = None
        super().connection_lost(exc)

    def _per_client(self) -> dict[str, int]:
        """Open connections by address, for this server (tests run several in one process)."""
        counts: dict[str, int] | None = getattr(self.server_state, "per_client", None)
        if counts is None:
            counts = {}
            self.server_state.per_client = counts  # type: ignore[attr-defined]
        return counts

    def _exempt(self, host: str) -> bool:
        """A proxy named with --trusted-proxy speaks for many clients: it has no cap here."""
        trusted = _trusted(self.config.forwarded_allow_ips)
        if "*" in trusted:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in trusted
        return any(
            address in ipaddress.ip_network(t, strict=False) for t in trusted if _is_network(t)
        )

    def _arm(self, seconds: float, answer: bytes | None) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._too_slow, answer)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self, answer: bytes | None) -> None:
        self._timer = None
        # 408 only while no response has begun (a handler that answered early, e.g. 413).
        cycle = self.cycle
        if answer is not None and cycle is not None and cycle.response_started:
            answer = None
        self._refuse(answer)

    def _refuse(self, answer: bytes | None) -> None:
        self._disarm()
        self._header_bytes = None
        if self.transport.is_closing():
            return
        if answer:
            self.transport.write(answer)
        self.transport.close()


def _trusted(allowed: list[str] | str | None) -> frozenset[str]:
    if allowed is None:
        return frozenset()
    items = allowed.split(",") if isinstance(allowed, str) else allowed
    return frozenset(item.strip() for item in items if item.strip())


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _options(
    quiet: bool, trusted_proxies: Sequence[str], limits: Limits = LIMITS
) -> dict[str, Any]:
    guarded: type = GuardedHttpTools
    if limits != LIMITS:  # tests only: a module-level class pickles for workers
        guarded = type("Guarded", (GuardedHttpTools,), {"limits": limits})
    return {
        "http": guarded,
        "proxy_headers": bool(trusted_proxies),
        "forwarded_allow_ips": list(trusted_proxies),
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "server_header": False,
        "access_log": not quiet,
        "log_level": "warning" if quiet else "info",
        "lifespan": "off",
        # uvicorn's own lines in our language; its access log in its standard format
        "log_config": log_config(current_language()),
    }


def serve_forever(
    config: WebConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    root_path: str = "",
    quiet: bool = False,
    trusted_proxies: Sequence[str] = (),
    announce: Callable[[str], None] = print,
) -> None:
    logging.getLogger("uvicorn.access").addFilter(_HideTokens())
    announce(
        _("serving {folder} on {url} (Ctrl-C to stop)").format(
            folder=config.out_dir, url=f"http://{host}:{port}/"
        )
    )
    if workers > 1:
        # Worker processes build their own app from the environment.
        os.environ.update(config_to_env(config))
        uvicorn.run(
            "disclosure_calendar.web.app:app_from_env",
            factory=True, host=host, port=port, workers=workers, root_path=root_path,
            **_options(quiet, trusted_proxies),
        )  # fmt: skip
    else:
        uvicorn.run(
            create_app(config), host=host, port=port, root_path=root_path,
            **_options(quiet, trusted_proxies),
        )  # fmt: skip


@contextlib.contextmanager
def running(
    config: WebConfig,
    host: str = "127.0.0.1",
    *,
    limits: Limits = LIMITS,
    root_path: str = "",
    trusted_proxies: Sequence[str] = (),
) -> Iterator[int]:
    """A real uvicorn server in a thread on a free port, for tests and the benchmark."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config), root_path=root_path, **_options(True, trusted_proxies, limits)
        )
    )
    thread = threading.Thread(
        target=in_this_language(server.run), kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
