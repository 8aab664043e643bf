"""click's type names in the language spoken: its errors and metavars, put back afterwards."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

import cli


def run(*args: str, lang: str) -> str:
    result = CliRunner().invoke(cli.main, list(args), env={"DISCLOSURE_CALENDAR_LANG": lang})
    return result.output


def test_a_type_error_is_all_chinese() -> None:
    out = run("workdays", "add", "2026-01-01", "abc", lang="zh")
    assert out.endswith("错误：'N' 的值无效：'abc' 不是有效的整数。\n"), out
    assert run("workdays", "year", "abc", lang="zh").endswith("'abc' 不是有效的整数。\n")


def test_english_is_clicks_own() -> None:
    out = run("workdays", "add", "2026-01-01", "abc", lang="en")
    assert out.endswith("Error: Invalid value for 'N': 'abc' is not a valid integer.\n"), out


def test_metavars_in_chinese_and_the_names_put_back() -> None:
    out = run("build", "--help", lang="zh")
    assert "--year 整数" in out and "INTEGER" not in out and "TEXT" not in out, out
    assert click.INT.name == "integer" and click.STRING.name == "text"
    assert click.IntRange(1, 2).name == "integer range"


def test_usage_placeholders_in_chinese() -> None:
    out = run("workdays", "--help", lang="zh")
    assert out.startswith("用法： main workdays [选项] 命令 [参数]...\n"), out
    assert run("workdays", "--help", lang="en").startswith(
        "Usage: main workdays [OPTIONS] COMMAND [ARGS]...\n"
    )


def test_a_malformed_date_is_explained() -> None:
    out = run("workdays", "check", "2026/01/01", lang="zh")
    assert out.endswith("'2026/01/01' 不是日期：请按“年-月-日”写，例如 2026-01-31\n"), out
    assert "%Y" not in out


def test_help_columns_line_up_in_terminal_columns() -> None:
    from disclosure_calendar.core.table import width

    out = run("print", "--help", lang="zh")
    assert "--format [pdf|html]  pdf：可直接打印的日历" in out, out  # no longer empty
    starts = set()
    for line in out.splitlines():
        found = re.match(r"^  (-\S.*?)  +(\S.*)$", line)
        if found and width(found[1]) <= 30:
            starts.add(width(line) - width(found[2]))
    assert len(starts) == 1, starts


def test_a_short_help_is_not_cut_inside_brackets() -> None:
    out = run("workdays", "--help", lang="zh")
    assert "notice   把国务院放假通知（正文；- 表示标准输入）读成一条 calendar: 条目\n" in out
