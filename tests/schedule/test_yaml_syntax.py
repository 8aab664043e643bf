"""YAML syntax errors explained where the mistake is, in the user's language (schedule and contacts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from disclosure_calendar.core.errors import InputError
from disclosure_calendar.reminders.contacts import load_contacts
from disclosure_calendar.schedule.yamlsource import compose

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"


def problem_of(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        compose(path)
    (problem,) = caught.value.problems
    return str(problem)


def test_a_full_width_colon_inside_a_value_is_text_not_the_cause(tmp_path: Path) -> None:
    # 关于：某事 is an ordinary title; the mistake is the unclosed bracket two lines down
    path = tmp_path / "s.yaml"
    path.write_text("a:\n  title: 关于：某事\n  b: [x, y\n  c: 1\n", encoding="utf-8")
    assert problem_of(path).startswith(f"{path}:3:6: the bracket [ opened here")


def test_full_width_colon_in_a_key_without_a_syntax_error_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("version： 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["-f", str(path), "validate"])
    assert result.exit_code == 1
    assert "(it holds a full-width colon “：”: write an ASCII colon and a space)" in result.output


def test_contacts_syntax_error_is_explained_in_chinese(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DISCLOSURE_CALENDAR_LANG", "zh")
    path = tmp_path / "contacts.yaml"
    path.write_text("coordinator:\n\temail: a@example.gov.cn\n", encoding="utf-8")
    from disclosure_calendar.core.i18n import speaking

    with speaking("zh"), pytest.raises(InputError) as caught:
        load_contacts(path, ["finance"])
    text = str(caught.value.problems[0])
    first, expert = text.split("\n")
    assert (
        first
        == f"{path}:2:1: 这里有制表符（Tab）：用空格缩进，不要用制表符（YAML 不允许在这里用制表符）"
    )
    assert expert.startswith("    （YAML 解析器的原文：“while scanning")


@pytest.mark.parametrize(
    ("case", "chinese"),
    [
        ("tab_indent", "用空格缩进，不要用制表符"),
        ("full_width_colon", "全角冒号“：”"),
        ("full_width_space", "全角空格"),
        ("unclosed_quote", '这里开始的引号 " 没有结束'),
        ("unclosed_brace", "这里开始的括号 { 缺少配对的 }"),
    ],
)
def test_validate_explains_in_chinese_by_default(case: str, chinese: str) -> None:
    path = BAD / f"{case}.yaml"
    result = CliRunner().invoke(
        cli.main, ["-f", str(path), "validate"], env={"DISCLOSURE_CALENDAR_LANG": "zh"}
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "错误：发现 1 个问题："
    assert lines[1].startswith(f"{path}:") and chinese in lines[1], result.output
    # the parser's own words only on their own line, quoted
    assert lines[2].startswith("    （YAML 解析器的原文：“"), result.output
