"""The daemon end to end: a simulated April 2026 against real SMTP and HTTP servers, outages,
reloads, the CLI, and a separate daemon process killed with SIGKILL at several points."""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from test_notifiers import Hooks, SmtpServer

from cli import main
from disclosure_calendar.core.errors import InputError
from disclosure_calendar.ledger import LedgerMissing
from disclosure_calendar.reminders.clock import CLOCK_ENV
from disclosure_calendar.reminders.contacts import load_contacts
from disclosure_calendar.reminders.notifiers import Retry
from disclosure_calendar.reminders.outbox import ReminderLedger as Ledger
from disclosure_calendar.reminders.service import Service

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"
TZ = ZoneInfo("Asia/Shanghai")
UNITS = ["finance", "economy_it", "development_reform", "torch_zone", "shiqi"]

FWD_REMIND = "【政务公开提醒】市政府办公室：1项即将到期，涉及1个单位（含代转）"
FWD_DUE = "【政务公开提醒】市政府办公室：1项今日截止，涉及1个单位（含代转）"
FWD_OVERDUE = "【政务公开督办】市政府办公室：1项已逾期，涉及1个单位（含代转）"
OVERDUE = "【政务公开督办】市政府办公室：1项已逾期，涉及1个单位"
COORD = ["gongkai@example.gov.cn"]


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=TZ)


def write_contacts(path: Path, smtp_port: int, hook_url: str) -> Path:
    text = (DATA / "reminders" / "contacts.yaml").read_text(encoding="utf-8")
    path.write_text(
        text.replace("SMTP_PORT", str(smtp_port)).replace("WEBHOOK", hook_url), encoding="utf-8"
    )
    return path


@pytest.fixture
def servers() -> Iterator[tuple[SmtpServer, Hooks]]:
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    yield smtp, hooks
    smtp.stop()
    hooks.stop()


def service(tmp_path: Path, db: str, smtp_port: int, hook_url: str, **kw: Any) -> Service:
    contacts = write_contacts(tmp_path / "contacts.yaml", smtp_port, hook_url)
    return Service(
        MINIMAL,
        db,
        contacts,
        env={},
        retry=Retry(2, 0.0),
        sleep=lambda s: None,
        **kw,
    )


def test_simulated_month(tmp_path: Path, ledger_db: str, servers: tuple[SmtpServer, Hooks]) -> None:
    smtp, hooks = servers
    svc = service(tmp_path, ledger_db, smtp.port, hooks.url)
    days_sent = []
    for day in range(1, 31):
        for hour, minute in ((8, 59), (9, 0), (9, 30), (17, 0)):
            report = svc.run_once(at(day, hour, minute))
            assert report.failed == 0
            if report.sent:
                assert (hour, minute) == (9, 0)
                days_sent.append(day)
            if (day, hour) == (13, 17):  # the relayed grain prices published, a working day late
                CliRunner().invoke(
                    main,
                    _done("grain-oil-prices.2026-03.development_reform", "2026-04-13", ledger_db),
                )
            if (day, hour) == (20, 17):
                CliRunner().invoke(
                    main, _done("budget-execution.2026-03.finance", "2026-04-20", ledger_db)
                )
    assert days_sent == [7, 9, 10, 13, 14, 15, 16, 17, 21, 24, 29]
    mail = [
        (day, rcpts, str(m["Subject"]))
        for day, (rcpts, m) in zip(_mail_days(smtp), smtp.inbox.received, strict=True)
    ]
    assert mail == [
        (7, COORD, FWD_REMIND),
        (9, COORD, FWD_REMIND),
        (10, COORD, FWD_DUE),
        (13, COORD, FWD_OVERDUE),
        (16, COORD, OVERDUE),
        (17, ["finance@example.gov.cn"], "【政务公开提醒】市财政局：1项即将到期"),
        (21, COORD, OVERDUE),
        (24, COORD, OVERDUE),
        (29, COORD, OVERDUE),
    ]
    paths = collections.Counter(path for path, _, _ in hooks.posts)
    assert paths == {"/wecom": 8, "/economy": 7}
    economy = [p["subject"] for path, p, _ in hooks.posts if path == "/economy"]
    assert (
        economy
        == ["【政务公开提醒】市经济和信息化局：1项即将到期"] * 2
        + ["【政务公开提醒】市经济和信息化局：1项今日截止"]
        + ["【政务公开督办】市经济和信息化局：1项已逾期"] * 4
    )
    first = smtp.inbox.received[0][1]
    body = first.get_body(("plain",))
    assert (
        body is not None and "截止日期：2026年4月10日 星期五（还有3个工作日）" in body.get_content()
    )
    with Ledger(ledger_db) as ledger:
        states = collections.Counter(m[4] for m in ledger.messages())
    assert states == {"sent": 24}


def _mail_days(smtp: SmtpServer) -> list[int]:
    from email.utils import parsedate_to_datetime

    return [parsedate_to_datetime(m["Date"]).astimezone(TZ).day for _, m in smtp.inbox.received]


def _done(uid: str, on: str, db: str) -> list[str]:
    return [
        "-f",
        str(MINIMAL),
        "done",
        f"{uid}@test.example",
        "--on",
        on,
        "--db",
        db,
    ]


def test_smtp_down_then_up_delivers_once(tmp_path: Path, ledger_db: str) -> None:
    smtp, hooks = SmtpServer(), Hooks()
    hooks.start()
    svc = service(tmp_path, ledger_db, smtp.port, hooks.url)
    try:
        report = svc.run_once(at(7))
        assert (report.sent, report.failed) == (1, 1)  # the robot took it, the mail server is down
        wake = svc.next_wake(at(7), report)
        assert wake == at(7, 9, 10)
        assert svc.run_once(wake).failed == 1  # still down: retried, still recorded failed
        smtp.start()
        report = svc.run_once(at(7, 9, 20))
        assert (report.resent, report.failed) == (1, 0)
        assert svc.run_once(at(7, 9, 30)).resent == 0
        assert [str(m["Subject"]) for _, m in smtp.inbox.received] == [FWD_REMIND]
        with Ledger(ledger_db) as ledger:
            assert sorted((m[1], m[2], m[4], m[5]) for m in ledger.messages()) == [
                ("coordinator", "email", "sent", 3),
                ("coordinator", "wecom", "sent", 1),
            ]
    finally:
        smtp.stop()
        hooks.stop()


def test_failed_mail_beyond_grace_is_missed_not_sent_late(tmp_path: Path, ledger_db: str) -> None:
    smtp, hooks = SmtpServer(), Hooks()
    hooks.start()
    svc = service(tmp_path, ledger_db, smtp.port, hooks.url)
    try:
        assert svc.run_once(at(7)).failed == 1
        smtp.start()
        report = svc.run_once(at(10, 8))  # 7 April + 2 working days = 9 April: too late now
        assert report.resent == 0 and report.missed == 1
        with Ledger(ledger_db) as ledger:
            states = {(m[3][:10], m[2]): m[4] for m in ledger.messages()}
        assert states == {
            ("2026-04-07", "email"): "missed",
            ("2026-04-07", "wecom"): "sent",
            ("2026-04-09", "email"): "sent",  # the 9 April reminder, caught up within grace
            ("2026-04-09", "wecom"): "sent",
        }
        assert [str(m["Subject"]) for _, m in smtp.inbox.received] == [FWD_REMIND]
    finally:
        smtp.stop()
        hooks.stop()


def test_reload_keeps_last_good_configuration(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    svc = service(tmp_path, str(tmp_path / "l.db"), 25, "http://127.0.0.1:9")
    assert svc.reload()
    good = svc.config
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace("finance:", "treasury:"), encoding="utf-8"
    )
    assert not svc.reload()
    assert svc.config is good
    [record] = [r for r in caplog.records if r.getMessage() == "reload-failed"]
    assert (
        "contacts.yaml:19:3: units: 'treasury' is not a unit of the schedule"
        in record.fields["error"]
    )
    assert not svc.reload()  # the same bad file is not re-read on every check
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace("treasury:", "shiqi:"), encoding="utf-8"
    )
    assert svc.reload()
    assert svc.config is not None and "shiqi" in svc.config.contacts.units


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "password_in_file",
            "password_in_file.yaml:5:13: smtp.password: passwords are never read from a file; put it in an "
            "environment variable and name that variable in smtp.password_env",
        ),
        ("unknown_unit", "unknown_unit.yaml:5:3: units: 'treasury' is not a unit of the schedule"),
        (
            "email_without_smtp",
            "email_without_smtp.yaml:1:1: contacts: e-mail channels need an smtp: section",
        ),
        (
            "non_ascii_address",
            "non_ascii_address.yaml:5:26: units.finance[0].to: '财政局@example.gov.cn' has "
            "non-ASCII characters (use the ASCII form)",
        ),
        (
            "empty_to",
            "empty_to.yaml:5:25: units.finance[0].to lists no address: this channel would send "
            "nothing; list an address, or remove the channel (a unit without channels is "
            "reminded through the coordinator)",
        ),
        (
            "misspelt_unit",
            "misspelt_unit.yaml:5:3: units: 'finanse' is not a unit of the schedule (did you "
            "mean 'finance'?)",
        ),
        (
            "unset_password",
            "unset_password.yaml:2:74: smtp.password_env: the environment variable "
            "DC_TEST_NO_SUCH_PASSWORD is not set; set it where reminders are sent from (export "
            "DC_TEST_NO_SUCH_PASSWORD=...), or the messages cannot be sent",
        ),
        (
            "unset_password",
            "unset_password.yaml:7:96: units.economy_it[0].secret_env: the environment variable "
            "DC_TEST_NO_SUCH_SECRET is not set",
        ),
    ],
    ids=[
        "password-in-file", "unknown-unit", "email-without-smtp", "non-ascii-address", "empty-to",
        "misspelt-unit", "unset-password", "unset-secret",
    ],
)  # fmt: skip
def test_bad_contacts(case: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        load_contacts(DATA / "reminders" / "bad" / f"{case}.yaml", UNITS, env={})
    assert message in str(err.value)


def test_variables_are_checked_only_where_messages_are_sent() -> None:
    path = DATA / "reminders" / "bad" / "unset_password.yaml"
    assert load_contacts(path, UNITS).smtp is not None  # no environment given: not judged
    env = {"DC_TEST_NO_SUCH_PASSWORD": "pw", "DC_TEST_NO_SUCH_SECRET": "s"}
    assert load_contacts(path, UNITS, env=env).smtp is not None


@pytest.mark.parametrize("case", ["empty_to", "unset_password", "misspelt_unit"])
def test_remind_refuses_bad_contacts_in_chinese(tmp_path: Path, case: str) -> None:
    """The real CLI, in Chinese: `to: []` silently cancelled the unit's reminders, an unset
    password was retried forever with an English log line."""
    contacts = DATA / "reminders" / "bad" / f"{case}.yaml"
    run = subprocess.run(
        [sys.executable, "cli.py", "--lang", "zh", "-f", str(MINIMAL), "remind", "--at",
         "2026-04-07", "--db", str(tmp_path / "l.db"), "--contacts", str(contacts)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("DC_TEST_")},
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    expected = {
        "empty_to": f"{contacts}:5:25: units.finance[0].to 没有列出地址",
        "unset_password": f"{contacts}:2:74: smtp.password_env：环境变量 DC_TEST_NO_SUCH_PASSWORD 未设置",
        "misspelt_unit": f"{contacts}:5:3: units：'finanse' 不是日程表中的单位（是不是 'finance'？）",
    }[case]
    assert expected in run.stderr, run.stderr
    assert not (tmp_path / "l.db").exists()  # nothing sent, nothing recorded


def test_bad_contacts_reports_every_problem() -> None:
    with pytest.raises(InputError) as err:
        load_contacts(DATA / "reminders" / "bad" / "email_without_smtp.yaml", UNITS)
    assert "email_without_smtp.yaml:5:14: units.finance[1].type 'wechat' is not one of" in str(
        err.value
    )


# -- CLI ------------------------------------------------------------------------------------


def test_cli_done_undone_status(ledger_db: str) -> None:
    db = ledger_db
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    base = ["-f", str(MINIMAL)]
    ok = runner.invoke(
        main,
        [
            *base,
            "done",
            "grain-oil-prices.2026-03.development_reform@test.example",
            "--url",
            "https://example.gov.cn/p/1",
            "--on",
            "2026-04-10",
            "--db",
            str(db),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (
        ok.output
        == "done: grain-oil-prices.2026-03.development_reform@test.example on 2026-04-10, on time\n"
    )
    late = runner.invoke(
        main, [*base, "done", "electricity-market.2026-Q1.economy_it@test.example", "--db", str(db)]
    )
    assert "on 2026-04-20, late (due 2026-04-15)" in late.output
    bad = runner.invoke(
        main, [*base, "done", "electricity-market.2026-Q1.finance@test.example", "--db", str(db)]
    )
    assert bad.exit_code == 1 and "does not reach unit 'finance'" in bad.output
    bad = runner.invoke(
        main, [*base, "done", "electricity-market.2026-Q9.economy_it@test.example", "--db", str(db)]
    )
    assert bad.exit_code == 1 and "no occurrence for period '2026-Q9'" in bad.output
    status = runner.invoke(
        main, [*base, "status", "--year", "2026", "--format", "json", "--db", str(db)]
    )
    report = json.loads(status.output)
    rows = {r["unit"]: r for r in report["units"]}
    assert rows["development_reform"]["on_time"] == 1
    assert rows["economy_it"]["late"] == 1 and rows["economy_it"]["on_time_rate"] == 0.0
    # finance: budget Jan, Feb and Mar due by 20 April and not done; water/site-review are towns'/Dec
    assert rows["finance"]["overdue"] == 3 and rows["finance"]["on_time"] == 0
    csv = runner.invoke(
        main, [*base, "status", "--unit", "towns", "--format", "csv", "--db", str(db)]
    )
    # a BOM first, so that Excel on Chinese Windows reads the file as UTF-8
    assert csv.output.splitlines()[0] == "\ufeffunit,name,on_time,late,open,overdue,on_time_rate"
    assert {line.split(",")[0] for line in csv.output.splitlines()[1:]} == {"torch_zone", "shiqi"}
    table = runner.invoke(main, [*base, "status", "--db", str(db)])
    assert table.exit_code == 0 and "on-time rate" in table.output and "市财政局" in table.output
    undo = runner.invoke(
        main,
        [*base, "undone", "electricity-market.2026-Q1.economy_it@test.example", "--db", str(db)],
    )
    assert undo.exit_code == 0
    again = runner.invoke(
        main,
        [*base, "undone", "electricity-market.2026-Q1.economy_it@test.example", "--db", str(db)],
    )
    assert again.exit_code == 1 and "is not marked done" in again.output


def test_cli_remind_dry_run_touches_nothing(ledger_db: str) -> None:
    db = ledger_db
    if not db.startswith("postgresql"):  # a dry run only reads: its --db file must be there
        Ledger(db).close()
        before = Path(db).read_bytes()
    result = CliRunner().invoke(
        main,
        ["-f", str(MINIMAL), "remind", "--at", "2026-04-10T09:00", "--dry-run", "--db", str(db)],
    )
    assert result.exit_code == 0, result.output
    assert "Subject: 【政务公开提醒】市政府办公室：2项今日截止" not in result.output
    assert "would send 1 message(s)" in result.output
    assert "【7.4】粮油价格信息（2026年3月）" in result.output
    if db.startswith("postgresql"):
        with pytest.raises(LedgerMissing):
            Ledger(db, create=False)
    else:
        assert Path(db).read_bytes() == before
        with Ledger(db) as ledger:
            assert ledger.messages() == [] and ledger.tracking_start() is None


def test_cli_remind_sends_then_nothing_twice(ledger_db: str) -> None:
    db = ledger_db
    args = ["-f", str(MINIMAL), "remind", "--at", "2026-04-10T09:00", "--db", str(db)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    # A new ledger starts tracking on 10 April: the 7 April reminder is too old, 9 April's superseded.
    assert first.output.endswith("sent 1 message(s); missed 1, superseded 1\n")
    second = CliRunner().invoke(main, args)
    assert second.output.endswith("\nsent 0 message(s); missed 0, superseded 0\n")
    assert "event=sent" not in second.output


# -- a real daemon process ------------------------------------------------------------------


def _daemon(
    tmp_path: Path, db: str | Path, contacts: Path, clock: str, log: Path, *options: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, CLOCK_ENV: clock}
    with log.open("ab") as err:
        return subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "cli.py"),
                "-f",
                str(MINIMAL),
                "daemon",
                "--db",
                str(db),
                "--contacts",
                str(contacts),
                *options,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=tmp_path,
        )


WARP = "warp:2026-04-01T08:00/2026-04-30T23:00"


def test_sigkill_at_several_points_loses_nothing(
    tmp_path: Path, ledger_db: str, servers: tuple[SmtpServer, Hooks]
) -> None:
    smtp, hooks = servers
    contacts = write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
    log = tmp_path / "daemon.log"
    # Reference: one uninterrupted run.
    ref = _daemon(tmp_path, tmp_path / "ref.db", contacts, WARP, log)
    assert ref.wait(60) == 0, log.read_text()
    expected_mail = collections.Counter(m["Message-ID"] for _, m in smtp.inbox.received)
    expected_hooks = collections.Counter(h["Idempotency-Key"] for _, _, h in hooks.posts)
    assert len(expected_mail) >= 9 and len(expected_hooks) >= 15  # the month, no done records
    smtp.inbox.received.clear()
    smtp.inbox.attempts = 0
    hooks.posts.clear()

    current: dict[str, subprocess.Popen[bytes]] = {}
    db = ledger_db
    in_flight: list[str] = []

    def kill() -> None:
        os.kill(current["p"].pid, signal.SIGKILL)

    def on_mail(n: int) -> str | None:
        if n == 2:  # killed mid-DATA: the server never accepted it
            kill()
            return "451 gone"
        return None

    def after_store(n: int) -> None:
        if n == 5:  # killed after the server accepted, before the daemon could record it
            in_flight.append(smtp.inbox.received[-1][1]["Message-ID"])
            kill()

    smtp.inbox.on_data = on_mail
    smtp.inbox.after_store = after_store
    kills = 0
    for _ in range(6):
        started = log.read_text(encoding="utf-8").count("event=started")
        # One daemon whose warp clock starts over at each restart: the message its killed
        # predecessor held is taken over at once, not after a lease meant for two daemons.
        current["p"] = _daemon(tmp_path, db, contacts, WARP, log, "--claim-timeout", "0")
        if kills == 2:
            # Third kill from outside, at an arbitrary instant after the daemon started.
            _wait_for(lambda n=started: log.read_text(encoding="utf-8").count("event=started") > n)
            kill()
        code = current["p"].wait(60)
        if code == 0:
            break
        assert code == -signal.SIGKILL, log.read_text()
        kills += 1
    assert code == 0 and kills >= 3, log.read_text()

    got_mail = collections.Counter(m["Message-ID"] for _, m in smtp.inbox.received)
    got_hooks = collections.Counter(h["Idempotency-Key"] for _, _, h in hooks.posts)
    assert set(got_mail) == set(expected_mail)  # nothing lost
    doubled = {k: v for k, v in got_mail.items() if v > 1}
    # The one message accepted by the server in the instant before the kill is sent again, with
    # the same Message-ID (we err on resending); nothing else is doubled.
    assert doubled.get(in_flight[0]) == 2
    # The third, arbitrary kill may itself land in that instant: at most one more double.
    assert len(doubled) <= 2 and set(doubled.values()) == {2}
    assert got_hooks == expected_hooks
    with Ledger(db) as ledger:
        assert ledger.unfinished() == []
        assert len(ledger.messages("sent")) == len(expected_mail) + len(expected_hooks)


def _wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_sigterm_stops_cleanly_and_sighup_reloads(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text("version: 1\n", encoding="utf-8")  # everything to the log channel
    log = tmp_path / "daemon.log"
    proc = _daemon(tmp_path, tmp_path / "l.db", contacts, "", log)  # the real clock
    try:
        _wait_for(lambda: "event=sleep" in log.read_text(encoding="utf-8"))
        contacts.write_text("version: 1\nunits: {nobody: []}\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        _wait_for(lambda: "event=reload-failed" in log.read_text(encoding="utf-8"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text(encoding="utf-8")
    assert "'nobody' is not a unit of the schedule" in text
    assert text.rstrip().splitlines()[-1].split(" msg=")[0].endswith("event=stopped")


def test_cli_remind_dry_run_leaves_an_existing_ledger_byte_for_byte(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    base = ["-f", str(MINIMAL)]
    done = CliRunner().invoke(
        main, [*base, "done", "budget-execution.2026-03.finance@test.example", "--db", str(db)]
    )
    assert done.exit_code == 0, done.output
    before = db.read_bytes()
    dry = CliRunner().invoke(
        main, [*base, "remind", "--at", "2026-04-10T09:00", "--dry-run", "--db", str(db)]
    )
    assert dry.exit_code == 0, dry.output
    assert "would send 1 message(s)" in dry.output
    assert db.read_bytes() == before
    with Ledger(db) as ledger:
        assert ledger.meta("track_from") is None  # a later real run fixes its own first day


def test_sigterm_stops_a_daemon_stuck_on_a_trickling_server(tmp_path: Path) -> None:
    from faults import StallServer
    from test_notifiers import free_port

    from disclosure_calendar.reminders.daemon import STOP_SECONDS

    port = free_port()
    stall = StallServer(port, "trickle", gap=0.2)  # a byte of greeting every 0.2 s, for ever
    contacts = write_contacts(tmp_path / "contacts.yaml", port, "http://127.0.0.1:9")
    db, log = tmp_path / "l.db", tmp_path / "daemon.log"
    proc = _daemon(tmp_path, db, contacts, WARP, log)
    try:
        _wait_for(lambda: stall.accepted >= 1)
        time.sleep(1.0)  # well inside the send: socket timeouts never fire on a trickle
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text()
        stopped_in = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
        stall.stop()
    assert stopped_in < STOP_SECONDS, stopped_in
    with Ledger(db) as ledger:
        # The message cut short stays pending, its claim given up: the next start (or another
        # daemon) sends it at once. Nothing is recorded sent.
        pending = ledger.messages("pending")
        assert ("coordinator", "email") in {(m[1], m[2]) for m in pending}
        assert ledger.messages("sent") == [] and ledger.holders() == []
    assert (
        log.read_text(encoding="utf-8")
        .rstrip()
        .splitlines()[-1]
        .split(" msg=")[0]
        .endswith("event=stopped")
    )
    # The next start, with the server well again, sends them: once each, same Message-IDs.
    smtp, hooks = SmtpServer(port), Hooks()
    smtp.start()
    hooks.start()
    contacts = write_contacts(tmp_path / "contacts.yaml", port, hooks.url)
    try:
        again = CliRunner(env={CLOCK_ENV: pending[0][3]}).invoke(
            main,
            ["-f", str(MINIMAL), "daemon", "--once", "--db", str(db), "--contacts", str(contacts)],
        )
    finally:
        smtp.stop()
        hooks.stop()
    assert again.exit_code == 0, again.output
    with Ledger(db) as ledger:
        assert ledger.unfinished() == []
    ids = [str(m["Message-ID"]).strip("<>") for _, m in smtp.inbox.received]
    assert sorted(ids) == sorted(m[0] for m in pending if m[2] == "email")


def test_unit_file_waits_longer_than_the_daemon_takes_to_stop() -> None:
    from disclosure_calendar.reminders.daemon import STOP_SECONDS

    unit = (ROOT / "deploy" / "disclosure-calendar.service").read_text(encoding="utf-8")
    [value] = [
        line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("TimeoutStopSec=")
    ]
    assert float(value) >= 2 * STOP_SECONDS
    assert "KillSignal=SIGTERM" in unit.splitlines()


def test_a_tick_planned_for_now_from_inside_a_tick_is_not_skipped(
    tmp_path: Path, servers: tuple[SmtpServer, Hooks]
) -> None:
    """A tick plans the next one before it returns. Planned for right now (the warp clock,
    a pass that ended after the next send time, a claim that already ran out) the scheduler
    may start it while this one is still returning: with one instance allowed it was
    skipped, and nothing ever planned another, so the daemon slept for good (seen under load
    in test_failover: "skipped: maximum number of running instances reached"). A slow handler
    of APScheduler's "executed successfully" line holds each tick's instance open after it
    returned, as a loaded machine does."""
    from disclosure_calendar.reminders.clock import WarpClock
    from disclosure_calendar.reminders.daemon import run_daemon

    class Slow(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "tick" in record.getMessage() and "executed successfully" in record.getMessage():
                time.sleep(0.3)

    svc = service(tmp_path, str(tmp_path / "ledger.db"), servers[0].port, servers[1].url)
    clock = WarpClock(at(6, 12), at(10, 12))
    handler, logger = Slow(), logging.getLogger("apscheduler.executors.default")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        thread = threading.Thread(target=run_daemon, args=(svc, clock), daemon=True)
        thread.start()
        thread.join(20)
        stuck = thread.is_alive()
        svc.stop.set()
        thread.join(10)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        svc.close()
    assert not stuck, f"the daemon stopped ticking at {clock.now()}"
    assert clock.now() == at(10, 9)
