"""Fixtures shared by every test folder: the bundled test data and the minimal schedule.

The minimal schedule and its calendar are loaded once per run; both are immutable, so
sharing them across tests cannot leak state.
"""

from pathlib import Path

import pytest

from disclosure_calendar.schedule import Schedule, load_schedule
from disclosure_calendar.workdays import ChinaCalendar

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


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
