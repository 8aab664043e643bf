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


def test_pages_as_served_use_full_width_punctuation(portal) -> None:  # type: ignore[no-untyped-def]
    """The pages as a clerk reads them: template text and the values filled in together
    (a comma after a date the template fills in escaped the check of the sources)."""
    import html as html_module

    from test_portal import login, page

    found = []
    for path, who in (("/", None), ("/unit/finance", "finance"), ("/coordinator", None)):
        cookie = login(portal, who) if path != "/" else ""
        status, body = page(portal, path, cookie)
        assert status == 200, path
        text = html_module.unescape(re.sub(r"<[^>]+>", "", body))
        found += [f"{path}: {line.strip()}" for line in text.splitlines()
                  if HALF_WIDTH_IN_CHINESE.search(line)]  # fmt: skip
    assert not found, "\n".join(found)
