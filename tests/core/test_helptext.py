"""Help texts laid out for a terminal: Chinese wrapped by columns where Chinese allows."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_calendar.core.helptext import NO_LINE_END, NO_LINE_START, full_width_extra, wrap


@settings(max_examples=300)
@given(
    text=st.text(
        st.sampled_from("政务公开（截止）［默认：out］，。 index.html 2026-01-01"), max_size=80
    ),
    limit=st.integers(min_value=8, max_value=40),
)
def test_wrapping_keeps_every_character_and_breaks_where_chinese_allows(text: str, limit: int):
    lines = wrap(text, limit).split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for before, after in itertools.pairwise(lines):
        assert not after or after[0] not in NO_LINE_START
        # an opening mark ends a line only when the line holds nothing else (spaces aside:
        # ' （（（公' at width 8 can only break before 公)
        tail = before.rstrip()
        assert not tail or tail[-1] not in NO_LINE_END or not tail.strip(NO_LINE_END + " ")


def test_a_line_of_spaces_and_opening_marks_breaks_before_the_next_character():
    assert wrap(" （（（公", 8) == " （（（\n公"


def test_wrapping_counts_a_chinese_character_as_two_columns():
    assert wrap("政务公开截止日期", 8) == "政务公开\n截止日期"
    # a run of ASCII is never split, and an opening bracket goes with what it opens
    assert wrap("见 index.html（默认）", 12) == "见\nindex.html\n（默认）"


def test_click_extras_after_a_help_text_take_full_width_brackets():
    assert (
        full_width_extra("输出目录。  [默认：out; 1<=x<=64]")
        == "输出目录。  ［默认：out；1<=x<=64］"
    )
    assert full_width_extra("无附加 [x] 在中间。") == "无附加 [x] 在中间。"
