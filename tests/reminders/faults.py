"""Servers that misbehave on purpose, and the fault matrix that runs the reminder service against them.

Used by tests/reminders/test_faults.py (asserting the targets) and bench/bench_faults.py
(printing the matrix). Everything listens on 127.0.0.1 only.

Figures per case, counted from what the servers received and what the ledger says:
  sent        distinct (message, recipient) pairs that arrived
  duplicated  copies that arrived beyond the first of each pair, as received: a resend
              carries the same Message-ID / Idempotency-Key, so a receiver that honours
              the key drops it (only a message left in doubt is ever resent this way)
  lost        pairs the ledger records as delivered that never arrived
  missed      reminders the ledger records as missed
  refused     recipients that refused for good (reported to the coordinator)
  open        messages still pending or failed at the end (neither delivered nor reported)
  give_up     the longest a single pass took while the fault was on
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from test_notifiers import SmtpServer

from disclosure_calendar.reminders.notifiers import Retry
from disclosure_calendar.reminders.outbox import ReminderLedger as Ledger
from disclosure_calendar.reminders.service import Service

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"
TZ = ZoneInfo("Asia/Shanghai")
DEADLINE = 1.0  # per send, in the matrix (60 s in production)


class StallServer:
    """Accepts connections and then says nothing (``hang``) or one byte every ``gap`` seconds."""

    def __init__(self, port: int, mode: str, gap: float = 0.3, drip: bytes = b"220-wait\r\n"):
        self.mode, self.gap, self.drip = mode, gap, drip
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.accepted = 0
        self.closed = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.conns.append(conn)
            if self.mode == "trickle":
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        n = 0
        while not self.closed.wait(self.gap):
            try:
                conn.sendall(self.drip[n % len(self.drip) : n % len(self.drip) + 1])
            except OSError:
                return
            n += 1

    def stop(self) -> None:
        self.closed.set()
        for conn in self.conns:
            conn.close()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() so the port is free
        self.sock.close()


class FaultyHooks:
    """An HTTP server taking JSON POSTs; ``fault`` (set by the test) says how to misbehave.

    ``None`` or "ok": store and answer 200. An int: answer that status without storing (a 3xx
    with a Location). "slow": store, then answer after ``slow`` seconds. "trickle": store, then
    drip the answer one byte every 0.3 s.
    """

    def __init__(self, slow: float = 3.0) -> None:
        self.fault: str | int | None = None
        self.slow = slow
        self.posts: list[tuple[str, str]] = []  # (path, Idempotency-Key) of stored messages
        self.attempts = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                outer.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fault = outer.fault
                if isinstance(fault, int):
                    self.send_response(fault)
                    self.send_header("Location", "/moved")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                json.loads(body)
                outer.posts.append((self.path, self.headers["Idempotency-Key"]))
                reply = b'{"errcode": 0}'
                if fault == "slow":
                    time.sleep(outer.slow)
                if fault == "trickle":
                    for byte in b"HTTP/1.1 200 OK\r\nX-Wait: " + b"." * 200:
                        time.sleep(0.3)
                        try:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                with contextlib.suppress(OSError):  # the slow case: the client has gone
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# Contacts for the matrix: development_reform's mail goes to two addresses (one refuses in
# the partial and 550 cases); economy_it has a generic webhook and the coordinator a WeCom
# robot besides its mail.
CONTACTS = """version: 1
smtp: {{host: 127.0.0.1, port: {port}, security: none, sender: r@example.gov.cn, timeout: 5}}
policy: {{escalate_every: 3, grace: 2, retry_minutes: 10}}
coordinator:
  channels:
    - {{type: email, to: [gongkai@example.gov.cn]}}
    - {{type: wecom, url: "{hooks}/wecom"}}
units:
  development_reform:
    - {{type: email, to: [fgj@example.gov.cn, fgj-office@example.gov.cn]}}
  economy_it:
    - {{type: webhook, url: "{hooks}/economy"}}
"""

# Passes of the service: working days 7-14 April 2026 at 09:00 and 09:30 (the retry). The
# ledger starts tracking on the 7th; mail goes out on the 7th, 9th, 10th and 13th, webhooks
# on the 10th, 13th and 14th. The fault is on for both passes of the 10th.
PASSES = [
    dt.datetime(2026, 4, d, h, m, tzinfo=TZ)
    for d in (7, 8, 9, 10, 13, 14)
    for h, m in ((9, 0), (9, 30))
]
FAULTY = [p for p in PASSES if p.day == 10]


@dataclass
class Figures:
    case: str
    sent: int
    duplicated: int
    lost: int
    missed: int
    refused: int
    open: int
    give_up: float


def run_case(
    tmp_path: Path,
    case: str,
    setup: Callable[[SmtpServer, FaultyHooks], Callable[[bool], None]],
) -> Figures:
    """Run PASSES with the fault switched on by ``setup``'s toggle for the FAULTY ones."""
    smtp, hooks = SmtpServer(), FaultyHooks()
    smtp.start()
    contacts = tmp_path / f"{case}.contacts.yaml"
    contacts.write_text(CONTACTS.format(port=smtp.port, hooks=hooks.url), encoding="utf-8")
    db = tmp_path / f"{case}.db"
    svc = Service(
        MINIMAL, db, contacts, env={}, retry=Retry(3, 0.05), deadline=DEADLINE
    )  # retries within the pass; the deadline bounds each send
    toggle = setup(smtp, hooks)
    give_up = 0.0
    try:
        for instant in PASSES:
            faulty = instant in FAULTY
            toggle(faulty)
            started = time.monotonic()
            svc.run_once(instant)
            if faulty:
                give_up = max(give_up, time.monotonic() - started)
    finally:
        toggle(False)
        smtp.stop()
        hooks.stop()
    arrived = collections.Counter(
        (str(m["Message-ID"]).strip("<>"), rcpt)
        for rcpts, m in smtp.inbox.received
        for rcpt in rcpts
    )
    arrived.update((key, f"{hooks.url}{path}") for path, key in hooks.posts)
    with Ledger(db) as ledger:
        delivered = {
            (mid, rcpt) for mid, *_ in ledger.messages() for rcpt in ledger.delivered_to(mid)
        }
        missed = len(ledger.missed())
        refused = len(ledger.delivery_problems())
        still_open = len(ledger.unfinished())
    duplicated = sum(n - 1 for n in arrived.values())
    return Figures(
        case,
        sent=len(arrived),
        duplicated=duplicated,
        lost=len(delivered - set(arrived)),
        missed=missed,
        refused=refused,
        open=still_open,
        give_up=round(give_up, 2),
    )


def _off(faulty: bool) -> None:
    pass


def smtp_cases() -> dict[str, Callable[[SmtpServer, FaultyHooks], Callable[[bool], None]]]:
    def baseline(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
        return _off

    def outage(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
        def toggle(faulty: bool) -> None:
            if faulty and smtp.controller is not None:
                smtp.stop()
            elif not faulty and smtp.controller is None:
                smtp.start()

        return toggle

    def temporary_451(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
        state = {"on": False}
        smtp.inbox.on_data = lambda n: "451 4.3.0 try again later" if state["on"] else None
        return lambda faulty: state.update(on=faulty)

    def permanent_550(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
        smtp.inbox.on_rcpt = lambda a: (
            "550 5.1.1 no such user" if a.startswith("fgj-office@") else None
        )
        return _off

    def partial(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
        state = {"on": False}
        smtp.inbox.on_rcpt = lambda a: (
            "450 4.2.1 mailbox busy" if state["on"] and a.startswith("fgj-office@") else None
        )
        return lambda faulty: state.update(on=faulty)

    def stall(mode: str) -> Callable[[SmtpServer, FaultyHooks], Callable[[bool], None]]:
        def setup(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
            held: dict[str, StallServer] = {}

            def toggle(faulty: bool) -> None:
                if faulty and "s" not in held:
                    smtp.stop()
                    held["s"] = StallServer(smtp.port, mode)
                elif not faulty and "s" in held:
                    held.pop("s").stop()
                    smtp.start()

            return toggle

        return setup

    return {
        "baseline": baseline,
        "outage": outage,
        "451 temporary": temporary_451,
        "550 one recipient": permanent_550,
        "partial refusal": partial,
        "hang": stall("hang"),
        "trickle": stall("trickle"),
    }


def webhook_cases() -> dict[str, Callable[[SmtpServer, FaultyHooks], Callable[[bool], None]]]:
    def fault(value: str | int) -> Callable[[SmtpServer, FaultyHooks], Callable[[bool], None]]:
        def setup(smtp: SmtpServer, hooks: FaultyHooks) -> Callable[[bool], None]:
            def toggle(faulty: bool) -> None:
                hooks.fault = value if faulty else None

            return toggle

        return setup

    return {
        "500": fault(500),
        "slow": fault("slow"),
        "301": fault(301),
        "302": fault(302),
        "307": fault(307),
        "trickle": fault("trickle"),
    }
