"""README examples marked ``<!-- example -->`` are the program's real output, so they cannot drift.

A marked block is a session: every ``$ disclosure-calendar ARGS`` line in it runs in order, in a
scratch folder holding a copy of the bundled schedule.yaml (and the files of
``<!-- example: files=FOLDER -->``), on a fixed clock (2026-11-25 09:30, or
``<!-- example: clock=2026-04-14T09:30 -->``) with a signing secret,
in Chinese; the lines after it are its output. A line ``...`` stands for any number of lines; a
``# comment`` after a command is not part of it; ``$ export`` lines are the environment already
set. Access links and link ids are random, so 16-hex-digit ids and ``/access/…`` tokens are
compared as placeholders. Blocks without the marker are left alone (other people edit README).
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = re.compile(
    r"^<!-- example(?::\s*(?P<options>.*?))? -->\n+```[a-z]*\n(?P<body>.*?)^```", re.M | re.S
)
ENV = {
    "DISCLOSURE_CALENDAR_LANG": "zh",
    "DISCLOSURE_CALENDAR_FAKE_CLOCK": "2026-11-25T09:30",
    "DISCLOSURE_CALENDAR_SECRET": "readme-example-secret-0123456789",
    "DISCLOSURE_CALENDAR_DB": "",
    "SOURCE_DATE_EPOCH": "1795000000",
}
_RANDOM = [
    (re.compile(r"/access/\S+"), "/access/<token>"),
    (re.compile(r"\b[0-9a-f]{16}\b"), "<id>"),
]


@dataclass(frozen=True)
class Example:
    line: int
    options: dict[str, str]
    session: list[tuple[str, list[str]]]  # command, its expected output lines


def examples() -> list[Example]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in MARKER.finditer(text):
        options = dict(o.split("=", 1) for o in (match["options"] or "").split())
        session: list[tuple[str, list[str]]] = []
        for line in match["body"].splitlines():
            if line.startswith("$ "):
                session.append((line[2:], []))
            elif session:
                session[-1][1].append(line)
        found.append(Example(text.count("\n", 0, match.start()) + 1, options, session))
    return found


def _normal(line: str) -> str:
    for pattern, placeholder in _RANDOM:
        line = pattern.sub(placeholder, line)
    return line.rstrip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` equals ``actual``, a line ``...`` standing for any number of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "..." else re.escape(_normal(line)) + r"\n"
        for line in expected
    )
    return re.fullmatch(pattern, "".join(_normal(a) + "\n" for a in actual)) is not None


def test_the_readme_has_marked_examples() -> None:
    assert len(examples()) >= 4


@pytest.mark.parametrize("example", examples(), ids=lambda e: f"README.md:{e.line}")
def test_readme_example_is_real_output(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "schedule.yaml", tmp_path / "schedule.yaml")
    if "files" in example.options:
        for path in (ROOT / example.options["files"]).iterdir():
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    for command, expected in example.session:
        if command.startswith("export "):
            continue
        args = shlex.split(command, comments=True)
        assert args[0] == "disclosure-calendar", command
        env = ENV
        if "clock" in example.options:  # <!-- example: clock=2026-04-14T09:30 -->
            env = {**ENV, "DISCLOSURE_CALENDAR_FAKE_CLOCK": example.options["clock"]}
        result = CliRunner().invoke(cli.main, args[1:], env=env)
        assert "Traceback" not in result.output, result.output
        actual = result.output.rstrip("\n").splitlines() if result.output.strip() else []
        assert matches(expected, actual), (
            f"README.md:{example.line}: $ {command}\n--- README\n"
            + "\n".join(expected)
            + "\n--- real output\n"
            + "\n".join(actual)
        )


def test_the_matcher() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert matches(["revoked: 81c3328e61b54c63"], ["revoked: 0123456789abcdef"])
