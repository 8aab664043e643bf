"""Issue 29: the first mistakes a new user makes are explained in Chinese, and in English with
--lang en. Each path runs the command as a user does; the Chinese output fails on any English
word outside file names, option names, quoted values, URLs and acronyms (YAML, SIGTERM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent
BAD = ROOT / "data" / "bad"
MINIMAL = ROOT / "data" / "minimal.yaml"
SECRET_ENV = "DISCLOSURE_CALENDAR_SECRET"

# What may be Latin in a Chinese line: quoted values ('x', "x", “x”, `x`), paths and file
# names, --options, the file's own keys (plan：), URLs, acronyms; and the YAML parser's own words on their own line.
_ALLOWED = [
    re.compile(p)
    for p in (
        r"^ {4}（YAML 解析器的原文：“.*”）$",  # the parser's words, for experts
        r"^用法： \S+(?: [a-z][\w-]*)*",  # the program's and commands' names
        r"`[^`]*`",
        r"'[^']*'",
        r'"[^"]*"',
        r"“[^”]*”",
        r"\bhttps?://\S+",
        r"(?<![\w-])--?[a-z][\w-]*",
        r"[\w./-]*/[\w./-]*",
        r"\b[\w-]+\.(?:yaml|yml|key|db|ics|html|txt)\b",
        r"\b[A-Z][A-Z0-9_]+\b",  # YAML, DISCLOSURE_CALENDAR_SECRET
        r"\b[a-z_][\w.\[\]']*(?=[:：])",  # a key of the file (plan：, title: 标题)
        r"（Tab）",
    )
]
_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")


def english_words(text: str) -> list[str]:
    words = []
    for line in text.splitlines():
        for pattern in _ALLOWED:
            line = pattern.sub(" ", line)
        words += [w for w in _WORD.findall(line) if len(w) > 1]
    return words


def test_the_detector_catches_english_and_spares_names() -> None:
    assert english_words("错误：mapping values are not allowed") == [
        "mapping", "values", "are", "not", "allowed",
    ]  # fmt: skip
    assert english_words("错误：'abc' 不是有效的integer") == ["integer"]
    assert english_words("错误：/tmp/a.yaml:2:1: 这里有制表符（Tab）：用空格缩进") == []
    assert (
        english_words("错误：--unit：没有这个单位 'finanse'（见 `disclosure-calendar units`）")
        == []
    )


@dataclass(frozen=True)
class Path_:
    """One error path: the arguments (FILE is a bad file written first), its file, and what
    the Chinese and English messages must say."""

    args: tuple[str, ...]
    zh: str
    en: str
    text: str | None = None  # the bad file's content
    env: tuple[tuple[str, str], ...] = ()
    code: int = 1  # click's usage errors exit 2


TAB = "version: 1\nplan:\n\ttitle: x\n"
CASES = {
    "yaml-tab": Path_(
        ("-f", "FILE", "validate"), "用空格缩进，不要用制表符", "indent with spaces", TAB
    ),
    "yaml-full-width-colon": Path_(
        ("-f", str(BAD / "full_width_colon.yaml"), "validate"), "全角冒号“：”", "full-width colon"
    ),
    "yaml-full-width-space": Path_(
        ("-f", str(BAD / "full_width_space.yaml"), "validate"), "全角空格", "full-width space"
    ),
    "yaml-missing-brace": Path_(
        ("-f", str(BAD / "unclosed_brace.yaml"), "validate"), "缺少配对的 }", "is not closed by }"
    ),
    "yaml-missing-quote": Path_(
        ("-f", str(BAD / "unclosed_quote.yaml"), "validate"), "没有结束", "is never closed"
    ),
    "yaml-duplicate-key": Path_(
        ("-f", str(BAD / "duplicate_key.yaml"), "validate"),
        "重复（第 3 行已经写过",
        "duplicate key",
    ),
    "contacts-yaml-tab": Path_(
        (
            "-f",
            str(MINIMAL),
            "remind",
            "--at",
            "2026-04-10",
            "--contacts",
            "FILE",
            "--db",
            "DB",
        ),
        "用空格缩进，不要用制表符",
        "indent with spaces",
        "version: 1\nunits:\n\tfinance: []\n",
    ),  # fmt: skip
    "access-no-secret": Path_(
        ("-f", str(MINIMAL), "access", "issue", "--coordinator", "--db", "DB"),
        "没有密钥",
        "no secret",
    ),
    "access-short-secret": Path_(
        (
            "-f",
            str(MINIMAL),
            "access",
            "issue",
            "--coordinator",
            "--db",
            "DB",
            "--secret-file",
            "FILE",
        ),
        "密钥短于 16 个字节",
        "shorter than 16 bytes",
        "short\n",
    ),  # fmt: skip
    "access-unreadable-secret": Path_(
        (
            "-f",
            str(MINIMAL),
            "access",
            "issue",
            "--coordinator",
            "--db",
            "DB",
            "--secret-file",
            "NOFILE",
        ),
        "无法读取密钥（没有这个文件或文件夹）",
        "cannot read the secret (no such file or folder)",
    ),  # fmt: skip
    "access-unknown-unit": Path_(
        ("-f", str(MINIMAL), "access", "issue", "--unit", "finanse", "--db", "DB"),
        "没有这个单位 'finanse'",
        "unknown unit 'finanse'",
        env=((SECRET_ENV, "0123456789abcdef0123456789"),),
    ),
    "serve-secret-inside-out": Path_(
        ("-f", str(MINIMAL), "serve", "-o", "OUT", "--db", "DB", "--secret-file", "OUT/s.key"),
        "密钥不能放在",
        "must not be inside",
    ),
    "click-type-error": Path_(
        ("workdays", "add", "2026-01-01", "abc"),
        "'abc' 不是有效的整数",
        "'abc' is not a valid integer",
        code=2,
    ),
    "click-date-format": Path_(
        ("workdays", "check", "2026/01/01"), "不是日期：请按“年-月-日”写", "is not a date", code=2
    ),
    "click-no-such-option": Path_(
        ("build", "--yaer", "2026"), "没有这个选项：'--yaer'", "No such option", code=2
    ),
    "workdays-between-reversed": Path_(
        ("workdays", "between", "2026-10-08", "2026-10-01"),
        "请先写较早的日期",
        "earlier date first",
    ),
}


def _run(tmp_path: Path, case: Path_, lang: str) -> str:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "s.key").write_text("0123456789abcdef0123456789\n")
    file = tmp_path / "bad.yaml"
    if case.text is not None:
        file.write_text(case.text, encoding="utf-8")
    names = {
        "FILE": str(file),
        "NOFILE": str(tmp_path / "no-such.key"),
        "DB": str(tmp_path / "l.db"),
    }
    args = [names.get(a, a).replace("OUT", str(out)) for a in case.args]
    env = {"DISCLOSURE_CALENDAR_LANG": lang, SECRET_ENV: "", **dict(case.env)}
    result = CliRunner().invoke(cli.main, args, env=env)
    assert result.exit_code == case.code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_chinese_by_default(tmp_path: Path, case: Path_) -> None:
    output = _run(tmp_path, case, "zh")
    assert "错误：" in output and case.zh in output, output
    assert english_words(output) == [], output


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_english_with_lang_en(tmp_path: Path, case: Path_) -> None:
    output = _run(tmp_path, case, "en")
    assert "Error: " in output and case.en in output, output
