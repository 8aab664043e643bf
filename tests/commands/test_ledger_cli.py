"""`ledger status`, `ledger upgrade`, `ledger copy`, DISCLOSURE_CALENDAR_DB, and a ledger that is
not there when `status` needs it."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from cli import main
from disclosure_calendar.ledger import SCHEMA_VERSION, Ledger
from disclosure_calendar.reminders.clock import CLOCK_ENV

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = str(DATA / "minimal.yaml")
V1_SCHEMA = DATA / "ledger" / "schema_v1.sql"
UID = "grain-oil-prices.2026-03.development_reform@test.example"
NOW = dt.datetime(2026, 4, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_ledger_status_and_upgrade_of_an_old_sqlite_ledger(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_SCHEMA.read_text(encoding="utf-8"))
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO meta VALUES ('track_from', '2026-04-01')")
    runner = CliRunner()
    status = runner.invoke(main, ["ledger", "status", "--db", str(db)])
    assert status.exit_code == 0, status.output
    assert f"schema: version 1 of {SCHEMA_VERSION} (older: `ledger upgrade`" in status.output
    up = runner.invoke(main, ["ledger", "upgrade", "--db", str(db)])
    assert up.output == f"{db}: schema version 1 -> {SCHEMA_VERSION}\n"
    again = runner.invoke(main, ["ledger", "upgrade", "--db", str(db)])
    assert again.output == f"{db}: schema version {SCHEMA_VERSION}, up to date\n"
    status = runner.invoke(main, ["ledger", "status", "--db", str(db)])
    assert f"schema: version {SCHEMA_VERSION} of {SCHEMA_VERSION}\n" in status.output
    assert "adopted from PRAGMA user_version" in status.output
    # when each migration ran: in the plan's zone (the bundled schedule's), offset shown
    assert re.search(r"\n  1  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00  ", status.output)
    assert re.search(r"\nmeta +1\n", status.output) and "claims held now: none" in status.output


def test_ledger_status_without_a_ledger(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ledger", "status", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "none.db: no ledger here yet" in result.output


def test_copy_sqlite_to_postgresql_prints_equal_counts(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "l.db"
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    done = runner.invoke(main, ["-f", MINIMAL, "done", UID, "--on", "2026-04-10", "--db", str(db)])
    assert done.exit_code == 0, done.output
    remind = runner.invoke(
        main, ["-f", MINIMAL, "remind", "--at", "2026-04-20T09:00", "--db", str(db)]
    )
    assert remind.exit_code == 0, remind.output
    result = runner.invoke(main, ["ledger", "copy", "--from", f"sqlite:{db}", "--to", pg_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{db} -> {pg_url}"
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:-1]}
    assert rows["done"] == ["1", "1", "ok"] and rows["done_log"] == ["1", "1", "ok"]
    assert int(rows["messages"][0]) > 0 and rows["messages"][0] == rows["messages"][1]
    assert lines[-1].startswith("copied ") and lines[-1].endswith("every count matches")
    # The copy is a working ledger: status reads the done mark from PostgreSQL, through the
    # environment variable instead of --db.
    env_runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00", "DISCLOSURE_CALENDAR_DB": pg_url})
    status = env_runner.invoke(main, ["-f", MINIMAL, "status", "--format", "csv"])
    assert status.exit_code == 0, status.output
    assert "\ndevelopment_reform,市发展改革局,1,0,8,3,0.25\n" in status.output
    again = runner.invoke(main, ["ledger", "copy", "--from", str(db), "--to", pg_url])
    assert again.exit_code == 1 and "is not empty" in again.output


def test_status_says_when_the_ledger_is_unreachable() -> None:
    result = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"}).invoke(
        main,
        ["-f", MINIMAL, "status", "--db", "postgresql://calendar:pw@127.0.0.1:1/ledger"],
    )
    assert result.exit_code == 1
    # The schedule's recorded event dates are read from the ledger first: that says it.
    assert result.output.startswith(
        "Error: ledger postgresql://calendar:***@127.0.0.1:1/ledger is unreachable: "
    )
    assert "Traceback" not in result.output


def test_done_through_the_environment_variable(tmp_path: Path, ledger_db: str) -> None:
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00", "DISCLOSURE_CALENDAR_DB": ledger_db})
    result = runner.invoke(main, ["-f", MINIMAL, "done", UID, "--on", "2026-04-10"])
    assert result.exit_code == 0, result.output
    with Ledger(ledger_db) as ledger:
        assert list(ledger.done()) == [UID]
