"""Hand a rendered message to a channel: SMTP, a JSON webhook, a WeCom or DingTalk robot, or the log.

A send returns only once the channel accepted the message (SMTP's reply to DATA, an HTTP 2xx
and, for the robots, ``errcode: 0``); anything else raises SendError. ``Outbox`` retries with
exponential backoff, keeps one SMTP connection open for a whole batch, and after a channel has
failed a full round of retries fails the rest of the batch on it at once, so a dead server
costs one backoff per run rather than one per message.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, parseaddr

from .contacts import Channel, Smtp
from .messages import Message

log = logging.getLogger("disclosure_calendar.notify")

HTTP_TIMEOUT = 10.0


class SendError(Exception):
    """The channel did not accept the message."""


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    first: float = 1.0
    factor: float = 2.0
    cap: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.cap, self.first * self.factor**i) for i in range(self.attempts - 1)]


DEFAULT_RETRY = Retry()


class SmtpSender:
    """One SMTP connection, opened on first use and reused until closed or broken."""

    def __init__(self, settings: Smtp, env: Mapping[str, str]):
        self.settings = settings
        self.env = env
        self.conn: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(settings.sender)[1]
        self.from_header = formataddr(parseaddr(settings.sender), charset="utf-8")

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file) if s.security != "none" else None
        try:
            if s.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    conn.starttls(context=context)
            if s.user:
                password = self.env.get(s.password_env or "")
                if password is None:
                    conn.close()
                    raise SendError(f"smtp: environment variable {s.password_env} is not set")
                conn.login(s.user, password)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"smtp {s.host}:{s.port}: {exc}") from exc
        return conn

    def send(self, msg: Message, channel: Channel, now: dt.datetime) -> None:
        raw = _email_bytes(msg, channel.to, self.from_header, now)
        if self.conn is None:
            self.conn = self._connect()
        try:
            refused = self.conn.sendmail(self.envelope_from, list(channel.to), raw)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"smtp {self.settings.host}:{self.settings.port}: {exc}") from exc
        if refused:
            raise SendError(f"smtp refused {', '.join(sorted(refused))}")

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


def build_email(msg: Message, channel: Channel, sender: str, now: dt.datetime) -> bytes:
    """The message as SMTP wants it: multipart/alternative, UTF-8 plain text and HTML, CRLF lines."""
    return _email_bytes(msg, channel.to, formataddr(parseaddr(sender), charset="utf-8"), now)


def _email_bytes(msg: Message, to: Sequence[str], sender: str, now: dt.datetime) -> bytes:
    """Written out directly rather than through ``email.message`` and its generator.

    The shape never varies (two base64 parts, a handful of headers), and the generic path
    (header folding, a fresh boundary regex per message) cost about 1.2 ms a mail: a third
    of a 10,000-mail run. The boundary comes from the Message-ID, so a resend differs from
    the first copy only in its Date; it contains ``_``, which base64 never does, so it cannot
    occur inside a part. tests/test_notifiers.py parses the result back with the standard
    library.
    """
    boundary = "=_" + hashlib.sha256(msg.id.encode("utf-8")).hexdigest()[:32]
    recipients = ", ".join(to)
    if len(recipients) > 70:
        recipients = ",\r\n ".join(to)
    head = (
        f"From: {sender}\r\n"
        f"To: {recipients}\r\n"
        f"Subject: {_encoded_words(msg.subject)}\r\n"
        f"Date: {format_datetime(now)}\r\n"
        f"Message-ID: <{msg.id}>\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
        "\r\n"
    )
    parts = [head.encode("utf-8")]
    for subtype, content in (("plain", msg.text), ("html", msg.html)):
        parts += [
            f"--{boundary}\r\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii"),
            # 76-character lines (RFC 2045); the text keeps its LF line ends inside the base64.
            base64.encodebytes(content.encode("utf-8")).replace(b"\n", b"\r\n"),
        ]
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts)


# 42 bytes are 56 base64 characters; with "=?utf-8?b?" and "?=" a word is 68 characters (RFC
# 2047 allows 75) and "Subject: " plus the first word still fits in 78.
_WORD_BYTES = 42


def _encoded_words(text: str) -> str:
    """A header value as UTF-8 B-encoded words, one per folded line, split between characters."""
    words: list[str] = []
    chunk = bytearray()
    for char in text:
        raw = char.encode("utf-8")
        if len(chunk) + len(raw) > _WORD_BYTES:
            words.append(_word(chunk))
            chunk.clear()
        chunk += raw
    if chunk:
        words.append(_word(chunk))
    return "\r\n ".join(words)


def _word(raw: bytes | bytearray) -> str:
    return f"=?utf-8?b?{base64.b64encode(raw).decode('ascii')}?="


def webhook_payload(msg: Message, channel: Channel) -> dict[str, object]:
    """The JSON body for a generic webhook, a WeCom robot or a DingTalk robot."""
    if channel.type == "wecom":
        mentions = "".join(f"<@{m}>" for m in channel.mentions)
        return {
            "msgtype": "markdown",
            "markdown": {"content": msg.markdown + (f"\n{mentions}" if mentions else "")},
        }
    if channel.type == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": msg.subject, "text": msg.markdown},
            "at": {"atMobiles": list(channel.mentions), "isAtAll": False},
        }
    return {
        "id": msg.id,
        "addressee": msg.addressee,
        "channel": msg.channel,
        "send_at": msg.send_at.isoformat(),
        "subject": msg.subject,
        "text": msg.text,
        "html": msg.html,
    }


def _signed(url: str, secret: str, now: dt.datetime) -> str:
    """DingTalk's optional signature: HMAC-SHA256 of "timestamp\\nsecret", in the query."""
    stamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


class WebhookSender:
    def __init__(self, env: Mapping[str, str], timeout: float = HTTP_TIMEOUT):
        self.env = env
        self.timeout = timeout

    def send(self, msg: Message, channel: Channel, now: dt.datetime) -> None:
        assert channel.url is not None
        url = channel.url
        if channel.secret_env:
            secret = self.env.get(channel.secret_env)
            if secret is None:
                raise SendError(
                    f"{channel.type}: environment variable {channel.secret_env} is not set"
                )
            url = _signed(url, secret, now)
        body = json.dumps(webhook_payload(msg, channel), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": msg.id,
                "User-Agent": "disclosure-calendar",
            },
        )
        where = urllib.parse.urlsplit(url).netloc
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SendError(f"{channel.type} {where}: HTTP {exc.code}") from exc
        except (TimeoutError, OSError) as exc:
            raise SendError(f"{channel.type} {where}: {exc}") from exc
        if channel.type in ("wecom", "dingtalk"):
            try:
                answer = json.loads(reply or b"{}")
            except ValueError:
                raise SendError(f"{channel.type} {where}: reply is not JSON") from None
            if answer.get("errcode", 0) != 0:
                raise SendError(
                    f"{channel.type} {where}: errcode {answer.get('errcode')} {answer.get('errmsg', '')}"
                )

    def close(self) -> None:
        pass


class LogSender:
    def send(self, msg: Message, channel: Channel, now: dt.datetime) -> None:
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

    def close(self) -> None:
        pass


class Outbox:
    """Delivers messages with retries, reusing connections for the lifetime of one batch."""

    def __init__(
        self,
        smtp: Smtp | None,
        env: Mapping[str, str],
        *,
        retry: Retry = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        http_timeout: float = HTTP_TIMEOUT,
    ):
        self.smtp = SmtpSender(smtp, env) if smtp else None
        self.web = WebhookSender(env, http_timeout)
        self.log = LogSender()
        self.retry = retry
        self.sleep = sleep
        self.now = now
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

    def deliver(self, msg: Message, channel: Channel) -> None:
        """Return when the channel accepted ``msg``; raise SendError after the last retry."""
        route = self._route(channel)
        if route in self.down:
            raise SendError(f"not tried: {self.down[route]}")
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            try:
                self._sender(channel).send(msg, channel, self.now())
                return
            except SendError as exc:
                error = str(exc)
                if attempt == len(delays):
                    self.down[route] = error
                    raise
                log.warning(
                    "retry",
                    extra={
                        "fields": {
                            "id": msg.id,
                            "attempt": attempt + 1,
                            "wait": delays[attempt],
                            "error": error,
                        }
                    },
                )
                self.sleep(delays[attempt])

    def close(self) -> None:
        if self.smtp:
            self.smtp.close()
        self.down.clear()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
