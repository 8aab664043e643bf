"""Every page fits a 390 px phone and a 1280 px screen without horizontal scrolling.

The bundled schedule (41 units, hundreds of overdue items in late November) in Debian's
chromium: the static out/index.html that the docs say to publish, the served index, a unit's
page with done marks, the coordinator's dashboard and the error pages. A page wider than the
window fails, naming the elements that stick out; so does a table scrolling sideways in its box. Screenshots go to
$DISCLOSURE_CALENDAR_SCREENSHOTS (or the test's folder), ``width-<page>-<px>.png``.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from webportal import NOW, SECRET

from disclosure_calendar import feeds
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.web.access import issue_link
from disclosure_calendar.web.server import running
from disclosure_calendar.web.site import WebConfig
from disclosure_calendar.workdays import ChinaCalendar

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER) and not os.environ.get("CI"):
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)
WIDTHS = (390, 1280)
# What sticks out of the window, for the failure message.
WIDER = """
const width = document.documentElement.clientWidth;
const wide = [];
for (const el of document.querySelectorAll('body *')) {
  const box = el.getBoundingClientRect();
  if (box.right > width + 1 && box.width > 0) {
    wide.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
  }
}
// a box that scrolls sideways inside the page counts too
for (const el of document.querySelectorAll('.scroll')) {
  if (el.scrollWidth > el.clientWidth + 1) {
    wide.push(`scrolling box ${el.scrollWidth} > ${el.clientWidth}: ${el.firstElementChild.className}`);
  }
}
const scroll = wide.length ? Math.max(document.documentElement.scrollWidth, width + 1) : document.documentElement.scrollWidth;
return [scroll, width, wide.slice(0, 8)];
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("widths")
    schedule_path = root / "schedule.yaml"
    shutil.copy(ROOT / "schedule.yaml", schedule_path)
    schedule = load_schedule(schedule_path)
    out = root / "out"
    cal = ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)
    feeds.build_feeds(schedule, cal, dt.date(2026, 1, 1), dt.date(2026, 12, 31), out, now=NOW)
    config = WebConfig(out, schedule_path, root / "ledger.db", SECRET, clock=FixedClock(NOW))
    with running(config) as port:
        here = f"http://127.0.0.1:{port}/"
        links = {
            "finance": issue_link(schedule, SECRET, config.db_path, NOW, unit="finance", base_url=here),
            "coordinator": issue_link(schedule, SECRET, config.db_path, NOW, unit=None, base_url=here),
        }  # fmt: skip
        _mark_some_done(config.db_path)
        yield here, links


def _mark_some_done(db: Path) -> None:
    """A few of finance's past occurrences done, so its page shows the 已完成 table."""
    from disclosure_calendar.occurrences.expansion import expand

    sched = load_schedule(ROOT / "schedule.yaml")
    cal = ChinaCalendar(notices=sched.notices, local_days_off=sched.local_days_off)
    past = [
        o
        for o in expand(sched, cal, dt.date(2026, 1, 1), dt.date(2026, 11, 1))
        if o.due < dt.date(2026, 11, 1) and "finance" in sched.unit_ids_of(o.duty)
    ]
    with Ledger(db) as ledger:
        for occurrence in past[:6]:
            ledger.mark_done(
                occurrence.uid("finance", sched.plan.uid_domain), "finance", occurrence.due,
                "https://www.zs.gov.cn/zwgk/czj/2026/a-rather-long-path/article-000123456.html",
                NOW,
            )  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "chromium"
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1280,900", "--lang=zh-CN", "--no-first-run", "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=DRIVER or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _fits(driver: webdriver.Chrome, url: str, name: str, width: int, shots: Path) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    try:
        driver.get(url)
        scroll, client, wide = driver.execute_script(WIDER)
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        (shots / f"width-{name}-{width}.png").write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert scroll <= client, f"{name} at {width} px is {scroll} px wide: {wide}"


PAGES = ("static-index", "index", "unit", "unit-as-coordinator", "dashboard", "not-found")


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_window(
    browser: webdriver.Chrome, site: tuple[str, dict[str, str]], width: int, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("DISCLOSURE_CALENDAR_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    here, links = site
    browser.delete_all_cookies()
    _fits(browser, here + "index.html", "static-index", width, shots)
    _fits(browser, here, "index", width, shots)
    _fits(browser, here + "no-such-page", "not-found", width, shots)
    browser.get(links["finance"])
    _fits(browser, here + "unit/finance", "unit", width, shots)
    assert browser.find_elements(By.CSS_SELECTOR, "td.url a"), "no done table on the page"
    browser.delete_all_cookies()
    browser.get(links["coordinator"])
    _fits(browser, here + "coordinator", "dashboard", width, shots)
    _fits(browser, here + "unit/finance", "unit-as-coordinator", width, shots)
    _fits(browser, here + "qr/no-such-unit.svg", "not-found-qr", width, shots)
