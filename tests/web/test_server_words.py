"""serve's own lines and uvicorn's in the office's language; the access log in uvicorn's format."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from webportal import SECRET, build_site

from disclosure_calendar.core.i18n import gettext as _
from disclosure_calendar.core.i18n import speaking
from disclosure_calendar.web.serverlog import KNOWN, say

CLI = Path(__file__).resolve().parents[2] / "cli.py"
# a line with no English word: Latin letters only in a URL, a path, an acronym (HTTP, SIGTERM)
ENGLISH_WORD = re.compile(r"(?<![\w/.:-])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![\w/.:-])")
ACCESS = re.compile(r'^INFO: +127\.0\.0\.1:\d+ - "GET /finance\.ics HTTP/1\.1" 200 OK$')


def _serve(tmp_path: Path, lang: str) -> tuple[str, str]:
    schedule_path, out = build_site(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DISCLOSURE_CALENDAR_SECRET": SECRET.decode()}
    env["DISCLOSURE_CALENDAR_LANG"] = lang
    args = [sys.executable, str(CLI), "-f", str(schedule_path), "serve", "-o", str(out)]
    args += ["--db", str(tmp_path / "ledger.db"), "--port", str(port)]
    server = subprocess.Popen(
        args, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/finance.ics", timeout=5):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=15)
    assert server.returncode == 0, stderr
    return stdout, stderr


def test_serve_speaks_chinese_and_keeps_the_standard_access_log(tmp_path: Path) -> None:
    stdout, stderr = _serve(tmp_path, "zh")
    lines = (stdout + stderr).splitlines()
    access = [line for line in lines if line.startswith("INFO:")]
    others = [line for line in lines if not line.startswith("INFO:")]
    assert len(access) == 1 and ACCESS.match(access[0]), access
    assert any(line.startswith("正在发布 ") and "（按 Ctrl-C 停止）" in line for line in others)
    assert any(re.fullmatch(r"信息：服务器进程 \d+ 已启动", line) for line in others), others
    assert any(line.startswith("信息：正在监听 http://127.0.0.1:") for line in others), others
    assert "信息：正在停止" in others
    for line in others:
        assert not ENGLISH_WORD.search(line.replace("Ctrl-C", "")), line


def test_serve_in_english_with_lang_en(tmp_path: Path) -> None:
    stdout, stderr = _serve(tmp_path, "en")
    assert "serving " in stdout + stderr and "info: shutting down" in stderr


@pytest.mark.parametrize(("pattern", "msgid"), KNOWN, ids=[m for _p, m in KNOWN])
def test_every_known_uvicorn_line_is_said_in_chinese(pattern: re.Pattern[str], msgid: str) -> None:
    samples = {
        "pid": "42", "url": "http://127.0.0.1:8000", "signal": "TERM",
    }  # fmt: skip
    english = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples[m[1]], pattern.pattern)
    english = english.replace("\\", "")
    with speaking("zh"):
        said = say(english, _)
    assert said != english and not ENGLISH_WORD.search(said.replace("Ctrl-C", "")), said
