"""Reminder e-mails carry "查看并标记完成": a signed link to the unit's page on the portal,
one per addressee and month, recorded in the ledger (listed, revocable), never in chat."""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

from test_daemon import at, service
from test_notifiers import Hooks, SmtpServer

from disclosure_calendar.core.tokens import BadToken, Signer
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.service import Service

SECRET = b"a-secret-for-the-reminder-links-0123"
LINK = re.compile(r"查看并标记完成：(https://cal\.test\.example/feeds/access/(\S+))")


def _month(tmp_path: Path, db: str, **kw: object) -> tuple[SmtpServer, Hooks, Service]:
    smtp, hooks = SmtpServer(), Hooks()
    smtp.start()
    hooks.start()
    svc = service(tmp_path, db, smtp.port, hooks.url, **kw)
    try:
        for day in (7, 9, 10, 13, 16, 17):
            svc.run_once(at(day))
    finally:
        smtp.stop()
        hooks.stop()
    return smtp, hooks, svc


def _links(smtp: SmtpServer) -> list[tuple[str, str, str]]:
    """(recipient, link, HTML body) of every e-mail."""
    found = []
    for rcpts, mail in smtp.inbox.received:
        text = mail.get_body(("plain",)).get_content()
        page = mail.get_body(("html",)).get_content()
        match = LINK.search(text)
        assert match, text
        found.append((rcpts[0], match.group(1), page))
    return found


def test_every_email_links_to_its_units_page(tmp_path: Path, ledger_db: str) -> None:
    smtp, hooks, _svc = _month(tmp_path, ledger_db, secret=SECRET)
    mails = _links(smtp)
    assert len(mails) == 6
    signer = Signer(SECRET)
    by_recipient = collections.defaultdict(set)
    for rcpt, link, page in mails:
        by_recipient[rcpt].add(link)
        grant = signer.verify_link(link.rsplit("/", 1)[1], at(17))
        assert (grant.role, grant.unit) == (
            ("coordinator", None) if rcpt == "gongkai@example.gov.cn" else ("unit", "finance")
        )
        assert f'<a href="{link}"' in page and ">查看并标记完成</a>" in page
        assert "disclosure-calendar done" not in page  # no command line for a clerk
    # one link per addressee for the month: the same in every e-mail
    assert {r: len(links) for r, links in by_recipient.items()} == {
        "gongkai@example.gov.cn": 1,
        "finance@example.gov.cn": 1,
    }
    with Ledger(ledger_db) as ledger:
        tokens = ledger.tokens()
    assert sorted((t.role, t.unit) for t in tokens) == [("coordinator", None), ("unit", "finance")]
    # Chat robots never get a link: a group may be wider than the unit.
    assert hooks.posts and not any("access/" in str(body) for _, body, _ in hooks.posts)


def test_a_revoked_link_is_replaced_in_the_next_email(tmp_path: Path, ledger_db: str) -> None:
    smtp, _hooks, _svc = _month(tmp_path, ledger_db, secret=SECRET)
    first = _links(smtp)[0][1]
    with Ledger(ledger_db) as ledger:
        assert ledger.revoke_unit_tokens("finance", at(17)) == 1
        [coordinator] = [t for t in ledger.tokens() if t.role == "coordinator"]
        assert ledger.revoke_token(coordinator.id, at(17))
    smtp2, hooks2 = SmtpServer(), Hooks()
    smtp2.start()
    hooks2.start()
    try:
        svc = service(tmp_path, ledger_db, smtp2.port, hooks2.url, secret=SECRET)
        for day in (21, 24):
            svc.run_once(at(day))
    finally:
        smtp2.stop()
        hooks2.stop()
    later = _links(smtp2)
    assert later and all(link != first for _, link, _ in later)
    signer = Signer(SECRET)
    with Ledger(ledger_db) as ledger:
        for _, link, _ in later:
            grant = signer.verify_link(link.rsplit("/", 1)[1], at(24))
            assert not ledger.is_revoked(grant.id)


def test_without_a_secret_the_email_says_how_to_report(tmp_path: Path, ledger_db: str) -> None:
    smtp, _hooks, _svc = _month(tmp_path, ledger_db)
    text = smtp.inbox.received[0][1].get_body(("plain",)).get_content()
    assert "查看并标记完成" not in text and "如何登记完成" in text
    with Ledger(ledger_db) as ledger:
        assert ledger.tokens() == []


def test_a_forged_link_does_not_verify() -> None:
    good = Signer(SECRET)
    grant_id = good.derived_id("mail", "finance", "2026-04", "0")
    assert grant_id == Signer(SECRET).derived_id("mail", "finance", "2026-04", "0")
    assert grant_id != Signer(b"another-secret-0123456789").derived_id(
        "mail", "finance", "2026-04", "0"
    )
    token = Signer(b"another-secret-0123456789").link(
        good.verify_link(good.issue("unit", "finance", at(1), 30)[1], at(1))
    )
    try:
        good.verify_link(token, at(1))
    except BadToken:
        return
    raise AssertionError("a link signed with another secret verified")


def test_the_link_opens_the_units_page_on_the_portal(tmp_path: Path) -> None:
    import http.client

    from disclosure_calendar.reminders.clock import FixedClock
    from disclosure_calendar.web.server import running
    from disclosure_calendar.web.site import WebConfig

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
    from webportal import build_site

    db = str(tmp_path / "ledger.db")
    smtp, _hooks, _svc = _month(tmp_path, db, secret=SECRET)
    [(_, link, _)] = [m for m in _links(smtp) if m[0] == "finance@example.gov.cn"][:1]
    (tmp_path / "site").mkdir()
    schedule_path, out = build_site(tmp_path / "site")
    config = WebConfig(
        out_dir=out, schedule_path=schedule_path, db_path=db, secret=SECRET,
        clock=FixedClock(at(17)),
    )  # fmt: skip
    with running(config) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/access/" + link.rsplit("/", 1)[1])
        response = conn.getresponse()
        response.read()
        assert response.status == 303 and response.getheader("Location", "").endswith(
            "/unit/finance"
        )
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        conn.request("GET", "/unit/finance", headers={"Cookie": cookie})
        page = conn.getresponse()
        assert page.status == 200 and "一般公共预算收支完成情况" in page.read().decode("utf-8")
        conn.close()
