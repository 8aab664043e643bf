"""Several senders on one ledger: two daemons on PostgreSQL through a month of SIGKILLs, two
`remind --at` runs at once, and a database that goes away under a daemon and comes back."""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from bigplan import write_big_plan
from tcpproxy import Proxy
from test_daemon import MINIMAL, ROOT, _daemon, at, write_contacts
from test_notifiers import Hooks, Inbox, SmtpServer

from disclosure_calendar.ledger import LedgerUnreachable, parse_target
from disclosure_calendar.reminders.notifiers import Retry
from disclosure_calendar.reminders.outbox import ReminderLedger as Ledger
from disclosure_calendar.reminders.service import Service

# The simulated month runs 43,200 times real time (a day in two seconds): 24 days in 48 s.
SPEED = 43200.0
START, END = "2026-04-06T12:00", "2026-04-30T12:00"
WARP = f"warp:{START}/{END}"
LEASE = "1"  # seconds a dead daemon's message stays claimed before the other takes it


class PeerInbox(Inbox):
    """Also remembers which client connection the message being stored came from."""

    peer: tuple[str, int] = ("", 0)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peer = session.peer
        return await super().handle_DATA(server, session, envelope)


def pid_of_client(port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` owns the loopback TCP connection from local ``port`` (Linux /proc)."""
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        if links & inodes:
            return pid
    return None


def _received(smtp: SmtpServer, hooks: Hooks) -> tuple[collections.Counter, collections.Counter]:
    return (
        collections.Counter(str(m["Message-ID"]) for _, m in smtp.inbox.received),
        collections.Counter(h["Idempotency-Key"] for _, _, h in hooks.posts),
    )


def test_two_daemons_on_postgresql_through_twenty_kills(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp, hooks = SmtpServer(), Hooks()
    smtp.inbox = inbox = PeerInbox()
    smtp.start()
    hooks.start()
    try:
        contacts = write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
        # Reference: one daemon, never killed, its clock jumping from send time to send time.
        ref = _daemon(tmp_path, tmp_path / "ref.db", contacts, WARP, tmp_path / "ref.log")
        assert ref.wait(60) == 0, (tmp_path / "ref.log").read_text()
        expected_mail, expected_hooks = _received(smtp, hooks)
        assert len(expected_mail) >= 9 and len(expected_hooks) >= 15
        smtp.inbox.received.clear()
        hooks.posts.clear()

        run = _Run(tmp_path, pg_url, contacts, inbox)
        inbox.after_store = run.after_store
        run.go()
        got_mail, got_hooks = _received(smtp, hooks)
    finally:
        smtp.stop()
        hooks.stop()

    doubled = {k: n for k, n in (got_mail + got_hooks).items() if n > 1}
    lost = (set(expected_mail) - set(got_mail)) | (set(expected_hooks) - set(got_hooks))
    with Ledger(pg_url) as ledger:
        unfinished = ledger.unfinished()
        sent = ledger.messages("sent")
        senders = ledger.senders()
    with capsys.disabled():
        print(
            f"\nfailover: {len(run.kills)} SIGKILLs ({run.count('in-flight')} in flight, "
            f"{run.count('random')} at random), {len(expected_mail) + len(expected_hooks)} "
            f"messages, {len(lost)} lost, {len(doubled)} doubled with "
            f"{sum(n - 1 for n in doubled.values())} extra copies (in flight at a kill: "
            f"{len(run.in_flight)}), by daemon: {run.by_name(senders)}"
        )
    assert len(run.kills) >= 20, run.kills
    assert not lost, _explain(lost, tmp_path, pg_url)
    assert set(got_mail) == set(expected_mail) and set(got_hooks) == set(expected_hooks)
    # A copy is the message a killed daemon had in flight, sent again with the same id: at
    # most one per kill (a resend killed in flight in its turn makes a third), and one for
    # every kill that struck after the server took a mail.
    extra = sum(n - 1 for n in doubled.values())
    assert len(run.in_flight) <= extra <= len(run.kills)
    assert set(run.in_flight) <= set(doubled)
    assert unfinished == [] and len(sent) == len(expected_mail) + len(expected_hooks)


def _reminder_rows(db: str) -> list[tuple[Any, ...]]:
    """Every reminder the ledger ``db`` holds, with its message's send time and state."""
    import sqlalchemy as sa

    from disclosure_calendar.ledger.schema import messages, reminders

    r, m = reminders.c, messages.c
    query = sa.select(
        r.occurrence, r.kind, r.slot, r.addressee, r.channel, r.state, r.recorded, r.message,
        m.send_at, m.state, m.created, m.claimed_by,
    ).select_from(reminders.outerjoin(messages, r.message == m.id))  # fmt: skip
    with Ledger(db) as ledger, ledger._read() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(r.slot, r.occurrence))]


def _explain(lost: set[str], tmp_path: Path, pg_url: str) -> str:
    """What became of the reminders of each lost message, in both ledgers and the logs."""
    ref = _reminder_rows(str(tmp_path / "ref.db"))
    got = {row[:5]: row for row in _reminder_rows(pg_url)}
    lines = []
    for mid in sorted(lost):
        key = mid.strip("<>")
        lines.append(f"lost {key}")
        for row in ref:
            if row[7] == key:
                lines.append(f"  reference: {row}")
                lines.append(f"  failover:  {got.get(row[:5])}")
                for name in ("a", "b"):
                    for line in (tmp_path / f"{name}.log").read_text(encoding="utf-8").splitlines():
                        if row[0] in line or "missed" in line or "supersed" in line:
                            lines.append(f"  {name}.log: {line}")
    return "\n".join(lines)


class _Run:
    """Two daemons on one ledger and a shared simulated clock; kills them and restarts them."""

    def __init__(self, tmp_path: Path, db: str, contacts: Path, inbox: PeerInbox):
        self.tmp_path, self.db, self.contacts, self.inbox = tmp_path, db, contacts, inbox
        self.rng = random.Random(os.environ.get("FAILOVER_SEED", "13"))
        self.epoch = time.time() + 3.0  # both daemons up before the simulated month starts
        days = (dt.datetime.fromisoformat(END) - dt.datetime.fromisoformat(START)).total_seconds()
        self.end = self.epoch + days / SPEED
        self.clock = f"scaled:{START}/{END}@{self.epoch}x{SPEED}"
        self.lock = threading.Lock()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.owners: dict[str, list[int]] = {"a": [], "b": []}
        self.kills: list[tuple[str, str]] = []
        self.in_flight: list[str] = []
        for name in self.owners:
            self.start(name)

    def log(self, name: str) -> Path:
        return self.tmp_path / f"{name}.log"

    def start(self, name: str) -> None:
        proc = _daemon(
            self.tmp_path, self.db, self.contacts, self.clock, self.log(name),
            "--claim-timeout", LEASE,
        )  # fmt: skip
        self.procs[name] = proc
        self.owners[name].append(proc.pid)

    def settled(self, name: str) -> bool:
        """Alive, and through its first pass since it (re)started."""
        if self.procs[name].poll() is not None:
            return False
        lines = self.log(name).read_text(encoding="utf-8", errors="replace").splitlines()
        # The log is shared by every run of this daemon: until the new process writes its
        # own `started`, the last one is its killed predecessor's, which had settled.
        ours = f" pid={self.procs[name].pid} "
        starts = [i for i, line in enumerate(lines) if "event=started" in line and ours in line]
        return bool(starts) and any("event=sleep" in line for line in lines[starts[-1] :])

    def kill(self, name: str, how: str) -> bool:
        other = "b" if name == "a" else "a"
        if self.procs[name].poll() is not None or not self.settled(other):
            return False  # never both down at once: a send time would pass with nobody up
        os.kill(self.procs[name].pid, signal.SIGKILL)
        self.kills.append((how, name))
        return True

    def after_store(self, n: int) -> None:
        """Every third mail: kill its sender after the server took it, before it is recorded."""
        if n % 3:
            return
        with self.lock:
            alive = {p.pid: name for name, p in self.procs.items() if p.poll() is None}
            sender = pid_of_client(self.inbox.peer[1], list(alive))
            if sender is not None and self.kill(alive[sender], "in-flight"):
                self.in_flight.append(str(self.inbox.received[-1][1]["Message-ID"]))

    def go(self) -> None:
        finished: set[str] = set()
        next_kill = self.epoch + self.rng.uniform(0.5, 1.5)
        while time.time() < self.end + 40 and len(finished) < 2:
            with self.lock:
                for name, proc in self.procs.items():
                    code = proc.poll()
                    if code is None or name in finished:
                        continue
                    if code == 0:  # the clock ended and nothing was left to take over
                        finished.add(name)
                        continue
                    assert code == -signal.SIGKILL, self.log(name).read_text(encoding="utf-8")
                    self.start(name)  # as systemd's Restart=always would
                if next_kill <= time.time() < self.end - 1:
                    self.kill(self.rng.choice("ab"), "random")
                    next_kill = time.time() + self.rng.uniform(1.0, 2.0)
            time.sleep(0.05)
        assert len(finished) == 2, "the daemons did not finish the month"

    def count(self, how: str) -> int:
        return sum(1 for h, _ in self.kills if h == how)

    def by_name(self, senders: dict[str, int]) -> dict[str, int]:
        """Messages recorded sent per daemon name (a and b, across their restarts)."""
        out = dict.fromkeys(self.owners, 0)
        for owner, n in senders.items():
            pid = int(owner.split("/")[1])
            for name, pids in self.owners.items():
                if pid in pids:
                    out[name] += n
        return out


# -- the ledger going away under a sender ------------------------------------------------------


def _proxied(pg_url: str) -> tuple[Proxy, str]:
    url = parse_target(pg_url).url
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    return proxy, url.set(port=proxy.port).render_as_string(hide_password=False)


def test_an_outcome_the_ledger_missed_is_recorded_later_not_sent_again(
    tmp_path: Path, pg_url: str
) -> None:
    proxy, db = _proxied(pg_url)
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    try:
        contacts = write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
        svc = Service(MINIMAL, db, contacts, env={}, retry=Retry(2, 0.0), sleep=lambda s: None)
        assert svc.run_once(at(7)).sent == 2
        # The 9 April mail is accepted, and the database is gone before it can be recorded.
        smtp.inbox.after_store = lambda n: proxy.cut() if n == 2 else None
        with pytest.raises(LedgerUnreachable, match="is unreachable"):
            svc.run_once(at(9))
        assert [(state, mid) for mid, state, _, _ in svc.unrecorded] == [
            ("sent", str(smtp.inbox.received[-1][1]["Message-ID"]).strip("<>"))
        ]
        with pytest.raises(LedgerUnreachable):
            svc.run_once(at(9, 9, 5))  # still gone: nothing decided, nothing sent
        assert len(smtp.inbox.received) == 2
        proxy.restore()
        report = svc.run_once(at(9, 9, 10))
        assert svc.unrecorded == [] and report.failed == 0
        mail, posts = _received(smtp, hooks)
        assert len(mail) == 2 and set(mail.values()) == {1}  # recorded late, not sent again
        assert set(posts.values()) == {1}
        with Ledger(pg_url) as ledger:
            assert ledger.unfinished() == []
            assert len(ledger.messages("sent")) == len(mail) + len(posts)
        svc.close()
    finally:
        proxy.cut()
        smtp.stop()
        hooks.stop()


def test_daemon_rides_out_a_ledger_outage(tmp_path: Path, pg_url: str) -> None:
    proxy, db = _proxied(pg_url)
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    log = tmp_path / "daemon.log"
    try:
        contacts = write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
        ref = _daemon(tmp_path, tmp_path / "ref.db", contacts, WARP, tmp_path / "ref.log")
        assert ref.wait(60) == 0
        expected = _received(smtp, hooks)
        smtp.inbox.received.clear()
        smtp.inbox.attempts = 0
        hooks.posts.clear()

        def outage(n: int) -> None:
            if n == 3:  # the third mail accepted: the database goes away for three seconds
                proxy.cut()
                threading.Timer(3.0, proxy.restore).start()

        smtp.inbox.after_store = outage
        proc = _daemon(tmp_path, db, contacts, WARP, log)
        assert proc.wait(60) == 0, log.read_text(encoding="utf-8")
        got = _received(smtp, hooks)
    finally:
        proxy.cut()
        smtp.stop()
        hooks.stop()
    assert got == expected  # every message, each once: none lost, none doubled
    text = log.read_text(encoding="utf-8")
    assert "event=ledger-unreachable" in text and "retry_in=1.0" in text and "retry_in=2.0" in text
    assert "event=recorded-late" in text and "event=ledger-reachable" in text
    assert "Traceback" not in text


# -- two `remind --at` runs for the same instant ------------------------------------------------


def test_two_remind_runs_at_once_send_each_message_once(tmp_path: Path, ledger_db: str) -> None:
    smtp = SmtpServer()
    smtp.start()
    try:
        schedule, contacts = write_big_plan(tmp_path, 150, smtp.port)
        # March's duty is due on the fifth working day of April (8 April): reminded on the 8th.
        args = [sys.executable, str(ROOT / "cli.py"), "-f", str(schedule), "remind"]
        args += ["--at", "2026-04-08T09:00", "--db", ledger_db, "--contacts", str(contacts)]
        runs = [
            subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=120) for run in runs]
    finally:
        smtp.stop()
    assert [run.returncode for run in runs] == [0, 0], outputs
    mail = collections.Counter(str(m["Message-ID"]) for _, m in smtp.inbox.received)
    assert len(mail) == 150 and set(mail.values()) == {1}
    sent = [int(out.rsplit("\nsent ", 1)[1].split()[0]) for out, _ in outputs]
    assert sum(sent) == 150


# -- a daemon the machine does not run for a whole send day -----------------------------------


def test_a_daemon_frozen_past_the_next_send_time_sends_only_the_newer_reminder(
    tmp_path: Path, pg_url: str
) -> None:
    """What a loaded machine does to the month above, made certain: a daemon that gets no CPU
    from before 14 April 09:00 until after 15 April 09:00 (SIGSTOP) wakes with the unit's
    14 April reminder and its 15 April due notice both pending; by design only the newer one
    goes, the older is recorded superseded. Against the reference that is one message fewer
    with nothing lost: a failure of the month above with "lost" and superseded rows in what
    it prints is the machine, not the daemons."""
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    try:
        contacts = write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
        span = "2026-04-13T12:00/2026-04-15T14:00"
        ref = _daemon(tmp_path, tmp_path / "ref.db", contacts, f"warp:{span}", tmp_path / "r.log")
        assert ref.wait(60) == 0, (tmp_path / "r.log").read_text(encoding="utf-8")
        expected = {h["Idempotency-Key"] for _, _, h in hooks.posts}
        hooks.posts.clear()
        smtp.inbox.received.clear()
        epoch = time.time() + 3.0
        # 13 April 12:00 to 15 April 14:00, a day in two seconds
        clock = f"scaled:{span}@{epoch}x{SPEED}"
        proc = _daemon(tmp_path, pg_url, contacts, clock, tmp_path / "d.log")
        while "event=sleep" not in (tmp_path / "d.log").read_text(encoding="utf-8"):
            time.sleep(0.02)  # through its first pass (13 April's catching up)
        assert time.time() < epoch + 1.5  # before 14 April 09:00
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(max(0.0, epoch + 4.0 - time.time()))  # 15 April 12:00
        os.kill(proc.pid, signal.SIGCONT)
        assert proc.wait(30) == 0, (tmp_path / "d.log").read_text(encoding="utf-8")
        posts = [h["Idempotency-Key"] for _, _, h in hooks.posts]
    finally:
        smtp.stop()
        hooks.stop()
    rows = {(r[1], r[2], r[3]): (r[5], r[7]) for r in _reminder_rows(pg_url)}
    remind = rows[("remind", "2026-04-14", "economy_it")]
    due = rows[("due", "2026-04-15", "economy_it")]
    assert remind == ("superseded", None)
    assert due[0] == "sent" and due[1] in posts and len(posts) == len(set(posts))
    assert len(expected - set(posts)) == 1  # the reference's 14 April reminder
