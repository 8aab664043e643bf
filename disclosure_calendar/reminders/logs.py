"""Structured logs of the reminder daemon: key=value lines or JSON lines, one event per line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    pass

log = logging.getLogger("disclosure_calendar.daemon")


# -- structured logs ------------------------------------------------------------------------


class KeyValueFormatter(logging.Formatter):
    """``ts=... level=info event=sent id=... to=finance``: one line per event, grep-able."""

    def __init__(self, as_json: bool = False, timezone: str = "Asia/Shanghai"):
        super().__init__()
        self.as_json = as_json
        # the plan's zone, offset shown: an office reads 09:00+08:00, not 01:00+00:00
        self.zone = ZoneInfo(timezone)

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "ts": dt.datetime.fromtimestamp(record.created, self.zone).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name.removeprefix("disclosure_calendar."),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{k}={_kv(v)}" for k, v in fields.items())


def _kv(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
    if text and not any(c in text for c in ' "=\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


def setup_logging(
    stream: IO[str] | None = None,
    *,
    as_json: bool = False,
    level: int = logging.INFO,
    timezone: str = "Asia/Shanghai",
) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter(as_json, timezone))
    root = logging.getLogger("disclosure_calendar")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def log_event(level: int, name: str, **fields: object) -> None:
    log.log(level, name, extra={"fields": fields})
