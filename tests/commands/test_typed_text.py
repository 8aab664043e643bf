"""Control characters in event notes (issue 31, item 3): `event add --note` stores them
cleaned, `event list` and the feeds never show them, a ledger that holds one from an older
version still builds, lists and copies to PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from disclosure_calendar.feeds.ical import escape
from disclosure_calendar.ledger import Ledger
from disclosure_calendar.reminders.clock import CLOCK_ENV

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = str(DATA / "minimal.yaml")
RAW = "停\x00止\x07执行\x1b[31m红\x1b[0m。"
CLEAN = "停 止 执行 [31m红 [0m。"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={CLOCK_ENV: "2026-11-25T10:00"}).invoke(main, ["-f", MINIMAL, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_event_add_cleans_the_note_and_event_list_shows_it_clean(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    code, out = run("event", "add", "5.7", "2026-11-02", "--note", RAW, "--db", db)
    assert code == 0, out
    with Ledger(db) as ledger:
        assert ledger.events()[0].note == CLEAN
    code, out = run("event", "list", "--db", db)
    assert code == 0 and CLEAN in out and "\x1b" not in out and "\x00" not in out


def _old_ledger(tmp_path: Path) -> str:
    """A ledger written before notes were cleaned: the raw note straight in the table."""
    db = str(tmp_path / "old.db")
    assert run("event", "add", "5.7", "2026-11-02", "--note", "x", "--db", db)[0] == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET note = ?", (RAW,))
    return db


def test_an_old_raw_note_builds_a_clean_feed_and_lists_clean(tmp_path: Path) -> None:
    db = _old_ledger(tmp_path)
    out = tmp_path / "out"
    code, text = run("build", "-o", str(out), "--db", db)
    assert code == 0, text
    feed = (out / "all.ics").read_bytes()
    assert "停 止 执行 [31m红 [0m。".encode() in feed.replace(b"\r\n ", b"")
    assert not any(b in feed for b in (b"\x00", b"\x07", b"\x1b"))
    code, text = run("event", "list", "--db", db)
    assert code == 0 and CLEAN in text and "\x1b" not in text


def test_ledger_copy_moves_an_old_raw_note_to_postgresql(tmp_path: Path, pg_url: str) -> None:
    db = _old_ledger(tmp_path)
    code, out = run("ledger", "copy", "--from", db, "--to", pg_url)
    assert code == 0, out
    with Ledger(pg_url) as ledger:
        assert ledger.events()[0].note == CLEAN


def test_the_feed_writer_refuses_what_slipped_through() -> None:
    assert escape("a\tb\nc;d") == "a\tb\\nc\\;d"
    with pytest.raises(AssertionError, match="control character"):
        escape("停\x00止")
