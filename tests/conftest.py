"""Fixtures shared by every test folder: the bundled test data and the minimal schedule.

The minimal schedule and its calendar are loaded once per run; both are immutable, so
sharing them across tests cannot leak state.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from disclosure_calendar.schedule import Schedule, load_schedule
from disclosure_calendar.workdays import ChinaCalendar

# Every test run gets a parsed-schedule cache of its own (the variable is read at each load,
# so also what a test module loads at import time uses it): no test touches ~/.cache, and no
# run sees another's entries. Subprocesses (the CLI run as a user) inherit it.
CACHE = tempfile.mkdtemp(prefix="disclosure-calendar-test-cache-")
os.environ["DISCLOSURE_CALENDAR_CACHE"] = CACHE


ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
# A PostgreSQL server the tests may create databases in; without it, they start their own.
PG_ENV = "DISCLOSURE_CALENDAR_TEST_PG"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(CACHE, ignore_errors=True)


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def minimal_path() -> Path:
    return DATA / "minimal.yaml"


@pytest.fixture(scope="session")
def schedule() -> Schedule:
    """tests/data/minimal.yaml, loaded."""
    return load_schedule(DATA / "minimal.yaml")


@pytest.fixture(scope="session")
def cal(schedule: Schedule) -> ChinaCalendar:
    """The working-day calendar of the minimal schedule (official data, no notices of its own)."""
    return ChinaCalendar(notices=schedule.notices, local_days_off=schedule.local_days_off)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests written against the English msgids see English (the tool speaks Chinese by
    default); tests of the Chinese output pass --lang zh or set the variable themselves."""
    monkeypatch.setenv("DISCLOSURE_CALENDAR_LANG", "en")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL: $DISCLOSURE_CALENDAR_TEST_PG, or a throwaway cluster of our own.

    Without PostgreSQL installed the PostgreSQL cases are skipped on a developer's machine,
    and fail in CI (CI or DISCLOSURE_CALENDAR_REQUIRE_PG set), where .ci/system-deps installs it.
    """
    if os.environ.get(PG_ENV):
        yield os.environ[PG_ENV]
        return
    from pgcluster import Cluster, find_bindir

    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        if os.environ.get("CI") or os.environ.get("DISCLOSURE_CALENDAR_REQUIRE_PG"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(bindir).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A new, empty PostgreSQL database for one test."""
    from pgcluster import new_database

    return new_database(pg_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The ledger's address, once for each backend: an SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def empty_ledger(tmp_path: Path) -> str:
    """A new SQLite ledger with nothing in it, for commands that only read (a --db naming a
    file that is not there is an error for them)."""
    from disclosure_calendar.ledger import Ledger

    path = tmp_path / "empty-ledger.db"
    Ledger(path).close()
    return str(path)
