"""Reminders refused for good come back on request, the run says it had failures, and a late
reminder speaks of the day it goes out (issue 31, items 16-18): the real CLI and the service
against a real SMTP server (aiosmtpd) and a real webhook server on loopback."""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_daemon import MINIMAL, at, service, write_contacts
from test_notifiers import Hooks, SmtpServer

from cli import main
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.clock import CLOCK_ENV
from disclosure_calendar.reminders.outbox import ReminderLedger, Stored

FINANCE = "finance@example.gov.cn"
NOTICE = "【政务公开提醒】投递失败：1个地址拒收提醒"


@pytest.fixture
def servers() -> Iterator[tuple[SmtpServer, Hooks]]:
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    yield smtp, hooks
    smtp.stop()
    hooks.stop()


def remind(tmp_path: Path, instant: str, *extra: str) -> Result:
    return CliRunner().invoke(
        main,
        ["-f", str(MINIMAL), "remind", "--at", instant, "--db", str(tmp_path / "l.db"),
         "--contacts", str(tmp_path / "contacts.yaml"), *extra],
        env={CLOCK_ENV: instant},
    )  # fmt: skip


def to_finance(smtp: SmtpServer) -> list[str]:
    """The Message-IDs of the mails finance received."""
    return [str(m["Message-ID"]) for to, m in smtp.inbox.received if to == [FINANCE]]


def test_refused_reminders_are_resent_once_on_request(
    tmp_path: Path, servers: tuple[SmtpServer, Hooks]
) -> None:
    smtp, hooks = servers
    write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
    smtp.inbox.on_rcpt = lambda a: "550 5.1.1 no such user" if a == FINANCE else None

    first = remind(tmp_path, "2026-04-17T09:00")
    # 17: a run with a refusal says so, in its exit status (documented: 3) and its last words,
    # after its report; the coordinator's notice went out in this same run.
    assert first.exit_code == 3, first.output
    assert "sent 2 message(s); missed 0, superseded 0" in first.output  # the two notices
    assert first.output.endswith(
        "Error: 1 recipient(s) refused a message for good (the coordinator has been told); once "
        "the address or the server's settings are fixed, resend with: remind --at <now> "
        "--retry-failed\n"
    )
    assert NOTICE in smtp.inbox.subjects()
    assert "/wecom" in [path for path, _body, _headers in hooks.posts]
    with Ledger(tmp_path / "l.db") as ledger:
        [refused] = [m for m in ledger.messages() if m[1] == "finance"]
        assert refused[4] == "cancelled"
    tried = smtp.inbox.rcpt_attempts[FINANCE]

    # Without asking, nothing is resent: the refusal stands.
    smtp.inbox.on_rcpt = None  # the address is fixed on the mail server
    later = remind(tmp_path, "2026-04-17T09:30")
    assert later.exit_code == 0, later.output
    assert smtp.inbox.rcpt_attempts[FINANCE] == tried and to_finance(smtp) == []

    # 16: asked, it goes out once, with the Message-ID it was refused under, and its text is
    # written at the time it goes out.
    again = remind(tmp_path, "2026-04-17T10:00", "--retry-failed")
    assert again.exit_code == 0, again.output
    assert "1 message(s) that had failed for good made due again" in again.output
    assert to_finance(smtp) == [f"<{refused[0]}>"]
    [(_to, mail)] = [(to, m) for to, m in smtp.inbox.received if to == [FINANCE]]
    text = mail.get_body(("plain",)).get_content()
    assert "本提醒于2026年4月17日 星期五 10:00发出" in text
    assert email.utils.parsedate_to_datetime(str(mail["Date"])).hour == 10

    # Once: the next request finds nothing left to resend.
    once_more = remind(tmp_path, "2026-04-17T10:30", "--retry-failed")
    assert once_more.exit_code == 0, once_more.output
    assert "0 message(s) that had failed for good made due again" in once_more.output
    assert len(to_finance(smtp)) == 1


def test_exit_status_three_when_a_message_is_not_accepted(
    tmp_path: Path, servers: tuple[SmtpServer, Hooks]
) -> None:
    smtp, hooks = servers
    write_contacts(tmp_path / "contacts.yaml", smtp.port, hooks.url)
    smtp.inbox.on_data = lambda attempt: "451 4.3.0 try again later"
    result = remind(tmp_path, "2026-04-07T09:00")
    assert result.exit_code == 3, result.output
    assert "=== to coordinator via wecom" in result.output  # the report is printed first
    assert result.output.endswith("Error: 1 message(s) not accepted; the next run retries them\n")
    daemon = CliRunner().invoke(
        main,
        ["-f", str(MINIMAL), "daemon", "--once", "--db", str(tmp_path / "l.db"),
         "--contacts", str(tmp_path / "contacts.yaml")],
        env={CLOCK_ENV: "2026-04-07T09:30"},
    )  # fmt: skip
    assert daemon.exit_code == 3, daemon.output  # the same for cron's `daemon --once`
    assert "sent 0, resent 0, failed 1, refused 0" in daemon.output


@pytest.mark.parametrize("down_first", [True, False], ids=["failed-then-sent", "decided-late"])
def test_a_late_reminder_is_written_when_it_goes_out(
    tmp_path: Path, servers: tuple[SmtpServer, Hooks], down_first: bool
) -> None:
    """18: economy_it's robot hears of 2.2 (due 15 April) on the 10th; the hook answered 500
    that day (or the daemon did not run): sent on the 13th, it said 本提醒于…4月10日…发出
    and 还有3个工作日 when 2 were left."""
    smtp, hooks = servers
    svc = service(tmp_path, str(tmp_path / "l.db"), smtp.port, hooks.url)  # Retry(2, 0.0)
    if down_first:
        hooks.replies = [(500, b"busy")] * 2
        assert svc.run_once(at(10)).failed == 1
        svc.close()
    svc.run_once(at(13))
    svc.close()
    [(_path, body, headers)] = [p for p in hooks.posts if p[0] == "/economy"]
    assert "本提醒于2026年4月13日 星期一 09:00发出" in body["text"]
    assert "截止日期：2026年4月15日 星期三（还有2个工作日）" in body["text"]
    assert "4月10日" not in body["text"] and "还有3个工作日" not in body["text"]
    with Ledger(tmp_path / "l.db") as ledger:  # the same message, and the ledger keeps its text
        [stored] = [s for s in ledger_sent(ledger) if s.message.addressee == "economy_it"]
    assert headers["Idempotency-Key"] == body["id"] == stored.message.id
    assert stored.message.text == body["text"]


def ledger_sent(ledger: Ledger) -> list[Stored]:
    """Every message, as stored (sent ones included)."""
    import sqlalchemy as sa

    from disclosure_calendar.ledger import schema

    with ReminderLedger(ledger.target) as reader, reader.engine.connect() as conn:
        rows = conn.execute(sa.select(*schema.STORED)).all()
        return reader._stored(conn, [tuple(r) for r in rows])
