"""The daemon's log in the office's language: every ``msg=`` of every thread, event ids as they were.

The scheduler runs each send time and each reload in a worker thread; a thread starts with an
empty context, so before ``in_this_language`` those lines spoke English while ``remind`` spoke
Chinese. Run here as a user runs it: ``daemon`` in its own process, on a simulated clock.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disclosure_calendar.core.i18n import gettext as _
from disclosure_calendar.core.i18n import speaking
from disclosure_calendar.reminders.clock import CLOCK_ENV
from disclosure_calendar.reminders.logs import EVENTS

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
LINE = re.compile(r"^ts=\S+ level=\w+ logger=\S+ event=(?P<event>[\w-]+) msg=(?P<msg>\S+)")
# Chinese words and full-width punctuation; no Latin letters
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _wait_for(path: Path, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(encoding="utf-8"):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged:\n{path.read_text(encoding='utf-8')}")
        time.sleep(0.02)


def test_daemon_logs_every_msg_in_chinese_in_every_thread(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text("version: 1\n", encoding="utf-8")  # everything to the log channel
    log = tmp_path / "daemon.log"
    # April 6 08:59 to April 10 10:00 in about 6 s: three send times with reminders
    clock = f"scaled:2026-04-06T08:59/2026-04-10T10:00@{time.time() + 1.5}x60000"
    env = {**os.environ, "DISCLOSURE_CALENDAR_LANG": "zh", CLOCK_ENV: clock}
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "-f", str(MINIMAL), "daemon",
             "--db", str(tmp_path / "l.db"), "--contacts", str(contacts)],
            env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=tmp_path,
        )  # fmt: skip
    try:
        _wait_for(log, "event=sleep")
        contacts.write_text("version: 1\nunits:\n\tfinanse: []\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)  # reloaded in the scheduler's worker thread
        _wait_for(log, "event=reload-failed")
        contacts.write_text("version: 1\n", encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        _wait_for(log, "event=reloaded")
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = log.read_text(encoding="utf-8").splitlines()
    seen = {}
    for line in lines:
        match = LINE.match(line)
        assert match, f"a line without msg=: {line}"
        seen.setdefault(match["event"], match["msg"])
    assert set(seen) >= {
        "loaded", "started", "sleep", "message", "sent", "run",
        "reload-failed", "reloaded", "clock-end", "stopped",
    }  # fmt: skip
    with speaking("zh"):
        for event, msg in seen.items():
            assert msg == _(EVENTS[event]) and CHINESE.fullmatch(msg), (event, msg)
    # the schedule or contacts error itself, from the worker thread, in Chinese too
    (failed,) = [line for line in lines if "event=reload-failed" in line]
    assert "这里有制表符（Tab）：用空格缩进，不要用制表符" in failed, failed
    # the reminder's text and subject are Chinese (made in the worker thread)
    assert any("subject=【政务公开提醒】" in line for line in lines)


def _logged_event_ids() -> set[str]:
    """Every event id the reminders package logs: log_event(level, "id", ...) and log.x("id")."""
    ids = set()
    for path in (ROOT / "disclosure_calendar" / "reminders").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(
                node.func, ast.Attribute | ast.Name
            ):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            is_log = isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            if name == "log_event" and len(node.args) >= 2:
                arg = node.args[1]
            elif is_log and node.func.value.id == "log" and name in (  # type: ignore[union-attr]
                "info", "warning", "error", "exception", "debug"
            ) and node.args:  # fmt: skip
                arg = node.args[0]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                ids.add(arg.value)
    return ids


def test_every_logged_event_has_words_in_both_languages() -> None:
    ids = _logged_event_ids()
    assert {"message", "reload-failed", "retry", "failed"} <= ids  # the walk finds them
    assert ids <= set(EVENTS), sorted(ids - set(EVENTS))
    with speaking("zh"):
        for event in ids:
            assert CHINESE.search(_(EVENTS[event])), event


@pytest.mark.parametrize("lang", ["en"])
def test_english_log_with_lang_en(tmp_path: Path, lang: str) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text("version: 1\n", encoding="utf-8")
    env = {**os.environ, CLOCK_ENV: "warp:2026-04-06T08:59/2026-04-07T10:00"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "--lang", lang, "-f", str(MINIMAL), "daemon",
         "--db", str(tmp_path / "l.db"), "--contacts", str(contacts)],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "event=sent msg=sent " in result.stderr
    assert 'event=sleep msg="waiting for the next send time"' in result.stderr
