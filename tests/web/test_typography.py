"""Chinese text on the portal uses full-width punctuation (，：；（）), as office staff write it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "disclosure_calendar" / "web"
CJK = r"[\u4e00-\u9fff]"
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CJK}[,;:()]|[,;:(]{CJK}")


@pytest.mark.parametrize(
    "path",
    sorted([*WEB.glob("templates/*.html"), *WEB.glob("*.py")]),
    ids=lambda p: p.name,
)
def test_no_half_width_punctuation_next_to_chinese(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(lines, 1)
             if HALF_WIDTH_IN_CHINESE.search(line)]  # fmt: skip
    assert not found, "\n".join(found)


def test_the_check_sees_a_half_width_comma() -> None:
    assert HALF_WIDTH_IN_CHINESE.search("已标记完成,提醒将停止")
    assert not HALF_WIDTH_IN_CHINESE.search("已标记完成，提醒将停止")
