"""SMTP delivery: one connection per batch, each recipient's answer kept apart.

MAIL, then RCPT for each recipient (a 5xx refuses that address for good, a 4xx for now),
then DATA for the accepted ones. The DATA exchange is written out rather than left to
smtplib.sendmail, to know whether the body was handed over when something goes wrong:
after that point the message may have arrived and is *in doubt*.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import ssl
from collections.abc import Collection, Mapping
from email.utils import formataddr, parseaddr

from .contacts import Channel, Smtp
from .deadline import Watchdog
from .delivery import Delivery, SendError
from .messages import Message
from .payloads import email_bytes


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"[:500]


class SmtpSender:
    """One SMTP connection, opened on first use and reused until closed or broken."""

    def __init__(self, settings: Smtp, env: Mapping[str, str], watchdog: Watchdog):
        self.settings = settings
        self.env = env
        self.watchdog = watchdog
        self.conn: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(settings.sender)[1]
        self.from_header = formataddr(parseaddr(settings.sender), charset="utf-8")
        self.where = f"smtp {settings.host}:{settings.port}"

    def _connect(self, conn: smtplib.SMTP) -> None:
        s = self.settings
        conn.connect(s.host, s.port)
        if s.security == "starttls":
            conn.starttls(context=ssl.create_default_context(cafile=s.ca_file))
        if s.user:
            password = self.env.get(s.password_env or "")
            if password is None:
                raise SendError(f"smtp: environment variable {s.password_env} is not set")
            conn.login(s.user, password)

    def send(
        self, msg: Message, channel: Channel, to: Collection[str], now: dt.datetime, seconds: float
    ) -> Delivery:
        raw = email_bytes(msg, channel.to, self.from_header, now)
        handed_over = False
        if self.conn is None:  # created unconnected, so the watchdog can see its socket
            s = self.settings
            if s.security == "ssl":
                context = ssl.create_default_context(cafile=s.ca_file)
                self.conn = smtplib.SMTP_SSL(timeout=s.timeout, context=context)
            else:
                self.conn = smtplib.SMTP(timeout=s.timeout)
            fresh = True
        else:
            fresh = False
        conn = self.conn
        with self.watchdog.guard(lambda: getattr(conn, "sock", None), seconds) as dog:
            try:
                if fresh:
                    self._connect(conn)
                return self._transaction(conn, raw, to)
            except _HandedOver as exc:
                handed_over = True
                error: Exception = exc
            except (OSError, smtplib.SMTPException) as exc:
                error = exc
            except SendError:
                self.close()
                raise
            self.close()
            if dog.fired:
                reason = {"deadline": f"no answer within {seconds:.0f} s", "stop": "stopped"}
                raise SendError(f"{self.where}: {reason[dog.fired]}", in_doubt=handed_over)
            if isinstance(error, _HandedOver):
                raise SendError(f"{self.where}: {error.__cause__}", in_doubt=True)
            raise SendError(f"{self.where}: {error}") from error

    def _transaction(self, conn: smtplib.SMTP, raw: bytes, to: Collection[str]) -> Delivery:
        """MAIL, RCPT per recipient, DATA: each recipient's answer kept apart."""
        out = Delivery()
        conn.ehlo_or_helo_if_needed()
        code, text = conn.mail(self.envelope_from)
        if code != 250:
            conn.rset()
            # The sender, not a recipient, is refused: a setting to fix, so retried later.
            raise SendError(f"{self.where}: MAIL FROM refused: {_answer(code, text)}")
        ok: list[str] = []
        for rcpt in to:
            code, text = conn.rcpt(rcpt)
            if code in (250, 251):
                ok.append(rcpt)
            elif code == 421:
                raise smtplib.SMTPServerDisconnected(_answer(code, text))
            elif 500 <= code < 600:
                out.refused[rcpt] = _answer(code, text)
            else:
                out.failed[rcpt] = _answer(code, text)
        if not ok:
            conn.rset()
            return out
        code, text = conn.docmd("DATA")
        if code != 354:
            conn.rset()
            verdict = out.refused if 500 <= code < 600 else out.failed
            verdict.update(dict.fromkeys(ok, _answer(code, text)))
            return out
        conn.send(_dot_stuffed(raw))
        try:
            code, text = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise _HandedOver() from exc
        verdict = out.accepted if code == 250 else out.refused if code >= 500 else out.failed
        verdict.update(dict.fromkeys(ok, _answer(code, text)))
        return out

    def close(self) -> None:
        if self.conn is not None:
            try:
                if getattr(self.conn, "sock", None) is not None:
                    self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.conn.close()
            self.conn = None


class _HandedOver(Exception):
    """The message body went out; what went wrong after may have left it delivered."""


def _dot_stuffed(raw: bytes) -> bytes:
    """The DATA body (RFC 5321 4.5.2): lines starting with a dot get another, then CRLF.CRLF."""
    body = re.sub(rb"(?m)^\.", b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"
