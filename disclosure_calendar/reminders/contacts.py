"""Who hears about a duty, and how: contacts.yaml, validated with line numbers.

Secrets never live in this file: the SMTP password and a DingTalk signing secret are named
by environment variable and read only when a message is sent.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from disclosure_calendar.core.i18n import gettext as _

from ..schedule.yamlsource import Checker, compose, items

COORDINATOR = "coordinator"
CHANNEL_TYPES = ("email", "webhook", "wecom", "dingtalk", "log")
SECURITY = ("starttls", "ssl", "none")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class Channel:
    """One way to reach an addressee. ``name`` is unique per addressee and keys the ledger."""

    name: str
    type: str
    to: tuple[str, ...] = ()
    url: str | None = None
    secret_env: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str = "starttls"
    user: str | None = None
    password_env: str | None = None
    sender: str = "disclosure-calendar@localhost"
    timeout: float = 30.0
    ca_file: str | None = None


@dataclass(frozen=True)
class Policy:
    """How insistent the reminders are; working days throughout."""

    escalate_every: int = 3
    grace: int = 2
    retry_minutes: int = 10
    track_from: dt.date | None = None

    def __post_init__(self) -> None:
        if self.escalate_every < 1:
            raise ValueError("escalate_every must be at least 1")


LOG_CHANNEL = Channel("log", "log")


@dataclass(frozen=True)
class Contacts:
    """Channels of each unit that has any, and of the coordinator (who also gets the rest)."""

    coordinator_name: str = "市政府办公室"
    coordinator: tuple[Channel, ...] = (LOG_CHANNEL,)
    units: dict[str, tuple[Channel, ...]] = field(default_factory=dict, hash=False)
    smtp: Smtp | None = None
    policy: Policy = Policy()
    path: str | None = None
    digest: str | None = None

    def channels_of(self, addressee: str) -> tuple[Channel, ...]:
        if addressee == COORDINATOR:
            return self.coordinator
        return self.units.get(addressee, ())

    def has_contact(self, unit: str) -> bool:
        return bool(self.units.get(unit))


DEFAULT = Contacts()


def load_contacts(
    path: str | Path, known_units: Iterable[str], env: Mapping[str, str] | None = None
) -> Contacts:
    """Read and validate ``path``; raise InputError listing every problem with file:line:col.

    With ``env`` (the environment the messages will be sent from), a ``password_env`` or
    ``secret_env`` naming a variable that is not set there is a problem too: found when the
    file is loaded, not at 09:00 when the first reminder fails.
    """
    path = Path(path)
    root, digest = compose(path)
    c = Checker(str(path))
    top = c.mapping(
        root,
        "contacts",
        required=("version",),
        optional=("version", "smtp", "coordinator", "units", "policy"),
    )
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    if "version" in top and c.integer(top["version"], "version") not in (1, None):
        c.problem(top["version"], _("version: only version 1 is understood"))
    smtp = _smtp(c, top["smtp"], env) if "smtp" in top else None
    policy = _policy(c, top["policy"]) if "policy" in top else Policy()
    name = "市政府办公室"
    coordinator: tuple[Channel, ...] = (LOG_CHANNEL,)
    if "coordinator" in top:
        f = c.mapping(top["coordinator"], "coordinator", required=("channels",), optional=("name",))
        if f is not None:
            if "name" in f:
                name = c.string(f["name"], "coordinator.name") or name
            if "channels" in f:
                coordinator = _channels(c, f["channels"], "coordinator.channels", env)
    known = set(known_units)
    units: dict[str, tuple[Channel, ...]] = {}
    if "units" in top:
        f = c.mapping(top["units"], "units")
        keys = (
            {id(v): k for k, v in top["units"].value}
            if isinstance(top["units"], MappingNode)
            else {}
        )
        for unit, node in items(f):
            if unit not in known:
                close = difflib.get_close_matches(unit, sorted(known), n=1)
                c.problem(
                    keys.get(id(node), node),
                    _(
                        "units: {unit!r} is not a unit of the schedule (did you mean {close!r}?)"
                    ).format(unit=unit, close=close[0])
                    if close
                    else _("units: {unit!r} is not a unit of the schedule").format(unit=unit),
                )
                continue
            units[unit] = _channels(c, node, f"units.{unit}", env)
    needs_smtp = any(ch.type == "email" for chs in (coordinator, *units.values()) for ch in chs)
    if needs_smtp and smtp is None and "smtp" not in top:
        c.problem(root, _("contacts: e-mail channels need an smtp: section"))
    c.raise_if_any()
    return Contacts(name, coordinator, units, smtp, policy, str(path), digest)


def _smtp(c: Checker, node: Node, env: Mapping[str, str] | None) -> Smtp | None:
    f = c.mapping(
        node,
        "smtp",
        required=("host",),
        optional=(
            "host", "port", "security", "user", "password_env", "password", "sender", "timeout",
            "ca_file",
        ),
    )  # fmt: skip
    if f is None:
        return None
    if "password" in f:
        c.problem(
            f["password"],
            _(
                "smtp.password: passwords are never read from a file; put it in an environment "
                "variable and name that variable in smtp.password_env"
            ),
        )
    host = c.string(f["host"], "smtp.host") if "host" in f else None
    security = "starttls"
    if "security" in f:
        security = c.string(f["security"], "smtp.security") or security
        if security not in SECURITY:
            c.problem(
                f["security"],
                _("smtp.security must be one of {choices}").format(choices=", ".join(SECURITY)),
            )
    default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(security, 587)
    port = c.integer(f["port"], "smtp.port", 1, 65535) if "port" in f else default_port
    user = c.string(f["user"], "smtp.user") if "user" in f else None
    password_env = (
        c.string(f["password_env"], "smtp.password_env", ENV_NAME) if "password_env" in f else None
    )
    if user and not password_env:
        c.problem(
            node,
            _("smtp: a user needs password_env (the environment variable holding the password)"),
        )
    if password_env and env is not None and not env.get(password_env):
        c.problem(f["password_env"], _unset(password_env, "smtp.password_env"))
    sender = c.string(f["sender"], "smtp.sender") if "sender" in f else None
    timeout = c.integer(f["timeout"], "smtp.timeout", 1, 600) if "timeout" in f else 30
    ca_file = c.string(f["ca_file"], "smtp.ca_file") if "ca_file" in f else None
    if host is None or port is None:
        return None
    return Smtp(
        host, port, security, user, password_env, sender or f"disclosure-calendar@{host}",
        float(timeout or 30), ca_file,
    )  # fmt: skip


def _policy(c: Checker, node: Node) -> Policy:
    f = c.mapping(
        node, "policy", optional=("escalate_every", "grace", "retry_minutes", "track_from")
    )
    if f is None:
        return Policy()
    every = (
        c.integer(f["escalate_every"], "policy.escalate_every", 1, 60)
        if "escalate_every" in f
        else 3
    )
    grace = c.integer(f["grace"], "policy.grace", 0, 60) if "grace" in f else 2
    retry = (
        c.integer(f["retry_minutes"], "policy.retry_minutes", 1, 1440)
        if "retry_minutes" in f
        else 10
    )
    track_from = c.date(f["track_from"], "policy.track_from") if "track_from" in f else None
    return Policy(every or 3, 2 if grace is None else grace, retry or 10, track_from)


def _unset(variable: str, what: str) -> str:
    return _(
        "{what}: the environment variable {variable} is not set; set it where reminders are "
        "sent from (export {variable}=...), or the messages cannot be sent"
    ).format(what=what, variable=variable)


def _channels(
    c: Checker, node: Node, what: str, env: Mapping[str, str] | None
) -> tuple[Channel, ...]:
    out: list[Channel] = []
    names: set[str] = set()
    for i, item in enumerate(c.sequence(node, what)):
        ch = _channel(c, item, f"{what}[{i}]", env)
        if ch is None:
            continue
        if ch.name in names:
            c.problem(
                item,
                _("{what}: two channels named {name!r}; give one a name:").format(
                    what=f"{what}[{i}]", name=ch.name
                ),
            )
            continue
        names.add(ch.name)
        out.append(ch)
    if isinstance(node, SequenceNode) and not node.value:
        c.problem(node, _("{what}: list at least one channel").format(what=what))
    return tuple(out)


def _channel(c: Checker, node: Node, what: str, env: Mapping[str, str] | None) -> Channel | None:
    f = c.mapping(
        node,
        what,
        required=("type",),
        optional=("type", "name", "to", "url", "secret_env", "mentions"),
    )
    if f is None or "type" not in f:
        return None
    kind = c.string(f["type"], f"{what}.type")
    if kind is None:
        return None
    if kind not in CHANNEL_TYPES:
        c.problem(
            f["type"],
            _("{what}.type {kind!r} is not one of {choices}").format(
                what=what, kind=kind, choices=", ".join(CHANNEL_TYPES)
            ),
        )
        return None
    name = c.string(f["name"], f"{what}.name", CHANNEL_NAME) if "name" in f else kind
    to: list[str] = []
    if "to" in f:
        nodes = [f["to"]] if isinstance(f["to"], ScalarNode) else c.sequence(f["to"], f"{what}.to")
        for n in nodes:
            addr = c.string(n, f"{what}.to")
            if addr is not None and not EMAIL.fullmatch(addr):
                c.problem(
                    n,
                    _("{what}.to: {addr!r} is not an e-mail address").format(what=what, addr=addr),
                )
            elif addr is not None and not addr.isascii():
                # Mail servers of government offices rarely offer SMTPUTF8; refuse it here
                # rather than fail at 09:00 on the day of the reminder.
                c.problem(
                    n,
                    _("{what}.to: {addr!r} has non-ASCII characters (use the ASCII form)").format(
                        what=what, addr=addr
                    ),
                )
            elif addr is not None:
                to.append(addr)
    url = c.string(f["url"], f"{what}.url") if "url" in f else None
    if url is not None and not url.startswith(("https://", "http://")):
        c.problem(f["url"], _("{what}.url must start with https:// or http://").format(what=what))
    secret_env = (
        c.string(f["secret_env"], f"{what}.secret_env", ENV_NAME) if "secret_env" in f else None
    )
    mentions = tuple(
        m for n in (c.sequence(f["mentions"], f"{what}.mentions") if "mentions" in f else [])
        if (m := c.string(n, f"{what}.mentions")) is not None
    )  # fmt: skip
    if kind == "email" and not to and "to" not in f:
        c.problem(node, _("{what}: an email channel needs to: [addresses]").format(what=what))
    elif kind == "email" and isinstance(f["to"], SequenceNode) and not f["to"].value:
        # `to: []` used to cancel the unit's reminders without a word to anyone
        c.problem(
            f["to"],
            _(
                "{what}.to lists no address: this channel would send nothing; list an address, "
                "or remove the channel (a unit without channels is reminded through the "
                "coordinator)"
            ).format(what=what),
        )
    if kind in ("webhook", "wecom", "dingtalk") and "url" not in f:
        c.problem(node, _("{what}: a {kind} channel needs url:").format(what=what, kind=kind))
    if kind != "email" and "to" in f:
        c.problem(f["to"], _("{what}.to is only for email channels").format(what=what))
    if secret_env and kind != "dingtalk":
        c.problem(
            f["secret_env"], _("{what}.secret_env is only for dingtalk channels").format(what=what)
        )
    elif secret_env and env is not None and not env.get(secret_env):
        c.problem(f["secret_env"], _unset(secret_env, f"{what}.secret_env"))
    return Channel(name or kind, kind, tuple(to), url, secret_env, mentions)
