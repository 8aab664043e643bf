"""Timing and deadline words: what each means as a cadence and a due rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure_calendar.planning.drafting import draft
from disclosure_calendar.planning.model import Task
from disclosure_calendar.planning.words import cn_number, find_words


def found(text: str) -> list[tuple[str, str, dict[str, object] | None]]:
    return [(w.text, w.cadence, w.due) for w in find_words(text, 2021)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("按月公开预算执行情况", [("按月", "monthly", None)]),
        ("每季度公布名单", [("每季度", "quarterly", None)]),
        ("每半年通报一次", [("每半年", "half-yearly", None)]),
        ("每年公布水质排名", [("每年", "yearly", None)]),
        ("纳入2017年度依法行政考评", []),
        ("发布年度报告", [("年度", "yearly", None)]),
        ("定期公布", [("定期", "periodic", None)]),
        ("常态化开展检查，持续推进", [("常态化", "ongoing", None), ("持续", "ongoing", None)]),
        (
            "年底前完成",
            [("年底前", "once", {"rule": "fixed_date", "date": "2021-12-31", "roll": "preceding"})],
        ),
        (
            "6月底前出台",
            [
                (
                    "6月底前",
                    "once",
                    {"rule": "fixed_date", "date": "2021-06-30", "roll": "preceding"},
                )
            ],
        ),
        (
            "九月底前完成",
            [
                (
                    "九月底前",
                    "once",
                    {"rule": "fixed_date", "date": "2021-09-30", "roll": "preceding"},
                )
            ],
        ),
        (
            "2022年3月31日前",
            [
                (
                    "2022年3月31日前",
                    "once",
                    {"rule": "fixed_date", "date": "2022-03-31", "roll": "preceding"},
                )
            ],
        ),
        (
            "上半年完成",
            [("上半年", "once", {"rule": "fixed_date", "date": "2021-06-30", "roll": "preceding"})],
        ),
        (
            "本方案印发后30个工作日内公开",
            [
                (
                    "本方案印发后30个工作日内",
                    "once",
                    {"rule": "workdays_after_date", "date": "ISSUED", "n": 30},
                )
            ],
        ),
        (
            "收到申请之日起20个工作日内答复",
            [("之日起20个工作日内", "event", {"rule": "workdays_after_event", "n": 20})],
        ),
        (
            "每月10日前发布上月数据",
            [("每月10日前", "monthly", {"rule": "fixed_day", "day": 10, "roll": "preceding"})],
        ),
        (
            "每年3月底前公开上一年度报告",
            [
                (
                    "每年3月底前",
                    "yearly",
                    {"rule": "fixed_day", "month": 3, "day": 31, "roll": "preceding"},
                ),
                ("年度", "yearly", None),
            ],
        ),
    ],
)
def test_words(text: str, expected: list[tuple[str, str, object]]) -> None:
    assert found(text) == expected


@given(st.integers(min_value=1, max_value=199))
def test_chinese_numbers(n: int) -> None:
    digits = "〇一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = (
        (digits[hundreds] + "百" if hundreds else "")
        + (
            ("" if tens == 1 and not hundreds else digits[tens]) + "十"
            if tens
            else ("〇" if hundreds and ones else "")
        )
        + (digits[ones] if ones else "")
    )
    assert cn_number(text) == n


def drafted(text: str) -> list[tuple[str, object, bool]]:
    task = Task("1.1", "一", text, ("市财政局",), (), "line 1")
    duties, _words = draft(task, 2021, dt.date(2021, 4, 30))
    return [(d.cadence, d.due, d.assumed) for d in duties]


def test_one_duty_per_cadence() -> None:
    assert drafted("每月发布价格信息，每季度、年度发布市场回顾") == [
        ("monthly", {"rule": "workdays_after_period", "n": 10}, True),
        ("quarterly", {"rule": "workdays_after_period", "n": 15}, True),
        ("yearly", {"rule": "workdays_after_period", "n": 20}, True),
    ]


def test_vague_periods_and_fixed_days() -> None:
    assert drafted("定期公开抽检结果") == [
        ("quarterly", {"rule": "workdays_after_period", "n": 15}, True)
    ]
    assert drafted("每月定期发布交易月报") == [
        ("monthly", {"rule": "workdays_after_period", "n": 10}, True)
    ]
    assert drafted("每月10日前发布") == [
        ("monthly", {"rule": "fixed_day", "day": 10, "roll": "preceding"}, False)
    ]


def test_deadlines_and_standing_work() -> None:
    assert drafted("本方案印发后30个工作日内制定措施") == [
        ("once", {"rule": "workdays_after_date", "date": "2021-04-30", "n": 30}, False)
    ]
    assert drafted("及时公开政策文件") == [("ongoing", None, False)]
    assert drafted("出台本市配套政策文件") == [
        ("once", {"rule": "fixed_date", "date": "2021-12-31", "roll": "preceding"}, True)
    ]
    assert drafted("加强宣传") == [("ongoing", None, False)]


def test_documents_to_make_and_words_that_only_look_like_timing() -> None:
    year_end = {"rule": "fixed_date", "date": "2021-12-31", "roll": "preceding"}
    assert drafted("研究编制《某某市产业发展规划》并及时向社会公开") == [("once", year_end, True)]
    assert drafted("在制定相关政策措施时，通过征求意见等方式扩大参与度") == [
        ("ongoing", None, False)
    ]
    assert drafted("按照省修订后的《信用信息管理暂行办法》做好信用信息公开") == [
        ("ongoing", None, False)
    ]
    assert drafted("推动常规检查执法信息公开") == [("ongoing", None, False)]
    assert drafted("围绕新出台的减税降费政策措施，及时发布与解读") == [("ongoing", None, False)]


def test_events_named_but_not_timed() -> None:
    after = {"rule": "workdays_after_event", "n": 20}
    assert drafted("验收合格后，向社会公告化解产能完成时间") == [("event", after, True)]
    assert drafted("严格按照法定时限答复") == [("event", after, True)]
    assert drafted("建立市级征地信息公开平台") == [
        ("once", {"rule": "fixed_date", "date": "2021-12-31", "roll": "preceding"}, True)
    ]
