"""The portal through real HTTP: access links, sessions, CSRF, marking done and undoing,
the dashboard and its export, and every refusal a unit or a stranger can run into."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from webportal import NOW, SECRET, Portal, build_site

from disclosure_calendar.core.tokens import Grant, Signer
from disclosure_calendar.occurrences.status import status_report
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.reminders.outbox import ReminderLedger as Ledger
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.web.access import issue_link, revoke
from disclosure_calendar.web.server import running
from disclosure_calendar.web.site import WebConfig
from disclosure_calendar.workdays import ChinaCalendar

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def link_path(portal: Portal, unit: str | None, days: int = 30) -> str:
    schedule = load_schedule(portal.schedule)
    url = issue_link(schedule, SECRET, portal.db, portal.clock.now(), unit=unit, days=days)
    return "/access/" + url.rsplit("/access/", 1)[1]


def login(portal: Portal, unit: str | None, **headers: str) -> str:
    """The Cookie header of a session opened through a fresh link."""
    status, got, _ = portal.request(link_path(portal, unit), headers)
    assert status == 303, status
    return got["Set-Cookie"].split(";")[0]


def page(portal: Portal, path: str, cookie: str) -> tuple[int, str]:
    status, _, body = portal.request(path, {"Cookie": cookie})
    return status, body.decode("utf-8")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def uids_of(html: str, action: str) -> list[str]:
    """The occurrence ids the page offers a form for (done or undo), this year's first."""
    forms = re.findall(rf'action="/unit/\w+/{action}".*?name="uid" value="([^"]+)"', html, re.S)
    return sorted(forms, key=lambda uid: ".2026-" not in uid)


def post(portal: Portal, path: str, cookie: str | None, fields: dict[str, str], **extra: str):  # type: ignore[no-untyped-def]
    headers = {**FORM, **extra}
    if cookie:
        headers["Cookie"] = cookie
    return portal.request(path, headers, "POST", urlencode(fields).encode())


# -- public pages -----------------------------------------------------------------------------


def test_index_lists_units_with_counts_and_links_to_this_host(portal: Portal) -> None:
    status, headers, body = portal.request("/")
    html = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "测试方案" in html and "市财政局" in html and "火炬开发区" in html
    # Served at 127.0.0.1, not at plan.base_url's host: links point here.
    here = f"127.0.0.1:{portal.port}"
    assert f'href="webcal://{here}/finance.ics"' in html
    assert f'href="http://{here}/finance.ics"' in html
    assert 'src="/qr/finance.svg"' in html
    # finance: 4 duties reach it (one through a group, one standing); due in 2026: twelve
    # monthly budget reports and the year-end review.
    row = re.search(r"市财政局.*?</tr>", html, re.S)
    assert row and re.findall(r'<td class="n count">(\d+)</td>', row.group(0)) == ["4", "13"]


def test_index_uses_plan_base_url_at_its_own_host(portal: Portal) -> None:
    _, _, body = portal.request("/", {"Host": "cal.test.example"})
    assert 'href="webcal://cal.test.example/feeds/finance.ics"' in body.decode()


def test_qr_code_is_svg(portal: Portal) -> None:
    status, headers, body = portal.request("/qr/finance.svg")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml"
    assert body.startswith(b"<svg") and b"<path" in body
    assert portal.request("/qr/nobody.svg")[0] == 404


# -- access links -----------------------------------------------------------------------------


def test_link_opens_a_session_cookie(portal: Portal) -> None:
    status, headers, body = portal.request(link_path(portal, "finance"))
    assert status == 303 and headers["Location"] == "/unit/finance"
    cookie = headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http on loopback
    status, html = page(portal, "/unit/finance", headers["Set-Cookie"].split(";")[0])
    assert status == 200 and "市财政局" in html and "一般公共预算收支完成情况" in html


def test_cookie_is_secure_behind_https(portal: Portal) -> None:
    # uvicorn believes X-Forwarded-Proto from the proxy on this machine.
    _, headers, _ = portal.request(link_path(portal, "finance"), {"X-Forwarded-Proto": "https"})
    assert "secure" in headers["Set-Cookie"].lower()


def _forged_links(portal: Portal) -> dict[str, str]:
    good = link_path(portal, "finance").removeprefix("/access/")
    version, body, mac = good.split(".")
    expired = Signer(SECRET).issue("unit", "finance", NOW - dt.timedelta(days=40), 30)[1]
    other_secret = Signer(b"another-secret-0123456789abcdef").issue("unit", "finance", NOW, 30)[1]
    unknown_unit = Signer(SECRET).issue("unit", "nobody", NOW, 30)[1]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["r"] = "coordinator"
    as_coordinator = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return {
        "tampered-payload": f"{version}.{as_coordinator}.{mac}",
        "tampered-mac": f"{version}.{body}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}",
        "expired": expired,
        "other-secret": other_secret,
        "unknown-unit": unknown_unit,
        "garbage": "not-a-token",
        "huge": "v1." + "A" * 5000 + ".x",
    }


@pytest.mark.parametrize(
    "case",
    ["tampered-payload", "tampered-mac", "expired", "other-secret", "unknown-unit", "garbage", "huge"],
)  # fmt: skip
def test_bad_links_are_refused(portal: Portal, case: str) -> None:
    token = _forged_links(portal)[case]
    status, headers, body = portal.request(
        f"/access/{token}", {"X-Forwarded-For": f"10.1.0.{len(case)}"}
    )
    assert status == 403
    assert "Set-Cookie" not in headers
    assert "链接无效或已过期" in body.decode()


def test_revoked_link_and_its_session_are_refused(portal: Portal) -> None:
    path = link_path(portal, "shiqi")
    status, headers, _ = portal.request(path)
    cookie = headers["Set-Cookie"].split(";")[0]
    assert page(portal, "/unit/shiqi", cookie)[0] == 200
    with Ledger(portal.db) as ledger:
        token_id = [t.id for t in ledger.tokens("shiqi")][-1]
    revoke(portal.db, portal.clock.now(), token_id=token_id, unit=None)
    assert portal.request(path, {"X-Forwarded-For": "10.2.0.1"})[0] == 403
    assert page(portal, "/unit/shiqi", cookie)[0] == 401


def test_failed_links_are_rate_limited_per_link_and_a_good_link_always_opens(
    portal: Portal,
) -> None:
    who = {"X-Forwarded-For": "10.9.9.9"}
    for _ in range(10):
        assert portal.request("/access/v1.bad.bad", who)[0] == 403
    assert portal.request("/access/v1.bad.bad", who)[0] == 429  # that link, again
    assert portal.request("/access/v1.other.bad", who)[0] == 403  # another old link: told so
    good = link_path(portal, "finance")
    assert portal.request(good, who)[0] == 303  # and a valid one opens, from that address


def test_a_forged_session_cookie_is_not_a_session(portal: Portal) -> None:
    grant = Grant("x", "coordinator", None, NOW + dt.timedelta(days=1))
    forged = Signer(b"another-secret-0123456789abcdef").session(grant, NOW, 12)[0]
    assert page(portal, "/coordinator", f"dc_session={forged}")[0] == 401
    # A link is not a cookie: keys differ per use.
    token = link_path(portal, None).removeprefix("/access/")
    assert page(portal, "/coordinator", f"dc_session={token}")[0] == 401


# -- a unit's page and its changes ------------------------------------------------------------


def test_unit_page_needs_a_session_and_the_right_unit(portal: Portal) -> None:
    status, html = page(portal, "/unit/finance", "")
    assert status == 401 and "专属链接" in html
    cookie = login(portal, "finance")
    status, html = page(portal, "/unit/shiqi", cookie)
    assert status == 403 and "石岐区" not in html


def test_mark_done_and_undo_the_same_day(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    csrf = csrf_of(html)
    uid = uids_of(html, "done")[0]
    assert uid.endswith(".finance@test.example") and "已逾期" in html
    evidence = "https://www.example.gov.cn/zwgk/2026/finance-10.html"
    status, headers, _ = post(
        portal, "/unit/finance/done", cookie,
        {"csrf": csrf, "uid": uid, "url": evidence, "on": "2026-11-24"},
        **{"X-Forwarded-For": "192.0.2.7"},
    )  # fmt: skip
    assert status == 303 and headers["Location"] == "/unit/finance?notice=done"
    with Ledger(portal.db) as ledger:
        done = ledger.done()[uid]
        entry = ledger.audit_log(1)[0]
        assert uid in ledger.state().done  # what the daemon reads: no more reminders for it
    assert (done.on, done.url, done.unit) == (dt.date(2026, 11, 24), evidence, "finance")
    assert (entry.actor, entry.action, entry.occurrence, entry.evidence, entry.remote) == (
        "unit:finance", "done", uid, evidence, "192.0.2.7",
    )  # fmt: skip
    # `status` reads the same ledger.
    schedule = load_schedule(portal.schedule)
    report = status_report(
        schedule,
        ChinaCalendar(notices=schedule.notices),
        portal.db,
        NOW,
        unit="finance",
        fmt="json",
    )
    assert f'"uid": "{uid}"' in report and '"done_on": "2026-11-24"' in report
    _, html = page(portal, "/unit/finance", cookie)
    assert evidence in html and "已标记完成" not in html  # notice only after the redirect
    assert uid in uids_of(html, "undo")
    status, headers, _ = post(portal, "/unit/finance/undo", cookie, {"csrf": csrf, "uid": uid})
    assert status == 303
    with Ledger(portal.db) as ledger:
        assert uid not in ledger.done()
        assert ledger.audit_log(1)[0].action == "undone"


def test_undo_is_refused_the_next_day(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    csrf, uid = csrf_of(html), uids_of(html, "done")[0]
    fields = {"csrf": csrf, "uid": uid, "url": "https://example.gov.cn/a"}
    assert post(portal, "/unit/finance/done", cookie, fields)[0] == 303
    portal.clock.at = NOW + dt.timedelta(days=1)
    try:
        cookie = login(portal, "finance")  # the first session has ended (12 hours)
        csrf = csrf_of(page(portal, "/unit/finance", cookie)[1])
        status, _, body = post(portal, "/unit/finance/undo", cookie, {"csrf": csrf, "uid": uid})
        assert status == 403 and "当天" in body.decode()
        assert uid not in uids_of(page(portal, "/unit/finance", cookie)[1], "undo")
    finally:
        portal.clock.at = NOW
    with Ledger(portal.db) as ledger:
        assert uid in ledger.done()
        ledger.mark_undone(uid, NOW)


@pytest.mark.parametrize(
    "csrf", ["", "wrong", "other-session"], ids=["missing", "wrong", "other-session"]
)
def test_post_without_the_right_csrf_token_is_refused(portal: Portal, csrf: str) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    uid = uids_of(html, "done")[0]
    if csrf == "other-session":
        csrf = csrf_of(page(portal, "/unit/finance", login(portal, "finance"))[1])
    fields = {"uid": uid, "url": "https://example.gov.cn/x"} | ({"csrf": csrf} if csrf else {})
    status, _, _ = post(portal, "/unit/finance/done", cookie, fields)
    assert status == 403
    with Ledger(portal.db) as ledger:
        assert uid not in ledger.done()


def test_post_from_another_site_is_refused(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    fields = {"csrf": csrf_of(html), "uid": uids_of(html, "done")[0], "url": "https://a.cn/"}
    status, _, _ = post(portal, "/unit/finance/done", cookie, fields, Origin="https://evil.example")
    assert status == 403


def test_another_units_occurrence_is_refused(portal: Portal) -> None:
    finance = login(portal, "finance")
    _, html = page(portal, "/unit/finance", finance)
    csrf = csrf_of(html)
    shiqi_uid = "water-ranking.2026.shiqi@test.example"
    url = "https://example.gov.cn/x"
    # Its own page, another unit's occurrence:
    status, _, _ = post(portal, "/unit/finance/done", finance, {"csrf": csrf, "uid": shiqi_uid, "url": url})  # fmt: skip
    assert status == 403
    # Another unit's page:
    status, _, _ = post(portal, "/unit/shiqi/done", finance, {"csrf": csrf, "uid": shiqi_uid, "url": url})  # fmt: skip
    assert status == 403
    # A uid naming finance for a duty that does not reach it:
    fake = "water-ranking.2026.finance@test.example"
    status, _, _ = post(portal, "/unit/finance/done", finance, {"csrf": csrf, "uid": fake, "url": url})  # fmt: skip
    assert status in (403, 404)
    with Ledger(portal.db) as ledger:
        assert shiqi_uid not in ledger.done() and fake not in ledger.done()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.gov.cn/a", "https://", "http://a b.cn/", "", "x" * 3000],
    ids=["javascript", "ftp", "no-host", "space", "empty", "too-long"],
)
def test_evidence_must_be_an_http_url(portal: Portal, url: str) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    fields = {"csrf": csrf_of(html), "uid": uids_of(html, "done")[0], "url": url}
    status, _, body = post(portal, "/unit/finance/done", cookie, fields)
    assert status == 400 and "网址无效" in body.decode()


def test_a_get_never_changes_anything(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    uid = uids_of(html, "done")[0]
    query = urlencode({"csrf": csrf_of(html), "uid": uid, "url": "https://a.cn/"})
    with Ledger(portal.db) as ledger:
        before = len(ledger.audit_log(1000))
    status, _, _ = portal.request(f"/unit/finance/done?{query}", {"Cookie": cookie})
    assert status in (404, 405)  # the feed route answers GETs it does not know
    with Ledger(portal.db) as ledger:
        assert uid not in ledger.done() and len(ledger.audit_log(1000)) == before


def test_markup_in_evidence_is_escaped(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    uid = uids_of(html, "done")[0]
    evil = 'https://x.example/?q="><script>alert(1)</script>'
    fields = {"csrf": csrf_of(html), "uid": uid, "url": evil}
    assert post(portal, "/unit/finance/done", cookie, fields)[0] == 303
    try:
        for path, who in (("/unit/finance", cookie), ("/coordinator", login(portal, None))):
            shown = page(portal, path, who)[1]
            assert "<script>" not in shown and "&lt;script&gt;" in shown
    finally:
        with Ledger(portal.db) as ledger:
            ledger.mark_undone(uid, NOW)


def test_markup_in_duty_texts_is_escaped(tmp_path: Path) -> None:
    schedule_path, out = build_site(tmp_path)
    text = schedule_path.read_text(encoding="utf-8")
    schedule_path.write_text(
        text.replace(
            "title: 一般公共预算收支完成情况", 'title: "<img src=x onerror=alert(1)>预算"'
        ),
        encoding="utf-8",
    )
    config = WebConfig(out, schedule_path, tmp_path / "ledger.db", SECRET)
    with running(config) as port:
        portal = Portal(tmp_path, out, schedule_path, config.db_path, port, config.clock)  # type: ignore[arg-type]
        shown = page(portal, "/unit/finance", login(portal, "finance"))[1]
    assert "<img src=x" not in shown and "&lt;img src=x onerror=alert(1)&gt;预算" in shown


def test_pages_forbid_scripts_and_framing(portal: Portal) -> None:
    _, headers, _ = portal.request("/")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # none allowed at all


# -- the coordinator --------------------------------------------------------------------------


def test_dashboard_needs_the_coordinator(portal: Portal) -> None:
    assert page(portal, "/coordinator", "")[0] == 401
    assert page(portal, "/coordinator", login(portal, "finance"))[0] == 403
    assert page(portal, "/coordinator/export.csv", login(portal, "finance"))[0] == 403


def test_dashboard_shows_marks_overdue_and_audit(portal: Portal) -> None:
    finance = login(portal, "finance")
    _, html = page(portal, "/unit/finance", finance)
    uid = uids_of(html, "done")[0]
    fields = {"csrf": csrf_of(html), "uid": uid, "url": "https://example.gov.cn/budget"}
    assert post(portal, "/unit/finance/done", finance, fields)[0] == 303
    try:
        coordinator = login(portal, None)
        status, html = page(portal, "/coordinator", coordinator)
        assert status == 200 and "协调人工作台" in html
        assert "逾期未完成清单" in html and "已逾期" not in html
        assert "https://example.gov.cn/budget" in html and "标记完成" in html  # audit log
        assert "1.3 一般公共预算收支完成情况（2026-" in html
        filtered = page(portal, "/coordinator?unit=shiqi&year=2026", coordinator)[1]
        assert "https://example.gov.cn/budget" not in filtered  # audit filtered by unit too
        status, headers, body = portal.request(
            "/coordinator/export.csv?unit=finance&year=2026", {"Cookie": coordinator}
        )
        assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
        assert body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0][:3] == ["单位代码", "单位", "编号"]
        marked = [r for r in rows if r[-1] == "https://example.gov.cn/budget"]
        assert len(marked) == 1 and marked[0][0] == "finance"
        assert {r[0] for r in rows[1:]} == {"finance"}
    finally:
        with Ledger(portal.db) as ledger:
            ledger.mark_undone(uid, NOW)


def test_logout_needs_csrf_and_clears_the_cookie(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    assert post(portal, "/logout", cookie, {})[0] == 403
    status, headers, _ = post(portal, "/logout", cookie, {"csrf": csrf_of(html)})
    assert status == 303 and 'dc_session=""' in headers["Set-Cookie"]
    # The session itself is revoked (its row), not only its cookie cleared: a copy is refused.
    assert page(portal, "/unit/finance", cookie)[0] == 401
    assert page(portal, "/unit/finance", login(portal, "finance"))[0] == 200


def test_behind_a_proxy_under_a_path_prefix(tmp_path: Path) -> None:
    """nginx strips /disclosure and serve runs with --root-path /disclosure."""
    schedule_path, out = build_site(tmp_path)
    config = WebConfig(out, schedule_path, tmp_path / "ledger.db", SECRET)
    with running(config, root_path="/disclosure") as port:
        portal = Portal(tmp_path, out, schedule_path, config.db_path, port, config.clock)  # type: ignore[arg-type]
        status, _, body = portal.request("/finance.ics")
        assert status == 200 and body == (out / "finance.ics").read_bytes()
        _, _, body = portal.request("/", {"Host": "www.example.gov.cn"})
        html = body.decode()
        assert 'href="webcal://www.example.gov.cn/disclosure/finance.ics"' in html
        assert 'src="/disclosure/qr/finance.svg"' in html
        assert 'href="/disclosure/static/site.css"' in html
        status, headers, _ = portal.request(link_path(portal, "finance"))
        assert status == 303 and headers["Location"] == "/disclosure/unit/finance"
        assert "path=/disclosure/" in headers["Set-Cookie"].lower()
        cookie = headers["Set-Cookie"].split(";")[0]
        status, html = page(portal, "/unit/finance", cookie)
        assert status == 200 and 'action="/disclosure/unit/finance/done"' in html


# -- event dates ------------------------------------------------------------------------------


def test_a_unit_dates_its_own_event_of_a_shared_duty_and_only_it_gets_it(portal: Portal) -> None:
    shiqi = login(portal, "shiqi")
    _, html = page(portal, "/unit/shiqi", shiqi)
    # its own form, without the coordinator's choice of every unit
    assert 'action="/unit/shiqi/event"' in html and 'name="all_units"' not in html
    csrf = csrf_of(html)
    fields = {"csrf": csrf, "duty": "repealed-files", "date": "2026-11-02"}
    # not for another unit, nor for every unit
    assert post(portal, "/unit/torch_zone/event", shiqi, fields)[0] == 403
    assert post(portal, "/unit/shiqi/event", shiqi, {**fields, "all_units": "1"})[0] == 403
    # the date checks of `event add`, in its words
    future = post(portal, "/unit/shiqi/event", shiqi, {**fields, "date": "2026-11-26"})
    assert future[0] == 400 and "事件日期 2026年11月26日 是将来的日期" in future[2].decode()
    try:
        status, headers, _ = post(portal, "/unit/shiqi/event", shiqi, fields)
        assert status == 303
        with Ledger(portal.db) as ledger:
            (record,) = ledger.events()
            assert (record.unit, record.added_by) == ("shiqi", "unit:shiqi")
        _, html = page(portal, "/unit/shiqi", shiqi)
        assert "2026年11月2日事件" in html and "到期日 2026-11-16" in html
        # the other town of the group does not get it
        _, other = page(portal, "/unit/torch_zone", login(portal, None))
        assert "2026年11月2日事件" not in other
        # nor do the coordinator's counts: one overdue occurrence for shiqi alone
        _, board = page(portal, "/coordinator?unit=torch_zone", login(portal, None))
        assert "repealed-files.event-2026-11-02" not in board
    finally:
        with Ledger(portal.db) as ledger:
            ledger.remove_event("repealed-files", dt.date(2026, 11, 2), unit="shiqi")


def test_the_coordinator_dates_an_event_for_every_unit(portal: Portal) -> None:
    coordinator = login(portal, None)
    _, html = page(portal, "/unit/torch_zone", coordinator)
    csrf = csrf_of(html)
    assert 'action="/unit/torch_zone/event"' in html and "2026年11月3日事件" not in html
    assert 'name="all_units"' in html and "为全部 2 个承担单位登记" in html
    future = {"csrf": csrf, "duty": "repealed-files", "date": "2026-11-26"}
    assert post(portal, "/unit/torch_zone/event", coordinator, future)[0] == 400
    fields = {
        "csrf": csrf, "duty": "repealed-files", "date": "2026-11-03", "note": "<b>某文件</b>",
        "all_units": "1",
    }  # fmt: skip
    status, headers, _ = post(portal, "/unit/torch_zone/event", coordinator, fields)
    # This portal does not rebuild the feeds: the page says they change at the next build.
    assert status == 303 and headers["Location"] == "/unit/torch_zone?notice=event-later"
    try:
        # At once, before any page has loaded the new date into the portal's plan: the
        # form answers without reloading it, and still finds the date in the ledger.
        assert post(portal, "/unit/torch_zone/event", coordinator, fields)[0] == 409
        with Ledger(portal.db) as ledger:
            (record,) = ledger.events()
            assert (record.duty, record.date, record.added_by, record.unit) == (
                "repealed-files", dt.date(2026, 11, 3), "coordinator", None,
            )  # fmt: skip
            assert ledger.audit_log(1)[0].action == "event-added"
        for unit in ("torch_zone", "shiqi"):
            _, html = page(portal, f"/unit/{unit}", coordinator)
            # Ten working days after 2026-11-03: due 2026-11-16, so already overdue.
            assert "2026年11月3日事件" in html and "到期日 2026-11-17" in html
            assert "&lt;b&gt;某文件&lt;/b&gt;" in html and "<b>某文件" not in html
        again = post(portal, "/unit/torch_zone/event", coordinator, fields)
        assert again[0] == 409
        mine = post(portal, "/unit/shiqi/event", coordinator, {**fields, "all_units": ""})
        assert mine[0] == 409  # shiqi has it already, as one of every unit
    finally:
        with Ledger(portal.db) as ledger:
            ledger.remove_event("repealed-files", dt.date(2026, 11, 3))


FINANCE_REQUESTS = """  - id: finance-requests
    ref: "22.9"
    title: 答复依申请公开
    text: 收到申请之日起20个工作日内答复。
    units: [finance]
    cadence: event
    basis: 20个工作日内
    due: {rule: workdays_after_event, n: 20}
    events: []
"""


def site_with_finance_requests(tmp_path: Path) -> tuple[Path, Path]:
    """The test site with an event duty of one unit (finance's requests), not yet built."""
    schedule_path, out = build_site(tmp_path)
    text = schedule_path.read_text(encoding="utf-8")
    schedule_path.write_text(text + FINANCE_REQUESTS, encoding="utf-8")
    return schedule_path, out


def test_a_unit_dates_its_own_event_duty(tmp_path: Path) -> None:
    schedule_path, out = site_with_finance_requests(tmp_path)
    config = WebConfig(
        out, schedule_path, tmp_path / "ledger.db", SECRET, clock=FixedClock(NOW), rebuild=True
    )
    feed = out / "finance.ics"
    assert "答复依申请公开" not in feed.read_text(encoding="utf-8")
    with running(config) as port:
        portal = Portal(tmp_path, out, schedule_path, config.db_path, port, config.clock)  # type: ignore[arg-type]
        finance = login(portal, "finance")
        _, html = page(portal, "/unit/finance", finance)
        fields = {"csrf": csrf_of(html), "duty": "finance-requests", "date": "2026-11-20"}
        status, headers, _ = post(portal, "/unit/finance/event", finance, fields)
        assert status == 303 and headers["Location"].startswith("/unit/finance?notice=event&at=")
        _, html = page(portal, headers["Location"], finance)
        assert "答复依申请公开" in html and "2026年11月20日事件" in html
        # The answer did not wait for the build: the page says when the feed has the date,
        # reloading itself until then; once it says so, the feed has it.
        deadline = time.monotonic() + 20
        while "日历订阅已更新" not in html:
            assert "日历订阅正在后台更新" in html and '<meta http-equiv="refresh"' in html
            assert time.monotonic() < deadline, "finance.ics was not rebuilt"
            time.sleep(0.2)
            _, html = page(portal, headers["Location"], finance)
        assert '<meta http-equiv="refresh"' not in html
        assert "答复依申请公开" in feed.read_text(encoding="utf-8")
        # 20 working days after 2026-11-20
        assert "DTSTART;VALUE=DATE:20261218" in feed.read_text(encoding="utf-8")
        with Ledger(config.db_path) as ledger:
            assert ledger.events()[0].added_by == "unit:finance"


def test_xlsx_export_reads_back_with_dates(portal: Portal) -> None:
    import openpyxl

    coordinator = login(portal, None)
    assert page(portal, "/coordinator/export.xlsx", login(portal, "finance"))[0] == 403
    status, headers, body = portal.request(
        "/coordinator/export.xlsx?unit=finance&year=2026", {"Cookie": coordinator}
    )
    assert status == 200 and headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="disclosure-2026-finance.xlsx"' in headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位代码", "单位", "编号", "事项")
    assert len(rows) == 1 + 13  # finance's occurrences due in 2026
    first = rows[1]
    assert first[0] == "finance" and isinstance(first[5], dt.datetime)
    assert {r[6] for r in rows[1:]} <= {"按时完成", "逾期完成", "未到期", "逾期未完成"}


def test_a_mark_on_the_page_stops_the_reminder(tmp_path: Path) -> None:
    """The daemon reads the ledger the page writes: the next send time skips the occurrence."""
    from zoneinfo import ZoneInfo

    from disclosure_calendar.reminders.daemon import remind_once
    from disclosure_calendar.reminders.service import Service

    schedule_path, out = build_site(tmp_path)
    # December: November's report can be published (not before the month it reports on ends)
    december = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)
    config = WebConfig(
        out, schedule_path, tmp_path / "ledger.db", SECRET, clock=FixedClock(december)
    )
    send_time = dt.datetime(2026, 12, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    uid = "budget-execution.2026-11.finance@test.example"

    def reminded() -> str:
        return remind_once(Service(schedule_path, config.db_path, None, env={}), send_time, dry_run=True)  # fmt: skip

    with running(config) as port:
        portal = Portal(tmp_path, out, schedule_path, config.db_path, port, config.clock)  # type: ignore[arg-type]
        assert uid in reminded()
        finance = login(portal, "finance")
        _, html = page(portal, "/unit/finance", finance)
        assert uid in uids_of(html, "done")
        fields = {"csrf": csrf_of(html), "uid": uid, "url": "https://example.gov.cn/2026-11"}
        assert post(portal, "/unit/finance/done", finance, fields)[0] == 303
    assert uid not in reminded() and "would send 0 message(s)" in reminded()


@pytest.mark.parametrize(
    "cookie",
    ["dc_session=", "dc_session=v1.%%%.x", "dc_session=" + "A" * 5000, "dc_session=v1.e30.AAAA",
     "dc_session=\u00e9\u00e9", "dc_session=v1..", "garbage"],
    ids=["empty", "bad-base64", "huge", "empty-payload", "latin1", "dots", "no-name"],
)  # fmt: skip
def test_hostile_cookies_are_no_session(portal: Portal, cookie: str) -> None:
    status, _, body = portal.request("/unit/finance", {"Cookie": cookie})
    assert status == 401 and "专属链接" in body.decode()


def test_hostile_posts_are_refused_cleanly(portal: Portal) -> None:
    cookie = login(portal, "finance")
    _, html = page(portal, "/unit/finance", cookie)
    csrf = csrf_of(html)
    big = urlencode({"csrf": csrf, "uid": "x", "url": "https://a.cn/" + "a" * 20000}).encode()
    assert portal.request("/unit/finance/done", {**FORM, "Cookie": cookie}, "POST", big)[0] == 413
    as_json = {"Content-Type": "application/json", "Cookie": cookie}
    assert portal.request("/unit/finance/done", as_json, "POST", b"{}")[0] == 400
    bad_utf8 = b"csrf=" + csrf.encode() + b"&uid=%ff%fe&url=https://a.cn/"
    status, _, _ = portal.request(
        "/unit/finance/done", {**FORM, "Cookie": cookie}, "POST", bad_utf8
    )
    assert status in (400, 403)
    for uid in ("", "no-at-sign", "a.b.finance@other.domain", "a.b.c.finance@test.example"):
        fields = {"csrf": csrf, "uid": uid, "url": "https://a.cn/"}
        status, _, _ = post(portal, "/unit/finance/done", cookie, fields)
        assert status in (403, 404), uid


def test_a_mark_made_elsewhere_shows_on_the_next_page(portal: Portal) -> None:
    """The pages keep a unit's marks between requests; a mark from `done` (another process,
    another connection) must show at once all the same."""
    finance = login(portal, "finance")
    _, html = page(portal, "/unit/finance", finance)
    uid = uids_of(html, "done")[0]
    _, again = page(portal, "/unit/finance", finance)
    assert uids_of(again, "done")[0] == uid  # served from what the page kept
    with Ledger(portal.db) as ledger:
        before = ledger.portal_version()
        ledger.mark_done(uid, "finance", dt.date(2026, 11, 20), "https://example.gov.cn/x", NOW)
        assert ledger.portal_version() != before
    try:
        _, html = page(portal, "/unit/finance", finance)
        assert uid not in uids_of(html, "done") and uid in uids_of(html, "undo")
        assert "https://example.gov.cn/x" in html
    finally:
        with Ledger(portal.db) as ledger:
            ledger.mark_undone(uid, NOW)
    _, html = page(portal, "/unit/finance", finance)
    assert uid in uids_of(html, "done")


def test_a_unit_extends_its_request_and_sees_both_deadlines(tmp_path: Path) -> None:
    schedule_path, out = build_site(tmp_path)
    text = schedule_path.read_text(encoding="utf-8")
    schedule_path.write_text(
        text
        + """  - id: finance-requests
    ref: "22.9"
    title: 答复依申请公开
    text: 收到申请之日起按法定时限答复。
    units: [finance, economy_it]
    cadence: event
    basis: 法定时限
    due:
      rule: by_date
      versions:
        - {from: 2008-05-01, rule: workdays_after_event, n: 15, extension: 15}
        - {from: 2019-05-15, rule: workdays_after_event, n: 20, extension: 20}
    events: []
""",
        encoding="utf-8",
    )
    config = WebConfig(out, schedule_path, tmp_path / "ledger.db", SECRET, clock=FixedClock(NOW))
    with running(config) as port:
        portal = Portal(tmp_path, out, schedule_path, config.db_path, port, config.clock)  # type: ignore[arg-type]
        finance = login(portal, "finance")
        _, html = page(portal, "/unit/finance", finance)
        csrf = csrf_of(html)
        fields = {"csrf": csrf, "duty": "finance-requests", "date": "2026-11-20"}
        assert post(portal, "/unit/finance/event", finance, fields)[0] == 303
        _, html = page(portal, "/unit/finance", finance)
        # 20 working days after 2026-11-20: 2026-12-18; the form offers the extension
        assert "到期日 2026-12-18" in html and "登记延期答复（延长20个工作日）" in html
        # economy_it, the other unit of the duty, has neither the request nor its form
        _, other = page(portal, "/unit/economy_it", login(portal, "economy_it"))
        assert "2026年11月20日事件" not in other
        assert post(portal, "/unit/economy_it/extend", finance, fields)[0] == 403
        assert post(portal, "/unit/finance/extend", finance, fields)[0] == 303
        _, html = page(portal, "/unit/finance", finance)
        assert "答复期限 2026-12-18，已延长至 <strong>2027-01-18</strong>" in html, re.findall(
            r"<p class=\"due\">.*", html
        )
        assert "登记延期答复" not in html
        assert post(portal, "/unit/finance/extend", finance, fields)[0] == 409
        with Ledger(config.db_path) as ledger:
            (record,) = ledger.events()
            assert (record.unit, record.extended) == ("finance", NOW)
            assert ledger.audit_log(1)[0].action == "event-extended"
        # marked done: the history shows the mark and the link it came through
        uid = "finance-requests.event-2026-11-20.finance@test.example"
        mark = {"csrf": csrf, "uid": uid, "url": "https://example.gov.cn/ysq/1"}
        assert post(portal, "/unit/finance/done", finance, mark)[0] == 303
        again = post(portal, "/unit/finance/done", finance, mark)
        assert again[0] == 409 and "已标记完成" in again[2].decode()
        _, html = page(portal, "/unit/finance", finance)
        assert "标记完成：发布日期 2026-11-25" in html and "网页（链接 " in html
        # undone on the page: open again, its history still under it
        undo = {"csrf": csrf, "uid": uid}
        assert post(portal, "/unit/finance/undo", finance, undo)[0] == 303
        _, html = page(portal, "/unit/finance", finance)
        assert (
            "2 条记录" in html
            and "撤销完成" in html
            and "（原为 2026-11-25 https://example.gov.cn/ysq/1）" in html
        )
        with Ledger(config.db_path) as ledger:
            assert ledger.done() == {}
            assert [a.action for a in ledger.audit_log(2)] == ["undone", "done"]


def test_rebuilds_fork_from_one_helper_and_a_lost_helper_is_replaced(tmp_path: Path) -> None:
    """The event form's rebuilds run in forks of one warm helper (no interpreter start and
    imports per build); a helper that died is started again, and the date still lands."""
    import os
    import signal

    from disclosure_calendar.web.rebuild import Rebuilder, landed

    schedule_path, out = site_with_finance_requests(tmp_path)
    db = tmp_path / "ledger.db"
    feed = out / "finance.ics"
    rebuilder = Rebuilder(WebConfig(out, schedule_path, db, SECRET, clock=FixedClock(NOW)))

    def record_and_rebuild(day: dt.date) -> None:
        with Ledger(db) as ledger:
            ledger.add_event("finance-requests", day, "", NOW, unit="finance")
        before = rebuilder.builds
        rebuilder.request()
        assert rebuilder.wait(60) and rebuilder.builds == before + 1
        assert f"finance-requests.event-{day}.finance@" in feed.read_text(encoding="utf-8")

    try:
        started = time.time_ns()
        record_and_rebuild(dt.date(2026, 11, 20))
        assert landed(out, started)
        assert rebuilder._helper is not None
        helper = rebuilder._helper.pid
        record_and_rebuild(dt.date(2026, 11, 23))
        assert rebuilder._helper.pid == helper  # the same helper forked the second build
        os.kill(helper, signal.SIGKILL)
        rebuilder._helper.wait()
        record_and_rebuild(dt.date(2026, 11, 24))
        assert rebuilder._helper.pid != helper
    finally:
        rebuilder.close()
    assert rebuilder._helper is None
