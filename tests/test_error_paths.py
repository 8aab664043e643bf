"""The mistakes a new user made in the trial of issue 11: each ends in one clear line, exit 1.

Run in Chinese (the default) and checked for the message, the exit code and no traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from disclosure_calendar.reminders.clock import parse_instant

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE = ROOT / "schedule.yaml"
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
CLOCK = {"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-05-06T10:00"}


def run(*args: str, schedule: Path = SCHEDULE, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(
        cli.main,
        ["-f", str(schedule), *args],
        env={"DISCLOSURE_CALENDAR_LANG": "zh", **(env or {})},
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def fails(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"错误：{message}" in result.output, result.output


@pytest.mark.parametrize("command", ["build", "print"])
def test_output_folder_that_is_a_file(tmp_path: Path, command: str) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    fails(run(command, "--year", "2026", "-o", str(target)), f"{target} 不是文件夹")
    assert target.read_text() == "x"


@pytest.mark.parametrize("command", ["build", "print"])
def test_output_folder_dev_null(command: str) -> None:
    fails(run(command, "--year", "2026", "-o", "/dev/null"), "/dev/null 不是文件夹")


@pytest.mark.parametrize(
    ("command", "folder"),
    [("build", "/proc/no-such/out"), ("print", "/sys/no-such/out"), ("build", "/proc/out")],
)
def test_output_folder_under_a_special_file_system(command: str, folder: str) -> None:
    result = (
        run(command, "--year", "2026", "--format", "html", "-o", folder)
        if (command == "print")
        else run(command, "--year", "2026", "-o", folder)
    )
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    # the first folder that could not be made is named
    assert line.startswith(f"错误：/{folder.split('/')[1]}/")
    assert any(
        reason in line for reason in ("没有这个文件或文件夹", "不允许此操作", "没有权限", "只读")
    ), line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_folder_read_only(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        result = run("build", "--year", "2026", "-o", str(tmp_path / "out"))
    finally:
        tmp_path.chmod(0o755)
    fails(result, f"{tmp_path / 'out'}：没有权限")


def test_output_folder_on_a_read_only_file_system() -> None:
    # /sys is mounted read-only in containers, and refuses new folders everywhere
    result = run("build", "--year", "2026", "-o", "/sys/out")
    assert result.exit_code == 1
    assert result.output.startswith("错误：/sys/out：")


def test_serve_on_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "-o", str(ROOT / "tests" / "data"))
    fails(result, f"无法在 127.0.0.1 的 {port} 端口监听：地址已被占用")


def test_serve_on_an_unknown_host() -> None:
    result = run("serve", "--host", "no-such-host.invalid", "-o", str(ROOT / "tests"))
    fails(result, "无法在 no-such-host.invalid 的 8000 端口监听：未知的主机")


def test_workdays_add_negative_n_without_double_dash() -> None:
    result = run("workdays", "add", "2026-10-08", "-5")
    assert result.exit_code == 0, result.output
    # Oct 1-7 are the National Day holiday; Sep 28 (Mon) back to Sep 30 count
    assert "2026-09-23" in result.output


def test_workdays_between_reversed() -> None:
    fails(
        run("workdays", "between", "2026-10-08", "2026-10-01"),
        "B 2026年10月1日 早于 A 2026年10月8日：请先写较早的日期",
    )


def test_base_url_not_http(tmp_path: Path) -> None:
    fails(
        run("build", "--year", "2026", "-o", str(tmp_path), "--base-url", "ftp://x.example"),
        "--base-url 'ftp://x.example' 不是 http(s) 网址",
    )
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["status", "done 1.3 2026-03"])
def test_db_in_a_folder_that_does_not_exist(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-folder" / "ledger.db"
    fails(
        run(*command.split(), "--db", str(missing), env=CLOCK),
        f"--db {missing}：文件夹 {missing.parent} 不存在",
    )


def test_done_on_a_future_date(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    fails(
        run("done", "1.3", "2026-03", "--on", "2026-05-07", "--db", str(db), env=CLOCK),
        "--on 2026年5月7日 是将来的日期（今天是2026年5月6日）",
    )
    ok = run("done", "1.3", "2026-03", "--on", "2026-04-14", "--db", str(db), env=CLOCK)
    assert ok.exit_code == 0
    assert "2026年4月14日公开，按时" in ok.output


def test_a_second_done_says_which_record_it_replaced(tmp_path: Path) -> None:
    """done typed twice, the second time without --on, turns an on-time record late: say so."""
    db = tmp_path / "ledger.db"
    first = ("done", "1.3", "2026-03", "--db", str(db))
    url = "https://www.example.gov.cn/czj/2026-03.html"
    ok = run(*first, "--on", "2026-04-14", "--url", url, env=CLOCK)
    assert ok.exit_code == 0 and "替换" not in ok.output, ok.output
    again = run(*first, env=CLOCK)
    assert again.exit_code == 0
    assert again.output.splitlines()[1:] == [
        f"（此前的完成记录已被替换：原为2026年4月14日公开 {url}）"
    ], again.output
    assert "2026年5月6日公开，逾期（截止日期2026年4月15日）" in again.output


def test_agenda_year_outside_the_calendar() -> None:
    fails(run("agenda", "--year", "3000"), "--year 3000：工作日日历只覆盖 2004 至 2098 年")


def test_remind_at_outside_the_calendar() -> None:
    fails(
        run("remind", "--at", "2100-01-05", "--dry-run"),
        "--at 2100-01-05：工作日日历只覆盖 2004 至 2098 年",
    )


def test_a_date_alone_means_the_reminder_time() -> None:
    zone = "Asia/Shanghai"
    nine = parse_instant("2026-04-14", zone, at_time=dt.time(9, 0))
    assert nine.isoformat() == "2026-04-14T09:00:00+08:00"
    assert parse_instant("2026-04-14T07:30", zone, at_time=dt.time(9, 0)).hour == 7
    assert parse_instant("2026-04-14", zone).hour == 0  # no remind_at given: midnight


def test_remind_at_a_date_sends_at_nine() -> None:
    result = run("remind", "--at", "2026-04-14", "--dry-run", schedule=MINIMAL)
    assert result.exit_code == 0, result.output
    assert "2026年4月14日 星期二 09:00" in result.output


def test_english_on_request() -> None:
    result = CliRunner().invoke(
        cli.main,
        ["-f", str(SCHEDULE), "agenda", "--year", "3000"],
        env={"DISCLOSURE_CALENDAR_LANG": "en"},
    )
    assert result.exit_code == 1
    assert "Error: --year 3000: the working-day calendar covers 2004 to 2098" in result.output


@pytest.mark.skipif(
    not Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists(),
    reason="the print font (fonts-noto-cjk) is not installed",
)
def test_validate_finds_a_character_the_print_font_lacks() -> None:
    # 鿰 (U+9FF0, Unicode 13) is newer than Noto Sans CJK SC 2.004
    path = ROOT / "tests" / "data" / "glyph_missing_in_print_font.yaml"
    fails(
        run("validate", schedule=path),
        f"发现 1 个问题：\n{path}:36:24: 打印字体 Noto Sans CJK SC 中没有“鿰”（U+9FF0）的字形",
    )


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6(), reason="no IPv6 loopback here")
@pytest.mark.parametrize("host", ["::1", "::"])
def test_serve_on_ipv6(tmp_path: Path, host: str) -> None:
    import http.client
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    out.mkdir()
    (out / "all.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    args = [sys.executable, str(ROOT / "cli.py"), "-f", str(SCHEDULE), "serve", "-o", str(out)]
    args += ["--host", host, "--port", str(port), "--quiet", "--db", str(tmp_path / "l.db")]
    env = {**os.environ, "DISCLOSURE_CALENDAR_LANG": "zh"}
    env.pop("DISCLOSURE_CALENDAR_SECRET", None)
    server = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            connection = http.client.HTTPConnection("::1", port, timeout=5)
            try:
                connection.request("GET", "/all.ics")
                response = connection.getresponse()
                body = response.read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
            finally:
                connection.close()
        assert response.status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=15)
    assert "Traceback" not in stderr
    assert "没有密钥" in stderr  # the portal's notice, in Chinese


def test_build_outside_the_plan_s_folder_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default -f schedule.yaml is relative: the message names the folder it looked in."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["build"], env={"DISCLOSURE_CALENDAR_LANG": "zh"})
    assert result.exit_code == 1
    assert f"schedule.yaml:1:1: 文件夹 {tmp_path} 里没有这个文件" in result.output, result.output
    assert not (tmp_path / "out").exists()  # nothing half-made
