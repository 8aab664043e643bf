"""The portal on a PostgreSQL ledger that goes away: the pages that need it say so (503 in
Chinese, Retry-After), the index and the feeds go on, and everything returns with the server."""

from __future__ import annotations

from pathlib import Path

from tcpproxy import Proxy
from test_portal import login, page
from webportal import NOW, SECRET, Portal, build_site

from disclosure_calendar.ledger import Ledger, parse_target
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.web.server import running
from disclosure_calendar.web.site import WebConfig


def test_unreachable_ledger_is_said_plainly_and_the_feeds_go_on(
    tmp_path: Path, pg_url: str
) -> None:
    url = parse_target(pg_url).url
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    Ledger(proxied).close()
    schedule_path, out = build_site(tmp_path)
    clock = FixedClock(NOW)
    config = WebConfig(
        out_dir=out, schedule_path=schedule_path, db_path=proxied, secret=SECRET, clock=clock
    )
    with running(config) as port:
        portal = Portal(tmp_path, out, schedule_path, proxied, port, clock)  # type: ignore[arg-type]
        cookie = login(portal, "finance")
        assert page(portal, "/unit/finance", cookie)[0] == 200

        proxy.cut()
        for path in ("/unit/finance", "/coordinator"):
            status, headers, body = portal.request(path, {"Cookie": cookie})
            text = body.decode("utf-8")
            assert status == 503, (path, status)
            assert headers["Retry-After"] == "30"
            assert "台账暂时无法连接" in text and "日历订阅和首页不受影响" in text
            assert "Traceback" not in text and "psycopg" not in text
        assert portal.request("/")[0] == 200
        # A logged-in user's index too: it needs nothing of the ledger.
        status, html = page(portal, "/", cookie)
        assert status == 200 and "市财政局" in html and "台账暂时无法连接" not in html
        status, headers, body = portal.request("/finance.ics")
        assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")

        proxy.restore()
        status, html = page(portal, "/unit/finance", cookie)
        assert status == 200 and "台账暂时无法连接" not in html
    proxy.cut()
