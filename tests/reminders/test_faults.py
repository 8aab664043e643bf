"""The fault matrix: the reminder service against SMTP and webhook servers that refuse, hang or trickle.

Targets (issue 16): nothing lost, nothing missed, no duplicate without a kill except the one
resend of a message left in doubt (same Idempotency-Key), every permanent refusal reported,
nothing left open once the fault is gone, and no pass blocked past the send deadline.
bench/bench_faults.py prints the same matrix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faults import DEADLINE, FAULTY, run_case, smtp_cases, webhook_cases

# A pass with a fault costs at most one deadline per route (the route is then failed fast
# for the rest of the pass), plus the watchdog's poll and the pass's own work.
GIVE_UP = DEADLINE + 1.0

SMTP = smtp_cases()
WEBHOOK = webhook_cases()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> int:
    return run_case(tmp_path_factory.mktemp("faults"), "baseline", SMTP["baseline"]).sent


@pytest.mark.parametrize("case", [c for c in SMTP if c != "baseline"])
def test_smtp_fault(tmp_path: Path, case: str, baseline: int) -> None:
    got = run_case(tmp_path, case, SMTP[case])
    assert (got.lost, got.missed, got.duplicated, got.open) == (0, 0, 0, 0), got
    assert got.give_up <= GIVE_UP, got
    if case == "550 one recipient":
        # One of the unit's two addresses refuses its four reminders: reported, not retried;
        # the other address and everyone else get everything, and the coordinator gets one
        # notice per refusing pass on each of its two channels.
        assert got.refused == 4, got
        assert got.sent == baseline - 4 + 4 * 2, got
    else:
        assert (got.refused, got.sent) == (0, baseline), got


@pytest.mark.parametrize("case", list(WEBHOOK))
def test_webhook_fault(tmp_path: Path, case: str, baseline: int) -> None:
    got = run_case(tmp_path, case, WEBHOOK[case])
    assert (got.lost, got.missed, got.open) == (0, 0, 0), got
    assert got.give_up <= GIVE_UP, got
    if case in ("slow", "trickle"):
        # Processed, but no answer before the deadline: in doubt, so not resent in the same
        # pass; each later pass resends it once, with the same Idempotency-Key, while the
        # server stays slow (two faulty passes: the first copy and one resend per pass after).
        assert got.duplicated == len(FAULTY), got
    else:
        assert got.duplicated == 0, got
    if case == "301":
        # Moved for good: the unit's hook of 10 April is refused, and so is the coordinator
        # robot's notice of it (the same server); the notice by mail arrives.
        assert got.refused == 2, got
        assert got.sent == baseline - 1 + 1, got
    else:
        assert (got.refused, got.sent) == (0, baseline), got


def test_refusal_reaches_the_coordinator_and_status(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from faults import CONTACTS, MINIMAL, PASSES, FaultyHooks
    from test_notifiers import SmtpServer

    from cli import main
    from disclosure_calendar.reminders.service import Service

    smtp, hooks = SmtpServer(), FaultyHooks()
    smtp.start()
    smtp.inbox.on_rcpt = lambda a: "550 5.1.1 <fgj-office> no such user" if "office" in a else None
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(CONTACTS.format(port=smtp.port, hooks=hooks.url), encoding="utf-8")
    try:
        report = Service(MINIMAL, tmp_path / "l.db", contacts, env={}).run_once(PASSES[0])
    finally:
        smtp.stop()
        hooks.stop()
    assert (report.sent, report.refused, report.failed) == (3, 1, 0)  # reminder + 2 notices
    [(fgj, reminder), (coordinator, notice)] = smtp.inbox.received
    assert fgj == ["fgj@example.gov.cn"] and coordinator == ["gongkai@example.gov.cn"]
    assert str(notice["Subject"]) == "【政务公开提醒】投递失败：1个地址拒收提醒"
    text = notice.get_body(("plain",)).get_content()
    assert "1. 市发展改革局（email）：fgj-office@example.gov.cn" in text
    assert "服务器答复：550 5.1.1 <fgj-office> no such user" in text
    [(path, _)] = hooks.posts
    assert path == "/wecom"  # and on the coordinator's robot
    status = CliRunner().invoke(
        main, ["-f", str(MINIMAL), "status", "--year", "2026", "--db", str(tmp_path / "l.db")]
    )
    assert (
        "delivery problem: development_reform (email) fgj-office@example.gov.cn refused: "
        "550 5.1.1 <fgj-office> no such user" in status.output
    )
