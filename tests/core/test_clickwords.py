"""click's type names in the language spoken: its errors and metavars, put back afterwards."""

from __future__ import annotations

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
