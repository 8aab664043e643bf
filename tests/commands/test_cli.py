"""The command line as a user meets it: output, exit codes, help, no tracebacks."""

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import cli
from disclosure_calendar.schedule.cachefiles import ENV as CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
BAD = ROOT / "tests" / "data" / "bad"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["-f", str(SCHEDULE), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_validate_bundled_schedule():
    code, out = run("validate")
    assert code == 0
    assert re.fullmatch(
        r".*schedule\.yaml: OK: 66 units, 3 groups, 138 duties in 22 sections \(53 dated\); "
        r"66 self-checks of standing duties; 14 group members to be confirmed \(departments 14\); "
        r"2 plans: zs2017: 134 duties, regulations: 4 duties\n",
        out,
    )


def test_validate_lists_every_problem_and_exits_1():
    result = CliRunner().invoke(cli.main, ["-f", str(BAD / "several_problems.yaml"), "validate"])
    assert result.exit_code == 1
    assert "Error: 3 problems found:" in result.output
    assert "several_problems.yaml:17:13: duty 'budget': unknown unit or group 'cz'" in result.output
    assert "Traceback" not in result.output


def test_units_counts_duties_through_groups():
    code, out = run("units")
    assert code == 0
    shiqi = next(line for line in out.splitlines() if line.startswith("shiqi "))
    # 石岐区 leads nothing by name; it inherits every duty of 各镇区 (towns), and has its own
    # quarterly self-check of the standing ones; the Regulations' 26.1 and 49.2 reach it too.
    towns = next(line for line in out.splitlines() if line.startswith("towns "))
    assert towns.split()[-1] == "14"
    assert shiqi.split()[-1] == "15"


def test_duties_filters_and_json():
    code, out = run("duties", "--unit", "finance", "--cadence", "monthly", "--json")
    assert code == 0
    duties = json.loads(out)
    assert [d["ref"] for d in duties] == ["1.3"]
    assert duties[0]["rule"] == "workdays_after_period"
    assert duties[0]["plan"] == "zs2017"
    code, out = run("duties", "--unit", "finance", "--cadence", "yearly", "--json")
    plans = {d["ref"]: d["plan"] for d in json.loads(out)}
    assert plans["49.1"] == "regulations" and "49.3" not in plans
    code, out = run("duties", "--unit", "shiqi", "--json")
    assert "5.7" in {d["ref"] for d in json.loads(out)}  # reaches 石岐区 through 各镇区


def test_unknown_unit_is_a_clear_error():
    code, out = run("duties", "--unit", "cz")
    assert code == 1
    assert "unknown unit or group 'cz'" in out


def commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names.extend(commands(command, f"{prefix}{name} "))
    return names


@pytest.mark.parametrize("command", commands(cli.main))
def test_every_command_has_help_and_is_in_readme(command):
    result = CliRunner().invoke(cli.main, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3
    assert f"disclosure-calendar {command}" in (ROOT / "README.md").read_text()


def test_script_and_module_behave_the_same():
    module = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "-f", str(SCHEDULE), "validate"],
        capture_output=True,
        text=True,
    )
    script = subprocess.run(
        [str(Path(sys.executable).parent / "disclosure-calendar"), "-f", str(SCHEDULE), "validate"],
        capture_output=True,
        text=True,
    )
    assert module.returncode == script.returncode == 0
    assert module.stdout == script.stdout


def test_version():
    result = CliRunner().invoke(cli.main, ["--version"])
    assert result.output.startswith("disclosure-calendar, version ")


def test_workdays_check_says_why():
    code, out = run("--lang", "zh", "workdays", "check", "2017-09-30")
    assert code == 0
    assert out.startswith("2017-09-30 星期六：工作日（调休上班）\n")
    assert "国务院办公厅关于2017年部分节假日安排的通知" in out
    code, out = run("workdays", "check", "2017-09-30")  # English (the tests' language)
    assert out.startswith(
        "2017-09-30 Saturday: working day (make-up working day)\n"
        "2017-09-30 (Saturday) is a make-up working day: National Day: make-up working day. "
        "Source: 《国务院办公厅关于2017年部分节假日安排的通知》 (国办发明电〔2016〕14号), "
        "published 2016-12-01."
    ), out


def test_workdays_add_the_plans_deadline():
    code, out = run("--lang", "zh", "workdays", "add", "2017-06-09", "30")
    assert (code, out) == (0, "2017-06-09 后第 30 个工作日：2017-07-21（星期五）\n")
    code, out = run("workdays", "add", "2017-06-09", "30")
    assert (code, out) == (0, "working day 30 after 2017-06-09: 2017-07-21 (Friday)\n")


def test_workdays_between_counts_both_ends():
    # October 2026: 31 days, National Day 1-7 off, Saturday the 10th a make-up day.
    code, out = run("--lang", "zh", "workdays", "between", "2026-10-01", "2026-10-31")
    assert (code, out) == (0, "2026-10-01 至 2026-10-31（含首尾）共 18 个工作日\n")
    code, out = run("workdays", "between", "2026-10-01", "2026-10-31")
    assert (code, out) == (0, "2026-10-01 to 2026-10-31 (both counted): 18 working days\n")


def test_workdays_year_in_english_names_the_holidays():
    code, out = run("workdays", "year", "2026")
    assert code == 0
    assert out.startswith("Working-day calendar 2026\n  Source: 《国务院办公厅关于2026年")
    assert "  2026-10-01 Thursday  National Day\n" in out
    assert (
        "\nMake-up working days:\n  2026-01-04 Sunday  New Year's Day: make-up working day" in out
    )
    assert not re.search(r"[\u4e00-\u9fff]", out.replace(out.splitlines()[1], "")), out


def test_workdays_year_json_and_provisional_warning():
    code, out = run("workdays", "year", "2026", "--json")
    report = json.loads(out)
    assert report["provisional"] is False
    assert "2026-10-10" in {d["date"] for d in report["makeup_days"]}
    code, out = run("--lang", "zh", "workdays", "check", "2027-02-08")
    assert "2027年放假安排通知尚未录入" in out
    code, out = run("workdays", "check", "2027-02-08")
    assert "the 2027 holiday notice is not entered yet" in out


def test_workdays_outside_range_is_a_clear_error():
    code, out = run("workdays", "check", "2003-01-01")
    assert code == 1
    assert "outside the supported range" in out


def _console(*args: str, before: str = "", **kwargs: object) -> subprocess.CompletedProcess[str]:
    """The console script's way in (cli.run), as a user's shell starts it."""
    env = {"PATH": "/usr/bin:/bin", "DISCLOSURE_CALENDAR_LANG": "zh", "PYTHONPATH": str(ROOT)}
    env[CACHE_ENV] = os.environ[CACHE_ENV]  # the run's own cache (tests/conftest.py)
    return subprocess.run(
        [sys.executable, "-c", f"{before}import cli; cli.run()", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120, **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["validate"], 0, "正常：66 个单位"),
        (["-f", str(BAD / "several_problems.yaml"), "validate"], 1, "错误：发现 3 个问题："),
        (["nosuch"], 2, "没有这个命令：'nosuch'"),
        (["--version"], 0, "disclosure-calendar，版本"),
    ],
    ids=["ok", "bad-input", "usage", "version"],
)
def test_the_console_script_ends_with_the_commands_status_and_all_its_output(args, code, says):
    done = _console(*args)
    assert done.returncode == code, done.stderr
    assert says in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_command_that_ends_runs_without_the_cyclic_collector():
    # Seen from an exit handler: those run after the command, before the process ends.
    report = "import atexit, gc, sys; atexit.register(lambda: print('gc', gc.isenabled()));"
    done = _console("validate", before=report)
    assert done.returncode == 0 and done.stdout.endswith("gc False\n")


@pytest.mark.parametrize(
    "args",
    [
        ["daemon", "--once", "--contacts", "/nonexistent/contacts.yaml"],
        ["serve", "--host", "256.0.0.1"],
    ],
    ids=["daemon", "serve"],
)
def test_commands_that_run_until_stopped_collect_garbage_cycles(args, tmp_path):
    gc.disable()  # as the console script leaves it
    try:
        result = CliRunner().invoke(cli.main, [*args, "--db", str(tmp_path / "ledger.db")])
        assert result.exit_code == 1, result.output  # stopped early: the collector is on first
        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_console_script_writes_every_line_into_a_pipe_and_stops_quietly_when_it_closes():
    whole = _console("agenda", "--year", "2026")
    assert whole.returncode == 0 and whole.stdout.count("\n") > 800
    assert whole.stdout.rstrip().endswith("政府网站年终考评")
    # A reader that stops after a few lines (`| head`): no traceback.
    shell = f"{sys.executable} -c 'import cli; cli.run()' agenda --year 2026 | head -2"
    cut = subprocess.run(
        ["sh", "-c", shell], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), CACHE_ENV: os.environ[CACHE_ENV]},
    )  # fmt: skip
    assert cut.stdout.count("\n") == 2 and "Traceback" not in cut.stderr
