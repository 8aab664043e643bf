"""Where the ledger and the contacts live when no option names them: beside the schedule.

A module of its own so that `build` and `validate` can find the ledger without importing the
daemon's machinery (or the database toolkit) just to learn a file name.
"""

from __future__ import annotations

from pathlib import Path


def default_db(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "disclosure-calendar.db"


def default_contacts(schedule_path: Path) -> Path:
    return schedule_path.resolve().parent / "contacts.yaml"
