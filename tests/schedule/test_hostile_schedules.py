"""Schedules an adversary would write: empty values, odd tags, absurd dates, long group chains.

Each must end in a clear problem naming file:line through the real CLI, never in a traceback,
and never in a `validate` that passes while a duty of the file is missing from the model.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from itertools import zip_longest
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import cli
from disclosure_calendar.core.errors import InputError
from disclosure_calendar.schedule.groups import MAX_GROUP_DEPTH
from disclosure_calendar.schedule.loader import load_schedule
from disclosure_calendar.schedule.model import Group, Schedule

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["-f", str(path), "validate"])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exc_info
    return result.exit_code, result.output


def variant(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The minimal schedule with ``old`` replaced, and the line of the replacement's key."""
    text = MINIMAL.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "schedule.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    first = text[: text.index(old)].count("\n") + 1
    # The problem sits on the line whose value is wrong: the one that differs from ``old``.
    changed = next(
        i for i, (a, b) in enumerate(zip_longest(old.split("\n"), new.split("\n"))) if a != b
    )
    return path, first + changed


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    title: 一般公共预算收支完成情况", "    title:", "title must not be empty"),
        ("    text: 按月公开全市一般公共预算收支完成情况。", "    text:", "text must not be empty"),
        ('    ref: "1.3"', "    ref:", "ref must not be empty"),
        ("    basis: 按月\n", "    basis: ~\n", "basis must not be empty"),
        ("    cadence: monthly\n    basis: 按月", "    cadence:\n    basis: 按月", "cadence must not be empty"),
        ("  - id: budget-execution", "  - id:", "duty id must not be empty"),
        ("      - {date: 2026-03-02, note: 测试}", "      - {date: }", "event date must not be empty"),
        ("  timezone: Asia/Shanghai", "  timezone:", "plan.timezone must not be empty"),
        ("    assumed: true\n    assumption: 季后两周内公布", "    assumed:\n    assumption: x", "assumed must not be empty"),
        ("  - id: budget-execution", "  - id: !!timestamp x", "duty id: 'x' is not a valid date"),
        ("  issued: 2017-06-09", "  issued: 9999-12-31", "plan.issued: 9999-12-31 is outside the years 2004-2099"),
        ("  issued: 2017-06-09", "  issued: 1999-12-31", "plan.issued: 1999-12-31 is outside the years 2004-2099"),
        ("      - {date: 2026-03-02, note: 测试}", "      - {date: 2100-01-01}", "event date: 2100-01-01 is outside the years 2004-2099"),
        ("  base_url: https://cal.test.example/feeds/", "  base_url: https://cal.test.example/feeds/\n  end: 2016-01-01", "plan.end: 2016-01-01 is before the plan was issued (2017-06-09)"),
        ("    assumption: 财政部门通常在次月中旬发布", "    assumption: 财政部门通常在次月中旬发布\n    end: 2017-01-01", "duty 'budget-execution': end 2017-01-01 is before the plan was issued (2017-06-09): the duty would have no dates"),
        ("    title: 粮油价格信息", '    title: "粮油\\0价格信息"', "duty 'grain-oil-prices': title holds the control character U+0000; remove it"),
        ("    title: 水质排名", '    title: "水质\\e排名"', "duty 'water-ranking': title holds the control character U+001B; remove it"),
        ("  - {id: shiqi, name: 石岐区, kind: town}", "  - {id: shiqi, name: 石岐区, kind: town}\n  - {id: coordinator, name: 协调处}", "unit id 'coordinator' is reserved (coordinator: the coordinator's reminders; all: all.ics, the feed of every unit); choose another id"),
        ("  - {id: shiqi, name: 石岐区, kind: town}", "  - {id: shiqi, name: 石岐区, kind: town}\n  - {id: all, name: 全部}", "unit id 'all' is reserved"),
        ("    due: {rule: workdays_after_date, date: 2017-06-09, n: 30}", "    due: {rule: fixed_date, date: 2004-01-01, roll: preceding}", "duty 'concrete-measures': due: 2004年1月1日（遇节假日提前至其前最后一个工作日） gives no working day within the calendar's years 2004-2099"),
        ("    due: {rule: workdays_after_date, date: 2017-06-09, n: 30}", "    due: {rule: workdays_after_date, date: 2099-12-01, n: 30}", "duty 'concrete-measures': due: 2099-12-01后第30个工作日 gives no working day"),
        ("  issued: 2017-06-09", "  issued: !!timestamp x", "plan.issued: 'x' is not a valid date"),
        ("    units: [economy_it]", "    units: [economy_it, economy_it, economy_it]", "duty 'electricity-market': 'economy_it' is listed twice in units (first on line 48)"),
    ],
    ids=[
        "empty-title", "empty-text", "empty-ref", "null-basis", "empty-cadence", "empty-id",
        "empty-event-date", "empty-timezone", "empty-assumed", "timestamp-tag-on-id",
        "issued-9999", "issued-1999", "event-2100", "plan-end-before-issued",
        "duty-end-before-issued", "nul-in-title", "esc-in-title", "unit-coordinator", "unit-all",
        "fixed-date-before-2004", "after-date-beyond-2099", "timestamp-tag-no-groupdict",
        "unit-listed-three-times",
    ],
)  # fmt: skip
def test_bad_value_is_an_error_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path, line = variant(tmp_path, old, new)
    code, output = validate(path)
    assert code == 1, output
    assert "Traceback" not in output
    assert "object has no attribute" not in output  # Python's words, not ours
    assert re.search(rf"{re.escape(str(path))}:{line}:\d+: .*{re.escape(message)}", output), output


def duty_ids(path: Path) -> set[str]:
    return {d["id"] for d in yaml.safe_load(path.read_text(encoding="utf-8"))["duties"]}


@pytest.mark.parametrize("schedule", ["schedule.yaml", "tests/data/minimal.yaml"])
def test_every_duty_of_the_file_is_in_the_model(schedule: str) -> None:
    # The model may hold more: each unit's self-check is generated from `review:` (issue 10).
    path = ROOT / schedule
    assert duty_ids(path) <= {d.id for d in load_schedule(path).duties}


def test_no_empty_key_drops_a_duty_silently(tmp_path: Path) -> None:
    """Empty each key of each duty in turn: either the model keeps every duty or it is an error."""
    text = MINIMAL.read_text(encoding="utf-8")
    keys = re.findall(r"^(    [a-z_]+|  - [a-z_]+):.*$", text, flags=re.M)
    assert len(keys) > 40
    for n, match in enumerate(re.finditer(r"^(    [a-z_]+|  - [a-z_]+):.*$", text, flags=re.M)):
        path = tmp_path / f"v{n}.yaml"
        path.write_text(text[: match.start()] + match.group(1) + ":" + text[match.end() :])
        try:
            kept = len({d.id for d in load_schedule(path).duties} & duty_ids(path))
        except InputError as exc:
            assert all(p.where and p.where.line >= 1 for p in exc.problems)
            continue
        assert kept >= len(duty_ids(path)), match.group(0)


def chain(tmp_path: Path, length: int) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    groups = [f"  - {{id: g{i}, name: 组{i}, members: [g{i + 1}]}}" for i in range(length - 1)]
    groups.append(f"  - {{id: g{length - 1}, name: 组{length - 1}, members: [finance]}}")
    text = text.replace("groups:\n", "groups:\n" + "\n".join(groups) + "\n")
    text = text.replace(
        "    units: [finance]\n    cadence: monthly", "    units: [g0]\n    cadence: monthly"
    )
    path = tmp_path / "chain.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_group_chain_at_the_depth_limit_builds(tmp_path: Path) -> None:
    path = chain(tmp_path, MAX_GROUP_DEPTH)
    schedule = load_schedule(path)
    assert schedule.members("g0") == frozenset({"finance"})
    result = CliRunner().invoke(
        cli.main, ["-f", str(path), "build", "--out", str(tmp_path / "out"), "--year", "2026"]
    )
    assert result.exit_code == 0, result.output


def test_long_group_chain_is_refused_with_its_line(tmp_path: Path) -> None:
    path = chain(tmp_path, 3000)
    code, output = validate(path)
    assert code == 1
    line = line_of(path, f"{{id: g{3000 - MAX_GROUP_DEPTH - 1}, ")
    assert f"{path}:{line}:" in output
    assert f"groups nest more than {MAX_GROUP_DEPTH} deep" in output


def test_long_cycle_is_reported_without_recursion(tmp_path: Path) -> None:
    path = chain(tmp_path, 3000)
    path.write_text(path.read_text().replace("members: [finance]", "members: [g0]"))
    code, output = validate(path)
    assert code == 1
    assert "group 'g0' contains itself: g0 -> g1 -> " in output


def test_model_resolves_a_chain_longer_than_the_recursion_limit() -> None:
    base = load_schedule(MINIMAL)
    groups = tuple(Group(f"g{i}", "组", (f"g{i + 1}",)) for i in range(5000))
    groups += (Group("g5000", "组", ("finance", "shiqi")),)
    schedule = Schedule(
        base.path, base.digest, base.plan, base.defaults, base.units, groups, base.duties
    )
    assert schedule.members("g0") == frozenset({"finance", "shiqi"})


def test_the_build_names_the_line_of_a_date_without_working_day(tmp_path: Path) -> None:
    """The build stopped with '1 working days before 2004-01-01 is before 2004-01-01'."""
    path, line = variant(
        tmp_path,
        "    due: {rule: workdays_after_date, date: 2017-06-09, n: 30}",
        "    due: {rule: fixed_date, date: 2004-01-01, roll: preceding}",
    )
    result = CliRunner().invoke(
        cli.main, ["-f", str(path), "build", "--out", str(tmp_path / "out"), "--year", "2026"]
    )
    assert result.exit_code == 1
    assert f"{path}:{line}:10: duty 'concrete-measures': due: " in result.output
    assert not (tmp_path / "out").exists()


def peak_of_validate(path: Path) -> tuple[int, str, int]:
    """The real CLI in a child process: exit code, output, and the child's peak memory in KB."""
    code = (
        "import resource, subprocess, sys\n"
        "run = subprocess.run([sys.executable, 'cli.py', '--lang', 'en', '-f', sys.argv[1], "
        "'validate'], capture_output=True, text=True)\n"
        "print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(run.stdout + run.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    first, output = run.stdout.split("\n", 1)
    rc, peak = first.split()
    return int(rc), output, int(peak)


def test_a_unit_listed_50000_times_is_one_error_fast(tmp_path: Path) -> None:
    """510 KB of `- finance` passed validate; the build then took seconds and 600 MB."""
    path, line = variant(
        tmp_path, "    units: [finance]\n    cadence: monthly\n    basis: 按月\n    due: {rule: workdays_after_period",
        "    units:\n" + "      - finance\n" * 50_000 + "    cadence: monthly\n    basis: 按月\n    due: {rule: workdays_after_period",
    )  # fmt: skip
    start = time.process_time()
    code, output, peak = peak_of_validate(path)
    assert code == 1
    assert output.count("is listed twice") == 1, output
    assert (
        f"{path}:{line + 2}:9: duty 'budget-execution': 'finance' is listed twice in units "
        f"(first on line {line + 1})"
    ) in output
    assert peak < 150_000, peak  # KB; the file's nodes, nothing per occurrence
    assert time.process_time() - start < 5


def test_a_file_of_millions_of_list_items_is_refused_before_composing(tmp_path: Path) -> None:
    """8 MB of `[f,f,f,…]` fits the size limit but composed into 1.2 GB of nodes."""
    path, _line = variant(
        tmp_path, "    units: [finance]\n    cadence: monthly", "    units: [" + "f," * 3_900_000 + "finance]\n    cadence: monthly"
    )  # fmt: skip
    code, output, peak = peak_of_validate(path)
    assert code == 1
    assert (
        f"{path}:1:1: file has 3,900,125 lines and list items; the limit is 250,000 "
        "(is a list repeated?)"
    ) in output
    assert peak < 150_000, peak
