"""`ledger status`, `ledger upgrade`, `ledger copy`, DISCLOSURE_CALENDAR_DB, and a ledger that is
not there when `status` needs it."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
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
    assert f"--db {tmp_path / 'none.db'}: there is no ledger here." in result.output


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


# -- ledgers that are not whole, and addresses that are no ledger ------------------------------

WRITERS = [
    ["ledger", "upgrade"],
    ["-f", MINIMAL, "done", UID],
    ["-f", MINIMAL, "undone", UID],
    ["-f", MINIMAL, "event", "add", "repealed-files", "2026-04-01"],
    ["-f", MINIMAL, "remind", "--at", "2026-04-07T09:00"],
]


def damaged_ledger(tmp_path: Path) -> Path:
    """A ledger with a done mark, its `done` table's page then overwritten (a bad disk block)."""
    db = tmp_path / "damaged.db"
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    assert runner.invoke(main, ["-f", MINIMAL, "done", UID, "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'done'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    data[(page - 1) * size + 8 : (page - 1) * size + 40] = b"\xff" * 32  # its cell pointers
    db.write_bytes(bytes(data))
    return db


def test_a_damaged_ledger_is_refused_by_status_upgrade_and_every_writer(tmp_path: Path) -> None:
    """`ledger upgrade` said "up to date" on a file failing SQLite's integrity check and `done`
    wrote into it."""
    db = damaged_ledger(tmp_path)
    before = db.read_bytes()
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    for args in (["ledger", "status"], *WRITERS):
        result = runner.invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith(f"Error: {db}: the ledger is damaged ("), result.output
        assert "nothing was written to it" in result.output
        assert "Traceback" not in result.output
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    zh = runner.invoke(main, ["--lang", "zh", "ledger", "status", "--db", str(db)])
    assert zh.output.startswith(f"错误：{db}：台账文件已损坏（"), zh.output
    assert "未写入任何内容" in zh.output


def test_an_empty_file_is_not_taken_for_a_new_ledger(tmp_path: Path) -> None:
    db = tmp_path / "zero.db"
    db.touch()
    os.utime(db, (time.time() - 3600, time.time() - 3600))  # not one being created right now
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    for args in (["ledger", "status"], ["-f", MINIMAL, "status"], *WRITERS):
        result = runner.invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 1, (args, result.output)
        assert result.output == (
            f"Error: {db} is an empty file (0 bytes), not a ledger. If it was the ledger, restore "
            "it from a backup; to start a new ledger, delete the empty file\n"
        )
    assert db.stat().st_size == 0


@pytest.mark.parametrize("what", ["folder", "schedule"])
def test_db_naming_a_folder_or_another_file(tmp_path: Path, what: str) -> None:
    db = tmp_path if what == "folder" else Path(MINIMAL)
    before = Path(MINIMAL).read_bytes()
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    for args in (["ledger", "status"], ["-f", MINIMAL, "status"], *WRITERS):
        result = runner.invoke(main, ["--lang", "zh", *args, "--db", str(db)])
        assert result.exit_code == 1, (args, result.output)
        expected = {
            "folder": f"错误：--db {db} 是文件夹，不是台账文件；请指定一个文件，例如 "
            f"{db / 'disclosure-calendar.db'}\n",
            "schedule": f"错误：--db {db} 不是台账（不是 SQLite 数据库）；--db 应指向台账文件"
            "（日程表旁的 disclosure-calendar.db）或 postgresql:// 地址\n",
        }[what]
        assert result.output == expected
    assert Path(MINIMAL).read_bytes() == before
    assert list(tmp_path.iterdir()) == []


def test_postgresql_without_the_database_or_the_server(pg_server: str) -> None:
    url = sa.make_url(pg_server)
    missing = url.set(database="no_such_ledger", password="s3cret-pw").render_as_string(
        hide_password=False
    )
    refused = "postgresql://calendar:s3cret-pw@127.0.0.1:1/ledger"
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    for args in (["ledger", "status"], ["-f", MINIMAL, "done", UID]):
        result = runner.invoke(main, ["--lang", "zh", *args, "--db", missing])
        assert result.exit_code == 1
        assert "该服务器上不存在数据库 no_such_ledger" in result.output, result.output
        assert "createdb no_such_ledger" in result.output
        result = runner.invoke(main, ["--lang", "zh", *args, "--db", refused])
        assert result.exit_code == 1
        assert result.output == (
            "错误：台账 postgresql://calendar:***@127.0.0.1:1/ledger 无法连接：127.0.0.1:1 "
            "没有响应（PostgreSQL 是否在那里运行，地址中的端口是否正确？）\n"
        )
        assert "s3cret-pw" not in result.output


READERS = [
    ["-f", MINIMAL, "status"],
    ["-f", MINIMAL, "event", "list"],
    ["-f", MINIMAL, "agenda", "--year", "2026"],
    ["-f", MINIMAL, "build", "--year", "2026", "-o", "OUT"],
    ["-f", MINIMAL, "remind", "--at", "2026-04-07T09:00", "--dry-run"],
    ["-f", MINIMAL, "access", "list"],
    ["ledger", "status"],
]


def test_commands_that_only_read_refuse_a_ledger_file_that_is_not_there(tmp_path: Path) -> None:
    """A mistyped --db read as an empty ledger: nothing done, no events, every unit behind."""
    missing = tmp_path / "ledgr.db"
    runner = CliRunner(env={CLOCK_ENV: "2026-04-20T10:00"})
    for args in READERS:
        args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
        result = runner.invoke(main, ["--lang", "zh", *args, "--db", str(missing)])
        assert result.exit_code == 1, (args, result.output)
        assert result.output == (
            f"错误：--db {missing}：这里没有台账。请检查路径（或 DISCLOSURE_CALENDAR_DB）；台账由第一条"
            "写入台账的命令建立：done、event add、remind、daemon 或 serve\n"
        ), args
    assert list(tmp_path.iterdir()) == []
    # a command that writes starts the ledger there, as before
    done = runner.invoke(main, ["-f", MINIMAL, "done", UID, "--db", str(missing)])
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["-f", MINIMAL, "status", "--db", str(missing)]).exit_code == 0
