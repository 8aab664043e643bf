"""Error pages in the site's style and in Chinese, with a link back to where the user came from."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from test_portal import csrf_of, login, page, post
from webportal import Portal

from disclosure_calendar.ledger import Ledger

SITE_STYLE = '<link rel="stylesheet" href="/static/site.css">'


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', html.split('<main class="wrap">')[1])


@pytest.mark.parametrize(
    "path", ["/no-such-page", "/qr/nonexistent.svg", "/.manifest.json", "/unit/no-such-unit/x"]
)
def test_not_found_is_the_sites_chinese_page(portal: Portal, path: str) -> None:
    status, headers, body = portal.request(path)
    html = body.decode("utf-8")
    assert status == 404 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert SITE_STYLE in html and "<h1>找不到这个页面</h1>" in html, html
    assert "not found" not in html.lower()
    assert _links(html) == [("/", "返回首页")]


def test_a_wrong_method_is_the_sites_chinese_page(portal: Portal) -> None:
    status, headers, body = portal.request("/index.html", method="POST")  # files take GET only
    html = body.decode("utf-8")
    assert status == 405 and "GET" in headers["Allow"]
    assert SITE_STYLE in html and "<h1>无法这样打开此页面</h1>" in html


def test_a_duplicate_event_links_back_to_the_unit_page(portal: Portal) -> None:
    coordinator = login(portal, None)
    csrf = csrf_of(page(portal, "/unit/torch_zone", coordinator)[1])
    fields = {"csrf": csrf, "duty": "repealed-files", "date": "2026-11-02"}
    assert post(portal, "/unit/torch_zone/event", coordinator, fields)[0] == 303
    try:
        status, _, body = post(portal, "/unit/torch_zone/event", coordinator, fields)
        html = body.decode("utf-8")
        assert status == 409 and "<h1>已登记</h1>" in html
        # first the page the form was on, then the coordinator's own page, then home
        assert _links(html) == [
            ("/unit/torch_zone", "返回火炬开发区页面"),
            ("/coordinator", "返回协调人页面"),
            ("/", "返回首页"),
        ]
    finally:
        with Ledger(portal.db) as ledger:
            ledger.remove_event("repealed-files", dt.date(2026, 11, 2))


def test_a_units_refused_form_links_back_to_its_page_once(portal: Portal) -> None:
    finance = login(portal, "finance")
    csrf = csrf_of(page(portal, "/unit/finance", finance)[1])
    fields = {"csrf": csrf, "uid": "no-such-occurrence", "url": "https://example.gov.cn/a"}
    status, _, body = post(portal, "/unit/finance/done", finance, fields)
    html = body.decode("utf-8")
    assert status == 403 and "<h1>" in html
    assert _links(html) == [("/unit/finance", "返回市财政局页面"), ("/", "返回首页")]


def test_the_logged_out_coordinator_page_speaks_to_the_coordinator(portal: Portal) -> None:
    status, _, body = portal.request("/coordinator")
    html = body.decode("utf-8")
    assert status == 401 and "发给协调人的专属链接" in html and "本单位" not in html
