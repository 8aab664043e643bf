"""Channels against real local servers: aiosmtpd for SMTP, http.server for the webhooks."""

from __future__ import annotations

import collections
import datetime as dt
import email
import email.policy
import http
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.reminders.contacts import Channel, Smtp
from disclosure_calendar.reminders.messages import Message
from disclosure_calendar.reminders.notifiers import (
    Outbox,
    Retry,
    build_email,
    webhook_payload,
)

NOW = dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps every accepted message, parsed."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.attempts = 0
        # Hooks for fault injection, called with the attempt number before and after storing.
        self.on_data: Callable[[int], str | None] | None = None
        self.after_store: Callable[[int], None] | None = None
        # Called with each RCPT address; a reply such as "550 no such user" refuses it.
        self.on_rcpt: Callable[[str], str | None] | None = None
        self.rcpt_attempts: collections.Counter[str] = collections.Counter()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_attempts[address] += 1
        verdict = self.on_rcpt(address) if self.on_rcpt is not None else None
        if verdict is not None:
            return verdict
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.on_data is not None:
            verdict = self.on_data(self.attempts)
            if verdict is not None:
                return verdict
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        if self.after_store is not None:
            self.after_store(self.attempts)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for _, m in self.received]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Hooks:
    """A local HTTP server recording JSON POSTs by path; ``replies`` scripts failures."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.replies: list[tuple[int, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status, reply = outer.replies.pop(0) if outer.replies else (200, b'{"errcode": 0}')
                if status == 200:
                    outer.posts.append((self.path, json.loads(body), dict(self.headers)))
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    server = Hooks()
    server.start()
    yield server
    server.stop()


def message(n: int = 1) -> Message:
    return Message(
        f"m{n}.reminder@test.example",
        "finance",
        "email",
        NOW,
        "【政务公开提醒】市财政局:1项即将到期",
        "市财政局:\n\n1. 【1.3】一般公共预算收支完成情况\n",
        "<p>市财政局:</p><ol><li>【1.3】一般公共预算收支完成情况</li></ol>",
        "### 【政务公开提醒】市财政局\n1. **【1.3】一般公共预算收支完成情况**",
    )


EMAIL = Channel("email", "email", ("finance@example.gov.cn", "office@example.gov.cn"))


def test_email_is_multipart_utf8_with_decodable_chinese_subject() -> None:
    raw = build_email(message(), EMAIL, "政务公开提醒 <reminder@example.gov.cn>", NOW)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?b?" in head  # the subject header is RFC 2047 encoded
    assert raw.count(b"\n") == raw.count(b"\r\n")  # CRLF only, as SMTP wants
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "【政务公开提醒】市财政局:1项即将到期"
    assert parsed["From"].addresses[0].display_name == "政务公开提醒"
    assert parsed["From"].addresses[0].addr_spec == "reminder@example.gov.cn"
    assert parsed["To"] == "finance@example.gov.cn, office@example.gov.cn"
    assert parsed["Date"].datetime == NOW
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"
    assert not parsed.defects
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == message().text
    assert html.get_content() == message().html
    assert parsed["Message-ID"] == "<m1.reminder@test.example>"


def test_email_bytes_are_the_same_on_a_resend() -> None:
    first = build_email(message(), EMAIL, "reminder@example.gov.cn", NOW)
    assert build_email(message(), EMAIL, "reminder@example.gov.cn", NOW) == first
    assert build_email(message(2), EMAIL, "reminder@example.gov.cn", NOW) != first


@settings(max_examples=200, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120),
    text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300),
    to=st.lists(st.from_regex(r"[a-z0-9]{1,20}@example\.gov\.cn", fullmatch=True), min_size=1, max_size=8),
)  # fmt: skip
def test_email_round_trips_any_subject_body_and_recipients(
    subject: str, text: str, to: list[str]
) -> None:
    msg = Message("x1.reminder@test.example", "finance", "email", NOW, subject, text, text, "")
    raw = build_email(msg, Channel("email", "email", tuple(to)), "r@example.gov.cn", NOW)
    for line in raw.split(b"\r\n"):
        assert len(line) <= 78  # the RFC 5322 recommended limit, far below SMTP's 998
    for word in re.findall(rb"=\?utf-8\?b\?[^?]*\?=", raw):
        assert len(word) <= 75  # RFC 2047
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == subject
    assert [a.addr_spec for a in parsed["To"].addresses] == to
    plain = parsed.get_body(("plain",))
    assert plain is not None and plain.get_content() == text


def test_smtp_batch_reuses_one_connection(smtp_server: SmtpServer) -> None:
    sessions: list[object] = []
    original = smtp_server.inbox.handle_DATA

    async def spy(server: Any, session: Any, envelope: Any) -> str:
        sessions.append(session)
        return await original(server, session, envelope)

    smtp_server.inbox.handle_DATA = spy  # type: ignore[method-assign]
    with Outbox(Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}) as box:
        for n in range(3):
            box.deliver(message(n), EMAIL)
    assert len(smtp_server.inbox.received) == 3
    assert len({id(s) for s in sessions}) == 1
    rcpts, first = smtp_server.inbox.received[0]
    assert rcpts == ["finance@example.gov.cn", "office@example.gov.cn"]
    assert first["Subject"] == "【政务公开提醒】市财政局:1项即将到期"


def test_smtp_down_fails_after_retries_with_backoff() -> None:
    waits: list[float] = []
    box = Outbox(
        Smtp("127.0.0.1", free_port(), "none", timeout=2),
        {},
        retry=Retry(3, 0.5),
        sleep=waits.append,
    )
    first = box.deliver(message(), EMAIL)
    assert not first.accepted and not first.refused
    assert set(first.failed) == set(EMAIL.to)
    assert all(a.startswith("smtp 127.0.0.1") for a in first.failed.values())
    assert waits == [0.5, 1.0]
    second = box.deliver(message(2), EMAIL)  # the rest of the batch fails fast
    assert all(a.startswith("not tried") for a in second.failed.values())
    assert waits == [0.5, 1.0]


def test_smtp_temporary_rejection_is_retried(smtp_server: SmtpServer) -> None:
    verdicts = ["451 try later"]
    smtp_server.inbox.on_data = lambda n: verdicts.pop() if verdicts else None
    waits: list[float] = []
    with Outbox(
        Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}, sleep=waits.append
    ) as box:
        box.deliver(message(), EMAIL)
    assert waits == [1.0]
    assert len(smtp_server.inbox.received) == 1


def test_smtp_login_needs_the_password_variable(smtp_server: SmtpServer) -> None:
    settings = Smtp(
        "127.0.0.1", smtp_server.port, "none", user="u", password_env="NO_SUCH_VAR", timeout=5
    )
    delivery = Outbox(settings, {}, retry=Retry(1)).deliver(message(), EMAIL)
    assert set(delivery.failed.values()) == {"smtp: environment variable NO_SUCH_VAR is not set"}


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        (
            "webhook",
            lambda p: (
                p["subject"] == "【政务公开提醒】市财政局:1项即将到期"
                and p["id"] == "m1.reminder@test.example"
            ),
        ),
        (
            "wecom",
            lambda p: p["msgtype"] == "markdown" and "一般公共预算" in p["markdown"]["content"],
        ),
        (
            "dingtalk",
            lambda p: (
                p["msgtype"] == "markdown" and p["markdown"]["title"].startswith("【政务公开提醒】")
            ),
        ),
    ],
    ids=["generic-json", "wecom-robot", "dingtalk-robot"],
)
def test_webhook_formats(hooks: Hooks, kind: str, check: Callable[[dict[str, Any]], bool]) -> None:
    channel = Channel(kind, kind, url=f"{hooks.url}/{kind}")
    Outbox(None, {}).deliver(message(), channel)
    [(path, payload, headers)] = hooks.posts
    assert path == f"/{kind}"
    assert check(payload)
    assert headers["Idempotency-Key"] == "m1.reminder@test.example"


def test_dingtalk_signs_with_secret_from_environment(hooks: Hooks) -> None:
    channel = Channel(
        "dingtalk", "dingtalk", url=f"{hooks.url}/robot?access_token=x", secret_env="DT_SECRET"
    )
    Outbox(None, {"DT_SECRET": "SEC123"}, now=lambda: NOW).deliver(message(), channel)
    [(path, _, _)] = hooks.posts
    assert path.startswith("/robot?access_token=x&timestamp=1775523600000&sign=")


def test_webhook_500_then_ok_is_retried(hooks: Hooks) -> None:
    hooks.replies = [(500, b"oops"), (502, b"bad gateway")]
    waits: list[float] = []
    Outbox(None, {}, sleep=waits.append).deliver(
        message(), Channel("webhook", "webhook", url=hooks.url)
    )
    assert waits == [1.0, 2.0]
    assert len(hooks.posts) == 1


def test_robot_errcode_is_a_failure(hooks: Hooks) -> None:
    hooks.replies = [(200, b'{"errcode": 45009, "errmsg": "api freq out of limit"}')] * 2
    box = Outbox(None, {}, retry=Retry(2), sleep=lambda s: None)
    delivery = box.deliver(message(), Channel("wecom", "wecom", url=hooks.url))
    assert list(delivery.failed.values()) == ["errcode 45009 api freq out of limit"]


def test_webhook_timeout_is_a_failure() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        box = Outbox(None, {}, retry=Retry(3), read_timeout=0.2, sleep=lambda s: None)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        delivery = box.deliver(message(), Channel("webhook", "webhook", url=url))
        assert "timed out" in delivery.failed[url]
        # The POST went out: it may have arrived, so it is not sent again in this run.
        assert delivery.in_doubt
    finally:
        silent.close()


def test_wecom_markdown_mentions() -> None:
    payload = webhook_payload(
        message(), Channel("wecom", "wecom", url="http://x", mentions=("zhangsan",))
    )
    assert payload["markdown"]["content"].endswith("<@zhangsan>")  # type: ignore[index]


def test_long_digest_goes_through_smtp_with_crlf_lines(smtp_server: SmtpServer) -> None:
    # A real digest is several kilobytes; bare LF line ends would make it one over-long line.
    long = Message(
        "long@test.example", "finance", "email", NOW, "【政务公开督办】长清单", "事项。\n" * 800,
        "<p>事项。</p>" * 800, "md",
    )  # fmt: skip
    with Outbox(Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}, retry=Retry(1)) as box:
        box.deliver(long, EMAIL)
    [(_, received)] = smtp_server.inbox.received
    plain = received.get_body(("plain",))
    assert plain is not None and plain.get_content() == "事项。\n" * 800


def test_one_refused_address_costs_no_one_else(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.on_rcpt = lambda a: (
        "550 5.1.1 no such user" if a.startswith("office") else None
    )
    waits: list[float] = []
    with Outbox(
        Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}, sleep=waits.append
    ) as box:
        first = box.deliver(message(1), EMAIL)
        second = box.deliver(message(2), EMAIL)
    for delivery in (first, second):
        assert list(delivery.accepted) == ["finance@example.gov.cn"]
        assert delivery.refused == {"office@example.gov.cn": "550 5.1.1 no such user"}
        assert not delivery.failed
    assert waits == []  # a permanent refusal is not retried
    assert smtp_server.inbox.rcpt_attempts["office@example.gov.cn"] == 2  # once per message
    assert [r for r, _ in smtp_server.inbox.received] == [["finance@example.gov.cn"]] * 2


def test_temporary_refusal_of_one_address_retries_only_that_one(smtp_server: SmtpServer) -> None:
    answers = ["451 4.7.1 greylisted, try again"]
    smtp_server.inbox.on_rcpt = lambda a: (
        answers.pop() if a.startswith("office") and answers else None
    )
    waits: list[float] = []
    with Outbox(
        Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}, sleep=waits.append
    ) as box:
        delivery = box.deliver(message(), EMAIL)
    assert sorted(delivery.accepted) == sorted(EMAIL.to) and not delivery.failed
    assert waits == [1.0]
    # finance@ got it on the first attempt and is not sent a second copy with office@.
    assert [r for r, _ in smtp_server.inbox.received] == [
        ["finance@example.gov.cn"],
        ["office@example.gov.cn"],
    ]


def test_permanent_data_refusal_is_not_retried(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.on_data = lambda n: "554 5.6.0 message refused"
    waits: list[float] = []
    with Outbox(
        Smtp("127.0.0.1", smtp_server.port, "none", timeout=5), {}, sleep=waits.append
    ) as box:
        delivery = box.deliver(message(), EMAIL)
    assert set(delivery.refused.values()) == {"554 5.6.0 message refused"}
    assert waits == [] and smtp_server.inbox.attempts == 1


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(301, True), (308, True), (302, False), (303, False), (307, False)],
)
def test_webhook_redirect_is_never_followed(status: int, permanent: bool) -> None:
    hits: list[tuple[str, str]] = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(("POST", self.path))
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(status)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # what urllib did with a 301/302: a GET without the body
            hits.append(("GET", self.path))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        delivery = Outbox(None, {}, retry=Retry(1)).deliver(
            message(), Channel("webhook", "webhook", url=url)
        )
    finally:
        server.shutdown()
        server.server_close()
    assert hits == [("POST", "/hook")]
    assert not delivery.accepted
    answer = f"HTTP {status} redirect to /elsewhere (not followed)"
    assert (delivery.refused if permanent else delivery.failed) == {url: answer}


@pytest.mark.parametrize(
    ("status", "verdict"),
    [(404, "refused"), (410, "refused"), (403, "refused"), (429, "failed"), (503, "failed")],
)
def test_webhook_client_errors_are_permanent_others_temporary(
    hooks: Hooks, status: int, verdict: str
) -> None:
    hooks.replies = [(status, b"no")] * 3
    waits: list[float] = []
    url = f"{hooks.url}/hook"
    delivery = Outbox(None, {}, sleep=waits.append).deliver(
        message(), Channel("webhook", "webhook", url=url)
    )
    assert getattr(delivery, verdict) == {url: f"HTTP {status} {http.HTTPStatus(status).phrase}"}
    assert waits == ([] if verdict == "refused" else [1.0, 2.0])  # a refusal is not retried
