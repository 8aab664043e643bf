"""Chinese by default, English on request: the catalog is complete and the CLI speaks it."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cli
from disclosure_calendar.core import catalog, i18n
from disclosure_calendar.core.helptext import NO_LINE_END, NO_LINE_START

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "schedule.yaml"
BAD = ROOT / "tests" / "data" / "bad"


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def po():  # type: ignore[no-untyped-def]
    return catalog.read_po("zh")


def test_every_msgid_has_a_chinese_msgstr(po) -> None:  # type: ignore[no-untyped-def]
    """The msgids extracted now (package, help texts, click) are all in the catalog, translated."""
    template = catalog.template()
    missing = [m.id for m in template if m.id and m.id not in po]
    assert missing == [], "run python -m disclosure_calendar.core.catalog, then translate"
    untranslated = [m.id for m in po if m.id and not all(_forms(m.string))]
    assert untranslated == []
    assert [m.id for m in po if m.id and m.fuzzy] == []


def test_translations_keep_the_placeholders(po) -> None:  # type: ignore[no-untyped-def]
    """A msgstr uses only fields its msgid has: .format() would raise on any other."""
    wrong = []
    for m in po:
        if not m.id:
            continue
        allowed = set().union(*(_fields(i) for i in _forms(m.id)))
        if "%(" in "".join(_forms(m.id)):
            continue
        for form in _forms(m.string):
            if not _fields(form) <= allowed:
                wrong.append((m.id, form))
    assert wrong == []


def test_compiled_catalog_is_up_to_date(po) -> None:  # type: ignore[no-untyped-def]
    """The committed .mo is the .po compiled: an install from a clean clone speaks Chinese."""
    mo = catalog.po_path("zh").with_suffix(".mo")
    assert mo.read_bytes() == catalog.compiled(po)


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, {}, "zh"),
        (None, {"LANG": "C"}, "zh"),
        (None, {"LANG": "C.UTF-8", "LC_ALL": "POSIX"}, "zh"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "zh"),
        (None, {"LC_ALL": "C", "LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"DISCLOSURE_CALENDAR_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
        (None, {"DISCLOSURE_CALENDAR_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"DISCLOSURE_CALENDAR_LANG": "zh"}, "en"),
        ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
    ],
    ids=[
        "nothing-set", "LANG=C", "C.UTF-8-POSIX", "LANG-en", "LANG-fr", "LC_ALL=C-skipped",
        "LC_MESSAGES-before-LANG", "own-variable-first", "own-variable-zh", "flag-first",
        "flag-zh",
    ],
)  # fmt: skip
def test_language_precedence(flag: str | None, environ: dict[str, str], expected: str) -> None:
    assert i18n.choose_language(flag, environ) == expected


def test_speaking_puts_everything_back() -> None:
    import gettext
    import os

    before = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    with i18n.speaking("zh"):
        assert i18n.gettext("Port to listen on.") == "监听的端口。"
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == before
    assert i18n.gettext("Port to listen on.") == "Port to listen on."


# --- English left in Chinese output ---

_COMMAND_NAMES: set[str] = set()


def _names(command: click.Command) -> Iterator[str]:
    yield command.name or ""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _names(sub)


_COMMAND_NAMES.update(_names(cli.main))
# words that are names, not English: formats, protocols, file kinds, YAML keys
_NAMES = {
    "json", "yaml", "csv", "xlsx", "pdf", "html", "http", "https", "ics", "gzip", "etag",
    "uid", "sigterm", "cron", "table", "text", "true", "false", "self-check", "calendar",
    "notices", "events", "disclosure-calendar", "zh", "en", "plan", "base_url", "out", "excel",
    "print", "key", "value", "postgresql", "sqlite",
    # document formats and the office suite that converts old ones (plan import)
    "docx", "doc", "wps", "word", "libreoffice",
    # values written in schedule.yaml, named in messages as they are to be written
    "daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "once", "event",
    "ongoing",
}  # fmt: skip


def english_left(text: str) -> list[str]:
    """ASCII words in Chinese output that are neither names, options nor values."""
    text = re.sub(r"\[[^\]]*\|[^\]]*\]", " ", text)  # choice lists [zh|en]
    text = re.sub(r"(默认：)[^\]］]*", " ", text)  # default values
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", text)  # quoted input
    words = re.findall(r"-{0,2}[A-Za-z][A-Za-z_\-.:/=0-9]*", text)
    left = []
    for word in words:
        bare = word.strip(".:-")
        if (
            word.startswith("-")
            or bare.isupper()
            or re.search(r"[./_=:0-9]", bare)
            or bare.lower() in _NAMES
            or bare in _COMMAND_NAMES
            or len(bare) < 3
        ):
            continue
        left.append(bare)
    return left


def test_the_english_detector_finds_english() -> None:
    assert english_left("用法：disclosure-calendar status [OPTIONS]\n按单位统计 overdue") == [
        "overdue"
    ]
    assert english_left("错误：没有这个选项：'--nope'。") == []


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(cli.main))


def invoke(*args: str, lang: str | None = None) -> click.testing.Result:
    env = {"DISCLOSURE_CALENDAR_LANG": lang} if lang else {"DISCLOSURE_CALENDAR_LANG": ""}
    return CliRunner().invoke(cli.main, ["-f", str(SCHEDULE), *args], env=env)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "main" for p in COMMANDS])
def test_every_help_is_chinese_by_default_and_english_on_request(path: tuple[str, ...]) -> None:
    zh = invoke(*path, "--help")
    assert zh.exit_code == 0, zh.output
    assert zh.output.startswith("用法：")
    assert english_left(zh.output) == []
    assert re.search(r"[\u4e00-\u9fff]", zh.output)
    en = invoke("--lang", "en", *path, "--help")
    assert en.exit_code == 0
    assert en.output.startswith("Usage:")
    assert not re.search(r"[\u4e00-\u9fff]", en.output.replace("调休", ""))
    # the flag works after the command too
    assert invoke(*path, "--help", "--lang", "en").output == en.output


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_chinese_help_lines_neither_start_with_a_closing_mark_nor_end_with_an_opening_one(
    columns: int,
) -> None:
    bad = []
    for path in COMMANDS:
        result = CliRunner().invoke(
            cli.main, ["-f", str(SCHEDULE), *path, "--help"], terminal_width=columns,
            env={"DISCLOSURE_CALENDAR_LANG": ""},
        )  # fmt: skip
        for line in result.output.splitlines():
            text = line.strip()
            if text and (text[0] in NO_LINE_START or text[-1] in NO_LINE_END):
                bad.append(f"{' '.join(path)}: {line}")
    assert not bad, "\n".join(bad[:10])


ERRORS = [
    (("status", "--nope"), "没有这个选项：'--nope'", "No such option '--nope'"),
    (("workdays", "check"), "缺少参数", "Missing argument"),
    (("duties", "--cadence", "x"), "'--cadence' 的值无效", "Invalid value for '--cadence'"),
    (("nosuch",), "没有这个命令：'nosuch'", "No such command 'nosuch'"),
    (("print", "--unit", "x", "--each-unit"), "只能给出其一", "not both"),
]


@pytest.mark.parametrize(
    ("args", "zh_text", "en_text"), ERRORS, ids=[" ".join(e[0]) for e in ERRORS]
)
def test_errors_in_both_languages(args: tuple[str, ...], zh_text: str, en_text: str) -> None:
    zh = invoke(*args)
    assert zh.exit_code == 2 or zh.exit_code == 1
    assert zh_text in zh.output
    assert "错误：" in zh.output and "用法：" in zh.output
    assert english_left(zh.output) == []
    en = invoke(*args, lang="en")
    assert en.exit_code == zh.exit_code
    assert en_text in en.output
    assert "Traceback" not in zh.output + en.output


def test_validation_errors_in_chinese() -> None:
    result = CliRunner().invoke(
        cli.main, ["-f", str(BAD / "several_problems.yaml"), "--lang", "zh", "validate"]
    )
    assert result.exit_code == 1
    assert "错误：发现 3 个问题：" in result.output
    assert "several_problems.yaml:17:13: 职责 'budget'：未知的单位或分组 'cz'" in result.output
    assert english_left(result.output) == []


def test_lang_c_on_a_server_keeps_chinese() -> None:
    result = CliRunner().invoke(
        cli.main, ["--help"], env={"DISCLOSURE_CALENDAR_LANG": "", "LANG": "C", "LC_ALL": "C"}
    )
    assert result.output.startswith("用法：")


def test_status_in_chinese_and_english(empty_ledger: str) -> None:
    args = ["-f", str(SCHEDULE), "status", "--year", "2026", "--db", empty_ledger]
    env = {"DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-04-14T10:00", "DISCLOSURE_CALENDAR_LANG": ""}
    zh = CliRunner().invoke(cli.main, args, env=env)
    assert zh.exit_code == 0, zh.output
    assert zh.output.splitlines()[0].split()[:4] == ["单位", "名称", "按时完成", "逾期完成"]
    assert "2026年，截至2026年4月14日：已逾期" in zh.output
    en = CliRunner().invoke(cli.main, ["--lang", "en", *args], env=env)
    assert en.output.splitlines()[0].split()[:4] == ["unit", "name", "on", "time"]
    assert "2026, as of 2026-04-14:" in en.output


_LOCALES = st.sampled_from(
    ["", "C", "POSIX", "C.UTF-8", "en_US.UTF-8", "en_GB", "zh_CN.UTF-8", "zh_TW", "fr_FR.UTF-8"]
)


@given(
    flag=st.sampled_from([None, "zh", "en"]),
    environ=st.dictionaries(st.sampled_from(i18n.ENV_VARS), _LOCALES, max_size=4),
)
def test_language_choice_properties(flag: str | None, environ: dict[str, str]) -> None:
    lang = i18n.choose_language(flag, environ)
    assert lang in i18n.LANGUAGES
    if flag is not None:
        assert lang == flag  # --lang always wins
    named = [i18n.language_of(environ.get(name)) for name in i18n.ENV_VARS]
    if flag is None and not any(named):
        assert lang == "zh"  # C, POSIX, other languages: Chinese, never a silent switch
    if flag is None and any(named):
        assert lang == next(n for n in named if n)  # the first variable naming one


def test_clicks_defaults_and_ranges_in_chinese_brackets() -> None:
    zh = invoke("serve", "--help").output
    assert "［默认：1；1<=x<=64］" in zh and "[默认" not in zh
    en = invoke("--lang", "en", "serve", "--help").output
    assert "[default: 1; 1<=x<=64]" in en
