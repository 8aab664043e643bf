"""The dashboard's delivery problems and its button that resends refused reminders (issue 31,
item 16): a real portal, a real SMTP server refusing an address, then the fixed address."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from test_portal import csrf_of, login, page, post
from webportal import NOW, Portal

from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.notifiers import Retry
from disclosure_calendar.reminders.service import Service

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reminders"))
from test_notifiers import SmtpServer  # noqa: E402

FINANCE = "finance@example.gov.cn"
CONTACTS = """version: 1
smtp: {{host: 127.0.0.1, port: {port}, security: none, sender: r@example.gov.cn, timeout: 5}}
policy: {{track_from: 2026-11-01}}
coordinator:
  channels:
    - {{type: email, to: [gongkai@example.gov.cn]}}
units:
  finance:
    - {{type: email, to: [{finance}]}}
"""


def test_the_coordinator_resends_refused_reminders_from_the_dashboard(portal: Portal) -> None:
    smtp = SmtpServer()
    smtp.start()
    try:
        contacts = portal.root / "contacts.yaml"
        contacts.write_text(CONTACTS.format(port=smtp.port, finance=FINANCE), encoding="utf-8")

        def run(at: dt.datetime) -> None:
            svc = Service(portal.schedule, portal.db, contacts, env={}, retry=Retry(1, 0.0))
            try:
                svc.run_once(at)
            finally:
                svc.close()

        smtp.inbox.on_rcpt = lambda a: "550 5.1.1 no such user" if a == FINANCE else None
        run(NOW)
        assert not [m for to, m in smtp.inbox.received if to == [FINANCE]]

        coordinator = login(portal, None)
        status, html = page(portal, "/coordinator", coordinator)
        assert status == 200
        assert "投递问题（最近 30 天）" in html and FINANCE in html
        assert "550 5.1.1 no such user" in html and "重新发送被拒收的提醒" in html
        assert post(portal, "/coordinator/retry", coordinator, {})[0] == 403  # no CSRF token
        finance = login(portal, "finance")
        fields = {"csrf": csrf_of(page(portal, "/unit/finance", finance)[1])}
        assert post(portal, "/coordinator/retry", finance, fields)[0] == 403  # not the coordinator

        status, headers, _ = post(
            portal, "/coordinator/retry", coordinator, {"csrf": csrf_of(html)}
        )
        assert status == 303 and headers["Location"] == "/coordinator?notice=retry&count=1"
        html = page(portal, "/coordinator?notice=retry&count=1", coordinator)[1]
        assert "已安排重新发送 1 条提醒" in html
        with Ledger(portal.db) as ledger:
            [refused] = [m for m in ledger.messages() if m[1] == "finance"]
            assert refused[4] == "pending"
            assert ledger.audit_log(1)[0].action == "retry-failed"
            assert "重新发送拒收的提醒" in page(portal, "/coordinator", coordinator)[1]

        smtp.inbox.on_rcpt = None  # the address fixed: the daemon's next pass sends it, once
        run(NOW + dt.timedelta(hours=1))
        run(NOW + dt.timedelta(hours=2))
        got = [str(m["Message-ID"]) for to, m in smtp.inbox.received if to == [FINANCE]]
        assert got == [f"<{refused[0]}>"]
        again = post(portal, "/coordinator/retry", coordinator, {"csrf": csrf_of(html)})
        assert again[1]["Location"] == "/coordinator?notice=retry&count=0"
    finally:
        smtp.stop()
