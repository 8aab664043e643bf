"""A real portal for the web tests: feeds built from the minimal schedule, a ledger, a
secret, a clock the tests can move, and uvicorn serving it on a free loopback port."""

from __future__ import annotations

import datetime as dt
import http.client
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from disclosure_calendar import feeds
from disclosure_calendar.reminders.clock import FixedClock
from disclosure_calendar.schedule import load_schedule
from disclosure_calendar.web.server import running
from disclosure_calendar.web.site import WebConfig
from disclosure_calendar.workdays import ChinaCalendar

DATA = Path(__file__).resolve().parents[1] / "data"
SECRET = b"test-secret-for-the-portal-0123456789"
# 2026-11-25 is a Wednesday; 09:30 in Shanghai.
NOW = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)


@dataclass
class Portal:
    root: Path
    out: Path
    schedule: Path
    db: Path
    port: int
    clock: FixedClock

    def request(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        body: bytes | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            # http.client sends the raw path, no normalising.
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


def build_site(root: Path) -> tuple[Path, Path]:
    schedule_path = root / "schedule.yaml"
    shutil.copy(DATA / "minimal.yaml", schedule_path)
    out = root / "out"
    schedule = load_schedule(schedule_path)
    cal = ChinaCalendar(notices=schedule.notices)
    feeds.build_feeds(schedule, cal, dt.date(2026, 1, 1), dt.date(2027, 12, 31), out, now=NOW)
    return schedule_path, out


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = tmp_path_factory.mktemp("portal")
    schedule_path, out = build_site(root)
    clock = FixedClock(NOW)
    config = WebConfig(
        out_dir=out, schedule_path=schedule_path, db_path=root / "ledger.db", secret=SECRET,
        clock=clock,
    )  # fmt: skip
    # The tests stand in for a proxy on this machine: they send X-Forwarded-For/-Proto.
    with running(config, trusted_proxies=["127.0.0.1"]) as port:
        yield Portal(root, out, schedule_path, config.db_path, port, clock)
