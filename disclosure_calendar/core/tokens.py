"""Signed access links and session cookies: HMAC-SHA256 over a small JSON payload.

A link grants one role (a unit, or the coordinator) until it expires or is revoked; nothing
is stored to make it valid, only its id when issued (so it can be listed and revoked). The
secret comes from ``DISCLOSURE_CALENDAR_SECRET`` or a file, never from inside ``out/``
(which is published). Links, session cookies and CSRF tokens use separate keys derived from
the one secret, so a value made for one can never pass for another.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DisclosureError, os_error_message
from .i18n import gettext as _

SECRET_ENV = "DISCLOSURE_CALENDAR_SECRET"
MIN_SECRET_BYTES = 16
COORDINATOR = "coordinator"
UNIT = "unit"
_VERSION = "v1"


class BadToken(Exception):
    """A link or cookie that does not verify: forged, tampered, expired or malformed."""


@dataclass(frozen=True)
class Grant:
    """What a link (or the session made from it) allows: one unit's pages, or everything."""

    id: str
    role: str  # UNIT or COORDINATOR
    unit: str | None
    expires: dt.datetime

    @property
    def actor(self) -> str:
        """How the audit log names whoever holds the grant."""
        return COORDINATOR if self.role == COORDINATOR else f"unit:{self.unit}"

    def may_see(self, unit: str) -> bool:
        return self.role == COORDINATOR or self.unit == unit


def load_secret(
    env: Mapping[str, str], secret_file: Path | None, out_dir: Path | None = None
) -> bytes:
    """The signing secret, from ``--secret-file`` or the environment; at least 16 bytes."""
    if secret_file is not None:
        if out_dir is not None and secret_file.resolve().is_relative_to(out_dir.resolve()):
            raise DisclosureError(
                _(
                    "{file}: the secret must not be inside {out}, which is published: "
                    "keep it outside the output folder"
                ).format(file=secret_file, out=out_dir)
            )
        try:
            value = secret_file.read_bytes().strip()
        except OSError as exc:
            raise DisclosureError(
                _("{file}: cannot read the secret ({reason})").format(
                    file=secret_file, reason=os_error_message(OSError(exc.errno, exc.strerror))
                )
            ) from None
        where = str(secret_file)
    else:
        value = env.get(SECRET_ENV, "").strip().encode()
        where = SECRET_ENV
        if not value:
            raise DisclosureError(
                _(
                    "no secret: set {variable} or give --secret-file (make one with: `{command}`)"
                ).format(
                    variable=SECRET_ENV,
                    command="python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
                )
            )
    if len(value) < MIN_SECRET_BYTES:
        raise DisclosureError(
            _("{where}: the secret is shorter than {count} bytes; make a longer one").format(
                where=where, count=MIN_SECRET_BYTES
            )
        )
    return value


class Signer:
    """Signs and verifies links, session cookies and CSRF tokens with keys from one secret."""

    def __init__(self, secret: bytes):
        self._link_key = _derive(secret, b"access-link")
        self._session_key = _derive(secret, b"session-cookie")
        self._csrf_key = _derive(secret, b"csrf")

    # -- links ----------------------------------------------------------------------------

    def issue(self, role: str, unit: str | None, now: dt.datetime, days: int) -> tuple[Grant, str]:
        grant = Grant(secrets.token_hex(8), role, unit, now + dt.timedelta(days=days))
        return grant, _sign(self._link_key, _payload(grant))

    def link(self, grant: Grant) -> str:
        """The link token for a grant made elsewhere (one with a derived id, see ``derived_id``)."""
        return _sign(self._link_key, _payload(grant))

    def derived_id(self, *parts: str) -> str:
        """A link id that only this secret gives for ``parts``: the same parts, the same link."""
        return hmac.new(self._link_key, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:16]

    def verify_link(self, token: str, now: dt.datetime) -> Grant:
        return _grant(_verify(self._link_key, token), now)

    # -- sessions -------------------------------------------------------------------------

    def session(self, grant: Grant, now: dt.datetime, hours: int) -> tuple[str, dt.datetime]:
        """A cookie value for ``grant``: lasts ``hours`` or until the link expires."""
        expires = min(grant.expires, now + dt.timedelta(hours=hours))
        payload = {**_payload(grant), "e": int(expires.timestamp()), "n": secrets.token_hex(8)}
        return _sign(self._session_key, payload), expires

    def verify_session(self, cookie: str, now: dt.datetime) -> tuple[Grant, str]:
        """The grant a cookie carries and its nonce (what its CSRF token is made from)."""
        payload = _verify(self._session_key, cookie)
        nonce = payload.get("n")
        if not isinstance(nonce, str):
            raise BadToken("no nonce")
        return _grant(payload, now), nonce

    def csrf(self, nonce: str) -> str:
        mac = hmac.new(self._csrf_key, nonce.encode(), hashlib.sha256).digest()
        return _b64(mac[:18])

    def csrf_ok(self, nonce: str, offered: str) -> bool:
        return hmac.compare_digest(self.csrf(nonce).encode(), offered.encode())


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, purpose, hashlib.sha256).digest()


def _payload(grant: Grant) -> dict[str, object]:
    return {
        "i": grant.id,
        "r": grant.role,
        "u": grant.unit,
        "e": int(grant.expires.timestamp()),
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: Mapping[str, object]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    head = f"{_VERSION}.{body}"
    return f"{head}.{_b64(hmac.new(key, head.encode(), hashlib.sha256).digest())}"


def _verify(key: bytes, token: str) -> dict[str, object]:
    if len(token) > 1024 or not token.isascii():
        raise BadToken("malformed")
    version, _, rest = token.partition(".")
    body, _, mac = rest.partition(".")
    if version != _VERSION or not body or not mac:
        raise BadToken("malformed")
    expected = _b64(hmac.new(key, f"{version}.{body}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise BadToken("bad signature")
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise BadToken("malformed") from None
    if not isinstance(payload, dict):
        raise BadToken("malformed")
    return payload


def _grant(payload: Mapping[str, object], now: dt.datetime) -> Grant:
    tid, role, unit, expires = (payload.get(k) for k in ("i", "r", "u", "e"))
    if not isinstance(tid, str) or not isinstance(expires, int) or role not in (UNIT, COORDINATOR):
        raise BadToken("malformed")
    if role == UNIT and not isinstance(unit, str):
        raise BadToken("malformed")
    until = dt.datetime.fromtimestamp(expires, dt.UTC)
    if until <= now:
        raise BadToken("expired")
    return Grant(tid, str(role), unit if isinstance(unit, str) else None, until)
