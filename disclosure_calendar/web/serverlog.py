"""uvicorn's own lines in the office's language; its access log in its standard format.

uvicorn logs in English ("Started server process [12]", "Uvicorn running on ..."), with an
``INFO:`` prefix. The server's lines are few and fixed, so each is recognised by a pattern
and said again in the catalog's words, prefixed ``信息：``/``警告：``/``错误：``. A line we
do not know passes through as uvicorn wrote it, with the translated prefix.

The access log (``127.0.0.1:50312 - "GET / HTTP/1.1" 200 OK``) keeps uvicorn's format: it is
what log tools parse, and a request line has no words to translate (docs/serving.md).

The formatter is named in uvicorn's ``log_config`` with the language as an argument, so
worker processes (``--workers``), which start without our context, speak it too.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from disclosure_calendar.core.i18n import N_, translations

# uvicorn's message (as formatted) -> our msgid, its groups as named placeholders
KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (r"Started server process \[(?P<pid>\d+)\]", N_("server process {pid} started")),
        (r"Finished server process \[(?P<pid>\d+)\]", N_("server process {pid} finished")),
        (r"Started parent process \[(?P<pid>\d+)\]", N_("parent process {pid} started")),
        (r"Stopping parent process \[(?P<pid>\d+)\]", N_("parent process {pid} stopping")),
        (r"Waiting for child process \[(?P<pid>\d+)\]", N_("waiting for worker process {pid}")),
        (r"Terminated child process \[(?P<pid>\d+)\]", N_("worker process {pid} ended")),
        (r"Child process \[(?P<pid>\d+)\] died", N_("worker process {pid} died; starting another")),
        (
            r"Uvicorn running on (?P<url>\S+) \(Press CTRL\+C to quit\)",
            N_("listening on {url} (Ctrl-C to stop)"),
        ),
        (r"Shutting down", N_("shutting down")),
        (
            r"Waiting for connections to close\. \(CTRL\+C to force quit\)",
            N_("waiting for open connections to close (Ctrl-C again to stop at once)"),
        ),
        (
            r"Waiting for background tasks to complete\. \(CTRL\+C to force quit\)",
            N_("waiting for background tasks to finish (Ctrl-C again to stop at once)"),
        ),
        (r"Received SIG(?P<signal>\w+), exiting\.", N_("received SIG{signal}; stopping")),
        (r"Invalid HTTP request received\.", N_("a request that is not valid HTTP was refused")),
        (r"Exception in ASGI application", N_("a page failed with an unexpected error (a bug)")),
    )
)
LEVELS = {
    "DEBUG": N_("debug"),
    "INFO": N_("info"),
    "WARNING": N_("warning"),
    "ERROR": N_("error"),
    "CRITICAL": N_("critical"),
}


def say(message: str, gettext: Any) -> str:
    """uvicorn's ``message`` in the catalog's words (as is when not known)."""
    for pattern, msgid in KNOWN:
        match = pattern.fullmatch(message.strip())
        if match:
            return str(gettext(msgid)).format(**match.groupdict())
    return message


class ServerFormatter(logging.Formatter):
    """``信息：服务器进程 12 已启动``; exceptions (a bug) keep their traceback for IT staff."""

    def __init__(self, lang: str = "zh"):
        super().__init__()
        self.gettext = translations(lang).gettext

    def format(self, record: logging.LogRecord) -> str:
        level = self.gettext(LEVELS.get(record.levelname, record.levelname))
        text = self.gettext("{level}: {message}").format(
            level=level, message=say(record.getMessage(), self.gettext)
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def log_config(lang: str) -> dict[str, Any]:
    """uvicorn's logging configuration with our formatter for its own lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "server": {"()": "disclosure_calendar.web.serverlog.ServerFormatter", "lang": lang},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
                "use_colors": False,
            },
        },
        "handlers": {
            "server": {
                "formatter": "server",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["server"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
