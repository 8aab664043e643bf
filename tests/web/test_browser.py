"""The portal in a real browser (Debian's chromium through chromedriver and selenium): a unit
opens its link and marks an occurrence done, the coordinator's dashboard shows it, and a
cross-unit attempt is refused. Screenshots of each page go to $DISCLOSURE_CALENDAR_SCREENSHOTS
(or the test's temporary folder) to be looked at."""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from webportal import SECRET, build_site

from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.web.access import issue_link
from disclosure_calendar.web.server import running
from disclosure_calendar.web.site import WebConfig

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402
from webportal import NOW  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER) and not os.environ.get("CI"):
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or "chromium"
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1280,900", "--lang=zh-CN", "--no-first-run",
    ):  # fmt: skip
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=DRIVER or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(
    driver: webdriver.Chrome, folder: Path, name: str, width: int = 1280, height: int | None = None
) -> Path:
    """A screenshot of the whole page (or its first ``height`` pixels), not only the window."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    options: dict[str, object] = {"format": "png", "captureBeyondViewport": True}
    if height:
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", options)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path = folder / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_unit_marks_done_and_coordinator_sees_it(browser: webdriver.Chrome, tmp_path: Path) -> None:
    shots = Path(os.environ.get("DISCLOSURE_CALENDAR_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    schedule_path, out = build_site(tmp_path)
    clock = FixedClock(NOW)
    config = WebConfig(out, schedule_path, tmp_path / "ledger.db", SECRET, clock=clock)
    schedule = load_schedule(schedule_path)
    with running(config) as port:
        here = f"http://127.0.0.1:{port}/"

        def link(unit: str | None) -> str:
            return issue_link(schedule, SECRET, config.db_path, NOW, unit=unit, base_url=here)

        browser.get(here)
        assert "测试方案" in browser.title
        assert browser.find_element(By.LINK_TEXT, "订阅").get_attribute("href") == (
            f"webcal://127.0.0.1:{port}/all.ics"
        )
        shoot(browser, shots, "index")

        browser.get(link("finance"))
        assert browser.current_url == here + "unit/finance"
        assert browser.find_element(By.TAG_NAME, "h1").text == "市财政局"
        shoot(browser, shots, "unit")
        shoot(browser, shots, "unit-phone", width=390, height=1400)

        form = browser.find_elements(By.CSS_SELECTOR, "li.item.overdue form.mark")[0]
        uid = form.find_element(By.NAME, "uid").get_attribute("value")
        evidence = "https://www.example.gov.cn/zwgk/czj/2026-10.html"
        form.find_element(By.NAME, "url").send_keys(evidence)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        # The click only starts the POST: wait for the page it leads to (its notice).
        notice = WebDriverWait(browser, 20).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".notice"))
        )
        assert "已标记完成" in notice.text
        done_links = [
            a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "td.url a")
        ]
        assert evidence in done_links
        shoot(browser, shots, "unit-after-mark")
        with Ledger(config.db_path) as ledger:
            assert ledger.done()[uid].url == evidence

        # Another unit's page with finance's session: refused, nothing of shiqi's shown.
        browser.get(here + "unit/shiqi")
        assert browser.find_element(By.TAG_NAME, "h1").text == "无权访问"
        assert "石岐区" not in browser.page_source
        shoot(browser, shots, "refused")

        browser.get(link(None))
        assert browser.current_url == here + "coordinator"
        table = browser.find_element(By.CSS_SELECTOR, "table.numbers").text
        assert "市财政局" in table
        audit = browser.find_element(By.CSS_SELECTOR, "table.audit").text
        assert "市财政局" in audit and "标记完成" in audit and evidence in audit
        shoot(browser, shots, "dashboard")

        # The coordinator may open any unit's page, and date its shared event duties there.
        browser.get(here + "unit/torch_zone")
        assert browser.find_element(By.TAG_NAME, "h1").text == "火炬开发区"
        assert browser.find_elements(By.CSS_SELECTOR, 'form[action="/unit/torch_zone/event"]')
        shoot(browser, shots, "unit-events")
