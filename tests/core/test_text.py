"""Text people type, cleaned where it enters: one line, no control characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from disclosure_calendar.core.text import has_control, one_line


def test_control_characters_and_line_breaks_become_one_space() -> None:
    assert one_line("  停\x00止\x07执行\x1b[31m\r\n红\x7f\x85\t。 ") == "停 止 执行 [31m 红 。"
    assert one_line("废止某办法") == "废止某办法"
    assert one_line("a\udcff b") == "a b"  # a command line's undecodable byte
    assert one_line("一二三四五", 3) == "一二三"


@given(st.text())
def test_one_line_leaves_nothing_a_feed_or_a_terminal_would_choke_on(text: str) -> None:
    cleaned = one_line(text, 200)
    assert not has_control(cleaned) and "\n" not in cleaned and "\r" not in cleaned
    assert cleaned == cleaned.strip() and len(cleaned) <= 200
    assert not any(0xD800 <= ord(c) <= 0xDFFF or 0x80 <= ord(c) <= 0x9F for c in cleaned)
    assert one_line(cleaned, 200) == cleaned


def test_has_control_allows_tab_and_line_breaks_as_rfc_5545_does() -> None:
    assert not has_control("a\tb\r\nc")
    assert all(has_control(f"a{c}b") for c in "\x00\x07\x08\x0b\x0c\x1b\x1f\x7f")
