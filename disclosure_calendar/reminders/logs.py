"""Structured logs of the reminder daemon: key=value lines or JSON lines, one event per line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import IO
from zoneinfo import ZoneInfo

from disclosure_calendar.core.i18n import N_
from disclosure_calendar.core.i18n import gettext as _

log = logging.getLogger("disclosure_calendar.daemon")

# Each event in words, logged beside its id (``event=sent msg=已发送``): the id stays for grep
# and monitoring, the words are for the people who read the log.
EVENTS = {
    "started": N_("daemon started"),
    "stopped": N_("daemon stopped"),
    "loaded": N_("schedule and contacts loaded"),
    "reloaded": N_("schedule and contacts reloaded"),
    "reload-failed": N_("changed file not loaded; keeping the last good one"),
    "run": N_("send time handled"),
    "sent": N_("sent"),
    "message": N_("reminder written to the log (the log channel)"),
    "sent-again": N_("sent, and already recorded sent by another daemon"),
    "resumed": N_("sent a message left pending by an earlier run"),
    "failed": N_("not accepted; will be tried again"),
    "retry": N_("not accepted yet; trying again shortly"),
    "refused": N_("refused for good; the coordinator will be told"),
    "retry-failed": N_("refused reminders made due again, to be resent once"),
    "missed": N_("missed: not sent within the grace period"),
    "cancelled": N_("cancelled"),
    "recorded-late": N_("outcome recorded once the ledger was back"),
    "ledger-unreachable": N_("ledger unreachable; will try again"),
    "ledger-reachable": N_("ledger reachable again"),
    "sleep": N_("waiting for the next send time"),
    "clock-end": N_("the simulated clock has ended"),
    "tick-failed": N_("a send time failed with an unexpected error (a bug: please report it)"),
}


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
        }
        words = EVENTS.get(fields["event"])
        if words is not None:
            fields["msg"] = _(words)
        fields.update(getattr(record, "fields", {}))
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
