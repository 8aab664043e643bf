"""Running the app under uvicorn: `serve`, and a server thread for tests and the benchmark.

uvicorn's settings carry what the old server promised: idle keep-alive connections are
closed after a few seconds, a client that never finishes its headers is cut off, and
X-Forwarded-For/-Proto are believed only from the proxy on the same machine (so the audit
log records the office's address and cookies get Secure behind https).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..core.i18n import current_language, in_this_language
from ..core.i18n import gettext as _
from .app import create_app
from .serverlog import log_config
from .site import WebConfig, config_to_env

KEEP_ALIVE_SECONDS = 5
HEADER_SECONDS = 15.0
TRUSTED_PROXIES = "127.0.0.1,::1"
_TOKEN_IN_PATH = re.compile(r"/access/[^ \"?]+")


class _HideTokens(logging.Filter):
    """Access links are passwords: keep them out of the access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/access/…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections that do not send a request's headers in time.

    uvicorn times out idle keep-alive connections only after a first response, and any byte
    re-arms nothing; so a client that connects and stays silent, or trickles its headers,
    would hold its connection for ever. Here each request must finish its headers within
    ``header_seconds`` of the connection opening or the request starting.
    """

    header_seconds = HEADER_SECONDS
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def _options(quiet: bool, header_seconds: float = HEADER_SECONDS) -> dict[str, Any]:
    guarded: type = GuardedHttpTools
    if header_seconds != HEADER_SECONDS:  # tests only: a module-level class pickles for workers
        guarded = type("Guarded", (GuardedHttpTools,), {"header_seconds": header_seconds})
    return {
        "http": guarded,
        "proxy_headers": True,
        "forwarded_allow_ips": TRUSTED_PROXIES,
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
            **_options(quiet),
        )  # fmt: skip
    else:
        uvicorn.run(
            create_app(config), host=host, port=port, root_path=root_path,
            **_options(quiet),
        )  # fmt: skip


@contextlib.contextmanager
def running(
    config: WebConfig,
    host: str = "127.0.0.1",
    *,
    header_seconds: float = HEADER_SECONDS,
    root_path: str = "",
) -> Iterator[int]:
    """A real uvicorn server in a thread on a free port, for tests and the benchmark."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), root_path=root_path, **_options(True, header_seconds))
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
