"""Who hears about a duty, and how: contacts.yaml, validated with line numbers.

Secrets never live in this file: the SMTP password and a DingTalk signing secret are named
by environment variable and read only when a message is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


def load_contacts(path: str | Path, known_units: Iterable[str]) -> Contacts:
    """Read and validate ``path``; raise InputError listing every problem with file:line:col."""
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
        c.problem(top["version"], "version: only version 1 is understood")
    smtp = _smtp(c, top["smtp"]) if "smtp" in top else None
    policy = _policy(c, top["policy"]) if "policy" in top else Policy()
    name = "市政府办公室"
    coordinator: tuple[Channel, ...] = (LOG_CHANNEL,)
    if "coordinator" in top:
        f = c.mapping(top["coordinator"], "coordinator", required=("channels",), optional=("name",))
        if f is not None:
            if "name" in f:
                name = c.string(f["name"], "coordinator.name") or name
            if "channels" in f:
                coordinator = _channels(c, f["channels"], "coordinator.channels")
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
                c.problem(
                    keys.get(id(node), node), f"units: {unit!r} is not a unit of the schedule"
                )
                continue
            units[unit] = _channels(c, node, f"units.{unit}")
    needs_smtp = any(ch.type == "email" for chs in (coordinator, *units.values()) for ch in chs)
    if needs_smtp and smtp is None and "smtp" not in top:
        c.problem(root, "contacts: e-mail channels need an smtp: section")
    c.raise_if_any()
    return Contacts(name, coordinator, units, smtp, policy, str(path), digest)


def _smtp(c: Checker, node: Node) -> Smtp | None:
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
            "smtp.password: passwords are never read from a file; put it in an environment "
            "variable and name that variable in smtp.password_env",
        )
    host = c.string(f["host"], "smtp.host") if "host" in f else None
    security = "starttls"
    if "security" in f:
        security = c.string(f["security"], "smtp.security") or security
        if security not in SECURITY:
            c.problem(f["security"], f"smtp.security must be one of {', '.join(SECURITY)}")
    default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(security, 587)
    port = c.integer(f["port"], "smtp.port", 1, 65535) if "port" in f else default_port
    user = c.string(f["user"], "smtp.user") if "user" in f else None
    password_env = (
        c.string(f["password_env"], "smtp.password_env", ENV_NAME) if "password_env" in f else None
    )
    if user and not password_env:
        c.problem(
            node, "smtp: a user needs password_env (the environment variable holding the password)"
        )
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


def _channels(c: Checker, node: Node, what: str) -> tuple[Channel, ...]:
    out: list[Channel] = []
    names: set[str] = set()
    for i, item in enumerate(c.sequence(node, what)):
        ch = _channel(c, item, f"{what}[{i}]")
        if ch is None:
            continue
        if ch.name in names:
            c.problem(item, f"{what}[{i}]: two channels named {ch.name!r}; give one a name:")
            continue
        names.add(ch.name)
        out.append(ch)
    if isinstance(node, SequenceNode) and not node.value:
        c.problem(node, f"{what}: list at least one channel")
    return tuple(out)


def _channel(c: Checker, node: Node, what: str) -> Channel | None:
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
        c.problem(f["type"], f"{what}.type {kind!r} is not one of {', '.join(CHANNEL_TYPES)}")
        return None
    name = c.string(f["name"], f"{what}.name", CHANNEL_NAME) if "name" in f else kind
    to: list[str] = []
    if "to" in f:
        nodes = [f["to"]] if isinstance(f["to"], ScalarNode) else c.sequence(f["to"], f"{what}.to")
        for n in nodes:
            addr = c.string(n, f"{what}.to")
            if addr is not None and not EMAIL.fullmatch(addr):
                c.problem(n, f"{what}.to: {addr!r} is not an e-mail address")
            elif addr is not None and not addr.isascii():
                # Mail servers of government offices rarely offer SMTPUTF8; refuse it here
                # rather than fail at 09:00 on the day of the reminder.
                c.problem(n, f"{what}.to: {addr!r} has non-ASCII characters (use the ASCII form)")
            elif addr is not None:
                to.append(addr)
    url = c.string(f["url"], f"{what}.url") if "url" in f else None
    if url is not None and not url.startswith(("https://", "http://")):
        c.problem(f["url"], f"{what}.url must start with https:// or http://")
    secret_env = (
        c.string(f["secret_env"], f"{what}.secret_env", ENV_NAME) if "secret_env" in f else None
    )
    mentions = tuple(
        m for n in (c.sequence(f["mentions"], f"{what}.mentions") if "mentions" in f else [])
        if (m := c.string(n, f"{what}.mentions")) is not None
    )  # fmt: skip
    if kind == "email" and not to and "to" not in f:
        c.problem(node, f"{what}: an email channel needs to: [addresses]")
    if kind in ("webhook", "wecom", "dingtalk") and "url" not in f:
        c.problem(node, f"{what}: a {kind} channel needs url:")
    if kind != "email" and "to" in f:
        c.problem(f["to"], f"{what}.to is only for email channels")
    if secret_env and kind != "dingtalk":
        c.problem(f["secret_env"], f"{what}.secret_env is only for dingtalk channels")
    return Channel(name or kind, kind, tuple(to), url, secret_env, mentions)
