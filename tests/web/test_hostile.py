"""The portal reached directly by hostile or broken clients (issue 31): what one client may
hold (header size, the time to send headers and a body, connections per address), clients
that go away mid-body, guessed and old links, forged forwarding headers, QR codes asked for
under another Host, and logging out. Real uvicorn on loopback, real sockets."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import segno
from test_portal import FORM, csrf_of, link_path, login, page, post
from webportal import NOW, SECRET, Portal, build_site

from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.web.server import LIMITS, Limits, running
from disclosure_calendar.web.site import WebConfig


@contextlib.contextmanager
def served(
    tmp_path: Path,
    limits: Limits = LIMITS,
    trusted: tuple[str, ...] = (),
    base_url: str | None = None,
    db: str | None = None,
) -> Iterator[Portal]:
    schedule_path, out = build_site(tmp_path)
    if base_url == "":  # no base URL anywhere: drop plan.base_url too
        text = schedule_path.read_text(encoding="utf-8")
        schedule_path.write_text(
            "\n".join(line for line in text.splitlines() if "base_url:" not in line) + "\n",
            encoding="utf-8",
        )
        base_url = None
    clock = FixedClock(NOW)
    ledger = db or str(tmp_path / "ledger.db")
    config = WebConfig(out, schedule_path, ledger, SECRET, base_url=base_url, clock=clock)
    with running(config, limits=limits, trusted_proxies=trusted) as port:
        yield Portal(tmp_path, out, schedule_path, ledger, port, clock)  # type: ignore[arg-type]


def connect(port: int, source: str = "127.0.0.1", timeout: float = 5) -> socket.socket:
    """A connection from ``source``: any 127.x.y.z is this machine, seen as another client."""
    sock = socket.socket()
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (b"" if it closes without a word)."""
    got = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            got += chunk
    return got


def status_of(reply: bytes) -> int | None:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None


# -- what one client may hold -----------------------------------------------------------------


def test_headers_over_64_kb_are_431_and_memory_is_not_kept(tmp_path: Path) -> None:
    with served(tmp_path) as portal:
        sock = connect(portal.port)
        with sock:
            sock.sendall(b"GET /finance.ics HTTP/1.1\r\nHost: x\r\nX-Big: ")
            started = time.monotonic()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(200):  # up to 12.8 MB, never finished
                    sock.sendall(b"a" * 65536)
            reply = answer(sock)
        assert status_of(reply) == 431, reply[:80]
        assert time.monotonic() - started < 5
        # Headers just under the limit are fine.
        status, _, body = portal.request("/finance.ics", {"X-Big": "a" * 60_000})
        assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize("logged_in", [False, True], ids=["stranger", "logged-in"])
def test_a_body_sent_too_slowly_is_cut(tmp_path: Path, logged_in: bool) -> None:
    """A stranger is answered 401 at once, but the connection used to stay open for the rest
    of the body; a logged-in client's form waits for its body, and gets 408."""
    with served(tmp_path, Limits(body_seconds=0.5)) as portal:
        cookie = f"Cookie: {login(portal, 'finance')}\r\n".encode() if logged_in else b""
        sock = connect(portal.port)
        with sock:
            sock.sendall(
                b"POST /unit/finance/done HTTP/1.1\r\nHost: x\r\n" + cookie
                + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            )  # fmt: skip
            started = time.monotonic()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(30):  # a byte every 0.1 s: it would take 100 s
                    sock.sendall(b"a")
                    time.sleep(0.1)
            reply = answer(sock)
            elapsed = time.monotonic() - started
        assert status_of(reply) == (408 if logged_in else 401), reply[:80]
        assert elapsed < 3.5
        assert portal.request("/")[0] == 200


def test_connections_per_address_are_capped_and_freed(tmp_path: Path) -> None:
    with served(tmp_path, Limits(per_client=5)) as portal:
        held = [connect(portal.port, "127.0.0.2") for _ in range(5)]
        try:
            for sock in held:  # each is a live connection: it can make a request
                sock.sendall(b"GET /finance.ics HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(12).startswith(b"HTTP/1.1 200")
            extra = connect(portal.port, "127.0.0.2")
            with extra:
                assert status_of(answer(extra)) == 503
            # Another address is not affected.
            other = connect(portal.port, "127.0.0.3")
            with other:
                other.sendall(b"GET /finance.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert status_of(answer(other)) == 200
        finally:
            for sock in held:
                sock.close()
        # Closed connections are counted out again.
        deadline = time.monotonic() + 5
        while True:
            again = connect(portal.port, "127.0.0.2")
            with again:
                again.sendall(b"GET /finance.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if status_of(answer(again)) == 200:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_a_named_proxy_is_not_capped(tmp_path: Path) -> None:
    with served(tmp_path, Limits(per_client=2), trusted=("127.0.0.4",)) as portal:
        held = [connect(portal.port, "127.0.0.4") for _ in range(6)]
        try:
            for sock in held:
                sock.sendall(b"GET /finance.ics HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(12).startswith(b"HTTP/1.1 200")
        finally:
            for sock in held:
                sock.close()


def test_slowloris_the_portal_answers_other_clients_throughout(tmp_path: Path) -> None:
    """Four attacking addresses open 60 connections each (twice the cap), half trickling their
    headers and half their bodies, a byte per 0.2 s; meanwhile a colleague at another address
    loads pages and the feed. Every one of the colleague's requests is answered, quickly; the
    attackers hold at most the cap each and are cut off within the limits."""
    limits = Limits(header_seconds=1.5, body_seconds=1.5, per_client=30)
    attackers = [f"127.0.1.{n}" for n in range(1, 5)]
    with served(tmp_path, limits) as portal:
        socks: list[tuple[socket.socket, bytes]] = []
        for source in attackers:
            for n in range(60):
                sock = connect(portal.port, source, timeout=10)
                sock.setblocking(False)
                head = b"POST /unit/finance/done HTTP/1.1\r\nHost: x\r\n"
                if n % 2:  # the body is what trickles
                    head += b"Content-Type: application/x-www-form-urlencoded\r\n"
                    head += b"Content-Length: 100000\r\n\r\n"
                with contextlib.suppress(OSError):
                    sock.send(head)
                socks.append((sock, head))
        stop = threading.Event()
        cut: dict[int, float] = {}  # when the server closed it; -1: refused (503) at once
        got: dict[int, bytes] = {}
        started = time.monotonic()

        def trickle() -> None:
            while not stop.is_set() and len(cut) < len(socks):
                for i, (sock, _head) in enumerate(socks):
                    if i in cut:
                        continue
                    try:
                        data = sock.recv(65536)
                    except BlockingIOError:
                        with contextlib.suppress(OSError):
                            sock.send(b"a")
                        continue
                    except OSError:
                        data = b""
                    got[i] = got.get(i, b"") + data
                    if not data:
                        refused = got[i].startswith(b"HTTP/1.1 503")
                        cut[i] = -1.0 if refused else time.monotonic() - started
                stop.wait(0.2)

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        times = []
        try:
            while time.monotonic() - started < 4.0:
                for path in ("/", "/finance.ics", "/static/site.css"):
                    sock = connect(portal.port, "127.0.0.9")
                    begun = time.monotonic()
                    with sock:
                        sock.sendall(
                            f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
                        )
                        reply = answer(sock)
                    times.append(time.monotonic() - begun)
                    assert status_of(reply) == 200, (path, reply[:80])
                time.sleep(0.05)
            thread.join(10)
        finally:
            stop.set()
            for sock, _head in socks:
                sock.close()
        refused = sum(1 for t in cut.values() if t < 0)
        assert refused == len(attackers) * 30  # 30 over the cap from each address
        held = [t for t in cut.values() if t >= 0]
        assert len(held) == len(attackers) * 30 and max(held) < 4.0, sorted(held)[-5:]
        assert len(times) >= 30 and max(times) < 2.0, max(times)


# -- a client that goes away ------------------------------------------------------------------


def test_a_client_gone_mid_body_is_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with served(tmp_path) as portal:
        cookie = login(portal, "finance")
        caplog.clear()
        with caplog.at_level(logging.INFO):
            sock = connect(portal.port)
            with sock:
                sock.sendall(
                    b"POST /unit/finance/done HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    + f"Cookie: {cookie}\r\nContent-Length: 500\r\n\r\ncsrf=abc".encode()
                )
                time.sleep(0.2)
            deadline = time.monotonic() + 5
            while not any("disconnected" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
                time.sleep(0.05)
            time.sleep(0.2)  # anything logged after it would show up now
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 1, [r.getMessage() for r in lines]
        assert (
            "127.0.0.1 disconnected while sending POST /unit/finance/done" in lines[0].getMessage()
        )
        assert lines[0].exc_info is None
        with Ledger(portal.db) as ledger:
            assert ledger.done() == {}


# -- links, addresses, sessions ---------------------------------------------------------------


def test_forwarded_for_is_ignored_unless_from_a_named_proxy(tmp_path: Path) -> None:
    with served(tmp_path) as portal:
        # Rotating X-Forwarded-For does not make a guesser many clients: the address
        # ceiling (300 failures in ten minutes) holds for the socket's address.
        for n in range(300):
            spoof = {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.1"}
            assert portal.request(f"/access/v1.guess{n}.bad", spoof)[0] == 403
        assert (
            portal.request("/access/v1.guess-more.bad", {"X-Forwarded-For": "10.9.9.9"})[0] == 429
        )
        # A good link still opens, and the audit log has the real address.
        cookie = login(portal, "finance", **{"X-Forwarded-For": "10.9.9.9"})
        _, html = page(portal, "/unit/finance", cookie)
        uid = __import__("re").findall(r'name="uid" value="([^"]+)"', html)[0]
        fields = {"csrf": csrf_of(html), "uid": uid, "url": "https://example.gov.cn/a"}
        spoof = {"X-Forwarded-For": "10.9.9.9"}
        assert post(portal, "/unit/finance/done", cookie, fields, **spoof)[0] == 303
        with Ledger(portal.db) as ledger:
            assert ledger.audit_log(1)[0].remote == "127.0.0.1"


def test_an_office_behind_one_address_is_not_locked_out(tmp_path: Path) -> None:
    """Ten colleagues each open an old e-mail's expired link, twice: then one opens a new link."""
    from disclosure_calendar.core.tokens import Signer

    with served(tmp_path, trusted=("127.0.0.1",)) as portal:
        office = {"X-Forwarded-For": "203.0.113.5"}
        old = [
            Signer(SECRET).issue("unit", "finance", NOW - dt.timedelta(days=100), 30)[1]
            for _ in range(10)
        ]
        for token in old * 2:
            assert portal.request(f"/access/{token}", office)[0] == 403
        status, headers, _ = portal.request(link_path(portal, "finance"), office)
        assert status == 303 and headers["Location"] == "/unit/finance"


def test_logout_ends_the_session_on_the_server(tmp_path: Path) -> None:
    with served(tmp_path) as portal:
        cookie = login(portal, "finance")
        copy = cookie  # what a shared computer's browser history or a proxy log kept
        other = login(portal, "finance")  # the same link opened on another computer
        _, html = page(portal, "/unit/finance", cookie)
        assert post(portal, "/logout", cookie, {"csrf": csrf_of(html)})[0] == 303
        status, html = page(portal, "/unit/finance", copy)
        assert status == 401 and "专属链接" in html
        # The colleague's own session and `access list` are as they were.
        assert page(portal, "/unit/finance", other)[0] == 200
        with Ledger(portal.db) as ledger:
            assert [t.revoked for t in ledger.tokens()] == [None, None]


# -- QR codes ---------------------------------------------------------------------------------


def _qr(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue()


def test_qr_codes_follow_the_settings_not_the_host_header(tmp_path: Path) -> None:
    with served(tmp_path) as portal:
        status, headers, body = portal.request("/qr/finance.svg", {"Host": "evil.example"})
        assert status == 200 and body == _qr("https://cal.test.example/feeds/finance.ics")
        assert headers["Cache-Control"] == "public, max-age=3600"


def test_qr_codes_without_a_base_url_name_this_server_and_are_not_shared(tmp_path: Path) -> None:
    with served(tmp_path, base_url="") as portal:
        status, headers, body = portal.request("/qr/finance.svg", {"Host": "evil.example"})
        assert status == 200 and body == _qr(f"http://127.0.0.1:{portal.port}/finance.ics")
        assert headers["Cache-Control"] == "private, no-cache"


# -- event dates: two at once, control characters ---------------------------------------------


def _event_form(portal: Portal, **extra: str) -> tuple[str, dict[str, str]]:
    coordinator = login(portal, None)
    _, html = page(portal, "/unit/torch_zone", coordinator)
    fields = {"csrf": csrf_of(html), "duty": "repealed-files", "date": "2026-11-02", **extra}
    return coordinator, fields


def _send(
    portal: Portal, headers: dict[str, str], body: bytes, barrier: threading.Barrier, out: list[int]
) -> None:
    barrier.wait()
    out.append(portal.request("/unit/torch_zone/event", headers, "POST", body)[0])


def test_the_event_form_sent_twice_at_once_is_one_row_and_a_409(
    tmp_path: Path, ledger_db: str
) -> None:
    with served(tmp_path, db=ledger_db) as portal:
        for attempt in range(3):
            cookie, fields = _event_form(portal, date=f"2026-11-0{attempt + 2}")
            body = urlencode(fields).encode()
            headers = {**FORM, "Cookie": cookie}
            barrier = threading.Barrier(4)
            statuses: list[int] = []

            threads = [
                threading.Thread(target=_send, args=(portal, headers, body, barrier, statuses))
                for _ in range(4)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            assert sorted(statuses) == [303, 409, 409, 409], statuses
        with Ledger(ledger_db) as ledger:
            assert len(ledger.events()) == 3
            assert [e.action for e in ledger.audit_log()].count("event-added") == 3


def test_the_event_form_after_event_add_on_the_command_line_is_409(
    tmp_path: Path, ledger_db: str
) -> None:
    from click.testing import CliRunner

    import cli

    with served(tmp_path, db=ledger_db) as portal:
        cookie, fields = _event_form(portal)
        page(portal, "/unit/torch_zone", cookie)  # the portal has read the dates: none yet
        args = ["-f", str(portal.schedule), "event", "add", "5.7", "2026-11-02", "--db", ledger_db]
        assert CliRunner().invoke(cli.main, args).exit_code == 0
        status, _, body = post(portal, "/unit/torch_zone/event", cookie, fields)
        assert status == 409 and "已登记" in body.decode()
        with Ledger(ledger_db) as ledger:
            assert len(ledger.events()) == 1


CONTROLS = "停\x00止\x07执行\x1b[31m红\x1b[0m\x7f\x85。"


def test_control_characters_in_a_note_are_cleaned_from_the_form(
    tmp_path: Path, ledger_db: str
) -> None:
    with served(tmp_path, db=ledger_db) as portal:
        cookie, fields = _event_form(portal, note=CONTROLS)
        status, _, body = post(portal, "/unit/torch_zone/event", cookie, fields)
        assert status == 303, body.decode()[:300]
        with Ledger(ledger_db) as ledger:
            (record,) = ledger.events()
            entry = ledger.audit_log(1)[0]
        assert record.note == "停 止 执行 [31m红 [0m 。"
        assert (
            entry.detail is not None and "\x00" not in entry.detail and "\x1b" not in entry.detail
        )
