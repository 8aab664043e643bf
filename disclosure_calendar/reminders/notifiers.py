"""Hand a rendered message to a channel: SMTP, a JSON webhook, a WeCom or DingTalk robot, or the log.

Failures are per message and per recipient. Each recipient of a message ends an attempt
*accepted* (SMTP's 250, an HTTP 2xx and, for the robots, ``errcode: 0``), *refused* for good
(an SMTP 5xx, an HTTP 4xx or a permanent redirect: never retried, kept with the server's
answer as a delivery problem for the coordinator) or *failed* for now (an SMTP 4xx, an HTTP
5xx, no connection: retried with backoff, then on the next run). One bad address costs no
one else.

Every attempt has an overall deadline (``Watchdog``): a server that trickles its answer is
cut off like one that hangs, and a stop (SIGTERM) cuts a send short within a fraction of a
second; what was not accepted stays pending and goes out on the next start.

A message handed over without an answer (the read timed out, the deadline passed after the
body went out) is *in doubt*: it may have arrived. It is not resent in the same run; a later
run resends it with the same Message-ID, and webhooks carry ``Idempotency-Key: <message id>``
(the same on every resend) so a receiver can drop the copy; the README says so.

A route (the SMTP server, a webhook URL) that could not be reached or left a message in
doubt fails the rest of the batch at once, so a dead or slow server costs one deadline per
run rather than one per message. Redirects are never followed (urllib replayed a 301/302 as
a GET without the body, and the 200 to that GET was taken for delivery): a 301/308 is a
refusal naming its Location, a 302/303/307 a failure tried again later.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .contacts import Channel, Smtp
from .deadline import Watchdog
from .delivery import Delivery, SendError
from .messages import Message
from .payloads import build_email, signed_url, webhook_payload
from .smtp import SmtpSender

__all__ = ["Delivery", "Outbox", "Retry", "SendError", "build_email", "webhook_payload"]

log = logging.getLogger("disclosure_calendar.notify")

CONNECT_TIMEOUT = 5.0  # a loopback or LAN server answers a connect in milliseconds
READ_TIMEOUT = 20.0  # each read of an answer; the deadline bounds their sum
DEADLINE = 60.0  # the most one message may take on one route, retries and waits included
REPLY_LIMIT = 65536


@dataclass(frozen=True)
class Retry:
    attempts: int = 3
    first: float = 1.0
    factor: float = 2.0
    cap: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.cap, self.first * self.factor**i) for i in range(self.attempts - 1)]


DEFAULT_RETRY = Retry()


def recipients_of(channel: Channel) -> tuple[str, ...]:
    """Who a channel's message goes to: its addresses, or its URL without the query (secrets)."""
    if channel.type == "email":
        return channel.to
    if channel.type == "log":
        return ("log",)
    parts = urllib.parse.urlsplit(channel.url or "")
    return (f"{parts.scheme}://{parts.netloc}{parts.path}",)


# HTTP statuses worth trying again: the server may take the message later.
_TEMPORARY = {408, 425, 429}


class WebhookSender:
    """One POST per message over http.client: connect and read timeouts apart, no redirects."""

    def __init__(
        self,
        env: Mapping[str, str],
        watchdog: Watchdog,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ):
        self.env = env
        self.watchdog = watchdog
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def send(
        self, msg: Message, channel: Channel, to: Collection[str], now: dt.datetime, seconds: float
    ) -> Delivery:
        assert channel.url is not None
        [recipient] = recipients_of(channel)
        url = channel.url
        if channel.secret_env:
            secret = self.env.get(channel.secret_env)
            if secret is None:
                raise SendError(
                    f"{channel.type}: environment variable {channel.secret_env} is not set"
                )
            url = signed_url(url, secret, now)
        parts = urllib.parse.urlsplit(url)
        where = f"{channel.type} {parts.netloc}"
        body = json.dumps(webhook_payload(msg, channel), ensure_ascii=False).encode("utf-8")
        conn_type = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_type(parts.netloc, timeout=self.connect_timeout)
        handed_over = False
        with self.watchdog.guard(lambda: conn.sock, seconds) as dog:
            try:
                conn.connect()
                conn.sock.settimeout(self.read_timeout)
                target = parts.path or "/"
                conn.request(
                    "POST",
                    f"{target}?{parts.query}" if parts.query else target,
                    body=body,
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "Idempotency-Key": msg.id,
                        "User-Agent": "disclosure-calendar",
                    },
                )
                handed_over = True
                response = conn.getresponse()
                reply = response.read(REPLY_LIMIT)
            except (OSError, http.client.HTTPException) as exc:
                why = {"deadline": f"no answer within {seconds:.0f} s", "stop": "stopped"}
                text = why.get(dog.fired or "", "") or str(exc) or type(exc).__name__
                raise SendError(f"{where}: {text}", in_doubt=handed_over) from exc
            finally:
                conn.close()
        status = response.status
        if 300 <= status < 400:
            # Moved for good (301, 308): the URL in contacts.yaml needs fixing, a delivery
            # problem; a temporary redirect is a failure, tried again later.
            moved = (
                f"HTTP {status} redirect to {response.getheader('Location', '-')} (not followed)"
            )
            if status in (301, 308):
                return Delivery(refused={recipient: moved})
            return Delivery(failed={recipient: moved})
        if 400 <= status < 500 and status not in _TEMPORARY:
            return Delivery(refused={recipient: f"HTTP {status} {response.reason}"})
        if not 200 <= status < 300:
            return Delivery(failed={recipient: f"HTTP {status} {response.reason}"})
        if channel.type in ("wecom", "dingtalk"):
            try:
                answer = json.loads(reply or b"{}")
            except ValueError:
                return Delivery(failed={recipient: f"HTTP {status}, reply is not JSON"})
            if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
                errcode = answer.get("errcode") if isinstance(answer, dict) else answer
                errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
                return Delivery(failed={recipient: f"errcode {errcode} {errmsg}".strip()})
        return Delivery(accepted={recipient: f"HTTP {status}"})

    def close(self) -> None:
        pass


class LogSender:
    def send(
        self, msg: Message, channel: Channel, to: Collection[str], now: dt.datetime, seconds: float
    ) -> Delivery:
        log.info(
            "message",
            extra={
                "fields": {
                    "id": msg.id,
                    "to": msg.addressee,
                    "subject": msg.subject,
                    "text": msg.text,
                }
            },
        )
        return Delivery(accepted={"log": "logged"})

    def close(self) -> None:
        pass


class Outbox:
    """Delivers messages with retries and deadlines, reusing connections for one batch."""

    def __init__(
        self,
        smtp: Smtp | None,
        env: Mapping[str, str],
        *,
        retry: Retry = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        deadline: float = DEADLINE,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        stop: threading.Event | None = None,
    ):
        watchdog = Watchdog(stop)  # one for the batch: senders take turns
        self.smtp = SmtpSender(smtp, env, watchdog) if smtp else None
        self.web = WebhookSender(env, watchdog, connect_timeout, read_timeout)
        self.log = LogSender()
        self.retry = retry
        self.sleep = sleep
        self.now = now
        self.deadline = deadline
        self.stop = stop
        self.down: dict[str, str] = {}

    def _sender(self, channel: Channel) -> SmtpSender | WebhookSender | LogSender:
        if channel.type == "email":
            if self.smtp is None:
                raise SendError("email channel but no smtp: settings")
            return self.smtp
        if channel.type == "log":
            return self.log
        return self.web

    @staticmethod
    def _route(channel: Channel) -> str:
        return "smtp" if channel.type == "email" else channel.url or channel.type

    def deliver(self, msg: Message, channel: Channel, *, skip: Collection[str] = ()) -> Delivery:
        """Send ``msg`` to the channel's recipients not in ``skip``; say what each answered.

        Temporary failures are retried with backoff while the deadline allows; permanent
        ones never. Never raises SendError: a failure is in the Delivery's ``failed``.
        """
        result = Delivery(
            failed=dict.fromkeys((r for r in recipients_of(channel) if r not in skip), "")
        )
        route = self._route(channel)
        if not result.failed:
            return result
        if route in self.down:
            result.failed = dict.fromkeys(result.failed, f"not tried: {self.down[route]}")
            return result
        end = time.monotonic() + self.deadline
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            if self.stop is not None and self.stop.is_set():
                result.stopped = True
                return result
            try:
                left = max(0.1, end - time.monotonic())
                sender = self._sender(channel)
                result.merge(sender.send(msg, channel, list(result.failed), self.now(), left))
            except SendError as exc:
                error = str(exc)
                result.failed = dict.fromkeys(result.failed, error)
                if self.stop is not None and self.stop.is_set():
                    result.stopped = True
                    return result
                if exc.in_doubt:
                    # In doubt: resending now would likely double it; a later run resends.
                    result.in_doubt = exc.in_doubt
                    self.down[route] = error
                    return result
                whole = True
            else:
                whole = False
            if not result.failed:
                return result
            wait = delays[attempt] if attempt < len(delays) else None
            if wait is None or time.monotonic() + wait >= end:
                if whole:
                    self.down[route] = str(next(iter(result.failed.values())))
                return result
            log.warning(
                "retry",
                extra={
                    "fields": {
                        "id": msg.id,
                        "attempt": attempt + 1,
                        "wait": wait,
                        "to": ",".join(result.failed),
                        "error": "; ".join(sorted(set(result.failed.values()))),
                    }
                },
            )
            self.sleep(wait)
        return result

    def close(self) -> None:
        if self.smtp:
            self.smtp.close()
        self.down.clear()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
